import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booleanArray, numberArray, textArray } from './arrays.ts';

describe('array literals', () => {
  it('writes text, number and boolean arrays', () => {
    expect(textArray(['a', null, 'b c'])).toBe('{"a",NULL,"b c"}');
    expect(textArray(['say "hi"', 'back\\slash'])).toBe('{"say \\"hi\\"","back\\\\slash"}');
    expect(textArray([])).toBe('{}');
    expect(numberArray([1, null, 2.5, -3, 1796029318862])).toBe('{1,NULL,2.5,-3,1796029318862}');
    expect(booleanArray([true, false, true])).toBe('{t,f,t}');
    expect(() => numberArray([Number.NaN])).toThrow(RangeError);
  });
});

const url = process.env.DATABASE_URL;
describe.skipIf(!url)('array literals read back by PostgreSQL', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  it('round-trips awkward strings, nulls and numbers exactly', async () => {
    const texts = ['plain', null, 'say "hi"', 'back\\slash', '{braces},commas', 'NULL', '', ' spaced ', 'ünïcødé ✓', "it's"];
    const numbers = [0, null, -1.5, 1796029318862, 1e-7, 123456789.125];
    const flags = [true, false];
    const { rows } = await client.query<{ t: (string | null)[]; n: (number | null)[]; b: boolean[] }>(
      'SELECT $1::text[] AS t, $2::double precision[] AS n, $3::boolean[] AS b',
      [textArray(texts), numberArray(numbers), booleanArray(flags)],
    );
    expect(rows[0]!.t).toEqual(texts);
    expect(rows[0]!.n).toEqual(numbers);
    expect(rows[0]!.b).toEqual(flags);
  });
});
