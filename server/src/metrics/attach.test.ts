import { describe, expect, it } from 'vitest';
import type { AccountFacts, OfferFacts } from '../store/types.ts';
import { attachReport, median, utcMonthIndex } from './attach.ts';
import { firstAttachAt, isAttachedAt, isPaidAt } from './attachment.ts';
import { attachCsv, csvField } from './csv.ts';
import { funnelReport } from './funnel.ts';
import { liftReport } from './lift.ts';
import { MetricsInputError } from './options.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1); // 2026-01-01
const day = (n: number): number => T0 + n * DAY;

function account(id: string, activatedDay: number, extra: Partial<AccountFacts> = {}): AccountFacts {
  return {
    id,
    activatedAt: day(activatedDay),
    arr: 1000,
    plan: 'pro',
    region: 'eu',
    channel: 'direct',
    trialAt: null,
    paidAt: [],
    canceledAt: [],
    usage: [],
    offers: [],
    ...extra,
  };
}

function offer(offerId: string, extra: Partial<OfferFacts> = {}): OfferFacts {
  return { offerId, arm: 'treatment', variant: null, assignedAt: day(0), exposedAt: null, clickedAt: null, dismissedAt: null, ...extra };
}

const base = { definition: 'paid', denominator: 'all', weight: 'logo' } as const;

describe('definitions at an instant', () => {
  it('paid: a cancel before asOf ends it, a cancel after asOf does not count yet', () => {
    const f = account('a', 0, { paidAt: [day(10)], canceledAt: [day(20)] });
    expect(isPaidAt(f, day(9))).toBe(false);
    expect(isPaidAt(f, day(15))).toBe(true);
    expect(isPaidAt(f, day(20))).toBe(false);
    expect(isPaidAt(f, day(20) - 1)).toBe(true);
    expect(firstAttachAt(f, 'paid', day(30))).toBe(day(10));
  });
  it('paid: a paid at the same instant as a cancel stays paid, a later paid re-attaches', () => {
    expect(isPaidAt(account('a', 0, { paidAt: [day(5)], canceledAt: [day(5)] }), day(6))).toBe(true);
    const f = account('a', 0, { paidAt: [day(5), day(30)], canceledAt: [day(10)] });
    expect(isPaidAt(f, day(20))).toBe(false);
    expect(isPaidAt(f, day(30))).toBe(true);
  });
  it('active: usage exactly 30 days before asOf is outside the window, 1 ms later is inside', () => {
    const f = account('a', 0, { paidAt: [day(1)], usage: [{ at: day(10), quantity: 1 }] });
    expect(isAttachedAt(f, 'active', day(40))).toBe(false);
    expect(isAttachedAt(f, 'active', day(40) - 1)).toBe(true);
    expect(isAttachedAt(f, 'active', day(10))).toBe(true);
  });
  it('active: the threshold sums the window', () => {
    const f = account('a', 0, { paidAt: [day(1)], usage: [{ at: day(10), quantity: 2 }, { at: day(20), quantity: 3 }] });
    expect(isAttachedAt(f, 'active', day(25), 5)).toBe(true);
    expect(isAttachedAt(f, 'active', day(45), 5)).toBe(false); // day 10 left the window
  });
  it('active first attach is the earliest paid-and-using instant, found among paid and usage instants', () => {
    // Usage on day 2 and paid on day 5: active from day 5 (usage still in window).
    expect(firstAttachAt(account('a', 0, { paidAt: [day(5)], usage: [{ at: day(2), quantity: 1 }] }), 'active', Infinity)).toBe(day(5));
    // Paid on day 5, canceled day 6, paid again day 50; usage day 7 and day 60: first active at day 60
    // (day 7 usage is out of the window at day 50, and the account was not paying on day 7).
    const f = account('a', 0, { paidAt: [day(5), day(50)], canceledAt: [day(6)], usage: [{ at: day(7), quantity: 1 }, { at: day(60), quantity: 1 }] });
    expect(firstAttachAt(f, 'active', Infinity)).toBe(day(60));
    expect(firstAttachAt(f, 'active', day(59))).toBeNaN();
    // Usage day 30 and paid again day 50 (within 30 days of the usage): active at day 50.
    const g = account('a', 0, { paidAt: [day(5), day(50)], canceledAt: [day(6)], usage: [{ at: day(30), quantity: 1 }] });
    expect(firstAttachAt(g, 'active', Infinity)).toBe(day(50));
  });
  it('trial: the trial start, at or before the limit', () => {
    const f = account('a', 0, { trialAt: day(3) });
    expect(firstAttachAt(f, 'trial', day(3))).toBe(day(3));
    expect(firstAttachAt(f, 'trial', day(2))).toBeNaN();
  });
});

