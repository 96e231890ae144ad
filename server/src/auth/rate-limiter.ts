/**
 * Fixed one-minute windows of request counts per key (an API key or an
 * address), in this process's memory. Synchronous on purpose: it runs on every
 * request of the hot paths, where a promise per check cost more than the
 * count itself. Windows are aligned to the clock, so a client may spend two
 * windows' worth around a boundary; `Retry-After` says when its window ends.
 */
export class RateLimiter {
  private window = Number.NaN;
  private counts = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * Counts one request for `key`: 0 when it is within the limit, otherwise the
   * whole seconds until the window ends (for `Retry-After`, at least 1).
   * @example if (limiter.hit(req.ip, Date.now()) > 0) reply 429
   */
  hit(key: string, now: number): number {
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= this.max) return 0;
    return Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000));
  }
}
