/**
 * Attach at a glance: overall rate and time to attach, cohort curves against
 * the industry bands, a breakdown, the funnel of one offer, and holdout lift
 * for every offer. Loaded as its own chunk (it carries uPlot).
 */
import { useStore } from '@nanostores/preact';
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { AttachAnswer, BreakdownBy, Definition, Denominator, FunnelAnswer, Weight } from '../api/types.ts';
import { $offers, loadOffers } from '../stores/offers.ts';
import { $products, api } from '../stores/session.ts';
import { useHeadingFocus } from '../ui/focus.ts';
import { count, money, pct } from '../ui/format.ts';
import { TableWrap } from '../ui/table-wrap.tsx';
import { benchmarkShapes } from './bands.ts';
import { COHORT_COLOURS, CohortChart } from './cohort-chart.tsx';
import { Funnel } from './funnel.tsx';
import { type LiftRow, LiftTable } from './lift.tsx';

interface Query {
  definition: Definition;
  denominator: Denominator;
  weight: Weight;
  /** yyyy-mm-dd (end of that day, UTC) or '' for now. */
  asOf: string;
  by: BreakdownBy;
  offerId: string;
}

function asOfInstant(day: string): string | undefined {
  return day ? `${day}T23:59:59.999Z` : undefined;
}

