/** Accounts, conversions, offers (CRUD, audit, rollback), metrics and the ops endpoints. */
import { uuidv7 } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAged, bearer, DAY, endAdminPool, openTestApp, SK, STORE_KINDS, type TestApp, trialOffer } from '../testing/harness.ts';

describe.each(STORE_KINDS)('accounts, conversions, offers, metrics (%s)', (kind) => {
  let t: TestApp;
  const sk = bearer(SK);
  beforeAll(async () => {
    t = await openTestApp({ kind });
  });
  afterAll(async () => {
    await t.close();
    await endAdminPool();
  });

  describe('PUT /v1/accounts/:id and POST /v1/accounts/batch', () => {
    it('stores one account and answers it', async () => {
      const res = await t.app.inject({
        method: 'PUT',
        url: '/v1/accounts/acct_a',
        headers: sk,
        payload: { activatedAt: '2026-01-10T00:00:00Z', plan: 'pro', arr: 1200, region: 'eu', usage: { reports: 3 } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: 'acct_a', plan: 'pro', arr: 1200, region: 'eu' });
      expect(Date.parse(res.json().activatedAt)).toBe(Date.parse('2026-01-10T00:00:00Z'));
      expect(await t.store.getAccount('acct_a')).toMatchObject({ plan: 'pro' });
    });

    it('refuses a body id that differs from the path and bad fields, naming them', async () => {
      const mismatch = await t.app.inject({ method: 'PUT', url: '/v1/accounts/acct_a', headers: sk, payload: { id: 'x', activatedAt: '2026-01-10T00:00:00Z' } });
      expect(mismatch.statusCode).toBe(400);
      expect(mismatch.json().error.message).toContain('body/id');
      const arr = await t.app.inject({ method: 'PUT', url: '/v1/accounts/acct_a', headers: sk, payload: { activatedAt: '2026-01-10T00:00:00Z', arr: -5 } });
      expect(arr.json().error.message).toBe('body/arr must be >= 0, got -5');
    });

    it('upserts a batch and answers counts', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/accounts/batch',
        headers: sk,
        payload: { accounts: [{ id: 'b1', activatedAt: '2026-01-01T00:00:00Z' }, { id: 'b2', activatedAt: '2026-02-01T00:00:00Z', plan: 'team' }] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ upserted: 2, received: 2 });
      expect(await t.store.getAccount('b2')).toMatchObject({ plan: 'team' });
      const bad = await t.app.inject({ method: 'POST', url: '/v1/accounts/batch', headers: sk, payload: { accounts: [{ id: 'b3' }] } });
      expect(bad.json().error.message).toBe('body/accounts/0/activatedAt is required');
    });
  });

  describe('POST /v1/conversions', () => {
    it('records a conversion once per id (202, then duplicate)', async () => {
      const body = { id: 'inv_42', accountId: 'acct_a', type: 'paid', productId: 'insights', arr: 348, at: '2026-04-01T00:00:00Z' };
      const first = await t.app.inject({ method: 'POST', url: '/v1/conversions', headers: sk, payload: body });
      expect(first.statusCode).toBe(202);
      expect(first.json()).toMatchObject({ id: 'inv_42', duplicate: false });
      const again = await t.app.inject({ method: 'POST', url: '/v1/conversions', headers: sk, payload: body });
      expect(again.json()).toMatchObject({ duplicate: true, eventId: first.json().eventId });
      expect(await t.store.isAttached('acct_a', Date.parse('2026-05-01T00:00:00Z'))).toBe(true);
    });

    it('refuses unknown types and unconfigured products', async () => {
      const type = await t.app.inject({ method: 'POST', url: '/v1/conversions', headers: sk, payload: { id: 'c', accountId: 'a', type: 'exposure', at: '2026-04-01T00:00:00Z' } });
      expect(type.json().error.message).toBe('body/type must be one of "trial_started", "paid", "canceled", "usage", got "exposure"');
      const product = await t.app.inject({
        method: 'POST',
        url: '/v1/conversions',
        headers: sk,
        payload: { id: 'c', accountId: 'a', type: 'paid', productId: 'nope', at: '2026-04-01T00:00:00Z' },
      });
      expect(product.statusCode).toBe(400);
      expect(product.json().error.message).toContain('body/productId');
    });
  });

  describe('/v1/offers', () => {
    it('creates, reads, lists, replaces and deletes, writing an audit entry each time', async () => {
      const created = await t.app.inject({ method: 'POST', url: '/v1/offers', headers: sk, payload: trialOffer({ id: 'o_crud', status: 'draft' }) });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ id: 'o_crud', version: 1 });
      const conflict = await t.app.inject({ method: 'POST', url: '/v1/offers', headers: sk, payload: trialOffer({ id: 'o_crud' }) });
      expect(conflict.statusCode).toBe(409);
      expect((await t.app.inject({ method: 'GET', url: '/v1/offers/o_crud', headers: sk })).json().name).toBe('Insights trial');
      const updated = await t.app.inject({ method: 'PUT', url: '/v1/offers/o_crud', headers: sk, payload: trialOffer({ id: 'o_crud', name: 'Renamed', priority: 5 }) });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toMatchObject({ name: 'Renamed', version: 2 });
      const list = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: sk });
      expect(list.json().offers.map((o: { id: string }) => o.id)).toContain('o_crud');
      const audit = await t.app.inject({ method: 'GET', url: '/v1/offers/o_crud/audit', headers: sk });
      const entries = audit.json().entries;
      expect(entries.map((e: { action: string }) => e.action)).toEqual(['create', 'update']);
      expect(entries[1]).toMatchObject({ actor: expect.stringContaining('secret-key'), before: { name: 'Insights trial' }, after: { name: 'Renamed' } });
      expect(Number.isNaN(Date.parse(entries[0].at))).toBe(false);

      const rolled = await t.app.inject({ method: 'POST', url: '/v1/offers/o_crud/rollback', headers: sk, payload: { auditId: entries[0].id } });
      expect(rolled.statusCode).toBe(200);
      expect(rolled.json()).toMatchObject({ name: 'Insights trial', priority: 10 });
      const afterRollback = (await t.app.inject({ method: 'GET', url: '/v1/offers/o_crud/audit', headers: sk })).json().entries;
      expect(afterRollback.at(-1).action).toBe('rollback');

      expect((await t.app.inject({ method: 'DELETE', url: '/v1/offers/o_crud', headers: sk })).statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: '/v1/offers/o_crud', headers: sk })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'DELETE', url: '/v1/offers/o_crud', headers: sk })).statusCode).toBe(404);
    });

    it('refuses offers that cannot be shown, naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ productId: 'nope' }, 'body/productId must be a configured product'],
        [{ productId: 'ledger' }, 'is product one'],
        [{ trialDays: undefined }, 'body/trialDays is required'],
        [{ kind: 'bundle', trialDays: undefined }, 'body/bundle is required'],
        [{ action: { type: 'url' } }, 'body/action/url is required'],
        [{ holdout: 1.5 }, 'body/holdout must be <= 1, got 1.5'],
        [{ content: { headline: '', body: '', cta: 'x' } }, 'body/content/headline must be a non-empty string'],
        [{ rules: { activationDays: { min: 100, max: 10 } } }, 'must not exceed max'],
      ];
      for (const [over, message] of cases) {
        const res = await t.app.inject({ method: 'POST', url: '/v1/offers', headers: sk, payload: { ...trialOffer({ id: 'o_bad' }), ...over } });
        expect(res.statusCode, message).toBe(400);
        expect(res.json().error.message, JSON.stringify(over)).toContain(message);
      }
    });

    it('rollback to an entry of another offer is 404', async () => {
      await t.app.inject({ method: 'POST', url: '/v1/offers', headers: sk, payload: trialOffer({ id: 'o_r1' }) });
      const entry = (await t.store.listAudit('o_r1'))[0]!;
      const res = await t.app.inject({ method: 'POST', url: '/v1/offers/o_other/rollback', headers: sk, payload: { auditId: entry.id } });
      expect(res.statusCode).toBe(404);
    });
  });

  describe('/v1/metrics', () => {
    it('answers attach, attach.csv, funnel and lift from the stored facts', async () => {
      const now = Date.now();
      await t.store.upsertAccounts([accountAged('m1', 100, now) as never, accountAged('m2', 100, now) as never], now);
      await t.app.inject({ method: 'POST', url: '/v1/offers', headers: sk, payload: trialOffer({ id: 'o_m', holdout: 0 }) });
      await t.store.recordAssignments([
        { accountId: 'm1', offerId: 'o_m', arm: 'treatment', variant: null, assignedAt: now - 5 * DAY },
        { accountId: 'm2', offerId: 'o_m', arm: 'treatment', variant: null, assignedAt: now - 5 * DAY },
      ]);
      await t.app.inject({
        method: 'POST',
        url: '/v1/conversions',
        headers: sk,
        payload: { id: uuidv7(), accountId: 'm1', type: 'paid', productId: 'insights', at: new Date(now - DAY).toISOString() },
      });
      const asOf = new Date(now).toISOString();
      const attach = await t.app.inject({ method: 'GET', url: `/v1/metrics/attach?definition=paid&asOf=${asOf}&by=plan`, headers: sk });
      expect(attach.statusCode).toBe(200);
      expect(attach.json()).toMatchObject({ definition: 'paid', denominator: 'all', weight: 'logo' });
      expect(attach.json().overall.attached).toBeGreaterThanOrEqual(1);
      const csv = await t.app.inject({ method: 'GET', url: `/v1/metrics/attach.csv?asOf=${asOf}`, headers: sk });
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\r\n')[0]).toContain('section');
      const funnel = await t.app.inject({ method: 'GET', url: `/v1/metrics/funnel?offerId=o_m&asOf=${asOf}`, headers: sk });
      expect(funnel.json().stages[0]).toEqual({ stage: 'assigned', accounts: 2 });
      const all = await t.app.inject({ method: 'GET', url: `/v1/metrics/funnel?asOf=${asOf}`, headers: sk });
      expect(all.json().funnels.map((f: { offerId: string }) => f.offerId)).toContain('o_m');
      const lift = await t.app.inject({ method: 'GET', url: `/v1/metrics/lift?offerId=o_m&asOf=${asOf}`, headers: sk });
      expect(lift.statusCode).toBe(200);
      expect(lift.json().treatment).toMatchObject({ assigned: 2, attached: 1 });
    });

    it('answers 400 for bad query values and 404 for lift of an unknown offer', async () => {
      const def = await t.app.inject({ method: 'GET', url: '/v1/metrics/attach?definition=forever', headers: sk });
      expect(def.statusCode).toBe(400);
      expect(def.json().error.message).toContain('querystring/definition must be one of');
      const asOf = await t.app.inject({ method: 'GET', url: '/v1/metrics/attach?asOf=yesterday', headers: sk });
      expect(asOf.json().error.message).toContain('querystring/asOf must be an ISO 8601 date-time string');
      const lift = await t.app.inject({ method: 'GET', url: '/v1/metrics/lift', headers: sk });
      expect(lift.json().error.message).toBe('querystring/offerId is required');
      expect((await t.app.inject({ method: 'GET', url: '/v1/metrics/lift?offerId=ghost', headers: sk })).statusCode).toBe(404);
    });
  });

  describe('ops', () => {
    it('GET /healthz answers ok with the store kind', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.json()).toEqual({ status: 'ok', store: kind });
    });

    it('GET /openapi.json documents every endpoint with the validating schemas', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      expect(doc.openapi).toBe('3.1.0');
      for (const path of ['/v1/decide', '/v1/events', '/v1/accounts/{id}', '/v1/accounts/batch', '/v1/conversions', '/v1/webhooks/stripe', '/v1/offers', '/v1/offers/{id}', '/v1/offers/{id}/audit', '/v1/offers/{id}/rollback', '/v1/metrics/attach', '/v1/metrics/funnel', '/v1/metrics/lift'])
        expect(doc.paths, path).toHaveProperty([path]);
      const eventSchema = doc.paths['/v1/events'].post.requestBody.content['application/json'].schema;
      expect(eventSchema.properties.events.items.properties.at.format).toBe('date-time');
      expect(eventSchema.properties.events.items.required).toEqual(expect.arrayContaining(['id', 'type', 'accountId', 'at']));
    });

    it('GET /metrics exposes request counts, latency and event outcomes', async () => {
      await t.app.inject({ method: 'POST', url: '/v1/events', headers: sk, payload: { events: [{ id: uuidv7(), type: 'usage', accountId: 'acct_a', quantity: 1, at: new Date().toISOString() }, { bad: 1 }] } });
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toMatch(/tandem_http_requests_total\{method="POST",route="\/v1\/events",status="202"\} \d+/);
      expect(res.body).toMatch(/tandem_http_request_duration_seconds_bucket\{route="\/v1\/events",le="\+Inf"\} \d+/);
      expect(res.body).toMatch(/tandem_events_total\{outcome="accepted"\} [1-9]/);
      expect(res.body).toMatch(/tandem_events_total\{outcome="rejected"\} [1-9]/);
    });
  });
});
