/** Schema building blocks shared by the route schemas. */
import { type TSchema, Type } from '@sinclair/typebox';

/** A string limited to a fixed set of values (one `enum`, so errors list them). */
export function StringEnum<const T extends readonly string[]>(values: T, options: object = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** An ISO 8601 instant with a time zone (`2026-01-31T12:00:00Z`). */
export const DateTime = (options: object = {}) => Type.String({ format: 'date-time', ...options });

/** A date-time or null. */
export const NullableDateTime = (options: object = {}) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', ...options });

export const Id = (options: object = {}) => Type.String({ minLength: 1, maxLength: 200, ...options });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { $id: 'ErrorBody', description: 'Every error answer: a stable code and a message naming the field.' },
);

/** Standard error answers for a route's `response` map (documented in OpenAPI). */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = Type.Ref('ErrorBody');
  return out;
}

export const Attributes = Type.Record(Type.String(), Type.Unknown(), { maxProperties: 200 });
