/**
 * The combinatorial phase: names a partner agent for each planned shift, obeying every hard rule, and
 * spreads hours, weekends and late shifts fairly within each contract class.
 *
 * Approach (an agent-by-day MILP does not finish at 30 × 14 in javascript-lp-solver):
 *   1. construction — shifts with the fewest eligible agents first; each goes to the eligible agent
 *      with the lowest score (share of contract hours already given, weekend/late counts, preferences);
 *      on small instances (≤ JOINT_PLAN_MAX_ROWS shifts + agents) replaced by joint planning — column
 *      generation over whole schedules, then diving (./column-generation.ts) — when that is better;
 *   2. local passes — repair (an ejection chain of depth one), weekly minimum (move or swap shifts),
 *      fairness (move and swap single shifts between the most and least loaded agents of a class);
 *   3. ruin and recreate with late acceptance on the objective (coverage, hours spread, minimum);
 *   4. whole-schedule exchanges with the one-agent DP (./agent-plan.ts): two agents release all their
 *      shifts and re-plan their whole period in turn — for a week below the minimum, for hours far
 *      from the class mean, for agents outside the class's fairness band (./fairness.ts) — then
 *      weekend and late shares are evened out by swaps that keep hours equal;
 *   5. top-ups — extra shifts shaped like planned ones where the weekly minimum still fails, chosen by
 *      the DP over the agent's whole period (where they stand in for uncovered planned shifts or the
 *      group needs agents, else the fewest extra hours under every rule; not while the group is closed,
 *      weekend/late shares and preferences weighed); then, given the plan's templates, longer template
 *      shifts for agents with hours to spare that stand in for uncovered planned shifts; followed by one
 *      more levelling;
 *   6. band levelling (./levelling.ts) — ejection chains of single-shift moves and swaps, across
 *      classes, for agents still outside their fairness band; last, weekend and late shares evened out
 *      by exchanging several days between two agents (evenOutShares), top-ups included.
 *   7. with hoursFairness 'band-first' only: agents still outside their band are re-planned jointly with
 *      colleagues (column generation where an hour outside the band costs more than coverage is worth).
 * Whatever stays uncovered is returned with the reason (→ cloud-agent slots). Deterministic: every
 * random choice comes from the seeded generator and every phase is budgeted by work, not time.
 */
import { DateTime } from 'luxon';
import type { Agent, SkillGroup } from '../domain/types';
import {
  AgentSchedule,
  buildPeriodModel,
  daysAwayBefore,
  edgeRunsOf,
  describeShifts,
  FootprintCache,
  previousSharesOf,
  previousWindow,
  type AssignmentOptions,
  type PreviousShares,
  type PeriodModel,
  type PlanningPeriod,
  type ShiftInfo,
} from './assignment-model';
import {
  AvailabilityCache,
  canTake,
  removalKeepsMinimumHours,
  staticallyEligible,
  weeksBelowMinimumHours,
  type RuleContext,
} from './rules';
import type { AssignedShift, PlannedShift, ShiftTemplate } from './types';
import { shiftOptions } from './templates';
import { explainUncovered, type UncoveredReason } from './diagnose';
import { adjacentFloor, bandDistance, bandFloorVariants, chooseBandFloor, fairHours, fairnessReport, type ClassFairness } from './fairness';
import { validateAssignmentInput } from './validate';
import { seededRandom } from './synthetic';
import { bestAgentPlan, type PlanCandidate } from './agent-plan';
import { levelIntoBands } from './levelling';
import { planJointly, type JointPlan, type JointPlanProblem } from './column-generation';
import { DemandGrid, type Demand } from './top-up-demand';
import { startOfLocalDay } from '../time/grid';

export interface AssignmentInput {
  plannedShifts: PlannedShift[];
  /** partner agents are rostered; cloud agents are ignored here (they claim slots) */
  agents: Agent[];
  period: PlanningPeriod;
  options?: AssignmentOptions;
  /** shift id → agent id to keep when the rules still allow it (re-planning: the published roster) */
  keep?: Record<string, string>;
  /** shift ids that must stay with their `keep` agent unconditionally (already started / in the past) */
  frozen?: string[];
  /** a re-plan's cut ("now"), epoch ms: no shift is added (a top-up) that starts before it — that time is over */
  notBefore?: number;
  /** a re-plan's absences (also given as days off): a week with one owes no minimum (AgentSchedule.excusedWeeks) */
  absences?: ReadonlyArray<{ agentId: string; dates: readonly string[] }>;
  /**
   * The templates the plan came from: an agent with hours to spare may then work a longer shift of one
   * of them standing in for uncovered planned shifts (extendIntoUncovered). Absent: no such shifts.
   */
  templates?: ShiftTemplate[];
  /**
   * The requirement the plan was made for (the LP's, per skill group and interval): top-ups go where
   * their group is open and needs agents (./top-up-demand.ts). Absent: every hour counts as open.
   */
  demand?: Demand;
  /**
   * A re-plan's published top-ups that the new plan does not hold (a moved forecast plans afresh, and a
   * fresh plan holds no top-ups): each keeps its agent's time from the start and goes back to its agent
   * before any new top-up is made, where the rules still allow it and the agent still needs it for the
   * weekly minimum or it still covers demand (holdForPublishedTopUps, restorePublishedTopUps). Made
   * anew instead, top-ups went to other agents or other times: the fixture fortnight re-planned with an
   * unchanged forecast listed 38 changes.
   */
  publishedTopUps?: AssignedShift[];
}

export interface AgentBelowMinimum {
  agentId: string;
  week: number;
  hours: number;
  minHoursPerWeek: number;
}

export interface AssignmentObjective {
  uncoveredHours: number;
  /** Σ over contract classes of (max − min total hours) */
  hoursSpreadSum: number;
  /** the number both this heuristic and the exact reference minimise */
  value: number;
}

export interface AssignmentResult {
  /** every assigned shift, top-ups included, sorted by start then agent */
  roster: AssignedShift[];
  /** planned shifts no partner could take (→ cloud-agent slots) */
  uncovered: PlannedShift[];
  /** extra shifts added so agents reach their weekly minimum hours */
  topUps: AssignedShift[];
  /** uncovered planned shifts a top-up's span holds (its agent works those hours): no cloud slot needed */
  standIns: Array<{ plannedShiftId: string; topUpShiftId: string; agentId: string }>;
  reasons: UncoveredReason[];
  fairness: ClassFairness[];
  belowMinimum: AgentBelowMinimum[];
  objective: AssignmentObjective;
  stats: { constructionAssigned: number; repairMoves: number; minimumHoursMoves: number; fairnessMoves: number; ruinAndRecreateAccepted: number };
}

/** Weight of an uncovered paid hour against one hour of fairness spread in the objective. */
export const UNCOVERED_HOUR_WEIGHT = 10;

export function assignShifts(input: AssignmentInput): AssignmentResult {
  const { engine, searched } = assignBeforeLevelling(input);
  // Agents still outside their band: chains of moves and swaps through colleagues (./levelling.ts).
  if (searched) levelIntoBands(engine);
  // Band first (an option): whoever is still outside the band is re-planned jointly with colleagues.
  if (searched && input.options?.hoursFairness === 'band-first') engine.fitBandsJointly();
  // Last, weekend and late shares: late shifts first to those who ask for them, then exchanges among the
  // others; both leave every agent's hours as they are.
  if (searched) engine.honourLatePreferences();
  if (searched) engine.evenOutShares();
  return engine.result();
}

/**
 * Every phase of assignShifts but the last band levelling (bench/roster-fairness-diagnose.ts looks at
 * the roster in between); `searched` says whether the local-search phases ran (levelling follows them).
 */
export function assignBeforeLevelling(input: AssignmentInput): { engine: AssignmentEngine; searched: boolean } {
  const partners = input.agents.filter((a) => a.kind === 'partner');
  const topUps = input.options?.topUpToMinimumHours !== false;
  // a published top-up enters as a planned shift kept for its agent (holdForPublishedTopUps)
  const plannedIds = new Set(input.plannedShifts.map((s) => s.id));
  const partnerIds = new Set(partners.map((a) => a.id));
  const held = topUps ? (input.publishedTopUps ?? []).filter((p) => !plannedIds.has(p.id) && partnerIds.has(p.agentId) && p.start >= (input.notBefore ?? -Infinity)) : [];
  const plannedShifts = [...input.plannedShifts, ...held.map(({ agentId: _agentId, ...shift }) => shift)];
  const keep = { ...input.keep, ...Object.fromEntries(held.map((p) => [p.id, p.agentId])) };
  validateAssignmentInput(partners, plannedShifts);
  const engine = new AssignmentEngine(partners, plannedShifts, input.period, input.options ?? {});
  engine.notBefore = input.notBefore ?? -Infinity;
  engine.excuseAbsences(input.absences ?? []);
  if (input.demand) engine.useDemand(input.demand);
  engine.placeKeptAndFrozen(keep, new Set(input.frozen ?? []));
  if (held.length) engine.holdForPublishedTopUps(held);
  engine.construct();
  const jointlyPlanned = engine.planJointly(input.options?.jointPlanMaxRows ?? JOINT_PLAN_MAX_ROWS);
  const passes = input.options?.localSearchPasses ?? 4;
  for (let pass = 0; pass < passes; pass++) {
    const moved = engine.repairUncovered() + engine.liftToMinimumHours() + engine.balanceHours() + engine.balanceWeekendAndLate();
    if (moved === 0) break;
  }
  const defaultIterations = Math.max(300, Math.min(100_000, Math.round(3_000_000 / Math.max(1, partners.length))));
  // After joint planning the search only polishes (fairness shares, preferences): a short run.
  const iterations = input.options?.ruinAndRecreateIterations ?? (jointlyPlanned ? Math.round(defaultIterations / JOINT_PLAN_SEARCH_SHARE) : defaultIterations);
  if (iterations > 0) {
    engine.ruinAndRecreate(iterations);
    engine.repairUncovered();
    engine.balanceHours();
    engine.balanceWeekendAndLate();
  }
  if (passes > 0) {
    // Whole-schedule exchanges (DP): the weekly minimum first (a hard rule), then fairness, in rounds
    // because each opens moves for the other; budgeted by attempts, not time, for determinism.
    const budget = EXCHANGE_ATTEMPTS_PER_AGENT * partners.length;
    for (let round = 0; round < EXCHANGE_ROUNDS; round++) {
      const moved = engine.liftWeeksByExchange(budget) + engine.levelHours(budget) + engine.fitBands(budget);
      if (moved === 0) break;
    }
    // where the uncovered hours fall (a tie for everything above), then the weekend shares it moved;
    // not when the planner put the hours band first (the band's re-plans come later and undo it)
    if (input.options?.hoursFairness !== 'band-first') engine.spreadShortfall(budget);
    engine.balanceWeekendAndLate();
  }
  if (topUps) {
    engine.restorePublishedTopUps();
    engine.topUpToMinimumHours();
    if (input.templates?.length) engine.extendIntoUncovered(input.templates);
    // Top-ups raise some agents' totals: level again with them in place.
    if (passes > 0) {
      engine.levelHours(EXCHANGE_ATTEMPTS_PER_AGENT * partners.length);
      engine.fitBands(EXCHANGE_ATTEMPTS_PER_AGENT * partners.length);
    }
  }
  return { engine, searched: passes > 0 };
}

/** rounds of spreadShortfall over all agents (while one still moves something) */
const SPREAD_ROUNDS = 3;
/** smallest fall of the concentration (hours) a spreadShortfall move must bring */
const SPREAD_MIN_GAIN = 1e-3;
const WEEKEND_WEIGHT = 6;
const LATE_WEIGHT = 6;
const PREFERENCE_WEIGHT = 4;
const BELOW_MINIMUM_BONUS = 40;
const KEEP_BONUS = 1000;
const MINIMUM_OUT_OF_REACH_PENALTY = 300;
/** search objective cost of one agent-week below the contract minimum (a hard rule: dominates) */
const BELOW_MINIMUM_SEARCH_COST = 10_000;
/**
 * Length of the late-acceptance history. On the 30-agent reference (100k iterations) 20 beat plain
 * hill climbing (1) by ~6% and a history of 100 by ~4%.
 */
const LATE_ACCEPTANCE = 20;
/** the search stops after max(this, iterations / 4) iterations without a new best */
const STAGNATION_MIN_ITERATIONS = 2000;
/** cost of one hour of top-up (over-staffing the contract guarantees) when re-planning for the weekly minimum */
const TOP_UP_HOUR_COST = 1;
/**
 * what a top-up hour costs on top of that while its group is closed or has nobody to serve (no
 * requirement): such an hour is worth nothing, so any useful shape of the same length wins, and a
 * longer useful one wins over a shorter idle one where the contract has room
 */
const TOP_UP_IDLE_HOUR_COST = 2;
/** cost of a weekend (late) top-up, times 1 + the shifts the agent's share is above its class's mean */
const TOP_UP_SHARE_COST = 2;
/** cost of a top-up per preference it misses (as two extra paid hours and more) */
const TOP_UP_PREFERENCE_COST = 3;
/**
 * cost per hour of a top-up in a week that meets the minimum already (it only makes room for a short
 * week): above any coverage a top-up hour can buy (stood-in and needed hours, UNCOVERED_HOUR_WEIGHT
 * each), so the DP never adds one there for its own sake
 */
const MAKING_ROOM_TOP_UP_HOUR_COST = 2 * UNCOVERED_HOUR_WEIGHT + 1;
/** random score noise (points) while recreating, so repeated ruins explore different insertions */
const RECREATE_NOISE = 20;
/** weight of one shift of weekend/late spread against one hour of hours spread in the search */
const SHARE_SPREAD_WEIGHT = 0.25;
/** weight of one shift against a preference in the search: honoured where it costs (almost) nothing */
const PREFERENCE_SEARCH_WEIGHT = 0.05;
/** score points per contract hour made unreachable this week */
const CAPACITY_LOSS_WEIGHT = 3;
/** random value (in objective points) added to each candidate shift of the DP, to vary equal choices */
const PLAN_NOISE = 0.3;
/** value of keeping a re-planned shift with the agent who had it (a change costs the agents) */
const KEEP_SEARCH_WEIGHT = 2;
/** weight of an hour outside the fairness band in the final polish (below an uncovered hour) */
const BAND_DISTANCE_WEIGHT = 1;
/** colleagues an agent outside its band tries to exchange with */
const BAND_PARTNERS = 30;
/** rounds of the exchange phases (weekly minimum, levelling, bands) while they still move something */
const EXCHANGE_ROUNDS = 3;
/** attempts of each whole-schedule exchange phase, per partner agent */
const EXCHANGE_ATTEMPTS_PER_AGENT = 20;
/** how many low colleagues a high agent tries to level with */
const LEVEL_PARTNERS = 30;
/**
 * weight of Σ (hours − class mean)² in the search: evens out hours where max − min cannot see it yet
 * (one of many agents at the top moving down), and outweighs the half-hour a part-timer's max may grow
 * by when a full-timer's 8.5-hour shift is traded for their 4-hour one; far below an uncovered hour
 */
