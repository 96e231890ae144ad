/**
 * Seeded history for the demo: a few thousand Ledger accounts activated over
 * the last 18 months, the three Insights offers, and what happened to each
 * account — assignments, exposures, clicks, trials, paid conversions,
 * cancellations and Insights usage — sent through the public API with the
 * secret key and back-dated `at`, so the console's curves, funnel and lift
 * tell a story. Deterministic for a given seed and "now".
 *
 *   node --import tsx demo/seed.ts --api http://127.0.0.1:8787 [--accounts 3000] [--seed 42]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Account, assignArm, type OfferDefinition, type TandemEvent } from '@tandem/core';
import { type TandemApi, tandemApi } from './api.ts';
import { upsertDemoAccounts } from './accounts.ts';
import { PRODUCT_TWO, SECRET_KEY } from './config.ts';
import { BUNDLE_OFFER_ID, DEMO_OFFERS, HOLDOUT, TRIAL_OFFER_ID, UPGRADE_OFFER_ID } from './offers.ts';
import { createRng } from './random.ts';

const DAY = 86_400_000;
const HISTORY_DAYS = 548; // 18 months
const BATCH = 500;

export interface SeedOptions {
  apiUrl: string;
  secretKey?: string;
  /** "Now" of the story (epoch ms); default Date.now(). */
  now?: number;
  /** Historical accounts to generate (default 3000). */
  accounts?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface SeedSummary {
  accounts: number;
  offers: number;
  assignments: number;
  /** False when the server has no back-dated assignment import: funnel and lift then cover live traffic only. */
  assignmentsImported: boolean;
  events: number;
  conversions: number;
}

/** An assignment that happened in the past, for the server's import endpoint. */
export interface HistoricAssignment {
  accountId: string;
  offerId: string;
  variant: string | null;
  at: string;
}

export interface History {
  accounts: Account[];
  assignments: HistoricAssignment[];
  /** Browser events (exposure, click, trial_start) and backend conversions, time-ordered. */
  events: TandemEvent[];
}

const PLANS = ['starter', 'growth', 'scale'] as const;
const PLAN_ARR: Record<(typeof PLANS)[number], [number, number]> = {
  starter: [480, 1_800],
  growth: [3_000, 9_600],
  scale: [12_000, 48_000],
};
const REGIONS = ['na', 'emea', 'apac', 'latam'] as const;
const CHANNELS = ['direct', 'Acme Resellers', 'Brightline Partners'] as const;
const INSIGHTS_ARR = PRODUCT_TWO.monthly * 12;

/**
 * Generates the history (pure: no I/O). Treatment accounts attach more than
 * control ones, and every account may also attach on its own, so the lift is
 * visible and the cohort curves climb with age.
 * @example const h = generateHistory({ now: Date.now(), accounts: 100, seed: 1 }); h.events.length
 */