function params(q: Query, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    definition: q.definition,
    denominator: q.denominator,
    weight: q.weight,
    asOf: asOfInstant(q.asOf),
    by: q.by,
    offerId: q.denominator === 'exposed' && q.offerId ? q.offerId : undefined,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

function Toggle<T extends string>(props: { name: string; legend: string; value: T; options: readonly { value: T; label: string }[]; onValue(v: T): void }) {
  return (
    <fieldset class="segmented">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value}>
          <input type="radio" name={props.name} value={o.value} checked={props.value === o.value} onChange={() => props.onValue(o.value)} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

export function AttachPage() {
  const products = useStore($products);
  const { items: offers } = useStore($offers);
  const currency = products[0]?.listPrice.currency ?? 'USD';
  const [q, setQ] = useState<Query>({ definition: 'paid', denominator: 'all', weight: 'logo', asOf: '', by: 'plan', offerId: '' });
  // The report on screen with the query that produced it: between a change and its answer the page
  // still shows the previous report, and its figures keep their own labels (a logo count never reads as ARR).
  const [report, setReport] = useState<{ answer: AttachAnswer; q: Query } | null>(null);
  const attach = report?.answer ?? null;
  const shown = report?.q ?? q;
  const [error, setError] = useState<string | null>(null);
  const [funnel, setFunnel] = useState<FunnelAnswer | null>(null);
  const [lifts, setLifts] = useState<LiftRow[]>([]);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const h1 = useHeadingFocus();
  const patch = (p: Partial<Query>) => setQ((old) => ({ ...old, ...p }));
  const measured = offers.filter((o) => o.offer.status !== 'draft' || o.exposedThisWeek > 0);
  const funnelOffer = q.offerId || measured[0]?.offer.id || '';

  useEffect(() => {
    if (offers.length === 0) void loadOffers();
  }, []);

  useEffect(() => {
    let stale = false;
    call(() => api().get('v1/metrics/attach', { searchParams: params(q) }).json<AttachAnswer>()).then(
      (a) => {
        if (!stale) {
          setReport({ answer: a, q });
          setError(null);
        }
      },
      (err) => !stale && setError((err as Error).message),
    );
    return () => {
      stale = true;
    };
  }, [q]);

  useEffect(() => {
    if (!funnelOffer) return;
    let stale = false;
    call(() => api().get('v1/metrics/funnel', { searchParams: { offerId: funnelOffer, ...(q.asOf ? { asOf: asOfInstant(q.asOf)! } : {}) } }).json<FunnelAnswer>()).then(
      (f) => !stale && setFunnel(f),
      () => !stale && setFunnel(null),
    );
    return () => {
      stale = true;
    };
  }, [funnelOffer, q.asOf]);

  const liftKey = JSON.stringify([measured.map((o) => o.offer.id), q.definition, q.asOf]);
  useEffect(() => {
    let stale = false;
    const rows: LiftRow[] = measured.map((o) => ({ offerId: o.offer.id, name: o.offer.name || o.offer.id, lift: null, error: null }));
    setLifts(rows);
    rows.forEach((row, i) => {
      const sp = { offerId: row.offerId, definition: q.definition, ...(q.asOf ? { asOf: asOfInstant(q.asOf)! } : {}) };
      call(() => api().get('v1/metrics/lift', { searchParams: sp }).json<LiftRow['lift']>()).then(
        (lift) => !stale && setLifts((cur) => cur.map((r, j) => (j === i ? { ...r, lift } : r))),
        (err) => !stale && setLifts((cur) => cur.map((r, j) => (j === i ? { ...r, error: (err as Error).message } : r))),
      );
    });
    return () => {
      stale = true;
    };
  }, [liftKey]);

  const download = async () => {
    setDownloadError(null);
    try {
      const blob = await call(() => api().get('v1/metrics/attach.csv', { searchParams: params(q) }).blob());
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `attach-${q.definition}-${q.denominator}-${q.weight}-${q.asOf || 'now'}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setDownloadError((err as Error).message);
    }
  };

  const amount = (n: number) => (shown.weight === 'arr' ? money(n, currency) : count(n));
  const unit = shown.weight === 'arr' ? 'ARR' : 'accounts';
  const shapes = benchmarkShapes(attach?.benchmarks);

  return (
    <section aria-labelledby="attach-h" class="attach">
      <div class="page-head">
        <h1 id="attach-h" ref={h1} tabIndex={-1}>Attach</h1>
        <button type="button" class="button" onClick={() => void download()}>
          Download CSV
        </button>
      </div>
      {downloadError && (
        <p class="banner error" role="alert">
          CSV download failed: {downloadError}
        </p>
      )}
      <form class="filters" aria-label="Report options" onSubmit={(e) => e.preventDefault()}>
        <Toggle
          name="definition"
          legend="Attached means"
          value={q.definition}
          options={[
            { value: 'trial', label: 'Trial' },
            { value: 'paid', label: 'Paid' },
            { value: 'active', label: 'Active' },
          ]}
          onValue={(definition) => patch({ definition })}
        />
        <Toggle
          name="denominator"
          legend="Out of"
          value={q.denominator}
          options={[
            { value: 'all', label: 'All accounts' },
            { value: 'exposed', label: 'Exposed' },
          ]}
          onValue={(denominator) => patch({ denominator })}
        />
        <Toggle
          name="weight"
          legend="Weight"
          value={q.weight}
          options={[
            { value: 'logo', label: 'Logos' },
            { value: 'arr', label: 'ARR' },
          ]}
          onValue={(weight) => patch({ weight })}
        />
        <div class="field inline">
          <label for="asof">As of</label>
          <input id="asof" type="date" value={q.asOf} onChange={(e) => patch({ asOf: (e.currentTarget as HTMLInputElement).value })} />
        </div>
        <div class="field inline">
          <label for="offer">Offer</label>
          <select id="offer" value={q.offerId} onChange={(e) => patch({ offerId: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{q.denominator === 'exposed' ? 'Any offer' : 'First measured'}</option>
            {offers.map((o) => (
              <option key={o.offer.id} value={o.offer.id}>
                {o.offer.name || o.offer.id}
              </option>
            ))}
          </select>
        </div>
      </form>

      {error && (
        <p class="banner error" role="alert">
          Could not load the attach report: {error}
        </p>
      )}
      {attach && (
        <>
          <div class="kpis" aria-live="polite" data-testid="kpis">
            <div class="kpi">
              <span class="kpi-label">Attach rate</span>
              <strong data-testid="overall-rate">{pct(attach.overall.rate)}</strong>
              <span class="sub" data-testid="overall-counts">
                {amount(attach.overall.attached)} of {amount(attach.overall.base)} {unit}
              </span>
            </div>
            <div class="kpi">
              <span class="kpi-label">Median time to attach</span>
              <strong>{attach.timeToAttach.medianDays === null ? '—' : `${attach.timeToAttach.medianDays.toFixed(1)} days`}</strong>
            </div>
            <div class="kpi">
              <span class="kpi-label">Attached within 90 days</span>
              <strong>{pct(attach.timeToAttach.within90Days)}</strong>
              <span class="sub">of accounts at least 90 days old</span>
            </div>
          </div>

          <section class="panel" aria-labelledby="cohorts-h">
            <h2 id="cohorts-h">Cohort curves</h2>
            <p class="hint">
              Share of each activation-month cohort attached within N days. Shaded: industry bands for a second product (grey: median, green: top
              quartile){shapes.markers.length > 0 ? '; diamonds: on-track markers' : ''}.{shapes.source ? ` Source: ${shapes.source}.` : ''}
            </p>
            {attach.cohorts.length === 0 ? (
              <p>No cohort is old enough to have a point yet.</p>
            ) : (
              <>
                <CohortChart answer={attach} />
                <ul class="legend">
                  {attach.cohorts.map((c, i) => (
                    <li key={c.cohort}>
                      <span class="swatch" data-colour={i % COHORT_COLOURS.length} aria-hidden="true" />
                      {c.cohort}
                    </li>
                  ))}
                  <li>
                    <span class="swatch band-median" aria-hidden="true" />
                    Industry median
                  </li>
                  <li>
                    <span class="swatch band-top" aria-hidden="true" />
                    Top quartile
                  </li>
                </ul>
                <details>
                  <summary>Cohort figures as a table</summary>
                  <CohortTable answer={attach} amount={amount} />
                </details>
              </>
            )}
          </section>

          <section class="panel" aria-labelledby="breakdown-h">
            <div class="panel-head">
              <h2 id="breakdown-h">Breakdown</h2>
              <div class="field inline">
                <label for="by">By</label>
                <select id="by" value={q.by} onChange={(e) => patch({ by: (e.currentTarget as HTMLSelectElement).value as BreakdownBy })}>
                  <option value="plan">Plan</option>
                  <option value="region">Region</option>
                  <option value="channel">Channel / partner</option>
                  <option value="offer">Offer</option>
                  <option value="variant">Variant</option>
                </select>
              </div>
            </div>
            <TableWrap label={`Attach by ${shown.by}, table`}>
              <table data-testid="breakdown">
                <thead>
                  <tr>
                    <th scope="col">{shown.by}</th>
                    <th scope="col" class="num">
                      Attached
                    </th>
                    <th scope="col" class="num">
                      Base
                    </th>
                    <th scope="col" class="num">
                      Rate
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(attach.breakdown ?? []).map((b) => (
                    <tr key={b.key}>
                      <th scope="row">{b.key || '(none)'}</th>
                      <td class="num">{amount(b.attached)}</td>
                      <td class="num">{amount(b.base)}</td>
                      <td class="num">{pct(b.rate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </section>
        </>
      )}

      <div class="two-col">
        <section class="panel" aria-labelledby="funnel-h">
          <h2 id="funnel-h">Funnel{funnelOffer ? `: ${offers.find((o) => o.offer.id === funnelOffer)?.offer.name ?? funnelOffer}` : ''}</h2>
          {!funnelOffer ? <p>No offer has been shown yet.</p> : funnel ? <Funnel funnel={funnel} /> : <p class="hint">Loading…</p>}
        </section>
        <section class="panel" aria-labelledby="lift-h">
          <h2 id="lift-h">Holdout lift ({q.definition})</h2>
          {lifts.length === 0 ? <p>No offer has been shown yet.</p> : <LiftTable rows={lifts} />}
        </section>
      </div>
    </section>
  );
}

function CohortTable({ answer, amount }: { answer: AttachAnswer; amount(n: number): string }) {
  const days = [...new Set(answer.cohorts.flatMap((c) => c.points.map((p) => p.day)))].sort((a, b) => a - b);
  return (
    <TableWrap label="Cohort table">
      <table>
        <thead>
          <tr>
            <th scope="col">Cohort</th>
            <th scope="col" class="num">
              Base
            </th>
            {days.map((d) => (
              <th scope="col" class="num" key={d}>
                {d} d
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {answer.cohorts.map((c) => (
            <tr key={c.cohort}>
              <th scope="row">{c.cohort}</th>
              <td class="num">{amount(c.base)}</td>
              {days.map((d) => {
                const p = c.points.find((x) => x.day === d);
                return (
                  <td class="num" key={d}>
                    {p ? pct(p.rate) : '—'}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