const HOURS_DEVIATION_WEIGHT = 0.1;
/** caps that bound the local search on large instances */
const REPAIR_AGENT_CAP = 60;
const FAIRNESS_ROUNDS = 6;
const FAIRNESS_ROUNDS_PER_CLASS = 400;
const OPEN_WEEKEND = 1;
const OPEN_LATE = 2;
/** below this, two weekend/late shares (fractional where the previous fortnight's class mean stands in) are equal */
const EPS = 1e-9;
/** how many of the most and of the least loaded agents the weekend/late balancing pairs up */
const SHARE_PARTNERS = 10;
/** how many colleagues an agent at its class's most (fewest) weekend/late shifts tries to exchange days with */
const SHARE_EXCHANGE_PARTNERS = 100;
/** how often evenOutShares goes over a class's weekend and late shares while either still changes */
const SHARE_SWEEPS = 3;
/** how many of the most loaded agents a low agent tries to take a shift from */
const BALANCE_PARTNERS = 25;
/**
 * Joint planning by column generation runs while planned shifts + agents ≤ this: its simplex keeps a
 * dense basis inverse (rows² per pivot) — ~20 s at 351 rows on this machine, minutes at 500.
 */
const JOINT_PLAN_MAX_ROWS = 400;
/**
 * Band-first hours fairness (fitBandsJointly): an hour outside an agent's band costs this much in the
 * group's joint plan — above the 10 points an hour of coverage is worth, so fairness comes first.
 */
const BAND_FIRST_HOUR_COST = 1000;
/** agents re-planned together by fitBandsJointly, and how many groups it tries */
const BAND_FIRST_GROUP = 20;
/**
 * fitBandsWholeRoster re-plans everyone at once while planned shifts + agents ≤ this: 525 at 50 agents
 * (150–190 s on this machine); the master's dense simplex grows with rows².
 */
const BAND_FIRST_WHOLE_ROSTER_MAX_ROWS = 600;
/**
 * band-floor variants fitBandsWholeRoster tries at most (bandFloorVariants), each one more whole-roster
 * re-plan of minutes: at 50 agents the second (the leader's band alone moved) kept nobody more in band
 * than the first, so one.
 */
const BAND_FIRST_WHOLE_ROSTER_VARIANTS = 1;
const BAND_FIRST_ROUNDS = 4;
/** ruin and recreate runs 1/this of its usual iterations after joint planning */
const JOINT_PLAN_SEARCH_SHARE = 10;
/** cost of a week below the minimum in joint planning: above the value of every hour of a week */
const JOINT_BELOW_MINIMUM_COST = UNCOVERED_HOUR_WEIGHT * 7 * 24;

export class AssignmentEngine {
  readonly model: PeriodModel;
  readonly infos: ShiftInfo[];
  readonly schedules: AgentSchedule[];
  readonly ctx: RuleContext;
  /** agent index per shift, -1 = unassigned */
  readonly assignedTo: Int32Array;
  /** statically eligible agents per shift (skill, availability, days off) */
  readonly eligible: Int32Array[];
  private readonly eligibleSets: Array<Set<number>>;
  /** statically eligible shifts per agent (the inverse of `eligible`) */
  readonly eligibleShifts: Int32Array[];
  /** contract class (index into classMembers) per agent */
  readonly classOf: Int32Array;
  /** agents per skill group */
  private readonly agentsWithSkill: Map<string, number[]>;
  /** contract-hours capacity of the period per agent (for the load share) */
  private readonly capacity: Float64Array;
  /** contract minimum hours of the period per agent (complete weeks only) */
  private readonly guaranteed: Float64Array;
  /** most hours each agent could work on its own (computed when first needed) */
  private reachable: Float64Array | undefined;
  private readonly possibleTotalsCache = new Map<string, number[]>();
  private readonly keepAgent: Int32Array;
  readonly pinned: Uint8Array;
  /** undo log of the ruin-and-recreate step: pairs (shift, agent) for a give, (shift, −1 − agent) for a take-back */
  private journal: number[] | null = null;
  private noise = 0;
  private readonly random: () => number;
  private readonly longestShiftHours: number;
  /** each planned shift's day-and-skill-group bucket (see uncoveredByBucket) */
  private readonly dayBucket: Int32Array;
  /** the planned hours some agent could work in each bucket */
  private readonly bucketHours: Float64Array;
  /** the shortest planned shift: the width of a class's fairness band (./fairness.ts) */
  readonly shortestPlannedHours: number;
  /** agent indices per contract class, ascending */
  readonly classMembers: number[][];
  /**
   * Per agent, the weekend (late) shifts of the previous fortnight that count towards its share here
   * (previousSharesOf): its own, or for an agent with no shift there (new, back from leave) its class's
   * mean, so that it is neither owed nor owing a weekend.
   */
  private readonly previousWeekend: Float64Array;
  private readonly previousLate: Float64Array;
  /** the agents' own previous shares, for the report */
  private readonly previousShares: Map<string, PreviousShares>;
  /**
   * Per agent, OPEN_WEEKEND | OPEN_LATE where it is open to the share (openTo), and each class's open
   * agents per share: preferences and eligibility do not change during the assignment, and the share
   * passes, the top-up re-plans and the report all ask.
   */
  private readonly openFlags: Uint8Array;
  private readonly openMembers: Record<'weekend' | 'late', number[][]>;
  /** skill groups of each agent as a bit set (first 31 skill groups; beyond that every bit is set) */
  private readonly skillMask: Int32Array;
  private readonly topUpInfos: ShiftInfo[] = [];
  private readonly topUpAgent: number[] = [];
  /**
   * a re-plan's published top-ups to restore (holdForPublishedTopUps): agent, the planned shift standing
   * in for the top-up meanwhile, and the planned shifts nobody may take meanwhile (held for it)
   */
  private readonly publishedTopUps: Array<{ agent: number; placeholder: number; held: number[] }> = [];
  /** 1 for a planned shift standing in for a published top-up (holdForPublishedTopUps): never in the result as planned */
  private placeholder: Uint8Array;
  /** planned shifts held back for a published top-up, with the agents eligible for them */
  private readonly heldFor = new Map<number, Int32Array>();
  /** per planned shift: the top-up (position in topUpInfos) standing in for it while it is uncovered, else −1 */
  private standIn: Int32Array;
  /** the plan's requirement and what is staffed there, when given (AssignmentInput.demand) */
  private demandGrid?: DemandGrid;
  /** planned shifts by `${skill group}|${day}` (built when top-ups first need it) */
  private plannedByGroupDay?: Map<string, number[]>;
  private readonly stats = { constructionAssigned: 0, repairMoves: 0, minimumHoursMoves: 0, fairnessMoves: 0, ruinAndRecreateAccepted: 0 };

  /** see AssignmentOptions.bandFirstWholeRosterMaxRows */
  private readonly wholeRosterMaxRows: number;
  /** see AssignmentInput.notBefore */
  notBefore = -Infinity;
  /** per agent, 1 when a re-plan's absence falls in the period (isAbsent) */
  private readonly absent: Uint8Array;

  constructor(
    readonly agents: Agent[],
    readonly planned: PlannedShift[],
    period: PlanningPeriod,
    options: AssignmentOptions,
  ) {
    this.model = buildPeriodModel(period, options);
    this.random = seededRandom(options.seed ?? 1);
    this.wholeRosterMaxRows = options.bandFirstWholeRosterMaxRows ?? BAND_FIRST_WHOLE_ROSTER_MAX_ROWS;
    this.infos = describeShifts(this.model, planned);
    this.schedules = agents.map((a, i) => new AgentSchedule(a, i, this.model));
    this.absent = new Uint8Array(agents.length);
    const commitments = new Map<string, Array<{ start: number; end: number }>>();
    for (const c of options.commitments ?? []) commitments.set(c.agentId, [...(commitments.get(c.agentId) ?? []), c]);
    const edgeRuns = edgeRunsOf(options.commitments ?? [], period);
    for (const schedule of this.schedules) schedule.edgeRuns = edgeRuns.get(schedule.agent.id) ?? schedule.edgeRuns;
    this.excuseDaysOff();
    this.ctx = { model: this.model, shifts: [...this.infos], footprints: new FootprintCache(), availability: new AvailabilityCache(), commitments };
    this.assignedTo = new Int32Array(planned.length).fill(-1);
    this.keepAgent = new Int32Array(planned.length).fill(-1);
    this.pinned = new Uint8Array(planned.length);
    this.standIn = new Int32Array(planned.length).fill(-1);
    this.placeholder = new Uint8Array(planned.length);
    const bySkill = new Map<string, number[]>();
    agents.forEach((a, i) => {
      for (const s of a.skills) bySkill.set(s.skillGroupId, [...(bySkill.get(s.skillGroupId) ?? []), i]);
    });
    this.eligible = this.infos.map((info) => {
      if (info.day < 0 || info.day >= period.days) return new Int32Array(0);
      const holders = bySkill.get(info.shift.skillGroupId) ?? [];
      return Int32Array.from(holders.filter((i) => staticallyEligible(agents[i], info, this.ctx)));
    });
    this.eligibleSets = this.eligible.map((e) => new Set(e));
    const shiftsOfAgent: number[][] = agents.map(() => []);
    this.eligible.forEach((list, shift) => list.forEach((a) => shiftsOfAgent[a].push(shift)));
    this.eligibleShifts = shiftsOfAgent.map((list) => Int32Array.from(list));
    this.classMembers = [...this.classes().values()];
    this.classOf = new Int32Array(agents.length);
    this.classMembers.forEach((members, c) => members.forEach((m) => (this.classOf[m] = c)));
    this.openFlags = Uint8Array.from(agents, (_, m) => (this.isOpenTo(m, 'weekend') ? OPEN_WEEKEND : 0) | (this.isOpenTo(m, 'late') ? OPEN_LATE : 0));
    this.openMembers = {
      weekend: this.classMembers.map((members) => members.filter((m) => this.openTo(m, 'weekend'))),
      late: this.classMembers.map((members) => members.filter((m) => this.openTo(m, 'late'))),
    };
    this.previousShares = previousSharesOf(options.commitments ?? [], this.model);
    this.previousWeekend = new Float64Array(agents.length);
    this.previousLate = new Float64Array(agents.length);
    const away = daysAwayBefore(agents, this.model);
    const window = previousWindow(this.model);
    for (const [c, members] of this.classMembers.entries()) {
      for (const [share, previous] of [['weekend', this.previousWeekend], ['late', this.previousLate]] as const) {
        const open = new Set(this.openMembers[share][c]);
        // Days away (leave, a re-plan's absence) are credited at the class's rate per day present — weekend
        // days for the weekend share, every day for the late one — so an absence neither earns nor costs
        // unpopular shifts: an agent ill for five days had worked fewer late shifts, and counted raw it
        // got 7 of its 10 shifts late in the next fortnight.
        const awayOf = (m: number) => {
          const a = away.get(agents[m].id);
          return Math.min(share === 'weekend' ? window.weekendDays : window.days, (share === 'weekend' ? a?.weekendDays : a?.days) ?? 0);
        };
        const windowDays = share === 'weekend' ? window.weekendDays : window.days;
        const knownOpen = [...open].filter((m) => this.previousShares.has(agents[m].id));
        const shifts = knownOpen.reduce((sum, m) => sum + this.previousShares.get(agents[m].id)![share], 0);
        const present = knownOpen.reduce((sum, m) => sum + windowDays - awayOf(m), 0);
        const perDay = present > 0 ? shifts / present : 0;
        const credited = (m: number) => {
          const own = this.previousShares.get(agents[m].id)?.[share];
          return own === undefined ? undefined : own + awayOf(m) * perDay;
        };
        const known = knownOpen.map((m) => credited(m)!);
        const mean = known.length ? known.reduce((sum, x) => sum + x, 0) / known.length : 0;
        const most = known.length ? Math.max(...known) : 0;
        for (const m of members) {
          const mine = credited(m);
          // An agent who asks to avoid weekends (late shifts) is never owed them: its few of the last
          // fortnight were its preference honoured, and counting them made it the first to get this
          // fortnight's (two part-timers avoiding weekends went from 0 to 3 and 4 of them).
          previous[m] = !open.has(m) ? most : mine ?? mean;
        }
      }
    }
    this.agentsWithSkill = bySkill;
    const skillBit = new Map<string, number>();
    for (const a of agents) for (const k of a.skills) if (!skillBit.has(k.skillGroupId)) skillBit.set(k.skillGroupId, skillBit.size);
    this.skillMask = Int32Array.from(agents, (a) => a.skills.reduce((m, k) => (skillBit.get(k.skillGroupId)! < 31 ? m | (1 << skillBit.get(k.skillGroupId)!) : -1), 0));
    // one bucket per day and skill group: the planned hours agents could work there
    const bucketOf = new Map<string, number>();
    this.dayBucket = Int32Array.from(this.infos, (info) => {
      const key = `${info.day}|${info.shift.skillGroupId}`;
      return bucketOf.get(key) ?? bucketOf.set(key, bucketOf.size).get(key)!;
    });
    this.bucketHours = new Float64Array(bucketOf.size);
    this.infos.forEach((info, t) => {
      if (this.eligible[t].length > 0) this.bucketHours[this.dayBucket[t]] += info.hours;
    });
    this.longestShiftHours = this.infos.reduce((m, i) => Math.max(m, i.hours), 0);
    this.shortestPlannedHours = this.infos.reduce((m, i) => Math.min(m, i.hours), Infinity);
    this.guaranteed = Float64Array.from(agents, (a) => this.model.weekLength.filter((len) => len === 7).length * a.contract.minHoursPerWeek);
    this.capacity = Float64Array.from(agents, (a) =>
      this.model.weekLength.reduce((sum, len) => sum + (a.contract.maxHoursPerWeek * len) / 7, 0),
    );
  }

  /** See AssignmentInput.demand: every planned shift staffs it (one left to a cloud slot is worked too). */
  useDemand(demand: Demand): void {
    const { dates, period } = this.model;
    const dayAfter = DateTime.fromISO(dates[dates.length - 1], { zone: 'UTC' }).plus({ days: 1 }).toISODate()!;
    this.demandGrid = new DemandGrid(demand, startOfLocalDay(dates[0], period.timeZone), startOfLocalDay(dayAfter, period.timeZone));
    for (const info of this.infos) this.demandGrid.add(info.shift.skillGroupId, info.shift.start, info.shift.end);
  }

  // ---- moves --------------------------------------------------------------------------------------

  preferenceCost(agentIndex: number, info: ShiftInfo): number {
    const prefs = this.agents[agentIndex].preferences;
    if (!prefs) return 0;
    let cost = 0;
    if (prefs.preferredShiftKinds && prefs.preferredShiftKinds.length > 0 && !prefs.preferredShiftKinds.includes(info.shift.kind)) cost++;
    if (prefs.preferredDaysOff?.includes(info.weekday)) cost++;
    if (prefs.avoidWeekends && info.weekend) cost++;
    return cost;
  }

  give(shift: number, agentIndex: number): void {
    this.journal?.push(shift, agentIndex);
    const info = this.infos[shift];
    this.schedules[agentIndex].add(info, this.preferenceCost(agentIndex, info));
    this.assignedTo[shift] = agentIndex;
  }

  takeBack(shift: number): number {
    const agentIndex = this.assignedTo[shift];
    this.journal?.push(shift, -1 - agentIndex);
    const info = this.infos[shift];
    this.schedules[agentIndex].remove(info, this.preferenceCost(agentIndex, info));
    this.assignedTo[shift] = -1;
    return agentIndex;
  }

