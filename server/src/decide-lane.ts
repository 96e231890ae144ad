/**
 * POST /v1/decide, answered in front of Fastify.
 *
 * Every page view of product one asks decide, so it is the one request whose cost sets
 * the server's size. Answering it, Fastify's request pipeline (routing, request and reply
 * objects, hook runners, the body parser's stream handling, reply serialization and its
 * response listeners) cost about a fifth of a decide's CPU (under `pnpm bench decide`'s load,
 * one server switched between the two, 9 rounds each: ~56 µs of server CPU per request
 * through the route, ~44 through the lane). The lane answers
 * the common case without it, from the very parts the route uses: the same guard, CORS
 * origins, JSON parser, NUL check, compiled body schema, decider, error answers and
 * route metrics, in the route's order. decide-lane.test.ts sends the same requests both
 * ways (through the lane and through Fastify's route) and requires the same answers.
 *
 * It takes a request on its request line and headers alone, and only what it answers
 * as the route would: `POST /v1/decide` (no query string) with a JSON or text/plain
 * Content-Type and a Content-Length within the body limit, while the server is not
 * closing. Anything else goes on to Fastify: other media types (415), larger or chunked
 * bodies (413 or read by Fastify), 503 while closing, preflights, every other route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger } from 'fastify';
import { errorAnswer, INTERNAL_ERROR } from './error-answer.ts';
import type { Admission, Guard } from './auth/guard.ts';
import type { Principal } from './auth/keys.ts';
import type { Config } from './config.ts';
import { HttpError, badRequest } from './errors.ts';
import type { ServerMetrics } from './observability/prometheus.ts';
import { type DecideAnswer, type Decider, JSON_TYPE } from './routes/decide.ts';
import { DecideBody } from './schemas/api.ts';
import { mayHoldNul, NUL_MESSAGE, nulPath } from './schemas/nul.ts';
import { bodyAjv, formatSchemaError } from './schemas/validation.ts';

/** Content-Types taken as Fastify's parser takes them (the widget sends the first; sendBeacon the text/plain ones). */
const TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json;charset=UTF-8',
  'text/plain',
  'text/plain; charset=utf-8',
  'text/plain;charset=utf-8',
  'text/plain; charset=UTF-8',
  'text/plain;charset=UTF-8',
]);

/** A body parsed as the routes parse it: `error` set when Fastify would refuse it. */
export interface ParsedBody {
  body: unknown;
  error: Error | null;
}

/** Whether the lane took the request (and will answer it); false: hand it to Fastify. */
export type Lane = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface LaneParts {
  config: Config;
  guard: Guard;
  decider: Decider;
  /** The allowed CORS origins (null: none configured). */
  origins: ReadonlySet<string> | null;
  /** The JSON body parser of the routes (Fastify's default, as app.ts configures it; synchronous). */
  parseJson: (text: string) => ParsedBody;
  /** The server's metrics: the lane counts into POST /v1/decide's series, and its own total. */
  metrics: ServerMetrics;
  log: FastifyBaseLogger;
  closing: () => boolean;
}

/** One request in the lane: what its listeners and callbacks read (kept on the request, so no closure is made per request). */
interface Exchange {
  res: ServerResponse;
  startedAt: number;
  headers: Record<string, string | number>;
  chunks: Buffer[];
  received: number;
  length: number;
}

const EXCHANGE = Symbol('tandem.decideLane');
type LaneRequest = IncomingMessage & { [EXCHANGE]: Exchange };

/**
 * The lane for one app (app.ts puts it in front of Fastify's request handler).
 * @example const lane = decideLane(parts); http.createServer((req, res) => lane(req, res) || fastifyHandler(req, res))
 */
