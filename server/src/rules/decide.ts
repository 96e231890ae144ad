/**
 * The decision: which offer, if any, each placement shows to an account now,
 * and which assignments to record. Pure: the caller loads the inputs and
 * stores `newAssignments`.
 */
import {
  type Account,
  type Arm,
  assignArm,
  bundleQuote,
  type DecidedOffer,
  type DecideDebug,
  type OfferDefinition,
  type OfferVariant,
  type Product,
} from '@tandem/core';
import type { Assignment, RecentHistory } from '../store/types.ts';
import { type AccountContext, capChecks, offerChecks, type RuleCheck, targetingChecks } from './checks.ts';
import { effectiveRules } from './defaults.ts';
import { pickVariant } from './variants.ts';

export interface DecisionInput {
  /** Epoch ms. */
  now: number;
  /** Signed identity attributes already merged in by the caller. */
  account: Account;
  userId: string | null;
  placements: string[];
  /** All offers; only published ones within their schedule are considered. */
  offers: OfferDefinition[];
  /** From config: list prices for bundle quotes, product names. */
  products: Product[];
  /** The account already has product two (trial or paid). */
  attached: boolean;
  history: RecentHistory;
  /** Arms recorded before for this account. */
  assignments: Assignment[];
}

export interface DecisionOutput {
  /** At most one per placement, treatment arm only. */
  offers: DecidedOffer[];
  /** First-time eligibility: to be recorded, never changed afterwards. */
  newAssignments: Assignment[];
  /** For every considered offer: shown, excluded (rule + reason), control or outranked. */
  debug: DecideDebug[];
}

export interface OfferExplanation {
  offerId: string;
  placement: string;
  priority: number;
  outcome: DecideDebug['outcome'];
  /** The first failing check, when excluded. */
  rule?: string;
  reason?: string;
  /** Every check evaluated, passing or not, in evaluation order. */
  checks: RuleCheck[];
  /** Targeting rules all hold (the account is assigned). */
  eligible: boolean;
  arm: Arm | null;
  /** Where the arm comes from: recorded before, recorded by this decision, or none. */
  assignment: 'existing' | 'new' | null;
  variant: string | null;
  /** What the widget would render (shown offers only). */
  decided?: DecidedOffer;
}

export interface Explanation {
  offers: OfferExplanation[];
  newAssignments: Assignment[];
}

const byPriority = (a: OfferDefinition, b: OfferDefinition): number =>
  b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Builds what the widget renders, or says why the offer's configuration cannot be shown. */
export function buildDecidedOffer(
  offer: OfferDefinition,
  variant: OfferVariant | null,
  products: readonly Product[],
): { ok: true; offer: DecidedOffer } | { ok: false; reason: string } {
  const product = products.find((p) => p.id === offer.productId);
  if (!product) return { ok: false, reason: `product ${JSON.stringify(offer.productId)} is not configured` };
  const content = { ...offer.content };
  if (variant?.content) {
    for (const [k, v] of Object.entries(variant.content) as [keyof typeof content, string | undefined][]) {
      if (v !== undefined) content[k] = v;
    }
  }
  const decided: DecidedOffer = {
    offerId: offer.id,
    placement: offer.placement,
    kind: offer.kind,
    display: offer.display,
    variant: variant?.key ?? null,
    content,
    productId: product.id,
    productName: product.name,
    action: offer.action,
  };
  if (offer.trialDays !== undefined) decided.trialDays = offer.trialDays;
  if ((offer.kind === 'bundle' || offer.kind === 'upgrade') && offer.bundle) {
    const prices = [];
    for (const id of offer.bundle.productIds) {
      const p = products.find((x) => x.id === id);
      if (!p) return { ok: false, reason: `bundle product ${JSON.stringify(id)} is not configured` };
      prices.push(p.listPrice);
    }
    try {
      decided.quote = bundleQuote(prices, variant?.discountPercent ?? offer.bundle.discountPercent);
    } catch (err) {
      return { ok: false, reason: `bundle cannot be priced: ${(err as Error).message}` };
    }
  }
  return { ok: true, offer: decided };
}

/**
 * Evaluates every offer of the requested placements for one account and says,
 * per offer, every rule's verdict and the outcome. `decide` is this plus the
 * rendered offers; the console uses it to show why an account is in or out.
 * @example explainAccount(input).offers.map((o) => [o.offerId, o.outcome, o.rule])
 */