describe('attach report', () => {
  it('an account younger than d is left out of point d, not counted as unattached', () => {
    // asOf = day 100. a: activated day 0 (100 days old), paid day 50. b: activated day 40 (60 days old), never paid.
    // c: activated day 45 (55 days old), paid day 50.
    const facts = [account('a', 0, { paidAt: [day(50)] }), account('b', 40), account('c', 45, { paidAt: [day(50)] })];
    const r = attachReport(facts, { ...base, asOf: day(100), cohortDays: [30, 60, 90] });
    expect(r.overall).toEqual({ attached: 2, base: 3, rate: 2 / 3 });
    expect(r.cohorts).toHaveLength(2);
    const jan = r.cohorts[0]!;
    expect(jan.cohort).toBe('2026-01');
    expect(jan.base).toBe(1);
    // a: first attach at day 50 > 30 → not within 30; within 60 and 90.
    expect(jan.points).toEqual([
      { day: 30, base: 1, attached: 0, rate: 0 },
      { day: 60, base: 1, attached: 1, rate: 1 },
      { day: 90, base: 1, attached: 1, rate: 1 },
    ]);
    const feb = r.cohorts[1]!;
    expect(feb.cohort).toBe('2026-02'); // day 40 and 45 are 2026-02-10 and 02-15
    expect(feb.base).toBe(2);
    // Point 30: b (60 d) and c (55 d) both old enough; c attached 5 days after activation.
    // Point 60: only b is old enough (c is 55 days old): b not attached → 0/1.
    // Point 90: nobody old enough → omitted.
    expect(feb.points).toEqual([
      { day: 30, base: 2, attached: 1, rate: 0.5 },
      { day: 60, base: 1, attached: 0, rate: 0 },
    ]);
  });

  it('time to attach: median over attached accounts, within-90 share over accounts ≥ 90 days old', () => {
    const facts = [
      account('a', 0, { trialAt: day(10) }),
      account('b', 0, { trialAt: day(100) }),
      account('c', 0),
      account('d', 30, { trialAt: day(31) }),
      account('e', 100, { trialAt: day(101) }), // 50 days old at asOf: not in within90
    ];
    const r = attachReport(facts, { ...base, definition: 'trial', asOf: day(150) });
    // days to attach: 10, 100, 1, 1 → sorted 1, 1, 10, 100 → median 5.5
    expect(r.timeToAttach.medianDays).toBe(5.5);
    // ≥ 90 days old: a, b, c, d (d is 120 days old). Within 90: a, d → 2/4.
    expect(r.timeToAttach.within90Days).toBe(0.5);
  });

  it('ARR weighting sums arr in place of counts', () => {
    const facts = [
      account('a', 0, { arr: 9000, paidAt: [day(10)] }),
      account('b', 0, { arr: 1000 }),
      account('c', 0, { arr: 0, paidAt: [day(10)] }),
    ];
    const r = attachReport(facts, { ...base, weight: 'arr', asOf: day(50), cohortDays: [30] });
    expect(r.overall).toEqual({ attached: 9000, base: 10_000, rate: 0.9 });
    expect(r.cohorts[0]!.points[0]).toEqual({ day: 30, base: 10_000, attached: 9000, rate: 0.9 });
    const logo = attachReport(facts, { ...base, asOf: day(50) });
    expect(logo.overall.rate).toBe(2 / 3);
  });

  it('exposed denominator: any exposure at or before asOf, or to the given offer', () => {
    const facts = [
      account('a', 0, { paidAt: [day(10)], offers: [offer('o1', { exposedAt: day(5) })] }),
      account('b', 0, { offers: [offer('o2', { exposedAt: day(6) })] }),
      account('c', 0, { paidAt: [day(10)], offers: [offer('o1', { exposedAt: day(60) })] }), // exposed after asOf
      account('d', 0, { paidAt: [day(10)] }),
    ];
    const any = attachReport(facts, { ...base, denominator: 'exposed', asOf: day(50) });
    expect(any.overall).toEqual({ attached: 1, base: 2, rate: 0.5 });
    const o1 = attachReport(facts, { ...base, denominator: 'exposed', asOf: day(50), offerId: 'o1' });
    expect(o1.overall).toEqual({ attached: 1, base: 1, rate: 1 });
    const all = attachReport(facts, { ...base, asOf: day(50) });
    expect(all.overall).toEqual({ attached: 3, base: 4, rate: 0.75 });
  });

  it('asOf: accounts activated later and events after asOf do not count', () => {
    const facts = [account('a', 0, { paidAt: [day(60)] }), account('b', 70, { paidAt: [day(71)] })];
    const r = attachReport(facts, { ...base, asOf: day(50) });
    expect(r.overall).toEqual({ attached: 0, base: 1, rate: 0 });
    expect(r.timeToAttach.medianDays).toBeNull();
  });

  it('a cancellation before asOf detaches the account now but its first attach still counts in the cohort', () => {
    const facts = [account('a', 0, { paidAt: [day(10)], canceledAt: [day(20)] })];
    const r = attachReport(facts, { ...base, asOf: day(40), cohortDays: [30] });
    expect(r.overall.attached).toBe(0);
    expect(r.cohorts[0]!.points[0]!.attached).toBe(1);
    const before = attachReport(facts, { ...base, asOf: day(15), cohortDays: [30] });
    expect(before.overall.attached).toBe(1);
  });

  it('breakdowns by plan, offer and variant', () => {
    const facts = [
      account('a', 0, { plan: 'pro', paidAt: [day(10)], offers: [offer('o1', { variant: 'v1' })] }),
      account('b', 0, { plan: 'basic', offers: [offer('o1', { variant: 'v2' }), offer('o2')] }),
      account('c', 0, { plan: null, paidAt: [day(10)], offers: [offer('o1', { arm: 'control' }), offer('o3', { assignedAt: day(90) })] }),
    ];
    const plan = attachReport(facts, { ...base, asOf: day(50), by: 'plan' });
    expect(plan.breakdown).toEqual([
      { key: 'basic', attached: 0, base: 1, rate: 0 },
      { key: 'pro', attached: 1, base: 1, rate: 1 },
      { key: null, attached: 1, base: 1, rate: 1 },
    ]);
    const byOffer = attachReport(facts, { ...base, asOf: day(50), by: 'offer' });
    expect(byOffer.breakdown.map((b) => [b.key, b.attached, b.base])).toEqual([
      ['o1', 2, 3],
      ['o2', 0, 1],
    ]); // o3 assigned after asOf
    const variant = attachReport(facts, { ...base, asOf: day(50), by: 'variant', offerId: 'o1' });
    expect(variant.breakdown).toEqual([
      { key: 'v1', offerId: 'o1', arm: 'treatment', attached: 1, base: 1, rate: 1 },
      { key: 'v2', offerId: 'o1', arm: 'treatment', attached: 0, base: 1, rate: 0 },
      { key: null, offerId: 'o1', arm: 'control', attached: 1, base: 1, rate: 1 },
    ]);
  });

  it('benchmarks place the overall rate and cohort points against the published bands', () => {
    const facts = Array.from({ length: 10 }, (_, i) => account(`a${i}`, 0, i < 3 ? { paidAt: [day(100)] } : {}));
    const r = attachReport(facts, { ...base, asOf: day(400) });
    expect(r.benchmarks.source).toBe('KeyBanc SaaS survey, via industry reporting');
    expect(r.benchmarks.overall).toEqual({ rate: 0.3, standing: { year1: 'aboveMedian', year3: 'belowMedian' } });
    expect(r.benchmarks.cohorts[0]!.checks).toEqual([
      { benchmark: 'month6', day: 180, rate: 0.3, meets: true },
      { benchmark: 'year1', day: 365, rate: 0.3, standing: 'aboveMedian' },
    ]);
    expect(r.benchmarks.bands[0]).toMatchObject({ median: { low: 0.2, high: 0.25 }, topQuartile: { low: 0.35, high: 0.4 } });
  });

  it('refuses bad options with the field and the value received', () => {
    expect(() => attachReport([], { ...base, asOf: Number.NaN })).toThrow(MetricsInputError);
    expect(() => attachReport([], { ...base, definition: 'used' as never, asOf: 0 })).toThrow(
      '`definition` must be one of trial, paid, active, got "used"',
    );
    expect(() => attachReport([], { ...base, asOf: 0, cohortDays: [0] })).toThrow(/cohortDays/);
  });

  it('an empty base has no rate', () => {
    const r = attachReport([], { ...base, asOf: day(1) });
    expect(r.overall).toEqual({ attached: 0, base: 0, rate: null });
    expect(r.timeToAttach).toEqual({ medianDays: null, within90Days: null });
  });
});

