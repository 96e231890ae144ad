/**
 * Exponential backoff with full jitter: a random delay in [0, min(cap, base · 2^(failures − 1))).
 * Full jitter spreads tabs and devices that failed together so they do not retry together.
 * @example backoff(3, 1000, 300_000, Math.random) // somewhere in [0, 4000)
 */
export function backoff(failures: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1)));
}

/**
 * Milliseconds to wait from a `Retry-After` header (delay-seconds or an HTTP date), or undefined.
 * @example retryAfterMs('120', Date.now()) // 120000
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
