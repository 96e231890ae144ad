/**
 * Answers of the endpoints the console reads. Shapes follow docs/design.md's metrics
 * answers and the console-only endpoints in server/src/routes/console.ts.
 */
import type { DecideDebug, OfferDefinition, Product } from '@tandem/core';

export type Definition = 'trial' | 'paid' | 'active';
export type Denominator = 'all' | 'exposed';
export type Weight = 'logo' | 'arr';
export type BreakdownBy = 'plan' | 'region' | 'channel' | 'offer' | 'variant';

export interface RateCell {
  attached: number;
  base: number;
  rate: number;
}

/** One industry band (e.g. median or top quartile) at a given account age. */
export interface BenchmarkBand {
  label: string;
  /** Account age in days the band applies to. */
  day: number;
  low: number;
  high: number;
}

export interface AttachAnswer {
  asOf: string;
  definition: Definition;
  denominator: Denominator;
  weight: Weight;
  overall: RateCell;
  cohorts: { cohort: string; base: number; points: ({ day: number } & RateCell)[] }[];
  timeToAttach: { medianDays: number | null; within90Days: number | null };
  breakdown?: ({ key: string } & RateCell)[];
  /** Industry bands to draw behind the curves; the metrics module decides its exact shape. */
  benchmarks?: unknown;
}

export interface FunnelAnswer {
  offerId: string | null;
  asOf: string;
  stages: { stage: string; accounts: number }[];
}

export interface LiftArm {
  assigned: number;
  attached: number;
  rate: number;
}

export interface LiftAnswer {
  offerId: string;
  definition: Definition;
  asOf: string;
  treatment: LiftArm;
  control: LiftArm;
  absoluteLift: number | null;
  relativeLift: number | null;
  ci95: [number, number] | null;
  pValue: number | null;
  srm: { expectedControlShare: number; observedControlShare: number | null; pValue: number | null; mismatch?: boolean };
}

/** GET /v1/console/context: who is signed in and what offers can refer to. */
export interface ConsoleContext {
  role: 'secret' | 'admin';
  /** `primary` is product one; offers sell the others. */
  products: (Product & { role: 'primary' | 'second' })[];
}

/** GET /v1/console/offers: the list with this week's activity. */
export interface OfferSummary {
  offer: OfferDefinition;
  /** Accounts first exposed to the offer in the last 7 days. */
  exposedThisWeek: number;
  /** Of the offer's treatment accounts, those whose first attach came in the last 7 days. */
  attachedThisWeek: number;
}

export interface EligibilityAnswer {
  /** Accounts every targeting rule holds for. */
  eligible: number;
  /** Of those: would see it now. */
  shown: number;
  /** Held out as control. */
  control: number;
  /** A higher-priority offer in the placement wins. */
  outranked: number;
  /** Stopped by a frequency cap or dismiss cooldown right now. */
  capped: number;
  /** Accounts examined. */
  total: number;
  /** Eligible treatment accounts. */
  sample: string[];
  /** True when `total` stopped at the scan limit. */
  truncated: boolean;
}

export interface RuleVerdict {
  rule: string;
  pass: boolean;
  reason: string;
}

export interface ExplainAnswer {
  accountId: string;
  found: boolean;
  outcome: DecideDebug['outcome'] | 'unknown_account';
  rule?: string;
  reason?: string;
  arm?: 'treatment' | 'control' | null;
  variant?: string | null;
  checks: RuleVerdict[];
  others: { offerId: string; priority: number; outcome: DecideDebug['outcome']; rule?: string }[];
}

/** An audit entry on the wire: instants as ISO strings. */
export interface AuditEntryWire {
  id: number;
  offerId: string;
  actor: string;
  at: string;
  action: 'create' | 'update' | 'delete' | 'rollback' | 'publish' | 'unpublish';
  before: OfferDefinition | null;
  after: OfferDefinition | null;
}
