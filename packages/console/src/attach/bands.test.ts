import { describe, expect, it } from 'vitest';
import { alignCohorts, benchmarkShapes } from './bands.ts';

describe('benchmarkShapes', () => {
  const block = {
    source: 'survey',
    bands: [
      { id: 'year3', label: 'Third year', atDays: 1095, median: { low: 0.35, high: 0.35 }, topQuartile: { low: 0.55, high: 0.65 } },
      { id: 'year1', label: 'First year', atDays: 365, median: { low: 0.2, high: 0.25 }, topQuartile: { low: 0.35, high: 0.4 } },
    ],
    markers: [{ id: 'month6', label: 'Month 6', atDays: 180, rate: 0.15 }],
  };

  it('makes each band span from the previous band’s day to its own, in day order', () => {
    const { bands, source } = benchmarkShapes(block);
    expect(source).toBe('survey');
    expect(bands).toEqual([
      { label: 'First year', tier: 'median', fromDay: 0, toDay: 365, low: 0.2, high: 0.25 },
      { label: 'First year', tier: 'topQuartile', fromDay: 0, toDay: 365, low: 0.35, high: 0.4 },
      { label: 'Third year', tier: 'median', fromDay: 365, toDay: 1095, low: 0.35, high: 0.35 },
      { label: 'Third year', tier: 'topQuartile', fromDay: 365, toDay: 1095, low: 0.55, high: 0.65 },
    ]);
  });

  it('keeps markers and ignores malformed entries instead of throwing', () => {
    expect(benchmarkShapes(block).markers).toEqual([{ label: 'Month 6', day: 180, rate: 0.15 }]);
    expect(benchmarkShapes({ bands: [{ label: 'x' }, null], markers: [{ atDays: 'x' }] })).toEqual({ bands: [], markers: [], source: null });
    expect(benchmarkShapes(undefined).bands).toEqual([]);
  });
});

describe('alignCohorts', () => {
  it('puts every cohort on the union of days, null where a point was omitted (too young)', () => {
    const out = alignCohorts([
      { cohort: '2026-01', points: [{ day: 30, rate: 0.1 }, { day: 60, rate: 0.2 }] },
      { cohort: '2026-02', points: [{ day: 30, rate: 0.05 }] },
    ]);
    expect(out).toEqual({
      days: [30, 60],
      series: [
        { cohort: '2026-01', rates: [0.1, 0.2] },
        { cohort: '2026-02', rates: [0.05, null] },
      ],
    });
  });
});
