export { type AttachAnswer, attachReport, type BreakdownRow, type CohortPoint, type CohortRow, median, type RateCell, utcMonthIndex } from './attach.ts';
export {
  ACTIVE_WINDOW_MS,
  ATTACH_DEFINITIONS,
  type AttachDefinition,
  DAY_MS,
  DEFAULT_ACTIVE_THRESHOLD,
  firstAttachAt,
  isAttachedAt,
  isPaidAt,
  usageInWindow,
} from './attachment.ts';
export { BENCHMARK_BANDS, BENCHMARK_MARKERS, BENCHMARK_SOURCE, type BenchmarkContext, benchmarkContext, type Standing, standing } from './benchmarks.ts';
export { ATTACH_CSV_HEADER, attachCsv, csvField } from './csv.ts';
export { factsFromEvents, type FoldOptions } from './facts.ts';
export { FUNNEL_STAGES, type FunnelAnswer, type FunnelOptions, type FunnelStage, funnelReport } from './funnel.ts';
export { type ArmResult, type LiftAnswer, type LiftOptions, liftReport, SRM_ALPHA } from './lift.ts';
export {
  type AttachDenominator,
  type AttachOptions,
  type AttachWeight,
  BREAKDOWNS,
  type BreakdownBy,
  DEFAULT_COHORT_DAYS,
  DENOMINATORS,
  MetricsInputError,
  normalizeAttachOptions,
  WEIGHTS,
} from './options.ts';
export { chiSquare1Sf, erfc, type Interval, newcombeHybrid, normalCdf, pooledZTest, srmPValue, wilson, Z95 } from './stats.ts';
