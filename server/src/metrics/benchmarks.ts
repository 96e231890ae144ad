/**
 * Published industry bands for a second product's attach rate, as data the
 * console and any client can draw next to their own curve.
 */

export const BENCHMARK_SOURCE = 'KeyBanc SaaS survey, via industry reporting';

export interface Range {
  low: number;
  high: number;
}

export interface BenchmarkBand {
  id: 'year1' | 'year3';
  label: string;
  /** Age of the curve the band describes, in days (a year = 365). */
  atDays: number;
  median: Range;
  topQuartile: Range;
}

export interface BenchmarkMarker {
  id: 'month6' | 'month24';
  label: string;
  atDays: number;
  rate: number;
}

/** Where a rate stands against a band. */
export type Standing = 'belowMedian' | 'median' | 'aboveMedian' | 'topQuartile' | 'aboveTopQuartile';

export const BENCHMARK_BANDS: readonly BenchmarkBand[] = [
  { id: 'year1', label: 'First year after launch', atDays: 365, median: { low: 0.2, high: 0.25 }, topQuartile: { low: 0.35, high: 0.4 } },
  { id: 'year3', label: 'Third year after launch', atDays: 1095, median: { low: 0.35, high: 0.35 }, topQuartile: { low: 0.55, high: 0.65 } },
];

export const BENCHMARK_MARKERS: readonly BenchmarkMarker[] = [
  { id: 'month6', label: 'Month 6: on track for 40% by month 24', atDays: 180, rate: 0.15 },
  { id: 'month24', label: 'Month 24: the level a curve on track reaches', atDays: 730, rate: 0.4 },
];

/**
 * @example standing(0.3, BENCHMARK_BANDS[0]) // 'aboveMedian'
 */
export function standing(rate: number, band: BenchmarkBand): Standing {
  if (rate < band.median.low) return 'belowMedian';
  if (rate <= band.median.high) return 'median';
  if (rate < band.topQuartile.low) return 'aboveMedian';
  if (rate <= band.topQuartile.high) return 'topQuartile';
  return 'aboveTopQuartile';
}

export interface CohortBenchmark {
  cohort: string;
  /** One entry per band or marker whose day is a point of this cohort. */
  checks: { benchmark: BenchmarkBand['id'] | BenchmarkMarker['id']; day: number; rate: number; standing?: Standing; meets?: boolean }[];
}

export interface BenchmarkContext {
  source: string;
  bands: readonly BenchmarkBand[];
  markers: readonly BenchmarkMarker[];
  /** The overall rate against each band (null when there is no rate). */
  overall: { rate: number | null; standing: Record<BenchmarkBand['id'], Standing> | null };
  cohorts: CohortBenchmark[];
}

/** Builds the benchmark block of an attach answer from its overall rate and cohort points. */
export function benchmarkContext(
  overallRate: number | null,
  cohorts: readonly { cohort: string; points: readonly { day: number; rate: number }[] }[],
): BenchmarkContext {
  const out: CohortBenchmark[] = [];
  for (const c of cohorts) {
    const checks: CohortBenchmark['checks'] = [];
    for (const p of c.points) {
      for (const b of BENCHMARK_BANDS) {
        if (b.atDays === p.day) checks.push({ benchmark: b.id, day: p.day, rate: p.rate, standing: standing(p.rate, b) });
      }
      for (const m of BENCHMARK_MARKERS) {
        if (m.atDays === p.day) checks.push({ benchmark: m.id, day: p.day, rate: p.rate, meets: p.rate >= m.rate });
      }
    }
    if (checks.length > 0) out.push({ cohort: c.cohort, checks });
  }
  return {
    source: BENCHMARK_SOURCE,
    bands: BENCHMARK_BANDS,
    markers: BENCHMARK_MARKERS,
    overall: {
      rate: overallRate,
      standing:
        overallRate === null
          ? null
          : { year1: standing(overallRate, BENCHMARK_BANDS[0]!), year3: standing(overallRate, BENCHMARK_BANDS[1]!) },
    },
    cohorts: out,
  };
}
