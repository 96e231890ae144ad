/**
 * The growth console: the built single-page app at /console (packages/console/dist)
 * and the console-only API behind the secret key or an admin token:
 *   GET  /v1/console/context      who is signed in, the configured products
 *   GET  /v1/console/offers       offers with this week's exposures and attaches
 *   POST /v1/console/eligibility  {offer} → how many stored accounts the draft would reach now
 *   POST /v1/console/explain      {offer, accountId} → every rule's verdict for one account
 * Eligibility and explain run the rules engine on a draft without recording
 * any assignment: they only look.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Static, Type } from '@sinclair/typebox';
import type { Account, OfferDefinition, Product } from '@tandem/core';
import type { App, AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { firstAttachAt } from '../metrics/attachment.ts';
import { DAY_MS } from '../rules/defaults.ts';
import { explainAccount, type OfferExplanation } from '../rules/index.ts';
import { errorResponses, Id } from '../schemas/common.ts';
import { OfferBody } from '../schemas/offers.ts';
import type { AccountFacts, Store } from '../store/types.ts';
import { checkOffer } from './offers.ts';

/** Where the console build lands (rollup: packages/console/rollup.part.js). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../packages/console/dist/', import.meta.url));
/** Accounts examined per eligibility count; beyond this the answer says `truncated`. */
export const ELIGIBILITY_SCAN_LIMIT = 5_000;
const SAMPLE_SIZE = 12;
const PAGE = 500;
const DRAFT_ID = '__draft__';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Strict: only our own scripts and styles; CSSOM changes (preact, uPlot, adopted sheets) are not inline styles. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const DraftBody = Type.Object({ offer: OfferBody }, { additionalProperties: false });
const ExplainBody = Type.Object({ offer: OfferBody, accountId: Id() }, { additionalProperties: false });
type DraftBody = Static<typeof DraftBody>;

/** What the console's look-ups need: the store, the configured products, the live offers. */
export interface ConsoleDeps {
  store: Store;
  products: Product[];
}

/**
 * Offers with their last 7 days: accounts first exposed in (now − 7 d, now], and of the
 * exposed treatment accounts those whose first attach (trial or paid, whichever first) fell then.
 * @example weeklyActivity(offers, await store.loadFacts({ activatedBefore: now }), now)
 */
export function weeklyActivity(offers: readonly OfferDefinition[], facts: readonly AccountFacts[], now: number) {
  const since = now - 7 * DAY_MS;
  const exposed = new Map<string, number>();
  const attached = new Map<string, number>();
  for (const f of facts) {
    const first = Math.min(...[firstAttachAt(f, 'trial', now), firstAttachAt(f, 'paid', now)].filter((t) => !Number.isNaN(t)));
    for (const o of f.offers) {
      if (o.exposedAt === null || o.exposedAt > now) continue;
      if (o.exposedAt > since) exposed.set(o.offerId, (exposed.get(o.offerId) ?? 0) + 1);
      if (o.arm === 'treatment' && first > since && first <= now) attached.set(o.offerId, (attached.get(o.offerId) ?? 0) + 1);
    }
  }
  return offers.map((offer) => ({ offer, exposedThisWeek: exposed.get(offer.id) ?? 0, attachedThisWeek: attached.get(offer.id) ?? 0 }));
}

/**
 * The draft as the engine should see it: live now (status published), in the company of
 * the other published offers (a stored version of the same id is replaced by the draft).
 */
export function withDraft(body: Omit<OfferDefinition, 'id'> & { id?: string }, published: readonly OfferDefinition[]) {
  const draft = { ...body, id: body.id ?? DRAFT_ID, status: 'published' } as OfferDefinition;
  return { draft, offers: [...published.filter((o) => o.id !== draft.id), draft] };
}

