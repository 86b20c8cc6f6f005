/**
 * A roster end to end, pure: forecast → Erlang requirement → LP shift plan → partner assignment →
 * cloud slots → coverage with predicted service level → independent check. The `build-roster` job runs
 * it in a worker thread and `wfm plan` runs it embedded; both pass the data in (no I/O here).
 *
 * Re-planning goes through the same finish: the published roster's shifts (or a new LP plan when the
 * forecast moved) are re-assigned keeping who works what where the rules still allow; shifts already
 * claimed by cloud agents stay theirs and their slots are carried over.
 */
import { DateTime } from 'luxon';
import type { Agent, IntervalVolume, IsoWeekday, ShiftKind, SkillGroup } from '../domain/types';
import { WfmError, invalid, type ProblemDetail } from '../errors/wfm-error';
import { canonicalZone } from '../domain/validate';
import { formatInstant, isValidZone, MINUTE_MS, startOfLocalDay } from '../time/grid';
import { requirementPerInterval, toLpRequirement } from '../staffing';
import { localDates, planShifts, type LpPenalties, type PlanShiftsResult } from './lp';
import { isTopUp } from './replan';
import {
  assignShifts,
  checkRoster,
  cloudSlots,
  contractProblems,
  replanRoster,
  rosterCoverage,
  shapeKey,
  withoutAgent,
  type AssignmentResult,
  type ClassFairness,
  type CloudSlot,
  type PlanningPeriod,
  type RosterChange,
  type UncoveredReason,
} from './assignment';
import { allowedStartMinutes, DEFAULT_TEMPLATES, minimumBreakShare, templatesFor, validateTemplates } from './templates';
import { restaggerBreaks } from './breaks';
import { predictedService, residualShrinkage } from './claimed-coverage';
import { weeklyMinimumProblems } from './validate';
import type { AssignedShift, Commitment, CoverageRow, PlannedShift, RequirementRow, ShiftTemplate } from './types';
import type { Demand } from './top-up-demand';

/** The longest period a roster covers: the two-week forecast's horizon. */
export const MAX_ROSTER_DAYS = 14;

/** What a planner may tune; everything is optional. */
export interface RosterRules {
  templates?: ShiftTemplate[];
  penalties?: Partial<LpPenalties>;
  options?: {
    weekendDays?: IsoWeekday[];
    lateKinds?: ShiftKind[];
    seed?: number;
    localSearchPasses?: number;
    ruinAndRecreateIterations?: number;
    topUpToMinimumHours?: boolean;
    /** see AssignmentOptions.hoursFairness */
    hoursFairness?: 'coverage-first' | 'band-first';
  };
}

export interface RosterCoverageRow extends CoverageRow {
  /** forecast calls in the interval */
  volume: number;
  ahtSeconds: number;
  /** predicted with the scheduled agents (net of breaks and of the shrinkage breaks do not stand for) */
  serviceLevel: number;
  asaSeconds: number;
  abandonment: number;
}

export interface RosterSummary {
  partnerShifts: number;
  agentsWithShifts: number;
  /**
   * The partners' shifts' paid span, start to end with their breaks (meals too: whether a meal is paid is
   * the payroll's rule, and roster.csv's break_kinds says which break is the meal), elapsed time across a
   * clock change; rounded to 0.1 h. Cloud agents' claimed shifts are not in it (claimedHours).
   */
  paidHours: number;
  /** paidHours unrounded, in minutes: what payroll reconciles to (981 h 40 min is 58900, paidHours 981.7) */
  paidMinutes: number;
  /**
   * Cloud agents' claimed shifts the roster holds as built, not in paidHours: a re-plan's, the claims on
   * the roster it replaces, which move to it at publish (as read when it was built); 0 for a new roster,
   * whose slots are claimed only once it is published (GET /rosters/{id}/slots has those)
   */
  claimedShifts: number;
  /** their paid span (breaks included), rounded to 0.1 h; claimedMinutes unrounded */
  claimedHours: number;
  claimedMinutes: number;
  /** extra shifts that lift agents to their weekly minimum hours */
  topUpShifts: number;
  uncoveredShifts: number;
  /** cloud-agent places offered in slots (claimed ones included after a re-plan) */
  slotPlaces: number;
  requiredAgentHours: number;
  scheduledAgentHours: number;
  shortfallAgentHours: number;
  intervalsShort: number;
  /** offered-call-weighted predicted service level over the period */
  predictedServiceLevel: number;
  /** the LP relaxation's paid hours: no plan with these templates covers the requirement with fewer (null: a re-plan that kept the shifts) */
  lpLowerBoundPaidHours: number | null;
  lpGap: number | null;
  checkerViolations: number;
}

/** Why coverage falls short, for a planner to act on. */
export interface ShortfallReason {
  skillGroupId: string;
  reason: string;
  dates: string[];
}

export interface BuiltRoster {
  shifts: AssignedShift[];
  uncovered: PlannedShift[];
  slots: CloudSlot[];
  coverage: RosterCoverageRow[];
  summary: RosterSummary;
  fairness: ClassFairness[];
  uncoveredReasons: UncoveredReason[];
  shortfallReasons: ShortfallReason[];
  belowMinimum: AssignmentResult['belowMinimum'];
  /** re-plans only */
  changes?: RosterChange[];
  keptShifts?: number;
}

