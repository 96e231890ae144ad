/** Schema of an offer as edited through /v1/offers (OfferDefinition in @tandem/core). */
import { type Static, Type } from '@sinclair/typebox';
import { Id, NullableDateTime, StringEnum } from './common.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Days = Type.Integer({ minimum: 0, maximum: 36_500 });
const Url = Type.String({ minLength: 1, maxLength: 2000, pattern: '^(https?://|/)' });
const Scope = StringEnum(['user', 'account'] as const);

const Content = Type.Object({
  headline: Text(200),
  body: Type.String({ maxLength: 2000 }),
  cta: Text(80),
  dismissLabel: Type.Optional(Text(80)),
});

const Action = Type.Object(
  {
    type: StringEnum(['callback', 'url'] as const),
    url: Type.Optional(Url),
  },
  { default: { type: 'callback' } },
);

const Range = Type.Object({
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
});

const Rules = Type.Object(
  {
    activationDays: Type.Optional(
      Type.Object({ min: Type.Optional(Days), max: Type.Optional(Days) }, { description: 'Default 60–120.' }),
    ),
    requireCoreValue: Type.Optional(Type.Boolean()),
    plans: Type.Optional(Type.Array(Text(100), { maxItems: 100 })),
    arr: Type.Optional(Range),
    regions: Type.Optional(Type.Array(Text(100), { maxItems: 100 })),
    channels: Type.Optional(Type.Array(Text(100), { maxItems: 100 })),
    readiness: Type.Optional(
      Type.Array(Type.Object({ feature: Text(100), min: Type.Number({ minimum: 0 }) }), { maxItems: 50 }),
    ),
    minDaysToRenewal: Type.Optional(Days),
    excludePastDue: Type.Optional(Type.Boolean()),
    excludeSalesOwned: Type.Optional(Type.Boolean()),
    excludeAttached: Type.Optional(Type.Boolean()),
  },
  { default: {} },
);

const Variant = Type.Object({
  key: Text(100),
  weight: Type.Optional(Type.Number({ minimum: 0 })),
  content: Type.Optional(Type.Partial(Content)),
  discountPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
});

export const OfferBody = Type.Object({
  id: Type.Optional(Id({ pattern: '^[A-Za-z0-9_.:-]+$' })),
  name: Text(200),
  status: StringEnum(['draft', 'published', 'archived'] as const, { default: 'draft' }),
  kind: StringEnum(['trial', 'bundle', 'upgrade'] as const),
  placement: Text(100),
  display: StringEnum(['inline', 'modal', 'banner'] as const, { default: 'inline' }),
  priority: Type.Integer({ default: 0, minimum: -1_000_000, maximum: 1_000_000 }),
  productId: Id(),
  content: Content,
  trialDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
  bundle: Type.Optional(
    Type.Object({
      productIds: Type.Array(Id(), { minItems: 1, maxItems: 10 }),
      discountPercent: Type.Number({ minimum: 0, maximum: 100 }),
    }),
  ),
  action: Action,
  variants: Type.Optional(Type.Array(Variant, { maxItems: 10 })),
  holdout: Type.Number({ minimum: 0, maximum: 1, default: 0.2 }),
  caps: Type.Optional(
    Type.Object({
      exposures: Type.Optional(
        Type.Object({ maxExposures: Type.Integer({ minimum: 0 }), days: Type.Integer({ minimum: 1, maximum: 3650 }), scope: Scope }),
      ),
      dismiss: Type.Optional(Type.Object({ days: Type.Integer({ minimum: 0, maximum: 3650 }), scope: Scope })),
    }),
  ),
  rules: Rules,
  schedule: Type.Optional(
    Type.Object({ startAt: Type.Optional(NullableDateTime()), endAt: Type.Optional(NullableDateTime()) }),
  ),
});
export type OfferBody = Static<typeof OfferBody>;

export const OfferParams = Type.Object({ id: Id() });
export const RollbackBody = Type.Object({ auditId: Type.Integer({ minimum: 1 }) });
