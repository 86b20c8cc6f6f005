/**
 * Fairness per contract class: how evenly total hours, weekend shifts and late shifts are spread,
 * and how many shifts went against an agent's stated preferences.
 *
 * "Hours spread at most one shortest shift where availability allows" is judged against a band:
 *   - the band is [floor, floor + shortest planned shift]; its floor is chosen where the class's
 *     agents are, in total, nearest to it (distance an agent could not avoid is not counted);
 *   - the totals an agent could work on its own are the sums of the lengths of the planned shifts it
 *     is eligible for (skill, availability windows, days off), as many as its contract's working days
 *     allow, from its weekly minimum up to the most its own rules let it work in the period (a
 *     one-agent DP, nobody else competing). An agent available only on weekdays 07:00–19:00 is only
 *     eligible for 8.5-hour day shifts, so its totals are multiples of 8.5 h;
 *   - an agent's availability binds when none of its totals lies in the band. Those agents are fair
 *     at the total next to the band on either side; every other agent must be inside the band.
 *   - an agent absent in the period (a re-plan's illness) is judged as one whose availability binds
 *     below the band: its absence, not the roster, holds its hours down (an ill full-timer at 50.5 h
 *     while colleagues had 72–76 marked the whole class unfair). Above the band it is judged as anyone.
 * The report gives the raw spread (max − min over all agents), the spread among agents whose
 * availability does not bind, and whether the class meets the rule. Weekend and late shares are given
 * raw and among the agents open to them (eligible for such shifts, and not asking to avoid them).
 */
import type { AgentSchedule, PeriodModel, ShiftInfo } from './assignment-model';

export interface Spread {
  min: number;
  max: number;
  spread: number;
}

export interface ClassFairness {
  contractClass: string;
  agents: number;
  hours: Spread;
  /** max − min total hours */
  hoursSpread: number;
  /** the same among agents with no availability limits and no days off in the period */
  hoursSpreadUnrestricted: number | null;
  /** the target: one shortest planned shift (hours) */
  shortestShiftHours: number;
  /** raw spread within one shortest shift */
  withinOneShortestShift: boolean;
  /** the band [floor, floor + shortest shift] the rule is judged against (see the file comment) */
  band: { from: number; to: number };
  /** agents none of whose own possible totals lies in the band, and agents held below it by an absence */
  availabilityBinds: number;
  /** max − min hours among the agents whose availability does not bind */
  hoursSpreadWhereAvailabilityAllows: number | null;
  /** every agent in the band, or at its possible total next to it where its availability binds */
  fairWhereAvailabilityAllows: boolean;
  /** agents breaking that rule */
  agentsOutsideBand: number;
  weekendShifts: Spread;
  lateShifts: Spread;
  /** among agents eligible for weekend shifts who do not ask to avoid weekends */
  weekendShiftsWhereOpen: Spread;
  /** among agents eligible for late shifts whose preferred kinds (if any) include a late kind */
  lateShiftsWhereOpen: Spread;
  /**
   * Weekend (late) shifts of this period and the previous fortnight's other rosters together, among the
   * agents open to them who worked in that fortnight (previousSharesOf): what rotating the shares evens
   * out. Null when nobody's previous shifts are known (no published roster before, no --previous).
   */
  weekendShiftsWithPrevious: Spread | null;
  lateShiftsWithPrevious: Spread | null;
  /** assigned shifts that go against a preference (kind, preferred day off, weekend avoidance) */
  preferenceMisses: number;
}

/** What the report needs to know per agent beyond its schedule. */
export interface AgentOptions {
  /** the totals it could work on its own, ascending */
  possibleTotals(agentIndex: number): number[];
  /** whether it is eligible for (and does not prefer against) weekend / late shifts */
  openTo(agentIndex: number, share: 'weekend' | 'late'): boolean;
  /** its weekend and late shifts in the previous fortnight's other rosters, if it worked there */
  previous?(agentIndex: number): { weekend: number; late: number } | undefined;
  /** absent on some day of the period (a re-plan's absence): below the band, its absence binds */
  absent?(agentIndex: number): boolean;
}

