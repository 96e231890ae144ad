/**
 * POST /v1/events — batch ingestion. Each event is checked by itself: bad ones
 * come back in `rejected` with a reason, good ones are stored (each id once).
 */
import { BROWSER_EVENT_TYPES, type BrowserEventType, type EventRejection } from '@tandem/core';
import type { App, AppContext } from '../context.ts';
import { badRequest, HttpError } from '../errors.ts';
import { type EventBody, EventSchema, EventsBody, EventsEnvelope } from '../schemas/api.ts';
import { errorResponses } from '../schemas/common.ts';
import { NUL_MESSAGE, nulPath } from '../schemas/nul.ts';
import { bodyAjv, compileCheck } from '../schemas/validation.ts';
import type { StoredEvent } from '../store/types.ts';

/** Browser clocks further off than this from the server's are replaced by the server's. */
export const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

const BROWSER = new Set<string>(BROWSER_EVENT_TYPES);
const checkEvent = compileCheck(EventSchema);

function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 100) : undefined;
}

export function eventRoutes(app: App, ctx: AppContext): void {
  const max = ctx.config.limits.eventsPerBatch;
  app.post(
    '/v1/events',
    {
      config: { access: 'publishable', nulPerItem: true },
      // Documented with the full event schema; validated as an envelope so one bad event does not sink the batch.
      validatorCompiler: ({ httpPart, schema }) =>
        bodyAjv.compile(httpPart === 'body' ? EventsEnvelope : (schema as object)),
      schema: {
        tags: ['events'],
        summary: 'Send a batch of events (browser events with the publishable key, any with the secret key)',
        security: [{ bearer: [] }],
        body: EventsBody,
        response: errorResponses(400, 401, 403, 413, 429),
      },
    },
    async (req, reply) => {
      const events = req.body.events as unknown[];
      if (events.length > max) throw badRequest(`body/events must have at most ${max} items, got ${events.length}`);
      const trusted = req.principal!.kind !== 'publishable';
      const now = ctx.now();
      const rejected: EventRejection[] = [];
      const good: StoredEvent[] = [];
      // No closure per event: tsx (esbuild keepNames) names each one as it is made (~3 % of ingest's CPU).
      const reject = (index: number, code: string, message: string) => rejected.push({ index, id: idOf(events[index]), code, message });
      for (let index = 0; index < events.length; index++) {
        const raw = events[index];
        const problem = checkEvent(raw, `body/events/${index}`);
        if (problem) {
          reject(index, 'invalid_event', problem);
          continue;
        }
        const nul = req.mayHoldNul ? nulPath(raw, `body/events/${index}`) : null;
        if (nul) {
          reject(index, 'invalid_event', `${nul} ${NUL_MESSAGE}`);
          continue;
        }
        const ev = raw as EventBody;
        const browser = BROWSER.has(ev.type);
        if (!browser && !trusted) {
          reject(
            index,
            'forbidden_event_type',
            `body/events/${index}/type "${ev.type}" needs the secret key; the publishable key may send ${BROWSER_EVENT_TYPES.join(', ')}`,
          );
          continue;
        }
        let at = Date.parse(ev.at);
        if (!Number.isFinite(at)) {
          reject(index, 'invalid_event', `body/events/${index}/at must be an ISO 8601 date-time string, got ${JSON.stringify(ev.at)}`);
          continue;
        }
        let userId = ev.userId ?? null;
        if (!trusted) {
          if (ctx.identity.enabled) {
            try {
              const identity = await ctx.identity.verify(ev.identity, ev.accountId, now);
              if (identity.userId !== null) userId = identity.userId;
            } catch (err) {
              if (!(err instanceof HttpError)) throw err;
              reject(index, 'invalid_identity', `body/events/${index}/identity: ${err.message}`);
              continue;
            }
          }
          if (Math.abs(at - now) > CLOCK_SKEW_MS) at = now;
        }
        good.push({
          id: ev.id.toLowerCase(),
          type: ev.type,
          accountId: ev.accountId,
          userId,
          offerId: ev.offerId ?? null,
          variant: ev.variant ?? null,
          decisionId: ev.decisionId ?? null,
          placement: ev.placement ?? null,
          at,
          receivedAt: now,
          source: !trusted ? 'browser' : BROWSER.has(ev.type as BrowserEventType) ? 'import' : 'backend',
          productId: ev.productId ?? null,
          arr: ev.arr ?? null,
          quantity: ev.quantity ?? null,
        });
      }
      const result = good.length > 0 ? await ctx.store.insertEvents(good) : { inserted: [], duplicates: [] };
      ctx.metrics.countEvents('accepted', result.inserted.length);
      ctx.metrics.countEvents('duplicate', result.duplicates.length);
      ctx.metrics.countEvents('rejected', rejected.length);
      return reply.code(202).send({ accepted: result.inserted.length, duplicates: result.duplicates.length, rejected });
    },
  );
}