export type BuildPhase = 'requirement' | 'lp' | 'assignment' | 'coverage' | 'check';
export type PhaseReport = (phase: BuildPhase, percent: number) => void;

export interface BuildRosterInput {
  period: PlanningPeriod;
  skillGroups: SkillGroup[];
  /** every agent; partners with one of the skill groups are rostered */
  agents: Agent[];
  /** forecast volume per interval (the median), with AHT where known */
  forecast: IntervalVolume[];
  rules?: RosterRules;
  /** shifts of other published rosters: the agents are not free then (kept, checked, not returned) */
  busy?: AssignedShift[];
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The planner's templates, or the defaults when the rules name none. An empty list is not "none": a planner
 * who sends one meant something, so rosterInputProblems refuses it rather than planning with other templates.
 */
export function templatesOf(rules: RosterRules | undefined): ShiftTemplate[] {
  return rules?.templates === undefined ? DEFAULT_TEMPLATES : rules.templates;
}

/**
 * Contradictions caught before any solving (→ 422 naming the field, agent and rule): a bad period or
 * template, contracts no week can satisfy, a skill group no partner agent has.
 */
/** What is wrong with the period itself (nothing else about a request can be judged without a valid one). */
export function periodProblems(period: PlanningPeriod): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(period.from) || !DateTime.fromISO(period.from, { zone: 'UTC' }).isValid) problems.push({ where: '/period/from', message: 'must be a date YYYY-MM-DD' });
  if (!(Number.isInteger(period.days) && period.days >= 1 && period.days <= MAX_ROSTER_DAYS)) problems.push({ where: '/period/days', message: `must be a whole number of days from 1 to ${MAX_ROSTER_DAYS} (the forecast's horizon)` });
  // the rule of every zone a planner types (skill groups, agents, `wfm plan --tz`): an Area/Location zone;
  // an abbreviation (CET, EST, JST) is refused naming the zone the runtime would read it as
  const zone = canonicalZone(period.timeZone);
  if (!zone.ok) problems.push({ where: '/period/timeZone', message: zone.message });
  return problems;
}

export function rosterInputProblems(input: Omit<BuildRosterInput, 'forecast'>): ProblemDetail[] {
  const { period } = input;
  const problems = periodProblems(period);
  if (input.skillGroups.length === 0) problems.push({ where: '/skillGroups', message: 'name at least one skill group' });
  const asked = templatesOf(input.rules);
  // not a list (a JSON body past no schema) counts as empty: nothing below can read it
  const templates = Array.isArray(asked) ? asked : [];
  if (templates.length === 0) problems.push({ where: '/rules/templates', message: 'name at least one shift template (leave templates out for the defaults)' });
  else {
    try {
      validateTemplates(templates);
    } catch (err) {
      if (!(err instanceof WfmError)) throw err;
      problems.push(...err.details.map((d) => ({ ...d, where: `/rules${d.where}` })));
    }
  }
  const partners = rosteredPartners(input.agents, input.skillGroups);
  // Contracts are judged against the templates' lengths only when the templates hold: a bad length
  // would otherwise be reported once more for every agent (a 20-minute template "needs more than 5
  // days × 0.333 h" for each).
  const templatesHold = !problems.some((p) => p.where.startsWith('/rules/templates'));
  const longestHours = templatesHold ? templates.reduce((m, t) => Math.max(m, (t.lengthMinutes ?? 0) / 60), 0) : 0;
  // contractProblems points into its own list of agents; name the agent instead, the caller's list differs
  problems.push(...contractProblems(partners, longestHours).map((p) => ({ ...p, where: p.where.replace(/^\/agents\/(\d+)/, (_, i: string) => `/agents/${partners[Number(i)].id}`) })));
  const flagged = new Set(problems.map((p) => p.where));
  const otherRosters = new Set(busyShifts(input, partners).map((s) => s.agentId));
  // an agent who also works another published roster may reach the minimum there: not judged here
  const judged = partners.filter((a) => !flagged.has(`/agents/${a.id}/contract`) && !otherRosters.has(a.id));
  if (isValidZone(period.timeZone) && !problems.some((p) => p.where.startsWith('/period') || p.where.startsWith('/rules'))) {
    problems.push(...weeklyMinimumProblems(judged, templates, period, input.skillGroups.map((g) => g.id)));
  }
  input.skillGroups.forEach((g, i) => {
    if (!partners.some((a) => a.skills.some((s) => s.skillGroupId === g.id))) problems.push({ where: `/skillGroups/${i}`, message: `no partner agent has skill ${g.id} (rule: skill): nobody could be rostered for it` });
    const usable = templates.filter((t) => !t.skillGroupIds || t.skillGroupIds.includes(g.id));
    // with no template at all, /rules/templates already says so once
    if (usable.length === 0 && templates.length > 0) problems.push({ where: `/skillGroups/${i}`, message: `no shift template may be used for ${g.id} (templates' skillGroupIds)` });
  });
  return problems;
}

/** Partners holding at least one of the roster's skill groups. */
export function rosteredPartners(agents: Agent[], skillGroups: SkillGroup[]): Agent[] {
  const ids = new Set(skillGroups.map((g) => g.id));
  return agents.filter((a) => a.kind === 'partner' && a.skills.some((s) => ids.has(s.skillGroupId)));
}

