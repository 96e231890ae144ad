/**
 * Request schemas of the HTTP API (TypeBox → JSON Schema). The same objects
 * validate requests and generate /openapi.json; they describe exactly the wire
 * types in @tandem/core.
 */
import { BROWSER_EVENT_TYPES, CONVERSION_TYPES } from '@tandem/core';
import { type Static, Type } from '@sinclair/typebox';
import { Attributes, DateTime, Id, Nullable, NullableDateTime, StringEnum } from './common.ts';

const Placement = Type.String({ minLength: 1, maxLength: 100 });
const Key = Type.String({ minLength: 1, maxLength: 200, description: 'Publishable key (when headers cannot be set).' });
const Token = Type.String({ minLength: 1, maxLength: 8192, description: 'Identity JWT (HS256, sub = accountId).' });

// ---------- decide ----------
export const DecideBody = Type.Object({
  accountId: Id(),
  identity: Type.Optional(Token),
  userId: Type.Optional(Id()),
  placements: Type.Optional(Type.Array(Placement, { minItems: 1, maxItems: 20 })),
  placement: Type.Optional(Placement),
  attributes: Type.Optional(Attributes),
  key: Type.Optional(Key),
  debug: Type.Optional(Type.Boolean()),
});
export type DecideBody = Static<typeof DecideBody>;

// ---------- events ----------
export const EVENT_TYPES = [...BROWSER_EVENT_TYPES, ...CONVERSION_TYPES] as const;

export const EventSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Client-made UUID (v7 preferred); stored once.' }),
  type: StringEnum(EVENT_TYPES),
  accountId: Id(),
  identity: Type.Optional(Token),
  userId: Type.Optional(Id()),
  offerId: Type.Optional(Id()),
  variant: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 100 })),
  decisionId: Type.Optional(Id()),
  placement: Type.Optional(Placement),
  at: DateTime(),
  productId: Type.Optional(Id()),
  arr: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  quantity: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
});
export type EventBody = Static<typeof EventSchema>;

/** What the route validates as a whole; each event is then checked by itself against `EventSchema`. */
export const EventsEnvelope = Type.Object({
  events: Type.Array(Type.Unknown(), { minItems: 1 }),
  key: Type.Optional(Key),
});
/** What the route documents. */
export const EventsBody = Type.Object({
  events: Type.Array(EventSchema, { minItems: 1 }),
  key: Type.Optional(Key),
});

// ---------- accounts ----------
const AccountFields = {
  activatedAt: DateTime({ description: 'First-product activation instant.' }),
  plan: Type.Optional(Type.String({ maxLength: 100 })),
  arr: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  coreValueAt: Type.Optional(NullableDateTime()),
  renewalAt: Type.Optional(NullableDateTime()),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  channel: Type.Optional(Type.String({ maxLength: 100 })),
  pastDue: Type.Optional(Type.Boolean()),
  salesOwned: Type.Optional(Type.Boolean()),
  attributes: Type.Optional(Attributes),
  usage: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }), { maxProperties: 500 })),
};
export const AccountBody = Type.Object({ id: Type.Optional(Id()), ...AccountFields });
export type AccountBody = Static<typeof AccountBody>;
export const AccountParams = Type.Object({ id: Id() });
export const AccountsBatchBody = Type.Object({
  accounts: Type.Array(Type.Object({ id: Id(), ...AccountFields }), { minItems: 1, maxItems: 5000 }),
});
export type AccountsBatchBody = Static<typeof AccountsBatchBody>;

// ---------- conversions ----------
export const ConversionBody = Type.Object({
  id: Id({ description: 'Idempotency key: the same id is stored once.' }),
  accountId: Id(),
  type: StringEnum(CONVERSION_TYPES),
  productId: Type.Optional(Id()),
  offerId: Type.Optional(Id()),
  arr: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  quantity: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  at: DateTime(),
});
export type ConversionBody = Static<typeof ConversionBody>;

// ---------- assignments ----------
export const AssignmentsBody = Type.Object({
  assignments: Type.Array(
    Type.Object({
      accountId: Id(),
      offerId: Id(),
      variant: Type.Optional(Nullable(Id())),
      at: DateTime({ description: 'When the account was first eligible (back-dated history).' }),
    }),
    { minItems: 1, maxItems: 5000 },
  ),
});
export type AssignmentsBody = Static<typeof AssignmentsBody>;

// ---------- metrics ----------
export const AttachQuery = Type.Object({
  definition: Type.Optional(StringEnum(['trial', 'paid', 'active'] as const, { default: 'paid' })),
  denominator: Type.Optional(StringEnum(['all', 'exposed'] as const, { default: 'all' })),
  weight: Type.Optional(StringEnum(['logo', 'arr'] as const, { default: 'logo' })),
  asOf: Type.Optional(DateTime()),
  offerId: Type.Optional(Id()),
  by: Type.Optional(StringEnum(['offer', 'variant', 'plan', 'region', 'channel'] as const)),
  threshold: Type.Optional(Type.Number({ minimum: 0, description: 'Usage threshold of `active` (default 1).' })),
});
export type AttachQuery = Static<typeof AttachQuery>;
export const FunnelQuery = Type.Object({
  offerId: Type.Optional(Id()),
  asOf: Type.Optional(DateTime()),
  definition: Type.Optional(StringEnum(['trial', 'paid', 'active'] as const, { description: 'Last stage shown (default active).' })),
  threshold: Type.Optional(Type.Number({ minimum: 0 })),
});
export const LiftQuery = Type.Object({
  offerId: Id(),
  definition: Type.Optional(StringEnum(['trial', 'paid', 'active'] as const, { default: 'paid' })),
  asOf: Type.Optional(DateTime()),
  threshold: Type.Optional(Type.Number({ minimum: 0 })),
});
