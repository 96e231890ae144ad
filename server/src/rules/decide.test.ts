import { type Account, assignArm, fnv1a32, type OfferDefinition, type Product } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import vectors from '../../../packages/core/test-data/assignment.json' with { type: 'json' };
import type { Assignment, RecentHistory } from '../store/types.ts';
import { type DecisionInput, decide, explainAccount } from './decide.ts';
import { DEFAULT_RULES } from './defaults.ts';
import { pickVariant } from './variants.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 30, 12);
const activatedDaysAgo = (days: number): string => new Date(NOW - days * DAY).toISOString();

const PRODUCTS: Product[] = [
  { id: 'ledger', name: 'Ledger', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
  { id: 'insights', name: 'Insights', listPrice: { amount: 29, currency: 'USD', interval: 'month' } },
];

function offer(extra: Partial<OfferDefinition> = {}): OfferDefinition {
  return {
    id: 'o1',
    name: 'Insights trial',
    status: 'published',
    kind: 'trial',
    placement: 'home',
    display: 'inline',
    priority: 10,
    productId: 'insights',
    content: { headline: 'Try Insights', body: 'See where the money goes.', cta: 'Start trial' },
    trialDays: 14,
    action: { type: 'callback' },
    holdout: 0, // nobody held out unless a test says so
    rules: {},
    ...extra,
  };
}

const EMPTY: RecentHistory = { exposures: [], dismissals: [] };

function input(extra: Partial<DecisionInput> = {}, account: Partial<Account> = {}): DecisionInput {
  return {
    now: NOW,
    account: { id: 'acct-1', activatedAt: activatedDaysAgo(90), plan: 'pro', arr: 12000, region: 'eu', channel: 'direct', ...account },
    userId: 'u1',
    placements: ['home'],
    offers: [offer()],
    products: PRODUCTS,
    attached: false,
    history: EMPTY,
    assignments: [],
    ...extra,
  };
}

function outcome(i: DecisionInput): { outcome: string; rule?: string } {
  const d = decide(i).debug[0]!;
  return d.rule === undefined ? { outcome: d.outcome } : { outcome: d.outcome, rule: d.rule };
}
const shown = { outcome: 'shown' };
const excludedBy = (rule: string) => ({ outcome: 'excluded', rule });

describe('activation window', () => {
  it('defaults to 60–120 days inclusive: 59 out, 60 in, 120 in, 121 out', () => {
    expect(outcome(input({}, { activatedAt: activatedDaysAgo(59) }))).toEqual(excludedBy('activationWindow'));
    expect(outcome(input({}, { activatedAt: activatedDaysAgo(60) }))).toEqual(shown);
    expect(outcome(input({}, { activatedAt: activatedDaysAgo(120) }))).toEqual(shown);
    expect(outcome(input({}, { activatedAt: activatedDaysAgo(121) }))).toEqual(excludedBy('activationWindow'));
  });
  it('counts whole days, rounded down: one millisecond short of day 60 is still day 59', () => {
    const at = new Date(NOW - 60 * DAY + 1).toISOString();
    expect(outcome(input({}, { activatedAt: at }))).toEqual(excludedBy('activationWindow'));
  });
  it('an offer-set window replaces the default; unset bounds are open', () => {
    const from30 = [offer({ rules: { activationDays: { min: 30 } } })];
    expect(outcome(input({ offers: from30 }, { activatedAt: activatedDaysAgo(30) }))).toEqual(shown);
    expect(outcome(input({ offers: from30 }, { activatedAt: activatedDaysAgo(500) }))).toEqual(shown);
    expect(outcome(input({ offers: from30 }, { activatedAt: activatedDaysAgo(29) }))).toEqual(excludedBy('activationWindow'));
  });
  it('says why in words', () => {
    expect(decide(input({}, { activatedAt: activatedDaysAgo(59) })).debug[0]!.reason).toBe('days since activation must be 60–120, is 59');
  });
});

describe('account rules, each in and out', () => {
  const cases: [string, Partial<OfferDefinition['rules']>, Partial<Account>, Partial<Account>][] = [
    ['coreValue', {}, { coreValueAt: new Date(NOW - DAY).toISOString() }, { coreValueAt: new Date(NOW + 1000).toISOString() }],
    ['plan', { plans: ['pro', 'team'] }, { plan: 'team' }, { plan: 'basic' }],
    ['arr', { arr: { min: 10000, max: 50000 } }, { arr: 50000 }, { arr: 9999 }],
    ['region', { regions: ['eu'] }, { region: 'eu' }, { region: 'us' }],
    ['channel', { channels: ['partner-a'] }, { channel: 'partner-a' }, { channel: 'direct' }],
    ['readiness', { readiness: [{ feature: 'reports', min: 5 }, { feature: 'exports', min: 1 }] }, { usage: { reports: 5, exports: 1 } }, { usage: { reports: 5 } }],
    ['daysToRenewal', { minDaysToRenewal: 30 }, { renewalAt: new Date(NOW + 30 * DAY).toISOString() }, { renewalAt: new Date(NOW + 29 * DAY).toISOString() }],
    ['pastDue', {}, { pastDue: false }, { pastDue: true }],
    ['salesOwned', {}, { salesOwned: false }, { salesOwned: true }],
  ];
  for (const [rule, rules, pass, fail] of cases) {
    it(`${rule}: passes with ${JSON.stringify(pass)}, excludes with ${JSON.stringify(fail)}`, () => {
      const offers = [offer({ rules })];
      expect(outcome(input({ offers }, pass))).toEqual(shown);
      expect(outcome(input({ offers }, fail))).toEqual(excludedBy(rule));
    });
  }
  it('an account without renewalAt passes the renewal rule; unknown plan fails a plan rule', () => {
    expect(outcome(input({ offers: [offer({ rules: { minDaysToRenewal: 30 } })] }))).toEqual(shown);
    expect(outcome(input({ offers: [offer({ rules: { plans: ['pro'] } })] }, { plan: undefined }))).toEqual(excludedBy('plan'));
  });
  it('already attached accounts are excluded by default, and can be allowed', () => {
    expect(outcome(input({ attached: true }))).toEqual(excludedBy('alreadyAttached'));
    expect(outcome(input({ attached: true, offers: [offer({ rules: { excludeAttached: false } })] }))).toEqual(shown);
  });
  it('past due, sales-owned and core value can be switched off', () => {
    const offers = [offer({ rules: { excludePastDue: false, excludeSalesOwned: false, requireCoreValue: false } })];
    expect(outcome(input({ offers }, { pastDue: true, salesOwned: true, coreValueAt: new Date(NOW + DAY).toISOString() }))).toEqual(shown);
  });
  it('an excluded account is not assigned', () => {
    expect(decide(input({}, { pastDue: true })).newAssignments).toEqual([]);
  });
});

describe('frequency caps and the dismiss cooldown', () => {
  const exposure = (userId: string | null, daysAgo: number, offerId = 'o1') => ({ offerId, userId, at: NOW - daysAgo * DAY });
  it('default: at most 3 exposures per user per 7 days', () => {
    const three = { exposures: [exposure('u1', 1), exposure('u1', 2), exposure('u1', 6.9)], dismissals: [] };
    expect(outcome(input({ history: three }))).toEqual(excludedBy('frequencyCap'));
    // Another seat of the same account is not capped by u1's exposures.
    expect(outcome(input({ history: three, userId: 'u2' }))).toEqual(shown);
    // An exposure exactly 7 days ago has left the window.
    const old = { exposures: [exposure('u1', 1), exposure('u1', 2), exposure('u1', 7)], dismissals: [] };
    expect(outcome(input({ history: old }))).toEqual(shown);
    // Exposures of other offers do not count.
    const other = { exposures: [exposure('u1', 1, 'o2'), exposure('u1', 2, 'o2'), exposure('u1', 3, 'o2')], dismissals: [] };
    expect(outcome(input({ history: other }))).toEqual(shown);
  });
  it('account scope counts every seat', () => {
    const offers = [offer({ caps: { exposures: { maxExposures: 2, days: 7, scope: 'account' } } })];
    const history = { exposures: [exposure('u2', 1), exposure('u3', 2)], dismissals: [] };
    expect(outcome(input({ offers, history }))).toEqual(excludedBy('frequencyCap'));
    const userScope = [offer({ caps: { exposures: { maxExposures: 2, days: 7, scope: 'user' } } })];
    expect(outcome(input({ offers: userScope, history }))).toEqual(shown);
  });
  it('default: a dismiss by any seat silences the account for 14 days', () => {
    const dismissed = (daysAgo: number) => ({ exposures: [], dismissals: [{ offerId: 'o1', userId: 'u9', at: NOW - daysAgo * DAY }] });
    expect(outcome(input({ history: dismissed(13.9) }))).toEqual(excludedBy('dismissCooldown'));
    expect(outcome(input({ history: dismissed(14) }))).toEqual(shown);
    const userScope = [offer({ caps: { dismiss: { days: 14, scope: 'user' } } })];
    expect(outcome(input({ offers: userScope, history: dismissed(1) }))).toEqual(shown);
    expect(outcome(input({ offers: userScope, history: dismissed(1), userId: 'u9' }))).toEqual(excludedBy('dismissCooldown'));
  });
  it('a capped top offer lets the next one in the placement show', () => {
    const offers = [offer(), offer({ id: 'o2', priority: 5 })];
    const history = { exposures: [exposure('u1', 1), exposure('u1', 2), exposure('u1', 3)], dismissals: [] };
    const out = decide(input({ offers, history }));
    expect(out.offers.map((o) => o.offerId)).toEqual(['o2']);
  });
});

describe('schedule and status', () => {
  it('only published offers within start (inclusive) and end (exclusive)', () => {
    const at = (ms: number) => new Date(ms).toISOString();
    expect(outcome(input({ offers: [offer({ status: 'draft' })] }))).toEqual(excludedBy('status'));
    expect(outcome(input({ offers: [offer({ schedule: { startAt: at(NOW) } })] }))).toEqual(shown);
    expect(outcome(input({ offers: [offer({ schedule: { startAt: at(NOW + 1) } })] }))).toEqual(excludedBy('schedule'));
    expect(outcome(input({ offers: [offer({ schedule: { endAt: at(NOW) } })] }))).toEqual(excludedBy('schedule'));
    expect(outcome(input({ offers: [offer({ schedule: { startAt: at(NOW - DAY), endAt: at(NOW + 1) } })] }))).toEqual(shown);
  });
});

describe('priority per placement', () => {
  it('highest priority wins, ties by offer id, one offer per placement', () => {
    const offers = [offer({ id: 'b', priority: 5 }), offer({ id: 'a', priority: 5 }), offer({ id: 'z', priority: 1 }), offer({ id: 's', placement: 'sidebar', priority: 0 })];
    const out = decide(input({ offers, placements: ['home', 'sidebar'] }));
    expect(out.offers.map((o) => [o.placement, o.offerId])).toEqual([
      ['home', 'a'],
      ['sidebar', 's'],
    ]);
    expect(out.debug.map((d) => [d.offerId, d.outcome])).toEqual([
      ['a', 'shown'],
      ['b', 'outranked'],
      ['z', 'outranked'],
      ['s', 'shown'],
    ]);
  });
  it('offers of placements not asked for are not considered', () => {
    const out = decide(input({ offers: [offer({ placement: 'sidebar' })] }));
    expect(out.debug).toEqual([]);
    expect(out.newAssignments).toEqual([]);
  });
});

describe('holdout assignment', () => {
  it('agrees with the shared hash vectors', () => {
    for (const c of vectors.cases) {
      const out = decide(input({ offers: [offer({ id: c.offerId, holdout: c.holdout })] }, { id: c.accountId }));
      expect(out.newAssignments).toHaveLength(1);
      expect(out.newAssignments[0]!.arm).toBe(c.arm);
      expect(fnv1a32(`${c.offerId}:${c.accountId}`)).toBe(c.hash);
    }
  });
  it('records the first eligibility with the arm, variant and instant', () => {
    const out = decide(input());
    expect(out.newAssignments).toEqual([{ accountId: 'acct-1', offerId: 'o1', arm: 'treatment', variant: null, assignedAt: NOW }]);
    expect(decide(input({ assignments: out.newAssignments })).newAssignments).toEqual([]);
  });
  it('control accounts get nothing but are assigned (intent to treat), and the placement stays empty', () => {
    // Find an account in control for o1 at 50%.
    const id = Array.from({ length: 100 }, (_, i) => `acct-${i}`).find((a) => assignArm('top', a, 0.5) === 'control')!;
    const offers = [offer({ id: 'top', holdout: 0.5 }), offer({ id: 'lower', priority: 1 })];
    const out = decide(input({ offers }, { id }));
    expect(out.offers).toEqual([]);
    expect(out.debug.map((d) => [d.offerId, d.outcome])).toEqual([
      ['top', 'control'],
      ['lower', 'outranked'],
    ]);
    expect(out.newAssignments.map((a) => [a.offerId, a.arm])).toEqual([
      ['top', 'control'],
      ['lower', 'treatment'],
    ]);
  });
  it('never changes: a recorded arm wins even after the holdout share changed', () => {
    const id = Array.from({ length: 100 }, (_, i) => `acct-${i}`).find((a) => assignArm('o1', a, 0.2) === 'treatment' && assignArm('o1', a, 0.9) === 'control')!;
    const first = decide(input({ offers: [offer({ holdout: 0.2 })] }, { id }));
    expect(first.newAssignments[0]!.arm).toBe('treatment');
    const later = decide(input({ offers: [offer({ holdout: 0.9 })], assignments: first.newAssignments }, { id }));
    expect(later.newAssignments).toEqual([]);
    expect(later.offers.map((o) => o.offerId)).toEqual(['o1']);
    const recordedControl: Assignment[] = [{ accountId: id, offerId: 'o1', arm: 'control', variant: null, assignedAt: NOW - DAY }];
    expect(decide(input({ offers: [offer({ holdout: 0 })], assignments: recordedControl }, { id })).offers).toEqual([]);
  });
});

describe('variants', () => {
  it('pick is deterministic and roughly follows the weights over 10k accounts', () => {
    const variants = [{ key: 'a', weight: 1 }, { key: 'b', weight: 3 }, { key: 'c' }, { key: 'off', weight: 0 }];
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const v = pickVariant('o1', `acct-${i}`, variants)!;
      expect(pickVariant('o1', `acct-${i}`, variants)!.key).toBe(v.key);
      counts[v.key] = (counts[v.key] ?? 0) + 1;
    }
    // Expected 2000 / 6000 / 2000; ±4 standard deviations (≈ 160, 196, 160).
    expect(Math.abs(counts.a! - 2000)).toBeLessThan(160);
    expect(Math.abs(counts.b! - 6000)).toBeLessThan(196);
    expect(Math.abs(counts.c! - 2000)).toBeLessThan(160);
    expect(counts.off).toBeUndefined();
  });
  it('the chosen variant overrides content and discount, and is recorded', () => {
    const bundle = offer({
      kind: 'bundle',
      bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 },
      variants: [{ key: 'deep', content: { headline: 'Save big' }, discountPercent: 30 }],
    });
    const out = decide(input({ offers: [bundle] }));
    const o = out.offers[0]!;
    expect(o.variant).toBe('deep');
    expect(o.content).toEqual({ headline: 'Save big', body: 'See where the money goes.', cta: 'Start trial' });
    expect(o.quote).toEqual({ currency: 'USD', interval: 'month', referencePrice: 78, price: 54.6, savingPercent: 30 });
    expect(out.newAssignments[0]!.variant).toBe('deep');
  });
});

