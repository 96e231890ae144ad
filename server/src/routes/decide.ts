/**
 * POST /v1/decide — which offer each placement shows to an account now.
 * Loads the inputs, asks the rules engine, records first-time assignments.
 */
import { type Account, type DecideDebug, type DecidedOffer, type OfferDefinition, uuidv7 } from '@tandem/core';
import type { FastifyReply } from 'fastify';
import type { Identity } from '../auth/identity.ts';
import type { Principal } from '../auth/keys.ts';
import type { App, AppContext } from '../context.ts';
import type { DecisionState } from '../store/types.ts';
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
  if (browserAttrs === undefined && isEmpty(signedAttrs)) return stored;
  const account: Account = { ...stored, attributes: { ...stored.attributes, ...browserAttrs, ...signedAttrs } };
  const fields = account as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(signedAttrs))
    if (SIGNED_FIELDS[key] !== undefined && typeof value === SIGNED_FIELDS[key]) fields[key] = value;
  return account;
}

function isEmpty(obj: Record<string, unknown>): boolean {
  for (const _ in obj) return false;
  return true;
}

const HISTORY_DAYS = new WeakMap<readonly OfferDefinition[], number>();

/** How far back caps and cooldowns look, over every offer considered (per offer list: the offer cache reuses it). */
function historyDays(offers: readonly OfferDefinition[]): number {
  let days = HISTORY_DAYS.get(offers);
  if (days === undefined) {
    days = Math.max(DEFAULT_RULES.exposureCap.days, DEFAULT_RULES.dismissCooldown.days);
    for (const o of offers) days = Math.max(days, o.caps?.exposures?.days ?? 0, o.caps?.dismiss?.days ?? 0);
    HISTORY_DAYS.set(offers, days);
  }
  return days;
}

/** The rendered offers are shared between decisions (decide-offers.ts): each is serialized once. */
const SERIALIZED = new WeakMap<DecidedOffer, string>();
function offerJson(offer: DecidedOffer): string {
  let json = SERIALIZED.get(offer);
  if (json === undefined) {
    json = JSON.stringify(offer);
    SERIALIZED.set(offer, json);
  }
  return json;
}

/** A decision: ready JSON text (sent as `application/json; charset=utf-8`), or with `debug` an object to serialize. */
export type DecideAnswer = string | { decisionId: string; offers: DecidedOffer[]; decidedAt: string; debug: DecideDebug[] };

/** What Fastify's route and the decide lane (decide-lane.ts) ask: one decision per validated body. */
export interface Decider {
  /**
   * Decides for a validated body and the caller's principal. Without a promise when the
   * identity token was verified before, the offer list is fresh, the store answers at once
   * and nothing is to be recorded (most requests). Throws or rejects with an HttpError
   * (400 without placements, 401 for a bad identity).
   */
  decide(body: DecideBody, principal: Principal): DecideAnswer | Promise<DecideAnswer>;
}

