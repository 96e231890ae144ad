/**
 * POST /v1/assignments — back-dated holdout assignments for imported history
 * (secret key). The arm is never taken from the caller: it is the shared hash
 * of the stored offer's holdout, and the first assignment recorded wins, as on decide.
 */
import { assignArm } from '@tandem/core';
import type { App, AppContext } from '../context.ts';
import { AssignmentsBody } from '../schemas/api.ts';
import { errorResponses } from '../schemas/common.ts';
import type { Assignment } from '../store/types.ts';

export function assignmentRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/v1/assignments',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['assignments'],
        summary: 'Record back-dated holdout assignments (imports); the arm comes from the shared hash',
        security: [{ bearer: [] }],
        body: AssignmentsBody,
        response: errorResponses(400, 401, 403, 413, 429),
      },
    },
    async (req, reply) => {
      const offers = new Map((await ctx.store.listOffers()).map((o) => [o.id, o]));
      const rejected: { index: number; code: string; message: string }[] = [];
      const valid: Assignment[] = [];
      req.body.assignments.forEach((a, index) => {
        const offer = offers.get(a.offerId);
        const at = Date.parse(a.at);
        if (!offer) {
          rejected.push({ index, code: 'not_found', message: `assignments/${index}/offerId ${JSON.stringify(a.offerId)} is not a stored offer` });
        } else if (!Number.isFinite(at)) {
          rejected.push({ index, code: 'invalid_request', message: `assignments/${index}/at must be an ISO 8601 date-time string, got ${JSON.stringify(a.at)}` });
        } else if (offer.variants?.length && a.variant != null && !offer.variants.some((v) => v.key === a.variant)) {
          rejected.push({ index, code: 'invalid_request', message: `assignments/${index}/variant ${JSON.stringify(a.variant)} is not a variant of offer ${offer.id}` });
        } else {
          valid.push({ accountId: a.accountId, offerId: offer.id, arm: assignArm(offer.id, a.accountId, offer.holdout), variant: a.variant ?? null, assignedAt: at });
        }
      });
      const recorded = valid.length ? await ctx.store.recordAssignments(valid) : [];
      const mine = new Set(valid.map((a) => `${a.accountId}\u0000${a.offerId}\u0000${a.assignedAt}`));
      const fresh = recorded.filter((r) => mine.has(`${r.accountId}\u0000${r.offerId}\u0000${r.assignedAt}`)).length;
      return reply.code(202).send({ recorded: fresh, existing: valid.length - fresh, rejected });
    },
  );
}
