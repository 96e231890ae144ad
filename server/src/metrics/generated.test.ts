/**
 * Generated data against a deliberately simple reference that works from the
 * raw events (never from AccountFacts): every count equal, every rate within
 * 1e-12, for many asOf values, and for the events folded in shuffled order.
 */
import { describe, expect, it } from 'vitest';
import type { Assignment, StoredEvent } from '../store/types.ts';
import { attachReport } from './attach.ts';
import type { AttachDefinition } from './attachment.ts';
import { factsFromEvents } from './facts.ts';
import { funnelReport } from './funnel.ts';
import { liftReport } from './lift.ts';
import { COHORT_DAYS, DAY, generate, mulberry32, OFFERS, START } from './testing-world.ts';
import type { AttachDenominator, AttachWeight, BreakdownBy } from './options.ts';


// ---- the reference: brute force over raw events, written for obviousness, not speed ----

interface Ref {
  id: string;
  act: number;
  arr: number;
  plan: string | null;
  events: StoredEvent[];
  assignments: Assignment[];
}

function refAttached(r: Ref, def: AttachDefinition, t: number, threshold: number): boolean {
  if (def === 'trial') return r.events.some((e) => (e.type === 'trial_start' || e.type === 'trial_started') && e.at <= t);
  const paid = r.events.some(
    (p) => p.type === 'paid' && p.at <= t && !r.events.some((c) => c.type === 'canceled' && c.at > p.at && c.at <= t),
  );
  if (!paid || def === 'paid') return paid;
  let sum = 0;
  for (const e of r.events) if (e.type === 'usage' && e.at > t - 30 * DAY && e.at <= t) sum += e.quantity ?? 1;
  return sum >= threshold;
}

/** Attachment is a step function that can only change at an event instant or 30 days after a usage: try them all. */
function refFirstAttach(r: Ref, def: AttachDefinition, threshold: number): number | null {
  const candidates = new Set<number>();
  for (const e of r.events) {
    candidates.add(e.at);
    if (e.type === 'usage') candidates.add(e.at + 30 * DAY);
  }
  let best: number | null = null;
  for (const t of candidates) if ((best === null || t < best) && refAttached(r, def, t, threshold)) best = t;
  return best;
}

function refExposed(r: Ref, t: number, offerId: string | null): boolean {
  return r.events.some((e) => e.type === 'exposure' && e.offerId !== null && e.at <= t && (offerId === null || e.offerId === offerId));
}

function refAssignment(r: Ref, offerId: string): Assignment | undefined {
  return r.assignments.find((a) => a.offerId === offerId);
}

function cohortOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function refAttach(
  refs: Ref[],
  o: { definition: AttachDefinition; denominator: AttachDenominator; weight: AttachWeight; asOf: number; offerId: string | null; by: BreakdownBy | null; threshold: number },
) {
  const T = o.asOf;
  const w = (r: Ref): number => (o.weight === 'arr' ? r.arr : 1);
  const members = refs.filter((r) => r.act <= T && (o.denominator === 'all' || refExposed(r, T, o.offerId)));
  let base = 0;
  let attached = 0;
  const cohorts = new Map<string, { base: number; points: Map<number, { base: number; attached: number }> }>();
  const tta: number[] = [];
  let old = 0;
  let within = 0;
  const groups = new Map<string, { attached: number; base: number }>();
  for (const r of members) {
    const now = refAttached(r, o.definition, T, o.threshold);
    const firstEver = refFirstAttach(r, o.definition, o.threshold);
    const first = firstEver !== null && firstEver <= T ? firstEver : null;
    base += w(r);
    if (now) attached += w(r);
    const key = cohortOf(r.act);
    const c = cohorts.get(key) ?? { base: 0, points: new Map() };
    cohorts.set(key, c);
    c.base += w(r);
    for (const d of COHORT_DAYS) {
      if (T - r.act < d * DAY) continue;
      const p = c.points.get(d) ?? { base: 0, attached: 0 };
      c.points.set(d, p);
      p.base += w(r);
      if (first !== null && first <= r.act + d * DAY) p.attached += w(r);
    }
    if (first !== null) tta.push((first - r.act) / DAY);
    if (T - r.act >= 90 * DAY) {
      old += w(r);
      if (first !== null && first <= r.act + 90 * DAY) within += w(r);
    }
    const keys: string[] = [];
    if (o.by === 'plan') keys.push(String(r.plan));
    if (o.by === 'offer' || o.by === 'variant') {
      for (const a of r.assignments) {
        if (a.assignedAt > T || (o.offerId !== null && a.offerId !== o.offerId)) continue;
        keys.push(o.by === 'offer' ? a.offerId : `${a.offerId}/${a.arm}/${a.arm === 'control' ? null : a.variant}`);
      }
    }
    for (const k of keys) {
      const g = groups.get(k) ?? { attached: 0, base: 0 };
      groups.set(k, g);
      g.base += w(r);
      if (now) g.attached += w(r);
    }
  }
  tta.sort((a, b) => a - b);
  const m = tta.length;
  const medianDays = m === 0 ? null : m % 2 === 1 ? tta[(m - 1) / 2]! : (tta[m / 2 - 1]! + tta[m / 2]!) / 2;
  return { base, attached, cohorts, medianDays, within90: old > 0 ? within / old : null, groups };
}

