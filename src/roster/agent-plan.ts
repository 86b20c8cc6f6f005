/**
 * The best whole-period schedule for ONE agent while every other agent stays as they are: a dynamic
 * programme over the days of the period that picks, each day, one candidate shift or a day off.
 *
 * Why a DP and not shift-by-shift insertion: the rules that make rosters hard are about patterns —
 * two (adjacent) days off in every week, at most N days in a row, 11 h of rest after a late shift, a
 * weekly hours band. Inserting shifts one at a time cannot trade "a 4-hour shift on Tuesday" for "an
 * 8.5-hour one on Wednesday and Tuesday off"; the DP sees all of the agent's options at once and
 * returns the optimum for that agent exactly. The large-neighbourhood search in ./assign.ts builds its
 * moves from it.
 *
 * The state after a day is what later days' rules can still see, and nothing more, so that states
 * facing the same future merge (the better value wins):
 *   - rest: how many of the next day's and the day after's candidate shifts (sorted by start) the last
 *     shift's rest period blocks — always a prefix;
 *   - the current run of worked days; the week's worked days; its free days (capped at two), whether two
 *     adjacent free days occurred, whether the previous day was free;
 *   - the week's minutes, only while the weekly minimum is not met or the maximum could still bind;
 *   - the period's minutes, only while the total cap could bind, or always when the total has a band
 *     (its cost is charged on the last day, so states with different totals must not merge).
 * The rules are those of ./rules.ts (7-day blocks from the period's first day; two days off and the
 * weekly minimum on complete blocks only); the independent checker verifies every roster regardless.
 */
import type { Contract } from '../domain/types';
import { HOUR_MS, MINUTE_MS } from '../time/grid';
import type { AgentCalendar, PeriodModel, ShiftInfo } from './assignment-model';
import { hoursOutsideBand } from './fairness';

export interface PlanCandidate {
  info: ShiftInfo;
  /** what working this shift is worth to the objective (e.g. 10 × hours covered − preference cost) */
  value: number;
}

export interface AgentPlanProblem {
  model: PeriodModel;
  contract: Contract;
  /** shifts the agent may take (statically eligible, not held by anyone else), any order */
  candidates: PlanCandidate[];
  /** shifts the agent keeps whatever the rules say (already started, or pinned by re-planning) */
  forced: ShiftInfo[];
  /** cost of each complete week below the contract's minimum hours */
  belowMinimumCost: number;
  /** hard cap on the agent's total hours over the period */
  maxTotalHours?: number;
  /**
   * a band for the agent's total hours over the period (its contract class's fairness band): every
   * hour outside it costs `costPerHour` (the plan's value drops by that much)
   */
  totalHoursBand?: { from: number; to: number; costPerHour: number };
  /**
   * the agent's working days in other rosters next to the period (its runs continue across the edges)
   * and the weeks it owes no minimum in (a re-plan's absence); none when absent
   */
  calendar?: AgentCalendar;
}

export interface AgentPlan {
  /** the chosen shifts in day order, forced ones included */
  shifts: ShiftInfo[];
  /** Σ values of the chosen candidates − below-minimum costs − the cost of hours outside the band, if any */
  value: number;
  weeksBelowMinimum: number;
  /** most states kept after one day (a measure of the work done) */
  peakStates: number;
}

/** Rounding slack for hour sums, as in ./rules.ts. */
const MINUTES_EPSILON = 1e-6 * 60;
/** Rest is checked against shifts starting up to two days earlier (shifts and rest are each < 24 h). */
const REST_LOOKBACK_DAYS = 2;

/** One day's options: candidate shifts sorted by start (a forced shift is the only option of its day). */
interface DayOptions {
  infos: ShiftInfo[];
  values: number[];
  minutes: number[];
  /** per option: how many options of the next day / the day after its rest period blocks */
  blocksNext: number[];
  blocksAfterNext: number[];
  forced: boolean;
}

/** States of one day, as parallel arrays (a DP over 14 days keeps a few hundred of them). */
class StateTable {
  size = 0;
  value: Float64Array;
  parent: Int32Array;
  pick: Int16Array;
  blocksNext: Uint16Array;
  blocksAfterNext: Uint16Array;
  run: Uint8Array;
  weekDays: Uint8Array;
  /** free days capped at 2 | adjacent free pair << 2 | previous day free << 3 */
  pattern: Uint8Array;
  weekMinutes: Int32Array;
  totalMinutes: Int32Array;
  below: Uint8Array;
  readonly index = new Map<number, number>();

