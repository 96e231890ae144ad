/**
 * The demo's three offers for Insights (product two), as a growth team would
 * set them up in the console.
 */
import type { OfferDefinition } from '@tandem/core';
import { PRODUCT_ONE, PRODUCT_TWO } from './config.ts';

export const TRIAL_OFFER_ID = 'insights-trial';
export const BUNDLE_OFFER_ID = 'insights-bundle';
export const UPGRADE_OFFER_ID = 'insights-upgrade';

/** Placements on the Ledger dashboard. */
export const INLINE_PLACEMENT = 'dashboard-inline';
export const BANNER_PLACEMENT = 'dashboard-banner';

export const HOLDOUT = 0.2;

/** Accounts 60–120 days in get a 14-day trial inline on the dashboard. */
export const TRIAL_OFFER: OfferDefinition = {
  id: TRIAL_OFFER_ID,
  name: 'Insights trial — dashboard card',
  status: 'published',
  kind: 'trial',
  placement: INLINE_PLACEMENT,
  display: 'inline',
  priority: 10,
  productId: PRODUCT_TWO.id,
  content: {
    headline: 'See where your cash is going next quarter',
    body: 'Insights turns your Ledger books into cash-flow forecasts and spend alerts. Try it free for 14 days — no card needed.',
    cta: 'Start free trial',
    dismissLabel: 'Not now',
  },
  trialDays: 14,
  action: { type: 'callback' },
  holdout: HOLDOUT,
  caps: { exposures: { maxExposures: 3, days: 7, scope: 'user' }, dismiss: { days: 14, scope: 'account' } },
  rules: { activationDays: { min: 60, max: 120 } },
};

/** Accounts past the trial window (121–365 days) get a bundle at 20 % off, as a banner. */
export const BUNDLE_OFFER: OfferDefinition = {
  id: BUNDLE_OFFER_ID,
  name: 'Ledger + Insights bundle — banner',
  status: 'published',
  kind: 'bundle',
  placement: BANNER_PLACEMENT,
  display: 'banner',
  priority: 10,
  productId: PRODUCT_TWO.id,
  content: {
    headline: 'Ledger + Insights, 20 % off',
    body: 'Add forecasting to your books and pay less for both.',
    cta: 'Get the bundle',
  },
  bundle: { productIds: [PRODUCT_ONE.id, PRODUCT_TWO.id], discountPercent: 20 },
  action: { type: 'callback' },
  holdout: HOLDOUT,
  caps: { exposures: { maxExposures: 3, days: 7, scope: 'user' }, dismiss: { days: 14, scope: 'account' } },
  rules: { activationDays: { min: 121, max: 365 } },
};

/** Starter accounts are offered the Growth tier, which includes Insights. */
export const UPGRADE_OFFER: OfferDefinition = {
  id: UPGRADE_OFFER_ID,
  name: 'Upgrade to Growth (includes Insights)',
  status: 'published',
  kind: 'upgrade',
  placement: INLINE_PLACEMENT,
  display: 'inline',
  priority: 5,
  productId: PRODUCT_TWO.id,
  content: {
    headline: 'Growth includes Insights',
    body: 'Move to the Growth plan to get forecasting, spend alerts and two more seats.',
    cta: 'See the Growth plan',
  },
  bundle: { productIds: [PRODUCT_ONE.id, PRODUCT_TWO.id], discountPercent: 10 },
  action: { type: 'url', url: '/billing?plan=growth' },
  holdout: HOLDOUT,
  rules: { activationDays: { min: 60, max: 365 }, plans: ['starter'] },
};

export const DEMO_OFFERS: readonly OfferDefinition[] = [TRIAL_OFFER, BUNDLE_OFFER, UPGRADE_OFFER];
