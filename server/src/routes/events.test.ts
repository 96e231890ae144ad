import { uuidv7 } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, DAY, endAdminPool, mintIdentity, openTestApp, PK, SK, STORE_KINDS, type TestApp } from '../testing/harness.ts';

describe.each(STORE_KINDS)('POST /v1/events (%s)', (kind) => {
  let t: TestApp;
  let identity: string;
  const post = (events: unknown[], key = PK) =>
    t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(key), payload: { events } });
  const exposure = (over: Record<string, unknown> = {}) => ({
    id: uuidv7(),
    type: 'exposure',
    accountId: 'acct_1',
    offerId: 'o1',
    at: new Date().toISOString(),
    identity,
    ...over,
  });

  beforeAll(async () => {
    t = await openTestApp({ kind });
    identity = await mintIdentity('acct_1', { uid: 'user_signed' });
    await t.store.upsertAccounts([{ id: 'acct_1', activatedAt: new Date(Date.now() - 90 * DAY).toISOString() }], Date.now());
  });
  afterAll(async () => {
    await t.close();
    await endAdminPool();
  });

  it('stores good events, refuses bad ones by themselves with a reason, and answers 202', async () => {
    const good = exposure();
    const res = await post([
      good,
      { ...exposure(), id: 'not-a-uuid' },
      { ...exposure(), type: 'teleport' },
      { ...exposure(), at: 'tomorrow' },
      { ...exposure(), accountId: '' },
      'not an object',
    ]);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.duplicates).toBe(0);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(body.rejected[0]).toMatchObject({ id: 'not-a-uuid', code: 'invalid_event', message: expect.stringContaining('body/events/1/id must be a UUID') });
    expect(body.rejected[1].message).toContain('body/events/2/type must be one of');
    expect(body.rejected[2].message).toContain('body/events/3/at must be an ISO 8601 date-time string');
    expect(body.rejected[3].message).toBe('body/events/4/accountId must be a non-empty string');
    expect(body.rejected[4].message).toBe('body/events/5 must be an object, got "not an object"');
  });

  it('stores each id once: a repeat is counted as a duplicate', async () => {
    const ev = exposure();
    expect((await post([ev])).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post([ev, ev])).json()).toMatchObject({ accepted: 0, duplicates: 2 });
  });

  it('refuses conversion types from the publishable key but takes them from the secret key', async () => {
    const paid = { id: uuidv7(), type: 'paid', accountId: 'acct_1', at: new Date().toISOString(), identity };
    const pk = await post([paid]);
    expect(pk.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, code: 'forbidden_event_type' }] });
    const sk = await post([paid], SK);
    expect(sk.json()).toMatchObject({ accepted: 1, rejected: [] });
  });

  it('refuses browser events without a valid identity, per event', async () => {
    const res = await post([
      exposure({ identity: undefined }),
      exposure({ identity: await mintIdentity('acct_other') }),
      exposure({ identity: await mintIdentity('acct_1', { secret: 'forged-secret-forged-secret-forged-secret' }) }),
      exposure(),
    ]);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { code: string }) => r.code)).toEqual(['invalid_identity', 'invalid_identity', 'invalid_identity']);
  });

  it('replaces a browser clock off by more than 24 hours with the server time, and keeps secret-key times', async () => {
    const skewed = exposure({ at: new Date(Date.now() - 3 * DAY).toISOString() });
    const slightly = exposure({ at: new Date(Date.now() - 2 * 3_600_000).toISOString() });
    const before = Date.now();
    await post([skewed, slightly]);
    const backfill = { id: uuidv7(), type: 'exposure', accountId: 'acct_1', offerId: 'o1', at: new Date(Date.now() - 30 * DAY).toISOString() };
    expect((await post([backfill], SK)).json().accepted).toBe(1);
    // recentHistory does not expose ids: check the instants stored.
    const instants = (await t.store.recentHistory('acct_1', Date.now() - 60 * DAY)).exposures.map((e) => e.at);
    expect(instants.some((x) => x >= before && x <= Date.now())).toBe(true); // the skewed one took server time
    expect(instants).toContain(Date.parse(slightly.at as string));
    expect(instants).toContain(Date.parse(backfill.at));
    expect(instants).not.toContain(Date.parse(skewed.at as string));
  });

  it('takes the user id from the signed identity over the browser one', async () => {
    await post([exposure({ userId: 'user_browser', offerId: 'o_uid' })]);
    const history = await t.store.recentHistory('acct_1', Date.now() - DAY);
    expect(history.exposures.filter((e) => e.offerId === 'o_uid').map((e) => e.userId)).toEqual(['user_signed']);
  });

  it('answers 400 for a missing or empty events array and for too many events', async () => {
    const empty = await post([]);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toContain('body/events must have at least 1 item');
    const none = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(PK), payload: {} });
    expect(none.json().error.message).toBe('body/events is required');
    const many = await post(Array.from({ length: 501 }, () => ({})));
    expect(many.statusCode).toBe(400);
    expect(many.json().error.message).toBe('body/events must have at most 500 items, got 501');
  });
});
