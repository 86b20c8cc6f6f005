/**
 * Turning what the store holds into the trigger core's inputs, and the core's outputs into what the store
 * keeps. Pure (no I/O; the clock comes in), so each step is tested on its own; src/services/trigger.ts
 * does the reading and writing around it.
 */
import { DateTime } from 'luxon';
import type { Agent, SkillGroup } from '../domain/types';
import type { AssignedShift } from '../roster/types';
import type { RealtimeEvent as StoredRealtimeEvent } from '../store/realtime-repository';
import type { StoredForecastMeta, StoredForecastPoint } from '../store/forecast-repository';
import type { StoredCallout } from '../store/trigger-repository';
import { DAY_MS, HOUR_MS, MINUTE_MS, intervalStartOf, intervalStarts } from '../time/grid';
import { workEnd } from '../trigger/callouts';
import { flatForecast } from '../trigger/decide';
import { minuteForecastFromSlots, nowcast } from '../trigger/nowcast';
import { emptyRealtimeState, FEED_STALE_MINUTES, foldEvents, lastArrivalsMinute, observedArrivals } from '../trigger/realtime-state';
import { RECENT_MINUTES as SIGNAL_RECENT_MINUTES } from '../trigger/signals';
import type { CalloutRecord, MinuteForecast, RealtimeState, ScheduledShift, TriggerPolicy } from '../trigger/types';
import { emptyRecord } from '../domain/records';

/** Minutes of arrivals the nowcast compares with the plan. */
export const OBSERVED_MINUTES = 15;
/**
 * A minute is reported when it ends; the last few may still be on their way when a tick runs. Beyond
 * this lag the core holds the group (its feed is stale), so the two limits are one.
 */
export const MAX_REPORTING_LAG_MINUTES = FEED_STALE_MINUTES;
/** Realtime minutes a tick reads: the observed window plus the reporting lag it tolerates. */
export const REALTIME_READ_MINUTES = OBSERVED_MINUTES + MAX_REPORTING_LAG_MINUTES;
/** Answered callouts stay at hand (capacity, the wave's members) this long before only their answer is kept. */
export const ACTIVE_CALLOUT_HOURS = 24;

/**
 * Where the scheduled capacity comes from (a port, so the tick does not depend on how rosters are
 * stored): the published roster's shifts — partner agents, read only around the horizon — and the
 * cloud slots claimed by cloud agents, each claim being its agent's shift (read over the whole week:
 * they also decide who is on shift, resting or at the weekly maximum when callouts are chosen).
 */
export interface ScheduledCapacitySource {
  rosterShifts(fromMs: number, toMs: number): Promise<ScheduledShift[]>;
  claimedShifts(fromMs: number, toMs: number): Promise<ScheduledShift[]>;
}

/** What the roster store answers (src/store/roster-repository.ts): published shifts and cloud-slot claims. */
export interface RosterReads {
  shiftsOverlapping(fromMs: number, toMs: number): Promise<AssignedShift[]>;
  claimedSlotsOverlapping(fromMs: number, toMs: number): Promise<Array<{ slotId: string; skillGroupId: string; agentId: string; start: number; end: number }>>;
}

export function rosterCapacitySource(rosters: RosterReads): ScheduledCapacitySource {
  return {
    rosterShifts: async (fromMs, toMs) =>
      (await rosters.shiftsOverlapping(fromMs, toMs)).map((s) => ({ agentId: s.agentId, skillGroupId: s.skillGroupId, start: s.start, end: s.end, breaks: s.breaks.map((b) => ({ start: b.start, end: b.end })) })),
    claimedShifts: async (fromMs, toMs) =>
      (await rosters.claimedSlotsOverlapping(fromMs, toMs)).map((c) => ({ agentId: c.agentId, skillGroupId: c.skillGroupId, start: c.start, end: c.end })),
  };
}

