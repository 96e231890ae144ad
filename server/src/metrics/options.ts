/**
 * Report options, checked and filled once; everything downstream trusts them.
 */
import { ATTACH_DEFINITIONS, type AttachDefinition, DEFAULT_ACTIVE_THRESHOLD } from './attachment.ts';

export type AttachDenominator = 'all' | 'exposed';
export type AttachWeight = 'logo' | 'arr';
export type BreakdownBy = 'offer' | 'variant' | 'plan' | 'region' | 'channel';

export const DENOMINATORS: readonly AttachDenominator[] = ['all', 'exposed'];
export const WEIGHTS: readonly AttachWeight[] = ['logo', 'arr'];
export const BREAKDOWNS: readonly BreakdownBy[] = ['offer', 'variant', 'plan', 'region', 'channel'];
/** Cohort points, in days after activation. */
export const DEFAULT_COHORT_DAYS: readonly number[] = [30, 60, 90, 120, 180, 365, 730];

/** A report option that is missing or out of range; the HTTP layer answers 400 with it. */
export class MetricsInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'MetricsInputError';
  }
}

export interface AttachOptions {
  definition: AttachDefinition;
  denominator: AttachDenominator;
  weight: AttachWeight;
  /** Epoch ms; only what happened at or before it counts. */
  asOf: number;
  offerId?: string | null;
  by?: BreakdownBy | null;
  cohortDays?: readonly number[];
  activeThreshold?: number;
}

export interface NormalizedAttachOptions {
  definition: AttachDefinition;
  denominator: AttachDenominator;
  weight: AttachWeight;
  asOf: number;
  offerId: string | null;
  by: BreakdownBy | null;
  cohortDays: number[];
  activeThreshold: number;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new MetricsInputError(field, `\`${field}\` must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

export function checkAsOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MetricsInputError('asOf', `\`asOf\` must be an instant (epoch ms), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkThreshold(value: unknown): number {
  if (value === undefined) return DEFAULT_ACTIVE_THRESHOLD;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MetricsInputError('activeThreshold', `\`activeThreshold\` must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkDefinition(value: unknown): AttachDefinition {
  return oneOf('definition', value, ATTACH_DEFINITIONS);
}

/**
 * @example normalizeAttachOptions({ definition: 'paid', denominator: 'all', weight: 'logo', asOf: Date.now() })
 */
export function normalizeAttachOptions(o: AttachOptions): NormalizedAttachOptions {
  const cohortDays = o.cohortDays ?? DEFAULT_COHORT_DAYS;
  for (const d of cohortDays) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new MetricsInputError('cohortDays', `\`cohortDays\` must hold positive whole days, got ${JSON.stringify(d)}`);
    }
  }
  const offerId = o.offerId ?? null;
  if (offerId !== null && (typeof offerId !== 'string' || offerId === '')) {
    throw new MetricsInputError('offerId', `\`offerId\` must be a non-empty string, got ${JSON.stringify(offerId)}`);
  }
  return {
    definition: checkDefinition(o.definition),
    denominator: oneOf('denominator', o.denominator, DENOMINATORS),
    weight: oneOf('weight', o.weight, WEIGHTS),
    asOf: checkAsOf(o.asOf),
    offerId,
    by: o.by == null ? null : oneOf('by', o.by, BREAKDOWNS),
    cohortDays: [...new Set(cohortDays)].sort((a, b) => a - b),
    activeThreshold: checkThreshold(o.activeThreshold),
  };
}
