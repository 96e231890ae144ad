import { fnv1a32, type OfferVariant } from '@tandem/core';

/**
 * Deterministic weighted variant pick: bucket = fnv1a32 of
 * `${offerId}:variant:${accountId}` mod 10000 (like the holdout bucket), mapped
 * onto [0, total weight). The low digits are used because FNV-1a's top bits
 * mix the last characters poorly: ids that differ only at the end (acct-1,
 * acct-2…) would skew a split on hash / 2³². Independent of the holdout hash.
 * @example pickVariant('o1', 'acct-1', [{ key: 'a' }, { key: 'b', weight: 3 }])?.key
 */
export function pickVariant(offerId: string, accountId: string, variants: readonly OfferVariant[] | undefined): OfferVariant | null {
  if (!variants || variants.length === 0) return null;
  let total = 0;
  for (const v of variants) total += variantWeight(v);
  if (!(total > 0)) return variants[0]!;
  const u = ((fnv1a32(`${offerId}:variant:${accountId}`) % 10000) / 10000) * total;
  let acc = 0;
  for (const v of variants) {
    acc += variantWeight(v);
    if (u < acc) return v;
  }
  // Only floating-point rounding reaches here: the last variant with weight.
  for (let i = variants.length - 1; i >= 0; i--) if (variantWeight(variants[i]!) > 0) return variants[i]!;
  return variants[variants.length - 1]!;
}

function variantWeight(v: OfferVariant): number {
  const w = v.weight ?? 1;
  return Number.isFinite(w) && w > 0 ? w : 0;
}
