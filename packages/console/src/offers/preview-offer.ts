/**
 * Builds what decide would send the widget for a draft, so the preview renders
 * the real widget with the offer being edited. Pricing uses the same core math
 * as the server (bundleQuote over the included products' list prices).
 */
import { bundleQuote, type DecidedOffer, type OfferDefinition, type PriceQuote, type Product } from '@tandem/core';

export interface PreviewOptions {
  /** Variant key to preview, or null for the base offer. */
  variant: string | null;
  /** Show prices in this currency instead of the products' own (amounts are not converted). */
  currency?: string;
}

export interface PreviewResult {
  offer: DecidedOffer;
  /** Why the price could not be shown, when it could not. */
  priceProblem: string | null;
}

/**
 * @example toDecidedOffer(draft, products, { variant: null }).offer.content.headline
 */
export function toDecidedOffer(def: OfferDefinition, products: readonly Product[], opts: PreviewOptions): PreviewResult {
  const variant = opts.variant ? def.variants?.find((v) => v.key === opts.variant) : undefined;
  const product = products.find((p) => p.id === def.productId);
  const content = { ...def.content, ...stripEmpty(variant?.content ?? {}) };
  const offer: DecidedOffer = {
    offerId: def.id || 'preview',
    placement: def.placement,
    kind: def.kind,
    display: def.display,
    variant: variant?.key ?? null,
    content,
    productId: def.productId,
    productName: product?.name ?? def.productId,
    action: def.action,
  };
  let priceProblem: string | null = null;
  if (def.kind === 'trial') {
    offer.trialDays = def.trialDays ?? 14;
  } else {
    const ids = def.bundle?.productIds ?? [];
    const discount = variant?.discountPercent ?? def.bundle?.discountPercent ?? 0;
    const prices = ids.map((id) => products.find((p) => p.id === id)?.listPrice).filter((p) => p !== undefined);
    if (prices.length !== ids.length || prices.length === 0) priceProblem = 'Pick the included products to see the price';
    else {
      const currency = opts.currency?.trim().toUpperCase();
      try {
        const quote: PriceQuote = bundleQuote(
          prices.map((p) => (currency ? { ...p, currency } : p)),
          discount,
        );
        offer.quote = quote;
      } catch (err) {
        priceProblem = (err as Error).message;
      }
    }
  }
  return { offer, priceProblem };
}

function stripEmpty<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string' && v.trim() !== '')) as Partial<T>;
}
