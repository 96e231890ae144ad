/** Display helpers; the API sends plain fractions (0.25) and ISO instants. */

const LOCALE = typeof navigator === 'undefined' ? 'en-US' : navigator.language || 'en-US';

/** @example pct(0.2534) // '25.3%' */
export function pct(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return `${(rate * 100).toFixed(digits)}%`;
}

/** Signed percentage points, for lift. @example points(0.031) // '+3.1 pp' */
export function points(diff: number | null | undefined): string {
  if (diff === null || diff === undefined) return '—';
  const v = diff * 100;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)} pp`;
}

/** @example count(12345) // '12,345' */
export function count(n: number): string {
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 }).format(n);
}

/** @example money(1234.5, 'USD') // '$1,235' */
export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(LOCALE, { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    return `${count(amount)} ${currency}`;
  }
}

/** @example pValue(0.00001) // '< 0.001' */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
}
