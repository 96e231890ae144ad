/**
 * The hot path of POST /v1/decide: the same answer as `decide` (offers and new
 * assignments), computed with booleans only. `decide`/`explainAccount` build a
 * reason string for every check, which only debug output and the console read;
 * here no string is built, and what depends on the offer alone (effective
 * rules, the rendered offer with its bundle quote) is computed once per offer
 * definition. decide-offers.test.ts checks both agree on random inputs.
 */
import { type Account, type Arm, assignArm, type DecidedOffer, type OfferDefinition, type OfferVariant, type Product } from '@tandem/core';
import type { Assignment, RecentHistory } from '../store/types.ts';
import { daysBetween } from './checks.ts';
import { buildDecidedOffer, type DecisionInput } from './decide.ts';
import { DAY_MS, type EffectiveRules, effectiveRules } from './defaults.ts';
import { pickVariant } from './variants.ts';

type Built = ReturnType<typeof buildDecidedOffer>;

interface OfferFacts {
  rules: EffectiveRules;
  /** The products the rendered offers below were built with. */
  products: readonly Product[];
  /** Rendered offer per variant (null = no variant). */
  built: Map<OfferVariant | null, Built>;
}

// Offer definitions are treated as immutable: the offer cache replaces them on
// every change, so a definition seen again has the same rules and rendering.
const FACTS = new WeakMap<OfferDefinition, OfferFacts>();

function factsOf(offer: OfferDefinition, products: readonly Product[]): OfferFacts {
  let f = FACTS.get(offer);
  if (!f || f.products !== products) {
    f = { rules: effectiveRules(offer), products, built: new Map() };
    FACTS.set(offer, f);
  }
  return f;
}

function built(f: OfferFacts, offer: OfferDefinition, variant: OfferVariant | null): Built {
  let b = f.built.get(variant);
  if (!b) {
    b = buildDecidedOffer(offer, variant, f.products);
    f.built.set(variant, b);
  }
  return b;
}

const byPriority = (a: OfferDefinition, b: OfferDefinition): number =>
  b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// A placement's offers by priority, per offer list (the offer cache hands out the same list
// until offers change). Only placements that have offers are kept: requests name placements.
const BY_PLACEMENT = new WeakMap<readonly OfferDefinition[], Map<string, readonly OfferDefinition[]>>();
const NONE: readonly OfferDefinition[] = [];

function candidatesFor(offers: readonly OfferDefinition[], placement: string): readonly OfferDefinition[] {
  let lists = BY_PLACEMENT.get(offers);
  if (!lists) {
    lists = new Map();
    for (const o of offers) {
      const list = lists.get(o.placement) as OfferDefinition[] | undefined;
      if (list) list.push(o);
      else lists.set(o.placement, [o]);
    }
    for (const list of lists.values()) (list as OfferDefinition[]).sort(byPriority);
    BY_PLACEMENT.set(offers, lists);
  }
  return lists.get(placement) ?? NONE;
}

const inSet = (allowed: readonly string[] | null, value: string | undefined): boolean =>
  allowed === null || (value !== undefined && allowed.includes(value));

/** An account's instants, parsed once per account object (stores may hand out the same object again). */
interface Instants {
  activatedAt: number;
  /** NaN when absent. */
  coreValueAt: number;
  renewalAt: number | null;
}
const INSTANTS = new WeakMap<Account, Instants>();
function instantsOf(account: Account): Instants {
  let i = INSTANTS.get(account);
  if (!i) {
    i = {
      activatedAt: Date.parse(account.activatedAt),
      coreValueAt: account.coreValueAt ? Date.parse(account.coreValueAt) : Number.NaN,
      renewalAt: account.renewalAt ? Date.parse(account.renewalAt) : null,
    };
    INSTANTS.set(account, i);
  }
  return i;
}

