/**
 * The roster's LP phase: how many shifts of each template start in each slot of each day, per skill
 * group, so the staffing requirement is covered at least cost.
 *
 * Model (one per skill group — groups do not share shifts, so they are independent problems; the 14
 * days of a group are solved together because night shifts carry coverage across midnight):
 *   variables  x_o ∈ ℤ≥0   shifts of option o = (template, local start, break variant: the meal
 *                          offset, or for meal-less templates the short-break placement)
 *              u_k, v_k ≥ 0 under- and over-staffing of interval k, in agents
 *   minimise   Σ cost_o·x_o + Σ h·(penaltyUnder·u_k + penaltyOver·v_k)      (h = interval length, hours)
 *   subject to Σ a_ok·x_o + u_k − v_k = required_k   for every interval k
 * a_ok is the fraction of interval k that option o spends on the phone (breaks taken out), so the LP
 * itself staggers breaks by choosing between variants, and coverage net of breaks holds. After the
 * integer plan, staggerShortBreaks moves single short breaks (±45 min) off thinly covered intervals;
 * the reported coverage and objective are those of the final breaks.
 *
 * The relaxation is solved with javascript-lp-solver: one LP per skill group up to 14 days, beyond that
 * in 7-day blocks (solveBlockRelaxation: still a valid bound; the simplex is superlinear in the horizon).
 * Integer solution: the relaxation rounded at a few thresholds, each improved by a local search on the
 * exact objective (add / remove a shift, swap one for an overlapping option, or a "kick": remove one and
 * repair greedily), best kept. The library's own branch and bound was measured first and dropped: on a
 * 14-day skill group (1,736 integer variables) it ran past 10 s without beating the rounding. Against
 * HiGHS on the same model the heuristic lands within ~0.2–3 % of its optimum or proven bound (see
 * BENCHMARKS.md, bench:lp), in a fraction of the time. The relaxation value is a lower bound on
 * the objective of any integer plan with these templates.
 */
import solver from 'javascript-lp-solver';
import type { Model } from 'javascript-lp-solver';
import type { SkillGroup } from '../../domain/types';
import { invalid, type ProblemDetail } from '../../errors/wfm-error';
import { DAY_MS, HOUR_MS, intervalStarts, localDate, startOfLocalDay, wallClock } from '../../time/grid';
import { BREAK_GRID_MINUTES, shiftOptions, templatesFor, validateTemplates, type ShiftOption } from '../templates';
import type { CoverageRow, PlannedShift, RequirementRow, ShiftTemplate } from '../types';
import { intervalOverlaps } from '../coverage';

export interface LpPenalties {
  /** cost of one agent-hour of under-staffing, in paid-hour units (default 20: cover nearly everything) */
  underPerAgentHour: number;
  /** cost of one agent-hour of over-staffing beyond the paid hours themselves (default 0.1) */
  overPerAgentHour: number;
  /**
   * added to that for an agent-hour on the phone while the group is closed — an interval without a
   * requirement row: the forecast has a row for every open interval, 0 where it is quiet (default 1: as
   * dear as paying the hour again). A shift from 06:00 for a line that opens at 07:00 covers the same as
   * one from 07:00; left uncovered, it would become a cloud slot paid while the line is closed.
   */
  closedPerAgentHour?: number;
}

export interface PlanShiftsInput {
  skillGroups: SkillGroup[];
  requirement: RequirementRow[];
  templates: ShiftTemplate[];
  /** local dates (YYYY-MM-DD) on which shifts may start; coverage is planned over these days */
  dates: string[];
  penalties?: Partial<LpPenalties>;
  /**
   * 'exact': one LP over the whole horizon. 'blocks': one LP per block of `blockDays` days, cut at the
   * hour fewest shifts span — a valid but weaker bound (0.1–1.5 % on 14 days), and faster when every
   * interval has demand (the simplex is superlinear in the horizon). 'auto' (default): exact up to
   * 14 days, 7-day blocks beyond.
   */
  relaxation?: 'auto' | 'blocks' | 'exact';
  /** days per block when relaxation = 'blocks' (default 7) */
  blockDays?: number;
  /** measures elapsed time for the stats (the core has no clock of its own); absent = no timings */
  clock?: () => number;
  /**
   * A re-plan's published shifts (those left to cloud slots included): the plan keeps their shapes
   * where they still serve. See PUBLISHED_SHAPE_PREFERENCE. The lower bound is still the plain cost LP's.
   */
  published?: Array<Pick<PlannedShift, 'skillGroupId' | 'start' | 'end' | 'breaks'>>;
}

export interface SubproblemStats {
  skillGroupId: string;
  options: number;
  intervals: number;
  relaxationObjective: number;
  relaxationKind: 'exact' | 'blocks';
  integerObjective: number;
  relaxationMs?: number;
  integerMs?: number;
}