/** Instants [start, end) of the period: from local midnight of the first day to local midnight after the last. */
export function periodInstants(period: PlanningPeriod): { startMs: number; endMs: number } {
  const dates = localDates(period.from, period.days + 1, period.timeZone);
  return { startMs: startOfLocalDay(dates[0], period.timeZone), endMs: startOfLocalDay(dates[period.days], period.timeZone) };
}

interface Requirement {
  /** the period's intervals: what the roster is judged against (coverage, summary) */
  rows: RequirementRow[];
  /**
   * what the LP and the break staggering plan for: the period's intervals and the next period's first
   * hours that shifts of the last day reach (see buildSubproblem), less what shifts of the neighbouring
   * published rosters already cover there
   */
  toPlan: RequirementRow[];
  /** shifts of the neighbouring published rosters, of these groups, that work into the period */
  carriedIn: AssignedShift[];
  /** per "group|start": forecast volume and AHT */
  traffic: Map<string, { volume: number; ahtSeconds: number }>;
  /** shrinkage the scheduled breaks do not stand for, per group */
  residualShrinkage: Map<string, number>;
}

function requirementOf(input: BuildRosterInput, templates: ShiftTemplate[]): Requirement {
  const { startMs, endMs } = periodInstants(input.period);
  const groupIds = new Set(input.skillGroups.map((g) => g.id));
  // how far shifts of the last day reach into the next period
  const reachEnd = endMs + templates.reduce((m, t) => Math.max(m, t.lengthMinutes), 0) * 60_000;
  const rows = input.forecast.filter((r) => groupIds.has(r.skillGroupId) && r.start >= startMs && r.start < endMs);
  const perInterval = requirementPerInterval(input.skillGroups, rows);
  const breakShare = minimumBreakShare(templates);
  const traffic = new Map(perInterval.map((r) => [`${r.skillGroupId}|${r.intervalStart}`, { volume: r.volume, ahtSeconds: r.ahtSeconds }]));
  const toRows = (intervals: typeof perInterval) => toLpRequirement(intervals, input.skillGroups, { shrinkageCoveredByBreaks: breakShare });
  const periodRows = toRows(perInterval);
  const nextRows = toRows(requirementPerInterval(input.skillGroups, nextPeriodStart(input, templates, endMs, reachEnd)));
  // A neighbour's shift is one dated outside the period, as busyShifts and commitmentsOf read it — not one
  // starting outside it: in a roster on Madrid's clock, a Bogota group's night shift of the previous
  // roster's last day starts inside this period, and was left out (its hours read as a shortfall).
  const periodDates = new Set(localDates(input.period.from, input.period.days, input.period.timeZone));
  const carriedIn = (input.busy ?? []).filter((s) => groupIds.has(s.skillGroupId) && s.end > startMs && s.start < reachEnd && !periodDates.has(s.date));
  const toPlan = rosterCoverage(carriedIn, [...periodRows, ...nextRows], intervalMinutesOf(input.skillGroups)).map((c) => ({ skillGroupId: c.skillGroupId, intervalStart: c.intervalStart, required: Math.max(0, c.required - c.scheduled) }));
  return {
    rows: periodRows,
    toPlan,
    carriedIn,
    traffic,
    residualShrinkage: new Map(input.skillGroups.map((g) => [g.id, residualShrinkage(g, templates)])),
  };
}

/**
 * The forecast of the next period's first hours that night shifts of the last day work into and the
 * next period's own shifts cannot reach: from its first midnight (endMs) to the earliest start its
 * templates allow that day (06:00 with the defaults), at most `reachEnd`. Later hours are the next
 * roster's to staff (its early shifts); planned here, the LP stretched the last night to cover the
 * next morning — past 08:00 on a clock-change night, beyond every night agent's availability. The rows
 * given for those hours, else, per group, the same hours a week earlier (the forecast's weekly pattern)
 * when the period holds them. Without any, those hours are unknown and plan nothing.
 */
function nextPeriodStart(input: BuildRosterInput, templates: ShiftTemplate[], endMs: number, reachEnd: number): IntervalVolume[] {
  const out: IntervalVolume[] = [];
  for (const group of input.skillGroups) {
    const firstStart = Math.min(...templatesFor(templates, group).flatMap(allowedStartMinutes));
    if (!Number.isFinite(firstStart)) continue;
    const until = Math.min(reachEnd, DateTime.fromMillis(endMs, { zone: input.period.timeZone }).plus({ minutes: firstStart }).toMillis());
    const given = input.forecast.filter((r) => r.skillGroupId === group.id && r.start >= endMs && r.start < until);
    if (given.length) {
      out.push(...given);
      continue;
    }
    for (const r of input.forecast) {
      if (r.skillGroupId !== group.id || r.start >= endMs) continue;
      const start = DateTime.fromMillis(r.start, { zone: group.timeZone }).plus({ days: 7 }).toMillis();
      if (start >= endMs && start < until) out.push({ ...r, start });
    }
  }
  return out;
}

/** Each group's interval length, as coverage and break staggering read the requirement rows. */
function intervalMinutesOf(skillGroups: SkillGroup[]): Record<string, number> {
  return Object.fromEntries(skillGroups.map((g) => [g.id, g.intervalMinutes]));
}

