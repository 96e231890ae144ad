import { expect, it } from 'vitest';
import { isUuid, uuidv7, uuidv7Time } from './uuidv7.ts';

it('makes valid version-7 ids that sort in creation order', () => {
  const ids = Array.from({ length: 5000 }, () => uuidv7());
  for (const id of ids) expect(isUuid(id) && id[14] === '7').toBe(true);
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
});

it('embeds the timestamp', () => {
  const t = Date.UTC(2030, 0, 2, 3, 4, 5, 6);
  expect(uuidv7Time(uuidv7(t))).toBe(t);
});

it('keeps 62 random bits: ids made in one millisecond differ beyond the counter', () => {
  const t = Date.UTC(2031, 5, 1);
  const tails = new Set(Array.from({ length: 2000 }, () => uuidv7(t).slice(19)));
  expect(tails.size).toBe(2000);
  for (const tail of tails) expect('89ab').toContain(tail[0]);
});

it('lays the timestamp, version and counter out as RFC 9562 says', () => {
  // Later than any other test's clock: ids never go back in time, so an earlier one would be bumped.
  const t = 0xfedcba987654;
  const [a, b, c, d] = [uuidv7(t), uuidv7(t), uuidv7(t), uuidv7(t + 1)];
  expect(a.slice(0, 13)).toBe('fedcba98-7654');
  // Version 7, then a 12-bit counter that restarts each millisecond.
  expect([a, b, c].map((id) => id.slice(14, 18))).toEqual(['7000', '7001', '7002']);
  expect(d.slice(0, 18)).toBe('fedcba98-7655-7000');
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
