/** POST /v1/conversions — trial starts, payments, cancellations and usage from the vendor's backend. */
import type { App, AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { conversionEventId } from '../ids.ts';
import { ConversionBody } from '../schemas/api.ts';
import { errorResponses } from '../schemas/common.ts';

export function conversionRoutes(app: App, ctx: AppContext): void {
  const products = new Set(ctx.config.products.map((p) => p.id));
  app.post(
    '/v1/conversions',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['conversions'],
        summary: 'Record one conversion; idempotent by `id`',
        security: [{ bearer: [] }],
        body: ConversionBody,
        response: errorResponses(400, 401, 403, 413, 429),
      },
    },
    async (req, reply) => {
      const c = req.body;
      const at = Date.parse(c.at);
      if (!Number.isFinite(at)) throw badRequest(`body/at must be an ISO 8601 date-time string, got ${JSON.stringify(c.at)}`);
      if (c.productId !== undefined && !products.has(c.productId))
        throw badRequest(`body/productId must be one of the configured products (${[...products].join(', ')}), got ${JSON.stringify(c.productId)}`);
      const id = conversionEventId(c.id);
      const result = await ctx.store.insertEvents([
        {
          id,
          type: c.type,
          accountId: c.accountId,
          userId: null,
          offerId: c.offerId ?? null,
          variant: null,
          decisionId: null,
          placement: null,
          at,
          receivedAt: ctx.now(),
          source: 'backend',
          productId: c.productId ?? null,
          arr: c.arr ?? null,
          quantity: c.quantity ?? null,
        },
      ]);
      const duplicate = result.inserted.length === 0;
      ctx.metrics.countEvents(duplicate ? 'duplicate' : 'accepted', 1);
      return reply.code(202).send({ id: c.id, eventId: id, duplicate });
    },
  );
}
