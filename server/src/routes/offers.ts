/**
 * /v1/offers — CRUD with an audit log of every change (who, when, before and
 * after) and rollback to any recorded state.
 */
import { type OfferDefinition, uuidv7 } from '@tandem/core';
import type { App, AppContext } from '../context.ts';
import type { ConfigProduct } from '../config.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { errorResponses } from '../schemas/common.ts';
import { OfferBody, OfferParams, RollbackBody } from '../schemas/offers.ts';
import type { AuditEntry } from '../store/types.ts';

/** Checks what a schema cannot: products exist, the kind has what it needs. */
export function checkOffer(body: OfferBody, products: readonly ConfigProduct[]): void {
  const known = new Map(products.map((p) => [p.id, p]));
  const product = known.get(body.productId);
  if (!product)
    throw badRequest(`body/productId must be a configured product (${[...known.keys()].join(', ')}), got ${JSON.stringify(body.productId)}`);
  if (product.role === 'primary') throw badRequest(`body/productId ${JSON.stringify(body.productId)} is product one; offers sell another product`);
  if (body.kind === 'trial' && body.trialDays === undefined) throw badRequest('body/trialDays is required when body/kind is "trial"');
  if (body.kind === 'bundle' && body.bundle === undefined) throw badRequest('body/bundle is required when body/kind is "bundle"');
  for (const [i, id] of (body.bundle?.productIds ?? []).entries()) {
    if (!known.has(id)) throw badRequest(`body/bundle/productIds/${i} must be a configured product, got ${JSON.stringify(id)}`);
    const currency = known.get(id)!.listPrice.currency;
    if (currency !== product.listPrice.currency)
      throw badRequest(`body/bundle/productIds/${i} is priced in ${currency}, not ${product.listPrice.currency} like body/productId`);
  }
  if (body.action.type === 'url' && body.action.url === undefined) throw badRequest('body/action/url is required when body/action/type is "url"');
  const days = body.rules.activationDays;
  if (days?.min !== undefined && days.max !== undefined && days.min > days.max)
    throw badRequest(`body/rules/activationDays/min (${days.min}) must not exceed max (${days.max})`);
  const { startAt, endAt } = body.schedule ?? {};
  if (startAt && endAt && Date.parse(startAt) > Date.parse(endAt))
    throw badRequest(`body/schedule/startAt (${startAt}) must not be after endAt (${endAt})`);
  const keys = new Set<string>();
  for (const [i, v] of (body.variants ?? []).entries()) {
    if (keys.has(v.key)) throw badRequest(`body/variants/${i}/key ${JSON.stringify(v.key)} is repeated`);
    keys.add(v.key);
  }
}

function auditOut(e: AuditEntry) {
  return { ...e, at: new Date(e.at).toISOString() };
}

const secured = { config: { access: 'secret' as const } };
const base = { tags: ['offers'], security: [{ bearer: [] }] };

export function offerRoutes(app: App, ctx: AppContext): void {
  const { store, offers: cache, config } = ctx;
  const save = async (offer: OfferDefinition, actor: string, action: AuditEntry['action']) => {
    try {
      return await store.saveOffer(offer, actor, action, ctx.now());
    } finally {
      cache.invalidate();
    }
  };
  const load = async (id: string) => {
    const offer = await store.getOffer(id);
    if (!offer) throw notFound(`offer ${JSON.stringify(id)} does not exist`);
    return offer;
  };

  app.get('/v1/offers', { ...secured, schema: { ...base, summary: 'List offers', response: errorResponses(401, 403) } }, async () => ({
    offers: await store.listOffers(),
  }));

  app.get(
    '/v1/offers/:id',
    { ...secured, schema: { ...base, summary: 'One offer', params: OfferParams, response: errorResponses(401, 403, 404) } },
    async (req) => load(req.params.id),
  );

  app.post(
    '/v1/offers',
    {
      ...secured,
      schema: { ...base, summary: 'Create an offer', body: OfferBody, response: errorResponses(400, 401, 403, 409) },
    },
    async (req, reply) => {
      checkOffer(req.body, config.products);
      const id = req.body.id ?? `offer_${uuidv7(ctx.now()).replace(/-/g, '').slice(0, 20)}`;
      if (await store.getOffer(id)) throw new HttpError(409, 'conflict', `offer ${JSON.stringify(id)} already exists; use PUT /v1/offers/${id}`);
      const saved = await save({ ...req.body, id } as OfferDefinition, req.principal!.actor, 'create');
      return reply.code(201).send(saved);
    },
  );

  app.put(
    '/v1/offers/:id',
    {
      ...secured,
      schema: { ...base, summary: 'Create or replace an offer', params: OfferParams, body: OfferBody, response: errorResponses(400, 401, 403) },
    },
    async (req) => {
      const { id } = req.params;
      if (req.body.id !== undefined && req.body.id !== id)
        throw badRequest(`body/id ${JSON.stringify(req.body.id)} does not match the path id ${JSON.stringify(id)}`);
      checkOffer(req.body, config.products);
      const existing = await store.getOffer(id);
      return save({ ...req.body, id } as OfferDefinition, req.principal!.actor, existing ? 'update' : 'create');
    },
  );

  app.delete(
    '/v1/offers/:id',
    { ...secured, schema: { ...base, summary: 'Delete an offer (kept in the audit log)', params: OfferParams, response: errorResponses(401, 403, 404) } },
    async (req, reply) => {
      const deleted = await store.deleteOffer(req.params.id, req.principal!.actor, ctx.now());
      cache.invalidate();
      if (!deleted) throw notFound(`offer ${JSON.stringify(req.params.id)} does not exist`);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/offers/:id/audit',
    { ...secured, schema: { ...base, summary: 'Audit log of an offer, oldest first', params: OfferParams, response: errorResponses(401, 403) } },
    async (req) => ({ entries: (await store.listAudit(req.params.id)).map(auditOut) }),
  );

  app.post(
    '/v1/offers/:id/rollback',
    {
      ...secured,
      schema: {
        ...base,
        summary: 'Restore the offer as it was right after the given audit entry',
        params: OfferParams,
        body: RollbackBody,
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (req) => {
      const entry = await store.getAudit(req.body.auditId);
      if (!entry || entry.offerId !== req.params.id)
        throw notFound(`audit entry ${req.body.auditId} of offer ${JSON.stringify(req.params.id)} does not exist`);
      const state = entry.after ?? entry.before;
      if (!state) throw badRequest(`audit entry ${req.body.auditId} holds no offer state to restore`);
      const { version: _v, updatedAt: _u, ...restored } = state;
      return save({ ...restored, id: req.params.id } as OfferDefinition, req.principal!.actor, 'rollback');
    },
  );
}