function close(actual: number | null, expected: number | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const rnd = mulberry32(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('generated data against a brute-force reference over raw events', () => {
  const world = generate(20260630, 2500);
  const facts = factsFromEvents(world.accounts, world.events, world.assignments);
  const refs: Ref[] = world.accounts.map((a) => ({
    id: a.id,
    act: Date.parse(a.activatedAt),
    arr: a.arr ?? 0,
    plan: a.plan ?? null,
    events: world.events.filter((e) => e.accountId === a.id),
    assignments: world.assignments.filter((s) => s.accountId === a.id),
  }));
  // asOf values on the event hour grid (exact coincidences) and off it.
  const asOfs = [90, 200, 365, 500, 640, 800, 1000].map((d, i) => START + d * DAY + (i % 2 === 0 ? 0 : 1234567));

  it('the fold does not depend on event or assignment order (back-dated, shuffled)', () => {
    for (const seed of [1, 2, 3]) {
      const again = factsFromEvents(shuffled(world.accounts, seed), shuffled(world.events, seed + 10), shuffled(world.assignments, seed + 20));
      again.sort((a, b) => (a.id < b.id ? -1 : 1));
      const sorted = [...facts].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(again).toEqual(sorted);
    }
  });

  const combos: { definition: AttachDefinition; denominator: AttachDenominator; weight: AttachWeight; offerId: string | null; by: BreakdownBy | null; threshold: number }[] = [
    { definition: 'trial', denominator: 'all', weight: 'logo', offerId: null, by: 'plan', threshold: 1 },
    { definition: 'paid', denominator: 'all', weight: 'arr', offerId: null, by: 'offer', threshold: 1 },
    { definition: 'active', denominator: 'all', weight: 'logo', offerId: null, by: 'variant', threshold: 1 },
    { definition: 'active', denominator: 'exposed', weight: 'arr', offerId: null, by: 'plan', threshold: 3 },
    { definition: 'paid', denominator: 'exposed', weight: 'logo', offerId: 'o2', by: 'variant', threshold: 1 },
    { definition: 'active', denominator: 'exposed', weight: 'logo', offerId: 'o1', by: 'offer', threshold: 2 },
  ];
  for (const combo of combos) {
    it(`attach ${combo.definition}/${combo.denominator}/${combo.weight}${combo.offerId ? `/${combo.offerId}` : ''} by ${combo.by}, threshold ${combo.threshold}, at ${asOfs.length} instants`, () => {
      let nonTrivial = 0;
      for (const asOf of asOfs) {
        const got = attachReport(facts, { ...combo, activeThreshold: combo.threshold, asOf });
        const want = refAttach(refs, { ...combo, asOf });
        close(got.overall.base, want.base);
        close(got.overall.attached, want.attached);
        close(got.overall.rate, want.base > 0 ? want.attached / want.base : null);
        if (want.attached > 0 && want.attached < want.base) nonTrivial++;
        expect(got.cohorts.map((c) => c.cohort)).toEqual([...want.cohorts.keys()].sort());
        for (const c of got.cohorts) {
          const wc = want.cohorts.get(c.cohort)!;
          close(c.base, wc.base);
          expect(c.points.map((p) => p.day)).toEqual(COHORT_DAYS.filter((d) => (wc.points.get(d)?.base ?? 0) > 0));
          for (const p of c.points) {
            const wp = wc.points.get(p.day)!;
            close(p.base, wp.base);
            close(p.attached, wp.attached);
            close(p.rate, wp.attached / wp.base);
          }
        }
        close(got.timeToAttach.medianDays, want.medianDays);
        close(got.timeToAttach.within90Days, want.within90);
        const gotGroups = new Map(
          got.breakdown.map((b) => [
            combo.by === 'plan' ? String(b.key) : combo.by === 'offer' ? b.offerId! : `${b.offerId}/${b.arm}/${b.key}`,
            b,
          ]),
        );
        expect([...gotGroups.keys()].sort()).toEqual([...want.groups.keys()].sort());
        for (const [k, g] of want.groups) {
          close(gotGroups.get(k)!.base, g.base);
          close(gotGroups.get(k)!.attached, g.attached);
          close(gotGroups.get(k)!.rate, g.base > 0 ? g.attached / g.base : null);
        }
      }
      expect(nonTrivial).toBeGreaterThan(2); // the data exercises attached and unattached accounts
    });
  }

  it('funnel and lift per offer, at every instant', () => {
    for (const asOf of asOfs) {
      for (const offerId of OFFERS) {
        const stages = [0, 0, 0, 0, 0, 0];
        let nT = 0;
        let xT = 0;
        let nC = 0;
        let xC = 0;
        for (const r of refs) {
          if (r.act > asOf) continue;
          const a = refAssignment(r, offerId);
          if (!a || a.assignedAt > asOf) continue;
          const attachedNow = refAttached(r, 'paid', asOf, 1);
          if (a.arm === 'control') {
            nC++;
            if (attachedNow) xC++;
            continue;
          }
          nT++;
          if (attachedNow) xT++;
          const reached = [
            true,
            r.events.some((e) => e.type === 'exposure' && e.offerId === offerId && e.at <= asOf),
            r.events.some((e) => e.type === 'click' && e.offerId === offerId && e.at <= asOf),
            refAttached(r, 'trial', asOf, 1),
            refAttached(r, 'paid', asOf, 1),
            refAttached(r, 'active', asOf, 1),
          ];
          for (let k = 0; k < 6 && reached[k]; k++) stages[k]!++;
        }
        const funnel = funnelReport(facts, { offerId, asOf });
        expect(funnel.stages.map((s) => s.accounts)).toEqual(stages);
        const lift = liftReport(facts, { offerId, definition: 'paid', asOf, holdout: 0.2 });
        expect([lift.treatment.assigned, lift.treatment.attached, lift.control.assigned, lift.control.attached]).toEqual([nT, xT, nC, xC]);
        if (nT > 0 && nC > 0) close(lift.absoluteLift, xT / nT - xC / nC);
      }
    }
  });
});
