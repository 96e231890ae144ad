import type { TandemEvent } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { claims, freshen } from './fresh-identity.ts';

const b64url = (s: string) => btoa(s).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (payload: object) => `${b64url('{"alg":"HS256","kid":"k1"}')}.${b64url(JSON.stringify(payload))}.sig`;
const event = (identity: string, more: Partial<TandemEvent> = {}): TandemEvent => ({
  id: '01900000-0000-7000-8000-000000000000',
  type: 'exposure',
  accountId: 'acc_1',
  identity,
  at: '2026-01-01T00:00:00.000Z',
  ...more,
});

describe('claims', () => {
  it('reads a base64url payload, including the - and _ characters', () => {
    // "~~~" and "???" encode to "fn5-" and "Pz8_" in base64url.
    const token = jwt({ sub: 'acc_1', uid: '~~~???', exp: 1_900_000_000 });
    expect(token).toMatch(/[-_]/);
    expect(claims(token)).toEqual({ sub: 'acc_1', uid: '~~~???', exp: 1_900_000_000 });
  });

  it.each([undefined, '', 'opaque-token', 'a.%%%.c', `x.${b64url('42')}.y`])('an unreadable token %o has no claims', (token) => {
    expect(claims(token)).toEqual({});
  });
});

describe('freshen', () => {
  const old = jwt({ sub: 'acc_1', uid: 'u_1', exp: 1000 });
  const fresh = jwt({ sub: 'acc_1', uid: 'u_1', exp: 2000 });
  const me = { accountId: 'acc_1', userId: 'u_1', identity: fresh };

  it('puts the later token of the same account, user and uid on the event, changing nothing else', () => {
    const before = event(old, { userId: 'u_1' });
    expect(freshen(before, me)).toEqual({ ...before, identity: fresh });
    expect(before.identity).toBe(old);
  });

  it.each([
    ['another account', event(old, { userId: 'u_1', accountId: 'acc_2' }), me],
    ['another userId', event(old, { userId: 'u_2' }), me],
    ['another uid claim', event(jwt({ sub: 'acc_1', uid: 'u_2', exp: 1000 }), { userId: 'u_1' }), me],
    ['an older current token', event(fresh, { userId: 'u_1' }), { ...me, identity: old }],
    ['an unreadable current token', event(old, { userId: 'u_1' }), { ...me, identity: 'opaque' }],
  ])('leaves the event alone for %s', (_, e, current) => {
    expect(freshen(e, current)).toBe(e);
  });

  it('replaces an unreadable stored token with a readable current one of no other user', () => {
    const current = { accountId: 'acc_1', identity: jwt({ sub: 'acc_1', exp: 2000 }) };
    expect(freshen(event('garbage'), current).identity).toBe(current.identity);
  });
});