  private allowed(agentIndex: number, shift: number): boolean {
    return this.eligibleSets[shift].has(agentIndex) && canTake(this.schedules[agentIndex], this.infos[shift], this.ctx);
  }

  /** Lower is better: the agent's share of contract hours, their weekend/late load, preferences. */
  score(agentIndex: number, shift: number): number {
    const s = this.schedules[agentIndex];
    const info = this.infos[shift];
    let score = (100 * s.totalHours) / Math.max(1, this.capacity[agentIndex]);
    if (s.hoursInWeek[info.week] < s.agent.contract.minHoursPerWeek) score -= BELOW_MINIMUM_BONUS;
    if (!this.canStillReachMinimum(agentIndex, info)) score += MINIMUM_OUT_OF_REACH_PENALTY;
    score += CAPACITY_LOSS_WEIGHT * this.capacityLoss(agentIndex, info);
    if (info.weekend) score += WEEKEND_WEIGHT * this.shareOf(agentIndex, 'weekend');
    if (info.late && !this.wantsLate(agentIndex)) score += LATE_WEIGHT * this.shareOf(agentIndex, 'late');
    score += PREFERENCE_WEIGHT * this.preferenceCost(agentIndex, info);
    if (this.keepAgent[shift] === agentIndex) score -= KEEP_BONUS;
    if (this.noise > 0) score += this.noise * this.random();
    return score;
  }

  placeKeptAndFrozen(keep: Record<string, string>, frozen: Set<string>): void {
    const indexOfAgent = new Map(this.agents.map((a, i) => [a.id, i]));
    const order = this.infos
      .filter((i) => keep[i.shift.id] !== undefined)
      .sort((a, b) => Number(frozen.has(b.shift.id)) - Number(frozen.has(a.shift.id)) || a.shift.start - b.shift.start);
    for (const info of order) {
      const agentIndex = indexOfAgent.get(keep[info.shift.id]);
      if (agentIndex === undefined) continue;
      this.keepAgent[info.index] = agentIndex;
      if (frozen.has(info.shift.id)) {
        // Already worked or under way: it stays whatever the rules now say.
        this.give(info.index, agentIndex);
        this.pinned[info.index] = 1;
      } else if (this.allowed(agentIndex, info.index)) {
        this.give(info.index, agentIndex);
        this.pinned[info.index] = 1;
      }
    }
  }

  /**
   * Day by day (so rest, consecutive days and the weekly look-ahead see a schedule filled from the
   * left), and within a day the shifts with the fewest eligible agents first, long before short.
   */
  construct(): void {
    const order = this.infos
      .map((i) => i.index)
      .filter((i) => this.assignedTo[i] === -1)
      .sort(
        (a, b) =>
          this.infos[a].day - this.infos[b].day ||
          this.eligible[a].length - this.eligible[b].length ||
          this.infos[b].hours - this.infos[a].hours ||
          this.infos[a].shift.start - this.infos[b].shift.start ||
          a - b,
      );
    for (const shift of order) {
      const best = this.bestTaker(shift, -1);
      if (best >= 0) {
        this.give(shift, best);
        this.stats.constructionAssigned++;
      }
    }
  }

  /**
   * Contract hours the agent can no longer work this week because a working day goes to a short
   * shift (a full-timer with five days and 42.5 hours loses 4.5 h on a 4-hour shift; a part-timer
   * usually loses nothing). Short shifts then go to whoever wastes least.
   */
  private capacityLoss(agentIndex: number, info: ShiftInfo): number {
    const s = this.schedules[agentIndex];
    const c = s.agent.contract;
    const daysLeft = Math.min(c.maxDaysPerWeek, this.model.weekLength[info.week] === 7 ? 5 : 7) - s.daysInWeek[info.week];
    const room = c.maxHoursPerWeek - s.hoursInWeek[info.week];
    const before = Math.min(room, daysLeft * this.longestShiftHours);
    const after = Math.min(room - info.hours, (daysLeft - 1) * this.longestShiftHours) + info.hours;
    return Math.max(0, before - after);
  }

  /** After taking the shift, can the agent's remaining working days still lift the week to its minimum? */
  private canStillReachMinimum(agentIndex: number, info: ShiftInfo): boolean {
    const s = this.schedules[agentIndex];
    const c = s.agent.contract;
    if (this.model.weekLength[info.week] < 7) return true;
    const missing = c.minHoursPerWeek - s.hoursInWeek[info.week] - info.hours;
    if (missing <= 1e-6) return true;
    const daysLeft = Math.min(c.maxDaysPerWeek, 5) - s.daysInWeek[info.week] - 1;
    return daysLeft * this.longestShiftHours >= missing - 1e-6;
  }

  private bestTaker(shift: number, excluded: number): number {
    let best = -1;
    let bestScore = Infinity;
    for (const a of this.eligible[shift]) {
      if (a === excluded || !canTake(this.schedules[a], this.infos[shift], this.ctx)) continue;
      const sc = this.score(a, shift);
      if (sc < bestScore) {
        bestScore = sc;
        best = a;
      }
    }
    return best;
  }

  shiftsOf(agentIndex: number): number[] {
    const out: number[] = [];
    for (const s of this.schedules[agentIndex].shiftOnDay) if (s >= 0) out.push(s);
    return out;
  }

  weeksBelow(agentIndex: number): number {
    return weeksBelowMinimumHours(this.schedules[agentIndex], this.model).length;
  }

  /**
   * Uncovered shifts, longest first: direct placement; else an agent takes it after handing one of
   * their blocking shifts to someone else; else (an "upgrade") after dropping a shorter blocking shift,
   * which then stays uncovered — fewer uncovered hours either way.
   */
  repairUncovered(): number {
    let moves = 0;
    const order = this.infos
      .filter((i) => this.assignedTo[i.index] === -1 && this.eligible[i.index].length > 0)
      .sort((x, y) => y.hours - x.hours || x.index - y.index)
      .map((i) => i.index);
    for (const shift of order) {
      if (this.assignedTo[shift] !== -1) continue;
      const direct = this.bestTaker(shift, -1);
      if (direct >= 0) {
        this.give(shift, direct);
        moves++;
        continue;
      }
      const candidates = [...this.eligible[shift]].sort((a, b) => this.score(a, shift) - this.score(b, shift) || a - b).slice(0, REPAIR_AGENT_CAP);
      if (this.ejectFor(shift, candidates, 'hand-over') || this.ejectFor(shift, candidates, 'upgrade')) moves++;
    }
    this.stats.repairMoves += moves;
    return moves;
  }

  private ejectFor(shift: number, candidates: number[], mode: 'hand-over' | 'upgrade'): boolean {
    const info = this.infos[shift];
    for (const a of candidates) {
      const belowBefore = this.weeksBelow(a);
      // Shifts that can block this one: same week (hours, days, days off) and up to two days apart (rest).
      const blockers = this.shiftsOf(a).filter(
        (t) => t < this.infos.length && !this.pinned[t] && (this.infos[t].week === info.week || Math.abs(this.infos[t].day - info.day) <= 2) && (mode === 'hand-over' || this.infos[t].hours < info.hours - 1e-9),
      );
      for (const t of blockers) {
        this.takeBack(t);
        if (canTake(this.schedules[a], info, this.ctx)) {
          this.give(shift, a);
          if (this.weeksBelow(a) <= belowBefore) {
            if (mode === 'upgrade') return true;
            const b = this.bestTaker(t, a);
            if (b >= 0) {
              this.give(t, b);
              return true;
            }
          }
          this.takeBack(shift);
        }
        this.give(t, a);
      }
    }
    return false;
  }

  /**
   * What the local search minimises: uncovered hours, hours spread per class, and (heavily) weeks below
   * the minimum; with `withDeviations`, also the classes' squared deviations from their mean hours (the
   * exchange phases' guide — ruin and recreate, tuned on the plain objective, leaves it out).
   */
  private searchObjective(withDeviations = true): number {
    const uncovered = this.uncoveredHours();
    let spread = 0;
    for (const members of this.classMembers) {
      let lo = Infinity;
      let hi = -Infinity;
      let weekendLo = Infinity;
      let weekendHi = -Infinity;
      let lateLo = Infinity;
      let lateHi = -Infinity;
      for (const m of members) {
        const sch = this.schedules[m];
        lo = Math.min(lo, sch.totalHours);
        hi = Math.max(hi, sch.totalHours);
        weekendLo = Math.min(weekendLo, this.shareOf(m, 'weekend'));
        weekendHi = Math.max(weekendHi, this.shareOf(m, 'weekend'));
        // late shifts of an agent who asks for them are wanted, not a share of the burden
        if (this.wantsLate(m)) continue;
        lateLo = Math.min(lateLo, this.shareOf(m, 'late'));
        lateHi = Math.max(lateHi, this.shareOf(m, 'late'));
      }
      // Weekend and late shares only as a tie-breaker: the search must not make them worse for nothing.
      spread += hi - lo + SHARE_SPREAD_WEIGHT * (weekendHi - weekendLo + (lateHi >= lateLo ? lateHi - lateLo : 0));
    }
    for (const members of withDeviations ? this.classMembers : []) {
      let sum = 0;
      let squares = 0;
      for (const m of members) {
        const h = this.schedules[m].totalHours;
        sum += h;
        squares += h * h;
      }
      spread += HOURS_DEVIATION_WEIGHT * Math.max(0, squares - (sum * sum) / members.length);
    }
    let below = 0;
    let preferenceMisses = 0;
    for (const sch of this.schedules) {
      below += weeksBelowMinimumHours(sch, this.model).length;
      preferenceMisses += sch.preferencePenalty;
    }
    return UNCOVERED_HOUR_WEIGHT * uncovered + spread + BELOW_MINIMUM_SEARCH_COST * below + PREFERENCE_SEARCH_WEIGHT * preferenceMisses;
  }

  /**
   * Uncovered planned hours per day-and-group bucket, and how concentrated they are: Σ over the buckets
   * of uncovered² / planned (from 0 when nothing is uncovered to the uncovered hours themselves when
   * whole days are), with the hours. Only spreadShortfall needs the buckets: the search's hot path sums
   * the hours alone (uncoveredHours).
   */
  private uncoveredByBucket(): { byBucket: Float64Array; hours: number; concentration: number } {
    const byBucket = new Float64Array(this.bucketHours.length);
    let hours = 0;
    for (let t = 0; t < this.infos.length; t++) {
      if (this.assignedTo[t] !== -1 || this.eligible[t].length === 0) continue;
      byBucket[this.dayBucket[t]] += this.infos[t].hours;
      hours += this.infos[t].hours;
    }
    let concentration = 0;
    for (let b = 0; b < byBucket.length; b++) if (byBucket[b] > 0) concentration += (byBucket[b] * byBucket[b]) / this.bucketHours[b];
    return { byBucket, hours, concentration };
  }

  /**
   * Spreads what partners leave uncovered over the days. Service level falls ever faster as a day loses
   * staff, so among rosters that leave as many hours to cloud agents the one that spreads them is
   * better: without this pass, partners scarcer than the plan all worked Monday to Friday (the
   * construction fills the days in order) and a 24/7 line kept 5–15 % of its weekend staff — its weekend
   * shares "fair" at zero each. Each agent in turn is re-planned by the one-agent DP at its own total
   * hours (so no class's hours spread moves), an uncovered shift worth more the more of its day and
   * group is uncovered (the concentration's marginal); kept when the concentration falls while the
   * uncovered hours, the agent's weeks below the minimum and its preference misses do not grow. A pass
   * after the search, not a term of its objective: there it steered ruin-and-recreate off its optima
   * (more hours uncovered).
   */
  spreadShortfall(maxAttempts: number): number {
    let moves = 0;
    let attempts = 0;
    for (let round = 0; round < SPREAD_ROUNDS; round++) {
      let moved = 0;
      for (let a = 0; a < this.agents.length && attempts < maxAttempts; a++) {
        const total = this.schedules[a].totalHours;
        if (total === 0 || this.shiftsOf(a).some((t) => t >= this.infos.length || this.pinned[t])) continue;
        attempts++;
        const before = this.uncoveredByBucket();
        const belowBefore = this.weeksBelow(a);
        const preferenceBefore = this.schedules[a].preferencePenalty;
        this.journal = [];
        this.releaseAgent(a);
        const released = this.uncoveredByBucket().byBucket;
        const candidates: PlanCandidate[] = [];
        for (const t of this.eligibleShifts[a]) {
          if (this.assignedTo[t] !== -1) continue;
          const info = this.infos[t];
          const b = this.dayBucket[t];
          const marginal = (2 * released[b]) / this.bucketHours[b];
          candidates.push({ info, value: (UNCOVERED_HOUR_WEIGHT + marginal) * info.hours - PREFERENCE_SEARCH_WEIGHT * this.preferenceCost(a, info) });
        }
        const plan = bestAgentPlan({
          model: this.model,
          contract: this.agents[a].contract,
          candidates,
          forced: [],
          belowMinimumCost: BELOW_MINIMUM_SEARCH_COST,
          // its own total: the hours spreads stay as they are
          totalHoursBand: { from: total, to: total, costPerHour: BELOW_MINIMUM_SEARCH_COST },
          calendar: this.schedules[a],
        });
        for (const info of plan?.shifts ?? []) if (this.assignedTo[info.index] === -1) this.give(info.index, a);
        const after = this.uncoveredByBucket();
        const kept =
          Math.abs(this.schedules[a].totalHours - total) < 1e-6 &&
          after.hours <= before.hours + 1e-6 &&
          after.concentration < before.concentration - SPREAD_MIN_GAIN &&
          this.weeksBelow(a) <= belowBefore &&
          // a preference (no weekends, …) outweighs where the shortfall falls
          this.schedules[a].preferencePenalty <= preferenceBefore + 1e-9;
        if (kept) moved++;
        else this.undo();
        this.journal = null;
      }
      moves += moved;
      if (moved === 0) break;
    }
    this.stats.fairnessMoves += moves;
    return moves;
  }

