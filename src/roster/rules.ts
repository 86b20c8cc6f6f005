/**
 * The hard rules of the assignment, one named function each with the label a planner reads.
 *
 * Candidate rules answer "may this agent take this shift, given what they already have?" and are what
 * the construction and the local search call on every move. Static ones (skill, availability, days
 * off) depend on the agent and the shift only. The weekly minimum is a completion rule: it can only be
 * judged on a finished week. The independent checker (./checker.ts) re-implements all of them from the
 * raw roster and must agree.
 */
import type { Agent, IsoWeekday } from '../domain/types';
import { inWeeklyWindows } from '../time/grid';
import type { AgentSchedule, FootprintCache, PeriodModel, ShiftInfo } from './assignment-model';
import { HOUR_MS } from '../time/grid';

export type RuleId =
  | 'skill'
  | 'availability'
  | 'days-off'
  | 'one-shift-per-day'
  | 'min-rest'
  | 'max-weekly-hours'
  | 'min-weekly-hours'
  | 'max-days-per-week'
  | 'max-consecutive-days'
  | 'two-days-off-per-week';

export const RULE_LABELS: Record<RuleId, string> = {
  skill: 'Shift in one of the agent’s skill groups',
  availability: 'Agent available for the whole shift',
  'days-off': 'Not on one of the agent’s days off',
  'one-shift-per-day': 'At most one shift per day',
  'min-rest': 'Minimum rest between two shifts',
  'max-weekly-hours': 'At most the contract’s weekly hours',
  'min-weekly-hours': 'At least the contract’s weekly hours',
  'max-days-per-week': 'At most the contract’s working days per week',
  'max-consecutive-days': 'At most the contract’s consecutive working days',
  'two-days-off-per-week': 'At least two days off a week (consecutive where the contract asks)',
};

/** Rounding slack for sums of hours (a 7.5 h shift is not exact in binary after many additions). */
const HOURS_EPSILON = 1e-6;

export interface RuleContext {
  model: PeriodModel;
  /** shifts of other rosters next to the period, by agent (AssignmentOptions.commitments) */
  commitments?: ReadonlyMap<string, ReadonlyArray<{ start: number; end: number }>>;
  /** every planned shift, by index (to look at the agent's neighbouring shifts) */
  shifts: ShiftInfo[];
  footprints: FootprintCache;
  availability: AvailabilityCache;
}

/** Weekly availability as one flag per minute of the week, built once per distinct set of windows. */
export class AvailabilityCache {
  private readonly cache = new Map<string, Uint8Array>();
  private readonly byAgent = new WeakMap<Agent, Uint8Array>();
  minutesOf(agent: Agent): Uint8Array {
    const known = this.byAgent.get(agent);
    if (known) return known;
    const key = JSON.stringify(agent.availability ?? null);
    let minutes = this.cache.get(key);
    if (!minutes) {
      minutes = new Uint8Array(7 * 1440);
      for (let day = 1; day <= 7; day++) {
        for (let m = 0; m < 1440; m++) {
          if (inWeeklyWindows(agent.availability ?? [], day as IsoWeekday, m)) minutes[(day - 1) * 1440 + m] = 1;
        }
      }
      this.cache.set(key, minutes);
    }
    this.byAgent.set(agent, minutes);
    return minutes;
  }
}

// ---- static rules -------------------------------------------------------------------------------

export function hasSkill(agent: Agent, info: ShiftInfo): boolean {
  return agent.skills.some((s) => s.skillGroupId === info.shift.skillGroupId);
}

export function isAvailable(agent: Agent, info: ShiftInfo, ctx: RuleContext): boolean {
  if (!agent.availability) return true;
  const zone = agent.timeZone ?? ctx.model.period.timeZone;
  const footprint = ctx.footprints.get(info.shift.start, info.shift.end, zone);
  const minutes = ctx.availability.minutesOf(agent);
  return footprint.every((p) => minutes[(p.weekday - 1) * 1440 + p.minute] === 1);
}

export function isNotOnDayOff(agent: Agent, info: ShiftInfo): boolean {
  if (!agent.daysOff || agent.daysOff.length === 0) return true;
  return !info.datesTouched.some((d) => agent.daysOff!.includes(d));
}

/** Minimum rest kept from the agent's shifts in other rosters just before or after the period. */
export function restsFromOtherRosters(agent: Agent, info: ShiftInfo, ctx: RuleContext): boolean {
  const commitments = ctx.commitments?.get(agent.id);
  if (!commitments) return true;
  const restMs = agent.contract.minRestHours * HOUR_MS;
  return commitments.every((c) => info.shift.start >= c.end + restMs || info.shift.end + restMs <= c.start);
}

/** All static rules at once; the construction caches this per (agent, shift). */
export function staticallyEligible(agent: Agent, info: ShiftInfo, ctx: RuleContext): boolean {
  return hasSkill(agent, info) && isNotOnDayOff(agent, info) && isAvailable(agent, info, ctx) && restsFromOtherRosters(agent, info, ctx);
}

// ---- rules against the agent's current schedule ------------------------------------------------

export function isFreeThatDay(schedule: AgentSchedule, info: ShiftInfo): boolean {
  return schedule.shiftOnDay[info.day] === -1;
}

