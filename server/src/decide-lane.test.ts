/**
 * The decide lane answers POST /v1/decide in front of Fastify (decide-lane.ts). Every request
 * here goes both ways: over HTTP to a listening app, where the lane takes it, and through
 * Fastify's route by `inject`, which never passes the lane. The answers must be the same:
 * status, body and the headers a client reads. The lane's own counter proves it took the
 * request (so a lane that declined everything would fail here).
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  accountAged,
  bearer,
  mintIdentity,
  ORIGIN,
  openTestApp,
  PK,
  SK,
  STORE_KINDS,
  type TestApp,
  trialOffer,
} from './testing/harness.ts';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const HEADERS = ['content-type', 'content-length', 'vary', 'access-control-allow-origin', 'access-control-expose-headers', 'retry-after'];

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

interface Sent {
  body: string;
  headers: Record<string, string>;
  url?: string;
}

/** decisionId is random (uuidv7); everything else is fixed by the pinned clock. */
const normalize = (body: string) => body.replace(/"decisionId":"[0-9a-f-]{36}"/g, '"decisionId":"…"');

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  if (!address || typeof address !== 'object') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

async function metricsText(t: TestApp): Promise<string> {
  return (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(SK) })).body;
}

async function lanes(t: TestApp): Promise<number> {
  const text = await metricsText(t);
  const m = /^tandem_decide_lane_requests_total (\d+)$/m.exec(text);
  if (!m) throw new Error(`no lane counter in /metrics:\n${text}`);
  return Number(m[1]);
}

async function viaLane(base: string, sent: Sent): Promise<Answer> {
  const res = await fetch(`${base}${sent.url ?? '/v1/decide'}`, { method: 'POST', headers: sent.headers, body: sent.body });
  const headers: Answer['headers'] = {};
  for (const h of HEADERS) headers[h] = res.headers.get(h) ?? undefined;
  if (res.headers.get('connection') === 'close') headers.connection = 'close';
  return { status: res.status, headers, body: normalize(await res.text()) };
}

async function viaRoute(t: TestApp, sent: Sent): Promise<Answer> {
  const res = await t.app.inject({ method: 'POST', url: sent.url ?? '/v1/decide', headers: sent.headers, payload: sent.body });
  const headers: Answer['headers'] = {};
  for (const h of HEADERS) {
    const v = res.headers[h];
    headers[h] = v === undefined ? undefined : String(v);
  }
  if (res.headers.connection === 'close') headers.connection = 'close';
  return { status: res.statusCode, headers, body: normalize(res.body) };
}

