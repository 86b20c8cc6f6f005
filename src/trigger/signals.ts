/**
 * Leading signals: counts the client posts with its realtime events that move before the calls do —
 * self-service or web sessions when a coupon breaks on a sale day, say. Calls follow such traffic a few
 * minutes later, so a jump in a signal is a surge the arrivals cannot show yet.
 *
 * Reading one signal (name → count per minute), from the minutes the realtime state holds:
 * - baseline: the median of the signal over the minutes before the last RECENT_MINUTES (a median, so
 *   the start of the jump itself, once it enters the window, does not lift it — up to half the window);
 * - jump: every one of the last RECENT_MINUTES at least MIN_RATIO × the baseline and, together, beyond
 *   Poisson noise (Anscombe z > SIGNAL_Z): one odd minute (a crawler, a retry storm) is not a surge;
 * - calls it implies: the calls per unit of signal on the baseline's quiet minutes (those within
 *   QUIET_RATIO of the median) × the signal now. Measured live, so no unit or conversion is configured,
 *   and a jump in the calls that came with the signal is not counted twice.
 * A jump the calls never follow (a marketing e-mail filling the website) is indistinguishable at the time.
 * So the trigger bets on half of it: it expects SIGNAL_CREDENCE × the implied calls in every coming minute
 * where the forecast says less (the calls may come any minute; agents called early wait at most the
 * signal's lead minus the login lead). A twentyfold jump still calls many agents at once; a threefold
 * one calls a few, after the confirmation ticks. bench:trigger counts the waves false alarms cause on a
 * normal day (on three seeds, full credence called 2–4 times the agent-hours there, in 1.7 waves a day
 * instead of 1.0; a credence of 0.3 kept a flash surge's abandons 10–20 points higher).
 */
import { MINUTE_MS } from '../time/grid';
import { poissonZ } from './nowcast';
import type { MinuteForecast, RealtimeState } from './types';
import { ownValue } from '../domain/records';

/** the minutes a jump must hold (exported: the service lets signals run this far ahead of the counts) */
export const RECENT_MINUTES = 2;
const MIN_BASELINE_MINUTES = 8;
const MIN_RATIO = 1.5;
const QUIET_RATIO = 1.5;
const SIGNAL_Z = 4;
/** the share of the implied calls expected (most jumps in web traffic are followed by calls, not all) */
const SIGNAL_CREDENCE = 0.5;
/** the optimistic (p10) forecast expects half of that: only a jump that big skips confirmation */
const OPTIMISTIC_SHARE = 0.5;

export interface SignalReading {
  name: string;
  /** the signal's median per minute before the last minutes */
  baseline: number;
  /** the last minutes' mean over the baseline */
  ratio: number;
  z: number;
  /** calls per unit of signal on the quiet baseline minutes */
  callsPerUnit: number;
  /** arrivals per minute the signal implies now */
  impliedPerMinute: number;
  /** the jump passes the tests */
  jump: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Every signal the state carries, read at `now` (only minutes before now count). */
export function readSignals(realtime: RealtimeState, now: number): SignalReading[] {
  const names = new Set<string>();
  for (const m of realtime.minutes) for (const name of Object.keys(m.signals ?? {})) names.add(name);
  const readings: SignalReading[] = [];
  for (const name of [...names].sort()) {
    const rows = realtime.minutes.filter((m) => m.minute < now && ownValue(m.signals, name) !== undefined);
    if (rows.length < MIN_BASELINE_MINUTES + RECENT_MINUTES) continue;
    const recent = rows.slice(-RECENT_MINUTES).map((m) => m.signals![name]);
    const before = rows.slice(0, -RECENT_MINUTES);
    const baseline = median(before.map((m) => m.signals![name]));
    if (!(baseline > 0)) continue;
    const quiet = before.filter((m) => m.signals![name] <= QUIET_RATIO * baseline);
    const quietSignal = quiet.reduce((a, m) => a + m.signals![name], 0);
    const quietCalls = quiet.reduce((a, m) => a + m.arrivals, 0);
    const recentSum = recent.reduce((a, v) => a + v, 0);
    const ratio = recentSum / RECENT_MINUTES / baseline;
    const z = poissonZ(recentSum, RECENT_MINUTES * baseline);
    const callsPerUnit = quietSignal > 0 ? quietCalls / quietSignal : 0;
    readings.push({
      name, baseline, ratio, z, callsPerUnit,
      impliedPerMinute: (callsPerUnit * recentSum) / RECENT_MINUTES,
      jump: z > SIGNAL_Z && recent.every((v) => v >= MIN_RATIO * baseline),
    });
  }
  return readings;
}

/**
 * The forecast raised to what a jumping leading signal implies (the strongest one when several jump);
 * the same object when no signal jumps.
 */
export function withLeadingSignals(forecast: MinuteForecast, realtime: RealtimeState, now: number): MinuteForecast {
  const jumps = readSignals(realtime, now).filter((r) => r.jump && r.impliedPerMinute > 0);
  if (jumps.length === 0) return forecast;
  const strongest = jumps.reduce((a, b) => (b.impliedPerMinute > a.impliedPerMinute ? b : a));
  const expected = strongest.impliedPerMinute * SIGNAL_CREDENCE;
  const offset = Math.max(0, Math.round((now - forecast.from) / MINUTE_MS));
  const raise = (series: number[], level: number) => series.map((v, i) => (i >= offset ? Math.max(v, level) : v));
  const p10 = raise(forecast.p10, expected * OPTIMISTIC_SHARE);
  return {
    from: forecast.from,
    // the last minutes held flat stay what they were where the signal raises not even the optimistic
    // series: a breach there is the flat rate's, and still waits for its confirming ticks
    ...(forecast.heldFlat && p10.every((v, i) => v === forecast.p10[i]) ? { heldFlat: true } : {}),
    p10,
    p50: raise(forecast.p50, expected),
    p90: raise(forecast.p90, strongest.impliedPerMinute),
    source: `${forecast.source}; leading signal ${strongest.name} ×${strongest.ratio.toFixed(1)} implies ${strongest.impliedPerMinute.toFixed(1)} calls/min, ${expected.toFixed(1)} expected`,
  };
}