  /**
   * Ruin and recreate: take away every shift of a few related agents (sharing a skill) in one week or
   * the whole period, re-insert all uncovered shifts greedily with a little noise in the scores, and
   * keep the result when the objective is no worse (else undo). Seeded, so deterministic.
   */
  ruinAndRecreate(iterations: number): number {
    let current = this.searchObjective(false);
    let best = current;
    let bestAssignment = Int32Array.from(this.assignedTo);
    // Late acceptance: a candidate may also be kept when it beats the objective of LATE_ACCEPTANCE
    // iterations ago, which lets the search walk through slightly worse rosters out of local optima.
    const history = new Float64Array(LATE_ACCEPTANCE).fill(current);
    let improved = 0;
    let lastImprovement = 0;
    const patience = Math.max(STAGNATION_MIN_ITERATIONS, Math.round(iterations / 4));
    for (let it = 0; it < iterations; it++) {
      // Nothing left to gain, or no new best for a long while: stop early.
      if (best <= 1e-9 || it - lastImprovement > patience) break;
      this.journal = [];
      // Half the time aim at an uncovered shift: ruin agents who could work it, in its week, and put it first.
      const r = this.random();
      const short = r < 0.4 ? this.randomAgentBelowMinimum() : r < 0.6 ? this.extremeAgentOfRandomClass() : -1;
      const open = short < 0 && this.random() < 0.5 ? this.randomUncovered() : -1;
      let related: number[];
      let first: number;
      let week: number;
      if (short >= 0) {
        // An agent below the weekly minimum (a hard rule) or at an end of their class's hours range:
        // re-plan them with colleagues over the whole period.
        first = short;
        related = this.agentsBySkill(new Set(this.agents[first].skills.map((k) => k.skillGroupId)));
        week = -1;
      } else if (open >= 0) {
        related = [...this.eligible[open]];
        first = related[Math.floor(this.random() * related.length)];
        week = this.infos[open].week;
      } else {
        first = Math.floor(this.random() * this.agents.length);
        related = this.agentsBySkill(new Set(this.agents[first].skills.map((k) => k.skillGroupId)));
        week = this.random() < 0.5 ? Math.floor(this.random() * this.model.weeks) : -1;
      }
      const chosen = new Set([first]);
      const extra = 1 + Math.floor(this.random() * 3);
      for (let k = 0; k < extra * 3 && chosen.size <= extra; k++) chosen.add(related[Math.floor(this.random() * related.length)]);
      for (const a of chosen) {
        for (const t of this.shiftsOf(a)) {
          if (t < this.infos.length && !this.pinned[t] && (week < 0 || this.infos[t].week === week)) this.takeBack(t);
        }
      }
      this.noise = RECREATE_NOISE;
      const order = this.uncoveredOrder();
      if (open >= 0) order.unshift(open);
      for (const shift of order) {
        if (this.assignedTo[shift] !== -1) continue;
        const taker = this.bestTaker(shift, -1);
        if (taker >= 0) this.give(shift, taker);
      }
      this.noise = 0;
      const candidate = this.searchObjective(false);
      const slot = it % LATE_ACCEPTANCE;
      if (candidate <= current + 1e-9 || candidate <= history[slot] + 1e-9) {
        current = candidate;
        if (current < best - 1e-9) {
          best = current;
          bestAssignment = Int32Array.from(this.assignedTo);
          improved++;
          lastImprovement = it;
        }
      } else {
        this.undo();
      }
      history[slot] = current;
      this.journal = null;
    }
    if (current > best + 1e-9) this.restore(bestAssignment);
    this.stats.ruinAndRecreateAccepted += improved;
    return improved;
  }

  /**
   * Fairness by whole-schedule exchanges. An agent above its class's mean hours (by more than half a
   * shortest shift) and a colleague below theirs (sharing a skill; classes may differ — a full-timer's
   * 8.5-hour shift for a part-timer's 4-hour one is often the only way to even out both classes)
   * release all their shifts; the low one re-plans first with the one-agent DP (./agent-plan.ts),
   * capped near an even split, then the high one from what is left. Unlike moving or swapping single
   * shifts, the DP may rearrange both fortnights completely (other days off, other rest patterns).
   * Kept when the search objective improves (its within-class squared deviations see progress that
   * does not move a class's max − min yet).
   */
  levelHours(maxAttempts: number): number {
    let attempts = 0;
    let moves = 0;
    let progress = true;
    while (progress && attempts < maxAttempts) {
      progress = false;
      let current = this.searchObjective();
      const means = this.classMembers.map((members) => members.reduce((sum, m) => sum + this.schedules[m].totalHours, 0) / members.length);
      const half = this.shortestPlannedHours / 2;
      const excess = (a: number) => this.schedules[a].totalHours - means[this.classOf[a]] - half;
      const room = (a: number) => means[this.classOf[a]] - this.schedules[a].totalHours - half;
      const order = Array.from(this.agents, (_, a) => a);
      const highs = order.filter((a) => excess(a) > 1e-9).sort((x, y) => excess(y) - excess(x) || x - y);
      const lows = order.filter((a) => room(a) > 1e-9).sort((x, y) => room(y) - room(x) || x - y);
      for (const high of highs) {
        if (attempts >= maxAttempts) break;
        let tried = 0;
        for (const low of lows) {
          if (tried >= LEVEL_PARTNERS || excess(high) <= 1e-9) break;
          if (low === high || room(low) <= 1e-9 || (this.skillMask[high] & this.skillMask[low]) === 0) continue;
          tried++;
          attempts++;
          // Up to an even split of the two deviations, rounded up by half a shift of either length.
          const cap = this.schedules[low].totalHours + (excess(high) + room(low)) / 2 + half + this.longestShiftHours / 2;
          const candidate = this.exchangeSchedules([low, high], [cap, undefined]);
          if (candidate < current - 1e-9) {
            current = candidate;
            moves++;
            progress = true;
          } else this.undo();
          this.journal = null;
        }
      }
    }
    this.stats.fairnessMoves += moves;
    return moves;
  }

  /**
   * The totals an agent could work on its own (fairness.ts): sums of the lengths of the shifts it is
   * eligible for, as many as its working days allow, between its weekly minimums and the most it can
   * reach. Agents with the same rules and skills share one computation.
   */
  possibleTotals(a: number): number[] {
    const key = this.agentRulesKey(a);
    const known = this.possibleTotalsCache.get(key);
    if (known) return known;
    const c = this.agents[a].contract;
    const lengths = [...new Set(Array.from(this.eligibleShifts[a], (s) => Math.round(this.infos[s].hours * 60)))];
    const maxShifts = this.model.weekLength.reduce((n, len) => n + Math.min(c.maxDaysPerWeek, len === 7 ? 5 : len), 0);
    const most = Math.round(this.reachableHours()[a] * 60);
    // Only the weeks that owe the minimum, as the checker has it: not a week of an absence or with a day
    // off (excusedWeeks). Counting every complete week left an agent on leave for the whole fortnight
    // (0 h, rightly) with no possible total at all, and its class reported unfair.
    const owing = this.model.weekLength.filter((len, w) => len === 7 && !this.schedules[a].excusedWeeks[w]).length;
    const least = Math.round(owing * c.minHoursPerWeek * 60);
    const totals = new Set<number>();
    const extend = (k: number, count: number, minutes: number) => {
      if (minutes > most) return;
      if (k === lengths.length) {
        if (minutes >= least) totals.add(minutes / 60);
        return;
      }
      for (let n = 0; count + n <= maxShifts && minutes + n * lengths[k] <= most; n++) extend(k + 1, count + n, minutes + n * lengths[k]);
    };
    extend(0, 0, 0);
    const result = [...totals].sort((x, y) => x - y);
    this.possibleTotalsCache.set(key, result);
    return result;
  }

  /** Weekend (late) shifts that count for agent a's share: this period's and the previous fortnight's (previousWeekend). */
  shareOf(a: number, flag: 'weekend' | 'late'): number {
    const s = this.schedules[a];
    return flag === 'weekend' ? s.weekendShifts + this.previousWeekend[a] : s.lateShifts + this.previousLate[a];
  }

  /**
   * Whether weekend (late) shifts are a burden agent a shares with its class: eligible for some, not asking
   * to avoid weekends (not preferring only early/day kinds) — and, for late shifts, not asking for late
   * kinds only (wantsLate): those are wanted, and were levelled down like a burden while colleagues
   * without a preference worked the late shifts they asked for.
   */
  openTo(a: number, share: 'weekend' | 'late'): boolean {
    return (this.openFlags[a] & (share === 'weekend' ? OPEN_WEEKEND : OPEN_LATE)) !== 0;
  }

  /** openTo, worked out (once, in the constructor). */
  private isOpenTo(a: number, share: 'weekend' | 'late'): boolean {
    const prefs = this.agents[a].preferences;
    if (share === 'weekend' && prefs?.avoidWeekends) return false;
    if (share === 'late' && prefs?.preferredShiftKinds?.length && !prefs.preferredShiftKinds.some((k) => this.model.lateKinds.includes(k))) return false;
    if (share === 'late' && this.wantsLate(a)) return false;
    return this.eligibleShifts[a].some((s) => this.infos[s][share]);
  }

  /** Asks for late shifts: every kind it prefers is a late one (a shift of another kind is a preference missed). */
  wantsLate(a: number): boolean {
    const kinds = this.agents[a].preferences?.preferredShiftKinds;
    return !!kinds?.length && kinds.every((k) => this.model.lateKinds.includes(k));
  }

  private agentRulesKey(a: number): string {
    const agent = this.agents[a];
    return JSON.stringify([agent.contract, agent.skills.map((k) => k.skillGroupId).sort(), agent.availability ?? null, agent.daysOff ?? null, agent.timeZone ?? null, this.schedules[a].edgeRuns, Array.from(this.schedules[a].excusedWeeks)]);
  }

  /**
   * The most hours each agent could work in the period with the planned shifts of its skills, given
   * only its own contract, availability and days off (nobody else competing): the DP with every
   * eligible shift worth its hours. Agents with the same rules and skills share one computation.
   */
  reachableHours(): Float64Array {
    if (this.reachable) return this.reachable;
    const known = new Map<string, number>();
    this.reachable = Float64Array.from(this.agents, (agent, a) => {
      const key = this.agentRulesKey(a);
      let hours = known.get(key);
      if (hours === undefined) {
        const candidates = Array.from(this.eligibleShifts[a], (s) => ({ info: this.infos[s], value: this.infos[s].hours }));
        hours = bestAgentPlan({ model: this.model, contract: agent.contract, candidates, forced: [], belowMinimumCost: 0, calendar: this.schedules[a] })?.value ?? 0;
        known.set(key, hours);
      }
      return hours;
    });
    return this.reachable;
  }

  /** Each class's band floor, where its agents are nearest to it in total (as the report chooses it). */
  private bandFloors(totals: number[][]): number[] {
    return this.classMembers.map((members) =>
      chooseBandFloor(members.map((m) => this.schedules[m].totalHours), members.map((m) => totals[m]), this.shortestPlannedHours, members.map((m) => this.isAbsent(m))),
    );
  }

  /** How far agent a is outside its class's band from `floors` (fairness.ts's bandDistance: an absence binds below). */
  private outsideBand(a: number, totals: number[][], floors: number[]): number {
    const floor = floors[this.classOf[a]];
    return bandDistance(this.schedules[a].totalHours, totals[a], floor, floor + this.shortestPlannedHours, this.isAbsent(a));
  }

  /** Absent on some day of the period (a re-plan's absence, excuseAbsences): held below its class's band by it, not by the roster. */
  isAbsent(a: number): boolean {
    return this.absent[a] === 1;
  }

  /**
   * Last fairness polish, on the rule the report judges (fairness.ts): each class's band one shortest
   * shift wide; an agent outside it (beyond what its own possible totals force) exchanges schedules
   * with a colleague sharing a skill — the one who should gain hours plans first, up to the top of its
   * band. Kept when the distance outside the bands shrinks and coverage, weekly minimums and the
   * classes' max − min do not get worse.
   */
  fitBands(maxAttempts: number): number {
    const width = this.shortestPlannedHours;
    const totals = Array.from(this.agents, (_, a) => this.possibleTotals(a));
    const floors = this.bandFloors(totals);
    const outside = (a: number) => this.outsideBand(a, totals, floors);
    const top = (a: number) => floors[this.classOf[a]] + width;
    const measure = () => {
      let total = 0;
      for (let a = 0; a < this.agents.length; a++) total += outside(a);
      return this.searchObjective(false) + BAND_DISTANCE_WEIGHT * total;
    };
    let current = measure();
    let attempts = 0;
    let moves = 0;
    const offenders = Array.from(this.agents, (_, a) => a).filter((a) => outside(a) > 1e-9);
    for (const x of offenders) {
      const above = this.schedules[x].totalHours > top(x);
      // An agent above its band needs a colleague with room below their band's top; one below needs
      // a colleague with hours above their band's floor. Most room (hours) first.
      const slack = (b: number) => (above ? top(b) - this.schedules[b].totalHours : this.schedules[b].totalHours - floors[this.classOf[b]]);
      const partners = this.colleaguesOf(x)
        .filter((b) => b !== x && slack(b) > 1e-9)
        .sort((p, q) => slack(q) - slack(p) || p - q)
        .slice(0, BAND_PARTNERS);
      for (const b of partners) {
        if (attempts++ >= maxAttempts || outside(x) <= 1e-9) break;
        const [gainer, giver] = above ? [b, x] : [x, b];
        this.exchangeSchedules([gainer, giver], [top(gainer), undefined]);
        const candidate = measure();
        if (candidate < current - 1e-9) {
          current = candidate;
          moves++;
        } else this.undo();
        this.journal = null;
      }
    }
    this.stats.fairnessMoves += moves;
    return moves;
  }

  /**
   * The weekly minimum by the same exchange: an agent with a week below its contract minimum re-plans
   * together with a colleague who has hours to spare that week (sharing a skill), the short agent
   * first. Each agent tries the colleagues with the largest surplus that week first.
   */
  liftWeeksByExchange(maxAttempts: number): number {
    let current = this.searchObjective();
    let attempts = 0;
    let moves = 0;
    for (let a = 0; a < this.agents.length && attempts < maxAttempts; a++) {
      for (const week of weeksBelowMinimumHours(this.schedules[a], this.model)) {
        const missing = this.agents[a].contract.minHoursPerWeek - this.schedules[a].hoursInWeek[week];
        const surplus = (b: number) => this.schedules[b].hoursInWeek[week] - this.agents[b].contract.minHoursPerWeek;
        const partners = this.colleaguesOf(a)
          .filter((b) => b !== a && surplus(b) > 0)
          .sort((x, y) => surplus(y) - surplus(x) || x - y)
          .slice(0, LEVEL_PARTNERS);
        for (const b of partners) {
          attempts++;
          const candidate = this.exchangeSchedules([a, b], [this.schedules[a].totalHours + missing + this.shortestPlannedHours / 2, undefined]);
          if (candidate < current - 1e-9) {
            current = candidate;
            moves++;
            break;
          }
          this.undo();
        }
        this.journal = null;
      }
    }
    this.stats.minimumHoursMoves += moves;
    return moves;
  }

  /**
   * Marks the weeks of these absences as owing no minimum (see AgentSchedule.excusedWeeks). An absence on
   * the day after the period (which the night shifts of its last day reach) excuses the last week.
   */
  excuseAbsences(absences: ReadonlyArray<{ agentId: string; dates: readonly string[] }>): void {
    const dayOf = new Map(this.model.dates.map((date, d) => [date, d]));
    const days = this.model.dates.length;
    if (days > 0) dayOf.set(DateTime.fromISO(this.model.dates[days - 1]).plus({ days: 1 }).toISODate()!, days - 1);
    for (const absence of absences) {
      const schedule = this.schedules.find((s) => s.agent.id === absence.agentId);
      for (const date of absence.dates) {
        const d = dayOf.get(date);
        if (!schedule || d === undefined) continue;
        schedule.excusedWeeks[Math.floor(d / 7)] = 1;
        this.absent[schedule.agentIndex] = 1;
      }
    }
  }

  /**
   * A week with one of the agent's days off (leave) owes no minimum, as the checker has it: their leave
   * takes from their contract hours. Without this the builder topped such a week up (a full-timer on
   * leave Monday and Tuesday worked Wednesday to Sunday, a Saturday while the line was closed) and the
   * report listed it below the minimum, while the checker excused it.
   */
  private excuseDaysOff(): void {
    const dayOf = new Map(this.model.dates.map((date, d) => [date, d]));
    for (const schedule of this.schedules) {
      for (const date of schedule.agent.daysOff ?? []) {
        const d = dayOf.get(date);
        if (d !== undefined) schedule.excusedWeeks[Math.floor(d / 7)] = 1;
      }
    }
  }

