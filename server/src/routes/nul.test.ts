/**
 * A NUL character (`\u0000` in JSON, `%00` in a URL) is no input any store may keep (PostgreSQL
 * refuses it in text and JSON): every endpoint answers 400 naming the field or parameter, an event
 * batch refuses only the events holding one, and nothing reaches the store as a 5xx. On both stores.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, DAY, endAdminPool, openTestApp, SK, STORE_KINDS, type TestApp } from '../testing/harness.ts';

describe.each(STORE_KINDS)('NUL characters in bodies (%s)', (kind) => {
  let t: TestApp;
  const now = () => new Date().toISOString();
  beforeAll(async () => {
    t = await openTestApp({ kind });
  });
  afterAll(async () => {
    await t.close();
    await endAdminPool();
  });

  it('refuses only the events holding one and stores the rest of the batch', async () => {
    const good = { id: randomUUID(), type: 'exposure', accountId: 'acct_ok', offerId: 'o1', at: now() };
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(SK),
      payload: { events: [{ id: randomUUID(), type: 'exposure', accountId: 'acct\u0000x', offerId: 'o1', at: now() }, good] },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(res.json().rejected).toEqual([
      { index: 0, id: expect.any(String), code: 'invalid_event', message: 'body/events/0/accountId must not contain the NUL character (\\u0000)' },
    ]);
    // The good one is stored: sent again, it is a duplicate.
    const again = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(SK), payload: { events: [good] } });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it.each([
    ['POST', '/v1/accounts/batch', { accounts: [{ id: 'a1', activatedAt: new Date(Date.now() - 90 * DAY).toISOString(), plan: 'pro\u0000' }] }, 'body/accounts/0/plan'],
    ['PUT', '/v1/accounts/a2', { activatedAt: now(), attributes: { 'team\u0000': 1 } }, 'body/attributes/team\\u0000'],
    ['POST', '/v1/decide', { accountId: 'a\u00003', placements: ['dashboard'] }, 'body/accountId'],
    ['POST', '/v1/conversions', { id: randomUUID(), accountId: 'a4', type: 'paid', productId: 'insights\u0000', at: now() }, 'body/productId'],
  ] as const)('%s %s answers 400 naming the field', async (method, url, payload, path) => {
    const res = await t.app.inject({ method, url, headers: bearer(SK), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'invalid_request', message: `${path} must not contain the NUL character (\\u0000)` });
  });

  it.each([
    ['GET', '/v1/offers/a%00b', 'params/id'],
    ['DELETE', '/v1/offers/a%00b', 'params/id'],
    ['GET', '/v1/offers/a%00b/audit', 'params/id'],
    ['PUT', '/v1/accounts/a%00b', 'params/id'],
    ['GET', '/v1/metrics/funnel?offerId=a%00b', 'querystring/offerId'],
  ] as const)('%s %s answers 400 naming the parameter', async (method, url, path) => {
    const payload = method === 'PUT' ? { activatedAt: now() } : undefined;
    const res = await t.app.inject({ method, url, headers: bearer(SK), ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'invalid_request', message: `${path} must not contain the NUL character (\\u0000)` });
  });

  it('checks the key first, as for any other bad body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/accounts/batch', payload: { accounts: [{ id: 'a\u00005' }] } });
    expect(res.statusCode).toBe(401);
  });

  it('reads the text a sendBeacon posts (text/plain) the same way', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: { ...bearer(SK), 'content-type': 'text/plain' },
      payload: JSON.stringify({ id: randomUUID(), accountId: 'a\u00006', type: 'paid', at: now() }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('body/accountId must not contain the NUL character (\\u0000)');
  });
});