/**
 * What the assignment places top-ups by (AssignmentInput.demand): the requirement the plan was made
 * for, less what cloud agents already hold there (a re-plan's claimed shifts are off the partners' plan).
 */
function demandOf(requirement: Requirement, skillGroups: SkillGroup[], claimed: PlannedShift[] = []): Demand {
  const intervalMinutes = intervalMinutesOf(skillGroups);
  if (!claimed.length) return { rows: requirement.toPlan, intervalMinutes };
  const rows = rosterCoverage(claimed, requirement.toPlan, intervalMinutes).map((c) => ({ skillGroupId: c.skillGroupId, intervalStart: c.intervalStart, required: Math.max(0, c.required - c.scheduled) }));
  return { rows, intervalMinutes };
}

/** Coverage per interval with what the scheduled agents are predicted to achieve there. */
function coverageWithPerformance(shifts: AssignedShift[], requirement: Requirement, skillGroups: SkillGroup[]): RosterCoverageRow[] {
  const groups = new Map(skillGroups.map((g) => [g.id, g]));
  // agents of the neighbouring rosters still (or already) on the phone count where they are
  const rows = rosterCoverage([...shifts, ...requirement.carriedIn], requirement.rows, intervalMinutesOf(skillGroups));
  return rows.map((row) => {
    const group = groups.get(row.skillGroupId)!;
    const traffic = requirement.traffic.get(`${row.skillGroupId}|${row.intervalStart}`) ?? { volume: 0, ahtSeconds: group.ahtSeconds };
    return {
      ...row,
      // as the requirement read them: a re-plan with the forecast unchanged reads them back from here, and
      // an AHT rounded to 0.1 s can sit on the other side of an Erlang step (one agent more or less)
      volume: traffic.volume,
      ahtSeconds: traffic.ahtSeconds,
      ...predictedService(traffic, row.scheduled, group, requirement.residualShrinkage.get(group.id)!),
    };
  });
}

/**
 * An interval the LP leaves at least this many agents short is worth a reason; smaller gaps are the LP
 * trading a fraction of an agent against a whole extra shift, which the penalties allow on purpose.
 */
const LP_SHORT_AGENTS = 0.5;

/** `zone`: the roster's clock — coverage.csv and the roster's other times are on it, so the reason's are too. */
function lpShortfallReasons(plan: PlanShiftsResult, skillGroups: SkillGroup[], zone: string): ShortfallReason[] {
  const reasons: ShortfallReason[] = [];
  for (const group of skillGroups) {
    const short = plan.coverage.filter((c) => c.skillGroupId === group.id && c.shortfall >= LP_SHORT_AGENTS);
    if (!short.length) continue;
    const hours = short.reduce((s, c) => s + (c.shortfall * group.intervalMinutes) / 60, 0);
    const dates = [...new Set(short.map((c) => formatInstant(c.intervalStart, zone).slice(0, 10)))];
    const example = `${formatInstant(short[0].intervalStart, zone).slice(0, 16).replace('T', ' ')}${zone === group.timeZone ? '' : ` ${zone}`}`;
    reasons.push({
      skillGroupId: group.id,
      dates,
      reason: `the shift templates leave ${short.length} interval(s) of ${group.id} short even before agents are named (${round(hours, 1)} agent-hours, first at ${example}): start windows or lengths do not reach those hours, or covering them costs more than the under-staffing penalty`,
    });
  }
  return reasons;
}

/**
 * Fails loudly: a roster that breaks a hard rule must never be stored or published. When the only
 * broken rule is agents' weekly minimum, no schedule of the plan's shifts and top-ups shaped like them
 * keeps every rule for them (the top-ups re-plan the agent's whole period for it): their skill groups'
 * demand lies outside their availability or days off (a night-only agent of a queue closed at night),
 * or the runs of working days and rest carried in from the rosters next to the period leave no room —
 * and the planner is told so (422), as for the contradictions caught before planning. The message says
 * what limits each agent and advises nothing their data does not call for.
 */
function assertNoViolations(shifts: AssignedShift[], agents: Agent[], period: PlanningPeriod, absences?: ReplanInput['absences'], frozenBefore?: number, commitments?: readonly Commitment[]): void {
  const violations = checkRoster(shifts, agents, period, { absences, frozenBefore, commitments });
  const byId = new Map(agents.map((a) => [a.id, a]));
  // what limits the agent beyond its contract: its availability, days off, and other rosters' shifts next to
  // the period (the previous fortnight from `wfm plan --previous` too, not only published rosters)
  const limits = (agentId: string) => {
    const agent = byId.get(agentId);
    const theirs = (commitments ?? []).filter((c) => c.agentId === agentId).length;
    const own = [agent?.availability?.length ? 'availability' : '', agent?.daysOff?.length ? 'days off' : ''].filter(Boolean);
    const data = own.length ? `their skills, ${own.join(' and ')} and contract` : 'their skills and contract';
    const edge = theirs ? `, with their minimum rest and consecutive working days counted across the period's edges from their ${theirs} shift(s) in neighbouring rosters (published, or --previous)` : '';
    return `${data} where their skill groups need agents${edge}`;
  };
  if (violations.length && violations.every((v) => v.rule === 'min-weekly-hours')) {
    throw new WfmError('infeasible', `${new Set(violations.map((v) => v.agentId)).size} agent(s) cannot reach their weekly minimum with this plan: no schedule of its shifts and of top-ups shaped like them keeps every rule for them (each agent's detail says what limits it)`, {
      details: violations.slice(0, 50).map((v) => ({
        where: `/agents/${v.agentId}/contract`,
        message: `${v.message}: no planned shift and no top-up shift fits ${limits(v.agentId)} (rule: weekly min hours)`,
      })),
    });
  }
  if (violations.length) {
    throw new WfmError('internal', `the independent checker found ${violations.length} hard-rule violation(s) in the roster: not stored`, {
      details: violations.slice(0, 50).map((v) => ({ where: `/agents/${v.agentId}`, message: `${v.rule}: ${v.message}` })),
    });
  }
}