  /** Agents sharing at least one skill with `a` (a included). */
  private colleaguesOf(a: number): number[] {
    const skills = this.agents[a].skills;
    if (skills.length === 1) return this.agentsWithSkill.get(skills[0].skillGroupId) ?? [a];
    return [...new Set(skills.flatMap((k) => this.agentsWithSkill.get(k.skillGroupId) ?? []))];
  }

  /**
   * Re-plans agents together (see levelHours): all release their shifts, then each in turn takes its
   * best schedule from the pool, each capped at `caps[k]` hours (undefined = no cap); returns the
   * search objective with the journal open.
   */
  private exchangeSchedules(order: number[], caps: Array<number | undefined>): number {
    this.journal = [];
    for (const a of order) this.releaseAgent(a);
    order.forEach((a, k) => this.planAgent(a, caps[k]));
    for (const a of order) {
      for (const s of this.eligibleShifts[a]) {
        if (this.assignedTo[s] !== -1) continue;
        const taker = this.bestTaker(s, -1);
        if (taker >= 0) this.give(s, taker);
      }
    }
    return this.searchObjective();
  }

  private releaseAgent(a: number): void {
    for (const t of this.shiftsOf(a)) if (t < this.infos.length && !this.pinned[t]) this.takeBack(t);
  }

  /** Gives the agent its best schedule from the uncovered shifts (DP), at most `capHours` in total. */
  private planAgent(a: number, capHours?: number): void {
    const candidates: PlanCandidate[] = [];
    for (const s of this.eligibleShifts[a]) {
      if (this.assignedTo[s] !== -1) continue;
      const info = this.infos[s];
      let value = UNCOVERED_HOUR_WEIGHT * info.hours - PREFERENCE_SEARCH_WEIGHT * this.preferenceCost(a, info) + PLAN_NOISE * this.random();
      if (this.keepAgent[s] === a) value += KEEP_SEARCH_WEIGHT;
      candidates.push({ info, value });
    }
    const forced = this.shiftsOf(a).map((t) => this.ctx.shifts[t]);
    const plan = bestAgentPlan({
      model: this.model,
      contract: this.agents[a].contract,
      candidates,
      forced,
      belowMinimumCost: BELOW_MINIMUM_SEARCH_COST,
      maxTotalHours: capHours,
      calendar: this.schedules[a],
    });
    if (!plan) return;
    for (const info of plan.shifts) if (this.assignedTo[info.index] === -1) this.give(info.index, a);
  }

  /** What agent a working shift t is worth in joint planning: its hours covered, less a little for a preference missed. */
  private jointValue(a: number, t: number): number {
    return UNCOVERED_HOUR_WEIGHT * this.infos[t].hours - PREFERENCE_SEARCH_WEIGHT * this.preferenceCost(a, this.infos[t]);
  }

  /**
   * ./column-generation.ts's planJointly on this period, or undefined when its simplex refuses a basis
   * it cannot invert (RangeError): joint planning is an improvement step, so the roster goes on as it
   * is rather than failing the build.
   */
  private jointPlan(problem: Omit<JointPlanProblem, 'model' | 'belowMinimumCost'>): JointPlan | undefined {
    try {
      return planJointly({ ...problem, model: this.model, belowMinimumCost: JOINT_BELOW_MINIMUM_COST, calendar: (a) => this.schedules[a] });
    } catch (error) {
      if (error instanceof RangeError) return undefined;
      throw error;
    }
  }

  /**
   * Replaces the roster by the joint plan of ./column-generation.ts (all agents' whole schedules at
   * once, started from the current roster) when the instance is small enough and the plan is better
   * on the search objective. Not when shifts are kept or pinned (re-planning): the plan ignores them.
   */
  planJointly(maxRows: number): boolean {
    // Any shift to keep (pinned ones are kept too) rules it out: the plan does not see keeping.
    if (this.infos.length + this.agents.length > maxRows || this.keepAgent.some((a) => a >= 0)) return false;
    const before = this.searchObjective(false);
    const saved = Int32Array.from(this.assignedTo);
    const plan = this.jointPlan({
      shifts: this.infos,
      agents: this.agents,
      eligibleShifts: this.eligibleShifts,
      value: (a, s) => this.jointValue(a, s),
      initial: this.agents.map((_, a) => this.shiftsOf(a).filter((t) => t < this.infos.length)),
    });
    if (!plan) return false;
    const assignment = new Int32Array(this.infos.length).fill(-1);
    plan.schedules.forEach((list, a) => list.forEach((s) => (assignment[s] = a)));
    this.restore(assignment);
    if (this.searchObjective(false) <= before) return true;
    this.restore(saved);
    return false;
  }

  /**
   * Hours fairness before coverage (option hoursFairness 'band-first'): agents still outside their class's band
   * (./fairness.ts) after every other pass are re-planned jointly, with a group of colleagues, by the
   * column generation of ./column-generation.ts in which each hour outside an agent's band costs more
   * than any coverage it buys (BAND_FIRST_HOUR_COST). The group gives back its shifts and may take the
   * uncovered ones it is eligible for; everyone else keeps theirs. Why jointly: at 50 agents with
   * 8.5- and 4-hour shifts and more shifts planned than the agents can work, a fair roster needs
   * full-timers on exactly nine long shifts and one short one and part-timers absorbing the other
   * short shifts: a re-patterning of many agents that single moves, swaps and chains do not reach.
   * Kept when fewer agents are outside (bands chosen afresh, as the report does), with no week newly
   * below a minimum; coverage may drop (those shifts become cloud-agent slots) — that is the trade the
   * option asks for. Not when shifts are kept or pinned (re-planning), and not for agents with
   * top-up shifts. Last, fitBandsWholeRoster. Returns how many re-plans were kept.
   */
  fitBandsJointly(): number {
    if (this.keepAgent.some((a) => a >= 0)) return 0;
    const totals = Array.from(this.agents, (_, a) => this.possibleTotals(a));
    const measure = () => {
      const floors = this.bandFloors(totals);
      const distance = Array.from(this.agents, (_, a) => this.outsideBand(a, totals, floors));
      return { floors, distance, outside: distance.filter((d) => d > 1e-9).length, total: distance.reduce((x, y) => x + y, 0) };
    };
    const hasTopUp = (a: number) => this.shiftsOf(a).some((t) => t >= this.infos.length);
    let kept = 0;
    for (let round = 0; round < BAND_FIRST_ROUNDS; round++) {
      const before = measure();
      if (before.outside === 0) break;
      const offenders = Array.from(this.agents, (_, a) => a)
        .filter((a) => before.distance[a] > 1e-9 && !hasTopUp(a))
        .sort((x, y) => before.distance[y] - before.distance[x] || x - y);
      if (offenders.length === 0) break;
      const group = this.bandGroup(offenders, hasTopUp, round);
      const weeksBelowBefore = group.reduce((n, a) => n + this.weeksBelow(a), 0);
      const saved = Int32Array.from(this.assignedTo);
      // The band the class is nearest to may not be the one a fair roster can reach (too few long
      // shifts for everyone at the nearest total): also try each offending class's band one step up
      // and one step down; keep the best (fewest outside, then most coverage).
      let best: { assignment: Int32Array; outside: number; total: number; uncovered: number } | undefined;
      for (const floors of this.floorVariants(before.floors, offenders, totals)) {
        this.restore(saved);
        if (!this.replanGroupInBands(group, floors, totals)) continue;
        const after = measure();
        if (group.reduce((n, a) => n + this.weeksBelow(a), 0) > weeksBelowBefore) continue;
        const uncovered = this.uncoveredHours();
        if (!(after.outside < before.outside || (after.outside === before.outside && after.total < before.total - 1e-9))) continue;
        if (!best || after.outside < best.outside || (after.outside === best.outside && (uncovered < best.uncovered - 1e-9 || (uncovered <= best.uncovered + 1e-9 && after.total < best.total - 1e-9)))) {
          best = { assignment: Int32Array.from(this.assignedTo), outside: after.outside, total: after.total, uncovered };
        }
        if (best.outside === 0) break;
      }
      this.restore(best ? best.assignment : saved);
      if (best) kept++;
      else if (round > 0) break;
    }
    if (this.fitBandsWholeRoster(totals, measure, hasTopUp)) kept++;
    return kept;
  }

  /**
   * Band first, last resort for a small roster: when agents of one class are still outside below their
   * band (above: mirrored), the class needs more long shifts than it holds, and only the classes it
   * trades shifts with can give them up — which moves their band as well, for all their agents at once,
   * beyond what a group re-plan can do (the agents left out of the group would fall outside). So the
   * offending class's band goes one possible total up, every other class's one down, and the whole
   * roster is re-planned jointly. When several classes are outside (or one on both sides) the class with
   * the most outside leads that trade (bandFloorVariants; further variants, up to
   * BAND_FIRST_WHOLE_ROSTER_VARIANTS re-plans, stopping at nobody outside). Each re-plan takes minutes
   * at 50 agents; the best is kept (fewest outside, then coverage), only when fewer agents end outside
   * and no week falls below a minimum.
   */
  private fitBandsWholeRoster(totals: number[][], measure: () => { floors: number[]; outside: number }, hasTopUp: (a: number) => boolean): boolean {
    if (this.infos.length + this.agents.length > this.wholeRosterMaxRows) return false;
    const before = measure();
    if (before.outside === 0) return false;
    const variants = bandFloorVariants(
      this.classMembers.map((members, c) => {
        const outside = members.filter((a) => this.outsideBand(a, totals, before.floors) > 1e-9);
        const below = outside.filter((a) => this.schedules[a].totalHours < before.floors[c]).length;
        return { floor: before.floors[c], possibleTotals: members.flatMap((m) => totals[m]), outsideBelow: below, outsideAbove: outside.length - below };
      }),
      BAND_FIRST_WHOLE_ROSTER_VARIANTS,
    );
    if (variants.length === 0) return false;
    const everyone = Array.from(this.agents, (_, a) => a).filter((a) => !hasTopUp(a));
    const weeksBelowBefore = everyone.reduce((n, a) => n + this.weeksBelow(a), 0);
    const saved = Int32Array.from(this.assignedTo);
    // each variant re-plans from the same roster; the best kept: fewest outside, then most coverage
    let best: { assignment: Int32Array; outside: number; uncovered: number } | undefined;
    for (const floors of variants) {
      this.restore(saved);
      if (!this.replanGroupInBands(everyone, floors, totals)) continue;
      const after = measure();
      if (after.outside >= before.outside || everyone.reduce((n, a) => n + this.weeksBelow(a), 0) > weeksBelowBefore) continue;
      const uncovered = this.uncoveredHours();
      if (!best || after.outside < best.outside || (after.outside === best.outside && uncovered < best.uncovered - 1e-9)) {
        best = { assignment: Int32Array.from(this.assignedTo), outside: after.outside, uncovered };
      }
      if (best.outside === 0) break;
    }
    this.restore(best ? best.assignment : saved);
    return best !== undefined;
  }

  /** Planned hours nobody works (shifts some agent is eligible for). */
  private uncoveredHours(): number {
    let hours = 0;
    for (let t = 0; t < this.infos.length; t++) if (this.assignedTo[t] === -1 && this.eligible[t].length > 0) hours += this.infos[t].hours;
    return hours;
  }

  /**
   * Band floors to try: the classes' nearest ones, then for each class with an agent outside its band
   * the band starting at the next possible total of its agents above, and at the next one below.
   */
  private floorVariants(floors: number[], offenders: number[], totals: number[][]): number[][] {
    const variants = [floors];
    for (const c of new Set(offenders.map((a) => this.classOf[a]))) {
      const candidates = this.classMembers[c].flatMap((m) => totals[m]);
      for (const f of [adjacentFloor(candidates, floors[c], true), adjacentFloor(candidates, floors[c], false)]) {
        if (f !== undefined) variants.push(floors.map((g, k) => (k === c ? f : g)));
      }
    }
    return variants;
  }

  /**
   * The agents outside their band first (most out first, up to half the group), then the colleagues
   * whose eligible shifts overlap theirs most (any class: part-timers absorb short shifts that
   * full-timers hand over); later rounds rotate through the colleagues.
   */
  private bandGroup(offenders: number[], excluded: (a: number) => boolean, round: number): number[] {
    const core = offenders.slice(0, Math.ceil(BAND_FIRST_GROUP / 2));
    const inCore = new Set(core);
    const wanted = new Uint8Array(this.infos.length);
    for (const x of core) for (const t of this.eligibleShifts[x]) wanted[t] = 1;
    const colleagues = Array.from(this.agents, (_, a) => a)
      .filter((a) => !inCore.has(a) && !excluded(a))
      .map((a) => {
        let overlap = 0;
        for (const t of this.eligibleShifts[a]) overlap += wanted[t];
        return { a, overlap };
      })
      .filter((c) => c.overlap > 0)
      .sort((p, q) => q.overlap - p.overlap || p.a - q.a)
      .map((c) => c.a);
    const room = BAND_FIRST_GROUP - core.length;
    const start = colleagues.length > room ? (round * Math.ceil(room / 2)) % colleagues.length : 0;
    const chosen = [...colleagues.slice(start), ...colleagues.slice(0, start)].slice(0, room);
    return [...core, ...chosen].sort((x, y) => x - y);
  }

  /** Re-plans `group` jointly over its shifts and the uncovered ones (see fitBandsJointly); false if the simplex fails. */
  private replanGroupInBands(group: number[], floors: number[], totals: number[][]): boolean {
    const inGroup = new Set(group);
    const positions: number[] = [];
    for (let t = 0; t < this.infos.length; t++) {
      const holder = this.assignedTo[t];
      if (this.pinned[t]) continue;
      if ((holder >= 0 && inGroup.has(holder)) || (holder === -1 && group.some((a) => this.eligibleSets[t].has(a)))) positions.push(t);
    }
    const positionOf = new Map(positions.map((t, p) => [t, p]));
    const width = this.shortestPlannedHours;
    const plan = this.jointPlan({
      shifts: positions.map((t) => this.infos[t]),
      agents: group.map((a) => this.agents[a]),
      eligibleShifts: group.map((a) => Array.from(this.eligibleShifts[a], (t) => positionOf.get(t)).filter((p): p is number => p !== undefined)),
      value: (k, p) => this.jointValue(group[k], positions[p]),
      totalHoursBand: (k) => {
        const floor = floors[this.classOf[group[k]]];
        return { ...fairHours(totals[group[k]], floor, floor + width), costPerHour: BAND_FIRST_HOUR_COST };
      },
      initial: group.map((a) => this.shiftsOf(a).map((t) => positionOf.get(t)).filter((p): p is number => p !== undefined)),
    });
    if (!plan) return false;
    for (const t of positions) if (this.assignedTo[t] !== -1) this.takeBack(t);
    plan.schedules.forEach((list, k) => list.forEach((p) => this.give(positions[p], group[k])));
    return true;
  }

  /** Puts every planned shift back with the agent in `assignment` (-1 = uncovered). */
  private restore(assignment: Int32Array): void {
    for (let i = 0; i < this.infos.length; i++) if (this.assignedTo[i] !== -1 && this.assignedTo[i] !== assignment[i]) this.takeBack(i);
    for (let i = 0; i < this.infos.length; i++) if (assignment[i] !== -1 && this.assignedTo[i] === -1) this.give(i, assignment[i]);
  }