export function createDecider(ctx: AppContext): Decider {
  const products = ctx.config.products.map(({ id, name, listPrice }) => ({ id, name, listPrice }));

  /** One decide request, once its identity and the offer list are known. */
  interface Asked {
    body: DecideBody;
    placements: string[];
    /** The secret key: no identity needed, debug allowed. */
    trusted: boolean;
    identity: Identity | null;
    offers: OfferDefinition[];
    now: number;
  }

  /** Loads the account, decides, records first-time assignments. */
  function decideFor(q: Asked): DecideAnswer | Promise<DecideAnswer> {
    if (q.offers.length === 0) return answer(q, null);
    const since = q.now - historyDays(q.offers) * DAY_MS;
    const state = ctx.store.decisionStateNow?.(q.body.accountId, since, q.now);
    if (state) return answer(q, state);
    return ctx.store.decisionState(q.body.accountId, since, q.now).then((s) => answer(q, s));
  }

  function answer(q: Asked, state: DecisionState | null): DecideAnswer | Promise<DecideAnswer> {
    const { body, identity, now } = q;
    const decisionId = uuidv7(now);
    const decidedAt = isoTime(now);
    const withDebug = q.trusted && body.debug === true;
    let userId = body.userId ?? null;
    if (identity !== null && identity.userId !== null) userId = identity.userId;
    // Nothing published, or an unknown account: nothing to show (not an error).
    if (!state?.account) return withDebug ? { decisionId, offers: [], decidedAt, debug: [] } : ready(decisionId, [], decidedAt);
    const input = {
      now,
      account: effectiveAccount(state.account, body.attributes, identity?.attrs ?? {}),
      userId,
      placements: q.placements,
      offers: q.offers,
      products,
      attached: state.attached,
      history: state.history,
      assignments: state.assignments,
    };
    // Reasons are built only when asked for; both paths give the same offers and assignments.
    const out = withDebug ? decide(input) : decideOffers(input);
    // Recorded before answering, so an arm that was shown is never lost on a crash. The
    // stores make this cheap under load: SQLite group-commits it with every other write
    // that arrived in the same event-loop turn (one transaction, one commit). Writing it
    // after the reply would save one turn at most; and although a lost write would be
    // recomputed identically from the hash, that holds only until the holdout changes.
    if (out.newAssignments.length > 0)
      return ctx.store.recordAssignments(out.newAssignments).then(() => result(out, decisionId, decidedAt));
    return result(out, decisionId, decidedAt);
  }

  return {
    decide(body, principal) {
      const placements = body.placements ?? (body.placement !== undefined ? [body.placement] : null);
      if (!placements) throw badRequest('body/placements is required (an array of placement names; or body/placement)');
      const trusted = principal.kind !== 'publishable';
      const now = ctx.now();
      const verify = !trusted && ctx.identity.enabled;
      const identity = verify ? ctx.identity.cached(body.identity, body.accountId, now) : null;
      const offers = ctx.offers.fresh(now);
      if (identity !== undefined && offers !== null) return decideFor({ body, placements, trusted, identity, offers, now });
      return (async () =>
        decideFor({
          body,
          placements,
          trusted,
          identity: identity === undefined ? await ctx.identity.verify(body.identity, body.accountId, now) : identity,
          offers: offers ?? (await ctx.offers.published(now)),
          now,
        }))();
    },
  };
}

export const JSON_TYPE = 'application/json; charset=utf-8';

export function decideRoutes(app: App, decider: Decider): void {
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
    // Not async: a token verified before and a fresh offer list need no await (most requests).
    (req, reply) => {
      const out = decider.decide(req.body, req.principal!);
      if (out instanceof Promise) return out.then((o) => typed(reply, o));
      return typed(reply, out);
    },
  );
}

/** JSON text goes out as JSON (Fastify would call a string text/plain); debug answers are serialized. */
function typed(reply: FastifyReply, out: DecideAnswer): DecideAnswer {
  if (typeof out === 'string') reply.type(JSON_TYPE);
  return out;
}

/**
 * The answer: with debug as an object, else as ready JSON text. A function of its own, not a
 * closure per request: tsx (esbuild keepNames) names each closure as it is made, which cost
 * about as much as building the answer.
 */
function result(out: ReturnType<typeof decideOffers> | ReturnType<typeof decide>, decisionId: string, decidedAt: string): DecideAnswer {
  return 'debug' in out ? { decisionId, offers: out.offers, decidedAt, debug: out.debug } : ready(decisionId, out.offers, decidedAt);
}

/** The answer as JSON text, the offers' text reused. */
function ready(decisionId: string, offers: readonly DecidedOffer[], decidedAt: string): string {
  return `{"decisionId":"${decisionId}","offers":[${offers.map(offerJson).join(',')}],"decidedAt":"${decidedAt}"}`;
}

// Date#toISOString formats through a C printf (~0.5 µs); requests in the same millisecond share one.
let isoAt = Number.NaN;
let isoText = '';
function isoTime(now: number): string {
  if (now !== isoAt) {
    isoText = new Date(now).toISOString();
    isoAt = now;
  }
  return isoText;
}
