import { BENCH_KEYS } from './tandem-server.ts';

const DAY = 86_400_000;
const PLANS = ['starter', 'pro', 'business', 'enterprise'];
const REGIONS = ['na', 'emea', 'apac', 'latam'];
const CHANNELS = ['direct', 'direct', 'direct', 'partner-acme', 'partner-globex'];

async function post(url: string, method: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEYS.secret}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
  return res.json();
}

/** Deterministic PRNG (mulberry32) so every run measures the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Accounts activated over the last 400 days with plans, regions, channels, ARR and feature usage. */
export async function seedAccounts(url: string, count: number, now: number): Promise<string[]> {
  const rand = prng(42);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const accounts = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const id = `acct-${i}`;
      ids.push(id);
      const days = Math.floor(rand() * 400);
      accounts.push({
        id,
        activatedAt: new Date(now - days * DAY).toISOString(),
        plan: PLANS[Math.floor(rand() * PLANS.length)],
        arr: Math.round(2000 + rand() * 60000),
        currency: 'USD',
        region: REGIONS[Math.floor(rand() * REGIONS.length)],
        channel: CHANNELS[Math.floor(rand() * CHANNELS.length)],
        coreValueAt: rand() < 0.8 ? new Date(now - Math.max(0, days - 20) * DAY).toISOString() : null,
        renewalAt: new Date(now + Math.floor(rand() * 365) * DAY).toISOString(),
        usage: { reports: Math.floor(rand() * 50), invoices: Math.floor(rand() * 500) },
      });
    }
    await post(`${url}/v1/accounts/batch`, 'POST', { accounts });
  }
  return ids;
}

/** A realistic offer set: several offers per placement with different rules and priorities. */
export async function seedOffers(url: string): Promise<void> {
  const base = {
    status: 'published',
    productId: 'insights',
    holdout: 0.2,
    action: { type: 'callback' },
    content: { headline: 'Try Insights free for 14 days', body: 'See where your cash goes.', cta: 'Start free trial' },
  };
  const offers = [
    { ...base, id: 'trial-pro', name: 'Trial for pro', kind: 'trial', placement: 'dashboard', display: 'inline', priority: 30, trialDays: 14, rules: { plans: ['pro', 'business'], readiness: [{ feature: 'reports', min: 10 }] } },
    { ...base, id: 'trial-all', name: 'Trial for all', kind: 'trial', placement: 'dashboard', display: 'inline', priority: 10, trialDays: 14, rules: {} },
    { ...base, id: 'bundle-ent', name: 'Enterprise bundle', kind: 'bundle', placement: 'dashboard', display: 'inline', priority: 20, bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 }, rules: { plans: ['enterprise'], arr: { min: 20000 } } },
    { ...base, id: 'banner-partner', name: 'Partner banner', kind: 'trial', placement: 'banner', display: 'banner', priority: 10, trialDays: 30, rules: { channels: ['partner-acme', 'partner-globex'] } },
    { ...base, id: 'banner-upgrade', name: 'Upgrade banner', kind: 'upgrade', placement: 'banner', display: 'banner', priority: 5, bundle: { productIds: ['ledger', 'insights'], discountPercent: 10 }, rules: { activationDays: { min: 30, max: 365 }, minDaysToRenewal: 30 } },
  ];
  for (const offer of offers) await post(`${url}/v1/offers`, 'POST', offer);
}
