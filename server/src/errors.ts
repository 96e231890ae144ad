/**
 * The one registry of error codes the API answers with, and the one error
 * class routes throw. docs/api.md documents every code (errors.test.ts checks).
 */

export const ERROR_CODES = {
  invalid_request: { status: 400, summary: 'A field is missing, has the wrong type or an invalid value.' },
  invalid_json: { status: 400, summary: 'The body is not valid JSON.' },
  invalid_signature: { status: 400, summary: 'Stripe webhook signature missing, wrong, stale or from the future.' },
  unauthorized: { status: 401, summary: 'No API key, or an unknown or revoked one.' },
  invalid_identity: { status: 401, summary: 'The identity token is missing, forged, expired or for another account.' },
  forbidden: { status: 403, summary: 'The key is valid but of a kind that may not call this endpoint.' },
  not_found: { status: 404, summary: 'No such route or resource.' },
  conflict: { status: 409, summary: 'The resource already exists.' },
  payload_too_large: { status: 413, summary: 'The body is larger than `limits.bodyBytes`.' },
  unsupported_media_type: { status: 415, summary: 'The Content-Type is not JSON.' },
  rate_limited: { status: 429, summary: 'Too many requests for this key or address; see `Retry-After`.' },
  internal: { status: 500, summary: 'An unexpected server failure (logged); never caused by bad input.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Codes used in `rejected[]` of `POST /v1/events` (per-event refusals; the
 * request itself succeeds).
 */
export const EVENT_REJECTION_CODES = {
  invalid_event: 'The event does not match the event schema (field named in the message).',
  forbidden_event_type: 'A conversion type sent with the publishable key, which may only send browser events.',
  invalid_identity: 'The identity token of a browser event is missing, forged, expired or for another account.',
} as const;

export type EventRejectionCode = keyof typeof EVENT_REJECTION_CODES;

/**
 * An error the central handler sends as `{"error":{"code","message"}}`.
 * @example throw new HttpError(404, 'not_found', 'offer `o1` does not exist');
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Shorthands for the common cases. */
export const badRequest = (message: string) => new HttpError(400, 'invalid_request', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);

/** A short, safe description of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
