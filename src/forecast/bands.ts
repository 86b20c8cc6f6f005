/**
 * Prediction intervals from empirical backtest residuals. A residual is standardised by the Poisson
 * scale sqrt(p50 + 1) and its 10 % / 90 % quantiles are taken separately per volume bucket (quiet,
 * middle, busy intervals), because over-dispersion grows with volume. Calibrated this way the p10–p90
 * band covers about 80 % of actuals on the validation windows by construction.
 *
 * A symmetric calibration takes the 80 % quantile of |residual| instead, so the band is centred on the
 * forecast. The two-week horizon needs it: its calibration windows are few and each shares one level
 * error over two weeks, so whether the sample ran above or below the forecast is an accident of those
 * weeks (after a quiet spell every residual is negative, and the asymmetric quantiles would put the
 * p90 at the p50). The size of those errors is the evidence; their sign is not.
 */
import { quantile } from './stats';

export interface BandCalibration {
  /** upper p50 bound of each bucket but the last */
  edges: number[];
  q10: number[];
  q90: number[];
}

const scale = (p50: number) => Math.sqrt(Math.max(p50, 0) + 1);

export interface CalibrationOptions {
  /** centre the band on the forecast: ± the 80 % quantile of |standardised residual| */
  symmetric?: boolean;
}

export function calibrateBands(pairs: Array<{ actual: number; p50: number }>, options: CalibrationOptions = {}): BandCalibration {
  const usable = pairs.filter((p) => Number.isFinite(p.actual) && Number.isFinite(p.p50));
  if (usable.length < 30) {
    // Too few residuals to learn from: a Poisson band (±1.28 σ) is the honest default.
    return { edges: [], q10: [-1.28], q90: [1.28] };
  }
  const sorted = usable.map((p) => p.p50).sort((a, b) => a - b);
  const buckets = usable.length >= 300 ? 3 : 1;
  const edges = Array.from({ length: buckets - 1 }, (_, i) => sorted[Math.floor((sorted.length * (i + 1)) / buckets)]);
  const q10: number[] = [];
  const q90: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const z = usable.filter((p) => bucketOf(edges, p.p50) === b).map((p) => (p.actual - p.p50) / scale(p.p50));
    const halfWidth = options.symmetric ? quantile(z.map(Math.abs), 0.8) : NaN;
    q10.push(options.symmetric ? -halfWidth : quantile(z, 0.1));
    q90.push(options.symmetric ? halfWidth : quantile(z, 0.9));
  }
  // A bucket no residual fell in (a history of one volume puts every forecast in the first: the edges
  // are that volume) takes its nearest bucket's quantiles: a day forecast above every calibrated one (a
  // declared sale) had a NaN band.
  for (const q of [q10, q90]) {
    for (let b = 0; b < q.length; b++) {
      if (Number.isFinite(q[b])) continue;
      const nearest = [...q.keys()].filter((i) => Number.isFinite(q[i])).sort((i, j) => Math.abs(i - b) - Math.abs(j - b))[0];
      q[b] = nearest === undefined ? (q === q10 ? -1.28 : 1.28) : q[nearest];
    }
  }
  return { edges, q10, q90 };
}

function bucketOf(edges: number[], p50: number): number {
  let b = 0;
  while (b < edges.length && p50 > edges[b]) b++;
  return b;
}

export function applyBand(calibration: BandCalibration, p50: number): { p10: number; p90: number } {
  const b = bucketOf(calibration.edges, p50);
  const s = scale(p50);
  const p10 = Math.max(0, Math.min(p50, p50 + calibration.q10[b] * s));
  const p90 = Math.max(p50, p50 + calibration.q90[b] * s);
  return { p10, p90 };
}

/**
 * How uncertain a planner's declared uplift is taken to be: its own 80 % range is uplift^(1 ± 0.25) —
 * a sale declared ×4 (+300 %) may bring ×2.8 to ×5.7, one declared ×1.2 ×1.15 to ×1.25. A guess of the
 * day's size is only as good as the last campaign was like this one, and the larger the declared
 * effect, the larger its error in proportion.
 */
export const UPLIFT_LOG_SPREAD = 0.25;

/**
 * The band of a day with a declared uplift: the calibrated band (the model's errors on ordinary days,
 * scaling with √p50, so a ×4 day came out ±14 % against ±29 % on an ordinary one) widened by the
 * uplift's own uncertainty, the two added as independent errors (in quadrature). p10 ≤ p50 ≤ p90 holds.
 */
export function widenForUplift(band: { p10: number; p90: number }, p50: number, uplift: number): { p10: number; p90: number } {
  const spread = UPLIFT_LOG_SPREAD * Math.abs(Math.log(uplift));
  if (!(spread > 0) || !(p50 > 0)) return band;
  const below = p50 * (1 - Math.exp(-spread));
  const above = p50 * (Math.exp(spread) - 1);
  return {
    p10: Math.max(0, p50 - Math.hypot(p50 - band.p10, below)),
    p90: p50 + Math.hypot(band.p90 - p50, above),
  };
}