  private countTakers(shift: number): number {
    let n = 0;
    for (const a of this.eligible[shift]) if (canTake(this.schedules[a], this.infos[shift], this.ctx)) n++;
    return n;
  }

  /** The agent with the most or the fewest hours in a random contract class. */
  private extremeAgentOfRandomClass(): number {
    const members = this.classMembers[Math.floor(this.random() * this.classMembers.length)];
    const wantMax = this.random() < 0.5;
    let pick = -1;
    for (const m of members) {
      if (pick < 0) pick = m;
      const h = this.schedules[m].totalHours;
      const p = this.schedules[pick].totalHours;
      if (wantMax ? h > p : h < p) pick = m;
    }
    return pick;
  }

  private randomAgentBelowMinimum(): number {
    const below: number[] = [];
    for (let a = 0; a < this.schedules.length; a++) if (weeksBelowMinimumHours(this.schedules[a], this.model).length > 0) below.push(a);
    return below.length ? below[Math.floor(this.random() * below.length)] : -1;
  }

  private randomUncovered(): number {
    const open: number[] = [];
    for (let i = 0; i < this.infos.length; i++) if (this.assignedTo[i] === -1 && this.eligible[i].length > 0) open.push(i);
    return open.length ? open[Math.floor(this.random() * open.length)] : -1;
  }

  private uncoveredOrder(): number[] {
    const open: number[] = [];
    for (let i = 0; i < this.infos.length; i++) if (this.assignedTo[i] === -1 && this.eligible[i].length > 0) open.push(i);
    const key = new Map(open.map((i) => [i, this.random()]));
    // Fewest agents able to take it right now first (they are the hardest to place), then longest.
    const takers = new Map(open.map((i) => [i, this.countTakers(i)]));
    return open.sort((x, y) => takers.get(x)! - takers.get(y)! || this.infos[y].hours - this.infos[x].hours || key.get(x)! - key.get(y)!);
  }

  private agentsBySkill(skills: Set<string>): number[] {
    const out: number[] = [];
    this.agents.forEach((a, i) => {
      if (a.skills.some((k) => skills.has(k.skillGroupId))) out.push(i);
    });
    return out;
  }

  private undo(): void {
    const log = this.journal!;
    this.journal = null;
    for (let k = log.length - 2; k >= 0; k -= 2) {
      const shift = log[k];
      const code = log[k + 1];
      if (code >= 0) this.takeBack(shift);
      else this.give(shift, -1 - code);
    }
  }

  /** Agents below their weekly minimum take shifts from agents who can spare them, or uncovered ones. */
  liftToMinimumHours(): number {
    let moves = 0;
    for (let a = 0; a < this.schedules.length; a++) {
      for (const week of weeksBelowMinimumHours(this.schedules[a], this.model)) {
        const first = week * 7;
        for (let shift = 0; shift < this.infos.length && this.schedules[a].hoursInWeek[week] < this.agents[a].contract.minHoursPerWeek; shift++) {
          const info = this.infos[shift];
          if (info.week !== week || info.day < first || this.pinned[shift] || !this.eligibleSets[shift].has(a)) continue;
          const holder = this.assignedTo[shift];
          if (holder === a) continue;
          if (holder >= 0 && !removalKeepsMinimumHours(this.schedules[holder], info, this.model)) continue;
          if (holder >= 0) this.takeBack(shift);
          if (canTake(this.schedules[a], info, this.ctx)) {
            this.give(shift, a);
            moves++;
          } else if (holder >= 0) this.give(shift, holder);
        }
        if (this.schedules[a].hoursInWeek[week] < this.agents[a].contract.minHoursPerWeek - 1e-6) moves += this.swapShortForLong(a, week);
      }
    }
    this.stats.minimumHoursMoves += moves;
    return moves;
  }

  /** Trade one of the agent's short shifts for a longer one held by someone who stays at their minimum. */
  private swapShortForLong(a: number, week: number): number {
    let moves = 0;
    for (const t of this.shiftsOf(a)) {
      const short = this.infos[t];
      if (short.week !== week || this.pinned[t]) continue;
      let swapped = false;
      for (let u = 0; u < this.infos.length && !swapped; u++) {
        const long = this.infos[u];
        const holder = this.assignedTo[u];
        if (holder < 0 || holder === a || long.week !== week || long.hours <= short.hours || this.pinned[u]) continue;
        if (!this.eligibleSets[u].has(a) || !this.eligibleSets[t].has(holder)) continue;
        if (this.schedules[holder].hoursInWeek[week] - long.hours + short.hours < this.agents[holder].contract.minHoursPerWeek - 1e-6) continue;
        swapped = this.trySwap(u, holder, t, a);
      }
      if (swapped) moves++;
      if (this.schedules[a].hoursInWeek[week] >= this.agents[a].contract.minHoursPerWeek - 1e-6) break;
    }
    return moves;
  }

  /**
   * Within each contract class, pull shifts from the most loaded agents to the least loaded ones
   * (a move, or a swap of a longer for a shorter shift) while the gap exceeds one shortest shift.
   */
  balanceHours(): number {
    let moves = 0;
    for (const members of this.classes().values()) {
      for (let round = 0; round < FAIRNESS_ROUNDS; round++) {
        const sorted = [...members].sort((x, y) => this.schedules[x].totalHours - this.schedules[y].totalHours || x - y);
        const top = this.schedules[sorted[sorted.length - 1]].totalHours;
        let movedThisRound = 0;
        for (const low of sorted) {
          const lowHours = this.schedules[low].totalHours;
          if (top - lowHours <= this.shortestPlannedHours + 1e-9) break;
          for (let h = sorted.length - 1, tried = 0; h >= 0 && tried < BALANCE_PARTNERS; h--) {
            const high = sorted[h];
            if (high === low || this.schedules[high].totalHours - this.schedules[low].totalHours <= this.shortestPlannedHours + 1e-9) break;
            // Only colleagues sharing a skill can hand a shift over.
            if ((this.skillMask[high] & this.skillMask[low]) === 0) continue;
            tried++;
            if (this.moveOneShift(high, low)) {
              movedThisRound++;
              break;
            }
          }
        }
        moves += movedThisRound;
        if (movedThisRound === 0) break;
      }
    }
    this.stats.fairnessMoves += moves;
    return moves;
  }

  private shortestShiftHours(a: number, b: number): number {
    let shortest = Infinity;
    for (const s of [...this.shiftsOf(a), ...this.shiftsOf(b)]) shortest = Math.min(shortest, this.infos[s].hours);
    return Number.isFinite(shortest) ? shortest : 0;
  }

  /** Move a shift high → low that narrows the gap; else swap a longer shift of high for a shorter one of low. */
  private moveOneShift(high: number, low: number): boolean {
    const gap = this.schedules[high].totalHours - this.schedules[low].totalHours;
    for (const t of this.shiftsOf(high)) {
      const info = this.infos[t];
      if (this.pinned[t] || info.hours >= gap || !this.eligibleSets[t].has(low)) continue;
      if (!removalKeepsMinimumHours(this.schedules[high], info, this.model)) continue;
      this.takeBack(t);
      if (canTake(this.schedules[low], info, this.ctx)) {
        this.give(t, low);
        return true;
      }
      this.give(t, high);
    }
    for (const t of this.shiftsOf(high)) {
      for (const u of this.shiftsOf(low)) {
        const d = this.infos[t].hours - this.infos[u].hours;
        if (d <= 0 || d >= gap || this.pinned[t] || this.pinned[u]) continue;
        if (!this.eligibleSets[t].has(low) || !this.eligibleSets[u].has(high)) continue;
        if (this.trySwap(t, high, u, low)) return true;
      }
    }
    return false;
  }

  /** Exchange shift t (of agent p) with shift u (of agent q) when every rule still holds. */
  private trySwap(t: number, p: number, u: number, q: number): boolean {
    const belowP = this.weeksBelow(p);
    const belowQ = this.weeksBelow(q);
    this.takeBack(t);
    this.takeBack(u);
    if (canTake(this.schedules[q], this.infos[t], this.ctx)) {
      this.give(t, q);
      if (canTake(this.schedules[p], this.infos[u], this.ctx)) {
        this.give(u, p);
        if (this.weeksBelow(p) <= belowP && this.weeksBelow(q) <= belowQ) return true;
        this.takeBack(u);
      }
      this.takeBack(t);
    }
    this.give(t, p);
    this.give(u, q);
    return false;
  }

  /**
   * Swap weekend (then late) shifts from agents with the most to those with the fewest, hours kept
   * equal — among the agents open to them (eligible, not asking to avoid them), as the report counts.
   */
  balanceWeekendAndLate(): number {
    let moves = 0;
    for (let c = 0; c < this.classMembers.length; c++) {
      for (const flag of ['weekend', 'late'] as const) {
        const members = this.openMembers[flag][c];
        const count = (a: number) => this.shareOf(a, flag);
        for (let round = 0; round < FAIRNESS_ROUNDS_PER_CLASS; round++) {
          const sorted = [...members].sort((x, y) => count(x) - count(y) || x - y);
          let improved = false;
          // Try the most loaded agents against the least loaded ones until one swap succeeds.
          outer: for (let hi = sorted.length - 1; hi >= Math.max(0, sorted.length - SHARE_PARTNERS); hi--) {
            for (let lo = 0; lo < Math.min(SHARE_PARTNERS, hi); lo++) {
              const p = sorted[hi];
              const q = sorted[lo];
              if (count(p) - count(q) <= 1) continue;
              // Planned shifts only: this runs before the top-ups are made (evenOutShares exchanges those).
              for (const t of this.shiftsOf(p)) {
                if (t >= this.infos.length || !this.infos[t][flag] || this.pinned[t] || !this.eligibleSets[t].has(q)) continue;
                for (const u of this.shiftsOf(q)) {
                  if (u >= this.infos.length || this.infos[u][flag] || this.pinned[u] || this.infos[u].hours !== this.infos[t].hours || !this.eligibleSets[u].has(p)) continue;
                  if (this.trySwap(t, p, u, q)) {
                    moves++;
                    improved = true;
                    break outer;
                  }
                }
              }
            }
          }
          if (!improved) break;
        }
      }
    }
    this.stats.fairnessMoves += moves;
    return moves;
  }

  /**
   * Late shifts to those who ask for them: an agent who prefers late kinds only swaps a shift of another
   * kind for a colleague's late shift of the same day and length where that misses fewer preferences
   * (the colleague has none against it), every rule holds and no week falls below its minimum — hours,
   * days and weekend shares stay as they are. Without it 13–17 such swaps a fortnight were left undone
   * while the late-share levelling took late shifts away from the agents who asked for them. Top-ups
   * change hands like planned shifts (tryExchange). Returns the swaps made.
   */
  honourLatePreferences(): number {
    let moves = 0;
    const exchangeable = (s: number, owner: number, taker: number) =>
      s < this.infos.length ? !this.pinned[s] && this.keepAgent[s] !== owner && this.eligibleSets[s].has(taker) : staticallyEligible(this.agents[taker], this.ctx.shifts[s], this.ctx);
    for (let p = 0; p < this.agents.length; p++) {
      if (!this.wantsLate(p)) continue;
      for (let d = 0; d < this.model.period.days; d++) {
        const t = this.schedules[p].shiftOnDay[d];
        if (t < 0 || this.ctx.shifts[t].late) continue;
        const mine = this.ctx.shifts[t];
        for (const q of this.colleaguesOf(p)) {
          const u = q === p ? -1 : this.schedules[q].shiftOnDay[d];
          if (u < 0 || !this.ctx.shifts[u].late || Math.abs(this.ctx.shifts[u].hours - mine.hours) > 1e-9) continue;
          const theirs = this.ctx.shifts[u];
          const gain = this.preferenceCost(p, mine) + this.preferenceCost(q, theirs) - this.preferenceCost(p, theirs) - this.preferenceCost(q, mine);
          if (gain <= 0 || !exchangeable(t, p, q) || !exchangeable(u, q, p)) continue;
          if (this.tryExchange(p, q, [{ ofP: t, ofQ: u }])) {
            moves++;
            break;
          }
        }
      }
    }
    this.stats.fairnessMoves += moves;
    return moves;
  }

  /**
   * Last polish of the weekend and late shares, after everything that moves hours: the agents with the
   * most such shifts of their class (among those open to them) exchange days with colleagues sharing a
   * skill who have at least two fewer, and those with the fewest with colleagues who have at least two
   * more (exchangeDays), until the class's spread is at most one or no such exchange is left.
   */
  evenOutShares(): number {
    let moves = 0;
    for (let c = 0; c < this.classMembers.length; c++) {
      // An exchange for the late share may move a weekend shift (within the gap it allows), so the
      // weekend share is looked at again after it: on the 200-agent rotation bench a part-timer was
      // left at 2 weekend shifts of both fortnights against 4 by the late pass.
      for (let sweep = 0; sweep < SHARE_SWEEPS; sweep++) {
        const moved = this.evenOutShare(c, 'weekend') + this.evenOutShare(c, 'late');
        moves += moved;
        if (moved === 0) break;
      }
    }
    this.stats.fairnessMoves += moves;
    return moves;
  }

  /** evenOutShares for one class and one share, in rounds until no exchange is left. */
  private evenOutShare(c: number, flag: 'weekend' | 'late'): number {
    let moves = 0;
    const members = this.openMembers[flag][c];
    const count = (a: number) => this.shareOf(a, flag);
    const sharesSkill = (a: number, b: number) => (this.skillMask[a] & this.skillMask[b]) !== 0;
    for (let round = 0; round < FAIRNESS_ROUNDS_PER_CLASS && members.length > 1; round++) {
      const most = Math.max(...members.map(count));
      const fewest = Math.min(...members.map(count));
      if (most - fewest <= 1 + EPS) break;
      // Each agent at the top (bottom) tries its colleagues, furthest first, while the gap lasts: on the
      // 200-agent rotation bench the full-timers left at 6 weekend shifts of both fortnights found their
      // exchange at the 3rd, 29th and 51st colleague, past the first ten that used to be tried.
      // (An earlier exchange of the round may have closed a later pair's gap: the count is read again.)
      let exchanged = 0;
      for (const p of members.filter((a) => count(a) >= most - EPS)) {
        const partners = members.filter((q) => most - count(q) > 1 + EPS && sharesSkill(p, q)).sort((x, y) => count(x) - count(y) || x - y);
        for (const q of partners.slice(0, SHARE_EXCHANGE_PARTNERS)) if (count(p) - count(q) > 1 + EPS && this.exchangeDays(p, q, flag)) exchanged++;
      }
      for (const q of members.filter((a) => count(a) <= fewest + EPS)) {
        const partners = members.filter((p) => count(p) - fewest > 1 + EPS && sharesSkill(p, q)).sort((x, y) => count(y) - count(x) || x - y);
        for (const p of partners.slice(0, SHARE_EXCHANGE_PARTNERS)) if (count(p) - count(q) > 1 + EPS && this.exchangeDays(p, q, flag)) exchanged++;
      }
      if (exchanged === 0) break;
      moves += exchanged;
    }
    return moves;
  }