/**
 * `claimedSlots`: a re-plan's carried slots, one place per claim read on the roster it replaces; a claimed
 * shift runs the slot's span (as the exports list it).
 */
function summarize(built: Omit<BuiltRoster, 'summary'>, plan: LpFigures, skillGroups: SkillGroup[], topUps: number, claimedSlots: readonly CloudSlot[] = []): RosterSummary {
  const hoursOf = (id: string) => skillGroups.find((g) => g.id === id)!.intervalMinutes / 60;
  let required = 0;
  let scheduled = 0;
  let shortfall = 0;
  let offered = 0;
  let answeredInTime = 0;
  for (const c of built.coverage) {
    const h = hoursOf(c.skillGroupId);
    required += c.required * h;
    scheduled += c.scheduled * h;
    shortfall += c.shortfall * h;
    offered += c.volume;
    answeredInTime += c.volume * c.serviceLevel;
  }
  // summed in whole minutes, not rounded hours: shifts start and end on the minute
  const paidMinutes = built.shifts.reduce((n, x) => n + Math.round((x.end - x.start) / MINUTE_MS), 0);
  const claimedMinutes = claimedSlots.reduce((n, c) => n + c.agentsNeeded * Math.round((c.end - c.start) / MINUTE_MS), 0);
  return {
    partnerShifts: built.shifts.length,
    agentsWithShifts: new Set(built.shifts.map((s) => s.agentId)).size,
    paidHours: round(paidMinutes / 60, 1),
    paidMinutes,
    claimedShifts: claimedSlots.reduce((n, c) => n + c.agentsNeeded, 0),
    claimedHours: round(claimedMinutes / 60, 1),
    claimedMinutes,
    topUpShifts: topUps,
    uncoveredShifts: built.uncovered.length,
    slotPlaces: built.slots.reduce((n, s) => n + s.agentsNeeded, 0),
    requiredAgentHours: round(required, 1),
    scheduledAgentHours: round(scheduled, 1),
    shortfallAgentHours: round(shortfall, 1),
    intervalsShort: built.coverage.filter((c) => c.shortfall > 0.05).length,
    predictedServiceLevel: round(offered > 0 ? answeredInTime / offered : 1, 4),
    lpLowerBoundPaidHours: plan.lowerBoundPaidHours === null ? null : round(plan.lowerBoundPaidHours, 1),
    lpGap: plan.gap === null ? null : round(plan.gap, 4),
    checkerViolations: 0,
  };
}

function assignmentOptions(rules: RosterRules | undefined) {
  return { ...rules?.options };
}

/** Other rosters' shifts of these agents inside the period, pinned as they are. */
function busyShifts(input: Pick<BuildRosterInput, 'busy' | 'period'>, partners: Agent[]): AssignedShift[] {
  // (nothing to read the period for: it may be the bad one the input check is about to report)
  if (!input.busy?.length) return [];
  const ids = new Set(partners.map((a) => a.id));
  const dates = new Set(localDates(input.period.from, input.period.days, input.period.timeZone));
  return (input.busy ?? []).filter((s) => ids.has(s.agentId) && dates.has(s.date));
}

/** Other rosters' shifts of these agents on the days before or after the period: rest and runs of working days hold against them. */
function commitmentsOf(input: BuildRosterInput): Commitment[] {
  const dates = new Set(localDates(input.period.from, input.period.days, input.period.timeZone));
  return (input.busy ?? []).filter((s) => !dates.has(s.date)).map(({ agentId, start, end, date, kind }) => ({ agentId, start, end, date, kind }));
}

interface LpFigures {
  lowerBoundPaidHours: number | null;
  gap: number | null;
  reasons: ShortfallReason[];
}

interface Finished {
  assignment: AssignmentResult;
  requirement: Requirement;
  plan: LpFigures;
  carriedSlots?: CloudSlot[];
  /** a re-plan's absences: the checker holds the roster to them (and excuses those weeks' minimum) */
  absences?: ReplanInput['absences'];
  /** a re-plan's cut: shifts that started before it stay as they were, an absent agent's included */
  frozenBefore?: number;
  /** a re-plan's shifts that cloud agents hold: listed with the uncovered ones, whose slots they are */
  claimed?: PlannedShift[];
  /** a re-plan: whether a shift is the base roster's, with the same agent (its breaks stay as published) */
  unchangedShift?: (shift: AssignedShift) => boolean;
}

