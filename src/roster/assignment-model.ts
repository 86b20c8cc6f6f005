/**
 * The assignment phase's working model: the planning period cut into days and 7-day weeks, every
 * planned shift pre-digested (day index, paid hours, weekend/late flags, wall-clock footprint) and
 * every agent's schedule as arrays indexed by day, so a hard rule is a handful of array reads.
 *
 * Weeks are consecutive 7-day blocks starting at the period's first day (a 14-day period starting on
 * a Monday gives two ISO weeks). Rules that speak of "a week" (min/max hours, max days, two days off)
 * are enforced on complete blocks; a trailing partial block gets the maximum rules only, because its
 * days off and minimum hours may fall outside the period.
 */
import { DateTime } from 'luxon';
import type { Agent, IsoWeekday, ShiftKind } from '../domain/types';
import { MINUTE_MS, HOUR_MS } from '../time/grid';
import type { Commitment, PlannedShift } from './types';

export interface PlanningPeriod {
  /** first local date, YYYY-MM-DD */
  from: string;
  days: number;
  /** zone the period's dates are read in, and the default zone of agents' availability */
  timeZone: string;
}

export interface AssignmentOptions {
  /** weekend days for the fairness share; default Saturday + Sunday (Israel: [5, 6]) */
  weekendDays?: IsoWeekday[];
  /** shift kinds counted as "late" for the fairness share; default late + night */
  lateKinds?: ShiftKind[];
  /** improvement passes of the local search (default 4); 0 = greedy construction only */
  localSearchPasses?: number;
  /** ruin-and-recreate iterations after the local search (default 3,000,000 / agents, between 300 and 100,000: 60k for 50 agents, 3k for 1,000); 0 = off */
  ruinAndRecreateIterations?: number;
  /** joint planning by column generation (./column-generation.ts) while planned shifts + agents ≤ this (default 400); 0 = off */
  jointPlanMaxRows?: number;
  /** seed of the search's random choices (default 1): same seed, same roster */
  seed?: number;
  /** add extra shifts (copies of planned shift shapes) for agents below their weekly minimum hours */
  topUpToMinimumHours?: boolean;
  /**
   * 'coverage-first' (default): an uncovered hour weighs 10 hours of spread, so agents stay outside
   * their class's hours band where closing it would uncover shifts; 'band-first': agents still outside
   * after the search are re-planned jointly with colleagues, each hour outside the band costing more
   * than any coverage it buys — fewer agents outside, more shifts left to cloud agents, and slower
   */
  hoursFairness?: 'coverage-first' | 'band-first';
  /** band-first's last resort re-plans the whole roster jointly while planned shifts + agents ≤ this (default 600); 0 = off */
  bandFirstWholeRosterMaxRows?: number;
  /**
   * Agents' shifts of other published rosters just before or after the period (the previous fortnight's
   * last evening): no shift of theirs here may come within their minimum rest of one; those of the
   * previous fortnight count towards the weekend and late shares (previousSharesOf).
   */
  commitments?: readonly Commitment[];
}

/** A planned shift with what the rules need, computed once. */
export interface ShiftInfo {
  index: number;
  shift: PlannedShift;
  day: number;
  week: number;
  hours: number;
  weekend: boolean;
  late: boolean;
  weekday: IsoWeekday;
  /** every local date the shift touches (start date first) */
  datesTouched: string[];
}

export interface PeriodModel {
  period: PlanningPeriod;
  dates: string[];
  weekdays: IsoWeekday[];
  weeks: number;
  /** days in each week block (7 except possibly the last) */
  weekLength: number[];
  weekendDays: IsoWeekday[];
  lateKinds: ShiftKind[];
}

export function buildPeriodModel(period: PlanningPeriod, options: AssignmentOptions = {}): PeriodModel {
  const first = DateTime.fromISO(period.from, { zone: period.timeZone });
  const dates: string[] = [];
  const weekdays: IsoWeekday[] = [];
  for (let d = 0; d < period.days; d++) {
    const day = first.plus({ days: d });
    dates.push(day.toISODate()!);
    weekdays.push(day.weekday as IsoWeekday);
  }
  const weeks = Math.ceil(period.days / 7);
  const weekLength = Array.from({ length: weeks }, (_, w) => Math.min(7, period.days - w * 7));
  return {
    period,
    dates,
    weekdays,
    weeks,
    weekLength,
    weekendDays: options.weekendDays ?? [6, 7],
    lateKinds: options.lateKinds ?? ['late', 'night'],
  };
}