  /**
   * Agent p works more weekend (late) shifts than q: exchange what both work on a set of days, where
   * p's side holds more of them. Single swaps rarely get through the days-off rules — a full-timer with
   * two consecutive days off a week who works Saturday can only take a Wednesday that is one of its
   * days off, and then its days off are no longer consecutive — so a 200-agent roster kept full-timers
   * at 0 and at 4 weekend shifts of 4 while most had 2. Exchanging the shifts of several days at once
   * (Saturday, Sunday and the Tuesday p had off, …) keeps both patterns of days off whole. Kept only
   * where each side's hours stay the same, the other share and the preferences get no worse, every rule
   * holds and no week falls below its minimum. The days are searched depth-first, at most 2^14 sets
   * for a fortnight, and the first set that works is taken.
   */
  private exchangeDays(p: number, q: number, flag: 'weekend' | 'late'): boolean {
    const other = flag === 'weekend' ? 'late' : 'weekend';
    const gap = this.shareOf(p, flag) - this.shareOf(q, flag);
    const otherGap = this.shareOf(p, other) - this.shareOf(q, other);
    // the days whose shifts could change hands, with what moving them does
    const days: Array<{ ofP: number; ofQ: number; hours: number; moved: number; otherMoved: number; preference: number }> = [];
    // Pinned and kept shifts stay. Top-ups (past the planned shifts) change hands like planned ones: a
    // third of the weekend shifts were top-ups, and left out the same full-timers kept 4 of 4. tryExchange
    // keeps both agents' hours and weekly minimums, so the minimum a top-up was made for still holds.
    const exchangeable = (s: number, owner: number, taker: number) =>
      s < this.infos.length ? !this.pinned[s] && this.keepAgent[s] !== owner && this.eligibleSets[s].has(taker) : staticallyEligible(this.agents[taker], this.ctx.shifts[s], this.ctx);
    for (let d = 0; d < this.model.period.days; d++) {
      const ofP = this.schedules[p].shiftOnDay[d];
      const ofQ = this.schedules[q].shiftOnDay[d];
      if (ofP < 0 && ofQ < 0) continue;
      if ((ofP >= 0 && !exchangeable(ofP, p, q)) || (ofQ >= 0 && !exchangeable(ofQ, q, p))) continue;
      const day = { ofP, ofQ, hours: 0, moved: 0, otherMoved: 0, preference: 0 };
      for (const [s, owner, taker, sign] of [[ofP, p, q, 1], [ofQ, q, p, -1]] as const) {
        if (s < 0) continue;
        const info = this.ctx.shifts[s];
        day.hours += sign * info.hours;
        if (info[flag]) day.moved += sign;
        if (info[other]) day.otherMoved += sign;
        day.preference += this.preferenceCost(taker, info) - this.preferenceCost(owner, info);
      }
      days.push(day);
    }
    // what the days from k on can still add: a set whose hours cannot come back to equal, or that
    // cannot move a shift p's way, is not searched further
    const hoursLeft = new Float64Array(days.length + 1);
    const movedLeft = new Int32Array(days.length + 1);
    for (let k = days.length - 1; k >= 0; k--) {
      hoursLeft[k] = hoursLeft[k + 1] + Math.abs(days[k].hours);
      movedLeft[k] = movedLeft[k + 1] + Math.max(0, days[k].moved);
    }
    const chosen: number[] = [];
    const search = (k: number, hours: number, moved: number, otherMoved: number, preference: number): boolean => {
      if (Math.abs(hours) > hoursLeft[k] + 1e-9 || moved + movedLeft[k] <= 0) return false;
      if (k === days.length) {
        if (moved <= 0 || moved >= gap - EPS || Math.abs(hours) > 1e-9 || preference > 0) return false;
        if (Math.abs(otherGap - 2 * otherMoved) > Math.max(1, Math.abs(otherGap)) + EPS) return false;
        return this.tryExchange(p, q, chosen.map((i) => days[i]));
      }
      const day = days[k];
      chosen.push(k);
      if (search(k + 1, hours + day.hours, moved + day.moved, otherMoved + day.otherMoved, preference + day.preference)) return true;
      chosen.pop();
      return search(k + 1, hours, moved, otherMoved, preference);
    };
    return search(0, 0, 0, 0, 0);
  }

  /** Hands p's shifts of these days to q and q's to p when every rule holds and no week falls below its minimum. */
  private tryExchange(p: number, q: number, days: Array<{ ofP: number; ofQ: number }>): boolean {
    const ofP = days.map((d) => d.ofP).filter((s) => s >= 0);
    const ofQ = days.map((d) => d.ofQ).filter((s) => s >= 0);
    const belowP = this.weeksBelow(p);
    const belowQ = this.weeksBelow(q);
    for (const s of [...ofP, ...ofQ]) this.release(s, s < this.infos.length ? this.assignedTo[s] : this.topUpAgent[s - this.infos.length]);
    const given: Array<[number, number]> = [];
    const handOver = (list: number[], taker: number) => {
      for (const s of list) {
        if (!canTake(this.schedules[taker], this.ctx.shifts[s], this.ctx)) return false;
        this.hand(s, taker);
        given.push([s, taker]);
      }
      return true;
    };
    if (handOver(ofP, q) && handOver(ofQ, p) && this.weeksBelow(p) <= belowP && this.weeksBelow(q) <= belowQ) return true;
    for (const [s, taker] of given) this.release(s, taker);
    for (const s of ofP) this.hand(s, p);
    for (const s of ofQ) this.hand(s, q);
    return false;
  }

  /** Takes shift s (planned, or a top-up: index past the planned ones) from agent a's schedule. */
  private release(s: number, a: number): void {
    if (s < this.infos.length) {
      this.takeBack(s);
      return;
    }
    const info = this.ctx.shifts[s];
    this.schedules[a].remove(info, this.preferenceCost(a, info));
  }

  /** Gives shift s to agent a; a top-up is renamed for its new agent (its id names the agent). */
  private hand(s: number, a: number): void {
    if (s < this.infos.length) {
      this.give(s, a);
      return;
    }
    const k = s - this.infos.length;
    const before = this.ctx.shifts[s];
    const info = this.topUpAgent[k] === a ? before : { ...before, shift: { ...before.shift, id: this.topUpId(this.agents[a], before.shift) } };
    this.ctx.shifts[s] = info;
    this.topUpInfos[k] = info;
    this.topUpAgent[k] = a;
    this.schedules[a].add(info, this.preferenceCost(a, info));
  }

  /**
   * Last resort for the weekly minimum: extra shifts ("top-ups") shaped like planned shifts of the
   * agent's skills (same template, local start time and breaks) — over-staffing the contract
   * guarantees. The agent is re-planned with the one-agent DP from its own shifts, the uncovered ones
   * and every top-up shape on every day of the period, a top-up hour costing a little, so the fewest
   * top-up hours that meet the minimum under every rule are chosen (a different pattern of days off, a
   * later start after a night, …). Shifts it no longer works go to colleagues if they can take them,
   * else stay uncovered: the minimum is a hard rule, coverage is not.
   *
   * Every day, not only the short weeks': a week's days off and runs of working days depend on the
   * next week's. An agent whose previous roster ended with 5 days in a row (6 at most) reaches a
   * 5-day minimum only with "Monday, two days off, Thursday to Sunday" or "two days off, Wednesday to
   * Sunday", both running on into the next week; when that week held Monday to Friday of planned
   * shifts and too few others to re-arrange it, top-ups in the short week alone fitted nowhere and the
   * build failed (six of seven seeds of a works council's second fortnight).
   *
   * Where (topUpValue): a top-up is worth the uncovered planned shifts of its skill group that lie
   * inside its span (it stands in for them: they need no cloud agent), as much as covering them would
   * be, and so are the hours where its group still needs agents (AssignmentInput.demand); its hours
   * while the group is closed or has nobody to serve, a weekend or late shift beyond the agent's share
   * and a preference missed cost. Without that, every shape cost the same per hour and the first one
   * won: 20 full-timers kept at their minimum by 172 top-ups all at 08:00 while the evening's 4-hour
   * shifts went to cloud slots (service level 55 %); a Sunday's 06:30 shape went onto a Saturday whose
   * line opens at 18:30, and avoiding weekends did not count.
   */
  topUpToMinimumHours(): void {
    const shapes = new Map<string, ShiftInfo>();
    for (const info of this.infos) {
      const local = DateTime.fromMillis(info.shift.start, { zone: this.model.period.timeZone });
      const key = `${info.shift.skillGroupId}|${info.shift.templateId}|${local.toFormat('HH:mm')}|${info.shift.end - info.shift.start}|${info.shift.breaks.map((x) => `${x.start - info.shift.start}:${x.end - x.start}`).join(',')}`;
      if (!shapes.has(key)) shapes.set(key, info);
    }
    const weeks = Array.from({ length: this.model.weeks }, (_, w) => w);
    for (let a = 0; a < this.schedules.length; a++) {
      if (weeksBelowMinimumHours(this.schedules[a], this.model).length === 0) continue;
      // only the shapes of the agent's skills are moved to each day (moving one costs a luxon look-up)
      const skills = new Set(this.agents[a].skills.map((k) => k.skillGroupId));
      const mine = [...shapes.values()].filter((shape) => skills.has(shape.shift.skillGroupId));
      this.replanWithTopUps(a, weeks, 'minimum', (day) => mine.map((shape) => this.shapeOnDay(shape, day, this.agents[a])));
    }
  }

  /**
   * A re-plan's published top-ups (AssignmentInput.publishedTopUps), entered as planned shifts kept for
   * their agents (placeKeptAndFrozen), stand there until restorePublishedTopUps: nobody else may take
   * one, and while it stands its agent's day, rest and weekly hours are taken — given to other work
   * first (a 2-hour shift the day before, a 90-minute one that day), the agent had no room for it any
   * more, met the minimum without it, and the hours it stood in for went to cloud slots. The new
   * planned shifts (no published counterpart) of its group inside its span — the ones it stood in for,
   * which the plan asks for again — go to nobody meanwhile: a colleague's would staff those hours twice.
   */
  holdForPublishedTopUps(published: readonly AssignedShift[]): void {
    const ids = new Set(published.map((p) => p.id));
    const placeholders = this.infos.filter((info) => ids.has(info.shift.id)).sort((x, y) => x.shift.start - y.shift.start || x.index - y.index);
    for (const info of placeholders) this.placeholder[info.index] = 1;
    for (const info of placeholders) {
      const t = info.index;
      for (const b of this.eligible[t]) this.setEligible(t, b, false);
      const held = this.uncoveredInside(info, (u) => this.keepAgent[u] === -1 && !this.heldFor.has(u)).shifts;
      for (const u of held) this.heldFor.set(u, this.eligible[u]);
      for (const u of held) for (const b of this.heldFor.get(u)!) this.setEligible(u, b, false);
      this.publishedTopUps.push({ agent: this.keepAgent[t], placeholder: t, held });
    }
  }

  /** Whether agent a may be given planned shift t (the search reads eligible, eligibleSets and eligibleShifts). */
  private setEligible(t: number, a: number, allowed: boolean): void {
    if (allowed === this.eligibleSets[t].has(a)) return;
    this.eligible[t] = allowed ? Int32Array.from([...this.eligible[t], a]).sort() : this.eligible[t].filter((b) => b !== a);
    if (allowed) this.eligibleSets[t].add(a);
    else this.eligibleSets[t].delete(a);
    this.eligibleShifts[a] = allowed ? Int32Array.from([...this.eligibleShifts[a], t]).sort() : this.eligibleShifts[a].filter((x) => x !== t);
  }

  /**
   * The published top-ups held for (holdForPublishedTopUps) back to their agents as top-ups, in order
   * of start, before topUpToMinimumHours makes new ones for whatever minimum is still short: each where
   * the agent may take it (every rule against the schedule as it now stands, without its stand-in) and
   * it is still needed — its week is below the agent's minimum without it, or what it covers (uncovered
   * planned shifts it stands in for, hours its group still needs agents) is worth more than its hours
   * (topUpValue); never one whose group is closed throughout. A top-up no longer valid or needed is
   * left out (the minimum it served is met afresh) and the planned shifts held for it go to whoever may
   * take them. Returns how many went back.
   */
  restorePublishedTopUps(): number {
    // every stand-in leaves and every hold ends first; a shift held for one top-up is not another's to stand in for
    const heldBy = new Map<number, number>();
    const released: number[] = [];
    this.publishedTopUps.forEach(({ placeholder, held }, k) => {
      if (this.assignedTo[placeholder] !== -1) this.takeBack(placeholder);
      const { skillGroupId, start, end } = this.infos[placeholder].shift;
      this.demandGrid?.remove(skillGroupId, start, end);
      for (const t of held) {
        for (const b of this.heldFor.get(t)!) this.setEligible(t, b, true);
        this.heldFor.delete(t);
        heldBy.set(t, k);
        released.push(t);
      }
    });
    let restored = 0;
    this.publishedTopUps.forEach(({ agent: a, placeholder }, k) => {
      const schedule = this.schedules[a];
      const info = { ...this.infos[placeholder], index: this.ctx.shifts.length };
      if (!staticallyEligible(this.agents[a], info, this.ctx) || !canTake(schedule, info, this.ctx)) return;
      const shortWeek = weeksBelowMinimumHours(schedule, this.model).includes(info.week);
      const standsIn = this.uncoveredInside(info, (t) => (heldBy.get(t) ?? k) === k);
      // as a new top-up is weighed: none while its group is closed throughout; in a week at the minimum
      // already only where what it covers is worth more than its hours cost
      const value = this.topUpValue(a, info, standsIn.hours, { weekend: this.beyondClassMean(a, 'weekend'), late: this.beyondClassMean(a, 'late') });
      if (value === undefined || (!shortWeek && value <= 0)) return;
      schedule.add(info, this.preferenceCost(a, info));
      this.ctx.shifts.push(info);
      this.topUpInfos.push(info);
      this.topUpAgent.push(a);
      this.demandGrid?.add(info.shift.skillGroupId, info.shift.start, info.shift.end);
      for (const t of standsIn.shifts) this.retireForStandIn(t, this.topUpInfos.length - 1);
      restored++;
    });
    this.publishedTopUps.length = 0;
    for (const t of released) {
      if (this.assignedTo[t] !== -1 || this.standIn[t] >= 0) continue;
      const taker = this.bestTaker(t, -1);
      if (taker >= 0) this.give(t, taker);
    }
    return restored;
  }

