import type { Account, OfferDefinition, Product } from '@tandem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Assignment, RecentHistory } from '../store/types.ts';
import { type DecisionInput, decide } from './decide.ts';
import { decideOffers } from './decide-offers.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 30, 12);
const ago = (days: number): string => new Date(NOW - days * DAY).toISOString();

const PRODUCTS: Product[] = [
  { id: 'ledger', name: 'Ledger', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
  { id: 'insights', name: 'Insights', listPrice: { amount: 29, currency: 'USD', interval: 'month' } },
  { id: 'yearly', name: 'Yearly', listPrice: { amount: 290, currency: 'USD', interval: 'year' } },
];
const PLACEMENTS = ['home', 'banner', 'side'];
const OFFER_IDS = ['a', 'b', 'c', 'd', 'e'];
const USERS = ['u1', 'u2'];
const instant = fc.oneof(
  fc.integer({ min: -400, max: 400 }).map(ago),
  fc.constantFrom('not a date', ''),
);

/** Mostly undefined (the rule is unset), so that a fair share of random offers is eligible. */
const rarely = <T,>(arb: fc.Arbitrary<T>, weight = 3): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight }, { arbitrary: arb, weight: 1 });

const offerArb: fc.Arbitrary<OfferDefinition> = fc.record(
  {
    id: fc.constantFrom(...OFFER_IDS),
    name: fc.constant('Offer'),
    status: fc.oneof({ arbitrary: fc.constant('published' as const), weight: 8 }, { arbitrary: fc.constantFrom('draft', 'archived'), weight: 1 }),
    kind: fc.constantFrom('trial', 'bundle', 'upgrade'),
    placement: fc.constantFrom(...PLACEMENTS),
    display: fc.constantFrom('inline', 'banner'),
    priority: fc.integer({ min: 0, max: 3 }),
    productId: fc.oneof({ arbitrary: fc.constant('insights'), weight: 10 }, { arbitrary: fc.constant('missing'), weight: 1 }),
    content: fc.constant({ headline: 'H', body: 'B', cta: 'C' }),
    trialDays: fc.option(fc.constantFrom(14, 30), { nil: undefined }),
    bundle: fc.option(
      fc.record({
        productIds: fc.oneof(
          { arbitrary: fc.constant(['ledger', 'insights']), weight: 8 },
          { arbitrary: fc.constantFrom(['ledger', 'yearly'], ['ledger', 'missing']), weight: 1 },
        ),
        discountPercent: fc.oneof({ arbitrary: fc.constantFrom(0, 10, 20), weight: 8 }, { arbitrary: fc.constant(120), weight: 1 }),
      }),
      { nil: undefined },
    ),
    action: fc.constant({ type: 'callback' as const }),
    variants: fc.option(
      fc.array(
        fc.record({
          key: fc.constantFrom('v1', 'v2', 'v3'),
          weight: fc.option(fc.constantFrom(0, 1, 3), { nil: undefined }),
          content: fc.option(fc.constant({ headline: 'Variant' }), { nil: undefined }),
          discountPercent: rarely(fc.constantFrom(5, 150)),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      { nil: undefined },
    ),
    holdout: fc.constantFrom(0, 0.2, 0.5, 1),
    caps: fc.option(
      fc.record({
        exposures: fc.option(
          fc.record({ maxExposures: fc.integer({ min: 0, max: 3 }), days: fc.integer({ min: 1, max: 30 }), scope: fc.constantFrom('user', 'account') }),
          { nil: undefined },
        ),
        dismiss: fc.option(fc.record({ days: fc.integer({ min: 1, max: 30 }), scope: fc.constantFrom('user', 'account') }), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    rules: fc.record({
      activationDays: rarely(fc.record({ min: fc.integer({ min: 0, max: 200 }), max: fc.integer({ min: 0, max: 400 }) }, { requiredKeys: [] })),
      requireCoreValue: rarely(fc.boolean()),
      plans: rarely(fc.constantFrom([], ['pro'], ['pro', 'business'])),
      arr: rarely(fc.record({ min: fc.integer({ min: 0, max: 30000 }), max: fc.integer({ min: 0, max: 60000 }) }, { requiredKeys: [] })),
      regions: rarely(fc.constantFrom([], ['na'], ['emea', 'na'])),
      channels: rarely(fc.constantFrom(['direct'], ['partner-acme'])),
      readiness: rarely(fc.array(fc.record({ feature: fc.constantFrom('reports', 'invoices'), min: fc.integer({ min: 0, max: 20 }) }), { maxLength: 2 })),
      minDaysToRenewal: rarely(fc.integer({ min: 0, max: 90 })),
      excludePastDue: rarely(fc.boolean()),
      excludeSalesOwned: rarely(fc.boolean()),
      excludeAttached: rarely(fc.boolean()),
    }),
    schedule: rarely(fc.record({ startAt: fc.option(instant, { nil: null }), endAt: fc.option(instant, { nil: null }) }, { requiredKeys: [] })),
  },
  { requiredKeys: ['id', 'name', 'status', 'kind', 'placement', 'display', 'priority', 'productId', 'content', 'action', 'holdout', 'rules'] },
) as fc.Arbitrary<OfferDefinition>;

const accountArb: fc.Arbitrary<Account> = fc.record(
  {
    id: fc.constantFrom('acct-1', 'acct-2', 'acct-77'),
    activatedAt: fc.oneof({ arbitrary: fc.integer({ min: 60, max: 120 }).map(ago), weight: 6 }, { arbitrary: instant, weight: 1 }),
    plan: fc.constantFrom('starter', 'pro', 'business'),
    arr: fc.integer({ min: 0, max: 60000 }),
    coreValueAt: fc.option(fc.oneof(fc.integer({ min: 0, max: 60 }).map(ago), instant, fc.constant(new Date(NOW + DAY).toISOString())), { nil: null }),
    renewalAt: fc.option(fc.oneof(fc.integer({ min: -30, max: 365 }).map((d) => new Date(NOW + d * DAY).toISOString()), fc.constant('soon')), { nil: null }),
    region: fc.constantFrom('na', 'emea'),
    channel: fc.constantFrom('direct', 'partner-acme'),
    pastDue: rarely(fc.boolean()),
    salesOwned: rarely(fc.boolean()),
    usage: fc.record({ reports: fc.integer({ min: 0, max: 30 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['id', 'activatedAt'] },
);

const eventArb = fc.record({
  offerId: fc.constantFrom(...OFFER_IDS),
  userId: fc.option(fc.constantFrom(...USERS), { nil: null }),
  at: fc.oneof(fc.integer({ min: NOW - 40 * DAY, max: NOW }), fc.integer({ min: NOW - DAY, max: NOW + DAY })),
});

const inputArb: fc.Arbitrary<DecisionInput> = fc
  .record({
    account: accountArb,
    userId: fc.option(fc.constantFrom(...USERS), { nil: null }),
    placements: fc.array(fc.constantFrom(...PLACEMENTS), { minLength: 1, maxLength: 4 }),
    offers: fc.array(offerArb, { maxLength: 6 }),
    attached: rarely(fc.boolean()).map((b) => b === true),
    exposures: fc.array(eventArb, { maxLength: 6 }),
    dismissals: fc.array(eventArb, { maxLength: 2 }),
    assignments: fc.array(
      fc.record({
        accountId: fc.constantFrom('acct-1', 'acct-2'),
        offerId: fc.constantFrom(...OFFER_IDS),
        arm: fc.constantFrom('treatment', 'control'),
        variant: fc.option(fc.constantFrom('v1', 'v2', 'gone'), { nil: null }),
        assignedAt: fc.constant(NOW - DAY),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ exposures, dismissals, assignments, ...rest }) => ({
    ...rest,
    now: NOW,
    products: PRODUCTS,
    history: { exposures, dismissals } satisfies RecentHistory,
    assignments: assignments as Assignment[],
  }));

describe('decideOffers (the fast path of POST /v1/decide)', () => {
  it('answers exactly what decide answers (offers and new assignments) on random accounts, offers, history and assignments', () => {
    let shown = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        const full = decide(input);
        if (full.offers.length > 0) shown++;
        // Twice: the second call reads the per-offer facts cached by the first.
        expect(decideOffers(input)).toEqual({ offers: full.offers, newAssignments: full.newAssignments });
        expect(decideOffers(input)).toEqual({ offers: full.offers, newAssignments: full.newAssignments });
      }),
      { numRuns: 3000 },
    );
    // The generators are tuned so that a fair share of inputs shows an offer.
    expect(shown).toBeGreaterThan(150);
  });

  it('re-renders an offer when the configured products change (no stale bundle quote)', () => {
    const input = fc.sample(inputArb, 1)[0]!;
    const offer: OfferDefinition = {
      id: 'bundle',
      name: 'Bundle',
      status: 'published',
      kind: 'bundle',
      placement: 'home',
      display: 'inline',
      priority: 1,
      productId: 'insights',
      content: { headline: 'H', body: 'B', cta: 'C' },
      bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 },
      action: { type: 'callback' },
      holdout: 0,
      rules: { activationDays: {} },
    };
    const base: DecisionInput = { ...input, account: { id: 'acct-1', activatedAt: ago(90) }, placements: ['home'], offers: [offer], attached: false, assignments: [], history: { exposures: [], dismissals: [] } };
    expect(decideOffers(base).offers[0]?.quote?.price).toBe(62.4);
    const cheaper = PRODUCTS.map((p) => (p.id === 'ledger' ? { ...p, listPrice: { ...p.listPrice, amount: 21 } } : p));
    expect(decideOffers({ ...base, products: cheaper }).offers[0]?.quote?.price).toBe(40);
  });
});
