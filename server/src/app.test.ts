import { connect } from 'node:net';
import { uuidv7 } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { generateKey } from './auth/keys.ts';
import { bearer, ORIGIN, openTestApp, PK, SK, type TestApp } from './testing/harness.ts';

const SECRET_ROUTES: [string, string, unknown?][] = [
  ['PUT', '/v1/accounts/a1', { activatedAt: '2026-01-01T00:00:00Z' }],
  ['POST', '/v1/accounts/batch', { accounts: [{ id: 'a1', activatedAt: '2026-01-01T00:00:00Z' }] }],
  ['POST', '/v1/conversions', { id: 'c1', accountId: 'a1', type: 'paid', at: '2026-01-01T00:00:00Z' }],
  ['GET', '/v1/offers'],
  ['GET', '/v1/offers/o1'],
  ['POST', '/v1/offers', {}],
  ['PUT', '/v1/offers/o1', {}],
  ['DELETE', '/v1/offers/o1'],
  ['GET', '/v1/offers/o1/audit'],
  ['POST', '/v1/offers/o1/rollback', { auditId: 1 }],
  ['GET', '/v1/metrics/attach'],
  ['GET', '/v1/metrics/attach.csv'],
  ['GET', '/v1/metrics/funnel'],
  ['GET', '/v1/metrics/lift?offerId=o1'],
];

describe('app: auth, errors, CORS, limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t.close());

  it.each(SECRET_ROUTES)('%s %s answers 401 without a key and 403 with the publishable key', async (method, url, payload) => {
    const none = await t.app.inject({ method: method as 'GET', url, payload: payload as object });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const pk = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: bearer(PK) });
    expect(pk.statusCode).toBe(403);
    expect(pk.json().error).toMatchObject({ code: 'forbidden' });
    expect(pk.json().error.message).toContain('secret key');
  });

  it('guards the HEAD route Fastify adds to each GET route as it guards the GET', async () => {
    // The guard is attached to routes as they are registered (onRoute); the added HEAD routes count too.
    for (const url of ['/v1/offers', '/v1/metrics/attach', '/v1/metrics/funnel']) {
      expect((await t.app.inject({ method: 'HEAD', url })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'HEAD', url, headers: bearer(PK) })).statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'HEAD', url: '/v1/offers', headers: bearer(SK) })).statusCode).toBe(200);
  });

  it('refuses unknown keys and malformed Authorization headers with 401', async () => {
    const wrong = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: bearer('sk_test_wrong_key') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toContain('unknown');
    const basic = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: { authorization: 'Basic abc' } });
    expect(basic.statusCode).toBe(401);
    expect(basic.json().error.message).toContain('Bearer');
  });

  it('accepts admin and publishable keys made by `tandem keys`, and refuses them once revoked', async () => {
    const admin = generateKey('admin', 'console');
    const pk = generateKey('publishable', null);
    const fresh = await openTestApp();
    try {
      await fresh.store.createKey(admin.record);
      await fresh.store.createKey(pk.record);
      expect((await fresh.app.inject({ method: 'GET', url: '/v1/offers', headers: bearer(admin.key) })).statusCode).toBe(200);
      expect((await fresh.app.inject({ method: 'GET', url: '/v1/offers', headers: bearer(pk.key) })).statusCode).toBe(403);
      await fresh.store.revokeKey(admin.record.id, Date.now());
      // A running server re-reads stored keys within 10 s; a new app reads them at once.
      const next = await buildApp({ config: fresh.config, store: fresh.store });
      expect((await next.inject({ method: 'GET', url: '/v1/offers', headers: bearer(admin.key) })).statusCode).toBe(401);
      await next.close();
    } finally {
      await fresh.close();
    }
  });

  it('accepts the publishable key in the body (sendBeacon) and as text/plain', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/decide',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      payload: JSON.stringify({ key: PK, accountId: 'nobody', placements: ['dashboard'], identity: 'x' }),
    });
    // Key accepted (not 401 unauthorized); the bogus identity is what fails.
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_identity');
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: { ...bearer(SK), 'content-type': 'application/json' },
      payload: '{"id": "c1",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  it('answers wrong types with 400 naming the field and what was received', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: bearer(SK),
      payload: { id: 'c1', accountId: 42, type: 'paid', at: '2026-01-01T00:00:00Z' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'invalid_request', message: 'body/accountId must be a string, got 42' });
    const date = await t.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: bearer(SK),
      payload: { id: 'c1', accountId: 'a', type: 'paid', at: 'yesterday' },
    });
    expect(date.json().error.message).toMatch(/^body\/at must be an ISO 8601 date-time string.*got "yesterday"$/);
    const missing = await t.app.inject({ method: 'POST', url: '/v1/conversions', headers: bearer(SK), payload: { id: 'c1' } });
    expect(missing.json().error.message).toBe('body/accountId is required');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: { ...bearer(SK), 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toEqual({
      code: 'unsupported_media_type',
      message: 'Content-Type must be application/json (or text/plain holding JSON), got "application/xml"',
    });
  });

  it('answers a body over the limit with 413', async () => {
    const events = Array.from({ length: 2000 }, () => ({
      id: uuidv7(),
      type: 'exposure',
      accountId: 'a'.repeat(50),
      at: new Date().toISOString(),
    }));
    const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(SK), payload: { events } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(res.json().error.message).toContain('65536');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /v1/nope' } });
  });

  it('grants CORS to a configured origin only', async () => {
    const ok = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(ok.headers['access-control-allow-methods']).toContain('POST');
    expect(ok.headers['access-control-allow-headers']).toBe('Authorization, Content-Type');
    expect(ok.headers['access-control-max-age']).toBe('600');
    expect(ok.headers.vary).toBe('Origin');
    expect(ok.body).toBe('');

    const evil = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.statusCode).toBe(404);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect(evil.headers['access-control-allow-methods']).toBeUndefined();
    const simple = await t.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    expect(simple.headers.vary).toBe('Origin');
  });

  it('grants an allowed origin on the answer itself', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { origin: ORIGIN } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    // Retry-After is exposed on the answers that carry it (429s, see the rate-limit tests), not here.
    expect(res.headers['access-control-expose-headers']).toBeUndefined();
    // Without an Origin (server to server) there is no grant, but caches still learn the answer varies.
    const plain = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    expect(plain.headers.vary).toBe('Origin');
  });

  it('refuses a preflight without Access-Control-Request-Method, and one without an Origin', async () => {
    const noMethod = await t.app.inject({ method: 'OPTIONS', url: '/v1/decide', headers: { origin: ORIGIN } });
    expect(noMethod.statusCode).toBe(400);
    expect(noMethod.json().error.message).toContain('Access-Control-Request-Method');
    const noOrigin = await t.app.inject({ method: 'OPTIONS', url: '/v1/decide', headers: { 'access-control-request-method': 'POST' } });
    expect(noOrigin.statusCode).toBe(404);
  });
});

