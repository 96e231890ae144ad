/**
 * /v1/metrics/* — thin: read the per-account facts as of `asOf` from the
 * store and hand them to the metrics module.
 */
import { attachCsv, attachReport, funnelReport, liftReport, MetricsInputError } from '../metrics/index.ts';
import type { App, AppContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { AttachQuery, FunnelQuery, LiftQuery } from '../schemas/api.ts';
import { errorResponses } from '../schemas/common.ts';

function asOfMs(asOf: string | undefined, now: number): number {
  if (asOf === undefined) return now;
  const ms = Date.parse(asOf);
  if (!Number.isFinite(ms)) throw badRequest(`querystring/asOf must be an ISO 8601 date-time string, got ${JSON.stringify(asOf)}`);
  return ms;
}

/** Report option errors from the metrics module become 400s naming the field. */
function report<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MetricsInputError) throw badRequest(`querystring/${err.field}: ${err.message}`);
    throw err;
  }
}

const secured = { config: { access: 'secret' as const } };
const base = { tags: ['metrics'], security: [{ bearer: [] }], response: errorResponses(400, 401, 403, 404) };

export function metricsRoutes(app: App, ctx: AppContext): void {
  const attach = async (q: AttachQuery) => {
    const asOf = asOfMs(q.asOf, ctx.now());
    const facts = await ctx.store.loadFacts({ activatedBefore: asOf });
    return report(() =>
      attachReport(facts, {
        definition: q.definition ?? 'paid',
        denominator: q.denominator ?? 'all',
        weight: q.weight ?? 'logo',
        asOf,
        offerId: q.offerId ?? null,
        by: q.by ?? null,
        activeThreshold: q.threshold,
      }),
    );
  };

  app.get('/v1/metrics/attach', { ...secured, schema: { ...base, summary: 'Attach rate, cohorts, time to attach, breakdown', querystring: AttachQuery } }, async (req) =>
    attach(req.query),
  );

  app.get(
    '/v1/metrics/attach.csv',
    { ...secured, schema: { ...base, summary: 'The attach answer as CSV (cohorts and breakdown)', querystring: AttachQuery } },
    async (req, reply) => {
      const csv = attachCsv(await attach(req.query));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="attach.csv"').send(csv);
    },
  );

  app.get('/v1/metrics/funnel', { ...secured, schema: { ...base, summary: 'Funnel of an offer (or of every offer)', querystring: FunnelQuery } }, async (req) => {
    const asOf = asOfMs(req.query.asOf, ctx.now());
    const facts = await ctx.store.loadFacts({ activatedBefore: asOf });
    const opts = { asOf, definition: req.query.definition, activeThreshold: req.query.threshold };
    if (req.query.offerId !== undefined) return report(() => funnelReport(facts, { ...opts, offerId: req.query.offerId! }));
    return { asOf: new Date(asOf).toISOString(), funnels: report(() => funnelReport(facts, opts)) };
  });

  app.get('/v1/metrics/lift', { ...secured, schema: { ...base, summary: 'Holdout lift of an offer', querystring: LiftQuery } }, async (req) => {
    const q = req.query;
    const offer = await ctx.store.getOffer(q.offerId);
    if (!offer) throw notFound(`offer ${JSON.stringify(q.offerId)} does not exist`);
    const asOf = asOfMs(q.asOf, ctx.now());
    const facts = await ctx.store.loadFacts({ activatedBefore: asOf });
    return report(() =>
      liftReport(facts, { offerId: q.offerId, definition: q.definition ?? 'paid', asOf, holdout: offer.holdout, activeThreshold: q.threshold }),
    );
  });
}
