/**
 * CORS for the configured origins (`cors.origins`, exact match): browsers on
 * those origins may call the API; any other origin gets no grant.
 *
 * A hook of our own rather than @fastify/cors: that plugin resolves its
 * options (a copy of them, a callback) for every request, which cost about
 * 4 % of a decide's CPU; here a request costs a set lookup and its headers.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { App } from '../context.ts';
import { HttpError } from '../errors.ts';

const ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type';
const MAX_AGE_SECONDS = '600';

/** The configured origins, or null when there are none (then no answer carries CORS headers). */
export function corsOrigins(origins: readonly string[]): ReadonlySet<string> | null {
  return origins.length === 0 ? null : new Set(origins);
}

/**
 * Adds the grant for allowed origins to every answer and answers their
 * preflights (204). A preflight from any other origin, or without one, is a 404.
 * With no origins configured (server-to-server use) it adds nothing.
 */
export function installCors(app: App, allowed: ReadonlySet<string> | null): void {
  // No origin allowed: no answer depends on Origin, and preflights find no route (404).
  if (allowed === null) return;

  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // The answer depends on Origin whether or not this request sent one (caches must know).
    reply.header('vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return done();
    reply.header('access-control-allow-origin', origin);
    if (req.method !== 'OPTIONS') return done();
    if (typeof req.headers['access-control-request-method'] !== 'string')
      return done(new HttpError(400, 'invalid_request', 'a CORS preflight must send Access-Control-Request-Method'));
    reply
      .header('access-control-allow-methods', ALLOW_METHODS)
      .header('access-control-allow-headers', ALLOW_HEADERS)
      .header('access-control-max-age', MAX_AGE_SECONDS)
      .header('content-length', '0')
      .code(204)
      .send();
  });

  // Preflights are answered by the hook; this route only lets OPTIONS reach it (others: 404).
  app.options('*', { schema: { hide: true } }, (_req, reply) => reply.callNotFound());
}
