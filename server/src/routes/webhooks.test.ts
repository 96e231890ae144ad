import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { endAdminPool, openTestApp, STORE_KINDS, type TestApp, WEBHOOK_SECRET } from '../testing/harness.ts';

const stripe = new Stripe('sk_unused_offline');
let seq = 0;

function subscriptionEvent(type: string, status: string, over: Record<string, unknown> = {}) {
  seq++;
  return {
    id: `evt_test_${Date.now()}_${seq}`,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000) - 10,
    data: {
      object: {
        id: `sub_${seq}`,
        object: 'subscription',
        status,
        customer: 'cus_1',
        metadata: { tandem_account_id: 'acct_s' },
        items: {
          data: [{ price: { id: 'price_insights_monthly', product: 'prod_insights', unit_amount: 2900, recurring: { interval: 'month', interval_count: 1 } }, quantity: 1 }],
        },
        ...over,
      },
    },
  };
}

describe.each(STORE_KINDS)('POST /v1/webhooks/stripe (%s)', (kind) => {
  let t: TestApp;
  let before: number;
  const deliver = (payload: string, header: string) =>
    t.app.inject({ method: 'POST', url: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
  const sign = (payload: string, opts: { secret?: string; timestamp?: number } = {}) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000) });

  beforeAll(async () => {
    t = await openTestApp({ kind });
  });
  beforeEach(async () => {
    before = await t.store.countEvents();
  });
  afterAll(async () => {
    await t.close();
    await endAdminPool();
  });

  it('turns a trialing subscription into trial_started for the metadata account', async () => {
    const payload = JSON.stringify(subscriptionEvent('customer.subscription.created', 'trialing'));
    const res = await deliver(payload, sign(payload));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ applied: true, type: 'trial_started', accountId: 'acct_s' });
    expect(await t.store.countEvents()).toBe(before + 1);
    expect(await t.store.isAttached('acct_s', Date.now())).toBe(true);
  });

  it('maps active → paid, deleted → canceled, invoice.paid → paid (with ARR from the price)', async () => {
    for (const [event, type] of [
      [subscriptionEvent('customer.subscription.updated', 'active'), 'paid'],
      [subscriptionEvent('customer.subscription.deleted', 'canceled'), 'canceled'],
      [
        {
          ...subscriptionEvent('invoice.paid', 'paid'),
          data: {
            object: {
              id: `in_${seq}`,
              object: 'invoice',
              customer: 'cus_1',
              parent: { subscription_details: { metadata: { tandem_account_id: 'acct_s' } } },
              lines: { data: [{ pricing: { price_details: { price: 'price_insights_monthly', product: 'prod_insights' } } }] },
            },
          },
        },
        'paid',
      ],
    ] as const) {
      const payload = JSON.stringify(event);
      const res = await deliver(payload, sign(payload));
      expect(res.json(), event.type).toMatchObject({ applied: true, type });
    }
  });

  it('ignores events for other products or without the account metadata (200, nothing stored)', async () => {
    const other = subscriptionEvent('customer.subscription.created', 'active', {
      items: { data: [{ price: { id: 'price_other', product: 'prod_other' } }] },
    });
    const noAccount = subscriptionEvent('customer.subscription.created', 'active', { metadata: {} });
    for (const event of [other, noAccount]) {
      const payload = JSON.stringify(event);
      const res = await deliver(payload, sign(payload));
      expect(res.statusCode).toBe(200);
      expect(res.json().applied).toBe(false);
    }
    expect(await t.store.countEvents()).toBe(before);
  });

  it('refuses stale, future, tampered and wrong-secret signatures with 400 and stores nothing', async () => {
    const event = subscriptionEvent('customer.subscription.created', 'active');
    const payload = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, [string, string]> = {
      stale: [payload, sign(payload, { timestamp: now - 301 })],
      future: [payload, sign(payload, { timestamp: now + 600 })],
      tampered: [payload.replace('acct_s', 'acct_x'), sign(payload)],
      wrongSecret: [payload, sign(payload, { secret: 'whsec_someone_else' })],
      missing: [payload, ''],
    };
    for (const [name, [body, header]] of Object.entries(cases)) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks/stripe',
        headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
        payload: body,
      });
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error.code, name).toBe('invalid_signature');
    }
    expect(await t.store.countEvents()).toBe(before);
    expect(await t.store.claimStripeEvent(event.id, Date.now())).toBe(true); // never claimed by a refused delivery
  });

  it('applies the same event once when delivered twice in parallel (and again later)', async () => {
    const payload = JSON.stringify(subscriptionEvent('customer.subscription.updated', 'active'));
    const header = sign(payload);
    const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(payload, header)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(answers.filter((r) => r.json().applied === true)).toHaveLength(1);
    const later = await deliver(payload, header);
    expect(later.json()).toMatchObject({ applied: false, duplicate: true });
    expect(await t.store.countEvents()).toBe(before + 1);
  });

  it('counts invoice.paid and invoice.payment_succeeded of one invoice once', async () => {
    const invoice = {
      id: 'in_double',
      object: 'invoice',
      subscription_details: { metadata: { tandem_account_id: 'acct_s' } },
      lines: { data: [{ price: { id: 'price_insights_monthly', product: 'prod_insights' } }] },
    };
    for (const type of ['invoice.paid', 'invoice.payment_succeeded']) {
      const payload = JSON.stringify({ id: `evt_${type}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object: invoice } });
      expect((await deliver(payload, sign(payload))).statusCode).toBe(200);
    }
    expect(await t.store.countEvents()).toBe(before + 1);
  });
});
