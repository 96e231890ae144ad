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
