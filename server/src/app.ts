/**
 * The HTTP application: plugins, hooks, routes and the one central error
 * handler. Start-up (config, store, listen, signals) lives in main.ts.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { type FastifyHttpOptions, LogController } from 'fastify';
import { corsOrigins, installCors } from './auth/cors.ts';
import { Guard, installGuard } from './auth/guard.ts';
import { IdentityVerifier } from './auth/identity.ts';
import { KeyRing } from './auth/keys.ts';
import type { Config } from './config.ts';
import type { App, AppContext } from './context.ts';
import { errorAnswer, INTERNAL_ERROR } from './error-answer.ts';
import { badRequest } from './errors.ts';
import { ServerMetrics } from './observability/prometheus.ts';
import { lazyRequestLogger } from './observability/request-logger.ts';
import { OfferCache } from './offer-cache.ts';
import { type RouteHook, withHook } from './route-hooks.ts';
import { accountRoutes } from './routes/accounts.ts';
import { assignmentRoutes } from './routes/assignments.ts';
import { consoleRoutes } from './routes/console.ts';
import { conversionRoutes } from './routes/conversions.ts';
import { decideLane, type Lane, type ParsedBody } from './decide-lane.ts';
import { createDecider, decideRoutes } from './routes/decide.ts';
import { eventRoutes } from './routes/events.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { offerRoutes } from './routes/offers.ts';
import { opsRoutes } from './routes/ops.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { ErrorBody } from './schemas/common.ts';
import { mayHoldNul, NUL_MESSAGE, nulPath } from './schemas/nul.ts';
import { bodyAjv, formatSchemaError, queryAjv } from './schemas/validation.ts';
import type { Store } from './store/types.ts';

export interface BuildAppOptions {
  config: Config;
  store: Store;
  /** `false` (default) for silence, `true` or pino options, or a pino logger instance. */
  logger?: boolean | object;
  /** Server clock; tests may pin it. */
  now?: () => number;
}

/**
 * Builds the Fastify app around a store. Does not listen.
 * @example const app = await buildApp({ config, store }); await app.listen({ port: 0 });
 */
