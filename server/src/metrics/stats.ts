/**
 * The statistics behind holdout lift: normal tail probabilities, Wilson score
 * intervals, Newcombe's hybrid score interval for a difference of proportions,
 * the pooled two-proportion z-test and the 1-df chi-square tail.
 * Pure functions on plain numbers; no dependencies.
 */

/** Two-sided 95% normal quantile, Φ⁻¹(0.975). */
export const Z95 = 1.959963984540054;

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Complementary error function, accurate to a few units in the last place.
 * Below 2 a series with only positive terms (no cancellation) gives erf;
 * from 2 up a continued fraction (modified Lentz) gives erfc directly, so the
 * far tail keeps its relative precision.
 * @example erfc(1) // 0.15729920705028513
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) return 1 - erfSeries(x);
  if (x > 27) return 0; // below the smallest double
  return (Math.exp(-x * x) / SQRT_PI) * continuedFraction(x);
}

/** erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)); every term is positive. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return ((2 / SQRT_PI) * Math.exp(-x2)) * sum;
}

/** 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) by the modified Lentz method. */
function continuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}

/**
 * Standard normal CDF Φ(z).
 * @example normalCdf(1.959963984540054) // 0.975
 */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Upper tail of the chi-square distribution with one degree of freedom.
 * @example chiSquare1Sf(3.841458820694124) // 0.05
 */
export function chiSquare1Sf(x: number): number {
  if (!(x > 0)) return 1;
  return erfc(Math.sqrt(x / 2));
}

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Wilson score interval for x successes out of n (no continuity correction).
 * @example wilson(81, 263) // { lower: 0.2553…, upper: 0.3662… }
 */
export function wilson(x: number, n: number, z: number = Z95): Interval {
  if (!(n > 0)) throw new RangeError(`wilson needs n > 0, got ${n}`);
  if (!(x >= 0 && x <= n)) throw new RangeError(`wilson needs 0 ≤ x ≤ n, got x=${x}, n=${n}`);
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp only the floating-point noise at the ends (x = 0 or x = n).
  return {
    lower: x === 0 ? 0 : Math.max(0, (centre - half) / denom),
    upper: x === n ? 1 : Math.min(1, (centre + half) / denom),
  };
}

/**
 * Newcombe's hybrid score interval (1998, method 10) for p₁ − p₂, built from
 * the two Wilson intervals.
 * @example newcombeHybrid(56, 70, 48, 80) // { lower: 0.0524…, upper: 0.3339… }
 */
export function newcombeHybrid(x1: number, n1: number, x2: number, n2: number, z: number = Z95): Interval {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1, z);
  const b = wilson(x2, n2, z);
  const d = p1 - p2;
  return {
    lower: d - Math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2),
    upper: d + Math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2),
  };
}

/**
 * Two-sided p-value of the pooled two-proportion z-test of p₁ = p₂.
 * When every account or none attached in both arms the arms cannot differ: 1.
 * @example pooledZTest(240, 800, 40, 200).pValue // 0.00484…
 */
export function pooledZTest(x1: number, n1: number, x2: number, n2: number): { z: number; pValue: number } {
  if (!(n1 > 0 && n2 > 0)) throw new RangeError(`pooledZTest needs both n > 0, got n1=${n1}, n2=${n2}`);
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, pValue: erfc(Math.abs(z) / Math.SQRT2) };
}

/**
 * Sample-ratio check: chi-square (1 df) of the observed control count against
 * the configured control share.
 * @example srmPValue(500, 1000, 0.2) // ≈ 1e-120: a 50/50 split is not a 20% holdout
 */
export function srmPValue(control: number, total: number, expectedControlShare: number): number {
  if (!(total > 0)) throw new RangeError(`srmPValue needs total > 0, got ${total}`);
  const h = expectedControlShare;
  // A 0% or 100% holdout admits exactly one split.
  if (h <= 0) return control === 0 ? 1 : 0;
  if (h >= 1) return control === total ? 1 : 0;
  const ec = total * h;
  const et = total - ec;
  const treatment = total - control;
  const chi2 = (control - ec) ** 2 / ec + (treatment - et) ** 2 / et;
  return chiSquare1Sf(chi2);
}