export interface PlanShiftsResult {
  shifts: PlannedShift[];
  coverage: CoverageRow[];
  /** the LP relaxation: a lower bound on the objective of any integer plan with these templates */
  lowerBound: { objective: number; paidHours: number };
  integer: { objective: number; paidHours: number; shortfallAgentHours: number; overstaffAgentHours: number };
  /** (integer − lower bound) / lower bound */
  gap: number;
  subproblems: SubproblemStats[];
}

export const DEFAULT_PENALTIES: LpPenalties = { underPerAgentHour: 20, overPerAgentHour: 0.1, closedPerAgentHour: 1 };

/** Longest horizon the 'auto' relaxation solves as one LP (measured: 0.15–2 s per skill group at 14 days). */
const EXACT_RELAXATION_MAX_DAYS = 14;

/** Greedy repair moves after a kick before it is judged (and undone when it does not gain). */
const KICK_REPAIR_STEPS = 4;

/**
 * What keeping one published shift's shape (group, start, end) is worth in a re-plan, in the objective's
 * units (a paid hour at cost 1): the integer search starts from the published shapes and leaves one only
 * for a plan more than this much cheaper. Without it a re-plan on the same forecast, or one moved on a
 * single day, landed in another of the many near-equal optima all over the period — shifts removed and
 * added for agents with no reason. One paid hour: a swap that only saves half an hour's pay or a few
 * over-staffed agent-hours (0.1 each) is not worth a changed shift; a shift that only over-staffs (worth
 * its whole length) still goes, and one still moves to cover 0.05 agent-hours more that are short
 * (under-staffing costs 20 an agent-hour). Measured on the fixture fortnight: see the re-plan test.
 */
export const PUBLISHED_SHAPE_PREFERENCE = 1;

/** A re-plan's moves and starts must gain more than this: a tie keeps the published plan, whatever the rounding noise. */
const PREFERENCE_TIE = 1e-6;

/** Rounding thresholds of the multi-start (1 = floor): 1–2 % better than floor alone on AnonBank; 9 thresholds gained only 0.1 % more. */
const ROUNDING_THRESHOLDS = [1, 0.7, 0.5, 0.3];

/** One skill group's problem in index form. */
export interface Subproblem {
  group: SkillGroup;
  intervalStarts: number[];
  intervalHours: number[];
  /** exclusive end of each interval, epoch ms */
  intervalEnds: number[];
  required: number[];
  /** over-staffing cost per agent-hour of each interval (the closed-hours penalty included) */
  overPenalty: number[];
  options: ShiftOption[];
  /** per option: the intervals it touches and the fraction worked in each */
  coverage: Array<Array<[number, number]>>;
  penalties: LpPenalties;
  /**
   * intervals of the period (up to the midnight after the last date); those after them are the hours
   * into the next period that shifts of the last date reach (see buildSubproblem)
   */
  periodIntervals: number;
}

function dayAfter(date: string, zone: string): string {
  return wallClock(startOfLocalDay(date, zone), zone).plus({ days: 1 }).toISODate()!;
}

/**
 * Intervals of the group's grid from the first date's midnight to the midnight after the last date, then
 * on for the longest template: a night shift of the last date works into the next period, and requirement
 * rows there (the next period's first hours, which only shifts of this one can reach) count for it. Those
 * later intervals without a row are not known to be closed: they cost nothing either way. (Cut at the
 * last midnight, a night shift's hours after it were paid for nothing, and no plan ever ended on a night:
 * the first night of every next roster was left unstaffed.)
 */
export function buildSubproblem(
  group: SkillGroup,
  requirement: RequirementRow[],
  templates: ShiftTemplate[],
  dates: string[],
  penalties: LpPenalties,
): Subproblem {
  const zone = group.timeZone;
  const horizonStart = startOfLocalDay(dates[0], zone);
  const periodEnd = startOfLocalDay(dayAfter(dates[dates.length - 1], zone), zone);
  const longest = templates.reduce((m, t) => Math.max(m, t.lengthMinutes), 0);
  const horizonEnd = periodEnd + Math.ceil(longest / group.intervalMinutes) * group.intervalMinutes * 60_000;
  const starts = intervalStarts(horizonStart, horizonEnd, zone, group.intervalMinutes);
  const periodIntervals = starts.filter((s) => s < periodEnd).length;
  const index = new Map(starts.map((s, i) => [s, i]));
  const required = new Array<number>(starts.length).fill(0);
  const open = new Array<boolean>(starts.length).fill(false);
  for (const row of requirement) {
    if (row.skillGroupId !== group.id) continue;
    const k = index.get(row.intervalStart);
    if (k === undefined) continue;
    required[k] += row.required;
    open[k] = true;
  }
  const ends = starts.map((s, i) => (i + 1 < starts.length ? Math.min(starts[i + 1], s + group.intervalMinutes * 60_000) : Math.min(horizonEnd, s + group.intervalMinutes * 60_000)));
  const intervalHours = starts.map((s, i) => (ends[i] - s) / HOUR_MS);
  const options = shiftOptions(templates, group, dates);
  const coverage = options.map((o) => optionCoverage(o, starts, ends));
  // past the period, an interval without a row is neither open nor known to be closed: it costs nothing
  const overPenalty = open.map((isOpen, k) => (k >= periodIntervals && !isOpen ? 0 : penalties.overPerAgentHour + (isOpen ? 0 : penalties.closedPerAgentHour ?? 0)));
  return { group, intervalStarts: starts, intervalEnds: ends, intervalHours, required, overPenalty, options, coverage, penalties, periodIntervals };
}