describe('the decided offer', () => {
  it('carries product name, trial days, action; bundles quote list prices with the bundle discount', () => {
    const t = decide(input()).offers[0]!;
    expect(t).toEqual({
      offerId: 'o1',
      placement: 'home',
      kind: 'trial',
      display: 'inline',
      variant: null,
      content: { headline: 'Try Insights', body: 'See where the money goes.', cta: 'Start trial' },
      productId: 'insights',
      productName: 'Insights',
      trialDays: 14,
      action: { type: 'callback' },
    });
    const b = decide(input({ offers: [offer({ kind: 'bundle', bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 } })] })).offers[0]!;
    expect(b.quote).toEqual({ currency: 'USD', interval: 'month', referencePrice: 78, price: 62.4, savingPercent: 20 });
  });
  it('an offer naming an unconfigured product is excluded, not thrown, and not assigned', () => {
    const out = decide(input({ offers: [offer({ productId: 'nope' })] }));
    expect(out.debug[0]).toMatchObject({ outcome: 'excluded', rule: 'offerConfig', reason: 'product "nope" is not configured' });
    expect(out.newAssignments).toEqual([]);
  });
});

describe('explainAccount', () => {
  it('lists every rule with its verdict, not only the first failure', () => {
    const offers = [offer({ rules: { plans: ['team'], regions: ['us'] } })];
    const e = explainAccount(input({ offers }, { activatedAt: activatedDaysAgo(10) })).offers[0]!;
    expect(e.outcome).toBe('excluded');
    expect(e.rule).toBe('activationWindow');
    expect(e.checks.filter((c) => !c.pass).map((c) => c.rule)).toEqual(['activationWindow', 'plan', 'region']);
    expect(e.checks.filter((c) => c.pass).map((c) => c.rule)).toEqual(['status', 'schedule', 'offerConfig', 'pastDue', 'salesOwned', 'alreadyAttached']);
  });
  it('documents the defaults', () => {
    expect(DEFAULT_RULES.activationDays).toEqual({ min: 60, max: 120 });
    expect(DEFAULT_RULES.exposureCap).toEqual({ maxExposures: 3, days: 7, scope: 'user' });
    expect(DEFAULT_RULES.dismissCooldown).toEqual({ days: 14, scope: 'account' });
  });
});