export function keepsMinimumRest(schedule: AgentSchedule, info: ShiftInfo, ctx: RuleContext): boolean {
  const restMs = schedule.agent.contract.minRestHours * HOUR_MS;
  // Shifts and rest are under 24 h each, so only shifts starting within two days can be too close.
  for (let d = info.day - 2; d <= info.day + 2; d++) {
    if (d === info.day || d < 0 || d >= schedule.shiftOnDay.length) continue;
    const other = schedule.shiftOnDay[d];
    if (other === -1) continue;
    const o = ctx.shifts[other].shift;
    const gap = o.end <= info.shift.start ? info.shift.start - o.end : o.start >= info.shift.end ? o.start - info.shift.end : -1;
    if (gap < restMs) return false;
  }
  return true;
}

export function staysWithinWeeklyHours(schedule: AgentSchedule, info: ShiftInfo): boolean {
  return schedule.hoursInWeek[info.week] + info.hours <= schedule.agent.contract.maxHoursPerWeek + HOURS_EPSILON;
}

export function staysWithinDaysPerWeek(schedule: AgentSchedule, info: ShiftInfo): boolean {
  return schedule.daysInWeek[info.week] + 1 <= schedule.agent.contract.maxDaysPerWeek;
}

/** The run the shift's day would belong to, days worked in other rosters across the edges included. */
export function staysWithinConsecutiveDays(schedule: AgentSchedule, info: ShiftInfo): boolean {
  const days = schedule.shiftOnDay.length;
  let first = info.day;
  while (first > 0 && schedule.shiftOnDay[first - 1] !== -1) first--;
  let last = info.day;
  while (last < days - 1 && schedule.shiftOnDay[last + 1] !== -1) last++;
  const run = last - first + 1 + (first === 0 ? schedule.edgeRuns.before : 0) + (last === days - 1 ? schedule.edgeRuns.after : 0);
  return run <= schedule.agent.contract.maxConsecutiveDays;
}

/** In a complete week at least two days stay free, and two adjacent ones if the contract asks. */
export function leavesTwoDaysOff(schedule: AgentSchedule, info: ShiftInfo, ctx: RuleContext): boolean {
  const week = info.week;
  if (ctx.model.weekLength[week] < 7) return true;
  const first = week * 7;
  const worked = (d: number) => d === info.day || schedule.shiftOnDay[d] !== -1;
  let free = 0;
  let adjacentFree = false;
  for (let d = first; d < first + 7; d++) {
    if (worked(d)) continue;
    free++;
    if (d + 1 < first + 7 && !worked(d + 1)) adjacentFree = true;
  }
  if (free < 2) return false;
  return !schedule.agent.contract.consecutiveDaysOff || adjacentFree;
}

// ---- completion rule ------------------------------------------------------------------------------

/** Complete weeks where the agent is below the contract's minimum hours (indices). */
export function weeksBelowMinimumHours(schedule: AgentSchedule, model: PeriodModel): number[] {
  const below: number[] = [];
  for (let w = 0; w < model.weeks; w++) {
    if (model.weekLength[w] < 7 || schedule.excusedWeeks[w]) continue;
    if (schedule.hoursInWeek[w] + HOURS_EPSILON < schedule.agent.contract.minHoursPerWeek) below.push(w);
  }
  return below;
}

/** Whether removing the shift keeps the agent's week at or above the minimum (or it was below anyway). */
export function removalKeepsMinimumHours(schedule: AgentSchedule, info: ShiftInfo, model: PeriodModel): boolean {
  if (model.weekLength[info.week] < 7 || schedule.excusedWeeks[info.week]) return true;
  return schedule.hoursInWeek[info.week] - info.hours + HOURS_EPSILON >= schedule.agent.contract.minHoursPerWeek;
}

// ---- the candidate check ------------------------------------------------------------------------

/**
 * The first rule against the agent's schedule that refuses the shift, or undefined when the agent may
 * take it. The one list of these rules: canTake (the construction and the local search, on every move)
 * and the diagnosis of uncovered shifts both read it, so they cannot disagree. Written out rather than a
 * loop over rule objects: this is the hot path, and the chain of direct calls is what V8 inlines. Ordered
 * cheapest and most often failing first: the check stops at the first refusal.
 */
function refusingRule(schedule: AgentSchedule, info: ShiftInfo, ctx: RuleContext): RuleId | undefined {
  if (!isFreeThatDay(schedule, info)) return 'one-shift-per-day';
  if (!staysWithinWeeklyHours(schedule, info)) return 'max-weekly-hours';
  if (!staysWithinDaysPerWeek(schedule, info)) return 'max-days-per-week';
  if (!keepsMinimumRest(schedule, info, ctx)) return 'min-rest';
  if (!staysWithinConsecutiveDays(schedule, info)) return 'max-consecutive-days';
  if (!leavesTwoDaysOff(schedule, info, ctx)) return 'two-days-off-per-week';
  return undefined;
}

/** The rule that refuses the shift, with its label (for the diagnosis), or undefined when the agent may take it. */
export function firstRefusal(schedule: AgentSchedule, info: ShiftInfo, ctx: RuleContext): { id: RuleId; label: string } | undefined {
  const id = refusingRule(schedule, info, ctx);
  return id === undefined ? undefined : { id, label: RULE_LABELS[id] };
}

export function canTake(schedule: AgentSchedule, info: ShiftInfo, ctx: RuleContext): boolean {
  return refusingRule(schedule, info, ctx) === undefined;
}