describe('helpers', () => {
  it('UTC month index of boundary instants', () => {
    expect(utcMonthIndex(Date.UTC(2026, 0, 31, 23, 59, 59, 999))).toBe(2026 * 12);
    expect(utcMonthIndex(Date.UTC(2026, 1, 1))).toBe(2026 * 12 + 1);
    expect(utcMonthIndex(Date.UTC(2024, 1, 29))).toBe(2024 * 12 + 1);
    expect(utcMonthIndex(Date.UTC(1969, 11, 31))).toBe(1969 * 12 + 11);
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2031, 0, 1); t += 7 * DAY + 3_600_000) {
      const d = new Date(t);
      expect(utcMonthIndex(t)).toBe(d.getUTCFullYear() * 12 + d.getUTCMonth());
    }
  });
  it('median of odd and even counts', () => {
    expect(median(Float64Array.from([5, 1, 3]), 3)).toBe(3);
    expect(median(Float64Array.from([4, 1, 3, 2]), 4)).toBe(2.5);
    expect(median(Float64Array.from([2, 2, 2, 9]), 4)).toBe(2);
    expect(median(new Float64Array(0), 0)).toBeNull();
  });
});

describe('funnel', () => {
  const facts = [
    account('a', 0, { trialAt: day(3), paidAt: [day(4)], usage: [{ at: day(5), quantity: 1 }], offers: [offer('o1', { exposedAt: day(1), clickedAt: day(2) })] }),
    account('b', 0, { trialAt: day(3), paidAt: [day(4)], offers: [offer('o1', { exposedAt: day(1), clickedAt: day(2) })] }),
    // Trial without a click: stops at exposed.
    account('c', 0, { trialAt: day(3), offers: [offer('o1', { exposedAt: day(1) })] }),
    account('d', 0, { offers: [offer('o1')] }),
    account('e', 0, { paidAt: [day(4)], offers: [offer('o1', { arm: 'control', exposedAt: null })] }),
    account('f', 0, { offers: [offer('o2', { exposedAt: day(1) })] }),
  ];
  it('counts treatment accounts that reached each stage and every stage before it', () => {
    const r = funnelReport(facts, { offerId: 'o1', asOf: day(10) });
    expect(r.stages).toEqual([
      { stage: 'assigned', accounts: 4 },
      { stage: 'exposed', accounts: 3 },
      { stage: 'clicked', accounts: 2 },
      { stage: 'trial', accounts: 2 },
      { stage: 'paid', accounts: 2 },
      { stage: 'active', accounts: 1 },
    ]);
  });
  it('is as of an instant, ends at the chosen definition, and lists every offer without offerId', () => {
    const early = funnelReport(facts, { offerId: 'o1', asOf: day(2) - 1, definition: 'trial' });
    expect(early.stages.map((s) => s.accounts)).toEqual([4, 3, 0, 0]);
    const all = funnelReport(facts, { asOf: day(10) });
    expect(Array.isArray(all) && all.map((f) => f.offerId)).toEqual(['o1', 'o2']);
  });
});