export async function buildApp(opts: BuildAppOptions): Promise<App> {
  const { config, store } = opts;
  const fastifyOptions: FastifyHttpOptions<Server> = {
    bodyLimit: config.limits.bodyBytes,
    connectionTimeout: config.timeouts.connectionMs,
    requestTimeout: config.timeouts.requestMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    trustProxy: config.trustProxy,
    schemaErrorFormatter: (errors, dataVar) => new Error(formatSchemaError(errors, dataVar)),
    return503OnClosing: true,
    // Per-request log lines cost more than a decide; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // With request logging off, most requests never log: their reqId-bound child is built on first use.
    childLoggerFactory: lazyRequestLogger,
    http: {
      // Slow-header (slowloris) defence: a client must finish its headers quickly;
      // the check interval bounds how late the timeout fires.
      headersTimeout: Math.min(config.timeouts.headersMs, config.timeouts.requestMs || Number.MAX_SAFE_INTEGER),
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(config.timeouts.headersMs / 2))),
    },
  };
  // POST /v1/decide's common case is answered by the decide lane (decide-lane.ts) in front of
  // Fastify, with the same parts as the route; everything else, and whatever the lane does not
  // take, goes to Fastify. The server is made as Fastify makes it, with the lane in front.
  let lane: Lane | null = null;
  fastifyOptions.serverFactory = (handler) => {
    const server = createServer(fastifyOptions.http ?? {}, (req: IncomingMessage, res: ServerResponse) => {
      if (lane === null || !lane(req, res)) handler(req, res);
    });
    server.keepAliveTimeout = config.timeouts.keepAliveMs;
    server.requestTimeout = config.timeouts.requestMs;
    server.setTimeout(config.timeouts.connectionMs);
    return server;
  };
  const logger = opts.logger ?? false;
  const app = (
    typeof logger === 'object' && logger !== null && typeof (logger as { info?: unknown }).info === 'function'
      ? Fastify({ ...fastifyOptions, loggerInstance: logger as never })
      : Fastify({ ...fastifyOptions, logger: logger === true ? { level: config.logLevel } : logger })
  ).withTypeProvider<TypeBoxTypeProvider>() as App;

  const ctx: AppContext = {
    config,
    store,
    keys: new KeyRing(config.keys, store),
    identity: new IdentityVerifier(config.identity),
    offers: new OfferCache(store),
    metrics: new ServerMetrics(),
    now: opts.now ?? Date.now,
  };

  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'querystring' ? queryAjv : bodyAjv).compile(schema as object),
  );
  // sendBeacon posts text/plain to avoid a CORS preflight; the body is still JSON. Both parsers
  // note a body that may hold a NUL character (schemas/nul.ts), which no store may keep.
  const json = app.getDefaultJsonParser('error', 'error');
  app.decorateRequest('mayHoldNul', false);
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (req, body, done) => {
    if (mayHoldNul(body as string)) req.mayHoldNul = true;
    json(req, body as string, done);
  });
  /** The same parser for the decide lane: the parsed body, or the error the route would answer. */
  const parseJson = (text: string): ParsedBody => {
    const parsed: ParsedBody = { body: undefined, error: null };
    json(null as never, text, (error, body) => {
      parsed.error = error;
      parsed.body = body;
    });
    return parsed;
  };
  app.addSchema(ErrorBody);

  app.setErrorHandler((err, req, reply) => {
    const granted = reply.hasHeader('access-control-allow-origin');
    const answer = errorAnswer(err as Error, config.limits.bodyBytes, req.headers['content-type'], granted);
    if (!answer) {
      req.log.error({ err }, 'unhandled error');
      return reply.status(500).send(INTERNAL_ERROR);
    }
    reply.headers(answer.headers);
    return reply.status(answer.status).send(answer.body);
  });
  const unmatched = (method: string) => ctx.metrics.route(method, 'unmatched');
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true; // the lane leaves requests to Fastify, which answers 503 while closing
    done();
  });
  app.setNotFoundHandler((req, reply) => {
    reply.raw.once('finish', () => unmatched(req.method).observe(404, reply.elapsedTime / 1000));
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tandem API', version: '1.0.0', description: 'Cross-sell offers, events and attach measurement.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Publishable, secret or admin key.' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  const origins = corsOrigins(config.cors.origins);
  installCors(app, origins);
  const guard = new Guard(ctx);
  installGuard(app, guard);
  // After the key check (route hooks run in the order added): a NUL in the path, the query or
  // the body is refused, naming the field; an event batch refuses only the events holding one
  // (events.ts).
  const refuseNul = (wholeBody: boolean): RouteHook => (req, _reply, done) => {
    let path: string | null = null;
    if (req.url.includes('%00')) path = nulPath(req.params, 'params') ?? nulPath(req.query, 'querystring');
    if (path === null && wholeBody && req.mayHoldNul) path = nulPath(req.body, 'body');
    done(path ? badRequest(`${path} ${NUL_MESSAGE}`) : undefined);
  };
  app.addHook('onRoute', (route) => {
    route.preValidation = withHook(route.preValidation, refuseNul(!route.config?.nulPerItem));
  });

  // Each route counts its own requests into its own counters (route-hooks.ts).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const counters = new Map(methods.map((m) => [m, ctx.metrics.route(m, route.url)]));
    route.onResponse = withHook(route.onResponse, (req, reply, done) => {
      (counters.get(req.method) ?? ctx.metrics.route(req.method, route.url)).observe(reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  });

  const decider = createDecider(ctx);
  await app.register(async (scope) => {
    const s = scope as unknown as App;
    opsRoutes(s, ctx);
    decideRoutes(s, decider);
    eventRoutes(s, ctx);
    accountRoutes(s, ctx);
    assignmentRoutes(s, ctx);
    conversionRoutes(s, ctx);
    offerRoutes(s, ctx);
    metricsRoutes(s, ctx);
    consoleRoutes(s, ctx);
  });
  // Its own scope: the Stripe route keeps the raw body for the signature check.
  await app.register(async (scope) => webhookRoutes(scope as unknown as App, ctx));
  lane = decideLane({
    config,
    guard,
    decider,
    origins,
    parseJson,
    metrics: ctx.metrics,
    log: app.log,
    closing: () => closing,
  });
  return app;
}
