/**
 * Pure helpers both stores share: how a batch of newly stored events folds into
 * per-account and per-(account, offer) state, and the compact encoding of the
 * state's sorted lists. Every fold is a min or a sorted insert, so the state
 * never depends on arrival order (back-dated imports included).
 */
import type { StoredEvent } from './types.ts';

/** What one batch adds to an account's state. Lists ascending. */
export interface AccountDelta {
  accountId: string;
  trialAt: number | null;
  paid: number[];
  canceled: number[];
  usage: { at: number; quantity: number }[];
}

/** What one batch adds to an (account, offer)'s state: the earliest of each browser event. */
export interface OfferDelta {
  accountId: string;
  offerId: string;
  exposedAt: number | null;
  clickedAt: number | null;
  dismissedAt: number | null;
  /** Variant of the earliest browser event that carried one, and that event's instant. */
  variant: string | null;
  variantAt: number | null;
}

export interface EventSummary {
  /** Sorted by account id (stores lock rows in this order). */
  accounts: AccountDelta[];
  /** Sorted by account id, then offer id. */
  offers: OfferDelta[];
}

const minOf = (a: number | null, b: number): number => (a === null || b < a ? b : a);

/**
 * Folds newly stored events (duplicates already removed) into state deltas.
 * @example summarizeEvents([{ type: 'paid', accountId: 'a1', at: 5, ... }]).accounts[0].paid // [5]
 */
export function summarizeEvents(events: readonly StoredEvent[]): EventSummary {
  const accounts = new Map<string, AccountDelta>();
  const offers = new Map<string, OfferDelta>();
  const account = (id: string): AccountDelta => {
    let a = accounts.get(id);
    if (!a) {
      a = { accountId: id, trialAt: null, paid: [], canceled: [], usage: [] };
      accounts.set(id, a);
    }
    return a;
  };
  const offer = (accountId: string, offerId: string): OfferDelta => {
    const key = `${accountId}\u0000${offerId}`;
    let o = offers.get(key);
    if (!o) {
      o = { accountId, offerId, exposedAt: null, clickedAt: null, dismissedAt: null, variant: null, variantAt: null };
      offers.set(key, o);
    }
    return o;
  };
  for (const e of events) {
    switch (e.type) {
      case 'trial_start':
      case 'trial_started': {
        const a = account(e.accountId);
        a.trialAt = minOf(a.trialAt, e.at);
        break;
      }
      case 'paid':
        account(e.accountId).paid.push(e.at);
        break;
      case 'canceled':
        account(e.accountId).canceled.push(e.at);
        break;
      case 'usage':
        // A usage report without a quantity is one unit of use.
        account(e.accountId).usage.push({ at: e.at, quantity: e.quantity ?? 1 });
        break;
      case 'exposure':
      case 'click':
      case 'dismiss': {
        if (e.offerId === null) break;
        const o = offer(e.accountId, e.offerId);
        if (e.type === 'exposure') o.exposedAt = minOf(o.exposedAt, e.at);
        else if (e.type === 'click') o.clickedAt = minOf(o.clickedAt, e.at);
        else o.dismissedAt = minOf(o.dismissedAt, e.at);
        if (e.variant !== null && isEarlierVariant(e.at, e.variant, o.variantAt, o.variant)) {
          o.variant = e.variant;
          o.variantAt = e.at;
        }
        break;
      }
    }
  }
  for (const a of accounts.values()) {
    a.paid.sort(byNumber);
    a.canceled.sort(byNumber);
    a.usage.sort(byUsage);
  }
  return {
    accounts: [...accounts.values()].sort((x, y) => compareText(x.accountId, y.accountId)),
    offers: [...offers.values()].sort(
      (x, y) => compareText(x.accountId, y.accountId) || compareText(x.offerId, y.offerId),
    ),
  };
}

/** Earliest instant wins; equal instants fall back to the smaller variant key so the result is order-free. */
export function isEarlierVariant(at: number, variant: string, bestAt: number | null, best: string | null): boolean {
  return bestAt === null || best === null || at < bestAt || (at === bestAt && variant < best);
}

export const byNumber = (a: number, b: number): number => a - b;
export const byUsage = (a: { at: number; quantity: number }, b: { at: number; quantity: number }): number =>
  a.at - b.at || a.quantity - b.quantity;
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Merges two ascending lists into one ascending list. */
export function mergeSorted<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(cmp(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Packs numbers as `1,2,3` (null for none): compact to store, fast to read back. */
export function packNumbers(values: readonly number[]): string | null {
  return values.length === 0 ? null : values.join(',');
}

export function unpackNumbers(packed: string | null | undefined): number[] {
  if (!packed) return [];
  const parts = packed.split(',');
  const out = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
  return out;
}

/** Rebuilds the usage list from its two packed columns (instants, quantities). */
export function unpackUsage(
  packedAt: string | null | undefined,
  packedQuantity: string | null | undefined,
): { at: number; quantity: number }[] {
  const at = unpackNumbers(packedAt);
  const quantity = unpackNumbers(packedQuantity);
  return at.map((t, i) => ({ at: t, quantity: quantity[i] ?? 0 }));
}

/**
 * Whether an account has product two at `now`: a trial started at or before
 * `now`, or a `paid` at or before `now` with no `canceled` after it (and at or
 * before `now`). Lists ascending.
 * @example isAttachedAt({ trialAt: null, paidAt: [10], canceledAt: [20] }, 15) // true
 */
export function isAttachedAt(
  facts: { trialAt: number | null; paidAt: readonly number[]; canceledAt: readonly number[] },
  now: number,
): boolean {
  if (facts.trialAt !== null && facts.trialAt <= now) return true;
  let lastPaid: number | null = null;
  for (const p of facts.paidAt) {
    if (p > now) break;
    lastPaid = p;
  }
  if (lastPaid === null) return false;
  const paid = lastPaid;
  return !facts.canceledAt.some((c) => c > paid && c <= now);
}

/** Parses an ISO instant to epoch ms, naming the field when it is not one. */
export function parseInstant(value: string, field: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new TypeError(`${field} must be an ISO 8601 instant, got ${JSON.stringify(value)}`);
  return ms;
}
