export { type AccountContext, capChecks, daysBetween, offerChecks, type RuleCheck, type RuleName, targetingChecks } from './checks.ts';
export {
  buildDecidedOffer,
  type DecisionInput,
  type DecisionOutput,
  decide,
  type Explanation,
  explainAccount,
  type OfferExplanation,
} from './decide.ts';
export { decideOffers } from './decide-offers.ts';
export { DEFAULT_RULES, type EffectiveRules, effectiveRules } from './defaults.ts';
export { pickVariant } from './variants.ts';
