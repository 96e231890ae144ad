/**
 * Who may call what, and how often. Runs before validation so an
 * unauthenticated request learns about its key before its body.
 *
 * Both hooks finish synchronously whenever they can (the stored keys are
 * fresh, which is nearly always): they run on every decide and event batch,
 * where a promise per hook cost more than the checks themselves.
 */
import type { FastifyRequest } from 'fastify';
import type { App, AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { type RouteHook, withHook } from '../route-hooks.ts';
import type { Principal } from './keys.ts';
import { RateLimiter } from './rate-limiter.ts';

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

function retryError(scope: string, seconds: number): HttpError {
  const after = String(seconds);
  return new HttpError(429, 'rate_limited', `rate limit per ${scope} exceeded; retry in ${after} s`, {
    'retry-after': after,
  });
}

/**
 * Adds the per-address limit (on request), key resolution + access check and
 * the per-key limit (after the body is parsed, since the browser may send its
 * key in the body). Counters are per process (docs/operations.md).
 *
 * The hooks are attached to each route by its `access` when it is registered
 * (so call this before adding routes): public routes run none, and no request
 * looks its route's options up again.
 */
export function installGuard(app: App, ctx: AppContext): void {
  const { limits } = ctx.config;
  const perIp = new RateLimiter(limits.ratePerMinutePerIp);
  const perKey = new RateLimiter(limits.ratePerMinutePerKey);

  app.decorateRequest('principal', null);

  const limitAddress: RouteHook = (req, _reply, done) => {
    const wait = perIp.hit(req.ip, Date.now());
    done(wait > 0 ? retryError('address', wait) : undefined);
  };

  const admitter = (access: 'publishable' | 'secret', methods: string | string[], url: string): RouteHook => {
    const method = Array.isArray(methods) ? methods.join('|') : methods;
    const admit = (req: FastifyRequest, principal: Principal | null): HttpError | undefined => {
      if (!principal) return new HttpError(401, 'unauthorized', 'unknown or revoked API key');
      if (access === 'secret' && principal.kind === 'publishable')
        return new HttpError(
          403,
          'forbidden',
          `${method} ${url} needs the secret key; the publishable key may only call POST /v1/decide and POST /v1/events`,
        );
      req.principal = principal;
      const wait = perKey.hit(principal.id, Date.now());
      return wait > 0 ? retryError('key', wait) : undefined;
    };
    return (req, _reply, done) => {
      let key: string | null;
      try {
        key = presentedKey(req);
      } catch (err) {
        return done(err as Error);
      }
      if (key === null) return done(new HttpError(401, 'unauthorized', 'missing API key: send `Authorization: Bearer <key>`'));
      const principal = ctx.keys.resolve(key);
      if (!(principal instanceof Promise)) return done(admit(req, principal));
      principal.then(
        (p) => done(admit(req, p)),
        (err: Error) => done(err),
      );
    };
  };

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined || access === 'public') return;
    route.onRequest = withHook(route.onRequest, limitAddress);
    if (access === 'publishable' || access === 'secret')
      route.preValidation = withHook(route.preValidation, admitter(access, route.method, route.url));
  });
}
