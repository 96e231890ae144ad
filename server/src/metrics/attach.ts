/**
 * The attach report: overall rate, cohort curves, time to attach and an
 * optional breakdown, in one pass over the accounts' facts.
 */
import type { AccountFacts } from '../store/types.ts';
import { type AttachDefinition, DAY_MS, firstAttachAt, isAttachedAt } from './attachment.ts';
import { type BenchmarkContext, benchmarkContext } from './benchmarks.ts';
import {
  type AttachDenominator,
  type AttachOptions,
  type AttachWeight,
  type BreakdownBy,
  type NormalizedAttachOptions,
  normalizeAttachOptions,
} from './options.ts';

export interface RateCell {
  attached: number;
  base: number;
  /** attached / base; null when the base is empty. */
  rate: number | null;
}

export interface CohortPoint {
  day: number;
  base: number;
  attached: number;
  rate: number;
}

export interface CohortRow {
  /** Activation month, UTC, `YYYY-MM`. */
  cohort: string;
  base: number;
  points: CohortPoint[];
}

export interface BreakdownRow extends RateCell {
  /** The plan, region, channel, offer id or variant key; null when the account has none (or the arm is control). */
  key: string | null;
  /** With `by` offer or variant: the offer the accounts are assigned to. */
  offerId?: string;
  /** With `by` variant: the arm (control accounts have no variant). */
  arm?: 'treatment' | 'control';
}

export interface AttachAnswer {
  asOf: string;
  definition: AttachDefinition;
  denominator: AttachDenominator;
  weight: AttachWeight;
  offerId: string | null;
  by: BreakdownBy | null;
  activeThreshold: number;
  overall: RateCell;
  cohorts: CohortRow[];
  timeToAttach: {
    /** Median of (first attach − activation) in days; null when no account attached. */
    medianDays: number | null;
    /** Weighted share of accounts ≥ 90 days old whose first attach came within 90 days; null when none is that old. */
    within90Days: number | null;
  };
  breakdown: BreakdownRow[];
  benchmarks: BenchmarkContext;
}

interface CohortAcc {
  index: number;
  base: number;
  pointBase: Float64Array;
  pointAttached: Float64Array;
}

/** Year·12 + month (0-based) of a UTC instant, without allocating a Date. */
export function utcMonthIndex(ms: number): number {
  // Howard Hinnant's civil_from_days.
  const z = Math.floor(ms / DAY_MS) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 2 : mp - 10; // 0-based
  const year = yoe + era * 400 + (month <= 1 ? 1 : 0);
  return year * 12 + month;
}

