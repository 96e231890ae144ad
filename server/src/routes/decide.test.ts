import { assignArm, uuidv7 } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountAged,
  bearer,
  endAdminPool,
  IDENTITY_SECRET_2,
  mintIdentity,
  openTestApp,
  PK,
  SK,
  STORE_KINDS,
  type TestApp,
  trialOffer,
} from '../testing/harness.ts';

describe.each(STORE_KINDS)('POST /v1/decide (%s)', (kind) => {
  let t: TestApp;
  const now = Date.now();
  const decide = async (body: Record<string, unknown>, key = PK) =>
    t.app.inject({ method: 'POST', url: '/v1/decide', headers: bearer(key), payload: body });

  beforeAll(async () => {
    t = await openTestApp({ kind });
    await t.store.upsertAccounts(
      [
        accountAged('acct_in', 90, now) as never,
        accountAged('acct_young', 10, now) as never,
        accountAged('acct_free', 90, now, { plan: 'free' }) as never,
      ],
      now,
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/offers',
      headers: bearer(SK),
      payload: trialOffer({ rules: { plans: ['pro'] } }),
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await endAdminPool();
  });

  it('shows the offer to an eligible account and records its assignment', async () => {
    const res = await decide({ accountId: 'acct_in', placements: ['dashboard'], identity: await mintIdentity('acct_in', { uid: 'u1' }) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.decisionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(Math.abs(Date.parse(body.decidedAt) - Date.now())).toBeLessThan(5000);
    expect(body.offers).toHaveLength(1);
    expect(body.offers[0]).toMatchObject({ offerId: 'o_trial', placement: 'dashboard', kind: 'trial', productName: 'Insights', trialDays: 14 });
    expect(body.debug).toBeUndefined();
    const assignments = await t.store.getAssignments('acct_in');
    expect(assignments).toMatchObject([{ offerId: 'o_trial', arm: assignArm('o_trial', 'acct_in', 0) }]);
  });

  it('accepts a single `placement` string', async () => {
    const res = await decide({ accountId: 'acct_in', placement: 'dashboard', identity: await mintIdentity('acct_in') });
    expect(res.json().offers).toHaveLength(1);
  });

  it('answers empty offers for an unknown account and for an ineligible one', async () => {
    const unknown = await decide({ accountId: 'ghost', placements: ['dashboard'], identity: await mintIdentity('ghost') });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json().offers).toEqual([]);
    const young = await decide({ accountId: 'acct_young', placements: ['dashboard'], identity: await mintIdentity('acct_young') });
    expect(young.json().offers).toEqual([]);
  });

  it('lets signed attributes override browser-sent ones (plan)', async () => {
    const browserLies = await decide({
      accountId: 'acct_free',
      placements: ['dashboard'],
      attributes: { plan: 'pro' },
      identity: await mintIdentity('acct_free'),
    });
    expect(browserLies.json().offers).toEqual([]);
    const signed = await decide({
      accountId: 'acct_free',
      placements: ['dashboard'],
      identity: await mintIdentity('acct_free', { attrs: { plan: 'pro' } }),
    });
    expect(signed.json().offers).toHaveLength(1);
  });

  it('explains the decision with the secret key and debug: true, never with the publishable key', async () => {
    const secret = await decide({ accountId: 'acct_young', placements: ['dashboard'], debug: true }, SK);
    expect(secret.statusCode).toBe(200);
    expect(secret.json().debug).toEqual([
      expect.objectContaining({ offerId: 'o_trial', outcome: 'excluded', rule: 'activationWindow' }),
    ]);
    const pk = await decide({ accountId: 'acct_young', placements: ['dashboard'], debug: true, identity: await mintIdentity('acct_young') });
    expect(pk.json().debug).toBeUndefined();
  });

  it('refuses missing, forged, expired and mismatched identity with 401', async () => {
    const cases = {
      missing: undefined,
      forged: await mintIdentity('acct_in', { secret: 'not-the-secret-but-long-enough-0123456789' }),
      expired: await mintIdentity('acct_in', { now: Date.now() - 3_600_000, expSeconds: 60 }),
      mismatched: await mintIdentity('acct_other'),
      unknownKid: await mintIdentity('acct_in', { kid: 'k9' }),
      garbage: 'not.a.jwt',
    };
    for (const [name, identity] of Object.entries(cases)) {
      const res = await decide({ accountId: 'acct_in', placements: ['dashboard'], identity });
      expect(res.statusCode, name).toBe(401);
      expect(res.json().error.code, name).toBe('invalid_identity');
    }
  });

  it('accepts tokens signed with any active secret (rotation by kid)', async () => {
    const res = await decide({
      accountId: 'acct_in',
      placements: ['dashboard'],
      identity: await mintIdentity('acct_in', { kid: 'k2', secret: IDENTITY_SECRET_2 }),
    });
    expect(res.statusCode).toBe(200);
  });

  it('answers 400 naming the field when placements are missing or of the wrong type', async () => {
    const none = await decide({ accountId: 'acct_in', identity: await mintIdentity('acct_in') });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toContain('body/placements');
    const wrong = await decide({ accountId: 'acct_in', placements: 'dashboard', identity: 'x' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toBe('body/placements must be an array, got "dashboard"');
  });

  it('stops showing an offer once the account is attached', async () => {
    await t.store.upsertAccounts([accountAged('acct_att', 90, now) as never], now);
    const identity = await mintIdentity('acct_att');
    expect((await decide({ accountId: 'acct_att', placements: ['dashboard'], identity })).json().offers).toHaveLength(1);
    const conv = await t.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: bearer(SK),
      payload: { id: uuidv7(), accountId: 'acct_att', type: 'trial_started', at: new Date().toISOString() },
    });
    expect(conv.statusCode).toBe(202);
    expect((await decide({ accountId: 'acct_att', placements: ['dashboard'], identity })).json().offers).toEqual([]);
  });
});

describe('POST /v1/decide with identity verification off', () => {
  it('decides without an identity token', async () => {
    const t = await openTestApp({ config: { identity: { verify: false } } });
    try {
      await t.store.upsertAccounts([accountAged('a', 90) as never], Date.now());
      await t.app.inject({ method: 'POST', url: '/v1/offers', headers: bearer(SK), payload: trialOffer() });
      const res = await t.app.inject({ method: 'POST', url: '/v1/decide', headers: bearer(PK), payload: { accountId: 'a', placements: ['dashboard'] } });
      expect(res.statusCode).toBe(200);
      expect(res.json().offers).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});

describe('offer cache', () => {
  it('sees a newly published offer on the next decide (invalidation on write)', async () => {
    const t = await openTestApp({ config: { identity: { verify: false } } });
    try {
      await t.store.upsertAccounts([accountAged('a', 90) as never], Date.now());
      const first = await t.app.inject({ method: 'POST', url: '/v1/decide', headers: bearer(PK), payload: { accountId: 'a', placements: ['dashboard'] } });
      expect(first.json().offers).toEqual([]);
      await t.app.inject({ method: 'POST', url: '/v1/offers', headers: bearer(SK), payload: trialOffer() });
      const second = await t.app.inject({ method: 'POST', url: '/v1/decide', headers: bearer(PK), payload: { accountId: 'a', placements: ['dashboard'] } });
      expect(second.json().offers).toHaveLength(1);
      await t.app.inject({ method: 'DELETE', url: '/v1/offers/o_trial', headers: bearer(SK) });
      const third = await t.app.inject({ method: 'POST', url: '/v1/decide', headers: bearer(PK), payload: { accountId: 'a', placements: ['dashboard'] } });
      expect(third.json().offers).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
