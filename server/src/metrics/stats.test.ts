import { describe, expect, it } from 'vitest';
import { chiSquare1Sf, erfc, newcombeHybrid, normalCdf, pooledZTest, srmPValue, wilson, Z95 } from './stats.ts';

describe('erfc and the normal CDF', () => {
  // Reference values from mpmath at 30 digits, rounded to the nearest double.
  const table: [number, number][] = [
    [0.1, 0.887537083981715],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [1.5, 0.033894853524689274],
    [2, 0.004677734981047266],
    [3, 2.209049699858544e-5],
    [5, 1.537459794428035e-12],
    [10, 2.088487583762545e-45],
    [26, 5.663192408856143e-296],
  ];
  for (const [x, want] of table) {
    it(`erfc(${x}) matches to 1e-13 relative`, () => {
      expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-13);
      expect(Math.abs(erfc(-x) - (2 - want))).toBeLessThan(1e-15);
    });
  }
  it('Φ(1.959964) = 0.975 and Φ(−3) = 0.0013498980316300945', () => {
    expect(normalCdf(Z95)).toBeCloseTo(0.975, 14);
    expect(Math.abs(normalCdf(-3) - 0.0013498980316300946) / 0.00135).toBeLessThan(1e-13);
    expect(normalCdf(0)).toBe(0.5);
  });
});

describe('chi-square with 1 df', () => {
  it('gives the table critical values 3.841, 6.635, 10.828 at 0.05, 0.01, 0.001', () => {
    expect(chiSquare1Sf(3.841458820694124)).toBeCloseTo(0.05, 13);
    expect(chiSquare1Sf(6.634896601021214)).toBeCloseTo(0.01, 13);
    expect(chiSquare1Sf(10.827566170662733)).toBeCloseTo(0.001, 13);
    expect(chiSquare1Sf(0)).toBe(1);
  });
});

describe('Wilson interval (Newcombe 1998, single proportion, method 3)', () => {
  const cases: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [x, n, lo, hi] of cases) {
    it(`${x}/${n} → ${lo} to ${hi}`, () => {
      const w = wilson(x, n);
      expect(w.lower).toBeCloseTo(lo, 4);
      expect(w.upper).toBeCloseTo(hi, 4);
    });
  }
  it('refuses an empty sample', () => {
    expect(() => wilson(0, 0)).toThrow(/n > 0, got 0/);
  });
});

describe('Newcombe hybrid score interval (1998, Table II, method 10)', () => {
  // (a) is DESIGN's worked example; the others are the same table's rows.
  const cases: [string, number, number, number, number, number, number][] = [
    ['a', 56, 70, 48, 80, 0.0524, 0.3339],
    ['b', 9, 10, 3, 10, 0.1705, 0.809],
    ['c', 6, 7, 2, 7, 0.0582, 0.8062],
    ['d', 5, 56, 0, 29, -0.0381, 0.1926],
    ['e', 0, 10, 0, 20, -0.1611, 0.2775],
    ['f', 0, 10, 0, 10, -0.2775, 0.2775],
    ['g', 10, 10, 0, 20, 0.6791, 1],
    ['h', 10, 10, 0, 10, 0.6075, 1],
  ];
  for (const [id, x1, n1, x2, n2, lo, hi] of cases) {
    it(`(${id}) ${x1}/${n1} − ${x2}/${n2} → ${lo} to ${hi}`, () => {
      const ci = newcombeHybrid(x1, n1, x2, n2);
      expect(ci.lower).toBeCloseTo(lo, 4);
      expect(ci.upper).toBeCloseTo(hi, 4);
    });
  }
  it('example (a) has difference 0.2', () => {
    expect(56 / 70 - 48 / 80).toBeCloseTo(0.2, 12);
  });
});

describe('pooled two-proportion z-test', () => {
  it('240/800 vs 40/200: z = 2.8172, two-sided p = 2·(1 − Φ(z))', () => {
    const { z, pValue } = pooledZTest(240, 800, 40, 200);
    // pooled p = 0.28, se = sqrt(0.28·0.72·(1/800 + 1/200)) = 0.035496…
    expect(z).toBeCloseTo(0.1 / Math.sqrt(0.28 * 0.72 * (1 / 800 + 1 / 200)), 12);
    expect(pValue).toBeCloseTo(2 * (1 - normalCdf(z)), 12);
    expect(pValue).toBeCloseTo(0.0048447, 6);
  });
  it('60/100 vs 40/100: z = 2√2, p = erfc(2)', () => {
    // 60/100 vs 40/100: pooled 0.5, se = sqrt(0.5·0.5·0.02) = 0.0707…, z = 2.8284
    const { z, pValue } = pooledZTest(60, 100, 40, 100);
    expect(z).toBeCloseTo(2 * Math.SQRT2, 12);
    expect(pValue).toBeCloseTo(0.004677734981047266, 14); // erfc(2)
  });
  it('identical all-or-nothing arms give p = 1', () => {
    expect(pooledZTest(0, 10, 0, 10).pValue).toBe(1);
    expect(pooledZTest(10, 10, 5, 5).pValue).toBe(1);
  });
});

describe('sample-ratio check', () => {
  it('an exact 20/80 split for a 20% holdout has p = 1', () => {
    expect(srmPValue(200, 1000, 0.2)).toBe(1);
  });
  it('a 50/50 split for a 20% holdout is flagged (p far below 0.001)', () => {
    // chi2 = 300²/200 + 300²/800 = 562.5
    expect(srmPValue(500, 1000, 0.2)).toBe(chiSquare1Sf(562.5));
    expect(srmPValue(500, 1000, 0.2)).toBeLessThan(1e-100);
  });
  it('a 60/40 split of 100 for a 50% holdout: chi-square 4, p = 0.0455', () => {
    // 100 accounts, holdout 0.5: control 60 → chi2 = 10²/50 + 10²/50 = 4
    expect(srmPValue(60, 100, 0.5)).toBeCloseTo(chiSquare1Sf(4), 15);
    expect(srmPValue(60, 100, 0.5)).toBeCloseTo(0.0455003, 6);
  });
  it('0% and 100% holdouts accept only their one split', () => {
    expect(srmPValue(0, 10, 0)).toBe(1);
    expect(srmPValue(1, 10, 0)).toBe(0);
    expect(srmPValue(10, 10, 1)).toBe(1);
  });
});
