/**
 * Turns a verified Stripe event into at most one Tandem conversion.
 *
 * The account comes from `tandem_account_id` metadata found on the object
 * itself: the subscription, an expanded customer, the invoice, or the
 * invoice's subscription details. The server never calls Stripe back, so a
 * customer id alone (not expanded) cannot be resolved — put the metadata on
 * the subscription (Stripe copies subscription metadata into invoices'
 * `subscription_details`).
 */
import type { ConversionType } from '@tandem/core';
import type { ConfigProduct } from '../config.ts';
import { stableUuid } from '../ids.ts';
import type { StoredEvent } from '../store/types.ts';

export const ACCOUNT_METADATA_KEY = 'tandem_account_id';

/** What Stripe sent, as far as we read it (the shapes vary across API versions). */
export interface StripeEventLike {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export type StripeOutcome =
  | { applied: true; event: StoredEvent }
  | { applied: false; reason: string };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): string | null => str(v) ?? str(obj(v)?.id);

function accountFrom(o: Obj): string | null {
  const candidates = [
    obj(o.metadata),
    obj(obj(o.customer)?.metadata),
    obj(obj(o.subscription_details)?.metadata),
    obj(obj(obj(o.parent)?.subscription_details)?.metadata),
    obj(obj(o.subscription)?.metadata),
  ];
  for (const m of candidates) {
    const id = str(m?.[ACCOUNT_METADATA_KEY]);
    if (id) return id.slice(0, 200);
  }
  return null;
}

interface Line {
  priceId: string | null;
  productId: string | null;
  unitAmount: number | null;
  quantity: number;
  interval: string | null;
  intervalCount: number;
}

function lines(o: Obj): Line[] {
  const list = obj(o.items)?.data ?? obj(o.lines)?.data;
  if (!Array.isArray(list)) return [];
  return list.map((raw) => {
    const item = obj(raw) ?? {};
    const price = obj(item.price) ?? obj(item.plan);
    const details = obj(obj(item.pricing)?.price_details);
    const recurring = obj(price?.recurring);
    const quantity = typeof item.quantity === 'number' ? item.quantity : 1;
    return {
      priceId: idOf(item.price) ?? idOf(item.plan) ?? idOf(details?.price),
      productId: idOf(price?.product) ?? idOf(details?.product),
      unitAmount: typeof price?.unit_amount === 'number' ? price.unit_amount : typeof price?.amount === 'number' ? price.amount : null,
      quantity,
      interval: str(recurring?.interval) ?? str(price?.interval),
      intervalCount: typeof recurring?.interval_count === 'number' ? recurring.interval_count : 1,
    };
  });
}

const PER_YEAR: Record<string, number> = { day: 365, week: 52, month: 12, year: 1 };

function matchProduct(o: Obj, products: readonly ConfigProduct[]): { product: ConfigProduct; arr: number | null } | null {
  for (const line of lines(o)) {
    const product = products.find(
      (p) =>
        p.role !== 'primary' &&
        ((line.priceId !== null && p.stripe.priceIds.includes(line.priceId)) ||
          (line.productId !== null && p.stripe.productIds.includes(line.productId))),
    );
    if (!product) continue;
    const perYear = line.interval ? PER_YEAR[line.interval] : undefined;
    const arr =
      line.unitAmount !== null && perYear !== undefined
        ? Math.round(((line.unitAmount * line.quantity * perYear) / line.intervalCount) ) / 100
        : null;
    return { product, arr };
  }
  return null;
}

function conversionType(event: StripeEventLike, o: Obj): ConversionType | null {
  switch (event.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
      if (o.status === 'trialing') return 'trial_started';
      if (o.status === 'active') return 'paid';
      if (o.status === 'canceled') return 'canceled';
      return null;
    case 'customer.subscription.deleted':
      return 'canceled';
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
      return 'paid';
    default:
      return null;
  }
}

/**
 * The conversion a Stripe event stands for. Its id is derived from the Stripe
 * event id (so a redelivery maps to the same row); for invoices from the
 * invoice id, so `invoice.paid` and `invoice.payment_succeeded` for one
 * invoice count once.
 * @example stripeConversion(event, config.products, Date.now())
 */
export function stripeConversion(event: StripeEventLike, products: readonly ConfigProduct[], now: number): StripeOutcome {
  const o = obj(event.data?.object);
  if (!o) return { applied: false, reason: 'event has no data.object' };
  const type = conversionType(event, o);
  if (!type) return { applied: false, reason: `${event.type}${typeof o.status === 'string' ? ` (status ${o.status})` : ''} is not a conversion` };
  const match = matchProduct(o, products);
  if (!match) return { applied: false, reason: 'no line item is a configured Stripe product/price of an offered product' };
  const accountId = accountFrom(o);
  if (!accountId) return { applied: false, reason: `no \`${ACCOUNT_METADATA_KEY}\` metadata on the object` };
  const isInvoice = event.type.startsWith('invoice.');
  const invoiceId = isInvoice ? str(o.id) : null;
  return {
    applied: true,
    event: {
      id: invoiceId ? stableUuid('stripe-invoice-paid', invoiceId) : stableUuid('stripe-event', event.id),
      type,
      accountId,
      userId: null,
      offerId: null,
      variant: null,
      decisionId: null,
      placement: null,
      at: typeof event.created === 'number' ? event.created * 1000 : now,
      receivedAt: now,
      source: 'stripe',
      productId: match.product.id,
      arr: type === 'canceled' ? null : match.arr,
      quantity: null,
    },
  };
}