/** The folded realtime state of one group from its stored per-minute events, leading signals included. */
export function realtimeStateOf(skillGroupId: string, events: StoredRealtimeEvent[], now: number): RealtimeState {
  return foldEvents(emptyRealtimeState(skillGroupId), events, now, REALTIME_READ_MINUTES);
}

/**
 * The last minute whose arrivals were reported (−∞: none). Signals may come from another system ahead
 * of the switch's counts; a minute that only has a signal so far must not read as a minute of no calls.
 */
export function lastArrivalMinute(events: StoredRealtimeEvent[]): number {
  return events.reduce((latest, e) => (e.arrivals !== undefined ? Math.max(latest, e.minute) : latest), -Infinity);
}

/**
 * Signal minutes the trigger may read: up to the last counted minute plus the minutes a jump must hold.
 * The core learns calls per unit of signal from the minutes before those; a minute whose calls are not
 * reported yet would teach it "no calls" (signals often arrive from the web side before the switch's counts).
 */
export function signalsUpToCounts(signals: StoredRealtimeEvent[], lastArrival: number): StoredRealtimeEvent[] {
  return signals.filter((e) => e.minute <= lastArrival + SIGNAL_RECENT_MINUTES * MINUTE_MS);
}

/** The interval starts whose stored forecast covers the observed window and the horizon. */
export function forecastIntervalsFor(group: SkillGroup, now: number, horizonMinutes: number): number[] {
  const from = intervalStartOf(now - REALTIME_READ_MINUTES * MINUTE_MS, group.timeZone, group.intervalMinutes);
  return intervalStarts(from, now + horizonMinutes * MINUTE_MS, group.timeZone, group.intervalMinutes);
}

/**
 * The per-minute forecast of one tick: the stored interval forecast spread over its minutes, corrected by
 * what the last quarter hour showed (the nowcast of src/trigger/nowcast.ts). The observed window ends
 * at the last reported minute (up to a few minutes before now), so a minute still on its way does not
 * read as a sudden drop; the forecast then starts there and the core reads it from now on. A feed whose
 * last minute is older than that is stale: the window then ends at now and reads nothing, and tick()
 * holds the group instead of acting on it (src/trigger/tick.ts).
 * No stored forecast covering the horizon: the last quarter hour's rate held flat, and the source says so.
 */
export function tickForecast(
  group: SkillGroup,
  policy: Pick<TriggerPolicy, 'horizonMinutes'>,
  stored: { points: StoredForecastPoint[]; meta?: StoredForecastMeta },
  realtime: RealtimeState,
  now: number,
  lastReported = lastArrivalsMinute(realtime),
): MinuteForecast {
  const horizonEnd = now + policy.horizonMinutes * MINUTE_MS;
  const intervalMs = group.intervalMinutes * MINUTE_MS;
  const covering = stored.points.filter((p) => p.intervalStart < horizonEnd && p.intervalStart + intervalMs > now);
  if (covering.length === 0) {
    return { ...flatForecast(realtime, now, OBSERVED_MINUTES, policy.horizonMinutes), source: `flat-last-${OBSERVED_MINUTES}-minutes (no stored forecast covers now)` };
  }
  const observedEnd = lastReported >= now - MAX_REPORTING_LAG_MINUTES * MINUTE_MS && lastReported < now ? lastReported + MINUTE_MS : now;
  const windowStart = observedEnd - OBSERVED_MINUTES * MINUTE_MS;
  const aheadMinutes = policy.horizonMinutes + (now - observedEnd) / MINUTE_MS;
  // the expected volume where the forecast keeps it: a quiet queue's median is 0, which would read any
  // call as a surge and project no load at all
  const slots = stored.points.map((p) => ({ start: p.intervalStart, minutes: group.intervalMinutes, p10: p.p10, p50: p.expected ?? p.p50, p90: p.p90 }));
  const expected = minuteForecastFromSlots(slots, windowStart, OBSERVED_MINUTES + aheadMinutes, 'stored');
  const corrected = nowcast({
    now: observedEnd,
    expectedRecent: expected.p50.slice(0, OBSERVED_MINUTES),
    // a minute missing inside the window is left out of the comparison, not read as no calls
    observedRecent: observedArrivals(realtime, observedEnd, OBSERVED_MINUTES),
    expectedAhead: expected.p50.slice(OBSERVED_MINUTES),
  });
  return { ...corrected, source: `${stored.meta?.alias ?? 'stored'} two-week forecast, ${corrected.source}` };
}