describe('holdout lift', () => {
  function arms(nT: number, xT: number, nC: number, xC: number): AccountFacts[] {
    const out: AccountFacts[] = [];
    for (let i = 0; i < nT; i++) out.push(account(`t${i}`, 0, { paidAt: i < xT ? [day(5)] : [], offers: [offer('o1')] }));
    for (let i = 0; i < nC; i++) out.push(account(`c${i}`, 0, { paidAt: i < xC ? [day(5)] : [], offers: [offer('o1', { arm: 'control' })] }));
    return out;
  }
  it('counts both arms, intent to treat, and matches DESIGN example figures', () => {
    const r = liftReport(arms(800, 240, 200, 40), { offerId: 'o1', definition: 'paid', asOf: day(10), holdout: 0.2 });
    expect(r.treatment).toEqual({ assigned: 800, attached: 240, rate: 0.3 });
    expect(r.control).toEqual({ assigned: 200, attached: 40, rate: 0.2 });
    expect(r.absoluteLift).toBeCloseTo(0.1, 15);
    expect(r.relativeLift).toBeCloseTo(0.5, 15);
    expect(r.pValue).toBeCloseTo(0.0048447, 6);
    expect(r.srm).toEqual({ expectedControlShare: 0.2, observedControlShare: 0.2, pValue: 1, mismatch: false });
    expect(r.ci95![0]).toBeLessThan(0.1);
    expect(r.ci95![1]).toBeGreaterThan(0.1);
  });
  it('Newcombe example (a) through the report: 56/70 vs 48/80 → 0.0524 to 0.3339', () => {
    const r = liftReport(arms(70, 56, 80, 48), { offerId: 'o1', definition: 'paid', asOf: day(10), holdout: 0.5 });
    expect(r.absoluteLift).toBeCloseTo(0.2, 12);
    expect(r.ci95![0]).toBeCloseTo(0.0524, 4);
    expect(r.ci95![1]).toBeCloseTo(0.3339, 4);
  });
  it('relative lift is null when the control rate is 0', () => {
    const r = liftReport(arms(10, 3, 5, 0), { offerId: 'o1', definition: 'paid', asOf: day(10), holdout: 0.2 });
    expect(r.control.rate).toBe(0);
    expect(r.absoluteLift).toBe(0.3);
    expect(r.relativeLift).toBeNull();
  });
  it('flags a 50/50 split for a 20% holdout', () => {
    const r = liftReport(arms(500, 50, 500, 50), { offerId: 'o1', definition: 'paid', asOf: day(10), holdout: 0.2 });
    expect(r.srm.observedControlShare).toBe(0.5);
    expect(r.srm.pValue).toBeLessThan(1e-100);
    expect(r.srm.mismatch).toBe(true);
  });
  it('only assignments at or before asOf count; an empty arm has no lift', () => {
    const facts = arms(3, 1, 0, 0);
    facts[0]!.offers[0]!.assignedAt = day(20);
    const r = liftReport(facts, { offerId: 'o1', definition: 'paid', asOf: day(10), holdout: 0.2 });
    expect(r.treatment.assigned).toBe(2);
    expect(r.control).toEqual({ assigned: 0, attached: 0, rate: null });
    expect(r.absoluteLift).toBeNull();
    expect(r.ci95).toBeNull();
    expect(r.pValue).toBeNull();
  });
  it('refuses a holdout outside 0–1', () => {
    expect(() => liftReport([], { offerId: 'o1', definition: 'paid', asOf: 0, holdout: 20 })).toThrow('`holdout` must be a share between 0 and 1, got 20');
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180', () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
  });
  it('has the overall row, one row per cohort point and per breakdown group', () => {
    const facts = [account('a', 0, { plan: 'pro, "gold"', paidAt: [day(10)] }), account('b', 0, { plan: 'basic' })];
    const csv = attachCsv(attachReport(facts, { ...base, asOf: day(40), by: 'plan', cohortDays: [30] }));
    expect(csv).toBe(
      [
        'section,cohort,day,key,offer_id,arm,base,attached,rate',
        'overall,,,,,,2,1,0.5',
        'cohort,2026-01,30,,,,2,1,0.5',
        'breakdown,,,basic,,,1,0,0',
        'breakdown,,,"pro, ""gold""",,,1,1,1',
        '',
      ].join('\r\n'),
    );
  });
});
