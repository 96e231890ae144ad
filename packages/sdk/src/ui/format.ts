/**
 * Formats an amount in the offer's currency for the user's locale. Falls back to
 * a plain "amount CODE" when the locale or currency is unknown to Intl, so a bad
 * value shows a readable price instead of throwing into the host page.
 * @example formatPrice(62.4, 'USD', 'en-US') // '$62.40'
 */
export function formatPrice(amount: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}
