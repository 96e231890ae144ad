export type BillingInterval = 'month' | 'year';

/** What a product costs at list price, in one currency and interval. */
export interface ListPrice {
  amount: number;
  currency: string;
  interval: BillingInterval;
}

/** The priced shape of a bundle or upgrade, as the widget shows it. */
export interface PriceQuote {
  currency: string;
  interval: BillingInterval;
  /** Sum of the included products' list prices: the struck-through reference. */
  referencePrice: number;
  /** What the customer pays. */
  price: number;
  /** Whole-number percentage saved against the reference (0–100). */
  savingPercent: number;
}

const minorDigitsCache = new Map<string, number>();

/**
 * Number of minor-unit digits of an ISO 4217 currency (JPY 0, USD 2, BHD 3).
 * @example currencyDigits('JPY') // 0
 */
export function currencyDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = minorDigitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(code, digits);
  }
  return digits;
}

/**
 * Rounds an amount to the currency's minor unit, halves away from zero.
 * @example roundCurrency(10.005, 'USD') // 10.01
 */
export function roundCurrency(amount: number, currency: string): number {
  const factor = 10 ** currencyDigits(currency);
  // toPrecision strips binary noise (10.005 * 100 = 1000.4999…) before rounding.
  const scaled = Number((Math.abs(amount) * factor).toPrecision(15));
  return (Math.sign(amount) * Math.round(scaled)) / factor;
}

/**
 * Whole-number percentage saved, rounded half up; 0 when there is no reference.
 * @example savingPercent(100, 75) // 25
 */
export function savingPercent(referencePrice: number, price: number): number {
  if (!(referencePrice > 0) || price >= referencePrice) return 0;
  return Math.round(Number((((referencePrice - price) / referencePrice) * 100).toPrecision(12)));
}

/**
 * Prices a bundle: the reference is the sum of the list prices, the price is that
 * sum less the discount, rounded to the currency. All prices must share currency and interval.
 * @example bundleQuote([{ amount: 49, currency: 'USD', interval: 'month' }, { amount: 29, currency: 'USD', interval: 'month' }], 20)
 * // { currency: 'USD', interval: 'month', referencePrice: 78, price: 62.4, savingPercent: 20 }
 */
export function bundleQuote(listPrices: readonly ListPrice[], discountPercent: number): PriceQuote {
  const first = listPrices[0];
  if (!first) throw new RangeError('bundleQuote needs at least one list price');
  for (const p of listPrices) {
    if (p.currency.toUpperCase() !== first.currency.toUpperCase() || p.interval !== first.interval) {
      throw new RangeError(`bundle prices must share currency and interval, got ${p.currency}/${p.interval} and ${first.currency}/${first.interval}`);
    }
  }
  if (!(discountPercent >= 0 && discountPercent < 100)) {
    throw new RangeError(`discountPercent must be in [0, 100), got ${discountPercent}`);
  }
  const currency = first.currency.toUpperCase();
  const referencePrice = roundCurrency(
    listPrices.reduce((sum, p) => sum + p.amount, 0),
    currency,
  );
  const price = roundCurrency(referencePrice * (1 - discountPercent / 100), currency);
  return { currency, interval: first.interval, referencePrice, price, savingPercent: savingPercent(referencePrice, price) };
}