/** The window of cloud agents' commitments a tick reads: their current week in any zone, and rest around it. */
export function commitmentWindow(now: number): { from: number; to: number } {
  return { from: now - 8 * DAY_MS, to: now + 8 * DAY_MS };
}

function overlapHours(start: number, end: number, from: number, to: number): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from)) / HOUR_MS;
}

/**
 * Hours each cloud agent works in its current ISO week (its own zone): its shifts (claimed slots) and
 * accepted callouts. A callout must not push an agent over the contract's weekly maximum.
 */
export function weeklyHoursOf(agents: Agent[], shifts: ScheduledShift[], accepted: CalloutRecord[], now: number, defaultZone: string): Record<string, number> {
  const weekOf = new Map<string, { from: number; to: number }>();
  const week = (zone: string) => {
    let w = weekOf.get(zone);
    if (!w) {
      const start = DateTime.fromMillis(now, { zone }).startOf('week');
      weekOf.set(zone, (w = { from: start.toMillis(), to: start.plus({ weeks: 1 }).toMillis() }));
    }
    return w;
  };
  const cloudWeeks = new Map(agents.filter((a) => a.kind === 'cloud').map((a) => [a.id, week(a.timeZone ?? defaultZone)]));
  const hours = emptyRecord<number>();
  const add = (agentId: string, start: number, end: number) => {
    const w = cloudWeeks.get(agentId);
    if (w) hours[agentId] = (hours[agentId] ?? 0) + overlapHours(start, end, w.from, w.to);
  };
  for (const s of shifts) add(s.agentId, s.start, s.end);
  for (const c of accepted) if (c.status === 'accepted') add(c.agentId, c.loginAt, workEnd(c));
  return hours;
}

/**
 * Accepted callouts as their agents' shifts, so an agent who said yes is "on shift" (and then resting)
 * when the next callouts are chosen. Their group id is marked (":" is not allowed in ids) so the capacity
 * projection, which already counts accepted callouts, does not count them twice.
 */
export function acceptedAsShifts(callouts: CalloutRecord[]): ScheduledShift[] {
  return callouts.filter((c) => c.status === 'accepted').map((c) => ({ agentId: c.agentId, skillGroupId: `callout:${c.skillGroupId}`, start: c.loginAt, end: workEnd(c) }));
}

export type ArchiveOutcome = 'accepted' | 'refused' | '';

/**
 * Callouts that no longer shape a tick: answered (or given up) more than a day ago, their shift over,
 * and not part of the wave still running (its callouts say whom it has called; a wave lasts at most one
 * callout shift, src/trigger/decide.ts, so its answers are archived once it closes). Their answers stay in the group's sums. An accepted callout
 * stays until its shift has left the commitment window: the agent's weekly hours and rest are read from
 * it (archived after a day, a 10-hour callout on Monday no longer counted against Tuesday's call).
 */
export function archivable(callouts: StoredCallout[], openWaveId: string | null, now: number): Array<{ id: string; agentId: string; outcome: ArchiveOutcome }> {
  const before = now - ACTIVE_CALLOUT_HOURS * HOUR_MS;
  const committedFrom = commitmentWindow(now).from;
  return callouts
    .filter((c) => c.status !== 'pending' && c.requestedAt < before && c.shiftEnd <= now && c.waveId !== openWaveId)
    .filter((c) => c.status !== 'accepted' || c.shiftEnd <= committedFrom)
    .map((c) => ({ id: c.id, agentId: c.agentId, outcome: c.status === 'accepted' ? 'accepted' : c.status === 'declined' || c.status === 'expired' ? 'refused' : '' }));
}
