import { describe, expect, it } from 'vitest';
import { mayHoldNul, nulPath } from './nul.ts';

describe('NUL in bodies', () => {
  it('spots the escape in the body text', () => {
    expect(mayHoldNul(JSON.stringify({ a: 'x\u0000' }))).toBe(true);
    expect(mayHoldNul('{"a":"x\\\\u0000"}')).toBe(true); // a literal backslash-u: looked at, then found clean
    expect(mayHoldNul('{"a":"x"}')).toBe(false);
  });

  it('names the first field holding one', () => {
    expect(nulPath({ accountId: 'ok', events: [{ id: 'a' }, { userId: 'u\u0000' }] }, 'body')).toBe('body/events/1/userId');
    expect(nulPath({ attributes: { 'k\u0000': 1 } }, 'body')).toBe('body/attributes/k\\u0000');
    expect(nulPath(JSON.parse('{"a":"x\\\\u0000"}'), 'body')).toBeNull();
    expect(nulPath({ n: 1, b: true, z: null, list: ['a', 'b'] }, 'body')).toBeNull();
  });
});
