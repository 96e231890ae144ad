/**
 * The NUL character (U+0000) in a request body. JSON may carry it (`\u0000`),
 * but PostgreSQL stores no NUL in text or JSON, so a body holding one is
 * refused where it is read, on both stores alike: with a 400 naming the
 * field, or, in an event batch, as that event's rejection (the rest are kept).
 */

/** Whether the body text may hold a NUL (JSON writes it only as an escape). */
export function mayHoldNul(text: string): boolean {
  return text.includes('\\u0000');
}

/**
 * The path of the first string (or key) in `value` holding a NUL, written as
 * validation messages write paths, or null.
 * @example nulPath({ a: ['x', 'y\u0000'] }, 'body') // 'body/a/1'
 */
export function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}/${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key.includes('\u0000')) return `${path}/${JSON.stringify(key).slice(1, -1)}`;
      const found = nulPath(v, `${path}/${key}`);
      if (found) return found;
    }
  }
  return null;
}

export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';