export function decideLane(parts: LaneParts): Lane {
  const { config, guard, decider, origins, log } = parts;
  const metrics = parts.metrics.route('POST', '/v1/decide');
  const limit = config.limits.bodyBytes;
  const validate = bodyAjv.compile(DecideBody as object);
  const trustAll = () => true;
  const clientAddress = config.trustProxy
    ? (req: IncomingMessage) => {
        const all = proxyAddr.all(req, trustAll);
        return all[all.length - 1];
      }
    : (req: IncomingMessage) => req.socket.remoteAddress;

  function send(req: LaneRequest, status: number, payload: string): void {
    const x = req[EXCHANGE];
    x.headers['content-type'] = JSON_TYPE;
    x.headers['content-length'] = Buffer.byteLength(payload);
    x.res.writeHead(status, x.headers);
    x.res.end(payload);
    metrics.observe(status, (performance.now() - x.startedAt) / 1000);
  }

  function fail(req: LaneRequest, err: Error): void {
    const x = req[EXCHANGE];
    const answer = errorAnswer(err, limit, req.headers['content-type'], x.headers['access-control-allow-origin'] !== undefined);
    if (!answer) {
      log.error({ err, req: { method: req.method, url: req.url } }, 'unhandled error');
      send(req, 500, JSON.stringify(INTERNAL_ERROR));
      return;
    }
    Object.assign(x.headers, answer.headers);
    send(req, answer.status, JSON.stringify(answer.body));
  }

  function answered(req: LaneRequest, out: DecideAnswer): void {
    send(req, 200, typeof out === 'string' ? out : JSON.stringify(out));
  }

  /** What the route's NUL check and schema say about an admitted body (undefined: valid). */
  function refusal(body: unknown, hadNul: boolean): HttpError | undefined {
    const path = hadNul ? nulPath(body, 'body') : null;
    if (path !== null) return badRequest(`${path} ${NUL_MESSAGE}`);
    if (!validate(body)) return badRequest(formatSchemaError(validate.errors ?? [], 'body'));
    return undefined;
  }

  /** After the key check: the NUL check, the schema, the decision (the route's preValidation hooks, validation, handler). */
  function admitted(req: LaneRequest, body: unknown, hadNul: boolean, admission: Admission): void {
    const refused = admission instanceof HttpError ? admission : refusal(body, hadNul);
    if (refused) {
      fail(req, refused);
      return;
    }
    let out: DecideAnswer | Promise<DecideAnswer>;
    try {
      out = decider.decide(body as DecideBody, admission as Principal);
    } catch (err) {
      fail(req, err as Error);
      return;
    }
    if (out instanceof Promise)
      out.then(
        (o) => answered(req, o),
        (err: Error) => fail(req, err),
      );
    else answered(req, out);
  }

  function onData(this: LaneRequest, chunk: Buffer): void {
    const x = this[EXCHANGE];
    x.received += chunk.length;
    x.chunks.push(chunk);
  }

  function onAborted(this: LaneRequest, err: Error): void {
    this.off('data', onData);
    this.off('end', onEnd);
    // As Fastify's body reader: a broken body is a 400, and the connection closes.
    const e = err as Error & { statusCode?: number };
    if (!(typeof e.statusCode === 'number' && e.statusCode >= 400)) e.statusCode = 400;
    this[EXCHANGE].headers.connection = 'close';
    if (!this[EXCHANGE].res.headersSent) fail(this, e);
  }

  function onEnd(this: LaneRequest): void {
    const x = this[EXCHANGE];
    this.off('data', onData);
    this.off('error', onAborted);
    const text = x.received !== x.length ? null : x.chunks.length === 1 ? x.chunks[0]!.toString('utf8') : Buffer.concat(x.chunks, x.received).toString('utf8');
    const parsed = text === null ? null : parts.parseJson(text);
    if (text === null || parsed === null || parsed.error) {
      // As Fastify after a body it could not read or parse: the error, and the connection closes.
      x.headers.connection = 'close';
      fail(this, parsed?.error ?? badRequest('request body size does not match Content-Length'));
      return;
    }
    const body = parsed.body;
    const hadNul = mayHoldNul(text);
    const admission = guard.admit('publishable', 'POST /v1/decide', this.headers.authorization, body);
    if (admission instanceof Promise)
      admission.then(
        (a) => admitted(this, body, hadNul, a),
        (err: Error) => fail(this, err),
      );
    else admitted(this, body, hadNul, admission);
  }

  return (req, res) => {
    if (req.url !== '/v1/decide' || req.method !== 'POST' || parts.closing()) return false;
    const type = req.headers['content-type'];
    const length = Number(req.headers['content-length']);
    if (type === undefined || !TYPES.has(type) || !(Number.isSafeInteger(length) && length >= 0 && length <= limit)) return false;

    parts.metrics.decideLane++;
    const x: Exchange = { res, startedAt: performance.now(), headers: {}, chunks: [], received: 0, length };
    const lr = req as LaneRequest;
    lr[EXCHANGE] = x;
    // The route's onRequest hooks: CORS (the app's), then the per-address limit.
    if (origins !== null) {
      x.headers.vary = 'Origin';
      const origin = req.headers.origin;
      if (origin !== undefined && origins.has(origin)) x.headers['access-control-allow-origin'] = origin;
    }
    const limited = guard.address(clientAddress(req) as string);
    if (limited) {
      fail(lr, limited);
      return true;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    return true;
  };
}
