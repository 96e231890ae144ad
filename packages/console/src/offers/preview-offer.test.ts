import type { OfferDefinition, Product } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { newOffer } from './defaults.ts';
import { toDecidedOffer } from './preview-offer.ts';

const PRODUCTS: Product[] = [
  { id: 'ledger', name: 'Ledger', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
  { id: 'insights', name: 'Insights', listPrice: { amount: 29, currency: 'USD', interval: 'month' } },
];

function bundle(patch: Partial<OfferDefinition> = {}): OfferDefinition {
  return { ...newOffer(PRODUCTS), id: 'b1', name: 'Bundle', kind: 'bundle', bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 }, ...patch };
}

describe('toDecidedOffer', () => {
  it('prices a bundle from the list-price sum less the discount', () => {
    const { offer, priceProblem } = toDecidedOffer(bundle(), PRODUCTS, { variant: null });
    expect(priceProblem).toBeNull();
    expect(offer.quote).toEqual({ currency: 'USD', interval: 'month', referencePrice: 78, price: 62.4, savingPercent: 20 });
    expect(offer.productName).toBe('Insights');
  });

  it('applies a variant: its copy over the base copy, its discount over the base discount', () => {
    const def = bundle({ variants: [{ key: 'deep', content: { headline: 'Half price', body: '' }, discountPercent: 50 }] });
    const { offer } = toDecidedOffer(def, PRODUCTS, { variant: 'deep' });
    expect(offer.variant).toBe('deep');
    expect(offer.content.headline).toBe('Half price');
    expect(offer.content.body).toBe(def.content.body);
    expect(offer.quote?.price).toBe(39);
  });

  it('shows the same amounts in another currency, rounded to its minor unit', () => {
    const { offer } = toDecidedOffer(bundle({ bundle: { productIds: ['ledger', 'insights'], discountPercent: 12.5 } }), PRODUCTS, {
      variant: null,
      currency: 'jpy',
    });
    expect(offer.quote).toMatchObject({ currency: 'JPY', referencePrice: 78, price: 68 });
  });

  it('gives trials their length and no quote', () => {
    const { offer } = toDecidedOffer({ ...newOffer(PRODUCTS), trialDays: 30 }, PRODUCTS, { variant: null });
    expect(offer.trialDays).toBe(30);
    expect(offer.quote).toBeUndefined();
  });

  it('says why a bundle without products has no price', () => {
    expect(toDecidedOffer(bundle({ bundle: { productIds: [], discountPercent: 10 } }), PRODUCTS, { variant: null }).priceProblem).toMatch(/included products/);
  });
});
