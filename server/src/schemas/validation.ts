/**
 * The JSON Schema validators every route uses (also for per-event checks in
 * a batch), and one formatter that turns a schema failure into a message
 * naming the field and what was received.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe } from '../errors.ts';

// ajv-formats is CommonJS; under ESM its function may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: true,
    allErrors: false,
    verbose: true,
    strict: false,
  });
  addFormats(ajv);
  // Stricter than ajv-formats (which also takes `urn:uuid:` prefixes): the canonical form only.
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
  return ajv;
}

/** Bodies and params: no type coercion, so `"42"` is not a number and `42` is not a string. */
export const bodyAjv = makeAjv(false);
/** Query strings arrive as strings; coercion turns `?limit=5` into a number. */
export const queryAjv = makeAjv(true);

const FORMAT_TEXT: Record<string, string> = {
  'date-time': 'an ISO 8601 date-time string (e.g. 2026-01-31T12:00:00Z)',
  uuid: 'a UUID',
};

function typeText(type: unknown): string {
  const one = (t: string) =>
    t === 'array' || t === 'object' || t === 'integer' ? `an ${t}` : t === 'null' ? 'null' : `a ${t}`;
  return Array.isArray(type) ? type.map(String).map(one).join(' or ') : one(String(type));
}

/**
 * One message for the first schema failure: "body/events/0/at must be an ISO
 * 8601 date-time string …, got "yesterday"".
 */
export function formatSchemaError(errors: readonly ErrorObject[], dataVar: string): string {
  const e = errors[0];
  if (!e) return `${dataVar} is invalid`;
  const path = `${dataVar}${e.instancePath}`;
  const got = `, got ${describe(e.data)}`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${path}/${String(p.missingProperty)} is required`;
    case 'type':
      return `${path} must be ${typeText(p.type)}${got}`;
    case 'format':
      return `${path} must be ${FORMAT_TEXT[String(p.format)] ?? `in format ${String(p.format)}`}${got}`;
    case 'enum':
      return `${path} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'const':
      return `${path} must be ${JSON.stringify(p.allowedValue)}${got}`;
    case 'minLength':
      return p.limit === 1 ? `${path} must be a non-empty string` : `${path} must be at least ${p.limit} characters`;
    case 'maxLength':
      return `${path} must be at most ${p.limit} characters, got ${(e.data as string).length}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${path} must be ${String(p.comparison)} ${String(p.limit)}${got}`;
    case 'minItems':
      return `${path} must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}${got}`;
    case 'maxItems':
      return `${path} must have at most ${p.limit} items${got}`;
    case 'minProperties':
      return `${path} must have at least ${p.limit} propert${p.limit === 1 ? 'y' : 'ies'}`;
    case 'maxProperties':
      return `${path} must have at most ${p.limit} properties`;
    case 'additionalProperties':
      return `${path}/${String(p.additionalProperty)} is not allowed`;
    case 'pattern':
      return `${path} must match ${String(p.pattern)}${got}`;
    case 'anyOf':
    case 'oneOf':
      return `${path} does not match any allowed shape${got}`;
    default:
      return `${path} ${e.message ?? 'is invalid'}`;
  }
}

/** A compiled check that answers null or the formatted message. */
export function compileCheck(schema: object): (value: unknown, dataVar: string) => string | null {
  const validate: ValidateFunction = bodyAjv.compile(schema);
  return (value, dataVar) => (validate(value) ? null : formatSchemaError(validate.errors ?? [], dataVar));
}
