/**
 * Holdout lift of one offer: intent-to-treat attach rates of both arms, the
 * difference with Newcombe's interval, a pooled z-test and a sample-ratio check.
 */
import type { AccountFacts } from '../store/types.ts';
import { type AttachDefinition, isAttachedAt } from './attachment.ts';
import { checkAsOf, checkDefinition, checkThreshold, MetricsInputError } from './options.ts';
import { newcombeHybrid, pooledZTest, srmPValue } from './stats.ts';

/** SRM p-values below this flag a broken split (the usual threshold for sample-ratio checks). */
export const SRM_ALPHA = 0.001;

export interface ArmResult {
  assigned: number;
  attached: number;
  /** null when nobody is assigned to the arm. */
  rate: number | null;
}

export interface LiftAnswer {
  offerId: string;
  definition: AttachDefinition;
  asOf: string;
  treatment: ArmResult;
  control: ArmResult;
  /** pT − pC; null unless both arms have accounts. */
  absoluteLift: number | null;
  /** (pT − pC) / pC; null when pC is 0 or unknown. */
  relativeLift: number | null;
  /** 95% Newcombe hybrid score interval of pT − pC. */
  ci95: [number, number] | null;
  /** Two-sided pooled z-test of pT = pC. */
  pValue: number | null;
  srm: { expectedControlShare: number; observedControlShare: number | null; pValue: number | null; mismatch: boolean };
}

export interface LiftOptions {
  offerId: string;
  definition: AttachDefinition;
  asOf: number;
  /** The offer's configured control share (0–1). */
  holdout: number;
  activeThreshold?: number;
}

/**
 * @example liftReport(facts, { offerId: 'o1', definition: 'paid', asOf: Date.now(), holdout: 0.2 })
 */
export function liftReport(facts: readonly AccountFacts[], options: LiftOptions): LiftAnswer {
  const T = checkAsOf(options.asOf);
  const definition = checkDefinition(options.definition);
  const threshold = checkThreshold(options.activeThreshold);
  const { offerId, holdout } = options;
  if (typeof offerId !== 'string' || offerId === '') {
    throw new MetricsInputError('offerId', `\`offerId\` must be a non-empty string, got ${JSON.stringify(offerId)}`);
  }
  if (typeof holdout !== 'number' || !(holdout >= 0 && holdout <= 1)) {
    throw new MetricsInputError('holdout', `\`holdout\` must be a share between 0 and 1, got ${JSON.stringify(holdout)}`);
  }
  let nT = 0;
  let xT = 0;
  let nC = 0;
  let xC = 0;
  for (const f of facts) {
    if (!(f.activatedAt <= T)) continue;
    for (const offer of f.offers) {
      if (offer.offerId !== offerId || offer.arm === null || offer.assignedAt === null || offer.assignedAt > T) continue;
      const attached = isAttachedAt(f, definition, T, threshold);
      if (offer.arm === 'control') {
        nC++;
        if (attached) xC++;
      } else {
        nT++;
        if (attached) xT++;
      }
    }
  }
  const pT = nT > 0 ? xT / nT : null;
  const pC = nC > 0 ? xC / nC : null;
  const both = pT !== null && pC !== null;
  const ci = both ? newcombeHybrid(xT, nT, xC, nC) : null;
  const total = nT + nC;
  const srmP = total > 0 ? srmPValue(nC, total, holdout) : null;
  return {
    offerId,
    definition,
    asOf: new Date(T).toISOString(),
    treatment: { assigned: nT, attached: xT, rate: pT },
    control: { assigned: nC, attached: xC, rate: pC },
    absoluteLift: both ? pT - pC : null,
    relativeLift: both && pC > 0 ? (pT - pC) / pC : null,
    ci95: ci ? [ci.lower, ci.upper] : null,
    pValue: both ? pooledZTest(xT, nT, xC, nC).pValue : null,
    srm: {
      expectedControlShare: holdout,
      observedControlShare: total > 0 ? nC / total : null,
      pValue: srmP,
      mismatch: srmP !== null && srmP < SRM_ALPHA,
    },
  };
}
