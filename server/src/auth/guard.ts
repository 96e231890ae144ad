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

function presentedKey(authorization: string | undefined, body: unknown): string | null {
  if (typeof authorization === 'string' && authorization !== '') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw new HttpError(401, 'unauthorized', 'the Authorization header must be `Bearer <key>`');
    return m[1]!;
  }
  const key = (body as { key?: unknown } | null | undefined)?.key;
  if (body && typeof body === 'object' && typeof key === 'string' && key !== '') return key;
  return null;
}

function retryError(scope: string, seconds: number): HttpError {
  const after = String(seconds);
  return new HttpError(429, 'rate_limited', `rate limit per ${scope} exceeded; retry in ${after} s`, {
    'retry-after': after,
  });
}

/** A route's admission: the caller's principal, or the error to answer with. */
export type Admission = Principal | HttpError;

/**
 * The checks themselves, for the Fastify hooks below and for the decide lane
 * (decide-lane.ts), which answers POST /v1/decide without Fastify's pipeline.
 */
export class Guard {
  private readonly perIp: RateLimiter;
  private readonly perKey: RateLimiter;

  constructor(private readonly ctx: AppContext) {
    this.perIp = new RateLimiter(ctx.config.limits.ratePerMinutePerIp);
    this.perKey = new RateLimiter(ctx.config.limits.ratePerMinutePerKey);
  }

  /** The per-address limit: undefined within it, else the 429 to answer. */
  address(ip: string): HttpError | undefined {
    const wait = this.perIp.hit(ip, Date.now());
    return wait > 0 ? retryError('address', wait) : undefined;
  }

  /**
   * The key (`Authorization: Bearer`, or `key` in the body) checked against the route's
   * access, then the per-key limit. `route` names the route in the 403 message.
   */
  admit(access: 'publishable' | 'secret', route: string, authorization: string | undefined, body: unknown): Admission | Promise<Admission> {
    let key: string | null;
    try {
      key = presentedKey(authorization, body);
    } catch (err) {
      return err as HttpError;
    }
    if (key === null) return new HttpError(401, 'unauthorized', 'missing API key: send `Authorization: Bearer <key>`');
    const principal = this.ctx.keys.resolve(key);
    if (!(principal instanceof Promise)) return this.admitted(access, route, principal);
    return principal.then((p) => this.admitted(access, route, p));
  }

  private admitted(access: 'publishable' | 'secret', route: string, principal: Principal | null): Admission {
    if (!principal) return new HttpError(401, 'unauthorized', 'unknown or revoked API key');
    if (access === 'secret' && principal.kind === 'publishable')
      return new HttpError(
        403,
        'forbidden',
        `${route} needs the secret key; the publishable key may only call POST /v1/decide and POST /v1/events`,
      );
    const wait = this.perKey.hit(principal.id, Date.now());
    return wait > 0 ? retryError('key', wait) : principal;
  }
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
export function installGuard(app: App, guard: Guard): void {
  app.decorateRequest('principal', null);

  const limitAddress: RouteHook = (req, _reply, done) => done(guard.address(req.ip));

  const admitter = (access: 'publishable' | 'secret', methods: string | string[], url: string): RouteHook => {
    const route = `${Array.isArray(methods) ? methods.join('|') : methods} ${url}`;
    const apply = (req: FastifyRequest, admission: Admission): HttpError | undefined => {
      if (admission instanceof HttpError) return admission;
      req.principal = admission;
      return undefined;
    };
    return (req, _reply, done) => {
      const admission = guard.admit(access, route, req.headers.authorization, req.body);
      if (!(admission instanceof Promise)) return done(apply(req, admission));
      admission.then(
        (a) => done(apply(req, a)),
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