export function explainAccount(input: DecisionInput): Explanation {
  const ctx: AccountContext = { now: input.now, account: input.account, userId: input.userId, attached: input.attached };
  const recorded = new Map<string, Assignment>();
  for (const a of input.assignments) if (a.accountId === input.account.id && !recorded.has(a.offerId)) recorded.set(a.offerId, a);
  const out: OfferExplanation[] = [];
  const newAssignments: Assignment[] = [];
  const placements = [...new Set(input.placements)];

  for (const placement of placements) {
    const candidates = input.offers.filter((o) => o.placement === placement).sort(byPriority);
    // Filled by the shown offer, or blocked by a top eligible offer in control.
    let settled = false;
    for (const offer of candidates) {
      const rules = effectiveRules(offer);
      const base = { offerId: offer.id, placement, priority: offer.priority, arm: null, assignment: null, variant: null } as const;
      const checks = offerChecks(offer, rules, input.now);
      const config = buildDecidedOffer(offer, null, input.products);
      checks.push({ rule: 'offerConfig', pass: config.ok, reason: config.ok ? 'offer can be rendered' : config.reason });
      if (checks.every((c) => c.pass)) checks.push(...targetingChecks(rules, ctx));
      const failed = checks.find((c) => !c.pass);
      if (failed) {
        out.push({ ...base, outcome: 'excluded', rule: failed.rule, reason: failed.reason, checks, eligible: false });
        continue;
      }

      // Eligible: the arm recorded the first time wins forever, even if the holdout share changed since.
      const existing = recorded.get(offer.id);
      let arm: Arm;
      let variant: OfferVariant | null = null;
      if (existing) {
        arm = existing.arm;
        if (arm === 'treatment') {
          variant = offer.variants?.find((v) => v.key === existing.variant) ?? pickVariant(offer.id, input.account.id, offer.variants);
        }
      } else {
        arm = assignArm(offer.id, input.account.id, offer.holdout);
        variant = arm === 'treatment' ? pickVariant(offer.id, input.account.id, offer.variants) : null;
        const a: Assignment = { accountId: input.account.id, offerId: offer.id, arm, variant: variant?.key ?? null, assignedAt: input.now };
        newAssignments.push(a);
        recorded.set(offer.id, a);
      }
      const assigned = { ...base, checks, eligible: true, arm, assignment: existing ? 'existing' : 'new', variant: variant?.key ?? null } as const;

      if (settled) {
        out.push({ ...assigned, outcome: 'outranked', reason: 'a higher-priority offer holds this placement' });
        continue;
      }
      if (arm === 'control') {
        // The placement stays empty rather than falling through to a lower offer.
        // Control accounts must see what they would have seen without this offer's
        // existence being decided by the hash; showing them another offer would make
        // this offer's lift "offer vs other offer" and would hand the lower offer an
        // audience skewed toward this offer's control arm. Both arms stay comparable.
        settled = true;
        out.push({ ...assigned, outcome: 'control', reason: 'held out: control arm of the holdout' });
        continue;
      }
      const caps = capChecks(offer, rules, ctx, input.history);
      checks.push(...caps);
      const capped = caps.find((c) => !c.pass);
      if (capped) {
        out.push({ ...assigned, outcome: 'excluded', rule: capped.rule, reason: capped.reason });
        continue;
      }
      const built = buildDecidedOffer(offer, variant, input.products);
      if (!built.ok) {
        checks.push({ rule: 'offerConfig', pass: false, reason: built.reason });
        out.push({ ...assigned, outcome: 'excluded', rule: 'offerConfig', reason: built.reason });
        continue;
      }
      settled = true;
      out.push({ ...assigned, outcome: 'shown', decided: built.offer });
    }
  }
  return { offers: out, newAssignments };
}

/**
 * Decides the offers to show now: per placement the highest-priority eligible
 * offer (ties by offer id), treatment arm only, within caps and cooldowns.
 * @example decide({ now: Date.now(), account, userId: 'u1', placements: ['home'], offers, products, attached: false, history, assignments: [] })
 */
export function decide(input: DecisionInput): DecisionOutput {
  const { offers, newAssignments } = explainAccount(input);
  const shown: DecidedOffer[] = [];
  const debug: DecideDebug[] = [];
  for (const o of offers) {
    if (o.decided) shown.push(o.decided);
    const d: DecideDebug = { offerId: o.offerId, placement: o.placement, outcome: o.outcome };
    if (o.rule !== undefined) d.rule = o.rule;
    if (o.reason !== undefined) d.reason = o.reason;
    debug.push(d);
  }
  return { offers: shown, newAssignments, debug };
}
