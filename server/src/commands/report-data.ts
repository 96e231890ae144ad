/**
 * The figures `tandem report` prints: the attach answer and the lift of each
 * offer, read either from the store directly (an operator on the box) or from
 * a running server's metrics API (`--url` + `--key`). Both give the same answers.
 */
import { type AttachAnswer, attachReport, type BreakdownBy, type LiftAnswer, liftReport } from '../metrics/index.ts';
import type { AttachDefinition } from '../metrics/index.ts';
import type { AttachDenominator, AttachWeight } from '../metrics/index.ts';
import type { Store } from '../store/types.ts';

export interface ReportQuery {
  definition: AttachDefinition;
  denominator: AttachDenominator;
  weight: AttachWeight;
  /** Epoch ms. */
  asOf: number;
  offerId: string | null;
  by: BreakdownBy | null;
  /** Usage threshold of `active`; undefined = the default. */
  threshold: number | undefined;
}

export interface ReportData {
  attach: AttachAnswer;
  /** One entry per offer (only the `--offer` one when it is given), by offer id. */
  lift: LiftAnswer[];
}

/**
 * Reads the facts once and computes every figure from that one snapshot.
 * @example await reportFromStore(store, { definition: 'paid', denominator: 'all', weight: 'logo', asOf: Date.now(), offerId: null, by: null, threshold: undefined })
 */
export async function reportFromStore(store: Store, q: ReportQuery): Promise<ReportData> {
  const facts = await store.loadFacts({ activatedBefore: q.asOf });
  const attach = attachReport(facts, {
    definition: q.definition,
    denominator: q.denominator,
    weight: q.weight,
    asOf: q.asOf,
    offerId: q.offerId,
    by: q.by,
    activeThreshold: q.threshold,
  });
  const offers = (await store.listOffers()).filter((o) => q.offerId === null || o.id === q.offerId);
  offers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lift = offers.map((o) =>
    liftReport(facts, { offerId: o.id, definition: q.definition, asOf: q.asOf, holdout: o.holdout, activeThreshold: q.threshold }),
  );
  return { attach, lift };
}

/** A server answered something other than 2xx. */
export class ReportHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ReportHttpError';
  }
}

/**
 * The same figures through a running server's API (secret key). `asOf` is sent
 * explicitly so the attach answer and every lift share one instant.
 * @example await reportFromServer('http://127.0.0.1:8787', 'sk_live_…', query)
 */
export async function reportFromServer(url: string, key: string, q: ReportQuery, fetchFn: typeof fetch = fetch): Promise<ReportData> {
  const base = url.replace(/\/+$/, '');
  const get = async <T>(path: string, params: Record<string, string | number | null | undefined>): Promise<T> => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) search.set(k, String(v));
    const target = `${base}${path}${search.size > 0 ? `?${search}` : ''}`;
    let res: Response;
    try {
      res = await fetchFn(target, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
    } catch (err) {
      throw new ReportHttpError(0, `cannot reach ${target}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {}
      throw new ReportHttpError(res.status, `GET ${path} answered ${res.status}: ${message}`);
    }
    return JSON.parse(text) as T;
  };
  const asOf = new Date(q.asOf).toISOString();
  const attach = await get<AttachAnswer>('/v1/metrics/attach', {
    definition: q.definition,
    denominator: q.denominator,
    weight: q.weight,
    asOf,
    offerId: q.offerId,
    by: q.by,
    threshold: q.threshold,
  });
  const { offers } = await get<{ offers: { id: string }[] }>('/v1/offers', {});
  const ids = offers
    .map((o) => o.id)
    .filter((id) => q.offerId === null || id === q.offerId)
    .sort();
  const lift: LiftAnswer[] = [];
  for (const offerId of ids) {
    lift.push(await get<LiftAnswer>('/v1/metrics/lift', { offerId, definition: q.definition, asOf, threshold: q.threshold }));
  }
  return { attach, lift };
}
