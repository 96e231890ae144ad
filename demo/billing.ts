/**
 * The demo's stand-in for Stripe: when a customer subscribes to Insights it
 * builds the events Stripe would send, signs them with the webhook secret the
 * way Stripe does, and delivers them to Tandem's `POST /v1/webhooks/stripe`.
 * Paid conversions thus arrive through the real webhook path.
 */
import Stripe from 'stripe';
import { PRODUCT_TWO } from './config.ts';

// The key is never used to call Stripe: the instance only signs test payloads.
const stripe = new Stripe('sk_test_demo_offline_signing_only');

export interface DeliveredWebhook {
  eventId: string;
  type: string;
  status: number;
  body: string;
}

let counter = 0;
const nextSuffix = (): string => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** The Stripe events of a new Insights subscription for `accountId`. */
export function subscriptionEvents(accountId: string, now: number = Date.now()): Record<string, unknown>[] {
  const created = Math.floor(now / 1000);
  const suffix = nextSuffix();
  const customer = `cus_demo_${accountId}`;
  const metadata = { tandem_account_id: accountId };
  const price = {
    id: PRODUCT_TWO.stripePriceId,
    object: 'price',
    product: PRODUCT_TWO.stripeProductId,
    unit_amount: PRODUCT_TWO.monthly * 100,
    currency: 'usd',
    recurring: { interval: 'month', interval_count: 1 },
  };
  const subscription = {
    id: `sub_demo_${suffix}`,
    object: 'subscription',
    customer,
    status: 'active',
    metadata,
    created,
    start_date: created,
    currency: 'usd',
    items: { object: 'list', data: [{ id: `si_demo_${suffix}`, object: 'subscription_item', quantity: 1, price }] },
  };
  const invoice = {
    id: `in_demo_${suffix}`,
    object: 'invoice',
    customer,
    subscription: subscription.id,
    status: 'paid',
    amount_paid: PRODUCT_TWO.monthly * 100,
    currency: 'usd',
    metadata,
    subscription_details: { metadata },
    parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id, metadata } },
    status_transitions: { paid_at: created },
    lines: {
      object: 'list',
      data: [
        {
          id: `il_demo_${suffix}`,
          object: 'line_item',
          amount: PRODUCT_TWO.monthly * 100,
          quantity: 1,
          price,
          pricing: { type: 'price_details', price_details: { price: price.id, product: price.product } },
        },
      ],
    },
  };
  const event = (type: string, object: unknown, n: number) => ({
    id: `evt_demo_${suffix}_${n}`,
    object: 'event',
    api_version: '2025-10-29.clover',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  });
  return [event('customer.subscription.created', subscription, 1), event('invoice.paid', invoice, 2)];
}

/**
 * Signs each event with `webhookSecret` (Stripe's scheme, via the official
 * library) and posts it to Tandem, in order.
 * @example await deliverStripeEvents('http://127.0.0.1:8787', 'whsec_…', subscriptionEvents('acct_1'))
 */
export async function deliverStripeEvents(
  apiUrl: string,
  webhookSecret: string,
  events: Record<string, unknown>[],
): Promise<DeliveredWebhook[]> {
  const delivered: DeliveredWebhook[] = [];
  for (const event of events) {
    const payload = JSON.stringify(event);
    const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
    const res = await fetch(`${apiUrl.replace(/\/+$/, '')}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    delivered.push({ eventId: String(event.id), type: String(event.type), status: res.status, body: await res.text() });
  }
  return delivered;
}