async function explainDraft(deps: ConsoleDeps, account: Account, draft: OfferDefinition, offers: OfferDefinition[], now: number) {
  const days = Math.max(30, ...offers.map((o) => Math.max(o.caps?.exposures?.days ?? 0, o.caps?.dismiss?.days ?? 0)));
  const [history, assignments, attached] = await Promise.all([
    deps.store.recentHistory(account.id, now - days * DAY_MS),
    deps.store.getAssignments(account.id),
    deps.store.isAttached(account.id, now),
  ]);
  return explainAccount({ now, account, userId: null, placements: [draft.placement], offers, products: deps.products, attached, history, assignments })
    .offers;
}

export interface EligibilityAnswer {
  eligible: number;
  shown: number;
  control: number;
  outranked: number;
  capped: number;
  total: number;
  sample: string[];
  truncated: boolean;
}

/**
 * Runs the rules engine over the stored accounts (up to `limit`) for a draft, recording nothing.
 * `eligible` = every targeting rule holds; split into shown / control / outranked / capped.
 */
export async function scanEligibility(
  deps: ConsoleDeps,
  draft: OfferDefinition,
  offers: OfferDefinition[],
  now: number,
  limit = ELIGIBILITY_SCAN_LIMIT,
): Promise<EligibilityAnswer> {
  const answer: EligibilityAnswer = { eligible: 0, shown: 0, control: 0, outranked: 0, capped: 0, total: 0, sample: [], truncated: false };
  let after: string | undefined;
  for (;;) {
    const ids = await deps.store.listAccountIds({ limit: PAGE, ...(after !== undefined ? { after } : {}) });
    for (const id of ids) {
      if (answer.total >= limit) {
        answer.truncated = true;
        return answer;
      }
      const account = await deps.store.getAccount(id);
      if (!account) continue;
      answer.total++;
      const mine = (await explainDraft(deps, account, draft, offers, now)).find((o) => o.offerId === draft.id);
      if (!mine?.eligible) continue;
      answer.eligible++;
      if (mine.outcome === 'shown') answer.shown++;
      else if (mine.outcome === 'control') answer.control++;
      else if (mine.outcome === 'outranked') answer.outranked++;
      else answer.capped++;
      if (answer.sample.length < SAMPLE_SIZE && mine.outcome !== 'control') answer.sample.push(id);
    }
    if (ids.length < PAGE) return answer;
    after = ids[ids.length - 1];
  }
}

/** Every rule's verdict on one account for the draft, and what the other offers of its placement do. */
export async function explainForConsole(deps: ConsoleDeps, accountId: string, draft: OfferDefinition, offers: OfferDefinition[], now: number) {
  const account = await deps.store.getAccount(accountId);
  if (!account) return { accountId, found: false, outcome: 'unknown_account' as const, checks: [], others: [] };
  const all = await explainDraft(deps, account, draft, offers, now);
  const mine = all.find((o) => o.offerId === draft.id) as OfferExplanation;
  return {
    accountId,
    found: true,
    outcome: mine.outcome,
    ...(mine.rule !== undefined ? { rule: mine.rule } : {}),
    ...(mine.reason !== undefined ? { reason: mine.reason } : {}),
    arm: mine.arm,
    variant: mine.variant,
    // The status check is the draft's own: the console evaluates it as if it were live.
    checks: mine.checks.filter((c) => c.rule !== 'status'),
    others: all
      .filter((o) => o.offerId !== draft.id)
      .map((o) => ({ offerId: o.offerId, priority: o.priority, outcome: o.outcome, ...(o.rule !== undefined ? { rule: o.rule } : {}) })),
  };
}

export interface ConsoleRoutesOptions {
  /** The built console; defaults to packages/console/dist. */
  distDir?: string;
}

/**
 * Registers the console page and its API on the app (inside the scope that has the key guard).
 * @example consoleRoutes(scope, ctx);
 */
