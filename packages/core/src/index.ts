export { assignArm, assignmentBucket, DEFAULT_HOLDOUT, fnv1a32 } from './hash.ts';
export type { Arm } from './hash.ts';
export { bundleQuote, currencyDigits, roundCurrency, savingPercent } from './pricing.ts';
export type { BillingInterval, ListPrice, PriceQuote } from './pricing.ts';
export { isUuid, uuidv7, uuidv7Time } from './uuidv7.ts';
export { BROWSER_EVENT_TYPES, CONVERSION_TYPES } from './types.ts';
export type * from './types.ts';