function finish(input: BuildRosterInput, done: Finished, report?: PhaseReport): BuiltRoster {
  report?.('coverage', 85);
  const busyIds = new Set((input.busy ?? []).map((s) => s.id));
  const partners = rosteredPartners(input.agents, input.skillGroups);
  report?.('check', 92);
  // the check runs with the other rosters' shifts in: rest and weekly limits hold across rosters too
  assertNoViolations(done.assignment.roster, partners, input.period, done.absences, done.frozenBefore, commitmentsOf(input));
  // Breaks of the roster as worked (top-ups copy their shape's breaks; uncovered shifts leave gaps the
  // LP's staggering counted on): re-staggered against the requirement (./breaks.ts). A re-plan moves
  // only the breaks of shifts that changed hands or are new; published shifts keep theirs.
  const { shifts } = restaggerBreaks({
    shifts: done.assignment.roster.filter((s) => !busyIds.has(s.id)),
    requirement: done.requirement.toPlan,
    templates: templatesOf(input.rules),
    intervalMinutesBySkillGroup: intervalMinutesOf(input.skillGroups),
    movable: done.unchangedShift ? (s) => !done.unchangedShift!(s) : undefined,
  });
  const slots = mergeSlots(cloudSlots(done.assignment.uncovered), done.carriedSlots ?? []);
  const partial = {
    shifts,
    // a claimed shift stays listed with its breaks: readers find a slot's shifts (and their breaks) here
    uncovered: [...done.assignment.uncovered, ...(done.claimed ?? [])],
    slots,
    coverage: coverageWithPerformance(shifts, done.requirement, input.skillGroups),
    fairness: done.assignment.fairness,
    uncoveredReasons: done.assignment.reasons,
    shortfallReasons: done.plan.reasons,
    belowMinimum: done.assignment.belowMinimum,
  };
  return { ...partial, summary: summarize(partial, done.plan, input.skillGroups, done.assignment.topUps.length, done.carriedSlots) };
}

/**
 * Slots of the same id add up (a re-plan's new shortfall plus the places cloud agents already hold). The
 * held places' shifts come first: the claims move over with the slot, and the i-th claim (claimants in
 * sorted order) is read as working the slot's i-th shift.
 */
function mergeSlots(fresh: CloudSlot[], carried: CloudSlot[]): CloudSlot[] {
  const byId = new Map(fresh.map((s) => [s.id, { ...s, shiftIds: [...s.shiftIds] }]));
  for (const c of carried) {
    const same = byId.get(c.id);
    if (same) {
      same.agentsNeeded += c.agentsNeeded;
      same.shiftIds = [...c.shiftIds, ...same.shiftIds];
    } else byId.set(c.id, { ...c, shiftIds: [...c.shiftIds] });
  }
  return [...byId.values()].sort((a, b) => a.start - b.start || a.skillGroupId.localeCompare(b.skillGroupId) || a.end - b.end);
}

/** `published`: a re-plan's published shifts, whose shapes the plan keeps where they still serve (PlanShiftsInput.published). */
function planFor(input: BuildRosterInput, requirement: Requirement, templates: ShiftTemplate[], published?: PlannedShift[]): PlanShiftsResult {
  return planShifts({
    skillGroups: input.skillGroups,
    requirement: requirement.toPlan,
    templates,
    dates: localDates(input.period.from, input.period.days, input.period.timeZone),
    penalties: input.rules?.penalties,
    published,
  });
}

function checkedInput(input: Omit<BuildRosterInput, 'forecast'>): void {
  const problems = rosterInputProblems(input);
  if (problems.length) throw new WfmError('infeasible', `the roster request is contradictory or invalid: ${problems.length} problem(s)`, { details: problems });
}

export function buildRoster(input: BuildRosterInput, report?: PhaseReport): BuiltRoster {
  checkedInput(input);
  const templates = templatesOf(input.rules);
  report?.('requirement', 5);
  const requirement = requirementOf(input, templates);
  report?.('lp', 10);
  const plan = planFor(input, requirement, templates);
  report?.('assignment', 40);
  const partners = rosteredPartners(input.agents, input.skillGroups);
  const busy = busyShifts(input, partners);
  const assignment = assignShifts({
    plannedShifts: [...busy, ...plan.shifts],
    agents: partners,
    period: input.period,
    options: { ...assignmentOptions(input.rules), commitments: commitmentsOf(input) },
    keep: Object.fromEntries(busy.map((s) => [s.id, s.agentId])),
    frozen: busy.map((s) => s.id),
    templates,
    demand: demandOf(requirement, input.skillGroups),
  });
  return finish(input, { assignment, requirement, plan: { lowerBoundPaidHours: plan.lowerBound.paidHours, gap: plan.gap, reasons: lpShortfallReasons(plan, input.skillGroups, input.period.timeZone) } }, report);
}

/** A stored roster to re-plan: its shifts, what stayed uncovered, and its slots with the claims on them. */
export interface RosterToReplan {
  shifts: AssignedShift[];
  uncovered: PlannedShift[];
  slots: Array<CloudSlot & { claimedBy: string[] }>;
}

export interface ReplanInput extends BuildRosterInput {
  base: RosterToReplan;
  absences?: Array<{ agentId: string; dates: string[] }>;
  /** true: plan shifts afresh from `forecast` (it moved); false: keep the base roster's shifts */
  forecastMoved: boolean;
  /** shifts starting before this instant stay exactly as they are ("now", passed in) */
  frozenBefore: number;
}