function spreadOf(values: number[]): Spread {
  if (values.length === 0) return { min: 0, max: 0, spread: 0 };
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { min: round(min), max: round(max), spread: round(max - min) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const EPS = 1e-6;

/** Hours outside [from, to] (none within rounding of it): what a planner charges for an agent's total. */
export const hoursOutsideBand = (hours: number, from: number, to: number) => (hours < from - EPS ? from - hours : hours > to + EPS ? hours - to : 0);

/**
 * How far the agent is from the band beyond what its possible totals force on it: above the band,
 * beyond the lowest total it could work from the band's floor up; below it, short of the highest total
 * it could work up to the band's top (an agent limited to 68 or 76.5 h is fair at either next to 70–74).
 */
export function unfairDistance(hours: number, totals: number[], from: number, to: number): number {
  if (hours > to + EPS) {
    const nearest = Math.min(...totals.filter((t) => t >= from - EPS));
    return Math.max(0, hours - Math.max(to, Number.isFinite(nearest) ? nearest : -Infinity));
  }
  if (hours < from - EPS) {
    const nearest = Math.max(...totals.filter((t) => t <= to + EPS));
    return Math.max(0, Math.min(from, Number.isFinite(nearest) ? nearest : Infinity) - hours);
  }
  return 0;
}

/**
 * unfairDistance, with an absence (a re-plan's illness) binding like availability: an absent agent below
 * the band is where its absence leaves it, 0.
 */
export function bandDistance(hours: number, totals: number[], from: number, to: number, absent = false): number {
  if (absent && hours < from - EPS) return 0;
  return unfairDistance(hours, totals, from, to);
}

/**
 * The hours an agent may end at and count as fair, for the class band [from, to]: the band itself
 * when one of its own possible totals lies in it, else the totals next to it on either side (where
 * unfairDistance is 0). Used by planners that charge hours outside it.
 */
export function fairHours(totals: number[], from: number, to: number): { from: number; to: number } {
  if (totals.some((t) => t >= from - EPS && t <= to + EPS)) return { from, to };
  const below = totals.filter((t) => t <= to + EPS);
  const above = totals.filter((t) => t >= from - EPS);
  return { from: below.length ? Math.max(...below) : from, to: above.length ? Math.min(...above) : to };
}

/** The band floor the class is nearest to in total (candidates: each agent's hours, and hours − width). */
export function chooseBandFloor(hours: number[], totals: number[][], width: number, absent: readonly boolean[] = []): number {
  const candidates = [...new Set(hours.flatMap((h) => [h, h - width]))].sort((a, b) => a - b);
  let best = candidates[0] ?? 0;
  let bestTotal = Infinity;
  for (const floor of candidates) {
    let total = 0;
    hours.forEach((h, k) => (total += bandDistance(h, totals[k], floor, floor + width, absent[k])));
    if (total < bestTotal - EPS) {
      bestTotal = total;
      best = floor;
    }
  }
  return best;
}

/** The next band floor above (`up`) or below a class's floor: the nearest total one of its agents could work. */
export function adjacentFloor(possibleTotals: number[], floor: number, up: boolean): number | undefined {
  let next: number | undefined;
  for (const t of possibleTotals) {
    if (up ? t > floor + EPS && (next === undefined || t < next) : t < floor - EPS && (next === undefined || t > next)) next = t;
  }
  return next;
}

/** One contract class as tradeBandFloors sees it. */
export interface ClassBandState {
  floor: number;
  /** every total its agents could work on their own, any order */
  possibleTotals: number[];
  /** its agents outside the band below it, and above it */
  outsideBelow: number;
  outsideAbove: number;
}

/**
 * Band floors for re-planning a whole roster when exactly one class has agents outside its band, all on
 * one side: below, it needs more long shifts than it holds, and only the classes it trades shifts with
 * can give them up — so its band moves one possible total up and every other class's one down (above:
 * the mirror). Undefined when no class, several, or both sides are outside: the counts alone do not
 * say which way to move then.
 */
export function tradeBandFloors(classes: ClassBandState[]): number[] | undefined {
  const offending = classes.filter((c) => c.outsideBelow + c.outsideAbove > 0);
  if (offending.length !== 1 || (offending[0].outsideBelow > 0 && offending[0].outsideAbove > 0)) return undefined;
  const up = offending[0].outsideBelow > 0;
  return classes.map((c) => adjacentFloor(c.possibleTotals, c.floor, c === offending[0] ? up : !up) ?? c.floor);
}

/**
 * Band floors for band-first's whole-roster re-plan, most promising first, at most `most` of them:
 * tradeBandFloors's where it gives one; else (several classes outside, or one on both sides) the class
 * with the most agents outside leads (ties: the earlier), its band one possible total towards most of
 * its outside agents (below: up; as many each side: both ways) — first with every other class's band
 * moved the other way (the trade tradeBandFloors makes), then with theirs kept. The leader's outsiders
 * are most of what is unfair, and the other classes are who can trade long shifts with it: at 50 agents
 * (3 full-timers below, 1 above, 1 part-timer below) the trade took 5 outside to 1, re-planning at the
 * bands as they stand only to 2. Empty when nobody is outside.
 */
export function bandFloorVariants(classes: ClassBandState[], most = 2): number[][] {
  const traded = tradeBandFloors(classes);
  if (traded) return [traded].slice(0, most);
  const outside = (c: ClassBandState) => c.outsideBelow + c.outsideAbove;
  const lead = classes.reduce<ClassBandState | undefined>((best, c) => (outside(c) > (best ? outside(best) : 0) ? c : best), undefined);
  if (!lead) return [];
  const directions = lead.outsideBelow > lead.outsideAbove ? [true] : lead.outsideBelow < lead.outsideAbove ? [false] : [true, false];
  const moved = (c: ClassBandState, up: boolean) => adjacentFloor(c.possibleTotals, c.floor, up) ?? c.floor;
  const candidates = [
    ...directions.map((up) => classes.map((c) => moved(c, c === lead ? up : !up))),
    ...directions.map((up) => classes.map((c) => (c === lead ? moved(c, up) : c.floor))),
  ];
  // no repeats, and not the bands as they stand: re-planned there, the 50 agents above ended 2 outside, not 1
  const seen = new Set([classes.map((c) => c.floor).join('|')]);
  const variants: number[][] = [];
  for (const floors of candidates) {
    const key = floors.join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    variants.push(floors);
  }
  return variants.slice(0, most);
}

export function fairnessReport(schedules: AgentSchedule[], model: PeriodModel, shifts: ShiftInfo[], options: AgentOptions): ClassFairness[] {
  const shortest = shifts.length ? Math.min(...shifts.map((s) => s.hours)) : 0;
  const inPeriod = new Set(model.dates);
  const classes = new Map<string, AgentSchedule[]>();
  for (const s of schedules) classes.set(s.agent.contract.class, [...(classes.get(s.agent.contract.class) ?? []), s]);
  return [...classes.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([contractClass, members]) => {
      const hours = spreadOf(members.map((m) => m.totalHours));
      const unrestricted = members.filter((m) => !m.agent.availability && !(m.agent.daysOff ?? []).some((d) => inPeriod.has(d)));
      const totals = members.map((m) => options.possibleTotals(m.agentIndex));
      const absent = members.map((m) => options.absent?.(m.agentIndex) ?? false);
      const floor = chooseBandFloor(members.map((m) => m.totalHours), totals, shortest, absent);
      const to = floor + shortest;
      const heldBelowByAbsence = (m: AgentSchedule, k: number) => absent[k] && m.totalHours < floor - EPS;
      const free = members.filter((m, k) => totals[k].some((t) => t >= floor - EPS && t <= to + EPS) && !heldBelowByAbsence(m, k));
      const outside = members.filter((m, k) => bandDistance(m.totalHours, totals[k], floor, to, absent[k]) > EPS).length;
      return {
        contractClass,
        agents: members.length,
        hours,
        hoursSpread: hours.spread,
        hoursSpreadUnrestricted: unrestricted.length ? spreadOf(unrestricted.map((m) => m.totalHours)).spread : null,
        shortestShiftHours: round(shortest),
        withinOneShortestShift: hours.spread <= shortest + EPS,
        band: { from: round(floor), to: round(to) },
        availabilityBinds: members.length - free.length,
        hoursSpreadWhereAvailabilityAllows: free.length ? spreadOf(free.map((m) => m.totalHours)).spread : null,
        fairWhereAvailabilityAllows: outside === 0,
        agentsOutsideBand: outside,
        weekendShifts: spreadOf(members.map((m) => m.weekendShifts)),
        lateShifts: spreadOf(members.map((m) => m.lateShifts)),
        weekendShiftsWhereOpen: spreadOf(members.filter((m) => options.openTo(m.agentIndex, 'weekend')).map((m) => m.weekendShifts)),
        lateShiftsWhereOpen: spreadOf(members.filter((m) => options.openTo(m.agentIndex, 'late')).map((m) => m.lateShifts)),
        weekendShiftsWithPrevious: withPrevious(members, options, 'weekend'),
        lateShiftsWithPrevious: withPrevious(members, options, 'late'),
        preferenceMisses: members.reduce((sum, m) => sum + m.preferencePenalty, 0),
      };
    });
}

/** This period's and the previous fortnight's shares of the open agents who worked then (ClassFairness.weekendShiftsWithPrevious). */
function withPrevious(members: AgentSchedule[], options: AgentOptions, share: 'weekend' | 'late'): Spread | null {
  const totals: number[] = [];
  let known = false;
  for (const m of members) {
    const previous = options.previous?.(m.agentIndex);
    known ||= previous !== undefined;
    if (!previous || !options.openTo(m.agentIndex, share)) continue;
    totals.push(share === 'weekend' ? m.weekendShifts + previous.weekend : m.lateShifts + previous.late);
  }
  // null only when no previous shift is known; nobody open to the share is an empty spread, as *WhereOpen gives it
  return known ? spreadOf(totals) : null;
}
