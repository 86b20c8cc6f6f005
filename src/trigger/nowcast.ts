/**
 * Per-minute forecasts for the trigger's horizon.
 *
 * `nowcast`: the day's expected arrivals per minute (from the interval forecast) rescaled by what the
 * last minutes showed: a level ratio shrunk toward 1, applied only when the
 * last 10 minutes depart from the plan by more than Poisson noise (z > 3), and a
 * trend when the last 5 minutes run clearly (Poisson z > 3.5) above the 10 before them — a surge that is
 * ramping up will be higher still by the time a called-out agent logs in. The trend is damped and capped.
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
  /** observed arrivals per minute for the same 15 minutes */
  observedRecent: number[];
  /** expected arrivals per minute for the horizon */
  expectedAhead: number[];
  /** pseudo-calls of prior belief that today runs as expected (default 8) */
  priorCalls?: number;
}

const sum = (values: number[], from: number, to: number) => {
  let s = 0;
  for (let k = Math.max(0, from); k < Math.min(values.length, to); k++) s += values[k];
  return s;
};

export function nowcast(input: NowcastInput): MinuteForecast {
  const { expectedRecent: e, observedRecent: o, expectedAhead } = input;
  const n = e.length;
  const prior = input.priorCalls ?? 8;
  const e10 = sum(e, n - 10, n);
  const o10 = sum(o, n - 10, n);
  // Ticks are many (1,440 a day per group) and overlap: a looser test would fire on noise most days; only a departure beyond
  // that rescales the plan (otherwise the projection would cry wolf on a normal day).
  const levelZ = (o10 - e10) / Math.sqrt(e10 + 1);
  const level = Math.abs(levelZ) > 3 ? (o10 + prior) / (e10 + prior) : 1;
  // Trend: last 5 minutes against the 10 before, each as a ratio to its expectation.
  const e5 = sum(e, n - 5, n);
  const o5 = sum(o, n - 5, n);
  const eOld = sum(e, n - 15, n - 5);
  const oOld = sum(o, n - 15, n - 5);
  const oldRatio = (oOld + prior) / (eOld + prior);
  const recentRatio = (o5 + prior / 2) / (e5 + prior / 2);
  const expectedAtOldRatio = e5 * oldRatio;
  const z = expectedAtOldRatio > 0 ? (o5 - expectedAtOldRatio) / Math.sqrt(expectedAtOldRatio + 1) : 0;
  // The ratio moved by (recent − old) over 7.5 minutes between the windows' centres.
  const slopePerMinute = z > 3.5 ? (recentRatio - oldRatio) / 7.5 : 0;
  const base = Math.max(level, z > 3.5 ? recentRatio : level);
  const p50: number[] = [];
  const p10: number[] = [];
  const p90: number[] = [];
  // Uncertainty of the ratio itself (Poisson on the calls it was measured on) plus Poisson arrivals.
  const ratioSd = Math.sqrt(Math.max(o10, 1)) / (e10 + prior);
  for (let h = 0; h < expectedAhead.length; h++) {
    const ahead = Math.min(h + 2.5, 20); // damped: a ramp does not go on for ever
    const ratio = Math.min(Math.max(0, base + slopePerMinute * ahead), 3 * Math.max(base, 1));
    const mean = expectedAhead[h] * ratio;
    const sd = Math.sqrt(mean + (expectedAhead[h] * ratioSd) ** 2);
    p50.push(mean);
    p10.push(Math.max(0, mean - 1.2816 * sd));
    p90.push(mean + 1.2816 * sd);
  }
  return { from: input.now, p10, p50, p90, source: slopePerMinute > 0 ? 'nowcast-trend' : 'nowcast-level' };
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
