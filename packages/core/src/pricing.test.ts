import { describe, expect, it } from 'vitest';
import { bundleQuote, currencyDigits, roundCurrency, savingPercent } from './pricing.ts';

describe('currency rounding', () => {
  it('knows minor units per currency', () => {
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('jpy')).toBe(0);
    expect(currencyDigits('BHD')).toBe(3);
  });
  it('rounds halves away from zero despite binary noise', () => {
    expect(roundCurrency(10.005, 'USD')).toBe(10.01);
    expect(roundCurrency(1.005, 'EUR')).toBe(1.01);
    expect(roundCurrency(-2.675, 'USD')).toBe(-2.68);
    expect(roundCurrency(1234.5, 'JPY')).toBe(1235);
    expect(roundCurrency(0.0005, 'BHD')).toBe(0.001);
  });
});

describe('bundle pricing', () => {
  const usd = (amount: number) => ({ amount, currency: 'USD', interval: 'month' as const });
  it('uses the list-price sum as reference and shows the real saving', () => {
    expect(bundleQuote([usd(49), usd(29)], 20)).toEqual({
      currency: 'USD', interval: 'month', referencePrice: 78, price: 62.4, savingPercent: 20,
    });
  });
  it('reports the saving actually given after rounding, as a whole percent', () => {
    const q = bundleQuote([usd(9.99), usd(4.99)], 25);
    expect(q.referencePrice).toBe(14.98);
    expect(q.price).toBe(11.24); // 11.235 rounds up
    expect(q.savingPercent).toBe(25);
    expect(bundleQuote([{ amount: 999, currency: 'JPY', interval: 'year' }, { amount: 500, currency: 'JPY', interval: 'year' }], 33).price).toBe(1004);
  });
  it('refuses mixed currencies and impossible discounts', () => {
    expect(() => bundleQuote([usd(1), { amount: 1, currency: 'EUR', interval: 'month' }], 10)).toThrow(/share currency/);
    expect(() => bundleQuote([usd(1)], 100)).toThrow(/discountPercent/);
    expect(() => bundleQuote([], 10)).toThrow(/at least one/);
  });
  it('gives 0% saving without a reference', () => {
    expect(savingPercent(0, 0)).toBe(0);
    expect(savingPercent(100, 120)).toBe(0);
    expect(savingPercent(3, 2)).toBe(33);
  });
});
