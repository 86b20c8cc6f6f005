/**
 * Intraday profiles: for each weekday, the share of the day's volume that falls in each open interval.
 *
 * A profile from the last four same weekdays alone is noisy (each interval is a small Poisson count,
 * and call-center counts are over-dispersed on top of that). Three things lower that noise without
 * assuming anything about the center:
 * - recency weights over up to a dozen same weekdays (profiles drift slowly with the seasons);
 * - pooling with the weekdays that the data shows to be alike (a bank's Sunday–Thursday, a retailer's
 *   Monday–Friday): another weekday is pooled only when its profile is no further from this weekday's
 *   than this weekday's own days are from each other, and its day volume is comparable;
 * - a light Gaussian smoothing across neighbouring open intervals (a bandwidth in minutes, so 5-, 15-
 *   and 30-minute data are smoothed alike).
 * Each day's share in an interval is clipped to a robust range first, so one surge (a real 10× half
 * hour) moves the profile by no more than an ordinary busy day would.
 */
import type { DaySeries } from './day-series';
import { median, robustSpread } from './stats';

export interface ProfileOptions {
  /** a same-weekday day's weight halves every this many such days back */
  halfLifeDays: number;
  /** at most this many days of each weekday are used */
  maxDays: number;
  /** the pooled profile of alike weekdays counts as this many days of evidence */
  poolWeight: number;
  /** recency half-life (days) of the pooled days */
  poolHalfLifeDays: number;
  /** standard deviation of the smoothing kernel, in minutes (0 = none) */
  smoothingMinutes: number;
}

export const DEFAULT_PROFILE_OPTIONS: ProfileOptions = { halfLifeDays: 3, maxDays: 12, poolWeight: 5, poolHalfLifeDays: 15, smoothingMinutes: 15 };

/** Days whose values reflect an ordinary day (complete, not a holiday): the caller decides. */
export type UsableDay = (day: number) => boolean;

/** Each open slot's share of the day, robustly combined over `days` with weights. */
function combineShares(history: DaySeries, days: number[], weights: number[], open: boolean[], totals: number[]): number[] {
  const slots = history.slotsPerDay;
  const out = new Array<number>(slots).fill(0);
  if (days.length === 0) return out;
  const weightSum = weights.reduce((a, b) => a + b, 0);
  for (let s = 0; s < slots; s++) {
    if (!open[s]) continue;
    const shares = days.map((d) => (totals[d] > 0 && Number.isFinite(history.values[d][s]) ? history.values[d][s] / totals[d] : 0));
    const center = median(shares);
    const spread = robustSpread(shares, center);
    // Poisson spread of a share at a typical day's volume: the floor for the clipping range.
    const typicalTotal = median(days.map((d) => totals[d]));
    const poissonSpread = typicalTotal > 0 ? Math.sqrt(Math.max(center, 0) / typicalTotal) : 0;
    const limit = 3 * Math.max(spread, poissonSpread);
    let acc = 0;
    shares.forEach((v, i) => (acc += weights[i] * Math.min(center + limit, Math.max(center - limit, v))));
    out[s] = acc / weightSum;
  }
  return out;
}

function normalise(shares: number[], open: boolean[]): number[] {
  const masked = shares.map((v, s) => (open[s] && v > 0 ? v : 0));
  const total = masked.reduce((a, b) => a + b, 0);
  return total > 0 ? masked.map((v) => v / total) : masked;
}

/** Half the L1 distance between two share vectors (0 = identical, 1 = disjoint). */
function totalVariation(a: number[], b: number[]): number {
  let d = 0;
  for (let s = 0; s < a.length; s++) d += Math.abs(a[s] - b[s]);
  return d / 2;
}

function smooth(shares: number[], open: boolean[], intervalMinutes: number, sigmaMinutes: number): number[] {
  if (sigmaMinutes <= 0) return shares;
  const reach = Math.max(1, Math.ceil((3 * sigmaMinutes) / intervalMinutes));
  const kernel = Array.from({ length: reach + 1 }, (_, k) => Math.exp(-0.5 * ((k * intervalMinutes) / sigmaMinutes) ** 2));
  return shares.map((_, s) => {
    if (!open[s]) return 0;
    let acc = 0;
    let weight = 0;
    for (let k = -reach; k <= reach; k++) {
      const t = s + k;
      if (t < 0 || t >= shares.length || !open[t]) continue;
      acc += kernel[Math.abs(k)] * shares[t];
      weight += kernel[Math.abs(k)];
    }
    return weight > 0 ? acc / weight : shares[s];
  });
}

/** Per ISO weekday (index weekday-1): shares over the day's slots, summing to 1 over open slots (0 closed). */
export function intradayProfiles(history: DaySeries, usable: UsableDay, totals: number[], options: ProfileOptions = DEFAULT_PROFILE_OPTIONS): number[][] {
  const byWeekday: number[][] = Array.from({ length: 7 }, () => []);
  for (let d = history.dates.length - 1; d >= 0; d--) {
    const w = history.weekdays[d] - 1;
    if (usable(d) && totals[d] > 0 && byWeekday[w].length < options.maxDays) byWeekday[w].push(d);
  }
  const recencyWeights = (days: number[], halfLife: number) => days.map((_, i) => Math.pow(0.5, i / halfLife));
  const own = byWeekday.map((days, w) => normalise(combineShares(history, days, recencyWeights(days, options.halfLifeDays), history.open[w], totals), history.open[w]));

  // What "alike" means is measured on this weekday's own days: the distance between the profiles of
  // its odd and its even recent days is the noise a comparison has to allow.
  const selfDistance = byWeekday.map((days, w) => {
    if (days.length < 4) return NaN;
    const odd = days.filter((_, i) => i % 2 === 1);
    const even = days.filter((_, i) => i % 2 === 0);
    const open = history.open[w];
    return totalVariation(normalise(combineShares(history, odd, odd.map(() => 1), open, totals), open), normalise(combineShares(history, even, even.map(() => 1), open, totals), open));
  });
  const typicalVolume = byWeekday.map((days) => median(days.map((d) => totals[d])));

  return own.map((profile, w) => {
    const open = history.open[w];
    if (!open.some(Boolean) || byWeekday[w].length === 0) return profile;
    const alike = [0, 1, 2, 3, 4, 5, 6].filter((v) => {
      if (v === w || byWeekday[v].length === 0 || !(selfDistance[w] > 0)) return false;
      const ratio = typicalVolume[v] / typicalVolume[w];
      return ratio > 0.5 && ratio < 2 && totalVariation(own[v], profile) <= selfDistance[w];
    });
    const ownWeight = recencyWeights(byWeekday[w], options.halfLifeDays).reduce((a, b) => a + b, 0);
    let combined = profile;
    if (alike.length > 0) {
      const pooledDays = [w, ...alike].flatMap((v) => byWeekday[v]).sort((a, b) => b - a);
      const last = pooledDays[0];
      const pooled = normalise(combineShares(history, pooledDays, pooledDays.map((d) => Math.pow(0.5, (last - d) / options.poolHalfLifeDays)), open, totals), open);
      combined = profile.map((v, s) => (ownWeight * v + options.poolWeight * pooled[s]) / (ownWeight + options.poolWeight));
    }
    return normalise(smooth(combined, open, history.intervalMinutes, options.smoothingMinutes), open);
  });
}
