/**
 * Accuracy figures of a forecast against what happened, over open intervals with known actuals only:
 * WAPE (Σ|y−ŷ| / Σy), MASE (MAE over the in-sample MAE of the weekly naive forecast), bias
 * (Σ(ŷ−y) / Σy, positive = over-forecast) and the share of actuals inside the p10–p90 band.
 */
import { mean, variance } from './stats';

export interface ForecastMetrics {
  wape: number;
  mase: number;
  bias: number;
  /** share of actuals with p10 ≤ y ≤ p90; NaN when the forecast had no band */
  coverage: number;
  /** scored intervals */
  n: number;
  actualTotal: number;
}

export interface ScoredPoint {
  actual: number;
  p50: number;
  p10?: number;
  p90?: number;
}

export function scorePoints(points: ScoredPoint[], maseScale: number): ForecastMetrics {
  let absError = 0;
  let signedError = 0;
  let actualTotal = 0;
  let inside = 0;
  let banded = 0;
  let n = 0;
  for (const p of points) {
    if (!Number.isFinite(p.actual) || !Number.isFinite(p.p50)) continue;
    n++;
    absError += Math.abs(p.actual - p.p50);
    signedError += p.p50 - p.actual;
    actualTotal += p.actual;
    if (p.p10 !== undefined && p.p90 !== undefined) {
      banded++;
      if (p.actual >= p.p10 - 1e-9 && p.actual <= p.p90 + 1e-9) inside++;
    }
  }
  return {
    wape: actualTotal > 0 ? absError / actualTotal : NaN,
    mase: n > 0 && maseScale > 0 ? absError / n / maseScale : NaN,
    bias: actualTotal > 0 ? signedError / actualTotal : NaN,
    coverage: banded > 0 ? inside / banded : NaN,
    n,
    actualTotal,
  };
}

/**
 * MASE's scale: the mean absolute difference between each open interval and the same interval one week
 * earlier — or, with `span`, between the totals of `span` intervals from it (the realtime forecast's
 * next 30 minutes are several 5- or 15-minute intervals, and its errors are on their total).
 */
export function weeklyNaiveScale(values: number[][], isOpen: (day: number, slot: number) => boolean, span = 1): number {
  let total = 0;
  let n = 0;
  for (let d = 7; d < values.length; d++) {
    for (let s = 0; s < values[d].length; s++) {
      if (!isOpen(d, s)) continue;
      // The quantity forecast from slot s: the next `span` intervals' total (open ones), as scored.
      let a = 0;
      let b = 0;
      for (let j = 0; j < span && s + j < values[d].length; j++) {
        if (!isOpen(d, s + j)) continue;
        a += values[d][s + j];
        b += values[d - 7][s + j];
      }
      if (Number.isFinite(a) && Number.isFinite(b)) {
        total += Math.abs(a - b);
        n++;
      }
    }
  }
  return n ? total / n : NaN;
}

/** A scored point tagged with the unit its errors are correlated within (one forecast day). */
export interface GroupedPoint extends ScoredPoint {
  group: string;
}

/** How many standard errors better a challenger must be before it replaces the preferred model. */
const SELECTION_Z = 2;

/**
 * Picks the live model from validation points of every candidate (same points, same order): the
 * preferred model (the one expected to be best from how it is built) stays unless another candidate's
 * absolute error is lower by more than SELECTION_Z standard errors of the paired difference, with
 * days as the units (errors within a day move together). A few validation weeks are a noisy judge:
 * picking the lowest WAPE outright would often pick a baseline by luck and lose out of sample.
 * Among the challengers that pass, the lowest WAPE wins.
 *
 * The product's promise comes last and is absolute: the live model is never worse on validation than
 * the naive baselines (`floor`). If the pick is, the candidate with the lowest validation WAPE goes
 * live instead (at worst the best naive baseline itself).
 */
export function selectLive<A extends string>(candidates: Partial<Record<A, GroupedPoint[]>>, preferred: A, floor: A[] = []): A {
  const base = candidates[preferred];
  if (!base || base.length === 0) return preferred;
  let live = preferred;
  let liveWape = scorePoints(base, 1).wape;
  for (const [alias, points] of Object.entries(candidates) as Array<[A, GroupedPoint[]]>) {
    if (alias === preferred || points.length !== base.length) continue;
    const wape = scorePoints(points, 1).wape;
    if (!(wape < liveWape) || !significantlyBetter(base, points)) continue;
    live = alias;
    liveWape = wape;
  }
  const best = (aliases: A[]): { alias: A | null; wape: number } => {
    let pick: { alias: A | null; wape: number } = { alias: null, wape: Infinity };
    for (const alias of aliases) {
      const points = candidates[alias];
      if (!points || points.length !== base.length) continue;
      const wape = scorePoints(points, 1).wape;
      if (wape < pick.wape) pick = { alias, wape };
    }
    return pick;
  };
  const bestFloor = best(floor);
  if (bestFloor.alias === null || !(bestFloor.wape < liveWape)) return live;
  // The pick lost to a naive baseline on validation: the candidate that did best there goes live. It
  // is a naive baseline only when nothing beat it (a combination or smoothing that did is the better
  // bet out of sample: a naive baseline's validation win on a few weeks is mostly luck).
  return best(Object.keys(candidates) as A[]).alias ?? bestFloor.alias;
}

function significantlyBetter(reference: GroupedPoint[], challenger: GroupedPoint[]): boolean {
  const byGroup = new Map<string, number>();
  reference.forEach((r, i) => {
    const c = challenger[i];
    if (!Number.isFinite(r.actual) || !Number.isFinite(r.p50) || !Number.isFinite(c.p50)) return;
    byGroup.set(r.group, (byGroup.get(r.group) ?? 0) + Math.abs(r.actual - r.p50) - Math.abs(r.actual - c.p50));
  });
  const gains = [...byGroup.values()];
  if (gains.length < 2) return false;
  return mean(gains) > SELECTION_Z * Math.sqrt(variance(gains) / gains.length);
}
