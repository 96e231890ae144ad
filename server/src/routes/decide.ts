/**
 * POST /v1/decide — which offer each placement shows to an account now.
 * Loads the inputs, asks the rules engine, records first-time assignments.
 */
import { type Account, type OfferDefinition, uuidv7 } from '@tandem/core';
import type { App, AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { DAY_MS } from '../rules/defaults.ts';
import { DEFAULT_RULES, decide, decideOffers } from '../rules/index.ts';
import { DecideBody } from '../schemas/api.ts';
import { errorResponses } from '../schemas/common.ts';

/** Signed attributes that may override these account fields (with the field's type). */
const SIGNED_FIELDS: Record<string, 'string' | 'number' | 'boolean'> = {
  plan: 'string',
  region: 'string',
  channel: 'string',
  arr: 'number',
  pastDue: 'boolean',
  salesOwned: 'boolean',
};

/**
 * The account the rules see: stored fields, browser attributes in
 * `attributes`, and signed identity attributes over both.
 */
export function effectiveAccount(
  stored: Account,
  browserAttrs: Record<string, unknown> | undefined,
  signedAttrs: Record<string, unknown>,
): Account {
  const account: Account = { ...stored, attributes: { ...stored.attributes, ...browserAttrs, ...signedAttrs } };
  const fields = account as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(signedAttrs))
    if (SIGNED_FIELDS[key] !== undefined && typeof value === SIGNED_FIELDS[key]) fields[key] = value;
  return account;
}

/** How far back caps and cooldowns look, over every offer considered. */
function historyDays(offers: readonly OfferDefinition[]): number {
  let days = Math.max(DEFAULT_RULES.exposureCap.days, DEFAULT_RULES.dismissCooldown.days);
  for (const o of offers) days = Math.max(days, o.caps?.exposures?.days ?? 0, o.caps?.dismiss?.days ?? 0);
  return days;
}

export function decideRoutes(app: App, ctx: AppContext): void {
  const products = ctx.config.products.map(({ id, name, listPrice }) => ({ id, name, listPrice }));
  app.post(
    '/v1/decide',
    {
      config: { access: 'publishable' },
      schema: {
        tags: ['decide'],
        summary: 'Decide the offers to show an account (one per placement)',
        description: 'Needs a valid identity JWT with the publishable key (unless verification is off). `debug: true` with the secret key explains every offer.',
        security: [{ bearer: [] }],
        body: DecideBody,
        response: errorResponses(400, 401, 403, 413, 429),
      },
    },
    async (req) => {
      const body = req.body;
      const placements = body.placements ?? (body.placement !== undefined ? [body.placement] : null);
      if (!placements) throw badRequest('body/placements is required (an array of placement names; or body/placement)');
      const trusted = req.principal!.kind !== 'publishable';
      const now = ctx.now();
      let userId = body.userId ?? null;
      let signed: Record<string, unknown> = {};
      if (!trusted && ctx.identity.enabled) {
        const identity = await ctx.identity.verify(body.identity, body.accountId, now);
        signed = identity.attrs;
        if (identity.userId !== null) userId = identity.userId;
      }
      const answer = { decisionId: uuidv7(now), offers: [] as unknown[], decidedAt: new Date(now).toISOString() };
      const withDebug = trusted && body.debug === true;

      // Nothing published, or an unknown account: nothing to show (not an error).
      const offers = await ctx.offers.published(now);
      if (offers.length === 0) return withDebug ? { ...answer, debug: [] } : answer;
      const { account: stored, history, assignments, attached } = await ctx.store.decisionState(
        body.accountId,
        now - historyDays(offers) * DAY_MS,
        now,
      );
      if (!stored) return withDebug ? { ...answer, debug: [] } : answer;
      const input = {
        now,
        account: effectiveAccount(stored, body.attributes, signed),
        userId,
        placements,
        offers,
        products,
        attached,
        history,
        assignments,
      };
      // Reasons are built only when asked for; both paths give the same offers and assignments.
      const out = withDebug ? decide(input) : decideOffers(input);
      // Recorded before answering, so an arm that was shown is never lost on a crash. The
      // stores make this cheap under load: SQLite group-commits it with every other write
      // that arrived in the same event-loop turn (one transaction, one commit). Writing it
      // after the reply would save one turn at most; and although a lost write would be
      // recomputed identically from the hash, that holds only until the holdout changes.
      if (out.newAssignments.length > 0) await ctx.store.recordAssignments(out.newAssignments);
      answer.offers = out.offers;
      return 'debug' in out ? { ...answer, debug: out.debug } : answer;
    },
  );
}