describe.each(STORE_KINDS)('decide lane (%s): the same answers as the route', (kind) => {
  let t: TestApp;
  let base: string;
  let tokenA: string;

  beforeAll(async () => {
    t = await openTestApp({ kind, now: () => NOW });
    await t.store.upsertAccounts([accountAged('acct_a', 90, NOW) as never, accountAged('acct_young', 5, NOW) as never], NOW);
    const offer = await t.app.inject({ method: 'POST', url: '/v1/offers', headers: bearer(SK), payload: trialOffer({ holdout: 0 }) });
    expect(offer.statusCode).toBe(201);
    tokenA = await mintIdentity('acct_a', { uid: 'u1', now: NOW, expSeconds: 3600 });
    base = await listen(t);
  });
  afterAll(async () => t.close());

  const json = (key: string | null, extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    ...(key === null ? {} : bearer(key)),
    ...extra,
  });

  const cases: [string, () => Promise<Sent>, number][] = [
    ['an eligible account with its identity', async () => ({ headers: json(PK, { origin: ORIGIN }), body: JSON.stringify({ accountId: 'acct_a', identity: tokenA, placements: ['dashboard'] }) }), 200],
    ['a placement without offers', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', identity: tokenA, placement: 'sidebar' }) }), 200],
    ['an account too young for the window', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_young', identity: await mintIdentity('acct_young', { now: NOW }), placements: ['dashboard'] }) }), 200],
    ['an unknown account', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'nobody', identity: await mintIdentity('nobody', { now: NOW }), placements: ['dashboard'] }) }), 200],
    ['the secret key with debug', async () => ({ headers: json(SK), body: JSON.stringify({ accountId: 'acct_a', placements: ['dashboard', 'sidebar'], debug: true }) }), 200],
    ['signed attributes over browser ones', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', identity: await mintIdentity('acct_a', { now: NOW, attrs: { plan: 'enterprise' } }), attributes: { plan: 'free', seats: 3 }, placements: ['dashboard'] }) }), 200],
    ['text/plain as sendBeacon sends it, key in the body', async () => ({ headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ key: PK, accountId: 'acct_a', identity: tokenA, placements: ['dashboard'] }) }), 200],
    ['an unknown property (removed by the schema)', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', identity: tokenA, placements: ['dashboard'], color: 'red' }) }), 200],
    ['a foreign origin (no grant)', async () => ({ headers: json(PK, { origin: 'https://evil.example' }), body: JSON.stringify({ accountId: 'acct_a', identity: tokenA, placements: ['dashboard'] }) }), 200],
    ['no identity', async () => ({ headers: json(PK, { origin: ORIGIN }), body: JSON.stringify({ accountId: 'acct_a', placements: ['dashboard'] }) }), 401],
    ['an identity for another account', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_young', identity: tokenA, placements: ['dashboard'] }) }), 401],
    ['a forged identity', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', identity: await mintIdentity('acct_a', { now: NOW, secret: 'not-the-secret-0123456789abcdef-xyz' }), placements: ['dashboard'] }) }), 401],
    ['an expired identity', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', identity: await mintIdentity('acct_a', { now: NOW - 7_200_000, expSeconds: 60 }), placements: ['dashboard'] }) }), 401],
    ['no key', async () => ({ headers: json(null), body: JSON.stringify({ accountId: 'acct_a', identity: tokenA, placements: ['dashboard'] }) }), 401],
    ['an unknown key', async () => ({ headers: json('pk_nope'), body: JSON.stringify({ accountId: 'acct_a', identity: tokenA, placements: ['dashboard'] }) }), 401],
    ['a malformed Authorization header', async () => ({ headers: json(null, { authorization: 'Basic abc' }), body: JSON.stringify({ accountId: 'acct_a', placements: ['dashboard'] }) }), 401],
    ['broken JSON', async () => ({ headers: json(PK, { origin: ORIGIN }), body: '{"accountId": "acct_a",' }), 400],
    ['an empty body', async () => ({ headers: json(PK), body: '' }), 400],
    ['prototype poisoning', async () => ({ headers: json(PK), body: '{"accountId":"acct_a","__proto__":{"x":1}}' }), 400],
    ['a number for accountId', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 42, placements: ['dashboard'] }) }), 400],
    ['no placements', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', identity: tokenA }) }), 400],
    ['an array body', async () => ({ headers: json(PK), body: '[]' }), 400],
    ['null', async () => ({ headers: json(PK), body: 'null' }), 400],
    ['a NUL character', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct\u0000a', placements: ['dashboard'] }) }), 400],
    ['too many placements', async () => ({ headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', placements: Array.from({ length: 21 }, (_, i) => `p${i}`) }) }), 400],
  ];

  for (const [name, make, status] of cases) {
    it(`${name}: ${status}, as the route answers`, async () => {
      const sent = await make();
      const before = await lanes(t);
      const lane = await viaLane(base, sent);
      expect(await lanes(t), 'the lane took the request').toBe(before + 1);
      const route = await viaRoute(t, sent);
      expect(lane.status, lane.body).toBe(status);
      expect(lane).toEqual(route);
    });
  }

  it('the first request records the holdout assignment once, whichever way it came', async () => {
    await t.store.upsertAccounts([accountAged('acct_new', 90, NOW) as never], NOW);
    const sent = { headers: json(SK), body: JSON.stringify({ accountId: 'acct_new', placements: ['dashboard'] }) };
    const lane = await viaLane(base, sent);
    const route = await viaRoute(t, sent);
    expect(lane).toEqual(route);
    const state = await t.store.decisionState('acct_new', 0, NOW);
    expect(state.assignments).toHaveLength(1);
  });

  it('what the lane does not take, Fastify answers: big, chunked and mistyped bodies, query strings', async () => {
    const before = await lanes(t);
    const body = JSON.stringify({ accountId: 'acct_a', identity: tokenA, placements: ['dashboard'] });
    const big = await viaLane(base, { headers: json(PK), body: JSON.stringify({ accountId: 'acct_a', pad: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    const xml = await viaLane(base, { headers: json(PK, { 'content-type': 'application/xml' }), body });
    expect(xml.status).toBe(415);
    const query = await viaLane(base, { headers: json(PK), body, url: '/v1/decide?debug=1' });
    expect(query.status).toBe(200);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(body));
        c.close();
      },
    });
    const chunked = await fetch(`${base}/v1/decide`, { method: 'POST', headers: json(PK), body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(200);
    expect(normalize(await chunked.text())).toBe(query.body);
    expect(await lanes(t), 'none of these went through the lane').toBe(before);
  });

  it('an unexpected failure is a logged 500 with the error shape, both ways', async () => {
    const original = t.store.decisionStateNow;
    const failing = () => {
      throw new Error('disk on fire');
    };
    t.store.decisionStateNow = failing;
    const originalAsync = t.store.decisionState;
    t.store.decisionState = async () => failing();
    try {
      const sent = { headers: json(SK), body: JSON.stringify({ accountId: 'acct_a', placements: ['dashboard'] }) };
      const lane = await viaLane(base, sent);
      expect(lane.status).toBe(500);
      expect(JSON.parse(lane.body)).toEqual({ error: { code: 'internal', message: 'internal server error' } });
      expect(lane).toEqual(await viaRoute(t, sent));
    } finally {
      t.store.decisionStateNow = original;
      t.store.decisionState = originalAsync;
    }
  });

  it('counts its requests in the route metrics', async () => {
    const count = async () => Number(/tandem_http_requests_total\{method="POST",route="\/v1\/decide",status="200"\} (\d+)/.exec(await metricsText(t))?.[1] ?? 0);
    const before = await count();
    await viaLane(base, { headers: json(SK), body: JSON.stringify({ accountId: 'acct_a', placements: ['dashboard'] }) });
    expect(await count()).toBe(before + 1);
  });

  it(`random decide bodies: the same answer both ways (${kind})`, async () => {
    const loose = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.string({ unit: 'binary', maxLength: 8 }));
    const body = fc.record(
      {
        accountId: fc.oneof(fc.constantFrom('acct_a', 'acct_young', 'nobody', ''), loose),
        placements: fc.oneof(fc.array(fc.oneof(fc.constantFrom('dashboard', 'sidebar', ''), loose), { maxLength: 22 }), loose),
        placement: loose,
        userId: loose,
        attributes: fc.oneof(fc.dictionary(fc.string(), fc.anything()), loose),
        debug: fc.oneof(fc.boolean(), loose),
        identity: fc.oneof(fc.constant(tokenA), loose),
      },
      { requiredKeys: [] },
    );
    const text = fc.oneof(
      { weight: 8, arbitrary: body.map((b) => JSON.stringify(b)) },
      { weight: 1, arbitrary: fc.string() },
      { weight: 1, arbitrary: body.map((b) => JSON.stringify(b).slice(0, -1)) },
    );
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom(PK, SK), fc.constantFrom('application/json', 'text/plain'), async (b, key, type) => {
        const sent = { headers: { 'content-type': type, ...bearer(key) }, body: b };
        const lane = await viaLane(base, sent);
        expect(lane.status).toBeLessThan(500);
        expect(lane).toEqual(await viaRoute(t, sent));
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('decide lane: limits, as the route applies them', () => {
  let t: TestApp;
  let base: string;
  afterEach(async () => t.close());

  const sent = (extra: Record<string, string> = {}) => ({
    headers: { 'content-type': 'application/json', ...bearer(SK), origin: ORIGIN, ...extra },
    body: JSON.stringify({ accountId: 'acct_a', placements: ['dashboard'] }),
  });

  it('per key: the third request in a minute is a 429 with Retry-After, readable by the allowed origin', async () => {
    t = await openTestApp({ now: () => NOW, config: { limits: { bodyBytes: 65_536, ratePerMinutePerKey: 2, ratePerMinutePerIp: 1000 } } });
    base = await listen(t);
    expect((await viaLane(base, sent())).status).toBe(200);
    expect((await viaLane(base, sent())).status).toBe(200);
    const lane = await viaLane(base, sent());
    const route = await viaRoute(t, sent());
    expect(lane.status).toBe(429);
    expect(lane.headers['access-control-expose-headers']).toBe('Retry-After');
    expect(Number(lane.headers['retry-after'])).toBeGreaterThan(0);
    // Both count into the same limiter; the seconds left may differ by one between the two.
    const strip = (a: Answer) => ({ ...a, body: a.body.replace(/\d+ s/, 'N s'), headers: { ...a.headers, 'retry-after': 'N', 'content-length': 'N' } });
    expect(strip(lane)).toEqual(strip(route));
  });

  it('per address, behind a trusted proxy: the client address is the left-most X-Forwarded-For entry', async () => {
    t = await openTestApp({ now: () => NOW, config: { trustProxy: true, limits: { bodyBytes: 65_536, ratePerMinutePerKey: 1000, ratePerMinutePerIp: 2 } } });
    base = await listen(t);
    const from = (ip: string) => sent({ 'x-forwarded-for': `${ip}, 10.0.0.1` });
    expect((await viaLane(base, from('203.0.113.7'))).status).toBe(200);
    expect((await viaLane(base, from('203.0.113.7'))).status).toBe(200);
    const limited = await viaLane(base, from('203.0.113.7'));
    expect(limited.status).toBe(429);
    expect(limited.body).toContain('rate limit per address');
    expect((await viaLane(base, from('198.51.100.2'))).status).toBe(200);
  });
});