describe('app: CORS with no origins configured', () => {
  it('adds nothing and has no preflight route', async () => {
    const t = await openTestApp({ config: { cors: { origins: [] } } });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { origin: ORIGIN } });
      expect(res.statusCode).toBe(200);
      expect(res.headers.vary).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.app.inject({
        method: 'OPTIONS',
        url: '/v1/decide',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(preflight.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('app: slow clients', () => {
  it('closes a connection whose headers do not arrive within timeouts.headersMs', async () => {
    const t = await openTestApp({ config: { timeouts: { headersMs: 400, requestMs: 5000 } } });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as { port: number };
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\n'));
        let data = '';
        socket.on('data', (d) => {
          data += String(d);
        });
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
        setTimeout(() => reject(new Error('connection still open after 5 s')), 5000).unref();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await t.close();
    }
  });
});

describe('app: rate limits', () => {
  it('answers 429 with Retry-After once a key exceeds its per-minute limit', async () => {
    const t = await openTestApp({ config: { limits: { bodyBytes: 65536, ratePerMinutePerKey: 3, ratePerMinutePerIp: 1000 } } });
    try {
      const codes: number[] = [];
      let last: Awaited<ReturnType<typeof t.app.inject>> | undefined;
      for (let i = 0; i < 5; i++) {
        last = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: bearer(SK) });
        codes.push(last.statusCode);
      }
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      expect(last!.json().error.code).toBe('rate_limited');
    } finally {
      await t.close();
    }
  });

  it('answers 429 with Retry-After once an address exceeds its per-minute limit, whatever the key', async () => {
    const t = await openTestApp({ config: { limits: { bodyBytes: 65536, ratePerMinutePerKey: 1000, ratePerMinutePerIp: 2 } } });
    try {
      const a = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: bearer(SK) });
      const b = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: bearer('sk_unknown_123') });
      const c = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: bearer(SK) });
      expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([200, 401, 429]);
      expect(Number(c.headers['retry-after'])).toBeGreaterThan(0);
      // A page on an allowed origin may read Retry-After; one on any other origin gets no grant at all.
      const browser = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: { ...bearer(SK), origin: ORIGIN } });
      expect(browser.statusCode).toBe(429);
      expect(browser.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(browser.headers['access-control-expose-headers']).toBe('Retry-After');
      const other = await t.app.inject({ method: 'GET', url: '/v1/offers', headers: { ...bearer(SK), origin: 'https://evil.example' } });
      expect(other.statusCode).toBe(429);
      expect(other.headers['access-control-expose-headers']).toBeUndefined();
      // Health checks are not limited.
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
