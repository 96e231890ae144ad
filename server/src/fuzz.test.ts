/**
 * Property: no body, however random or malformed, makes the API answer 5xx
 * or crash, on either store (PostgreSQL refuses some strings SQLite keeps). Identity verification is off so bodies reach the store and the
 * rules engine, not just the identity check.
 */
import { uuidv7 } from '@tandem/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAged, bearer, openTestApp, PK, SK, STORE_KINDS, type TestApp, trialOffer } from './testing/harness.ts';

const RUNS = 700;

const isoish = fc.oneof(
  fc.date({ noInvalidDate: true, min: new Date(-8e15), max: new Date(8e15) }).map((d) => d.toISOString()),
  fc.constantFrom('2026-02-30T00:00:00Z', '2026-01-01', '0000-00-00T00:00:00Z', '9999-12-31T23:59:59.999Z', '', 'now'),
  fc.string(),
);
// Any code point, NUL and lone surrogates included (PostgreSQL stores no NUL).
const anyChars = fc.string({ unit: 'binary', maxLength: 12 });
const idish = fc.oneof(fc.uuid(), fc.constant(uuidv7()), fc.string(), anyChars, fc.constantFrom('acct_fuzz', '', '__proto__', 'constructor', 'a\u0000b'));
const scalar = fc.oneof(fc.string(), anyChars, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const loose = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: scalar }, { weight: 1, arbitrary: fc.anything() });

const event = fc.record(
  {
    id: loose(idish),
    type: loose(fc.constantFrom('exposure', 'click', 'dismiss', 'trial_start', 'trial_started', 'paid', 'canceled', 'usage', 'nope')),
    accountId: loose(idish),
    at: loose(isoish),
    offerId: loose(fc.string()),
    userId: loose(fc.string()),
    variant: loose(fc.option(fc.string())),
    quantity: loose(fc.double()),
    arr: loose(fc.double()),
    identity: loose(fc.string()),
  },
  { requiredKeys: [] },
);
const decideBody = fc.record(
  {
    accountId: loose(idish),
    placements: loose(fc.array(loose(fc.constantFrom('dashboard', 'sidebar', '')), { maxLength: 25 })),
    placement: loose(fc.string()),
    userId: loose(fc.string()),
    attributes: loose(fc.dictionary(fc.string(), fc.anything())),
    debug: loose(fc.boolean()),
    identity: loose(fc.string()),
  },
  { requiredKeys: [] },
);
const account = fc.record(
  {
    id: loose(idish),
    activatedAt: loose(isoish),
    plan: loose(fc.string()),
    arr: loose(fc.double()),
    currency: loose(fc.constantFrom('USD', 'usd', 'EURO')),
    coreValueAt: loose(fc.option(isoish)),
    renewalAt: loose(fc.option(isoish)),
    usage: loose(fc.dictionary(fc.string(), loose(fc.double()))),
    attributes: loose(fc.dictionary(fc.string(), fc.anything())),
    pastDue: loose(fc.boolean()),
  },
  { requiredKeys: [] },
);
const conversion = fc.record(
  {
    id: loose(idish),
    accountId: loose(idish),
    type: loose(fc.constantFrom('trial_started', 'paid', 'canceled', 'usage', 'exposure')),
    productId: loose(fc.constantFrom('insights', 'ledger', 'x')),
    arr: loose(fc.double()),
    quantity: loose(fc.double()),
    at: loose(isoish),
  },
  { requiredKeys: [] },
);

/** A JSON body, a non-JSON string, or raw bytes that are almost JSON. */
const rawBody = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 6, arbitrary: arb.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.anything().map((v) => JSON.stringify(v) ?? '') },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: arb.map((v) => (JSON.stringify(v) ?? '{}').slice(0, -1)) },
  );

describe.each(STORE_KINDS)('fuzz (%s): random and malformed bodies never cause a 5xx', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp({ kind, config: { identity: { verify: false } } });
    await t.store.upsertAccounts([accountAged('acct_fuzz', 90) as never], Date.now());
    await t.app.inject({ method: 'POST', url: '/v1/offers', headers: bearer(SK), payload: trialOffer({ holdout: 0.5 }) });
  });
  afterAll(async () => t.close());

  const targets: [string, 'POST' | 'PUT', (body: fc.Arbitrary<string>) => fc.Arbitrary<{ url: string; body: string }>, fc.Arbitrary<unknown>][] = [
    ['/v1/decide', 'POST', (b) => b.map((body) => ({ url: '/v1/decide', body })), decideBody],
    ['/v1/events', 'POST', (b) => b.map((body) => ({ url: '/v1/events', body })), fc.record({ events: fc.array(loose(event), { maxLength: 30 }), key: loose(fc.string()) }, { requiredKeys: [] })],
    ['/v1/conversions', 'POST', (b) => b.map((body) => ({ url: '/v1/conversions', body })), conversion],
    ['/v1/accounts/batch', 'POST', (b) => b.map((body) => ({ url: '/v1/accounts/batch', body })), fc.record({ accounts: fc.array(loose(account), { maxLength: 10 }) })],
    [
      '/v1/accounts/:id',
      'PUT',
      (b) => fc.tuple(b, fc.string({ minLength: 1 })).map(([body, id]) => ({ url: `/v1/accounts/${encodeURIComponent(id)}`, body })),
      account,
    ],
  ];

  for (const [name, method, build, shape] of targets) {
    it(`${method} ${name}: ${RUNS} random bodies, zero 5xx, every error in the error shape`, async () => {
      await fc.assert(
        fc.asyncProperty(build(rawBody(shape)), fc.constantFrom(PK, SK), fc.constantFrom('application/json', 'text/plain'), async ({ url, body }, key, type) => {
          const res = await t.app.inject({ method, url, headers: { ...bearer(key), 'content-type': type }, payload: body });
          expect(res.statusCode, `${res.statusCode} ${res.body} for ${body}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const err = res.json().error;
            expect(typeof err.code).toBe('string');
            expect(typeof err.message).toBe('string');
          }
        }),
        { numRuns: RUNS },
      );
    }, 120_000);
  }

  it('the server still answers normally afterwards', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/decide', headers: bearer(PK), payload: { accountId: 'acct_fuzz', placements: ['dashboard'] } });
    expect(res.statusCode).toBe(200);
  });
});