export function generateHistory(opts: { now: number; accounts: number; seed: number }): History {
  const rng = createRng(opts.seed);
  const { now } = opts;
  const accounts: Account[] = [];
  const assignments: HistoricAssignment[] = [];
  const events: TandemEvent[] = [];

  for (let i = 0; i < opts.accounts; i++) {
    const id = `acct_${String(i + 1).padStart(5, '0')}`;
    // Sign-ups grow over time: more recent activations are likelier.
    const age = Math.floor(HISTORY_DAYS * (1 - Math.sqrt(rng.next())));
    const activatedAt = now - age * DAY - rng.int(0, DAY - 1);
    const plan = rng.weighted(PLANS, [45, 40, 15]);
    const [lo, hi] = PLAN_ARR[plan];
    accounts.push({
      id,
      activatedAt: iso(activatedAt),
      plan,
      arr: Math.round(rng.between(lo, hi) / 12) * 12,
      currency: 'USD',
      coreValueAt: rng.chance(0.9) ? iso(activatedAt + rng.int(2, 30) * DAY) : null,
      renewalAt: iso(activatedAt + 365 * DAY * Math.ceil((now - activatedAt + 1) / (365 * DAY))),
      region: rng.weighted(REGIONS, [45, 30, 15, 10]),
      channel: rng.weighted(CHANNELS, [70, 18, 12]),
      pastDue: rng.chance(0.03),
      salesOwned: plan === 'scale' && rng.chance(0.1),
      attributes: { seeded: true },
      usage: { invoices_sent: rng.int(5, 400), bank_feeds: rng.int(0, 4) },
    });

    const user = `u_${id.slice(5)}_${rng.int(1, 3)}`;
    const at = (dayOffset: number) => activatedAt + dayOffset * DAY;
    const ev = (type: TandemEvent['type'], when: number, extra: Partial<TandemEvent> = {}): void => {
      if (when <= now) events.push({ id: rng.uuidv7(when), type, accountId: id, at: iso(when), ...extra });
    };

    // Organic attach: some accounts find Insights on their own, whatever the arm.
    let attachDay: number | null = rng.chance(0.2) ? rng.int(20, 500) : null;
    const attachVia = (day: number, offerId: string | undefined, paidChance: number, trial: boolean): void => {
      if (attachDay !== null && attachDay <= day) return;
      attachDay = day;
      const offer = offerId ? { offerId } : {};
      if (trial) {
        ev('trial_started', at(day), { productId: PRODUCT_TWO.id, ...offer });
        if (rng.chance(paidChance)) convertPaid(day + 14, offer);
      } else convertPaid(day, offer);
    };
    const convertPaid = (day: number, offer: { offerId?: string }): void => {
      ev('paid', at(day), { productId: PRODUCT_TWO.id, arr: INSIGHTS_ARR, ...offer });
      const canceledDay = rng.chance(0.15) ? day + rng.int(30, 240) : null;
      // Monthly usage while subscribed; a fifth of subscribers stop using it (paid but not active).
      const lastUsageDay = canceledDay ?? (rng.chance(0.2) ? day + rng.int(10, 90) : Number.POSITIVE_INFINITY);
      for (let d = day + rng.int(1, 10); d < lastUsageDay && at(d) <= now; d += 30) {
        ev('usage', at(d), { productId: PRODUCT_TWO.id, quantity: rng.int(1, 60) });
      }
      if (canceledDay !== null) ev('canceled', at(canceledDay), { productId: PRODUCT_TWO.id, ...offer });
    };
    const organicDay = attachDay;
    const attachedBefore = (day: number) => organicDay !== null && organicDay < day;

    // Offer 1: the trial card, 60–120 days after activation.
    const trialStart = rng.int(60, 68);
    if (at(trialStart) <= now && !attachedBefore(trialStart) && !accounts[i]!.pastDue) {
      const acct = accounts[i]!;
      assignments.push({ accountId: id, offerId: TRIAL_OFFER_ID, variant: null, at: iso(at(trialStart)) });
      if (assignArm(TRIAL_OFFER_ID, id, HOLDOUT) === 'treatment' && acct.salesOwned !== true) {
        const browser = { offerId: TRIAL_OFFER_ID, userId: user, placement: 'dashboard-inline' };
        if (rng.chance(0.85)) {
          ev('exposure', at(trialStart) + 5_000, browser);
          if (rng.chance(0.38)) {
            const clickDay = trialStart + rng.int(0, 10);
            ev('click', at(clickDay) + 60_000, browser);
            if (rng.chance(0.65)) {
              ev('trial_start', at(clickDay) + 90_000, browser);
              attachVia(clickDay, TRIAL_OFFER_ID, 0.55, true);
            }
          }
        }
      }
    }

    // Offer 2: the bundle banner, 121–365 days, for accounts still without Insights.
    const bundleStart = rng.int(121, 130);
    if (at(bundleStart) <= now && (attachDay === null || attachDay > bundleStart) && !accounts[i]!.pastDue) {
      assignments.push({ accountId: id, offerId: BUNDLE_OFFER_ID, variant: null, at: iso(at(bundleStart)) });
      if (assignArm(BUNDLE_OFFER_ID, id, HOLDOUT) === 'treatment' && rng.chance(0.75)) {
        const browser = { offerId: BUNDLE_OFFER_ID, userId: user, placement: 'dashboard-banner' };
        ev('exposure', at(bundleStart) + 3_000, browser);
        if (rng.chance(0.22)) {
          const clickDay = bundleStart + rng.int(0, 20);
          ev('click', at(clickDay) + 30_000, browser);
          if (rng.chance(0.5)) attachVia(clickDay + rng.int(0, 3), BUNDLE_OFFER_ID, 1, false);
        }
      }
    }

    // Offer 3: upgrade for starter accounts past the trial window.
    const upgradeStart = rng.int(125, 140);
    if (plan === 'starter' && at(upgradeStart) <= now && (attachDay === null || attachDay > upgradeStart)) {
      assignments.push({ accountId: id, offerId: UPGRADE_OFFER_ID, variant: null, at: iso(at(upgradeStart)) });
      if (assignArm(UPGRADE_OFFER_ID, id, HOLDOUT) === 'treatment' && rng.chance(0.7)) {
        const browser = { offerId: UPGRADE_OFFER_ID, userId: user, placement: 'dashboard-inline' };
        ev('exposure', at(upgradeStart) + 4_000, browser);
        if (rng.chance(0.15)) {
          const clickDay = upgradeStart + rng.int(0, 15);
          ev('click', at(clickDay) + 45_000, browser);
          if (rng.chance(0.4)) attachVia(clickDay + rng.int(1, 5), UPGRADE_OFFER_ID, 1, false);
        }
      }
    }

    // The organic attach, unless an offer got there first.
    if (organicDay !== null && attachDay === organicDay) {
      attachDay = null;
      attachVia(organicDay, undefined, 0.55, rng.chance(0.7));
    }
  }

  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { accounts, assignments, events };
}