/**
 * Planned shifts minus those cloud agents already hold: each claim on a slot takes one of the slot's own
 * shifts off the partners' plan (or, when the plan was made afresh, one of the same period that no
 * partner worked). The claimed places come back as carried-over slots, and the claimed shifts themselves
 * (breaks included) as `claimed`.
 *
 * The i-th claimant of a slot (sorted, as the store lists them) works the slot's i-th shift: each keeps
 * that very shift where the plan still has it, so its breaks do not change under it. A claim whose shift
 * the new plan lacks takes another of the same period, else keeps the shift it had (from `baseUncovered`).
 */
function withoutClaimed(
  planned: PlannedShift[],
  slots: RosterToReplan['slots'],
  partnerShiftIds: Set<string>,
  baseUncovered: PlannedShift[],
): { planned: PlannedShift[]; carried: CloudSlot[]; claimed: PlannedShift[] } {
  const taken = new Set<string>();
  const carried: CloudSlot[] = [];
  const claimed: PlannedShift[] = [];
  const plannedById = new Map(planned.map((s) => [s.id, s]));
  const baseById = new Map(baseUncovered.map((s) => [s.id, s]));
  const byShape = new Map<string, PlannedShift[]>();
  for (const s of planned) byShape.set(shapeKey(s), [...(byShape.get(shapeKey(s)) ?? []), s]);
  for (const slot of slots) {
    if (!slot.claimedBy.length) continue;
    const shape = shapeKey(slot);
    const held: Array<PlannedShift | undefined> = slot.claimedBy.map((_, i) => {
      const own = plannedById.get(slot.shiftIds[i]);
      return own && shapeKey(own) === shape && !taken.has(own.id) ? own : undefined;
    });
    for (const s of held) if (s) taken.add(s.id);
    // claims whose own shift is gone: first the slot's other shifts, then ones of the same period no partner worked
    const sameShape = byShape.get(shape) ?? [];
    const spare = [
      ...sameShape.filter((s) => slot.shiftIds.includes(s.id)),
      ...sameShape.filter((s) => !slot.shiftIds.includes(s.id) && !partnerShiftIds.has(s.id)),
    ];
    for (let i = 0; i < held.length; i++) {
      if (held[i]) continue;
      const other = spare.find((s) => !taken.has(s.id));
      if (other) {
        taken.add(other.id);
        held[i] = other;
        continue;
      }
      // the new plan has no such shift left: the claimant still works the one they claimed (unless its id now names another shift)
      const before = baseById.get(slot.shiftIds[i]);
      if (before && !plannedById.has(before.id) && !claimed.some((c) => c.id === before.id)) held[i] = before;
    }
    claimed.push(...held.filter((s): s is PlannedShift => s !== undefined));
    const { claimedBy: _claimedBy, rosterId: _rosterId, ...plain } = slot as CloudSlot & { claimedBy: string[]; rosterId?: string };
    const shiftIds = held.map((s, i) => s?.id ?? slot.shiftIds[i] ?? slot.shiftIds[0]);
    carried.push({ ...plain, agentsNeeded: slot.claimedBy.length, shiftIds });
  }
  return { planned: planned.filter((s) => !taken.has(s.id)), carried, claimed };
}

/**
 * A plan made afresh (the forecast moved) names its shifts anew and lays out their breaks anew. A new
 * shift of the same group and times as a published one (or one left to cloud slots) is that shift: it
 * keeps the published id and breaks, so an agent's calendar entry and meal time do not change under
 * them, and the re-plan does not list it as removed and added.
 */
function asPublishedWherePlannedAgain(planned: PlannedShift[], base: RosterToReplan): PlannedShift[] {
  const before = new Map<string, PlannedShift[]>();
  for (const s of [...base.shifts.map(withoutAgent), ...base.uncovered]) before.set(shapeKey(s), [...(before.get(shapeKey(s)) ?? []), s]);
  const used = new Set<string>();
  // the published shift with the same id first (it is the same shift), else any of the same shape
  const ids = new Set(planned.map((s) => s.id));
  return planned.map((s) => {
    const same = before.get(shapeKey(s)) ?? [];
    const twin = same.find((b) => b.id === s.id && !used.has(b.id)) ?? same.find((b) => !used.has(b.id) && !ids.has(b.id));
    if (!twin) return s;
    used.add(twin.id);
    return { ...s, id: twin.id, breaks: twin.breaks };
  });
}

/**
 * A shift assigned again to the same agent at the same times, id included, is the published one: its
 * group and breaks stay. A top-up made again is laid out afresh by the assignment, which may also pick
 * another of the agent's groups for it — the agent's meal would move and their shift change queue with
 * no entry in `changes`. (Not the group when the new top-up stands in for an uncovered shift of its new
 * group: the agent works those hours there.)
 */
export function asPublishedWhereSame(published: AssignedShift[], standIns: Array<{ topUpShiftId: string }>): (shift: AssignedShift) => AssignedShift {
  const publishedById = new Map(published.map((s) => [s.id, s]));
  const standingIn = new Set(standIns.map((x) => x.topUpShiftId));
  return (s) => {
    const before = publishedById.get(s.id);
    if (!before || before.agentId !== s.agentId || before.start !== s.start || before.end !== s.end) return s;
    if (before.skillGroupId !== s.skillGroupId && standingIn.has(s.id)) return s;
    return { ...s, skillGroupId: before.skillGroupId, breaks: before.breaks };
  };
}