/** Whole calendar days from `from` to `date` (both YYYY-MM-DD), independent of zones and DST. */
export function dayOffset(from: string, date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function describeShifts(model: PeriodModel, shifts: PlannedShift[]): ShiftInfo[] {
  const datesCache = new Map<string, string[]>();
  return shifts.map((shift, index) => {
    const day = dayOffset(model.period.from, shift.date);
    const weekday = DateTime.fromISO(shift.date, { zone: 'UTC' }).weekday as IsoWeekday;
    const key = `${shift.start}:${shift.end}`;
    let datesTouched = datesCache.get(key);
    if (!datesTouched) {
      datesTouched = [shift.date];
      const lastInstant = DateTime.fromMillis(shift.end - 1, { zone: model.period.timeZone }).toISODate()!;
      if (lastInstant !== shift.date) datesTouched.push(lastInstant);
      datesCache.set(key, datesTouched);
    }
    return {
      index,
      shift,
      day,
      week: Math.floor(day / 7),
      hours: (shift.end - shift.start) / HOUR_MS,
      weekend: model.weekendDays.includes(weekday),
      late: model.lateKinds.includes(shift.kind),
      weekday,
      datesTouched,
    };
  });
}

/**
 * Wall-clock footprint of a shift in a zone: (weekday, minute of day) every 15 minutes from the start,
 * plus the last minute. Checking availability windows against it is pure arithmetic; the luxon work is
 * done once per distinct (start, end, zone).
 */
export type Footprint = Array<{ weekday: IsoWeekday; minute: number }>;

export class FootprintCache {
  private readonly cache = new Map<string, Footprint>();
  get(start: number, end: number, zone: string): Footprint {
    const key = `${start}:${end}:${zone}`;
    let fp = this.cache.get(key);
    if (!fp) {
      fp = [];
      const points: number[] = [];
      for (let t = start; t < end; t += 15 * MINUTE_MS) points.push(t);
      points.push(end - MINUTE_MS);
      for (const t of points) {
        const local = DateTime.fromMillis(t, { zone });
        fp.push({ weekday: local.weekday as IsoWeekday, minute: local.hour * 60 + local.minute });
      }
      this.cache.set(key, fp);
    }
    return fp;
  }
}

/**
 * Working days an agent has in other rosters right before the period's first day and right after its
 * last (consecutive with the edge): a run of working days continues across the edge.
 */
export interface EdgeRuns {
  before: number;
  after: number;
}

export const NO_EDGE_RUNS: EdgeRuns = Object.freeze({ before: 0, after: 0 });

/** Each agent's runs of working days that reach the period's edges from other rosters (see Commitment). */
export function edgeRunsOf(commitments: readonly Commitment[], period: PlanningPeriod): Map<string, EdgeRuns> {
  const offsets = new Map<string, Set<number>>();
  for (const c of commitments) {
    const set = offsets.get(c.agentId) ?? new Set<number>();
    set.add(dayOffset(period.from, c.date));
    offsets.set(c.agentId, set);
  }
  const runs = new Map<string, EdgeRuns>();
  for (const [agentId, worked] of offsets) {
    let before = 0;
    while (worked.has(-1 - before)) before++;
    let after = 0;
    while (worked.has(period.days + after)) after++;
    if (before || after) runs.set(agentId, { before, after });
  }
  return runs;
}

/** How far back an agent's shifts in other rosters count towards this period's weekend and late shares. */
export const PREVIOUS_SHARES_DAYS = 14;

export interface PreviousShares {
  weekend: number;
  late: number;
}

/**
 * Each agent's weekend and late shifts in other rosters in the PREVIOUS_SHARES_DAYS before the period
 * (by their dates, on the period's weekend days and late kinds), for the agents with any shift there:
 * the shares are evened out over both, so whoever worked the last fortnight's weekends gets fewer of
 * this one's. A shift without a kind counts as a weekend shift only.
 */
export function previousSharesOf(commitments: readonly Commitment[], model: PeriodModel): Map<string, PreviousShares> {
  const shares = new Map<string, PreviousShares>();
  for (const c of commitments) {
    const offset = dayOffset(model.period.from, c.date);
    if (offset >= 0 || offset < -PREVIOUS_SHARES_DAYS) continue;
    const mine = shares.get(c.agentId) ?? { weekend: 0, late: 0 };
    if (model.weekendDays.includes(DateTime.fromISO(c.date, { zone: 'UTC' }).weekday as IsoWeekday)) mine.weekend++;
    if (c.kind !== undefined && model.lateKinds.includes(c.kind)) mine.late++;
    shares.set(c.agentId, mine);
  }
  return shares;
}

/** Days of the previous fortnight (PREVIOUS_SHARES_DAYS before the period) an agent was away, all and weekend ones. */
export interface DaysAway {
  days: number;
  weekendDays: number;
}

/** The previous fortnight's days and weekend days (the window previousSharesOf counts in). */
export function previousWindow(model: PeriodModel): DaysAway {
  let weekendDays = 0;
  for (let offset = -PREVIOUS_SHARES_DAYS; offset < 0; offset++) if (model.weekendDays.includes(weekdayAt(model, offset))) weekendDays++;
  return { days: PREVIOUS_SHARES_DAYS, weekendDays };
}

const weekdayAt = (model: PeriodModel, offset: number) => DateTime.fromISO(model.period.from, { zone: 'UTC' }).plus({ days: offset }).weekday as IsoWeekday;

/**
 * Each agent's days away in the previous fortnight: its `daysOff` dated there (leave, and the absences
 * the rosters of that fortnight were re-planned around, as the roster service adds them). The weekend
 * and late shares credit them at the class's rate (see AssignmentEngine), so that an absence neither
 * earns nor costs unpopular shifts: counting raw shifts, an agent ill for five days had worked fewer
 * late shifts and got 7 of its 10 in the next fortnight, reported as fair.
 */
export function daysAwayBefore(agents: readonly Agent[], model: PeriodModel): Map<string, DaysAway> {
  const away = new Map<string, DaysAway>();
  for (const agent of agents) {
    let days = 0;
    let weekendDays = 0;
    for (const date of new Set(agent.daysOff ?? [])) {
      const offset = dayOffset(model.period.from, date);
      if (offset >= 0 || offset < -PREVIOUS_SHARES_DAYS) continue;
      days++;
      if (model.weekendDays.includes(weekdayAt(model, offset))) weekendDays++;
    }
    if (days > 0) away.set(agent.id, { days, weekendDays });
  }
  return away;
}

/**
 * What an agent's plan must keep beyond its contract, as the one-agent DP reads it: runs of working days
 * that reach the period's edges, and weeks that owe no minimum. An AgentSchedule is one.
 */
export interface AgentCalendar {
  readonly edgeRuns: EdgeRuns;
  /** per week, 1 when the week owes no minimum hours */
  readonly excusedWeeks: ArrayLike<number>;
}

/** One agent's schedule during assignment: arrays by day / week, kept in step by add/remove. */
export class AgentSchedule implements AgentCalendar {
  /** the agent's working days in other rosters next to the period (set once, before any shift is added) */
  edgeRuns: EdgeRuns = NO_EDGE_RUNS;
  /**
   * per week, 1 when the agent is absent in it (a re-plan's absence, see AssignmentInput.absences): that
   * week owes no minimum hours, as the checker has it — nobody is topped up for days they are ill
   */
  readonly excusedWeeks: Uint8Array;
  /** shift index per day, -1 when free */
  readonly shiftOnDay: Int32Array;
  readonly hoursInWeek: Float64Array;
  readonly daysInWeek: Int32Array;
  totalHours = 0;
  weekendShifts = 0;
  lateShifts = 0;
  preferencePenalty = 0;

  constructor(
    readonly agent: Agent,
    readonly agentIndex: number,
    model: PeriodModel,
  ) {
    this.shiftOnDay = new Int32Array(model.period.days).fill(-1);
    this.hoursInWeek = new Float64Array(model.weeks);
    this.daysInWeek = new Int32Array(model.weeks);
    this.excusedWeeks = new Uint8Array(model.weeks);
  }

  add(info: ShiftInfo, preferenceCost: number): void {
    this.shiftOnDay[info.day] = info.index;
    this.hoursInWeek[info.week] += info.hours;
    this.daysInWeek[info.week] += 1;
    this.totalHours += info.hours;
    if (info.weekend) this.weekendShifts++;
    if (info.late) this.lateShifts++;
    this.preferencePenalty += preferenceCost;
  }

  remove(info: ShiftInfo, preferenceCost: number): void {
    this.shiftOnDay[info.day] = -1;
    this.hoursInWeek[info.week] -= info.hours;
    this.daysInWeek[info.week] -= 1;
    this.totalHours -= info.hours;
    if (info.weekend) this.weekendShifts--;
    if (info.late) this.lateShifts--;
    this.preferencePenalty -= preferenceCost;
  }
}
