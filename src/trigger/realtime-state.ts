/**
 * Folding realtime events into a group's state. A minute's counts are REPLACED, not added, when the same
 * minute is posted again: an ingest client that retries a batch must not double the arrivals.
 */
import { invalid, type ProblemDetail } from '../errors/wfm-error';
import { MINUTE_MS } from '../time/grid';
import type { MinuteCounts, RealtimeEvent, RealtimeState } from './types';

export function emptyRealtimeState(skillGroupId: string): RealtimeState {
  return { skillGroupId, minutes: [], gauges: { at: 0, queueLength: 0, agentsLoggedIn: 0, agentsAvailable: 0, oldestWaitSeconds: 0 } };
}

const COUNT_FIELDS = ['arrivals', 'handled', 'abandoned', 'queueLength', 'agentsLoggedIn', 'agentsAvailable', 'oldestWaitSeconds'] as const;

/** Checks a batch; every problem is named by its position. */
export function validateEvents(events: RealtimeEvent[]): void {
  const problems: ProblemDetail[] = [];
  events.forEach((e, i) => {
    if (typeof e.skillGroupId !== 'string' || e.skillGroupId === '') problems.push({ where: `/${i}/skillGroupId`, message: 'required' });
    if (!Number.isInteger(e.minute) || e.minute % MINUTE_MS !== 0) problems.push({ where: `/${i}/minute`, message: 'must be an epoch-ms minute start' });
    for (const field of COUNT_FIELDS) {
      const v = e[field];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) problems.push({ where: `/${i}/${field}`, message: 'must be a number ≥ 0' });
    }
    for (const [name, v] of Object.entries(e.signals ?? {})) {
      if (!(Number.isFinite(v) && v >= 0)) problems.push({ where: `/${i}/signals/${name}`, message: 'must be a number ≥ 0' });
    }
  });
  if (problems.length > 0) throw invalid(`invalid realtime events: ${problems[0].where}: ${problems[0].message}`, problems);
}

/**
 * The state after a batch of events for this group (other groups' events are ignored), keeping only the
 * minutes inside `retentionMinutes` before `now`. Events may come out of order; gauges follow the
 * latest minute reported.
 */
export function foldEvents(state: RealtimeState, events: RealtimeEvent[], now: number, retentionMinutes: number): RealtimeState {
  validateEvents(events);
  const byMinute = new Map<number, MinuteCounts>(state.minutes.map((m) => [m.minute, { ...m }]));
  const gauges = { ...state.gauges };
  for (const e of events) {
    if (e.skillGroupId !== state.skillGroupId) continue;
    const hasSignals = e.signals !== undefined && Object.keys(e.signals).length > 0;
    if (e.arrivals !== undefined || e.handled !== undefined || e.abandoned !== undefined || hasSignals) {
      // A minute first seen without its arrivals (a signal or a handled count came first) is marked: it
      // is not a minute of no calls, and the nowcast and the staleness check must not read it as one.
      const row: MinuteCounts = byMinute.get(e.minute) ?? { minute: e.minute, arrivals: 0, handled: 0, abandoned: 0, arrivalsMissing: true };
      if (e.arrivals !== undefined) {
        row.arrivals = e.arrivals;
        delete row.arrivalsMissing;
      }
      if (e.handled !== undefined) row.handled = e.handled;
      if (e.abandoned !== undefined) row.abandoned = e.abandoned;
      // A signal reported again for the same minute replaces the earlier value, like the counts.
      if (hasSignals) row.signals = { ...row.signals, ...e.signals };
      byMinute.set(e.minute, row);
    }
    const hasGauge = e.queueLength !== undefined || e.agentsLoggedIn !== undefined || e.agentsAvailable !== undefined || e.oldestWaitSeconds !== undefined;
    if (hasGauge && e.minute >= gauges.at) {
      gauges.at = e.minute;
      if (e.queueLength !== undefined) gauges.queueLength = e.queueLength;
      if (e.agentsLoggedIn !== undefined) gauges.agentsLoggedIn = e.agentsLoggedIn;
      if (e.agentsAvailable !== undefined) gauges.agentsAvailable = e.agentsAvailable;
      if (e.oldestWaitSeconds !== undefined) gauges.oldestWaitSeconds = e.oldestWaitSeconds;
    }
  }
  const oldestKept = now - retentionMinutes * MINUTE_MS;
  const minutes = [...byMinute.values()].filter((m) => m.minute >= oldestKept && m.minute <= now).sort((a, b) => a.minute - b.minute);
  return { skillGroupId: state.skillGroupId, minutes, gauges };
}

/**
 * Arrivals per minute for the `count` minutes before `now` (missing minutes = 0), oldest first: a count
 * of what was reported. A rate must not be taken from it (a minute not reported is not a minute of no
 * calls): observedArrivals keeps the missing minutes apart.
 */
export function recentArrivals(state: RealtimeState, now: number, count: number): number[] {
  return observedArrivals(state, now, count).map((v) => v ?? 0);
}

/** Arrivals per minute for the `count` minutes before `now`, oldest first; null where no arrivals were reported. */
export function observedArrivals(state: RealtimeState, now: number, count: number): Array<number | null> {
  const end = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const out = new Array<number | null>(count).fill(null);
  for (const m of state.minutes) {
    if (m.arrivalsMissing) continue;
    const k = count - (end - m.minute) / MINUTE_MS;
    if (k >= 0 && k < count) out[k] = m.arrivals;
  }
  return out;
}

/**
 * How long a feed may go without reporting an arrivals minute before the trigger stops reading it.
 * A minute is posted when it ends and connectors batch, so the last few minutes may still be on their
 * way (the service tolerates the same lag when it ends the nowcast's window); beyond that, silence is
 * not "no calls": the feed stopped, runs late, or the ACD's clock is behind ours — from one tick's
 * reading these look the same, and the data the trigger holds is as old in each.
 */
export const FEED_STALE_MINUTES = 5;

/** The last minute with arrivals reported (−∞: none in the state). */
export function lastArrivalsMinute(state: RealtimeState): number {
  let latest = -Infinity;
  for (const m of state.minutes) if (!m.arrivalsMissing && m.minute > latest) latest = m.minute;
  return latest;
}

export interface FeedStaleness {
  /** no arrivals minute within FEED_STALE_MINUTES of now */
  stale: boolean;
  /** the last minute with arrivals reported, epoch ms; null when the state holds none */
  lastArrivalsMinute: number | null;
  /** minutes from the start of that minute to this tick's minute (1 = the minute just ended); null when none */
  minutesSince: number | null;
}

/** Whether a group's feed is too old to read (see FEED_STALE_MINUTES). `now` is rounded down to the minute. */
export function feedStaleness(state: RealtimeState, now: number): FeedStaleness {
  const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const last = lastArrivalsMinute(state);
  if (last === -Infinity) return { stale: true, lastArrivalsMinute: null, minutesSince: null };
  const minutesSince = (minute - last) / MINUTE_MS;
  return { stale: minutesSince > FEED_STALE_MINUTES, lastArrivalsMinute: last, minutesSince };
}
