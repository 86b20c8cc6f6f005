/**
 * Per-minute forecasts for the trigger's horizon.
 *
 * `nowcast`: the day's expected arrivals per minute (from the interval forecast) rescaled by what the
 * last minutes showed.
 * - Level: the ratio observed / expected over the last 10 minutes, shrunk toward 1, applied only when it
 *   departs from the plan by more than Poisson noise (Anscombe z beyond 3, which holds its tail at the
 *   low counts of a quiet queue, where (o − e)/√e fires far too often). The shrinkage (`priorCalls`
 *   pseudo-calls of "today runs as planned") guards against crying wolf on a few calls, but in a queue
 *   expecting under a call a minute it caps the ratio near (observed + 8) / 8: 15 calls in 10 minutes
 *   against 0.6 expected read as 2.7× the plan, not 25×. So in a queue whose plan expects fewer calls over the
 *   window than the prior's pseudo-calls, when the last 10 minutes' count is one the plan cannot explain
 *   (Poisson upper tail under STRONG_EVIDENCE_P), the projection is at least the observed rate held flat;
 *   a drop is always shrunk (a feed reporting zeros must not read as a quiet day).
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
import { strongEvidence } from '../forecast/surge-evidence';

// The Poisson tail test is shared with the realtime forecast (one reading of "far beyond the plan").
export { STRONG_EVIDENCE_P, poissonUpperTail, strongEvidence } from '../forecast/surge-evidence';

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
const sums = (expected: number[], observed: ReadonlyArray<number | null>, from: number, to: number): [number, number, number] => {
  let e = 0;
  let o = 0;
  let minutes = 0;
  for (let k = Math.max(0, from); k < Math.min(expected.length, to); k++) {
    const v = observed[k];
    if (v === null || v === undefined) continue;
    e += expected[k];
    o += v;
    minutes++;
  }
  return [e, o, minutes];
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
  const [e10, o10, m10] = sums(input.expectedRecent, input.observedRecent, n - 10, n);
  // Calls arriving far beyond the plan (strongEvidence) are projected at least at their observed rate:
  // the shrunk ratio of a queue expecting under a call a minute stays near (observed + 8) / 8 whatever
  // arrives. Held flat rather than multiplied into the plan ahead (the ratio of a few calls to a tiny
  // expectation, applied to a plan that opens or rises, would project thousands of calls), but following
  // the plan down where it falls (closing time); while the trend test sees the surge fading, at the rate
  // of the last 5 minutes.
  const [, o5, m5] = sums(input.expectedRecent, input.observedRecent, n - 5, n);
  // Only where the prior outweighs the plan's own count (fewer than `prior` calls expected over the whole
  // window, at the planned rate of the minutes reported, so a gap in the feed does not change the regime):
  // in a busier queue the shrunk ratio is within a factor of two of the observed one, and the trend
  // (a rise carried forward, a fading surge projected lower) is what the projection follows there.
  const observedRate = m10 === 0 || (e10 / m10) * 10 >= prior || !strongEvidence(o10, e10) ? 0 : trend.slopePerMinute < 0 && m5 > 0 ? Math.min(o10 / m10, o5 / m5) : o10 / m10;
  const rawRatio = observedRate > 0 ? o10 / e10 : 0;
  let held = false;
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
    const shrunk = expectedAhead[h] * ratio;
    const observed = Math.min(observedRate, expectedAhead[h] * rawRatio);
    if (observed > shrunk) held = true;
    const mean = Math.max(shrunk, observed);
    const sd = Math.sqrt(mean + (expectedAhead[h] * ratioSd) ** 2);
    p50.push(mean);
    p10.push(Math.max(0, mean - 1.2816 * sd));
    p90.push(mean + 1.2816 * sd);
  }
  const trendSource = trend.slopePerMinute > 0 ? 'nowcast-rising' : trend.slopePerMinute < 0 ? 'nowcast-fading' : 'nowcast-level';
  const source = held ? `${trendSource}, at the observed ${Math.round(observedRate * 100) / 100} calls/min (far beyond the plan)` : trendSource;
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
