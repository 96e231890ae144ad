/**
 * Cohort attach curves (uPlot), with the industry bands painted behind the
 * curves and the on-track markers. The canvas is decorative for assistive
 * technology: the same figures are in the table below it.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { AttachAnswer } from '../api/types.ts';
import { alignCohorts, benchmarkShapes, type DrawBand, type DrawMarker } from './bands.ts';

/** Colour-blind-friendly (Okabe–Ito), each ≥ 3:1 against white. */
export const COHORT_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8A6D00', '#56B4E9', '#000000', '#7A5195'];
const BAND_FILL = { median: 'rgba(100, 116, 139, 0.16)', topQuartile: 'rgba(22, 163, 74, 0.14)' } as const;

function drawBenchmarks(u: uPlot, bands: DrawBand[], markers: DrawMarker[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  for (const b of bands) {
    const x0 = u.valToPos(b.fromDay, 'x', true);
    const x1 = u.valToPos(b.toDay, 'x', true);
    let yTop = u.valToPos(b.high, 'y', true);
    let yBottom = u.valToPos(b.low, 'y', true);
    // A single-value band (median "about 35%") is drawn as a thin strip.
    const minPx = 3 * devicePixelRatio;
    if (yBottom - yTop < minPx) {
      yTop -= minPx / 2;
      yBottom += minPx / 2;
    }
    ctx.fillStyle = BAND_FILL[b.tier];
    ctx.fillRect(x0, yTop, x1 - x0, yBottom - yTop);
  }
  ctx.fillStyle = '#334155';
  for (const m of markers) {
    const x = u.valToPos(m.day, 'x', true);
    const y = u.valToPos(m.rate, 'y', true);
    const r = 5 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

export function CohortChart({ answer }: { answer: AttachAnswer }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { days, series } = alignCohorts(answer.cohorts);
    const { bands, markers } = benchmarkShapes(answer.benchmarks);
    const maxDay = Math.max(730, ...days);
    const maxRate = Math.max(0.1, ...series.flatMap((s) => s.rates.filter((r): r is number => r !== null)), ...markers.map((m) => m.rate));
    const visibleBandTop = Math.max(0, ...bands.filter((b) => b.fromDay < maxDay).map((b) => b.high));
    const yMax = Math.min(1, Math.ceil(Math.max(maxRate, visibleBandTop) * 11) / 10);
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: el.clientWidth < 500 ? 240 : 320,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: [0, Math.round(maxDay * 1.03)] }, y: { range: [0, yMax] } },
      axes: [
        { label: 'Days since activation', stroke: '#334155', grid: { stroke: '#e2e8f0' } },
        { label: 'Attach rate', stroke: '#334155', grid: { stroke: '#e2e8f0' }, values: (_u, vals) => vals.map((v) => `${Math.round(v * 100)}%`), size: 56 },
      ],
      series: [
        { label: 'Day' },
        ...series.map((s, i) => ({
          label: s.cohort,
          stroke: COHORT_COLOURS[i % COHORT_COLOURS.length]!,
          width: 2,
          points: { show: true, size: 6 },
          spanGaps: false,
        })),
      ],
      hooks: { drawClear: [(u) => drawBenchmarks(u, bands, markers)] },
    };
    const data: uPlot.AlignedData = [days, ...series.map((s) => s.rates)];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => {
      const width = Math.max(280, el.clientWidth);
      if (Math.abs(width - plot.width) > 4) plot.setSize({ width, height: width < 500 ? 240 : 320 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [answer]);
  return <div ref={box} class="chart" aria-hidden="true" data-testid="cohort-chart" />;
}
