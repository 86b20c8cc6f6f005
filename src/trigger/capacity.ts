/**
 * The capacity that will be there: per coming minute, the agents of the roster (outside their breaks),
 * claimed slots, accepted callouts from their login time, and pending callouts weighted by the chance
 * they accept. The roster is then shifted by what is logged in now versus what the roster says for now
 * (absence and late logins persist over a 30-minute horizon; they are not a forecasting question).
 */
import { MINUTE_MS } from '../time/grid';
import { workEnd } from './callouts';
import type { CalloutRecord, ClaimedSlot, ScheduledShift } from './types';

/**
 * How long after a release an agent may still be logged in, finishing the call they were on: two of
 * the group's handle times (most calls under way end sooner), within 3 to 15 minutes.
 */
export function releaseWrapUpMs(ahtSeconds: number): number {
  return Math.min(15 * MINUTE_MS, Math.max(3 * MINUTE_MS, 2 * ahtSeconds * 1000));
}

export interface CapacityInput {
  skillGroupId: string;
  /** first minute projected (epoch ms, minute aligned) */
  from: number;
  minutes: number;
  roster: ScheduledShift[];
  claimedSlots: ClaimedSlot[];
  /** this group's callouts (any status; only pending and accepted count) */
  callouts: CalloutRecord[];
  acceptanceRate: number;
  /** agents logged in now, from the realtime gauges; absent = trust the roster */
  loggedInNow?: number;
  /** see releaseWrapUpMs (default: that of a 3-minute handle time) */
  releaseWrapUpMs?: number;
  /**
   * read the gauge's excess as accepted agents logged in before their login time (up to their number):
   * what a release must assume (else it sends home agents counted twice); a firing does not (without a
   * roster every agent logged in is excess, and most called-out agents come on time)
   */
  assumeEarlyLogins?: boolean;
}

export interface CapacityProjection {
  from: number;
  /** expected agents on the phone per minute */
  agents: number[];
  /** the roster-only part, before the adjustment to what is logged in */
  scheduled: number[];
  /** logged in now minus scheduled now (negative = missing agents) */
  adherenceOffset: number;
  /** the realtime gauge it was adjusted to (absent: the roster was trusted) */
  loggedInNow?: number;
}

function onShiftAt(shift: ScheduledShift, t: number): boolean {
  if (t < shift.start || t >= shift.end) return false;
  for (const b of shift.breaks ?? []) if (t >= b.start && t < b.end) return false;
  return true;
}

export function projectCapacity(input: CapacityInput): CapacityProjection {
  const { from, minutes, skillGroupId } = input;
  const scheduled = new Array<number>(minutes).fill(0);
  const extra = new Array<number>(minutes).fill(0);
  // Sample the middle of each minute so a shift ending on the minute boundary counts the way the
  // simulator counts it (logged out from its end).
  const at = (k: number) => from + k * MINUTE_MS + MINUTE_MS / 2;
  // The minutes k whose middle at(k) falls in [start, end): a shift adds one agent to each of them.
  const firstAt = (t: number) => Math.min(minutes, Math.max(0, Math.ceil((t - from - MINUTE_MS / 2) / MINUTE_MS)));
  let scheduledNow = 0;
  // rostered agents whose scheduled break is under way now (their shift spans now)
  let onBreakNow = 0;
  for (const shift of input.roster) {
    if (shift.skillGroupId !== skillGroupId || shift.end <= from - MINUTE_MS || shift.start >= from + minutes * MINUTE_MS) continue;
    if (onShiftAt(shift, from - MINUTE_MS / 2)) scheduledNow++;
    else if (from - MINUTE_MS / 2 >= shift.start && from - MINUTE_MS / 2 < shift.end) onBreakNow++;
    const last = firstAt(shift.end);
    if (shift.breaks?.length) {
      for (let k = firstAt(shift.start); k < last; k++) if (onShiftAt(shift, at(k))) scheduled[k]++;
    } else {
      for (let k = firstAt(shift.start); k < last; k++) scheduled[k]++;
    }
  }
  for (const slot of input.claimedSlots) {
    if (slot.skillGroupId !== skillGroupId) continue;
    for (let k = 0; k < minutes; k++) if (at(k) >= slot.start && at(k) < slot.end) scheduled[k] += slot.agents;
    if (from - MINUTE_MS / 2 >= slot.start && from - MINUTE_MS / 2 < slot.end) scheduledNow += slot.agents;
  }
  const wrapUp = input.releaseWrapUpMs ?? releaseWrapUpMs(180);
  // logged in but not (or no longer) counted by the schedule: released agents finishing their last call…
  let leaving = 0;
  // …and accepted agents not due yet, who may have logged in early (by login time: the soonest first)
  const notYetDue: number[] = [];
  for (const c of input.callouts) {
    if (c.skillGroupId !== skillGroupId) continue;
    const weight = c.status === 'accepted' ? 1 : c.status === 'pending' ? input.acceptanceRate : 0;
    if (weight === 0) continue;
    if (c.status === 'accepted' && c.releasedAt !== undefined && c.releasedAt <= from && from - c.releasedAt < wrapUp) leaving++;
    if (input.assumeEarlyLogins && c.status === 'accepted' && c.releasedAt === undefined && c.loginAt > from) notYetDue.push(c.loginAt);
    // Callout agents already logged in are inside `loggedInNow`; count them as scheduled for the offset.
    const end = workEnd(c);
    if (c.status === 'accepted' && c.loginAt <= from && end > from) scheduledNow++;
    for (let k = 0; k < minutes; k++) if (at(k) >= c.loginAt && at(k) < end) extra[k] += weight;
  }
  // The gauge may hold both. Logged in beyond the schedule is read as them first (up to their number):
  // as spare capacity for the whole horizon, leavers made a second release of agents already going, and
  // early agents were counted twice once due (the gauge's excess and their callout), so released twice
  // over. The early ones are on hand now: they count from now instead of from their login time. Once
  // the leavers are gone (or the early ones absent), the gauge shows it and nothing is subtracted.
  // An ACD that keeps agents on a break logged in (in an aux state) counts them too: the rest of the
  // excess, up to the agents whose scheduled break is under way, is read as them — not answering calls
  // now, and counted by the schedule again once their break ends (as extra agents they were counted
  // over the whole horizon, and twice after their break). An ACD that logs them out shows no excess here.
  const excess = input.loggedInNow === undefined ? 0 : input.loggedInNow - scheduledNow;
  const leavers = Math.min(leaving, Math.max(0, excess));
  const early = Math.min(notYetDue.length, Math.max(0, excess - leavers));
  const onBreak = Math.min(onBreakNow, Math.max(0, excess - leavers - early));
  const adherenceOffset = excess - leavers - early - onBreak;
  for (const loginAt of notYetDue.sort((a, b) => a - b).slice(0, early)) for (let k = 0; k < minutes && at(k) < loginAt; k++) extra[k] += 1;
  const agents = scheduled.map((s, k) => Math.max(0, s + extra[k] + adherenceOffset));
  return { from, agents, scheduled, adherenceOffset, ...(input.loggedInNow === undefined ? {} : { loggedInNow: input.loggedInNow }) };
}