/** Fraction of each interval an option spends on the phone: its span minus its breaks. */
function optionCoverage(option: ShiftOption, starts: number[], ends: number[]): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  // first interval ending after the shift start (binary search: the grid is sorted)
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= option.start) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < starts.length && starts[k] < option.end; k++) {
    const overlap = (a: number, b: number) => Math.max(0, Math.min(b, ends[k]) - Math.max(a, starts[k]));
    let worked = overlap(option.start, option.end);
    for (const b of option.breaks) worked -= overlap(b.start, b.end);
    const fraction = worked / (ends[k] - starts[k]);
    if (fraction > 1e-9) result.push([k, fraction]);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Objective on a concrete plan (used by the heuristic and to report figures)
// ---------------------------------------------------------------------------------------------------

function scheduledPerInterval(sub: Subproblem, counts: number[]): number[] {
  const scheduled = new Array<number>(sub.intervalStarts.length).fill(0);
  counts.forEach((n, o) => {
    if (n > 0) for (const [k, a] of sub.coverage[o]) scheduled[k] += n * a;
  });
  return scheduled;
}

function intervalPenalty(sub: Subproblem, k: number, scheduled: number): number {
  const diff = sub.required[k] - scheduled;
  const h = sub.intervalHours[k];
  return diff > 0 ? diff * h * sub.penalties.underPerAgentHour : -diff * h * sub.overPenalty[k];
}

export function planObjective(sub: Subproblem, counts: number[]): number {
  const scheduled = scheduledPerInterval(sub, counts);
  let total = 0;
  counts.forEach((n, o) => (total += n * sub.options[o].cost));
  scheduled.forEach((s, k) => (total += intervalPenalty(sub, k, s)));
  return total;
}

// ---------------------------------------------------------------------------------------------------
// LP model
// ---------------------------------------------------------------------------------------------------

/** A column of the LP: a shift option, or the part of one that falls in a block of days. */
interface LpColumn {
  cost: number;
  coverage: Array<[number, number]>;
}

interface SolverResult {
  feasible: boolean;
  result: number;
  [name: string]: number | boolean | undefined;
}

/**
 * Solves the LP in covering form: over-staffing v_k = Σ a_ok·x_o + u_k − r_k is substituted out, which
 * folds its penalty into each column's cost (per on-phone hour) and into u_k, and turns the equalities
 * into ≥ rows. Same optimum (the objective differs by a constant); half the variables, and
 * javascript-lp-solver is about twice as fast on ≥ rows. Returns the column values.
 */
function solveCoveringLp(sub: Subproblem, columns: LpColumn[]): number[] {
  const variables: Model['variables'] = {};
  const constraints: Model['constraints'] = {};
  const touched = new Set<number>();
  columns.forEach((column, c) => {
    let overCost = 0;
    const coefficients: Record<string, number> = {};
    for (const [k, a] of column.coverage) {
      coefficients[`c${k}`] = a;
      overCost += a * sub.intervalHours[k] * sub.overPenalty[k];
      touched.add(k);
    }
    coefficients.cost = column.cost + overCost;
    variables[`x${c}`] = coefficients;
  });
  for (const k of touched) {
    if (sub.required[k] <= 0) continue;
    constraints[`c${k}`] = { min: sub.required[k] };
    variables[`u${k}`] = { cost: (sub.penalties.underPerAgentHour + sub.overPenalty[k]) * sub.intervalHours[k], [`c${k}`]: 1 };
  }
  const solution = solver.Solve({ optimize: 'cost', opType: 'min', constraints, variables }) as SolverResult;
  if (!solution.feasible) throw new Error(`LP relaxation infeasible for skill group ${sub.group.id}`);
  return columns.map((_, c) => {
    const value = solution[`x${c}`];
    return typeof value === 'number' ? value : 0;
  });
}

/** Objective of given column values: their cost plus the penalty of every interval they leave off target. */
function columnsObjective(sub: Subproblem, columns: LpColumn[], values: number[], intervals: number[]): number {
  const scheduled = new Map<number, number>(intervals.map((k) => [k, 0]));
  let total = 0;
  columns.forEach((column, c) => {
    total += column.cost * values[c];
    for (const [k, a] of column.coverage) scheduled.set(k, (scheduled.get(k) ?? 0) + a * values[c]);
  });
  for (const [k, s] of scheduled) total += intervalPenalty(sub, k, s);
  return total;
}

export interface Relaxation {
  /** a lower bound on the objective of every integer plan of the subproblem */
  objective: number;
  /** fractional shift counts per option (a starting point for rounding) */
  counts: number[];
  /** 'exact' = the LP over the whole horizon; 'blocks' = the sum of per-block LPs (weaker, still valid) */
  kind: 'exact' | 'blocks';
}

/** The LP relaxation over the whole horizon: the tightest bound, superlinear in the number of days. */
export function solveRelaxation(sub: Subproblem): Relaxation {
  const columns = sub.options.map((o, i) => ({ cost: o.cost, coverage: sub.coverage[i] }));
  const counts = columns.length > 0 ? solveCoveringLp(sub, columns) : [];
  return { objective: planObjective(sub, counts), counts, kind: 'exact' };
}

/**
 * A faster valid bound: cut the horizon into blocks of `blockDays` days at `boundaryMinute` local time
 * and solve one small LP per block. An option crossing a cut appears in both blocks with its cost split
 * by the share of its span in each, and the blocks may disagree on it; dropping that agreement relaxes
 * the whole LP, so the sum of the block optima is still a lower bound.
 */
export function solveBlockRelaxation(sub: Subproblem, dates: string[], blockDays: number, boundaryMinute: number): Relaxation {
  const zone = sub.group.timeZone;
  const cuts: number[] = [];
  for (let d = blockDays; d < dates.length; d += blockDays) cuts.push(startOfLocalDay(dates[d], zone) + boundaryMinute * 60_000);
  const edges = [-Infinity, ...cuts, Infinity];
  const counts = new Array<number>(sub.options.length).fill(0);
  let objective = 0;
  for (let b = 0; b + 1 < edges.length; b++) {
    const from = edges[b];
    const to = edges[b + 1];
    const inBlock = (k: number) => sub.intervalStarts[k] >= from && sub.intervalStarts[k] < to;
    const intervals = sub.intervalStarts.map((_, k) => k).filter(inBlock);
    const members: number[] = [];
    const columns: LpColumn[] = [];
    sub.options.forEach((o, i) => {
      const inside = Math.min(o.end, to) - Math.max(o.start, from);
      if (inside <= 0) return;
      members.push(i);
      columns.push({ cost: (o.cost * inside) / (o.end - o.start), coverage: sub.coverage[i].filter(([k]) => inBlock(k)) });
    });
    const values = columns.length > 0 ? solveCoveringLp(sub, columns) : [];
    objective += columnsObjective(sub, columns, values, intervals);
    // Starting point for rounding: each option takes its value from the block where it starts.
    members.forEach((o, c) => {
      if (sub.options[o].start >= from && sub.options[o].start < to) counts[o] = values[c];
    });
  }
  return { objective, counts, kind: 'blocks' };
}

/** The local minute of day (30-minute steps) where a cut splits the fewest shift-option hours. */
export function quietestBoundaryMinute(sub: Subproblem): number {
  const midnights = new Map<string, number>();
  for (const o of sub.options) if (!midnights.has(o.date)) midnights.set(o.date, startOfLocalDay(o.date, sub.group.timeZone));
  let best = 0;
  let bestCrossing = Infinity;
  for (let minute = 0; minute < 24 * 60; minute += 30) {
    let crossing = 0;
    for (const o of sub.options) {
      const cut = midnights.get(o.date)! + minute * 60_000;
      for (const c of [cut, cut + DAY_MS]) if (o.start < c && o.end > c) crossing += Math.min(c - o.start, o.end - c);
    }
    if (crossing < bestCrossing) {
      bestCrossing = crossing;
      best = minute;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------
// Integer plan: rounding + local search on the exact objective
// ---------------------------------------------------------------------------------------------------

/**
 * Options whose spans overlap (they share at least one interval): the only useful swap partners, since
 * swapping a shift for one that covers other hours cannot keep coverage. Options are scanned in start
 * order, so each list costs O(overlapping options).
 */
function overlappingOptions(sub: Subproblem): number[][] {
  const order = sub.options.map((_, o) => o).sort((p, q) => sub.options[p].start - sub.options[q].start);
  const longest = sub.options.reduce((m, o) => Math.max(m, o.end - o.start), 0);
  const result: number[][] = sub.options.map(() => []);
  for (let i = 0; i < order.length; i++) {
    const me = sub.options[order[i]];
    for (let j = i - 1; j >= 0 && sub.options[order[j]].start > me.start - longest; j--) {
      if (sub.options[order[j]].end > me.start) result[order[i]].push(order[j]);
    }
    for (let j = i + 1; j < order.length && sub.options[order[j]].start < me.end; j++) result[order[i]].push(order[j]);
  }
  return result;
}

/**
 * Rounds the relaxation, then improves one shift at a time on the exact objective: add the option with
 * the best gain, or remove a shift that costs more than it covers; when neither helps, swap one shift
 * for an overlapping option (another start, template or meal slot) if that gains. Stops at a local optimum.
 */
export function roundAndImprove(sub: Subproblem, relaxedCounts: number[], threshold = 1, neighbours = overlappingOptions(sub), preference?: ShapePreference): number[] {
  // threshold 1 = floor; 0.5 = nearest; a value rounds up when its fractional part ≥ threshold
  const counts = relaxedCounts.map((v) => (v - Math.floor(v + 1e-6) >= threshold - 1e-6 ? Math.ceil(v - 1e-6) : Math.floor(v + 1e-6)));
  return improve(sub, counts, neighbours, preference);
}

/**
 * Shapes (start and end) a re-plan would rather keep: `wanted[s]` shifts of shape s, each worth
 * `weight` while the plan has no more of that shape than were published. Options of one shape differ
 * only in their breaks, which a kept shift takes from the published one anyway.
 */
export interface ShapePreference {
  /** per option: its shape's index, −1 when no published shift has its times */
  shapeOf: number[];
  wanted: number[];
  weight: number;
}

/** A re-plan's published shifts as a preference over the subproblem's options, and the counts that plan them all. */
export function publishedPreference(sub: Subproblem, published: NonNullable<PlanShiftsInput['published']>, weight = PUBLISHED_SHAPE_PREFERENCE): { preference: ShapePreference; counts: number[] } {
  const shapeIndex = new Map<string, number>();
  const shapeOf = sub.options.map((o) => {
    const key = `${o.start}|${o.end}`;
    if (!shapeIndex.has(key)) shapeIndex.set(key, shapeIndex.size);
    return shapeIndex.get(key)!;
  });
  const wanted = new Array<number>(shapeIndex.size).fill(0);
  const counts = new Array<number>(sub.options.length).fill(0);
  const optionsOf = new Map<number, number[]>();
  shapeOf.forEach((s, o) => optionsOf.set(s, [...(optionsOf.get(s) ?? []), o]));
  // how far a variant's breaks lie from the published ones (staggered after the plan, or moved by a planner)
  const apart = (option: ReadonlyArray<{ start: number }>, published: ReadonlyArray<{ start: number }>) => {
    if (option.length !== published.length) return Infinity;
    const a = option.map((b) => b.start).sort((x, y) => x - y);
    const b = published.map((x) => x.start).sort((x, y) => x - y);
    return a.reduce((sum, t, i) => sum + Math.abs(t - b[i]), 0);
  };
  for (const shift of published) {
    if (shift.skillGroupId !== sub.group.id) continue;
    const s = shapeIndex.get(`${shift.start}|${shift.end}`);
    // a shape no template offers any more (the templates changed): nothing to keep
    if (s === undefined) continue;
    wanted[s]++;
    // the variant whose breaks lie nearest the published ones: the coverage the agents give
    const same = optionsOf.get(s)!;
    const distance = (x: number) => apart(sub.options[x].breaks, shift.breaks);
    counts[same.reduce((best, x) => (distance(x) < distance(best) ? x : best), same[0])]++;
  }
  return { preference: { shapeOf: shapeOf.map((x) => (wanted[x] > 0 ? x : -1)), wanted, weight }, counts };
}

/** The objective with the preference's reward taken off (what a re-plan's integer search minimises). */
export function preferredObjective(sub: Subproblem, counts: number[], preference?: ShapePreference): number {
  const objective = planObjective(sub, counts);
  if (!preference) return objective;
  const have = new Array<number>(preference.wanted.length).fill(0);
  counts.forEach((n, o) => {
    if (preference.shapeOf[o] >= 0) have[preference.shapeOf[o]] += n;
  });
  return objective - preference.weight * have.reduce((sum, n, s) => sum + Math.min(n, preference.wanted[s]), 0);
}

/**
 * The local search of roundAndImprove from given integer counts (changed in place and returned). With a
 * preference, a move's change counts the reward it gains or loses.
 */
export function improve(sub: Subproblem, counts: number[], neighbours = overlappingOptions(sub), preference?: ShapePreference): number[] {
  const scheduled = scheduledPerInterval(sub, counts);
  const have = preference ? new Array<number>(preference.wanted.length).fill(0) : [];
  if (preference) counts.forEach((n, o) => preference.shapeOf[o] >= 0 && (have[preference.shapeOf[o]] += n));
  const rewardChange = (o: number, sign: 1 | -1): number => {
    const s = preference ? preference.shapeOf[o] : -1;
    if (s < 0) return 0;
    // adding below the published count earns the reward; removing down from at most that count loses it
    if (sign === 1) return have[s] < preference!.wanted[s] ? -preference!.weight : 0;
    return have[s] <= preference!.wanted[s] ? preference!.weight : 0;
  };
  const delta = (o: number, sign: 1 | -1): number => {
    let change = sign * sub.options[o].cost + rewardChange(o, sign);
    for (const [k, a] of sub.coverage[o]) change += intervalPenalty(sub, k, scheduled[k] + sign * a) - intervalPenalty(sub, k, scheduled[k]);
    return change;
  };
  const apply = (o: number, sign: 1 | -1) => {
    counts[o] += sign;
    if (preference && preference.shapeOf[o] >= 0) have[preference.shapeOf[o]] += sign;
    for (const [k, a] of sub.coverage[o]) scheduled[k] += sign * a;
  };
  const eps = preference ? PREFERENCE_TIE : 1e-9;
  let swapCursor = 0;
  for (let round = 0; round < 1_000_000; round++) {
    let bestMove: { option: number; sign: 1 | -1; gain: number } | undefined;
    for (let o = 0; o < counts.length; o++) {
      const addGain = -delta(o, 1);
      if (addGain > (bestMove?.gain ?? eps)) bestMove = { option: o, sign: 1, gain: addGain };
      if (counts[o] > 0) {
        const removeGain = -delta(o, -1);
        if (removeGain > (bestMove?.gain ?? eps)) bestMove = { option: o, sign: -1, gain: removeGain };
      }
    }
    if (bestMove) {
      apply(bestMove.option, bestMove.sign);
      continue;
    }
    // Swap: scan used options round-robin from where the last swap was found.
    let swapped = false;
    for (let step = 0; step < counts.length && !swapped; step++) {
      const out = (swapCursor + step) % counts.length;
      if (counts[out] === 0) continue;
      const removeChange = delta(out, -1);
      apply(out, -1);
      let best = -1;
      let bestChange = -removeChange - eps;
      for (const o of neighbours[out]) {
        const change = delta(o, 1);
        if (change < bestChange) {
          bestChange = change;
          best = o;
        }
      }
      if (best >= 0) {
        apply(best, 1);
        swapCursor = out;
        swapped = true;
      } else {
        apply(out, 1);
      }
    }
    if (swapped) continue;
    // Kick: remove one shift and let a few greedy moves among its overlapping options repair the hole
    // (finds 2→1 merges and 1→2 splits that no single swap reaches); undone unless the total gains.
    let kicked = false;
    for (let out = 0; out < counts.length && !kicked; out++) {
      if (counts[out] > 0) kicked = kick(out);
    }
    if (!kicked) break;
  }
  return counts;

  function kick(out: number): boolean {
    const moves: Array<[number, 1 | -1]> = [[out, -1]];
    let total = delta(out, -1);
    apply(out, -1);
    const added = new Set<number>();
    for (let step = 0; step < KICK_REPAIR_STEPS; step++) {
      let best: [number, 1 | -1] | undefined;
      let bestChange = -eps;
      for (const o of neighbours[out]) {
        const addChange = delta(o, 1);
        if (addChange < bestChange) [best, bestChange] = [[o, 1], addChange];
        if (counts[o] > 0 && !added.has(o)) {
          const removeChange = delta(o, -1);
          if (removeChange < bestChange) [best, bestChange] = [[o, -1], removeChange];
        }
      }
      if (!best) break;
      apply(best[0], best[1]);
      if (best[1] === 1) added.add(best[0]);
      moves.push(best);
      total += bestChange;
      if (total < -1e-6) return true;
    }
    for (let i = moves.length - 1; i >= 0; i--) apply(moves[i][0], moves[i][1] === 1 ? -1 : 1);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Short-break staggering after the LP
// ---------------------------------------------------------------------------------------------------

/** How far (in break-grid steps) a short break may move from its nominal place. */
const SHORT_BREAK_SLACK_STEPS = 3;

/**
 * The LP staggers meal breaks (their offset is part of each option), but short breaks sit at fixed
 * places relative to the meal, so shifts with the same start take them together. This pass moves each
 * short break, one at a time, to the place within ±45 minutes (inside its shift, clear of its other
 * breaks) where it costs least on the exact objective — typically an interval that is over-covered —
 * and returns the resulting agents on the phone per interval. It never makes the objective worse: the
 * current place is always a candidate.
 */
export function staggerShortBreaks(sub: Subproblem, shifts: PlannedShift[]): number[] {
  const scheduled = new Array<number>(sub.intervalStarts.length).fill(0);
  const span = (from: number, to: number, sign: 1 | -1) => {
    for (const [k, fraction] of intervalOverlaps(sub.intervalStarts, sub.intervalEnds, from, to)) scheduled[k] += sign * fraction;
  };
  for (const shift of shifts) {
    span(shift.start, shift.end, 1);
    for (const b of shift.breaks) span(b.start, b.end, -1);
  }
  const step = BREAK_GRID_MINUTES * 60_000;
  for (let pass = 0; pass < 2; pass++) {
    for (const shift of shifts) {
      shift.breaks.forEach((b, index) => {
        if (b.kind !== 'short') return;
        const length = b.end - b.start;
        span(b.start, b.end, 1); // take the break out, then find its best place
        const others = shift.breaks.filter((_, j) => j !== index);
        let bestStart = b.start;
        let bestCost = breakCost(sub, scheduled, b.start, b.end);
        for (let j = -SHORT_BREAK_SLACK_STEPS; j <= SHORT_BREAK_SLACK_STEPS; j++) {
          const start = b.start + j * step;
          const end = start + length;
          if (j === 0 || start <= shift.start || end >= shift.end) continue;
          if (others.some((o) => start < o.end && end > o.start)) continue;
          const cost = breakCost(sub, scheduled, start, end);
          if (cost < bestCost - 1e-9) {
            bestCost = cost;
            bestStart = start;
          }
        }
        b.start = bestStart;
        b.end = bestStart + length;
        span(b.start, b.end, -1);
      });
      shift.breaks.sort((p, q) => p.start - q.start);
    }
  }
  return scheduled;
}

/** Extra penalty of taking an agent off the phone during [from, to). */
function breakCost(sub: Subproblem, scheduled: number[], from: number, to: number): number {
  let cost = 0;
  for (const [k, fraction] of intervalOverlaps(sub.intervalStarts, sub.intervalEnds, from, to)) cost += intervalPenalty(sub, k, scheduled[k] - fraction) - intervalPenalty(sub, k, scheduled[k]);
  return cost;
}

// ---------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------

function validateInput(input: PlanShiftsInput): void {
  const problems: ProblemDetail[] = [];
  if (input.dates.length === 0) problems.push({ where: '/dates', message: 'at least one date' });
  input.dates.forEach((d, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) problems.push({ where: `/dates/${i}`, message: `not an ISO date: "${d}"` });
  });
  const groups = new Set(input.skillGroups.map((g) => g.id));
  input.requirement.forEach((r, i) => {
    if (!groups.has(r.skillGroupId)) problems.push({ where: `/requirement/${i}/skillGroupId`, message: `unknown skill group "${r.skillGroupId}"` });
    if (!(r.required >= 0) || !Number.isFinite(r.required)) problems.push({ where: `/requirement/${i}/required`, message: 'must be a finite number ≥ 0' });
  });
  input.skillGroups.forEach((g, i) => {
    if (templatesFor(input.templates, g).length === 0) problems.push({ where: `/skillGroups/${i}`, message: `no shift template may be used for skill group "${g.id}"` });
  });
  const p = { ...DEFAULT_PENALTIES, ...input.penalties };
  if (!(p.underPerAgentHour >= 0) || !(p.overPerAgentHour >= 0)) problems.push({ where: '/penalties', message: 'penalties must be ≥ 0' });
  if (input.blockDays !== undefined && !(Number.isInteger(input.blockDays) && input.blockDays >= 1)) problems.push({ where: '/blockDays', message: 'must be an integer ≥ 1' });
  if (problems.length > 0) throw invalid('cannot plan shifts', problems);
}

function shiftId(group: SkillGroup, option: ShiftOption, n: number): string {
  const local = wallClock(option.start, group.timeZone).toFormat('HHmm');
  // the first break's offset tells the break variants of one start apart (meal first when there is one)
  const tagBreak = option.breaks.find((b) => b.kind === 'meal') ?? option.breaks[0];
  const tag = tagBreak ? `-${tagBreak.kind === 'meal' ? 'm' : 's'}${Math.round((tagBreak.start - option.start) / 60_000)}` : '';
  return `${group.id}-${option.date}-${option.templateId}-${local}${tag}-${n}`;
}

export function planShifts(input: PlanShiftsInput): PlanShiftsResult {
  validateTemplates(input.templates);
  validateInput(input);
  const penalties = { ...DEFAULT_PENALTIES, ...input.penalties };
  const dates = [...new Set(input.dates)].sort();
  const clock = input.clock;
  const blockDays = input.blockDays ?? 7;
  const mode = input.relaxation ?? 'auto';
  const useBlocks = mode === 'blocks' || (mode === 'auto' && dates.length > EXACT_RELAXATION_MAX_DAYS);

  const shifts: PlannedShift[] = [];
  const coverage: CoverageRow[] = [];
  const subproblems: SubproblemStats[] = [];
  let lowerObjective = 0;
  let lowerPaidHours = 0;
  let integerObjective = 0;
  let integerPaidHours = 0;
  let shortfallAgentHours = 0;
  let overstaffAgentHours = 0;

  for (const group of input.skillGroups) {
    const sub = buildSubproblem(group, input.requirement, input.templates, dates, penalties);
    const t0 = clock?.();
    const relaxation =
      useBlocks && dates.length > blockDays ? solveBlockRelaxation(sub, dates, blockDays, quietestBoundaryMinute(sub)) : solveRelaxation(sub);
    const t1 = clock?.();
    // Several roundings of the same relaxation lead the local search to different optima; keep the best.
    let counts: number[] = [];
    let objective = Infinity;
    const neighbours = overlappingOptions(sub);
    // A re-plan also starts from the published plan, and every start is judged with its reward for
    // the published shapes it keeps: a fresh rounding wins only where it is worth the reshuffle.
    const published = input.published ? publishedPreference(sub, input.published) : undefined;
    const preference = published?.preference;
    const starts = ROUNDING_THRESHOLDS.map((threshold) => () => roundAndImprove(sub, relaxation.counts, threshold, neighbours, preference));
    if (published) starts.unshift(() => improve(sub, published.counts, neighbours, preference));
    for (const start of starts) {
      const candidate = start();
      const candidateObjective = preferredObjective(sub, candidate, preference);
      if (candidateObjective < objective - (preference ? PREFERENCE_TIE : 1e-9)) {
        counts = candidate;
        objective = candidateObjective;
      }
    }
    // Expand into shift instances and stagger their short breaks where coverage is thin.
    const instances: PlannedShift[] = [];
    counts.forEach((n, o) => {
      const option = sub.options[o];
      for (let i = 1; i <= n; i++) {
        integerPaidHours += option.paidHours;
        instances.push({
          id: shiftId(group, option, i),
          skillGroupId: group.id,
          templateId: option.templateId,
          kind: option.kind,
          date: option.date,
          start: option.start,
          end: option.end,
          breaks: option.breaks.map((b) => ({ ...b })),
        });
      }
    });
    const scheduled = staggerShortBreaks(sub, instances);
    let shiftCost = 0;
    counts.forEach((n, o) => (shiftCost += n * sub.options[o].cost));
    objective = shiftCost + scheduled.reduce((sum, v, k) => sum + intervalPenalty(sub, k, v), 0);
    const t2 = clock?.();

    lowerObjective += relaxation.objective;
    relaxation.counts.forEach((v, o) => (lowerPaidHours += v * sub.options[o].paidHours));
    integerObjective += objective;
    subproblems.push({
      skillGroupId: group.id,
      options: sub.options.length,
      intervals: sub.intervalStarts.length,
      relaxationObjective: relaxation.objective,
      relaxationKind: relaxation.kind,
      integerObjective: objective,
      ...(t0 !== undefined && t1 !== undefined && t2 !== undefined ? { relaxationMs: t1 - t0, integerMs: t2 - t1 } : {}),
    });
    shifts.push(...instances);
    sub.intervalStarts.forEach((start, k) => {
      // the hours into the next period were planned for, but are that period's to report
      if (k >= sub.periodIntervals) return;
      const shortfall = Math.max(0, sub.required[k] - scheduled[k]);
      shortfallAgentHours += shortfall * sub.intervalHours[k];
      overstaffAgentHours += Math.max(0, scheduled[k] - sub.required[k]) * sub.intervalHours[k];
      coverage.push({ skillGroupId: group.id, intervalStart: start, required: sub.required[k], scheduled: scheduled[k], shortfall });
    });
  }
  shifts.sort((a, b) => a.start - b.start || a.skillGroupId.localeCompare(b.skillGroupId) || a.id.localeCompare(b.id));
  return {
    shifts,
    coverage,
    lowerBound: { objective: lowerObjective, paidHours: lowerPaidHours },
    integer: { objective: integerObjective, paidHours: integerPaidHours, shortfallAgentHours, overstaffAgentHours },
    gap: lowerObjective > 0 ? (integerObjective - lowerObjective) / lowerObjective : 0,
    subproblems,
  };
}

/** Local ISO dates starting at `from` (YYYY-MM-DD), `days` of them, in a zone (DST-safe). */
export function localDates(from: string, days: number, zone: string): string[] {
  const first = startOfLocalDay(from, zone);
  return Array.from({ length: days }, (_, i) => localDate(wallClock(first, zone).plus({ days: i }).toMillis(), zone));
}

/**
 * A lower bound on the paid hours of any plan from these templates that delivers at least `target`
 * agents on the phone per interval (e.g. min(required, scheduled) of a finished roster: "the same
 * coverage"). One exact LP per skill group: minimise paid hours subject to coverage ≥ target.
 */
export function paidHoursLowerBound(input: {
  skillGroups: SkillGroup[];
  templates: ShiftTemplate[];
  dates: string[];
  target: RequirementRow[];
}): number {
  validateTemplates(input.templates);
  const dates = [...new Set(input.dates)].sort();
  // A huge under-staffing price makes coverage a hard constraint wherever an option can reach it.
  const penalties: LpPenalties = { underPerAgentHour: 1e4, overPerAgentHour: 0, closedPerAgentHour: 0 };
  let total = 0;
  for (const group of input.skillGroups) {
    const sub = buildSubproblem(group, input.target, input.templates.map((t) => ({ ...t, costPerHour: 1 })), dates, penalties);
    if (sub.options.length === 0) continue;
    const counts = solveRelaxation(sub).counts;
    counts.forEach((v, o) => (total += v * sub.options[o].paidHours));
  }
  return total;
}
