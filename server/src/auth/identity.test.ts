import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors.ts';
import { IDENTITY_SECRET, IDENTITY_SECRET_2, mintIdentity } from '../testing/harness.ts';
import { IdentityVerifier } from './identity.ts';

const one = new IdentityVerifier({ verify: true, secrets: [{ kid: 'k1', secret: IDENTITY_SECRET }] });
const two = new IdentityVerifier({
  verify: true,
  secrets: [
    { kid: 'k1', secret: IDENTITY_SECRET },
    { kid: 'k2', secret: IDENTITY_SECRET_2 },
  ],
});

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  expect((err as HttpError).status).toBe(401);
  return (err as HttpError).message;
}

describe('IdentityVerifier', () => {
  it('returns the account, user and signed attributes of a good token', async () => {
    const token = await mintIdentity('acct_1', { uid: 'u1', attrs: { plan: 'pro' } });
    expect(await two.verify(token, 'acct_1')).toEqual({ accountId: 'acct_1', userId: 'u1', attrs: { plan: 'pro' } });
  });

  it('takes a token without `kid` only when exactly one secret is active', async () => {
    const token = await mintIdentity('acct_1', { kid: null });
    expect((await one.verify(token, 'acct_1')).accountId).toBe('acct_1');
    expect(await refusal(two.verify(token, 'acct_1'))).toContain('no `kid`');
  });

  it('says why a token is refused', async () => {
    expect(await refusal(two.verify(undefined, 'a'))).toContain('`identity` is required');
    expect(await refusal(two.verify(await mintIdentity('a', { expSeconds: -10 }), 'a'))).toContain('expired');
    expect(await refusal(two.verify(await mintIdentity('a', { kid: 'k2' }), 'a'))).toContain('signature does not verify');
    expect(await refusal(two.verify(await mintIdentity('a'), 'b'))).toContain('is for account "a", not "b"');
  });

  it('does not serve an expired token from its cache', async () => {
    const now = Date.now();
    const token = await mintIdentity('a', { now, expSeconds: 5 });
    expect((await two.verify(token, 'a', now)).accountId).toBe('a');
    expect(await refusal(two.verify(token, 'a', now + 10_000))).toContain('expired');
  });
});
