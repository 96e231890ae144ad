/**
 * What a client is answered when a request fails: one mapping from anything thrown
 * (our HttpErrors, Fastify's body and validation errors) to a status, headers and the
 * `{"error":{"code","message"}}` body, for Fastify's error handler and the decide lane.
 */
import type { FastifyError } from 'fastify';
import { ERROR_CODES, type ErrorCode, HttpError } from './errors.ts';

function send(code: ErrorCode, message: string) {
  return { status: ERROR_CODES[code].status, body: { error: { code, message } } };
}

/** Maps anything thrown to the status and body the client sees. */
function toErrorAnswer(err: FastifyError | HttpError | Error, bodyLimit: number, contentType: string | undefined) {
  if (err instanceof HttpError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  const e = err as FastifyError;
  if (e.validation) return send('invalid_request', e.message);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send('payload_too_large', `request body is larger than the limit of ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(
        'unsupported_media_type',
        `Content-Type must be application/json (or text/plain holding JSON), got ${JSON.stringify(contentType ?? 'none')}`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send('invalid_json', 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return send('invalid_request', 'request body size does not match Content-Length');
  }
  if (e.statusCode === 400 && (err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY'))
    return send('invalid_json', `request body is not valid JSON: ${e.message}`);
  if (e.statusCode === 404) return send('not_found', e.message);
  if (e.statusCode === 429) return send('rate_limited', e.message);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return { status: e.statusCode, body: { error: { code: 'invalid_request', message: e.message } } };
  return null;
}

export interface ErrorAnswer {
  status: number;
  /**
   * Besides Content-Type: the error's own (Retry-After), Retry-After on every 429, and, to an
   * allowed origin, `Access-Control-Expose-Headers: Retry-After` so the page's script may read it
   * (only answers that carry Retry-After say it).
   */
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

/**
 * The answer to anything thrown, or null for an unexpected error (answered 500 and logged).
 * `granted`: the answer goes to an allowed CORS origin.
 */
export function errorAnswer(
  err: FastifyError | HttpError | Error,
  bodyLimit: number,
  contentType: string | undefined,
  granted: boolean,
): ErrorAnswer | null {
  const answer = toErrorAnswer(err, bodyLimit, contentType);
  if (!answer) return null;
  const headers = err instanceof HttpError ? { ...err.headers } : {};
  if (answer.status === 429 && headers['retry-after'] === undefined) headers['retry-after'] = '60';
  if (granted && headers['retry-after'] !== undefined) headers['access-control-expose-headers'] = 'Retry-After';
  return { status: answer.status, headers, body: answer.body };
}

export const INTERNAL_ERROR = { error: { code: 'internal', message: 'internal server error' } } as const;