export function consoleRoutes(app: App, ctx: AppContext, opts: ConsoleRoutesOptions = {}): void {
  const { store, config } = ctx;
  const dist = resolve(opts.distDir ?? CONSOLE_DIST);
  const products = config.products.map(({ id, name, listPrice }) => ({ id, name, listPrice }));
  const secured = { config: { access: 'secret' as const } };
  const base = { tags: ['console'], security: [{ bearer: [] }] };

  // ---- The page ------------------------------------------------------------
  const sendFile = async (path: string, reply: import('fastify').FastifyReply) => {
    const file = resolve(dist, path);
    if (file !== dist && !file.startsWith(dist.endsWith(sep) ? dist : dist + sep)) throw new HttpError(404, 'not_found', `no console file ${path}`);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      if (path === 'index.html')
        throw new HttpError(404, 'not_found', `the console is not built (no ${file}); run \`pnpm build\``);
      throw new HttpError(404, 'not_found', `no console file ${path}`);
    }
    const hashed = path.startsWith('assets/');
    reply
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (!hashed) reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
    return reply.send(await readFile(file));
  };
  const page = { config: { access: 'public' as const }, schema: { hide: true } };
  app.get('/console', page, async (_req, reply) => sendFile('index.html', reply));
  app.get('/console/', page, async (_req, reply) => sendFile('index.html', reply));
  app.get<{ Params: { '*': string } }>('/console/*', page, async (req, reply) => {
    const path = req.params['*'];
    // Unknown non-asset paths are the app's own (hash) routes: serve the page.
    return sendFile(path.startsWith('assets/') ? path : 'index.html', reply);
  });

  // ---- The API -------------------------------------------------------------
  app.get(
    '/v1/console/context',
    { ...secured, schema: { ...base, summary: 'Who is signed in to the console, and the configured products', response: errorResponses(401, 403) } },
    async (req) => ({
      role: req.principal!.kind === 'admin' ? 'admin' : 'secret',
      products: config.products.map(({ id, name, role, listPrice }) => ({ id, name, role, listPrice })),
    }),
  );

  app.get(
    '/v1/console/offers',
    {
      ...secured,
      schema: {
        ...base,
        summary: 'Offers with the last 7 days of activity',
        description:
          '`exposedThisWeek`: accounts first exposed to the offer in the last 7 days. `attachedThisWeek`: of the offer’s exposed treatment accounts, those whose first attach (trial or paid, whichever came first) fell in the last 7 days.',
        response: errorResponses(401, 403),
      },
    },
    async () => {
      const now = ctx.now();
      const [offers, facts] = await Promise.all([store.listOffers(), store.loadFacts({ activatedBefore: now })]);
      return { offers: weeklyActivity(offers, facts, now) };
    },
  );

  const deps: ConsoleDeps = { store, products };
  const draftAndOthers = async (body: DraftBody['offer'], now: number) => {
    checkOffer(body, config.products);
    return withDraft(body as Omit<OfferDefinition, 'id'> & { id?: string }, await ctx.offers.published(now));
  };

  app.post(
    '/v1/console/eligibility',
    {
      ...secured,
      schema: {
        ...base,
        summary: 'How many stored accounts a draft offer would reach now',
        description: `Runs the rules engine over up to ${ELIGIBILITY_SCAN_LIMIT} accounts without recording assignments.`,
        body: DraftBody,
        response: errorResponses(400, 401, 403),
      },
    },
    async (req) => {
      const now = ctx.now();
      const { draft, offers } = await draftAndOthers(req.body.offer, now);
      return scanEligibility(deps, draft, offers, now);
    },
  );

  app.post(
    '/v1/console/explain',
    {
      ...secured,
      schema: {
        ...base,
        summary: 'Why one account is in or out of a draft offer: every rule’s verdict',
        body: ExplainBody,
        response: errorResponses(400, 401, 403),
      },
    },
    async (req) => {
      const now = ctx.now();
      const { draft, offers } = await draftAndOthers(req.body.offer, now);
      return explainForConsole(deps, req.body.accountId, draft, offers, now);
    },
  );
}
