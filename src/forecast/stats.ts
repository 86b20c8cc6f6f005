/** Small robust statistics used by the forecasters (NaN entries are ignored everywhere). */

export function finite(values: number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

export function median(values: number[]): number {
  const xs = finite(values).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Mean after dropping the largest and smallest value (when at least 4 remain): one surge cannot dominate. */
export function trimmedMean(values: number[]): number {
  const xs = finite(values).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const kept = xs.length >= 4 ? xs.slice(1, -1) : xs;
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

export function mean(values: number[]): number {
  const xs = finite(values);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample variance (n − 1); NaN below two values. */
export function variance(values: number[]): number {
  const xs = finite(values);
  if (xs.length < 2) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
}

/**
 * Robust standard deviation: the median absolute deviation from `center` (default the median), scaled
 * by 1.4826 to match σ under normality; one outlier day or surge interval barely moves it.
 */
export function robustSpread(values: number[], center = median(values)): number {
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
}

/** Empirical quantile with linear interpolation, q in [0, 1]. */
export function quantile(values: number[], q: number): number {
  const xs = finite(values).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

export function sum(values: number[]): number {
  let total = 0;
  for (const v of values) if (Number.isFinite(v)) total += v;
  return total;
}

/** Deterministic RNG for shuffling training data; the seed is always passed in. */
export { mulberry32 as seededRng } from '../domain/seeded-random';

/**
 * The median of a Poisson count with this mean: the p50 of a forecast that is judged by absolute
 * error (WAPE) should be a median, not a mean, and for quiet intervals (a mean of 0.6 calls) the two
 * differ a lot (the median is 0). Above a few dozen the median is the mean less a third.
 */
export function poissonMedian(mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 50) return mean - 1 / 3;
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  while (cumulative < 0.5) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}
