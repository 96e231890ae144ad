import { describe, expect, it } from 'vitest';
import { formatPrice } from './format.ts';

// Intl output uses narrow/no-break spaces in some locales; normalise them for readable assertions.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatPrice', () => {
  it('formats dollars for en-US with cents', () => {
    expect(formatPrice(62.4, 'USD', 'en-US')).toBe('$62.40');
  });
  it('formats euros for de-DE with a decimal comma and the sign after the amount', () => {
    expect(plain(formatPrice(1234.5, 'EUR', 'de-DE'))).toBe('1.234,50 €');
  });
  it('formats yen for ja-JP without minor units', () => {
    expect(formatPrice(4900, 'JPY', 'ja-JP')).toMatch(/^[¥￥]4,900$/);
  });
  it('shows the offer currency in the user locale (EUR for an en-US user)', () => {
    expect(formatPrice(10, 'EUR', 'en-US')).toBe('€10.00');
  });
  it('falls back to "amount CODE" instead of throwing on an unknown currency or locale', () => {
    expect(formatPrice(5, 'NOT-A-CODE', 'en-US')).toBe('5 NOT-A-CODE');
    expect(formatPrice(5, 'USD', 'not a locale!')).toBe('5 USD');
  });
});
