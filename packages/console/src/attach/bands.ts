/**
 * Turns the attach answer's `benchmarks` block into shapes to draw behind the
 * cohort curves: each band holds from the end of the previous band (or day 0)
 * to its own day, so "first year" spans days 0–365 and "third year" 365–1095.
 */

export interface DrawBand {
  label: string;
  tier: 'median' | 'topQuartile';
  fromDay: number;
  toDay: number;
  low: number;
  high: number;
}

export interface DrawMarker {
  label: string;
  day: number;
  rate: number;
}

interface RawRange {
  low?: unknown;
  high?: unknown;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function range(r: unknown): { low: number; high: number } | null {
  if (typeof r !== 'object' || r === null) return null;
  const low = num((r as RawRange).low);
  const high = num((r as RawRange).high);
  return low === null || high === null ? null : { low, high };
}

/**
 * @example benchmarkShapes({ bands: [{ label: 'Year 1', atDays: 365, median: { low: 0.2, high: 0.25 }, topQuartile: { low: 0.35, high: 0.4 } }], markers: [] })
 * // { bands: [{ label: 'Year 1', tier: 'median', fromDay: 0, toDay: 365, low: 0.2, high: 0.25 }, { …tier: 'topQuartile'… }], markers: [] }
 */
export function benchmarkShapes(raw: unknown): { bands: DrawBand[]; markers: DrawMarker[]; source: string | null } {
  const out = { bands: [] as DrawBand[], markers: [] as DrawMarker[], source: null as string | null };
  if (typeof raw !== 'object' || raw === null) return out;
  const b = raw as { bands?: unknown; markers?: unknown; source?: unknown };
  if (typeof b.source === 'string') out.source = b.source;
  const bands = (Array.isArray(b.bands) ? b.bands : [])
    .map((x) => x as { label?: unknown; atDays?: unknown; median?: unknown; topQuartile?: unknown })
    .filter((x) => typeof x === 'object' && x !== null && num(x.atDays) !== null)
    .sort((x, y) => (x.atDays as number) - (y.atDays as number));
  let from = 0;
  for (const band of bands) {
    const to = band.atDays as number;
    const label = typeof band.label === 'string' ? band.label : `${to} days`;
    for (const tier of ['median', 'topQuartile'] as const) {
      const r = range(band[tier]);
      if (r) out.bands.push({ label, tier, fromDay: from, toDay: to, ...r });
    }
    from = to;
  }
  for (const m of Array.isArray(b.markers) ? b.markers : []) {
    if (typeof m !== 'object' || m === null) continue;
    const day = num((m as { atDays?: unknown }).atDays);
    const rate = num((m as { rate?: unknown }).rate);
    if (day !== null && rate !== null) out.markers.push({ label: String((m as { label?: unknown }).label ?? ''), day, rate });
  }
  return out;
}

/** Aligns cohort points on one x axis (days) for the chart: null where a cohort has no point. */
export function alignCohorts(cohorts: readonly { cohort: string; points: readonly { day: number; rate: number }[] }[]): {
  days: number[];
  series: { cohort: string; rates: (number | null)[] }[];
} {
  const days = [...new Set(cohorts.flatMap((c) => c.points.map((p) => p.day)))].sort((a, b) => a - b);
  return {
    days,
    series: cohorts.map((c) => {
      const byDay = new Map(c.points.map((p) => [p.day, p.rate]));
      return { cohort: c.cohort, rates: days.map((d) => byDay.get(d) ?? null) };
    }),
  };
}
