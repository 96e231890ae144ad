/**
 * Targeting rules, caps and cooldowns as named checks, so decide and the
 * console's "why this account?" view say the same thing.
 */
import type { Account, OfferDefinition } from '@tandem/core';
import type { RecentHistory } from '../store/types.ts';
import { DAY_MS, type EffectiveRules } from './defaults.ts';

export type RuleName =
  | 'status'
  | 'schedule'
  | 'activationWindow'
  | 'coreValue'
  | 'plan'
  | 'arr'
  | 'region'
  | 'channel'
  | 'readiness'
  | 'daysToRenewal'
  | 'pastDue'
  | 'salesOwned'
  | 'alreadyAttached'
  | 'frequencyCap'
  | 'dismissCooldown'
  | 'offerConfig';

export interface RuleCheck {
  rule: RuleName;
  pass: boolean;
  /** What was required and what the account has. */
  reason: string;
}

export interface AccountContext {
  now: number;
  account: Account;
  userId: string | null;
  attached: boolean;
}

const list = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');
const bound = (n: number): string => (Number.isFinite(n) ? String(n) : n < 0 ? '−∞' : '∞');

function inSet(rule: RuleName, field: string, allowed: readonly string[] | null, value: string | undefined): RuleCheck | null {
  if (allowed === null) return null;
  const pass = value !== undefined && allowed.includes(value);
  return { rule, pass, reason: `${field} must be one of ${list(allowed)}, account has ${value === undefined ? 'none' : JSON.stringify(value)}` };
}

/** Whole days from `from` to `to`, rounded down (negative before `from`). */
export function daysBetween(from: number, to: number): number {
  return Math.floor((to - from) / DAY_MS);
}

/** Offer-level checks that do not depend on the account: published and within its schedule. */
export function offerChecks(offer: OfferDefinition, rules: EffectiveRules, now: number): RuleCheck[] {
  const { startAt, endAt } = rules.schedule;
  const scheduleOk = !Number.isNaN(startAt) && !Number.isNaN(endAt) && startAt <= now && now < endAt;
  return [
    { rule: 'status', pass: offer.status === 'published', reason: `offer must be published, is ${offer.status}` },
    {
      rule: 'schedule',
      pass: scheduleOk,
      reason:
        Number.isNaN(startAt) || Number.isNaN(endAt)
          ? `schedule has a malformed instant (${JSON.stringify(offer.schedule)})`
          : `runs from ${Number.isFinite(startAt) ? new Date(startAt).toISOString() : 'the start'} until ${Number.isFinite(endAt) ? new Date(endAt).toISOString() : 'further notice'}, now is ${new Date(now).toISOString()}`,
    },
  ];
}

/** Every targeting rule that applies to the offer, evaluated on the account (all of them, not only the first failure). */
export function targetingChecks(rules: EffectiveRules, ctx: AccountContext): RuleCheck[] {
  const { account, now } = ctx;
  const checks: RuleCheck[] = [];
  const push = (c: RuleCheck | null): void => {
    if (c) checks.push(c);
  };

  const activatedAt = Date.parse(account.activatedAt);
  const { min, max } = rules.activationDays;
  if (Number.isFinite(min) || Number.isFinite(max)) {
    if (Number.isNaN(activatedAt)) {
      push({ rule: 'activationWindow', pass: false, reason: `activatedAt is not an instant: ${JSON.stringify(account.activatedAt)}` });
    } else {
      const days = daysBetween(activatedAt, now);
      push({ rule: 'activationWindow', pass: days >= min && days <= max, reason: `days since activation must be ${bound(min)}–${bound(max)}, is ${days}` });
    }
  }
  if (rules.requireCoreValue && account.coreValueAt) {
    const at = Date.parse(account.coreValueAt);
    push({ rule: 'coreValue', pass: !(at > now), reason: `core value must be reached, coreValueAt is ${account.coreValueAt}` });
  }
  push(inSet('plan', 'plan', rules.plans, account.plan));
  if (rules.arr) {
    const arr = account.arr;
    push({
      rule: 'arr',
      pass: typeof arr === 'number' && arr >= rules.arr.min && arr <= rules.arr.max,
      reason: `ARR must be ${bound(rules.arr.min)}–${bound(rules.arr.max)}, account has ${arr ?? 'none'}`,
    });
  }
  push(inSet('region', 'region', rules.regions, account.region));
  push(inSet('channel', 'channel', rules.channels, account.channel));
  for (const r of rules.readiness) {
    const used = account.usage?.[r.feature] ?? 0;
    push({ rule: 'readiness', pass: used >= r.min, reason: `usage of ${JSON.stringify(r.feature)} must be at least ${r.min}, is ${used}` });
  }
  if (rules.minDaysToRenewal !== null && account.renewalAt) {
    const renewal = Date.parse(account.renewalAt);
    const days = daysBetween(now, renewal);
    push({
      rule: 'daysToRenewal',
      pass: !Number.isNaN(renewal) && days >= rules.minDaysToRenewal,
      reason: `days until renewal must be at least ${rules.minDaysToRenewal}, is ${Number.isNaN(renewal) ? `unknown (${account.renewalAt})` : days}`,
    });
  }
  if (rules.excludePastDue) push({ rule: 'pastDue', pass: account.pastDue !== true, reason: 'billing must not be past due' });
  if (rules.excludeSalesOwned) push({ rule: 'salesOwned', pass: account.salesOwned !== true, reason: 'account must not be owned by sales' });
  if (rules.excludeAttached) push({ rule: 'alreadyAttached', pass: !ctx.attached, reason: 'account must not already have product two' });
  return checks;
}

/**
 * Caps and cooldown of one offer, counted on its own exposures and dismissals.
 * A user-scoped cap without a known user counts the whole account (the safe side).
 */
export function capChecks(offer: OfferDefinition, rules: EffectiveRules, ctx: AccountContext, history: RecentHistory): RuleCheck[] {
  const { now, userId } = ctx;
  const cap = rules.exposureCap;
  const capFrom = now - cap.days * DAY_MS;
  const capUser = cap.scope === 'user' && userId !== null;
  let shown = 0;
  for (const e of history.exposures) {
    if (e.offerId === offer.id && e.at > capFrom && e.at <= now && (!capUser || e.userId === userId)) shown++;
  }
  const cool = rules.dismissCooldown;
  const coolFrom = now - cool.days * DAY_MS;
  const coolUser = cool.scope === 'user' && userId !== null;
  let dismissedAt: number | null = null;
  for (const d of history.dismissals) {
    if (d.offerId === offer.id && d.at > coolFrom && d.at <= now && (!coolUser || d.userId === userId)) {
      if (dismissedAt === null || d.at > dismissedAt) dismissedAt = d.at;
    }
  }
  const who = (scope: 'user' | 'account', byUser: boolean): string => (scope === 'user' && byUser ? 'this user' : 'this account');
  return [
    {
      rule: 'frequencyCap',
      pass: shown < cap.maxExposures,
      reason: `at most ${cap.maxExposures} exposures per ${cap.scope} in ${cap.days} days, ${who(cap.scope, capUser)} has ${shown}`,
    },
    {
      rule: 'dismissCooldown',
      pass: dismissedAt === null,
      reason:
        dismissedAt === null
          ? `no dismiss by ${who(cool.scope, coolUser)} in the last ${cool.days} days`
          : `dismissed by ${who(cool.scope, coolUser)} at ${new Date(dismissedAt).toISOString()}, silent for ${cool.days} days`,
    },
  ];
}