function monthLabel(index: number): string {
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

function rate(attached: number, base: number): number | null {
  return base > 0 ? attached / base : null;
}

/** k-th smallest (0-based) of the first n values, reordering them in place (Hoare quickselect). */
function select(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** Median, the mean of the two middle values for an even count; reorders `values`. */
export function median(values: Float64Array, n: number): number | null {
  if (n === 0) return null;
  const upper = select(values, n, n >>> 1);
  if (n % 2 === 1) return upper;
  // After selecting the upper middle, everything before it is ≤ it: the lower middle is their maximum.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n >>> 1; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

function inDenominator(f: AccountFacts, o: NormalizedAttachOptions): boolean {
  if (o.denominator === 'all') return true;
  for (const offer of f.offers) {
    if (offer.exposedAt !== null && offer.exposedAt <= o.asOf && (o.offerId === null || offer.offerId === o.offerId)) return true;
  }
  return false;
}

/** Breakdown accumulators, keyed without building strings per account. */
interface Groups {
  byValue: Map<string | null, BreakdownRow>;
  byOffer: Map<string, { all: BreakdownRow; control: BreakdownRow | null; variants: Map<string | null, BreakdownRow> }>;
}

function offerGroups(groups: Groups, offerId: string) {
  let g = groups.byOffer.get(offerId);
  if (g === undefined) {
    g = { all: { key: offerId, offerId, attached: 0, base: 0, rate: null }, control: null, variants: new Map() };
    groups.byOffer.set(offerId, g);
  }
  return g;
}

function breakdownInto(groups: Groups, f: AccountFacts, o: NormalizedAttachOptions, w: number, attached: boolean): void {
  const by = o.by;
  let row: BreakdownRow | undefined;
  if (by === 'plan' || by === 'region' || by === 'channel') {
    const key = f[by];
    row = groups.byValue.get(key);
    if (row === undefined) {
      row = { key, attached: 0, base: 0, rate: null };
      groups.byValue.set(key, row);
    }
    row.base += w;
    if (attached) row.attached += w;
    return;
  }
  for (const offer of f.offers) {
    if (offer.arm === null || offer.assignedAt === null || offer.assignedAt > o.asOf || (o.offerId !== null && offer.offerId !== o.offerId)) continue;
    const g = offerGroups(groups, offer.offerId);
    if (by === 'offer') {
      row = g.all;
    } else if (offer.arm === 'control') {
      if (g.control === null) g.control = { key: null, offerId: offer.offerId, arm: 'control', attached: 0, base: 0, rate: null };
      row = g.control;
    } else {
      row = g.variants.get(offer.variant);
      if (row === undefined) {
        row = { key: offer.variant, offerId: offer.offerId, arm: 'treatment', attached: 0, base: 0, rate: null };
        g.variants.set(offer.variant, row);
      }
    }
    row.base += w;
    if (attached) row.attached += w;
  }
}

function breakdownRows(groups: Groups, by: BreakdownBy | null): BreakdownRow[] {
  const rows: BreakdownRow[] = [];
  if (by === 'plan' || by === 'region' || by === 'channel') rows.push(...groups.byValue.values());
  for (const g of groups.byOffer.values()) {
    if (by === 'offer') rows.push(g.all);
    else {
      rows.push(...g.variants.values());
      if (g.control !== null) rows.push(g.control);
    }
  }
  for (const r of rows) r.rate = rate(r.attached, r.base);
  return rows.sort(compareRows);
}

function compareRows(a: BreakdownRow, b: BreakdownRow): number {
  const ao = a.offerId ?? '';
  const bo = b.offerId ?? '';
  if (ao !== bo) return ao < bo ? -1 : 1;
  if (a.arm !== b.arm) return a.arm === 'control' ? 1 : -1;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

/**
 * Attach rate as of an instant: overall, by activation-month cohort (right-
 * censored points), time to attach, an optional breakdown and the industry
 * benchmarks. O(accounts): each account is visited once.
 * @example attachReport(facts, { definition: 'paid', denominator: 'exposed', weight: 'logo', asOf: Date.now(), by: 'plan' })
 */
export function attachReport(facts: readonly AccountFacts[], options: AttachOptions): AttachAnswer {
  const o = normalizeAttachOptions(options);
  const T = o.asOf;
  const days = o.cohortDays;
  const offsets = days.map((d) => d * DAY_MS);
  const np = days.length;
  const cohorts = new Map<number, CohortAcc>();
  const groups: Groups = { byValue: new Map(), byOffer: new Map() };
  let lastCohort: CohortAcc | null = null;
  let baseW = 0;
  let attachedW = 0;
  let old90W = 0;
  let within90W = 0;
  let ttaValues = new Float64Array(1024);
  let ttaCount = 0;
  const ninety = 90 * DAY_MS;

  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    const act = f.activatedAt;
    if (!(act <= T) || !inDenominator(f, o)) continue;
    const w = o.weight === 'arr' ? f.arr : 1;
    const first = firstAttachAt(f, o.definition, T, o.activeThreshold); // NaN when none ≤ asOf
    const attachedNow = isAttachedAt(f, o.definition, T, o.activeThreshold);
    baseW += w;
    if (attachedNow) attachedW += w;

    const index = utcMonthIndex(act);
    let c: CohortAcc | undefined = lastCohort !== null && lastCohort.index === index ? lastCohort : cohorts.get(index);
    if (c === undefined) {
      c = { index, base: 0, pointBase: new Float64Array(np), pointAttached: new Float64Array(np) };
      cohorts.set(index, c);
    }
    lastCohort = c;
    c.base += w;
    const age = T - act;
    const sinceAct = first - act; // NaN when not attached: every comparison below is false
    for (let j = 0; j < np; j++) {
      const off = offsets[j]!;
      if (age < off) break; // days ascend: younger than this point, and than every later one
      c.pointBase[j]! += w;
      if (sinceAct <= off) c.pointAttached[j]! += w;
    }

    if (!Number.isNaN(sinceAct)) {
      if (ttaCount === ttaValues.length) {
        const grown = new Float64Array(ttaValues.length * 2);
        grown.set(ttaValues);
        ttaValues = grown;
      }
      ttaValues[ttaCount++] = sinceAct / DAY_MS;
    }
    if (age >= ninety) {
      old90W += w;
      if (sinceAct <= ninety) within90W += w;
    }
    if (o.by !== null) breakdownInto(groups, f, o, w, attachedNow);
  }

  const cohortRows: CohortRow[] = [...cohorts.values()]
    .sort((a, b) => a.index - b.index)
    .map((c) => {
      const points: CohortPoint[] = [];
      for (let j = 0; j < np; j++) {
        const base = c.pointBase[j]!;
        if (base > 0) points.push({ day: days[j]!, base, attached: c.pointAttached[j]!, rate: c.pointAttached[j]! / base });
      }
      return { cohort: monthLabel(c.index), base: c.base, points };
    });
  const breakdown = breakdownRows(groups, o.by);
  const overallRate = rate(attachedW, baseW);
  return {
    asOf: new Date(T).toISOString(),
    definition: o.definition,
    denominator: o.denominator,
    weight: o.weight,
    offerId: o.offerId,
    by: o.by,
    activeThreshold: o.activeThreshold,
    overall: { attached: attachedW, base: baseW, rate: overallRate },
    cohorts: cohortRows,
    timeToAttach: { medianDays: median(ttaValues, ttaCount), within90Days: rate(within90W, old90W) },
    breakdown,
    benchmarks: benchmarkContext(overallRate, cohortRows),
  };
}
