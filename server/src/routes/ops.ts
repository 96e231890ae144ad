/** Operational endpoints: health, the OpenAPI document, Prometheus metrics. */
import type { App, AppContext } from '../context.ts';

export function opsRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/healthz',
    { schema: { tags: ['ops'], summary: 'Liveness and store check' } },
    async () => {
      await ctx.store.getOffer('__healthz__');
      return { status: 'ok', store: ctx.store.kind };
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus text exposition' } }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return ctx.metrics.render();
  });
}
