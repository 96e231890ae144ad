/**
 * The accounts the demo's switcher offers, each at a telling moment of its
 * life. Activation dates are relative to "now", so the moments stay true on
 * any day the demo is started.
 */
import { type Account, assignArm } from '@tandem/core';
import type { TandemApi } from './api.ts';
import { PRODUCT_TWO } from './config.ts';
import { BUNDLE_OFFER_ID, HOLDOUT, TRIAL_OFFER_ID } from './offers.ts';
import { createRng } from './random.ts';

const DAY = 86_400_000;

export type Moment = 'day10' | 'day65' | 'day100-holdout' | 'day140' | 'attached' | 'past-due';

export interface DemoAccount {
  moment: Moment;
  id: string;
  company: string;
  user: { id: string; name: string; email: string };
  daysSinceActivation: number;
  plan: string;
  arr: number;
  region: string;
  channel: string;
  pastDue: boolean;
  /** One line for the switcher: why this account is interesting. */
  story: string;
}

/**
 * The first id from `base`, `base-2`, `base-3`… that `accept` takes: keeps the
 * holdout account in control (and the others in treatment) for the shared hash.
 */
function pickId(base: string, accept: (id: string) => boolean): string {
  for (let n = 1; n < 1000; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (accept(id)) return id;
  }
  throw new Error(`No account id derived from "${base}" satisfies the demo's assignment constraint`);
}

const treatment = (offerId: string) => (id: string) => assignArm(offerId, id, HOLDOUT) === 'treatment';
const control = (offerId: string) => (id: string) => assignArm(offerId, id, HOLDOUT) === 'control';

/** The six demo accounts, in switcher order. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    moment: 'day10',
    id: 'acct_fernwood',
    company: 'Fernwood Bakery',
    user: { id: 'u_fernwood_maya', name: 'Maya Lindqvist', email: 'maya@fernwood.example' },
    daysSinceActivation: 10,
    plan: 'starter',
    arr: 588,
    region: 'emea',
    channel: 'direct',
    pastDue: false,
    story: '10 days in — too early, nothing is offered yet',
  },
  {
    moment: 'day65',
    id: pickId('acct_harbor', treatment(TRIAL_OFFER_ID)),
    company: 'Harbor & Finch Studio',
    user: { id: 'u_harbor_sam', name: 'Sam Okafor', email: 'sam@harborfinch.example' },
    daysSinceActivation: 65,
    plan: 'growth',
    arr: 4_680,
    region: 'na',
    channel: 'direct',
    pastDue: false,
    story: '65 days in — in the window: the Insights trial appears',
  },
  {
    moment: 'day100-holdout',
    id: pickId('acct_quarry', control(TRIAL_OFFER_ID)),
    company: 'Quarry Lane Logistics',
    user: { id: 'u_quarry_ines', name: 'Inès Moreau', email: 'ines@quarrylane.example' },
    daysSinceActivation: 100,
    plan: 'growth',
    arr: 7_200,
    region: 'emea',
    channel: 'Brightline Partners',
    pastDue: false,
    story: '100 days in — in the holdout (control): sees nothing, still measured',
  },
  {
    moment: 'day140',
    id: pickId('acct_oakridge', treatment(BUNDLE_OFFER_ID)),
    company: 'Oakridge Dental Group',
    user: { id: 'u_oakridge_lee', name: 'Jun Lee', email: 'jun@oakridge.example' },
    daysSinceActivation: 140,
    plan: 'scale',
    arr: 18_000,
    region: 'apac',
    channel: 'direct',
    pastDue: false,
    story: '140 days in — past the trial window: the bundle banner at 20 % off',
  },
  {
    moment: 'attached',
    id: 'acct_lumen',
    company: 'Lumen Coffee Roasters',
    user: { id: 'u_lumen_ana', name: 'Ana Costa', email: 'ana@lumencoffee.example' },
    daysSinceActivation: 90,
    plan: 'growth',
    arr: 5_400,
    region: 'latam',
    channel: 'direct',
    pastDue: false,
    story: 'Already pays for Insights — never offered again',
  },
  {
    moment: 'past-due',
    id: 'acct_copperline',
    company: 'Copperline Electric',
    user: { id: 'u_copperline_ray', name: 'Ray Whitfield', email: 'ray@copperline.example' },
    daysSinceActivation: 80,
    plan: 'growth',
    arr: 6_000,
    region: 'na',
    channel: 'Acme Resellers',
    pastDue: true,
    story: '80 days in but billing is past due — no upsell now',
  },
];

export function demoAccount(moment: Moment): DemoAccount {
  const account = DEMO_ACCOUNTS.find((a) => a.moment === moment);
  if (!account) throw new Error(`Unknown demo moment "${moment}"`);
  return account;
}

export function findDemoAccount(id: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((a) => a.id === id);
}

/** The wire shape of a demo account, activated `daysSinceActivation` before `now`. */
export function toAccount(a: DemoAccount, now: number): Account {
  const activatedAt = now - a.daysSinceActivation * DAY;
  return {
    id: a.id,
    activatedAt: new Date(activatedAt).toISOString(),
    plan: a.plan,
    arr: a.arr,
    currency: 'USD',
    coreValueAt: new Date(activatedAt + 6 * DAY).toISOString(),
    renewalAt: new Date(activatedAt + 365 * DAY).toISOString(),
    region: a.region,
    channel: a.channel,
    pastDue: a.pastDue,
    salesOwned: false,
    attributes: { company: a.company, demo: true },
    usage: { invoices_sent: 40 + a.daysSinceActivation, bank_feeds: 2 },
  };
}

/**
 * Upserts the demo accounts with activation dates relative to `now` (run on
 * every start so the moments stay true). With `history`, also records the
 * attached account's past Insights trial and subscription.
 */
export async function upsertDemoAccounts(api: TandemApi, now: number, opts: { history: boolean }): Promise<void> {
  await api.request('POST', '/v1/accounts/batch', { accounts: DEMO_ACCOUNTS.map((a) => toAccount(a, now)) });
  if (!opts.history) return;
  const lumen = demoAccount('attached');
  const rng = createRng(7);
  const trialAt = now - 40 * DAY;
  const paidAt = now - 26 * DAY;
  const conversions = [
    { id: rng.uuidv7(trialAt), accountId: lumen.id, type: 'trial_started', productId: PRODUCT_TWO.id, at: iso(trialAt) },
    { id: rng.uuidv7(paidAt), accountId: lumen.id, type: 'paid', productId: PRODUCT_TWO.id, arr: PRODUCT_TWO.monthly * 12, at: iso(paidAt) },
    { id: rng.uuidv7(now - DAY), accountId: lumen.id, type: 'usage', productId: PRODUCT_TWO.id, quantity: 12, at: iso(now - DAY) },
  ];
  for (const c of conversions) await api.request('POST', '/v1/conversions', c);
}

const iso = (ms: number): string => new Date(ms).toISOString();
