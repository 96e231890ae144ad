/**
 * Who may call what, and how often. Runs before validation so an
 * unauthenticated request learns about its key before its body.
 */
import type { FastifyRequest } from 'fastify';
import type { App, AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';

const ONE_MINUTE = 60_000;

function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header !== '') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new HttpError(401, 'unauthorized', 'the Authorization header must be `Bearer <key>`');
    return m[1]!;
  }
  const body = req.body as { key?: unknown } | null | undefined;
  if (body && typeof body === 'object' && typeof body.key === 'string' && body.key !== '') return body.key;
  return null;
}

function retryError(scope: string, ttlSeconds: number): HttpError {
  const after = String(Math.max(1, ttlSeconds));
  return new HttpError(429, 'rate_limited', `rate limit per ${scope} exceeded; retry in ${after} s`, {
    'retry-after': after,
  });
}

/**
 * Adds the per-IP limit (on request), key resolution + access check and the
 * per-key limit (after the body is parsed, since the browser may send its key
 * in the body). Needs @fastify/rate-limit registered with `global: false`.
 */
export function installGuard(app: App, ctx: AppContext): void {
  const { limits } = ctx.config;
  const perIp = app.createRateLimit({
    max: limits.ratePerMinutePerIp,
    timeWindow: ONE_MINUTE,
    keyGenerator: (req) => `ip:${req.ip}`,
  });
  const perKey = app.createRateLimit({
    max: limits.ratePerMinutePerKey,
    timeWindow: ONE_MINUTE,
    keyGenerator: (req) => `key:${req.principal?.id ?? 'none'}`,
  });

  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const r = await perIp(req);
    if (!r.isAllowed && r.isExceeded) throw retryError('address', r.ttlInSeconds);
  });

  app.addHook('preValidation', async (req) => {
    const access = req.routeOptions.config.access;
    if (access !== 'publishable' && access !== 'secret') return;
    const key = presentedKey(req);
    if (key === null)
      throw new HttpError(401, 'unauthorized', 'missing API key: send `Authorization: Bearer <key>`');
    const principal = await ctx.keys.resolve(key);
    if (!principal) throw new HttpError(401, 'unauthorized', 'unknown or revoked API key');
    if (access === 'secret' && principal.kind === 'publishable')
      throw new HttpError(
        403,
        'forbidden',
        `${req.method} ${req.routeOptions.url} needs the secret key; the publishable key may only call POST /v1/decide and POST /v1/events`,
      );
    req.principal = principal;
    const r = await perKey(req);
    if (!r.isAllowed && r.isExceeded) throw retryError('key', r.ttlInSeconds);
  });
}
