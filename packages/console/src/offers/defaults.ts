import type { OfferDefinition, Product } from '@tandem/core';

/** DESIGN's defaults: 60–120 days after activation, 3 exposures per user per 7 days, 14-day dismiss cooldown, 20% holdout. */
export const DEFAULT_RULES = {
  activationDays: { min: 60, max: 120 },
  requireCoreValue: true,
  excludePastDue: true,
  excludeSalesOwned: true,
  excludeAttached: true,
} as const;

/**
 * A fresh draft trial offer for the first "second" product.
 * @example newOffer(products).kind // 'trial'
 */
export function newOffer(products: readonly Product[]): OfferDefinition {
  const primary = products[0];
  const second = products.find((p) => (p as Product & { role?: string }).role === 'second') ?? products[1] ?? primary;
  return {
    id: '',
    name: '',
    status: 'draft',
    kind: 'trial',
    placement: 'dashboard',
    display: 'inline',
    priority: 0,
    productId: second?.id ?? '',
    content: {
      headline: second ? `Try ${second.name} free for 14 days` : 'Try it free for 14 days',
      body: 'Everything you track here, with the reports your team asked for.',
      cta: 'Start free trial',
    },
    trialDays: 14,
    action: { type: 'callback' },
    holdout: 0.2,
    caps: {
      exposures: { maxExposures: 3, days: 7, scope: 'user' },
      dismiss: { days: 14, scope: 'account' },
    },
    rules: {
      activationDays: { ...DEFAULT_RULES.activationDays },
      requireCoreValue: true,
      excludePastDue: true,
      excludeSalesOwned: true,
      excludeAttached: true,
    },
    schedule: { startAt: null, endAt: null },
  };
}

/**
 * Product ids a bundle of `productId` includes by default: product one plus the offered product.
 * @example defaultBundle(products, 'insights') // { productIds: ['ledger', 'insights'], discountPercent: 20 }
 */
export function defaultBundle(products: readonly Product[], productId: string): { productIds: string[]; discountPercent: number } {
  const first = products[0]?.id;
  const ids = first && first !== productId ? [first, productId] : [productId];
  return { productIds: ids.filter(Boolean), discountPercent: 20 };
}

/** Suggests an offer id from its name: lower-case, dashes, at most 48 characters. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}