/** True when the server already holds the demo's offers (so a restart does not seed twice). */
export async function isSeeded(api: TandemApi): Promise<boolean> {
  const offers = await api.request<unknown>('GET', '/v1/offers');
  const list = Array.isArray(offers) ? offers : ((offers as { offers?: unknown[] } | null)?.offers ?? []);
  return list.some((o) => (o as OfferDefinition).id === TRIAL_OFFER_ID);
}

/** Creates or replaces one offer. */
async function putOffer(api: TandemApi, offer: OfferDefinition): Promise<void> {
  const existing = await api.requestOrNull('GET', `/v1/offers/${encodeURIComponent(offer.id)}`);
  if (existing) await api.request('PUT', `/v1/offers/${encodeURIComponent(offer.id)}`, offer);
  else await api.request('POST', '/v1/offers', offer);
}

/**
 * Seeds a server through its public API: offers, the live demo accounts, and
 * the generated history.
 * @example await seedDemo({ apiUrl: 'http://127.0.0.1:8787' })
 */
export async function seedDemo(opts: SeedOptions): Promise<SeedSummary> {
  const now = opts.now ?? Date.now();
  const log = opts.log ?? (() => {});
  const api = tandemApi(opts.apiUrl, opts.secretKey ?? SECRET_KEY);
  const history = generateHistory({ now, accounts: opts.accounts ?? 3000, seed: opts.seed ?? 42 });

  for (const offer of DEMO_OFFERS) await putOffer(api, offer);
  await upsertDemoAccounts(api, now, { history: true });
  for (let i = 0; i < history.accounts.length; i += BATCH) {
    await api.request('POST', '/v1/accounts/batch', { accounts: history.accounts.slice(i, i + BATCH) });
  }
  log(`seed: ${history.accounts.length} accounts, ${DEMO_OFFERS.length} offers`);

  // Assignments first, so the events that follow find their (account, offer) facts.
  let assignmentsImported = true;
  for (let i = 0; i < history.assignments.length && assignmentsImported; i += BATCH) {
    const answer = await api.requestOrNull('POST', '/v1/assignments', { assignments: history.assignments.slice(i, i + BATCH) });
    if (answer === null) {
      assignmentsImported = false;
      log('seed: this server has no POST /v1/assignments (back-dated assignment import); funnel and lift will show live traffic only');
    }
  }

  let conversions = 0;
  for (let i = 0; i < history.events.length; i += BATCH) {
    const batch = history.events.slice(i, i + BATCH);
    const answer = await api.request<{ rejected?: { index: number; code: string; message: string }[] }>('POST', '/v1/events', {
      events: batch,
    });
    for (const r of answer.rejected ?? []) {
      const event = batch[r.index]!;
      throw new Error(`seed: the server refused a ${event.type} event of ${event.accountId}: ${r.code} ${r.message}`);
    }
    conversions += batch.filter((e) => !['exposure', 'click', 'dismiss', 'trial_start'].includes(e.type)).length;
  }
  log(`seed: ${history.assignments.length} assignments, ${history.events.length} events (${conversions} conversions)`);
  return {
    accounts: history.accounts.length,
    offers: DEMO_OFFERS.length,
    assignments: history.assignments.length,
    assignmentsImported,
    events: history.events.length,
    conversions,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      api: { type: 'string', default: process.env.TANDEM_API_URL ?? 'http://127.0.0.1:8787' },
      accounts: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '42' },
    },
  });
  const accounts = Number(values.accounts);
  if (!Number.isInteger(accounts) || accounts < 0) throw new Error(`--accounts must be a whole number, got "${values.accounts}"`);
  const started = performance.now();
  const summary = await seedDemo({ apiUrl: values.api, accounts, seed: Number(values.seed), log: console.log });
  console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`, summary);
}
