/**
 * Per-minute forecasts for the trigger's horizon.
 *
 * `nowcast`: the day's expected arrivals per minute (from the interval forecast) rescaled by what the
 * last minutes showed.
 * - Level: the ratio observed / expected over the last 10 minutes, shrunk toward 1, applied only when it
 *   departs from the plan by more than Poisson noise (Anscombe z beyond 3, which holds its tail at the
 *   low counts of a quiet queue, where (o − e)/√e fires far too often).
 * - Trend: the ratio of the last 5 minutes against the 10 before, tested as a difference of two noisy
 *   ratios (both windows' Poisson variance; testing the recent window alone fires on every lucky
 *   minute of a long surge plateau and calls dozens of agents for nothing). Ticks are many (1,440 a day
 *   per group) and overlap, hence |z| > 3.5. A rising trend is carried forward over the login lead at
 *   most, and never beyond one more step of the change already seen (a step change such as a fault is
 *   not a ramp that goes on rising); a falling one (the surge fading) lowers the projection toward the
 *   plan, so a wave stops topping up instead of calling agents who would arrive after it.
 *
 * `minuteForecastFromSlots`: spreads an interval forecast (e.g. forecastRealtimeSlots of
 * src/forecast/realtime.ts) evenly over the minutes of each interval.
 */
import { MINUTE_MS } from '../time/grid';
import type { MinuteForecast } from './types';

export interface NowcastInput {
  /** first forecast minute (now), epoch ms */
  now: number;
  /** expected arrivals per minute for the 15 minutes before now, oldest first */
  expectedRecent: number[];
  /**
   * observed arrivals per minute for the same 15 minutes; null = not reported (left out of the
   * comparison with its expected minute, so a gap in the feed is not read as minutes of no calls)
   */
  observedRecent: ReadonlyArray<number | null>;
  /** expected arrivals per minute for the horizon */
  expectedAhead: number[];
  /** pseudo-calls of prior belief that today runs as expected (default 8) */
  priorCalls?: number;
  /** how far ahead a trend is carried, minutes (default 15: the callout login lead) */
  trendMinutes?: number;
}

const LEVEL_Z = 3;
const TREND_Z = 3.5;

/**
 * Expected and observed calls over the minutes [from, to) that were reported: a minute the feed did not
 * report counts on neither side, so the ratio is the rate over the minutes reported.
 */
const sums = (expected: number[], observed: ReadonlyArray<number | null>, from: number, to: number): [number, number] => {
  let e = 0;
  let o = 0;
  for (let k = Math.max(0, from); k < Math.min(expected.length, to); k++) {
    const v = observed[k];
    if (v === null || v === undefined) continue;
    e += expected[k];
    o += v;
  }
  return [e, o];
};

/** Variance-stabilised distance between an observed Poisson count and its expectation (Anscombe). */
export function poissonZ(observed: number, expected: number): number {
  return 2 * (Math.sqrt(observed + 3 / 8) - Math.sqrt(expected + 3 / 8));
}

export interface RatioTrend {
  /** observed / expected now (the recent ratio when trending, else the tested level) */
  base: number;
  /** change of the ratio per minute (0 unless the trend test passes) */
  slopePerMinute: number;
  /** the ratio the trend may reach at most (rising) or at least (falling) */
  bound: number;
  levelZ: number;
  trendZ: number;
}

export function ratioTrend(expectedRecent: number[], observedRecent: ReadonlyArray<number | null>, priorCalls = 8): RatioTrend {
  const e = expectedRecent;
  const o = observedRecent;
  const n = e.length;
  const prior = priorCalls;
  const [e10, o10] = sums(e, o, n - 10, n);
  const levelZ = poissonZ(o10, e10);
  const level = Math.abs(levelZ) > LEVEL_Z ? (o10 + prior) / (e10 + prior) : 1;
  const [e5, o5] = sums(e, o, n - 5, n);
  const [eOld, oOld] = sums(e, o, n - 15, n - 5);
  const oldRatio = (oOld + prior) / (eOld + prior);
  const recentRatio = (o5 + prior / 2) / (e5 + prior / 2);
  const variance = (o5 + 1) / (e5 + prior / 2) ** 2 + (oOld + 1) / (eOld + prior) ** 2;
  const trendZ = (recentRatio - oldRatio) / Math.sqrt(variance);
  if (Math.abs(trendZ) <= TREND_Z) return { base: level, slopePerMinute: 0, bound: level, levelZ, trendZ };
  const change = recentRatio - oldRatio;
  // The windows' centres are 7.5 minutes apart.
  return { base: recentRatio, slopePerMinute: change / 7.5, bound: Math.max(Math.min(1, recentRatio), recentRatio + change), levelZ, trendZ };
}

export function nowcast(input: NowcastInput): MinuteForecast {
  const { expectedAhead } = input;
  const prior = input.priorCalls ?? 8;
  const trendMinutes = input.trendMinutes ?? 15;
  const trend = ratioTrend(input.expectedRecent, input.observedRecent, prior);
  const n = input.expectedRecent.length;
  const [e10, o10] = sums(input.expectedRecent, input.observedRecent, n - 10, n);
  const p50: number[] = [];
  const p10: number[] = [];
  const p90: number[] = [];
  // Uncertainty of the ratio itself (Poisson on the calls it was measured on) plus Poisson arrivals.
  const ratioSd = Math.sqrt(Math.max(o10, 1)) / (e10 + prior);
  const lo = Math.min(trend.base, trend.bound);
  const hi = Math.max(trend.base, trend.bound);
  for (let h = 0; h < expectedAhead.length; h++) {
    const ahead = Math.min(h + 2.5, trendMinutes);
    const ratio = Math.max(0, Math.min(hi, Math.max(lo, trend.base + trend.slopePerMinute * ahead)));
    const mean = expectedAhead[h] * ratio;
    const sd = Math.sqrt(mean + (expectedAhead[h] * ratioSd) ** 2);
    p50.push(mean);
    p10.push(Math.max(0, mean - 1.2816 * sd));
    p90.push(mean + 1.2816 * sd);
  }
  const source = trend.slopePerMinute > 0 ? 'nowcast-rising' : trend.slopePerMinute < 0 ? 'nowcast-fading' : 'nowcast-level';
  return { from: input.now, p10, p50, p90, source };
}

export interface SlotForecastLike {
  /** interval start, epoch ms */
  start: number;
  minutes: number;
  p10: number;
  p50: number;
  p90: number;
}

export function minuteForecastFromSlots(slots: SlotForecastLike[], now: number, horizonMinutes: number, source: string): MinuteForecast {
  const p10 = new Array<number>(horizonMinutes).fill(0);
  const p50 = new Array<number>(horizonMinutes).fill(0);
  const p90 = new Array<number>(horizonMinutes).fill(0);
  for (const s of slots) {
    for (let m = 0; m < s.minutes; m++) {
      const k = Math.round((s.start + m * MINUTE_MS - now) / MINUTE_MS);
      if (k < 0 || k >= horizonMinutes) continue;
      p10[k] += s.p10 / s.minutes;
      p50[k] += s.p50 / s.minutes;
      p90[k] += s.p90 / s.minutes;
    }
  }
  return { from: now, p10, p50, p90, source };
}