/** Every targeting rule holds (checks.ts `targetingChecks`, without the reasons). */
function targeted(rules: EffectiveRules, input: DecisionInput, at: Instants): boolean {
  const { account, now } = input;
  const { min, max } = rules.activationDays;
  if (Number.isFinite(min) || Number.isFinite(max)) {
    if (Number.isNaN(at.activatedAt)) return false;
    const days = daysBetween(at.activatedAt, now);
    if (!(days >= min && days <= max)) return false;
  }
  if (rules.requireCoreValue && at.coreValueAt > now) return false;
  if (!inSet(rules.plans, account.plan)) return false;
  if (rules.arr) {
    const arr = account.arr;
    if (!(typeof arr === 'number' && arr >= rules.arr.min && arr <= rules.arr.max)) return false;
  }
  if (!inSet(rules.regions, account.region) || !inSet(rules.channels, account.channel)) return false;
  for (const r of rules.readiness) if (!((account.usage?.[r.feature] ?? 0) >= r.min)) return false;
  if (rules.minDaysToRenewal !== null && at.renewalAt !== null) {
    if (Number.isNaN(at.renewalAt) || !(daysBetween(now, at.renewalAt) >= rules.minDaysToRenewal)) return false;
  }
  if (rules.excludePastDue && account.pastDue === true) return false;
  if (rules.excludeSalesOwned && account.salesOwned === true) return false;
  if (rules.excludeAttached && input.attached) return false;
  return true;
}

/** Within the frequency cap and not in a dismiss cooldown (checks.ts `capChecks`, without the reasons). */
function withinCaps(offerId: string, rules: EffectiveRules, now: number, userId: string | null, history: RecentHistory): boolean {
  const cap = rules.exposureCap;
  const capFrom = now - cap.days * DAY_MS;
  const capUser = cap.scope === 'user' && userId !== null;
  let shown = 0;
  for (const e of history.exposures) {
    if (e.offerId === offerId && e.at > capFrom && e.at <= now && (!capUser || e.userId === userId)) shown++;
  }
  if (!(shown < cap.maxExposures)) return false;
  const cool = rules.dismissCooldown;
  const coolFrom = now - cool.days * DAY_MS;
  const coolUser = cool.scope === 'user' && userId !== null;
  for (const d of history.dismissals) {
    if (d.offerId === offerId && d.at > coolFrom && d.at <= now && (!coolUser || d.userId === userId)) return false;
  }
  return true;
}

/**
 * What `decide` answers, minus the debug list: the offers to show and the
 * assignments to record. The rendered offers are shared between calls with
 * the same offer definition: serialize them, do not mutate them.
 * @example decideOffers(input).offers // deep-equal to decide(input).offers
 */
export function decideOffers(input: DecisionInput): { offers: DecidedOffer[]; newAssignments: Assignment[] } {
  const { now, account, products } = input;
  const accountId = account.id;
  let recorded: Map<string, Assignment> | null = null;
  for (const a of input.assignments) {
    if (a.accountId !== accountId) continue;
    recorded ??= new Map();
    if (!recorded.has(a.offerId)) recorded.set(a.offerId, a);
  }
  const offers: DecidedOffer[] = [];
  const newAssignments: Assignment[] = [];
  let instants: Instants | undefined;
  const placements = input.placements.length > 1 ? [...new Set(input.placements)] : input.placements;

  for (const placement of placements) {
    const candidates = candidatesFor(input.offers, placement);
    let settled = false;
    for (const offer of candidates) {
      const f = factsOf(offer, products);
      const { startAt, endAt } = f.rules.schedule;
      // NaN bounds fail both comparisons, as the schedule check does.
      if (offer.status !== 'published' || !(startAt <= now && now < endAt) || !built(f, offer, null).ok) continue;
      instants ??= instantsOf(account);
      if (!targeted(f.rules, input, instants)) continue;

      // Eligible: the arm recorded the first time wins forever (as in explainAccount).
      const existing = recorded?.get(offer.id);
      let arm: Arm;
      let variant: OfferVariant | null = null;
      if (existing) {
        arm = existing.arm;
        if (arm === 'treatment' && !settled) {
          variant = offer.variants?.find((v) => v.key === existing.variant) ?? pickVariant(offer.id, accountId, offer.variants);
        }
      } else {
        arm = assignArm(offer.id, accountId, offer.holdout);
        variant = arm === 'treatment' ? pickVariant(offer.id, accountId, offer.variants) : null;
        const a: Assignment = { accountId, offerId: offer.id, arm, variant: variant?.key ?? null, assignedAt: now };
        newAssignments.push(a);
        recorded ??= new Map();
        recorded.set(offer.id, a);
      }
      if (settled) continue;
      if (arm === 'control') {
        settled = true; // the placement stays empty (see explainAccount)
        continue;
      }
      if (!withinCaps(offer.id, f.rules, now, input.userId, input.history)) continue;
      const b = built(f, offer, variant);
      if (!b.ok) continue;
      settled = true;
      offers.push(b.offer);
    }
  }
  return { offers, newAssignments };
}