  /**
   * Coverage, last: an agent with hours to spare works a longer shift of one of the plan's templates
   * that stands in for uncovered planned shifts inside its span — its own 4-hour morning shift and the
   * uncovered 4-hour afternoon one become one 8.5-hour early shift. The LP plans each skill group without
   * knowing how many partners there are; where it chose short shifts and partners work one shift a day,
   * 10 full-timers ended at 20–24 h of their 40 and 38 short shifts went to cloud slots. Each agent
   * eligible for an uncovered shift is re-planned by the one-agent DP (as for top-ups, every week, only
   * template shifts that stand in for something), kept when it covers more and no week falls below the
   * minimum. Not in a re-plan (it keeps published shifts where it can). Returns agents re-planned.
   */
  extendIntoUncovered(templates: ShiftTemplate[]): number {
    // a re-plan keeps published shifts where it can (pinned ones are other rosters' shifts: fine)
    if (this.keepAgent.some((a, t) => a >= 0 && !this.pinned[t])) return 0;
    const weeks = Array.from({ length: Math.ceil(this.model.period.days / 7) }, (_, w) => w);
    const dates = this.model.dates;
    const byGroupDay = new Map<string, ShiftInfo[]>();
    const optionsOn = (groupId: string, day: number): ShiftInfo[] => {
      const key = `${groupId}|${day}`;
      let list = byGroupDay.get(key);
      if (!list) {
        // one break variant per start: the breaks are re-staggered on the finished roster
        const seen = new Set<string>();
        const shifts: PlannedShift[] = [];
        for (const o of shiftOptions(templates, { id: groupId, timeZone: this.model.period.timeZone } as SkillGroup, [dates[day]])) {
          const key2 = `${o.templateId}|${o.start}`;
          if (seen.has(key2)) continue;
          seen.add(key2);
          shifts.push({ id: '', skillGroupId: groupId, templateId: o.templateId, kind: o.kind, date: o.date, start: o.start, end: o.end, breaks: o.breaks });
        }
        list = describeShifts(this.model, shifts);
        byGroupDay.set(key, list);
      }
      return list;
    };
    let extended = 0;
    for (let a = 0; a < this.schedules.length; a++) {
      if (!this.eligibleShifts[a].some((t) => this.assignedTo[t] === -1)) continue;
      const skills = this.agents[a].skills.map((k) => k.skillGroupId);
      const extras = (day: number) => skills.flatMap((g) => optionsOn(g, day)).map((info) => ({ ...info, shift: { ...info.shift, id: this.topUpId(this.agents[a], info.shift) } }));
      if (this.replanWithTopUps(a, weeks, 'coverage', extras)) extended++;
    }
    return extended;
  }

  /**
   * Re-plans agent `a` with the one-agent DP from its own shifts, the uncovered ones and extra shifts
   * (`extras` of each day of `weeks`, of the agent's skills), each worth its topUpValue. 'minimum': to
   * lift its short weeks to the contract minimum (kept when fewer weeks stay below); an extra shift in a
   * week that meets the minimum already costs more than any coverage it buys, so it is only there to
   * make room for a short week (runs and days off across the weeks' edge), not to over-staff the
   * contract where colleagues or cloud slots cover. 'coverage': only extras standing in for uncovered
   * shifts, kept when the plan is worth more than the agent's shifts now and no more weeks are below
   * the minimum. Returns whether kept.
   */
  private replanWithTopUps(a: number, weeks: number[], purpose: 'minimum' | 'coverage', extras: (day: number) => Array<ShiftInfo | undefined>): boolean {
    const agent = this.agents[a];
    const held = this.shiftsOf(a).filter((t) => t < this.infos.length && !this.pinned[t]);
    const shortWeeks = new Set(weeksBelowMinimumHours(this.schedules[a], this.model));
    const weeksBelowBefore = shortWeeks.size;
    const heldValue = held.reduce((v, t) => v + UNCOVERED_HOUR_WEIGHT * this.infos[t].hours, 0) - BELOW_MINIMUM_SEARCH_COST * weeksBelowBefore;
    // the agent's weekend and late shares as they stand, before its shifts are released
    const beyondShare = { weekend: this.beyondClassMean(a, 'weekend'), late: this.beyondClassMean(a, 'late') };
    for (const t of held) this.takeBack(t);
    const candidates: PlanCandidate[] = [];
    for (const s of this.eligibleShifts[a]) {
      if (this.assignedTo[s] === -1) candidates.push({ info: this.infos[s], value: UNCOVERED_HOUR_WEIGHT * this.infos[s].hours });
    }
    const firstProvisional = this.ctx.shifts.length;
    let provisional = firstProvisional;
    for (const week of weeks) {
      const onlyMakingRoom = purpose === 'minimum' && !shortWeeks.has(week);
      for (let day = week * 7; day < Math.min(week * 7 + 7, this.model.period.days); day++) {
        for (const copy of extras(day)) {
          if (!copy || copy.shift.start < this.notBefore || !staticallyEligible(agent, copy, this.ctx)) continue;
          const standsIn = this.uncoveredInside(copy).hours;
          if (purpose === 'coverage' && standsIn === 0) continue;
          const value = this.topUpValue(a, copy, standsIn, beyondShare);
          if (value === undefined) continue;
          candidates.push({ info: { ...copy, index: provisional++ }, value: value - (onlyMakingRoom ? MAKING_ROOM_TOP_UP_HOUR_COST * copy.hours : 0) });
        }
      }
    }
    const plan = bestAgentPlan({
      model: this.model,
      contract: agent.contract,
      candidates,
      forced: this.shiftsOf(a).map((t) => this.ctx.shifts[t]),
      belowMinimumCost: BELOW_MINIMUM_SEARCH_COST,
      calendar: this.schedules[a],
    });
    const kept =
      plan !== undefined &&
      (purpose === 'minimum'
        ? plan.weeksBelowMinimum < weeksBelowBefore
        : plan.weeksBelowMinimum <= weeksBelowBefore && plan.value > heldValue + 1e-6 && plan.shifts.some((info) => info.index >= firstProvisional));
    if (!kept) {
      for (const t of held) this.give(t, a);
      return false;
    }
    for (const info of plan.shifts) {
      if (info.index < this.infos.length) {
        if (this.assignedTo[info.index] === -1) this.give(info.index, a);
      } else if (info.index >= firstProvisional) {
        const topUp = { ...info, index: this.ctx.shifts.length };
        this.schedules[a].add(topUp, this.preferenceCost(a, topUp));
        this.ctx.shifts.push(topUp);
        this.topUpInfos.push(topUp);
        this.topUpAgent.push(a);
        this.demandGrid?.add(topUp.shift.skillGroupId, topUp.shift.start, topUp.shift.end);
        for (const t of this.uncoveredInside(topUp).shifts) this.retireForStandIn(t, this.topUpInfos.length - 1);
      }
    }
    for (const t of held) {
      if (this.assignedTo[t] !== -1) continue;
      const taker = this.bestTaker(t, a);
      if (taker >= 0) this.give(t, taker);
    }
    return true;
  }

  /**
   * What a top-up (`copy`, standing in for `standsIn` hours of uncovered planned shifts) is worth to
   * agent `a`'s re-plan, in the search's points (an hour covered = UNCOVERED_HOUR_WEIGHT): each of its
   * hours costs a little (the fewest extra hours), the hours it stands in for and those where its group
   * still needs agents (`demand`) are worth as much as covering them, and it costs more
   *   - per hour while its group is closed or has nobody to serve: such an hour is paid for nothing;
   *   - as a weekend (late) shift, the more so the further the agent is above its class's mean share:
   *     top-ups were a third of the weekend shifts and went to whoever was short, so the same two
   *     full-timers worked 4 weekend shifts every fortnight;
   *   - per preference it misses (an agent who avoids weekends got weekend top-ups).
   * Undefined — no top-up at all — when the group is closed or has nobody to serve for the whole span and
   * it stands in for nothing: its idle hours cost a little, far less than a week below the minimum, so
   * the DP took such a shift whenever the minimum called for it (a Saturday 07:30–16:00 on a line opening
   * at 18:30, 8.5 paid hours with nothing to do). A minimum that only closed hours can meet is the
   * agent's to be told (the build's infeasible answer), not an hour paid for nothing.
   */
  private topUpValue(a: number, copy: ShiftInfo, standsIn: number, beyondShare: { weekend: number; late: number }): number | undefined {
    const { idleHours, neededHours } = this.demandGrid?.value(copy.shift.skillGroupId, copy.shift.start, copy.shift.end) ?? { idleHours: 0, neededHours: 0 };
    if (standsIn === 0 && idleHours >= copy.hours - 1e-9) return undefined;
    let value = -TOP_UP_HOUR_COST * copy.hours + UNCOVERED_HOUR_WEIGHT * (standsIn + neededHours) - TOP_UP_IDLE_HOUR_COST * idleHours;
    if (copy.weekend) value -= TOP_UP_SHARE_COST * (1 + beyondShare.weekend);
    if (copy.late && !this.wantsLate(a)) value -= TOP_UP_SHARE_COST * (1 + beyondShare.late);
    return value - TOP_UP_PREFERENCE_COST * this.preferenceCost(a, copy);
  }

  /** How many weekend (late) shifts agent a's share is above the mean of its class's agents open to them (0 when not above). */
  private beyondClassMean(a: number, flag: 'weekend' | 'late'): number {
    const open = this.openMembers[flag][this.classOf[a]];
    if (open.length === 0) return 0;
    const mean = open.reduce((sum, m) => sum + this.shareOf(m, flag), 0) / open.length;
    return Math.max(0, this.shareOf(a, flag) - mean);
  }

  /**
   * A top-up stands in for uncovered planned shift `t`: nobody may take `t` any more (that would staff
   * its hours twice), and it is neither in the roster nor uncovered (no cloud slot).
   */
  private retireForStandIn(t: number, topUp: number): void {
    this.standIn[t] = topUp;
    for (const a of this.eligible[t]) this.eligibleShifts[a] = this.eligibleShifts[a].filter((s) => s !== t);
    this.eligible[t] = new Int32Array(0);
    this.eligibleSets[t] = new Set();
  }

  /**
   * The uncovered planned shifts of `candidate`'s skill group inside its span that no top-up stands in for
   * yet (and `also` admits), at most one at a time (one agent): the most hours of non-overlapping ones
   * (weighted interval scheduling; a handful per day).
   */
  private uncoveredInside(candidate: ShiftInfo, also: (t: number) => boolean = () => true): { hours: number; shifts: number[] } {
    const shift = candidate.shift;
    const inside: number[] = [];
    if (!this.plannedByGroupDay) {
      this.plannedByGroupDay = new Map();
      this.infos.forEach((info, t) => {
        const key = `${info.shift.skillGroupId}|${info.day}`;
        this.plannedByGroupDay!.set(key, [...(this.plannedByGroupDay!.get(key) ?? []), t]);
      });
    }
    // Shifts inside the span start on its day or, across midnight, the next.
    for (const d of [candidate.day, candidate.day + 1]) {
      for (const t of this.plannedByGroupDay.get(`${shift.skillGroupId}|${d}`) ?? []) {
        const other = this.infos[t].shift;
        if (this.assignedTo[t] !== -1 || this.standIn[t] >= 0 || this.placeholder[t] || !also(t)) continue;
        if (other.start >= shift.start && other.end <= shift.end) inside.push(t);
      }
    }
    if (inside.length === 0) return { hours: 0, shifts: [] };
    inside.sort((x, y) => this.infos[x].shift.end - this.infos[y].shift.end || x - y);
    // best[i]: most hours from the first i shifts; the last compatible predecessor found by scanning back.
    const best = new Float64Array(inside.length + 1);
    const take = new Uint8Array(inside.length + 1);
    const previous = new Int32Array(inside.length + 1);
    for (let i = 1; i <= inside.length; i++) {
      const info = this.infos[inside[i - 1]];
      let p = i - 1;
      while (p > 0 && this.infos[inside[p - 1]].shift.end > info.shift.start) p--;
      previous[i] = p;
      const withIt = best[p] + info.hours;
      if (withIt > best[i - 1]) {
        best[i] = withIt;
        take[i] = 1;
      } else best[i] = best[i - 1];
    }
    const shifts: number[] = [];
    for (let i = inside.length; i > 0; ) {
      if (take[i]) {
        shifts.push(inside[i - 1]);
        i = previous[i];
      } else i--;
    }
    return { hours: best[inside.length], shifts };
  }

  /** A top-up's id: agent, date, template and local start (an agent works one shift a day, so it is unique). */
  private topUpId(agent: Agent, shift: { date: string; templateId: string; start: number }): string {
    return `topup-${agent.id}-${shift.date}-${shift.templateId}-${DateTime.fromMillis(shift.start, { zone: this.model.period.timeZone }).toFormat('HHmm')}`;
  }

  /** The shape of a planned shift moved to another day of the period (wall-clock start, DST-aware). */
  private shapeOnDay(shape: ShiftInfo, day: number, agent: Agent): ShiftInfo | undefined {
    const zone = this.model.period.timeZone;
    const delta = day - shape.day;
    const start = DateTime.fromMillis(shape.shift.start, { zone }).plus({ days: delta });
    if (!start.isValid) return undefined;
    const offset = start.toMillis() - shape.shift.start;
    const shift: PlannedShift = {
      ...shape.shift,
      id: this.topUpId(agent, { date: this.model.dates[day], templateId: shape.shift.templateId, start: start.toMillis() }),
      date: this.model.dates[day],
      start: shape.shift.start + offset,
      end: shape.shift.end + offset,
      breaks: shape.shift.breaks.map((x) => ({ ...x, start: x.start + offset, end: x.end + offset })),
    };
    const [info] = describeShifts(this.model, [shift]);
    return { ...info, index: this.ctx.shifts.length };
  }

  private classes(): Map<string, number[]> {
    const classes = new Map<string, number[]>();
    this.agents.forEach((a, i) => classes.set(a.contract.class, [...(classes.get(a.contract.class) ?? []), i]));
    return classes;
  }

  result(): AssignmentResult {
    const roster: AssignedShift[] = [];
    const uncoveredInfos: ShiftInfo[] = [];
    this.infos.forEach((info, i) => {
      const a = this.assignedTo[i];
      if (this.placeholder[i]) return;
      if (a >= 0) roster.push({ ...info.shift, agentId: this.agents[a].id });
      else if (this.standIn[i] < 0) uncoveredInfos.push(info);
    });
    const uncovered = uncoveredInfos.map((i) => i.shift);
    const topUps = this.topUpInfos.map((info, k) => ({ ...info.shift, agentId: this.agents[this.topUpAgent[k]].id }));
    roster.push(...topUps);
    roster.sort((x, y) => x.start - y.start || (x.agentId < y.agentId ? -1 : x.agentId > y.agentId ? 1 : 0));
    const fairness = fairnessReport(this.schedules, this.model, this.infos, {
      possibleTotals: (a) => this.possibleTotals(a),
      openTo: (a, share) => this.openTo(a, share),
      absent: (a) => this.isAbsent(a),
      // as the shares are evened out: days away credited at the class's rate
      previous: (a) => (this.previousShares.has(this.agents[a].id) ? { weekend: this.previousWeekend[a], late: this.previousLate[a] } : undefined),
    });
    const belowMinimum: AgentBelowMinimum[] = [];
    for (const s of this.schedules) {
      for (const w of weeksBelowMinimumHours(s, this.model)) {
        belowMinimum.push({ agentId: s.agent.id, week: w, hours: s.hoursInWeek[w], minHoursPerWeek: s.agent.contract.minHoursPerWeek });
      }
    }
    const uncoveredHours = uncovered.reduce((sum, s) => sum + (s.end - s.start) / 3_600_000, 0);
    const hoursSpreadSum = fairness.reduce((sum, c) => sum + c.hoursSpread, 0);
    return {
      roster,
      uncovered,
      topUps,
      standIns: this.infos.flatMap((info, t) =>
        this.standIn[t] >= 0 ? [{ plannedShiftId: info.shift.id, topUpShiftId: topUps[this.standIn[t]].id, agentId: topUps[this.standIn[t]].agentId }] : [],
      ),
      reasons: explainUncovered(uncoveredInfos, this),
      fairness,
      belowMinimum,
      objective: { uncoveredHours, hoursSpreadSum, value: UNCOVERED_HOUR_WEIGHT * uncoveredHours + hoursSpreadSum },
      stats: { ...this.stats },
    };
  }
}