/**
 * A shift the same agent keeps at the same times but for another of their groups (a top-up made again
 * where the new plan needs it more) is a change for them: another queue, and the meal where that queue
 * wants it. Listed as 'moved', with the group it was for.
 */
export function groupChanges(published: AssignedShift[], roster: AssignedShift[]): RosterChange[] {
  const before = new Map(published.map((s) => [s.id, s]));
  return roster.flatMap((s): RosterChange[] => {
    const p = before.get(s.id);
    if (!p || p.agentId !== s.agentId || p.start !== s.start || p.end !== s.end || p.skillGroupId === s.skillGroupId) return [];
    return [{ kind: 'moved', shiftId: s.id, date: s.date, skillGroupId: s.skillGroupId, start: s.start, end: s.end, fromAgentId: p.agentId, toAgentId: s.agentId, previousStart: p.start, previousEnd: p.end, previousSkillGroupId: p.skillGroupId, reason: `same agent and times, now for ${s.skillGroupId} (was ${p.skillGroupId}): its hours stand in for that group's uncovered shift` }];
  });
}

/**
 * What changed for people: a shift that was a cloud slot before and still is, is no change (by id, or
 * by group and times when the plan was made afresh); one a partner now takes was a slot before, not new work.
 */
function meaningfulChanges(changes: RosterChange[], previouslyOpen: Set<string>, previouslyOpenShapes: Map<string, number>): RosterChange[] {
  const open = new Map(previouslyOpenShapes);
  const wasOpen = (c: RosterChange) => {
    if (previouslyOpen.has(c.shiftId)) return true;
    const left = open.get(shapeKey(c)) ?? 0;
    if (left <= 0) return false;
    open.set(shapeKey(c), left - 1);
    return true;
  };
  return changes
    .filter((c) => !(c.kind === 'uncovered' && !c.fromAgentId && wasOpen(c)))
    .map((c) => (c.kind === 'added' && previouslyOpen.has(c.shiftId) ? { ...c, reason: 'was a cloud slot; a partner can take it now' } : c));
}

export function replanStoredRoster(input: ReplanInput, report?: PhaseReport): BuiltRoster {
  checkedInput(input);
  const templates = templatesOf(input.rules);
  report?.('requirement', 5);
  const requirement = requirementOf(input, templates);
  let planned: PlannedShift[];
  let lp: LpFigures = { lowerBoundPaidHours: null, gap: null, reasons: [] };
  if (input.forecastMoved) {
    report?.('lp', 10);
    // Planned afresh, the LP lands in another of its many near-equal optima all over the period even
    // when the forecast barely moved; told the published shapes, it keeps them where they still serve.
    const plan = planFor(input, requirement, templates, [...input.base.shifts.filter((s) => !isTopUp(s)).map(withoutAgent), ...input.base.uncovered]);
    planned = asPublishedWherePlannedAgain(plan.shifts, input.base);
    lp = { lowerBoundPaidHours: plan.lowerBound.paidHours, gap: plan.gap, reasons: lpShortfallReasons(plan, input.skillGroups, input.period.timeZone) };
  } else {
    planned = [...input.base.shifts.map(withoutAgent), ...input.base.uncovered];
  }
  const { planned: forPartners, carried, claimed } = withoutClaimed(planned, input.base.slots, new Set(input.base.shifts.map((s) => s.id)), input.base.uncovered);
  report?.('assignment', 40);
  const partners = rosteredPartners(input.agents, input.skillGroups);
  const busy = busyShifts(input, partners);
  const result = replanRoster({
    published: [...busy, ...input.base.shifts],
    agents: partners,
    period: input.period,
    change: { absences: input.absences, plannedShifts: [...busy.map(withoutAgent), ...forPartners] },
    frozenBefore: input.frozenBefore,
    options: { ...assignmentOptions(input.rules), commitments: commitmentsOf(input) },
    demand: demandOf(requirement, input.skillGroups, claimed),
  });
  const published = new Map(input.base.shifts.map((s) => [s.id, s.agentId]));
  const unchangedShift = (s: AssignedShift) => published.get(s.id) === s.agentId;
  const asPublished = asPublishedWhereSame(input.base.shifts, result.standIns);
  result.roster = result.roster.map(asPublished);
  result.topUps = result.topUps.map(asPublished);
  const built = finish(input, { assignment: result, requirement, plan: lp, carriedSlots: carried, claimed, absences: input.absences, frozenBefore: input.frozenBefore, unchangedShift }, report);
  const busyIds = new Set(busy.map((s) => s.id));
  const previouslyOpen = new Set(input.base.uncovered.map((s) => s.id));
  const openShapes = new Map<string, number>();
  const plannedIds = new Set(planned.map((p) => p.id));
  for (const s of input.base.uncovered) if (!plannedIds.has(s.id)) openShapes.set(shapeKey(s), (openShapes.get(shapeKey(s)) ?? 0) + 1);
  const regrouped = groupChanges(input.base.shifts, result.roster);
  const changes = [...meaningfulChanges(result.changes.filter((c) => !busyIds.has(c.shiftId)), previouslyOpen, openShapes), ...regrouped].sort((a, b) => a.start - b.start || a.shiftId.localeCompare(b.shiftId));
  return { ...built, changes, keptShifts: result.keptCount - busy.length - regrouped.length };
}
