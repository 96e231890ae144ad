import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('allows max requests per key and window, then says how many seconds are left', () => {
    const limiter = new RateLimiter(2);
    const t = Date.UTC(2026, 0, 1, 12, 0, 15, 500); // 44.5 s before the minute ends
    expect([limiter.hit('k', t), limiter.hit('k', t), limiter.hit('k', t)]).toEqual([0, 0, 45]);
    expect(limiter.hit('other', t)).toBe(0);
    expect(limiter.hit('k', t + 44_000)).toBe(1);
  });

  it('starts every key afresh in the next window', () => {
    const limiter = new RateLimiter(1, 1000);
    expect(limiter.hit('k', 5_000)).toBe(0);
    expect(limiter.hit('k', 5_999)).toBe(1);
    expect(limiter.hit('k', 6_000)).toBe(0);
  });
});
