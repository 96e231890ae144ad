/**
 * The funnel of an offer's treatment accounts at an instant.
 */
import type { AccountFacts, OfferFacts } from '../store/types.ts';
import { type AttachDefinition, isAttachedAt, isPaidAt } from './attachment.ts';
import { checkAsOf, checkDefinition, checkThreshold, MetricsInputError } from './options.ts';

export type FunnelStage = 'assigned' | 'exposed' | 'clicked' | 'trial' | 'paid' | 'active';
export const FUNNEL_STAGES: readonly FunnelStage[] = ['assigned', 'exposed', 'clicked', 'trial', 'paid', 'active'];

export interface FunnelAnswer {
  offerId: string;
  asOf: string;
  stages: { stage: FunnelStage; accounts: number }[];
}

export interface FunnelOptions {
  /** One offer; without it, one funnel per offer found in the facts (sorted by id). */
  offerId?: string | null;
  asOf: number;
  /** The last stage shown: `trial` ends at trial, `paid` at paid, `active` (default) shows all. */
  definition?: AttachDefinition;
  activeThreshold?: number;
}

/** How many consecutive stages (from `assigned`) the account has reached at T. */
function depth(f: AccountFacts, offer: OfferFacts, T: number, threshold: number, last: number): number {
  if (offer.assignedAt === null || offer.assignedAt > T) return 0;
  if (last === 0 || offer.exposedAt === null || offer.exposedAt > T) return 1;
  if (last === 1 || offer.clickedAt === null || offer.clickedAt > T) return 2;
  if (last === 2 || f.trialAt === null || f.trialAt > T) return 3;
  if (last === 3 || !isPaidAt(f, T)) return 4;
  if (last === 4 || !isAttachedAt(f, 'active', T, threshold)) return 5;
  return 6;
}

function funnelFor(facts: readonly AccountFacts[], offerId: string, T: number, threshold: number, last: number): FunnelAnswer {
  const reached = new Array<number>(last + 2).fill(0);
  for (const f of facts) {
    if (!(f.activatedAt <= T)) continue;
    for (const offer of f.offers) {
      if (offer.offerId !== offerId || offer.arm !== 'treatment') continue;
      reached[depth(f, offer, T, threshold, last)]!++;
    }
  }
  // Accounts reaching stage k are those whose depth is at least k + 1.
  const stages: FunnelAnswer['stages'] = [];
  let atLeast = 0;
  for (let k = last; k >= 0; k--) {
    atLeast += reached[k + 1]!;
    stages.unshift({ stage: FUNNEL_STAGES[k]!, accounts: atLeast });
  }
  return { offerId, asOf: new Date(T).toISOString(), stages };
}

/**
 * Treatment accounts of an offer that reached each stage and every stage
 * before it, as of an instant: assigned → exposed → clicked → trial (started
 * by then) → paid (paying at asOf) → active (paying and using at asOf).
 * @example funnelReport(facts, { offerId: 'o1', asOf: Date.now() })
 */
export function funnelReport(facts: readonly AccountFacts[], options: FunnelOptions & { offerId: string }): FunnelAnswer;
export function funnelReport(facts: readonly AccountFacts[], options: FunnelOptions): FunnelAnswer | FunnelAnswer[];
export function funnelReport(facts: readonly AccountFacts[], options: FunnelOptions): FunnelAnswer | FunnelAnswer[] {
  const T = checkAsOf(options.asOf);
  const threshold = checkThreshold(options.activeThreshold);
  const definition = options.definition === undefined ? 'active' : checkDefinition(options.definition);
  const last = FUNNEL_STAGES.indexOf(definition);
  const offerId = options.offerId ?? null;
  if (offerId !== null) {
    if (typeof offerId !== 'string' || offerId === '') {
      throw new MetricsInputError('offerId', `\`offerId\` must be a non-empty string, got ${JSON.stringify(offerId)}`);
    }
    return funnelFor(facts, offerId, T, threshold, last);
  }
  const ids = new Set<string>();
  for (const f of facts) for (const offer of f.offers) ids.add(offer.offerId);
  return [...ids].sort().map((id) => funnelFor(facts, id, T, threshold, last));
}
