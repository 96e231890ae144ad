/**
 * Defaults of every targeting rule, cap and cooldown, and the one place an
 * offer's rules are merged with them.
 */
import { DEFAULT_HOLDOUT, type DismissCooldown, type FrequencyCap, type OfferDefinition } from '@tandem/core';

export const DAY_MS = 86_400_000;

/**
 * What an offer gets for every rule it leaves unset.
 * - `activationDays` 60–120 inclusive, days = ⌊(now − activatedAt) / 1 day⌋.
 *   An offer that sets `activationDays` replaces the window: an unset bound
 *   there is open (`{ min: 30 }` = from day 30 on, `{}` = no window).
 * - `requireCoreValue`: skip accounts whose `coreValueAt` is known and later than now.
 * - `plans`, `regions`, `channels`, `arr`, `readiness`, `minDaysToRenewal`:
 *   no restriction (an empty list also means none).
 * - past-due, sales-owned and already-attached accounts are excluded.
 * - caps: 3 exposures per user per 7 days; a dismiss by any seat silences the
 *   account for 14 days. Both count events of the same offer.
 * @example DEFAULT_RULES.activationDays // { min: 60, max: 120 }
 */
export const DEFAULT_RULES = {
  activationDays: { min: 60, max: 120 },
  requireCoreValue: true,
  excludePastDue: true,
  excludeSalesOwned: true,
  excludeAttached: true,
  exposureCap: { maxExposures: 3, days: 7, scope: 'user' } satisfies FrequencyCap,
  dismissCooldown: { days: 14, scope: 'account' } satisfies DismissCooldown,
  holdout: DEFAULT_HOLDOUT,
} as const;

/** An offer's rules with every default filled in. */
export interface EffectiveRules {
  activationDays: { min: number; max: number };
  requireCoreValue: boolean;
  plans: readonly string[] | null;
  arr: { min: number; max: number } | null;
  regions: readonly string[] | null;
  channels: readonly string[] | null;
  readiness: readonly { feature: string; min: number }[];
  minDaysToRenewal: number | null;
  excludePastDue: boolean;
  excludeSalesOwned: boolean;
  excludeAttached: boolean;
  exposureCap: FrequencyCap;
  dismissCooldown: DismissCooldown;
  schedule: { startAt: number; endAt: number };
}

const nonEmpty = (list: readonly string[] | undefined): readonly string[] | null => (list && list.length > 0 ? list : null);

function instant(value: string | null | undefined, open: number): number {
  if (value === null || value === undefined || value === '') return open;
  return Date.parse(value); // NaN for a malformed instant: the schedule check then refuses the offer
}

/**
 * @example effectiveRules(offer).activationDays // { min: 60, max: 120 } unless the offer sets it
 */
export function effectiveRules(offer: OfferDefinition): EffectiveRules {
  const r = offer.rules ?? {};
  const window = r.activationDays
    ? { min: r.activationDays.min ?? Number.NEGATIVE_INFINITY, max: r.activationDays.max ?? Number.POSITIVE_INFINITY }
    : { ...DEFAULT_RULES.activationDays };
  return {
    activationDays: window,
    requireCoreValue: r.requireCoreValue ?? DEFAULT_RULES.requireCoreValue,
    plans: nonEmpty(r.plans),
    arr: r.arr ? { min: r.arr.min ?? Number.NEGATIVE_INFINITY, max: r.arr.max ?? Number.POSITIVE_INFINITY } : null,
    regions: nonEmpty(r.regions),
    channels: nonEmpty(r.channels),
    readiness: r.readiness ?? [],
    minDaysToRenewal: r.minDaysToRenewal ?? null,
    excludePastDue: r.excludePastDue ?? DEFAULT_RULES.excludePastDue,
    excludeSalesOwned: r.excludeSalesOwned ?? DEFAULT_RULES.excludeSalesOwned,
    excludeAttached: r.excludeAttached ?? DEFAULT_RULES.excludeAttached,
    exposureCap: offer.caps?.exposures ?? DEFAULT_RULES.exposureCap,
    dismissCooldown: offer.caps?.dismiss ?? DEFAULT_RULES.dismissCooldown,
    schedule: {
      startAt: instant(offer.schedule?.startAt, Number.NEGATIVE_INFINITY),
      endAt: instant(offer.schedule?.endAt, Number.POSITIVE_INFINITY),
    },
  };
}
