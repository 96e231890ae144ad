/**
 * The terminal rendering of a report: overall rate, the cohort grid (rows =
 * activation month, columns = day points), time to attach, the benchmark
 * bands, the breakdown and the lift of each offer.
 */
import type { AttachAnswer, LiftAnswer, Standing } from '../metrics/index.ts';
import { columns, type Paint, paint } from './common.ts';
import type { ReportData } from './report-data.ts';

const STANDING_TEXT: Record<Standing, string> = {
  belowMedian: 'below median',
  median: 'at median',
  aboveMedian: 'above median',
  topQuartile: 'top quartile',
  aboveTopQuartile: 'above top quartile',
};

/** `0.25` → `25.0%`. */
export function percent(rate: number | null, digits = 1): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(digits)}%`;
}

/** A base or count: whole logos as `1,234`; ARR sums shortened (`1.2M`). */
function amount(n: number, weight: AttachAnswer['weight']): string {
  if (weight === 'logo') return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
}

function signedPoints(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
}

function pValue(p: number | null): string {
  if (p === null) return '–';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

function range(r: { low: number; high: number }): string {
  return r.low === r.high ? percent(r.low, 0) : `${(r.low * 100).toFixed(0)}–${percent(r.high, 0)}`;
}

function attachLines(a: AttachAnswer, p: Paint): string[] {
  const unit = a.weight === 'logo' ? 'accounts' : 'ARR';
  const lines: string[] = [];
  const scope = a.offerId ? `, offer ${a.offerId}` : '';
  lines.push(p.bold(`Attach rate (${a.definition}, denominator ${a.denominator}${scope}, weight ${a.weight}) as of ${a.asOf}`));
  const o = a.overall;
  lines.push(`  Overall: ${p.bold(percent(o.rate))}  (${amount(o.attached, a.weight)} of ${amount(o.base, a.weight)} ${unit} attached)`);
  const t = a.timeToAttach;
  lines.push(
    `  Time to attach: median ${t.medianDays === null ? '–' : `${t.medianDays.toFixed(1)} days`}; ` +
      `attached within 90 days: ${percent(t.within90Days)} of ${unit} at least 90 days old`,
  );

  // The benchmark bands line: the published bands and where the overall rate stands.
  const b = a.benchmarks;
  const bands = b.bands.map((band) => `${band.label.toLowerCase()}: median ${range(band.median)}, top quartile ${range(band.topQuartile)}`);
  lines.push(p.dim(`  Benchmarks (${b.source}) — ${bands.join('; ')}; ${b.markers.map((m) => `${m.label} ≥ ${percent(m.rate, 0)}`).join('; ')}`));
  if (b.overall.standing) {
    const s = b.overall.standing;
    lines.push(`  Overall vs bands: ${STANDING_TEXT[s.year1]} for year 1, ${STANDING_TEXT[s.year3]} for year 3`);
  }

  lines.push('');
  if (a.cohorts.length === 0) {
    lines.push(`Cohorts: none (no ${unit} in the denominator)`);
  } else {
    const days = [...new Set(a.cohorts.flatMap((c) => c.points.map((pt) => pt.day)))].sort((x, y) => x - y);
    lines.push(p.bold(`Cohorts by activation month: attach rate by day d (base: ${unit} at least d days old)`));
    const header = ['cohort', unit, ...days.map((d) => `${d}d`)];
    const rows = a.cohorts.map((c) => {
      const byDay = new Map(c.points.map((pt) => [pt.day, pt]));
      return [
        c.cohort,
        amount(c.base, a.weight),
        ...days.map((d) => {
          const pt = byDay.get(d);
          return pt ? `${percent(pt.rate)} ${p.dim(`(${amount(pt.base, a.weight)})`)}` : p.dim('·');
        }),
      ];
    });
    const aligned = columns([header, ...rows], ['left', 'right', ...days.map(() => 'right' as const)]);
    lines.push(`  ${p.bold(aligned[0]!)}`, ...aligned.slice(1).map((l) => `  ${l}`));
    // Cohort points behind a band or marker, one line per benchmark (cohorts listed, not repeated per point).
    const behind = new Map<string, string[]>();
    for (const c of b.cohorts) {
      for (const k of c.checks) {
        if (k.meets !== false && k.standing !== 'belowMedian') continue;
        const band = b.bands.find((x) => x.id === k.benchmark);
        const marker = b.markers.find((x) => x.id === k.benchmark);
        const label = band ? `below the ${band.label.toLowerCase()} median (${range(band.median)}) at ${k.day}d` : `below ${percent(marker!.rate, 0)} at ${k.day}d (${marker!.label})`;
        behind.set(label, [...(behind.get(label) ?? []), c.cohort]);
      }
    }
    for (const [label, cohorts] of behind) lines.push(p.yellow(`  ${cohorts.length} cohort${cohorts.length === 1 ? '' : 's'} ${label}: ${cohorts.join(', ')}`));
  }

  if (a.by !== null) {
    lines.push('', p.bold(`Breakdown by ${a.by}`));
    const withOffer = a.by === 'offer' || a.by === 'variant';
    const header = [a.by, ...(withOffer && a.by === 'variant' ? ['offer', 'arm'] : []), `attached`, unit, 'rate'];
    const rows = a.breakdown.map((r) => [
      r.key ?? p.dim('(none)'),
      ...(withOffer && a.by === 'variant' ? [r.offerId ?? '', r.arm ?? ''] : []),
      amount(r.attached, a.weight),
      amount(r.base, a.weight),
      percent(r.rate),
    ]);
    const n = header.length;
    const aligned = columns([header, ...rows], header.map((_, i) => (i >= n - 3 ? 'right' : 'left')));
    lines.push(`  ${p.bold(aligned[0]!)}`, ...aligned.slice(1).map((l) => `  ${l}`));
  }
  return lines;
}

function liftLines(lift: readonly LiftAnswer[], p: Paint): string[] {
  if (lift.length === 0) return ['', 'Holdout lift: no offers'];
  const lines = ['', p.bold(`Holdout lift (${lift[0]!.definition}, intent to treat; 95% CI of the absolute lift, pooled z-test)`)];
  const header = ['offer', 'treatment', 'control', 'abs lift', '95% CI', 'rel lift', 'p-value', 'SRM p'];
  const warnings: string[] = [];
  const rows = lift.map((l) => {
    const arm = (a: LiftAnswer['treatment']) => `${percent(a.rate)} (${a.attached}/${a.assigned})`;
    const abs = l.absoluteLift === null ? '–' : `${signedPoints(l.absoluteLift)} pp`;
    const ci = l.ci95 === null ? '–' : `[${signedPoints(l.ci95[0])}, ${signedPoints(l.ci95[1])}] pp`;
    const rel = l.relativeLift === null ? '–' : `${signedPoints(l.relativeLift)}%`;
    const significant = l.pValue !== null && l.pValue < 0.05;
    const pv = significant ? (l.absoluteLift! > 0 ? p.green(pValue(l.pValue)) : p.red(pValue(l.pValue))) : pValue(l.pValue);
    const srm = l.srm.mismatch ? p.red(`${pValue(l.srm.pValue)} !`) : pValue(l.srm.pValue);
    if (l.srm.mismatch) {
      warnings.push(
        `SRM warning for ${l.offerId}: ${percent(l.srm.observedControlShare)} of assigned accounts are in control, ` +
          `${percent(l.srm.expectedControlShare)} expected (p = ${pValue(l.srm.pValue)}); the split is broken, do not trust this lift`,
      );
    }
    if (l.treatment.assigned + l.control.assigned === 0) return [l.offerId, p.dim('no assigned accounts'), '', '', '', '', '', ''];
    return [l.offerId, arm(l.treatment), arm(l.control), abs, ci, rel, pv, srm];
  });
  const aligned = columns([header, ...rows], ['left', ...header.slice(1).map(() => 'right' as const)]);
  lines.push(`  ${p.bold(aligned[0]!)}`, ...aligned.slice(1).map((l) => `  ${l}`));
  for (const w of warnings) lines.push(p.red(`  ⚠ ${w}`));
  return lines;
}

/**
 * The readable report, one string per line; colours only when `color`.
 * @example renderReportTable(await reportFromStore(store, query), { color: process.stdout.isTTY })
 */
export function renderReportTable(data: ReportData, opts: { color: boolean }): string[] {
  const p = paint(opts.color);
  return [...attachLines(data.attach, p), ...liftLines(data.lift, p)];
}