  constructor(capacity: number) {
    this.value = new Float64Array(capacity);
    this.parent = new Int32Array(capacity);
    this.pick = new Int16Array(capacity);
    this.blocksNext = new Uint16Array(capacity);
    this.blocksAfterNext = new Uint16Array(capacity);
    this.run = new Uint8Array(capacity);
    this.weekDays = new Uint8Array(capacity);
    this.pattern = new Uint8Array(capacity);
    this.weekMinutes = new Int32Array(capacity);
    this.totalMinutes = new Int32Array(capacity);
    this.below = new Uint8Array(capacity);
  }

  private grow(): void {
    const capacity = this.value.length * 2;
    const copy = <T extends Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(capacity);
      b.set(a);
      return b;
    };
    this.value = copy(this.value, Float64Array);
    this.parent = copy(this.parent, Int32Array);
    this.pick = copy(this.pick, Int16Array);
    this.blocksNext = copy(this.blocksNext, Uint16Array);
    this.blocksAfterNext = copy(this.blocksAfterNext, Uint16Array);
    this.run = copy(this.run, Uint8Array);
    this.weekDays = copy(this.weekDays, Uint8Array);
    this.pattern = copy(this.pattern, Uint8Array);
    this.weekMinutes = copy(this.weekMinutes, Int32Array);
    this.totalMinutes = copy(this.totalMinutes, Int32Array);
    this.below = copy(this.below, Uint8Array);
  }

  /** Keeps the state under `key` if it is new or better than the one there. */
  offer(
    key: number, value: number, parent: number, pick: number, blocksNext: number, blocksAfterNext: number,
    run: number, weekDays: number, pattern: number, weekMinutes: number, totalMinutes: number, below: number,
  ): void {
    let i = this.index.get(key);
    if (i === undefined) {
      if (this.size === this.value.length) this.grow();
      i = this.size++;
      this.index.set(key, i);
    } else if (value <= this.value[i]) return;
    this.value[i] = value;
    this.parent[i] = parent;
    this.pick[i] = pick;
    this.blocksNext[i] = blocksNext;
    this.blocksAfterNext[i] = blocksAfterNext;
    this.run[i] = run;
    this.weekDays[i] = weekDays;
    this.pattern[i] = pattern;
    this.weekMinutes[i] = weekMinutes;
    this.totalMinutes[i] = totalMinutes;
    this.below[i] = below;
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const shiftMinutes = (info: ShiftInfo) => Math.round((info.shift.end - info.shift.start) / MINUTE_MS);

function dayOptions(problem: AgentPlanProblem): DayOptions[] {
  const days = problem.model.period.days;
  const restMs = problem.contract.minRestHours * HOUR_MS;
  const options: DayOptions[] = Array.from({ length: days }, () => ({ infos: [], values: [], minutes: [], blocksNext: [], blocksAfterNext: [], forced: false }));
  for (const f of problem.forced) {
    if (f.day < 0 || f.day >= days) continue;
    Object.assign(options[f.day], { infos: [f], values: [0], forced: true });
  }
  // Shifts with the same start and end are interchangeable for the rules: keep the most valuable.
  const best = new Map<string, PlanCandidate>();
  for (const c of problem.candidates) {
    const d = c.info.day;
    if (d < 0 || d >= days || options[d].forced) continue;
    const key = `${c.info.shift.start}:${c.info.shift.end}`;
    const known = best.get(key);
    if (!known || c.value > known.value) best.set(key, c);
  }
  for (const c of [...best.values()].sort((a, b) => a.info.shift.start - b.info.shift.start || a.info.shift.end - b.info.shift.end)) {
    options[c.info.day].infos.push(c.info);
    options[c.info.day].values.push(c.value);
  }
  const blocked = (restEnd: number, day: number) => {
    if (day >= days) return 0;
    const list = options[day].infos;
    let k = 0;
    while (k < list.length && list[k].shift.start < restEnd) k++;
    return k;
  };
  options.forEach((o, d) => {
    o.minutes = o.infos.map(shiftMinutes);
    o.blocksNext = o.infos.map((info) => blocked(info.shift.end + restMs, d + 1));
    o.blocksAfterNext = o.infos.map((info) => blocked(info.shift.end + restMs, d + 2));
  });
  return options;
}

/**
 * The agent's best schedule, or undefined when the forced shifts leave no schedule that keeps the
 * rules (the caller then leaves the agent as they are).
 */
export function bestAgentPlan(problem: AgentPlanProblem): AgentPlan | undefined {
  const { model, contract } = problem;
  const days = model.period.days;
  const maxWeekMinutes = contract.maxHoursPerWeek * 60 + MINUTES_EPSILON;
  const minWeekMinutes = contract.minHoursPerWeek * 60 - MINUTES_EPSILON;
  const maxTotalMinutes = problem.maxTotalHours === undefined ? Infinity : problem.maxTotalHours * 60 + MINUTES_EPSILON;
  const band = problem.totalHoursBand;
  const options = dayOptions(problem);
  const longest = options.reduce((m, o) => Math.max(m, ...o.minutes), 0);

  // Radixes of the numeric state key (checked to stay below 2^53).
  const blockRange = options.reduce((m, o) => Math.max(m, o.infos.length), 0) + 1;
  const runRange = Math.min(contract.maxConsecutiveDays, days) + 2;
  // Minutes enter the key in units of their greatest common divisor (30 for the usual shift lengths).
  const unit = options.reduce((g, o) => o.minutes.reduce(gcd, g), 0) || 1;
  const weekRange = Math.ceil((7 * 1440) / unit) + 2;
  const totalRange = Math.ceil((days * 1440) / unit) + 2;
  const keyRange = blockRange * blockRange * runRange * 8 * 16 * weekRange * totalRange;
  if (!(keyRange < Number.MAX_SAFE_INTEGER)) throw new RangeError(`agent plan state key out of range (${days} days, ${blockRange - 1} shifts a day)`);

  // Forced shifts count whatever the rules say, so a shift chosen before them must leave room for them:
  // the forced minutes and days still to come in its week (and period), and a run of forced days right after.
  const forcedMinutesAfter = new Float64Array(days);
  const forcedDaysAfter = new Int32Array(days);
  const forcedTotalAfter = new Float64Array(days);
  const forcedRunAfter = new Int32Array(days);
  // after the last day, the days the agent works in the next roster continue the run
  forcedRunAfter[days - 1] = problem.calendar?.edgeRuns.after ?? 0;
  for (let d = days - 2; d >= 0; d--) {
    const next = options[d + 1];
    const nextMinutes = next.forced ? next.minutes[0] : 0;
    const sameWeek = Math.floor((d + 1) / 7) === Math.floor(d / 7);
    forcedMinutesAfter[d] = nextMinutes + (sameWeek ? forcedMinutesAfter[d + 1] : 0);
    forcedDaysAfter[d] = (next.forced ? 1 : 0) + (sameWeek ? forcedDaysAfter[d + 1] : 0);
    if (!sameWeek) {
      forcedMinutesAfter[d] = 0;
      forcedDaysAfter[d] = 0;
    }
    forcedTotalAfter[d] = nextMinutes + forcedTotalAfter[d + 1];
    forcedRunAfter[d] = next.forced ? 1 + forcedRunAfter[d + 1] : 0;
  }

  const tables: StateTable[] = [];
  let states = new StateTable(64);
  // the run of working days the previous roster ends with goes on on day 0
  states.offer(0, 0, -1, -1, 0, 0, problem.calendar?.edgeRuns.before ?? 0, 0, 0, 0, 0, 0);
  let peakStates = 1;

  for (let d = 0; d < days; d++) {
    const week = Math.floor(d / 7);
    const weekEnd = Math.min(week * 7 + 7, days) - 1;
    const completeWeek = model.weekLength[week] === 7;
    // the weekly minimum binds in complete weeks the agent is not away in
    const owesMinimum = (w: number) => model.weekLength[w] === 7 && !problem.calendar?.excusedWeeks[w];
    const daysLeftInWeek = weekEnd - d;
    const nextWeekOwes = d + 1 < days && owesMinimum(Math.floor((d + 1) / 7));
    const daysLeftAfter = days - d - 1;
    const today = options[d];
    const next = new StateTable(Math.max(64, states.size * 2));

    /** Adds the state reached after day d (worked or free), closing the week on its last day. */
    const offer = (
      value: number, parent: number, pick: number, blocksNext: number, blocksAfterNext: number,
      run: number, weekDays: number, free: number, adjacent: number, previousFree: number, weekMinutes: number, totalMinutes: number, below: number,
    ) => {
      if (completeWeek) {
        // The week must still be able to hold two days off (adjacent ones where the contract asks).
        if (free + daysLeftInWeek < 2) return;
        if (contract.consecutiveDaysOff && !adjacent && !(daysLeftInWeek >= 2 || (previousFree && daysLeftInWeek >= 1))) return;
      }
      let nextWeekDays = weekDays;
      let nextWeekMinutes = weekMinutes;
      let pattern = free | (adjacent << 2) | (previousFree << 3);
      let daysLeft = daysLeftInWeek;
      let minimumApplies = owesMinimum(week);
      if (d === weekEnd) {
        if (owesMinimum(week) && weekMinutes < minWeekMinutes) {
          below++;
          value -= problem.belowMinimumCost;
        }
        nextWeekDays = 0;
        nextWeekMinutes = 0;
        pattern = 0;
        daysLeft = Math.min(7, daysLeftAfter);
        minimumApplies = nextWeekOwes;
      }
      const weekSettled =
        (!minimumApplies || nextWeekMinutes >= minWeekMinutes) &&
        nextWeekMinutes + Math.min(daysLeft, contract.maxDaysPerWeek - nextWeekDays) * longest <= maxWeekMinutes;
      // A band on the total needs the exact total to the end (its cost is charged there).
      const totalSettled = !band && totalMinutes + daysLeftAfter * longest <= maxTotalMinutes;
      let key = blocksNext;
      key = key * blockRange + blocksAfterNext;
      key = key * runRange + Math.min(run, runRange - 1);
      key = key * 8 + nextWeekDays;
      key = key * 16 + pattern;
      key = key * weekRange + (weekSettled ? 0 : nextWeekMinutes / unit + 1);
      key = key * totalRange + (totalSettled ? 0 : totalMinutes / unit + 1);
      next.offer(key, value, parent, pick, blocksNext, blocksAfterNext, run, nextWeekDays, pattern, nextWeekMinutes, totalMinutes, below);
    };

    for (let i = 0; i < states.size; i++) {
      const value = states.value[i];
      const run = states.run[i];
      const weekDays = states.weekDays[i];
      const pattern = states.pattern[i];
      const free = pattern & 3;
      const adjacent = (pattern >> 2) & 1;
      const previousFree = (pattern >> 3) & 1;
      const weekMinutes = states.weekMinutes[i];
      const totalMinutes = states.totalMinutes[i];
      const below = states.below[i];
      if (!today.forced) {
        offer(value, i, -1, states.blocksAfterNext[i], 0, 0, weekDays, Math.min(2, free + 1), adjacent | previousFree, 1, weekMinutes, totalMinutes, below);
        if (weekDays + 1 + forcedDaysAfter[d] > contract.maxDaysPerWeek || run + 1 + forcedRunAfter[d] > contract.maxConsecutiveDays) continue;
      } else if (states.blocksNext[i] > 0) {
        // A chosen shift may not cut the rest before a forced one (two forced shifts may: they are given).
        const blockedByForced = states.pick[i] >= 0 ? options[d - 1].forced : d >= 2 && options[d - 2].forced;
        if (!blockedByForced) continue;
      }
      // Options below the rest prefix start too soon after the last shift.
      for (let k = today.forced ? 0 : states.blocksNext[i]; k < today.infos.length; k++) {
        const minutes = today.minutes[k];
        if (!today.forced && (weekMinutes + minutes + forcedMinutesAfter[d] > maxWeekMinutes || totalMinutes + minutes + forcedTotalAfter[d] > maxTotalMinutes)) continue;
        offer(value + today.values[k], i, k, today.blocksNext[k], today.blocksAfterNext[k], run + 1, weekDays + 1, free, adjacent, 0, weekMinutes + minutes, totalMinutes + minutes, below);
      }
    }
    if (next.size === 0) return undefined;
    peakStates = Math.max(peakStates, next.size);
    tables.push(next);
    states = next;
  }

  const outsideBandCost = (i: number) => (band ? band.costPerHour * hoursOutsideBand(states.totalMinutes[i] / 60, band.from, band.to) : 0);
  let best = 0;
  let bestValue = states.value[0] - outsideBandCost(0);
  for (let i = 1; i < states.size; i++) {
    const value = states.value[i] - outsideBandCost(i);
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  const shifts: ShiftInfo[] = [];
  for (let d = days - 1, i = best; d >= 0; d--) {
    const pick = tables[d].pick[i];
    if (pick >= 0) shifts.push(options[d].infos[pick]);
    i = tables[d].parent[i];
  }
  shifts.reverse();
  return { shifts, value: bestValue, weeksBelowMinimum: states.below[best], peakStates };
}
