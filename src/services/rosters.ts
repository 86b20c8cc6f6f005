/**
 * Roster use cases over the store and the queues: request a build (checked, then queued as
 * `build-roster`), run it (forecast per skill group → the pure pipeline in a worker thread → a stored
 * draft), read results, publish, re-plan, export, drill, and cloud agents' claims on slots.
 */
import type { Job } from 'bullmq';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config';
import type { Agent, IntervalVolume, SkillGroup } from '../domain/types';
import { WfmError, invalid, isWfmError, type ProblemDetail } from '../errors/wfm-error';
import { QUEUE } from '../queue/names';
import type { Queues } from '../queue/queues';
import { runInWorkerThread } from '../queue/thread-runner';
import type { FsModelRegistry } from '../registry/fs-model-registry';
import {
  periodInstants,
  periodProblems,
  rosterInputProblems,
  type BuildRosterInput,
  type BuiltRoster,
  type ReplanInput,
  type RosterRules,
  templatesOf,
} from '../roster/build';
import { coverageWithClaims } from '../roster/claimed-coverage';
import { absentDateOf } from '../roster/replan';
import { agentIcalFeed, checkRoster, rosterToCsv, type PlanningPeriod } from '../roster/assignment';
import { dayOffset, PREVIOUS_SHARES_DAYS } from '../roster/assignment-model';
import type { AssignedShift, PlannedShift } from '../roster/types';
import { validateSimulationSpec } from '../sim/scenario';
import { canonicalZone } from '../domain/validate';
import type { ArrivalShock, PolicyName, SimShift, SimulationSpec } from '../sim/types';
import { decodeCursor, encodeCursor } from './paging';
import type { BuildFailure, ClaimRefusal, PublishOutcome, RosterCursor, SlotWithClaims, StoredRoster } from '../store/roster-repository';
import { DEFAULT_JOB_OPTIONS, stalledFailureReason } from '../queue/definitions';
import type { Store } from '../store/store';
import { guarded } from '../store/redis';
import { DAY_MS, HOUR_MS, formatInstant, localPieces, parseTimestamp, type LocalPiece, startOfLocalDay, windowsCover } from '../time/grid';
import { localDates } from '../roster/lp';
import { signClaimToken, type ClaimTokenClaims } from './claim-tokens';
import { firstClash, workTimes } from '../roster/claim-conflicts';
import { workEnd } from '../trigger/callouts';
import { isCalledAgent } from './trigger';
import { FORECAST_HISTORY_DAYS } from '../forecast';
import { recentHistoryProblem } from '../roster/period-history';
import { computePeriodForecast, forecastRows, type ForecastSource } from './period-forecast';
import { storedForecastSpan } from './forecasting';
import type { StoredForecastMeta } from '../store/forecast-repository';
import type { BuildProgress } from './roster-build-thread';

export interface RosterContext {
  config: Config;
  store: Store;
  queues: Queues;
  registry: FsModelRegistry;
  now: () => number;
}

export interface RosterRequest {
  period: { from: string; days: number; timeZone?: string };
  skillGroups: string[];
  rules?: RosterRules;
}

export interface ReplanRequest {
  /** agents who cannot work on these local dates (illness, leave) */
  absences?: Array<{ agentId: string; dates: string[] }>;
  /** the stored forecast moved: plan the shifts afresh from it, then re-assign keeping who works what */
  forecastMoved?: boolean;
}

export type Absence = NonNullable<ReplanRequest['absences']>[number];

export type BuildRosterJob =
  | { kind: 'build'; rosterId: string; request: RosterRequest }
  | { kind: 'replan'; rosterId: string; baseRosterId: string; change: ReplanRequest };

/** claim tokens live at most this long; a planner issues a new one for the next roster */
const MAX_TOKEN_DAYS = 62;

// ---------------------------------------------------------------------------------------------------
// Requesting and building
// ---------------------------------------------------------------------------------------------------

/**
 * The roster core names a request's fields from the request's root ("/period/days", "/rules/…"); over
 * HTTP every field of a body is named from "/body", as the contract validator names them. Pointers to
 * stored resources ("/agents/P7/contract") stay as they are.
 */
function inRequestBody(problems: ProblemDetail[], bodyFields: string[]): ProblemDetail[] {
  return problems.map((p) => (bodyFields.some((f) => p.where === `/${f}` || p.where.startsWith(`/${f}/`)) ? { ...p, where: `/body${p.where}` } : p));
}

/** `at`: where the ids came from — the request body's list, or a stored roster's. */
async function skillGroupsOrThrow(store: Store, ids: string[], at = '/body/skillGroups'): Promise<SkillGroup[]> {
  const all = await store.skillGroups.map();
  const problems: ProblemDetail[] = [];
  ids.forEach((id, i) => {
    if (!all.has(id)) problems.push({ where: `${at}/${i}`, message: `unknown skill group "${id}"` });
  });
  if (new Set(ids).size !== ids.length) problems.push({ where: at, message: 'a skill group is named twice' });
  if (problems.length) throw invalid('unknown skill groups', problems);
  return ids.map((id) => all.get(id)!);
}

function periodOf(request: RosterRequest, groups: SkillGroup[]): PlanningPeriod {
  const asked = request.period.timeZone ?? groups[0]?.timeZone ?? 'UTC';
  // kept under the name skill groups and agents are ("europe/berlin" → Europe/Berlin, "GMT" → UTC); one
  // refused stays as typed, for periodProblems to name
  const zone = typeof asked === 'string' ? canonicalZone(asked) : undefined;
  return { from: request.period.from, days: request.period.days, timeZone: zone?.ok ? zone.zone : asked };
}

/**
 * A stored forecast serves a period when the span it covers holds the whole period: from at or before its
 * start to at or after its end. The span ends with the fourteenth local day from the day the forecast was
 * computed from, not 14 × 24 h after that instant: one made late on the 13th ends with the 26th, and a
 * fortnight from the 14th planned on it had no demand on its last day. A period it does not cover is
 * forecast from history instead (the request check asks for recent history then).
 */
export function storedForecastServes(meta: Pick<StoredForecastMeta, 'from'>, groupTimeZone: string, startMs: number, endMs: number): boolean {
  const covers = storedForecastSpan(meta, groupTimeZone);
  return covers.from <= startMs && covers.to >= endMs;
}

async function storedForecastCovers(store: Store, group: SkillGroup, startMs: number, endMs: number): Promise<boolean> {
  const meta = await store.forecasts.meta(group.id);
  return meta !== undefined && storedForecastServes(meta, group.timeZone, startMs, endMs);
}

/** The forecast of the period for one group: the stored two-week forecast, or one computed from history now. */
async function forecastForPeriod(ctx: RosterContext, group: SkillGroup, period: PlanningPeriod): Promise<{ rows: IntervalVolume[]; source: ForecastSource }> {
  const { startMs, endMs } = periodInstants(period);
  if (await storedForecastCovers(ctx.store, group, startMs, endMs)) {
    // and the next day where stored: the roster's night shifts of its last day work into it
    const [meta, points] = await Promise.all([ctx.store.forecasts.meta(group.id), ctx.store.forecasts.read(group.id, startMs, endMs + DAY_MS)]);
    return {
      rows: forecastRows(group.id, points),
      source: {
        skillGroupId: group.id,
        source: 'stored-forecast',
        alias: meta!.alias,
        ...(meta!.modelVersion ? { modelVersion: meta!.modelVersion } : {}),
        baselineFallback: meta!.baselineFallback,
        ...(meta!.fallbackReason ? { fallbackReason: meta!.fallbackReason } : {}),
        forecastCreatedAt: meta!.createdAt,
      },
    };
  }
  const [history, specialDays, live] = await Promise.all([
    ctx.store.history.read(group.id, startMs - FORECAST_HISTORY_DAYS * DAY_MS, startMs),
    ctx.store.specialDays.list(group.id),
    ctx.registry.loadLive(group.id, 'two-week'),
  ]);
  // checked when the build started (checkRequest); again on what was read, should the history have changed since
  const problem = periodHistoryProblem(group, history[history.length - 1]?.start, period, startMs);
  if (problem) {
    throw new WfmError('insufficient-history', problem, {
      details: [{ where: `/skill-groups/${group.id}`, message: 'upload history up to the period, or store a two-week forecast that covers it' }],
    });
  }
  return computePeriodForecast({ group, history, startMs, days: period.days, specialDays, live });
}

/**
 * The one rule (src/roster/period-history) of the history a period's forecast is computed from, as the
 * request check and the job both word it. `lastStart`: the group's last interval start before the period
 * (within the history the job reads).
 */
function periodHistoryProblem(group: SkillGroup, lastStart: number | undefined, period: PlanningPeriod, startMs: number): string | undefined {
  const problem = recentHistoryProblem(group.id, lastStart, { from: period.from, timeZone: period.timeZone, startMs });
  return problem && `no stored forecast covers the period for ${group.id}, and ${problem}`;
}

/** The last interval start of the history the job reads for the period ([start - FORECAST_HISTORY_DAYS, start)). */
function lastHistoryStart(store: Store, groupId: string, startMs: number): Promise<number | undefined> {
  return store.history.lastStartBefore(groupId, startMs, startMs - FORECAST_HISTORY_DAYS * DAY_MS);
}

/** Cheap checks before anything is queued: everything a planner can fix is a 422 now, not a failed job. */
async function checkRequest(ctx: RosterContext, request: RosterRequest): Promise<{ groups: SkillGroup[]; agents: Agent[]; period: PlanningPeriod }> {
  const groups = await skillGroupsOrThrow(ctx.store, request.skillGroups);
  const agents = await ctx.store.agents.list();
  const period = periodOf(request, groups);
  const periodValid = periodProblems(period).length === 0;
  // agents who also work another published roster may reach their weekly minimum there
  const busy = periodValid ? (await busyElsewhere(ctx, period, groups.map((g) => g.id))).shifts : [];
  const problems = inRequestBody(rosterInputProblems({ period, skillGroups: groups, agents, rules: request.rules, busy }), ['period', 'skillGroups', 'rules']);
  // One roster runs on one clock (its days, weeks, availability without a zone). Groups in different
  // zones would be planned on the first one's: New York's days starting at Berlin midnight.
  const zones = [...new Set(groups.map((g) => g.timeZone))];
  if (request.period.timeZone === undefined && zones.length > 1) {
    problems.push({
      where: '/body/skillGroups',
      message: `the skill groups keep different time zones: ${groups.map((g) => `${g.id} (${g.timeZone})`).join(', ')}; one roster runs on one time zone: request a roster per zone, or name period.timeZone`,
    });
  }
  if (periodValid) {
    const { startMs, endMs } = periodInstants(period);
    for (const [i, g] of groups.entries()) {
      if (await storedForecastCovers(ctx.store, g, startMs, endMs)) continue;
      const problem = periodHistoryProblem(g, await lastHistoryStart(ctx.store, g.id, startMs), period, startMs);
      if (problem) problems.push({ where: `/body/skillGroups/${i}`, message: problem });
    }
  }
  // a malformed period (2026-11-31, 30 days) is bad input; anything else here is contradictory
  const malformedOnly = problems.every((p) => p.where.startsWith('/body/period'));
  if (problems.length) throw new WfmError(malformedOnly ? 'validation' : 'infeasible', `the roster request is contradictory or invalid: ${problems.length} problem(s)`, { details: problems });
  return { groups, agents, period };
}

export async function requestRoster(ctx: RosterContext, request: RosterRequest): Promise<{ id: string; jobId: string }> {
  await checkRequest(ctx, request);
  const id = randomUUID();
  const data: BuildRosterJob = { kind: 'build', rosterId: id, request };
  const jobId = await ctx.queues.add(QUEUE.buildRoster, data, { jobId: id });
  return { id, jobId };
}

/**
 * Shifts of other published rosters that the agents of this one already work (different skill groups),
 * with every published roster overlapping the period as read for them (publishing checks against that).
 */
async function busyElsewhere(ctx: RosterContext, period: PlanningPeriod, groupIds: string[], exceptRosterId?: string): Promise<{ published: string[]; shifts: AssignedShift[] }> {
  const { startMs, endMs } = periodInstants(period);
  const published = await ctx.store.rosters.publishedOverlapping(startMs, endMs);
  const groupsOf = await ctx.store.rosters.groupsOf(published);
  const ids = new Set(groupIds);
  // a published roster of the same group is an alternative to this one (publishing settles it), not a commitment
  const others = published.filter((id) => id !== exceptRosterId && !groupsOf.get(id)!.some((g) => ids.has(g)));
  // The rosters next to this one, of any group (the same group's previous fortnight too): their shifts
  // in the days around the period's edges, against which the minimum rest and runs of working days hold.
  const adjacent = (await ctx.store.rosters.publishedOverlapping(startMs - EDGE_MS, endMs + EDGE_MS)).filter((id) => id !== exceptRosterId && !published.includes(id));
  const near = [...others, ...adjacent];
  const found = await shiftsOfAgentsNow(ctx, [
    ...others.map((rosterId) => ({ rosterId, fromMs: startMs, toMs: endMs })),
    ...near.map((rosterId) => ({ rosterId, fromMs: startMs - EDGE_MS, toMs: startMs })),
    ...near.map((rosterId) => ({ rosterId, fromMs: endMs, toMs: endMs + EDGE_MS })),
  ]);
  const seen = new Set<string>();
  return { published, shifts: found.filter((s) => !seen.has(s.id) && (seen.add(s.id), true)) };
}

/**
 * Whether a roster's shifts and absences under `agentId` are of the agent stored under the id now, whose
 * incarnation is `incarnation` ('' for one stored before incarnations were): not when the roster recorded
 * another one for the id (an agent deleted since, the id given to another person). Work done stays on its
 * roster (its own views show it under the id); it is not the new person's calendar, export or history.
 * Rosters stored before they recorded incarnations, and ids they did not record, are read as the agent's.
 */
export function rosteredSameAgent(roster: Pick<StoredRoster, 'agentIncarnations'>, agentId: string, incarnation: string): boolean {
  const recorded = roster.agentIncarnations?.[agentId];
  return recorded === undefined || recorded === incarnation;
}

/**
 * Shifts of the published rosters in each one's window ([fromMs, toMs), as RosterRepository.shiftsOf reads
 * it), less those of an agent deleted since whose id now names another (rosteredSameAgent): the rest,
 * runs of working days and previous fortnight's shares of the agent now stored under the id are theirs
 * only. Shifts of ids with no agent now are kept (they are nobody's to mistake). Reads each roster's meta
 * and, when one recorded incarnations, those of its agents now.
 */
async function shiftsOfAgentsNow(ctx: RosterContext, windows: Array<{ rosterId: string; fromMs: number; toMs: number }>): Promise<AssignedShift[]> {
  const perWindow = await Promise.all(windows.map((w) => ctx.store.rosters.shiftsOf([w.rosterId], w.fromMs, w.toMs)));
  const ids = [...new Set(windows.filter((_, i) => perWindow[i].length).map((w) => w.rosterId))];
  const rosters = new Map((await Promise.all(ids.map((id) => ctx.store.rosters.get(id)))).flatMap((r) => (r?.agentIncarnations ? [[r.id, r] as [string, StoredRoster]] : [])));
  if (!rosters.size) return perWindow.flat();
  const current = await ctx.store.agents.incarnationsOf(windows.flatMap((w, i) => (rosters.has(w.rosterId) ? perWindow[i].map((s) => s.agentId) : [])));
  return windows.flatMap((w, i) => {
    const roster = rosters.get(w.rosterId);
    return roster ? perWindow[i].filter((s) => !current.has(s.agentId) || rosteredSameAgent(roster, s.agentId, current.get(s.agentId)!)) : perWindow[i];
  });
}

/**
 * How far past the period's edges other rosters' shifts are read: shifts and rest are each under a day
 * (two days would do for rest), but a run of working days (at most 14 by contract) continues across an edge.
 */
const EDGE_MS = 15 * 86_400_000;

/**
 * Shifts of other published rosters that run into a re-plan's absences: a night shift of the previous
 * fortnight's last day reaching an absence on this one's first day, say. This re-plan cannot take it
 * away (it belongs to that roster); the planner is told to re-plan that roster with the absence (it
 * takes the day after its period for that reason).
 */
async function absencesInOtherRosters(ctx: RosterContext, period: PlanningPeriod, absences: Absence[], exceptIds: string[]): Promise<AbsenceConflict[]> {
  if (!absences.length) return [];
  const { startMs, endMs } = periodInstants(period);
  const rosterIds = (await ctx.store.rosters.publishedOverlapping(startMs - DAY_MS, endMs + DAY_MS)).filter((id) => !exceptIds.includes(id));
  const absentDates = new Map(absences.map((a) => [a.agentId, new Set(a.dates)]));
  const conflicts: AbsenceConflict[] = [];
  for (const rosterId of rosterIds) {
    for (const shift of await shiftsOfAgentsNow(ctx, [{ rosterId, fromMs: startMs - DAY_MS, toMs: endMs + DAY_MS }])) {
      const absentOn = absentDateOf(shift, absentDates.get(shift.agentId), period.timeZone);
      if (absentOn) conflicts.push({ rosterId, shiftId: shift.id, agentId: shift.agentId, start: shift.start, end: shift.end, absentOn });
    }
  }
  return conflicts;
}

export interface AbsenceConflict {
  rosterId: string;
  shiftId: string;
  agentId: string;
  start: number;
  end: number;
  absentOn: string;
}

/**
 * The absences the published rosters of the fortnight before the period were re-planned around, dated
 * there: the agent was away those days, and the weekend and late shares credit them at the class's rate
 * (roster/assignment-model.ts daysAwayBefore) rather than reading the fewer shifts as owed unpopular ones.
 */
async function absencesBefore(ctx: RosterContext, period: PlanningPeriod, exceptRosterId?: string): Promise<Absence[]> {
  const { startMs } = periodInstants(period);
  const ids = (await ctx.store.rosters.publishedOverlapping(startMs - PREVIOUS_SHARES_DAYS * DAY_MS, startMs)).filter((id) => id !== exceptRosterId);
  const stored = (await Promise.all(ids.map((id) => ctx.store.rosters.get(id)))).filter((r): r is StoredRoster => r !== undefined);
  const before = (date: string) => dayOffset(period.from, date) < 0 && dayOffset(period.from, date) >= -PREVIOUS_SHARES_DAYS;
  const dated = stored.map((r) => ({ roster: r, away: absencesOf(r).map((a) => ({ agentId: a.agentId, dates: a.dates.filter(before) })).filter((a) => a.dates.length) }));
  // an absence of an agent deleted since is not the days away of the person given the id after them
  const current = await ctx.store.agents.incarnationsOf(dated.flatMap(({ roster, away }) => (roster.agentIncarnations ? away.map((a) => a.agentId) : [])));
  return mergeAbsences(...dated.map(({ roster, away }) => away.filter((a) => !current.has(a.agentId) || rosteredSameAgent(roster, a.agentId, current.get(a.agentId)!))));
}

/** The agents with those days away added to their days off (dates before the period: they bind no shift of it). */
function withDaysAway(agents: Agent[], away: Absence[]): Agent[] {
  if (!away.length) return agents;
  const byAgent = new Map(away.map((a) => [a.agentId, a.dates]));
  return agents.map((a) => (byAgent.has(a.id) ? { ...a, daysOff: [...new Set([...(a.daysOff ?? []), ...byAgent.get(a.id)!])].sort() } : a));
}

/** The absences a stored roster was planned around (none on record for rosters stored before they were kept). */
function absencesOf(roster: StoredRoster): Absence[] {
  return (roster.details.absences as Absence[] | undefined) ?? [];
}

/** One entry per agent with each date once: a re-plan of a re-plan still owes the earlier absences. */
function mergeAbsences(...lists: Absence[][]): Absence[] {
  const byAgent = new Map<string, Set<string>>();
  for (const a of lists.flat()) byAgent.set(a.agentId, new Set([...(byAgent.get(a.agentId) ?? []), ...a.dates]));
  return [...byAgent].map(([agentId, dates]) => ({ agentId, dates: [...dates].sort() }));
}

/**
 * The incarnation of each agent the roster names (its shifts' agents as the build read them; for an agent
 * named only by its absences, the one the base roster recorded, whose absence it carries on): see
 * StoredRosterMeta.agentIncarnations. An agent deleted while the build ran is left out.
 */
export function rosteredIncarnations(shifts: ReadonlyArray<Pick<AssignedShift, 'agentId'>>, absences: readonly Absence[], atBuild: ReadonlyMap<string, string>, base?: Pick<StoredRoster, 'agentIncarnations'>): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const a of absences) {
    const incarnation = base?.agentIncarnations?.[a.agentId] ?? atBuild.get(a.agentId);
    if (incarnation !== undefined) recorded[a.agentId] = incarnation;
  }
  for (const s of shifts) {
    const incarnation = atBuild.get(s.agentId);
    if (incarnation !== undefined) recorded[s.agentId] = incarnation;
  }
  return recorded;
}

async function saveBuilt(ctx: RosterContext, id: string, built: BuiltRoster, header: { period: PlanningPeriod; groups: SkillGroup[]; request: RosterRequest; sources: ForecastSource[]; absences: Absence[]; agentIncarnations: Record<string, string>; replanOf?: string; absenceConflicts?: AbsenceConflict[]; claimsMovingAtPublish?: ClaimsMovingAtPublish }): Promise<void> {
  const { startMs, endMs } = periodInstants(header.period);
  await ctx.store.rosters.saveDraft({
    meta: {
      id,
      createdAt: new Date(ctx.now()).toISOString(),
      period: { ...header.period, startMs, endMs },
      skillGroupIds: header.groups.map((g) => g.id),
      ...(header.replanOf ? { replanOf: header.replanOf } : {}),
      request: header.request as unknown as Record<string, unknown>,
      summary: built.summary as unknown as Record<string, unknown>,
      details: {
        forecastSources: header.sources,
        fairness: built.fairness,
        uncoveredReasons: built.uncoveredReasons,
        shortfallReasons: built.shortfallReasons,
        belowMinimum: built.belowMinimum,
        // the next re-plan of this roster starts from them (the original request has none)
        absences: header.absences,
        ...(built.changes ? { changes: built.changes, keptShifts: built.keptShifts } : {}),
        ...(header.absenceConflicts?.length ? { absenceConflicts: header.absenceConflicts } : {}),
        ...(header.claimsMovingAtPublish ? { claimsMovingAtPublish: header.claimsMovingAtPublish } : {}),
      },
      agentIncarnations: header.agentIncarnations,
    },
    shifts: built.shifts,
    uncovered: built.uncovered,
    coverage: built.coverage,
    slots: built.slots,
  });
}

const THREAD_MODULE = path.resolve(__dirname, 'roster-build-thread.ts');

/**
 * A re-plan's claims that move to it at publish (a re-plan's `details`): the re-plan's partner shifts and
 * `changes` leave them out, since the claimed slots stay the cloud agents' through a re-plan, and payroll
 * previewing the draft would read their hours as lost. Stored as its job read them; GET /rosters/{id} of
 * the draft reads them again at the request (rosterView), since claims made or released during and
 * after the build change what the publish moves (its `movedClaims` says how many did).
 */
export interface ClaimsMovingAtPublish {
  count: number;
  /** their paid span, breaks included: exact minutes, and hours to 0.1 h */
  paidMinutes: number;
  paidHours: number;
  /** `carried`: on a slot the re-plan dropped, which the publish adds back for its claims */
  claims: Array<{ agentId: string; slotId: string; skillGroupId: string; date: string; start: string; end: string; paidMinutes: number; carried?: true }>;
  /** slots the publish would carry over (a place per claim) or enlarge (places below claims), as its answer names them; only when any */
  carriedClaims?: Array<{ slotId: string; agentIds: string[]; places: number }>;
  enlargedSlots?: Array<{ slotId: string; placesPlanned: number; places: number; agentIds: string[] }>;
}

/**
 * The claims on the replaced roster's slots: the publish moves every one — onto the re-plan's slot of the
 * same id (enlarged when it has fewer places than claims), or (`carried`) onto the slot it adds back where
 * the re-plan dropped it. `replanSlots`: the re-plan's slots, their places and any claims they hold.
 */
export function claimsMovingOf(replacedSlots: SlotWithClaims[], replanSlots: ReadonlyArray<{ id: string; agentsNeeded: number; claimedBy?: string[] }>, zone: string): ClaimsMovingAtPublish {
  const replanById = new Map(replanSlots.map((s) => [s.id, s]));
  const carriedClaims: NonNullable<ClaimsMovingAtPublish['carriedClaims']> = [];
  const enlargedSlots: NonNullable<ClaimsMovingAtPublish['enlargedSlots']> = [];
  // as the publish script sizes them: every claimant of the slot, on either roster, needs a place
  for (const slot of replacedSlots) {
    if (!slot.claimedBy.length) continue;
    const own = replanById.get(slot.id);
    const places = new Set([...(own?.claimedBy ?? []), ...slot.claimedBy]).size;
    if (!own) carriedClaims.push({ slotId: slot.id, agentIds: [...slot.claimedBy].sort(), places });
    else if (places > own.agentsNeeded) enlargedSlots.push({ slotId: slot.id, placesPlanned: own.agentsNeeded, places, agentIds: [...slot.claimedBy].sort() });
  }
  const claims = replacedSlots
    .flatMap((slot) =>
      slot.claimedBy.map((agentId) => ({
        agentId,
        slotId: slot.id,
        skillGroupId: slot.skillGroupId,
        date: slot.date,
        start: formatInstant(slot.start, zone),
        end: formatInstant(slot.end, zone),
        paidMinutes: Math.round((slot.end - slot.start) / 60_000),
        ...(replanById.has(slot.id) ? {} : { carried: true as const }),
      })),
    )
    .sort((a, b) => a.start.localeCompare(b.start) || a.agentId.localeCompare(b.agentId));
  const paidMinutes = claims.reduce((n, c) => n + c.paidMinutes, 0);
  return {
    count: claims.length,
    paidMinutes,
    paidHours: Math.round(paidMinutes / 6) / 10,
    claims,
    ...(carriedClaims.length ? { carriedClaims } : {}),
    ...(enlargedSlots.length ? { enlargedSlots } : {}),
  };
}

/** The job: gathers the data, runs the pipeline in a worker thread, stores the draft. */
export async function runBuildRosterJob(ctx: RosterContext, data: BuildRosterJob, onProgress: (p: BuildProgress | { phase: string; percent: number }) => void, signal?: AbortSignal) {
  onProgress({ phase: 'loading', percent: 1 });
  // the base of a re-plan was stored when it was asked for: gone since is not found (no build to wait for)
  const base = data.kind === 'replan' ? ((await ctx.store.rosters.get(data.baseRosterId)) ?? throwNotFound(data.baseRosterId)) : undefined;
  const request = base ? (base.request as unknown as RosterRequest) : (data as Extract<BuildRosterJob, { kind: 'build' }>).request;
  const { groups, agents, period } = await checkRequest(ctx, { ...request, period: base ? { from: base.period.from, days: base.period.days, timeZone: base.period.timeZone } : request.period });
  // who the agents planned for are (an id may later name another person): recorded with the roster
  const incarnations = await ctx.store.agents.incarnationsOf(agents.map((a) => a.id));
  onProgress({ phase: 'forecast', percent: 3 });
  const forecasts = await Promise.all(groups.map((g) => forecastForPeriod(ctx, g, period)));
  const { shifts: busy } = await busyElsewhere(ctx, period, groups.map((g) => g.id), base?.id);
  const away = await absencesBefore(ctx, period, base?.id);
  const input: BuildRosterInput = { period, skillGroups: groups, agents: withDaysAway(agents, away), forecast: forecasts.flatMap((f) => f.rows), rules: request.rules, busy };
  let built: BuiltRoster;
  let claimsMovingAtPublish: ClaimsMovingAtPublish | undefined;
  // the base roster was planned around its own absences (and its base's): they still hold
  const absences = data.kind === 'replan' ? mergeAbsences(absencesOf(base!), data.change.absences ?? []) : [];
  if (data.kind === 'build') {
    built = await runInWorkerThread<BuildRosterInput, BuiltRoster>(THREAD_MODULE, 'build', input, (p) => onProgress(p as BuildProgress), signal);
  } else {
    const change = data.change;
    const [shifts, uncovered, slots, coverage] = await Promise.all([
      ctx.store.rosters.shifts(base!.id),
      ctx.store.rosters.uncovered(base!.id),
      ctx.store.rosters.slots(base!.id),
      ctx.store.rosters.coverage(base!.id),
    ]);
    // an unchanged forecast is the one the base roster was built from, as stored with its coverage
    const forecast = change.forecastMoved ? input.forecast : coverage.map((c) => ({ skillGroupId: c.skillGroupId, start: c.intervalStart, volume: c.volume, ahtSeconds: c.ahtSeconds }));
    const replanInput: ReplanInput = { ...input, forecast, base: { shifts, uncovered, slots }, absences, forecastMoved: change.forecastMoved === true, frozenBefore: ctx.now() };
    built = await runInWorkerThread<ReplanInput, BuiltRoster>(THREAD_MODULE, 'replan', replanInput, (p) => onProgress(p as BuildProgress), signal);
    claimsMovingAtPublish = claimsMovingOf(slots, built.slots, period.timeZone);
  }
  onProgress({ phase: 'storing', percent: 97 });
  const sources = data.kind === 'replan' && !data.change.forecastMoved ? ((base!.details.forecastSources as ForecastSource[]) ?? []) : forecasts.map((f) => f.source);
  const absenceConflicts = data.kind === 'replan' ? await absencesInOtherRosters(ctx, period, absences, [base!.id]) : [];
  const agentIncarnations = rosteredIncarnations(built.shifts, absences, incarnations, base);
  await saveBuilt(ctx, data.rosterId, built, { period, groups, request, sources, absences, agentIncarnations, replanOf: base?.id, absenceConflicts, claimsMovingAtPublish });
  onProgress({ phase: 'done', percent: 100 });
  const moving = claimsMovingAtPublish && { claimsMovingAtPublish: { count: claimsMovingAtPublish.count, paidMinutes: claimsMovingAtPublish.paidMinutes, agentIds: [...new Set(claimsMovingAtPublish.claims.map((c) => c.agentId))].sort() } };
  return { rosterId: data.rosterId, status: 'draft', summary: built.summary, forecastSources: sources, ...(built.changes ? { changes: built.changes.length } : {}), ...moving };
}

/** What a planner is told about an unexpected failure: its message may name internals, so it stays in the log. */
const UNEXPECTED_BUILD_FAILURE = 'the build failed unexpectedly; the error is in the worker log';

/** The problem a failed build answers with: a WfmError's own code, message and details; anything else, a generic line. */
export function buildFailureOf(err: unknown, failedAt: string): BuildFailure {
  if (!isWfmError(err)) return { code: 'internal', message: UNEXPECTED_BUILD_FAILURE, errors: [{ where: '/', message: UNEXPECTED_BUILD_FAILURE }], failedAt };
  // every failure says where, even one without details, so clients can always read `errors`
  const errors = err.details.length ? err.details : [{ where: '/', message: err.message }];
  return { code: err.code, message: err.message, errors, failedAt };
}

/** Failure records live as long as BullMQ keeps the failed job they explain. */
const FAILURE_RETENTION_SECONDS = (DEFAULT_JOB_OPTIONS.removeOnFail as { age: number }).age;

/** Keeps why a build failed for its status view; a failure to record must not hide the build's own error. */
export async function recordBuildFailure(ctx: Pick<RosterContext, 'store' | 'now'>, rosterId: string, err: unknown): Promise<void> {
  await ctx.store.rosters.saveBuildFailure(rosterId, buildFailureOf(err, new Date(ctx.now()).toISOString()), FAILURE_RETENTION_SECONDS).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------

/** Every roster route names the roster by the path parameter `rosterId`. */
function rosterNotFound(id: string, message = `roster ${id} does not exist`): WfmError {
  return new WfmError('not-found', message, { details: [{ where: '/path/rosterId', message: `no roster ${id}` }] });
}

/**
 * Why no roster is stored under an id the routes were given: still in its build job is a matter of timing
 * (409, the same for every route: read, publish, re-plan, drill, delete), a failed build, a deleted roster
 * or an unknown id is 404. Undefined when it is stored after all (its build finished in between).
 */
async function unstoredRosterRefusal(ctx: RosterContext, id: string): Promise<WfmError | undefined> {
  const { status } = await rosterStatus(ctx, id); // 404 for a deleted or unknown roster
  if (status === 'queued' || status === 'building') {
    return new WfmError('conflict', `roster ${id} is still ${status}: poll /rosters/${id}/status until it says draft (or failed)`, {
      details: [{ where: '/path/rosterId', message: `${status}, not built yet: see /rosters/${id}/status` }],
    });
  }
  if (status === 'failed') return rosterNotFound(id, `roster ${id} failed to build: see /rosters/${id}/status`);
  return undefined;
}

function throwNotFound(id: string): never {
  throw rosterNotFound(id);
}

export async function rosterOrThrow(ctx: RosterContext, id: string): Promise<StoredRoster> {
  const roster = await ctx.store.rosters.get(id);
  if (roster) return roster;
  const refusal = await unstoredRosterRefusal(ctx, id);
  if (refusal) throw refusal;
  const built = await ctx.store.rosters.get(id);
  if (!built) throw rosterNotFound(id);
  return built;
}

/**
 * The roster as GET /rosters/{id} shows it: a draft re-plan's `claimsMovingAtPublish` read now, as its
 * shifts and CSV are (claimedShifts): the job stored what it read at its start, and claims made or
 * released during the ~30 s build and after it change what the publish moves, and which slots it carries
 * over or enlarges. Other rosters as stored. Only this view reads it: the other services that look a
 * roster up (shifts, coverage, claims…) do not use it.
 */
export async function rosterView(ctx: RosterContext, id: string): Promise<StoredRoster> {
  const roster = await rosterOrThrow(ctx, id);
  if (roster.status !== 'draft' || !roster.replanOf || roster.details.claimsMovingAtPublish === undefined) return roster;
  const [moving, own] = await Promise.all([claimsMovingAtPublish(ctx, roster), ctx.store.rosters.slots(roster.id)]);
  return { ...roster, details: { ...roster.details, claimsMovingAtPublish: claimsMovingOf(moving.slots, own, roster.period.timeZone) } };
}

export interface RosterStatusView {
  id: string;
  status: 'queued' | 'building' | 'failed' | StoredRoster['status'];
  /** the build's phase (loading, forecast, requirement, lp, …, storing, done) and percent */
  progress?: { phase: string; percent: number };
  failedReason?: string;
  /** a failed build: the problem's code (validation, infeasible, internal…) and what was wrong where */
  code?: string;
  errors?: ProblemDetail[];
  publishedAt?: string;
  supersededBy?: string;
  result?: string;
}

/** The build's `{ phase, percent }` once it reported one (BullMQ's 0 before that is no progress to show). */
function buildProgress(progress: unknown): Pick<RosterStatusView, 'progress'> {
  return typeof progress === 'object' && progress !== null ? { progress: progress as { phase: string; percent: number } } : {};
}

function storedStatusView(stored: StoredRoster): RosterStatusView {
  return { id: stored.id, status: stored.status, ...(stored.publishedAt ? { publishedAt: stored.publishedAt } : {}), ...(stored.supersededBy ? { supersededBy: stored.supersededBy } : {}), result: `/rosters/${stored.id}` };
}

export async function rosterStatus(ctx: RosterContext, id: string): Promise<RosterStatusView> {
  const stored = await ctx.store.rosters.get(id);
  if (stored) return storedStatusView(stored);
  const job = await guarded(ctx.queues.get(QUEUE.buildRoster).getJob(id));
  if (!job) throw rosterNotFound(id);
  const state = await guarded(job.getState());
  if (state === 'failed') {
    // Interrupted too often (workers restarted or crashed under it): said so, whatever an earlier attempt
    // recorded; 'unavailable', since asking again is what helps.
    const interrupted = stalledFailureReason(job);
    if (interrupted) return { id, status: 'failed', failedReason: interrupted, code: 'unavailable', errors: [{ where: '/', message: interrupted }], ...buildProgress(job.progress) };
    // no record: the job failed outside the processor; BullMQ's text may name internals
    const failure = (await ctx.store.rosters.buildFailure(id)) ?? buildFailureOf(undefined, '');
    return { id, status: 'failed', failedReason: failure.message, code: failure.code, errors: failure.errors, ...buildProgress(job.progress) };
  }
  // The job stores the draft before it reports 'done' and completes, so a finished job without a roster
  // means the roster was deleted since (BullMQ keeps the job for days) — unless the draft was stored
  // between the read above and the job's state: read it once more.
  const finished = state === 'completed' || (job.progress as { phase?: string } | undefined)?.phase === 'done';
  if (finished) {
    const now = await ctx.store.rosters.get(id);
    if (now) return storedStatusView(now);
    throw rosterNotFound(id, `roster ${id} does not exist: it was built, then deleted`);
  }
  return { id, status: state === 'active' ? 'building' : 'queued', ...buildProgress(job.progress) };
}

/** GET /rosters: a page holds this many stored rosters unless `limit` says otherwise, and at most ROSTER_PAGE_MAX (as the contract says). */
const ROSTER_PAGE_DEFAULT = 100;
const ROSTER_PAGE_MAX = 1000;

/**
 * Rosters newest first, a page at a time: at most `limit` stored rosters after `cursor` (the `next` of the
 * page before), and `next` when more follow. The first page (no cursor) also lists, before them, the rosters
 * requested and not yet built (queued or building): at most the build queue's backlog (50 waiting, the 429
 * beyond) and those in progress.
 */
export async function listRosters(ctx: RosterContext, page: { limit?: number; cursor?: string } = {}) {
  const limit = Math.min(page.limit ?? ROSTER_PAGE_DEFAULT, ROSTER_PAGE_MAX);
  // a page ends at its last roster: its creation (the index's score) and id
  const position = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const after = position && { createdMs: position.at, id: position.key };
  const { rosters, next: end } = await ctx.store.rosters.listPage(limit, after);
  const next = end && encodeCursor({ at: end.createdMs, key: end.id });
  // the period as the planner gave it (the stored instants are for the store's own range reads)
  const stored = rosters.map((r) => ({ id: r.id, status: r.status, createdAt: r.createdAt, period: { from: r.period.from, days: r.period.days, timeZone: r.period.timeZone }, skillGroupIds: r.skillGroupIds, ...(r.replanOf ? { replanOf: r.replanOf } : {}), summary: r.summary }));
  const nextPage = next ? { next } : {};
  if (after) return { items: stored, ...nextPage };
  // Requested and not yet built (a roster is stored once built): listed too, on the first page, so a
  // planner who just asked for one sees it coming — newest first, before the stored ones.
  const known = new Set(stored.map((r) => r.id));
  // asked by state, so no job's state is read again one by one
  const queue = ctx.queues.get(QUEUE.buildRoster);
  const [building, queued] = await Promise.all([guarded(queue.getJobs(['active'])), guarded(queue.getJobs(['waiting', 'prioritized', 'delayed']))]);
  const pendingView = (job: Job, status: 'building' | 'queued') => {
    const data = job.data as BuildRosterJob;
    return {
      id: job.id!,
      status,
      createdAt: new Date(job.timestamp).toISOString(),
      ...(data.kind === 'build'
        ? { period: { from: data.request.period.from, days: data.request.period.days, ...(data.request.period.timeZone ? { timeZone: data.request.period.timeZone } : {}) }, skillGroupIds: data.request.skillGroups }
        : { replanOf: data.baseRosterId }),
    };
  };
  const unstored = (job: Job | undefined): job is Job => !!job?.id && !known.has(job.id);
  const pending = [...building.filter(unstored).map((j) => pendingView(j, 'building')), ...queued.filter(unstored).map((j) => pendingView(j, 'queued'))];
  pending.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { items: [...pending, ...stored], ...nextPage };
}

/**
 * The claims a draft re-plan takes over when it is published: the claimed slots of the published roster
 * it re-plans, with the shifts behind them — every one moves (the store's publish script carries a slot
 * the draft dropped, and enlarges one it sized below its claims), read now. None for any other roster, and
 * for a re-plan whose roster is no longer the one published (its publish would move nothing).
 */
async function claimsMovingAtPublish(ctx: RosterContext, roster: StoredRoster): Promise<{ slots: SlotWithClaims[]; uncovered: PlannedShift[] }> {
  const none = { slots: [], uncovered: [] };
  if (roster.status !== 'draft' || !roster.replanOf) return none;
  const replaced = await ctx.store.rosters.get(roster.replanOf);
  if (replaced?.status !== 'published') return none;
  const [slots, uncovered] = await Promise.all([ctx.store.rosters.slots(replaced.id), ctx.store.rosters.uncovered(replaced.id)]);
  return { slots: slots.filter((s) => s.claimedBy.length), uncovered };
}

/**
 * Cloud agents' claims as shifts (the breaks of the planned shift behind the slot), for exports and drills.
 * A draft re-plan's include the claims that move to it at publish (they stay on the published roster
 * until then), on the draft's slot of the same id or, for a slot the draft dropped, on the published
 * roster's slot the publish carries over: its shifts, CSV and coverage show the roster as publishing it
 * makes it, and payroll previewing it does not read a cloud agent's claimed hours as lost. The claims
 * themselves do not move.
 */
async function claimedShifts(ctx: RosterContext, roster: StoredRoster, heldSlot: (slotId: string) => boolean = () => true): Promise<AssignedShift[]> {
  const [slots, uncovered, moving] = await Promise.all([ctx.store.rosters.slots(roster.id), ctx.store.rosters.uncovered(roster.id), claimsMovingAtPublish(ctx, roster)]);
  const movingTo = new Map(moving.slots.map((s) => [s.id, s.claimedBy]));
  const own = new Set(slots.map((s) => s.id));
  const asShifts = (slot: SlotWithClaims, agentIds: string[], behindById: Map<string, PlannedShift>) =>
    agentIds.map((agentId, i) => {
      const behind = behindById.get(slot.shiftIds[i] ?? slot.shiftIds[0]);
      return { id: `${slot.id}-${agentId}`, skillGroupId: slot.skillGroupId, templateId: slot.templateId, kind: slot.kind, date: slot.date, start: slot.start, end: slot.end, breaks: behind?.breaks ?? [], agentId };
    });
  const byId = new Map(uncovered.map((s) => [s.id, s]));
  const replacedById = new Map(moving.uncovered.map((s) => [s.id, s]));
  return [
    ...slots.filter((slot) => heldSlot(slot.id)).flatMap((slot) => asShifts(slot, [...new Set([...slot.claimedBy, ...(movingTo.get(slot.id) ?? [])])], byId)),
    ...moving.slots.filter((slot) => !own.has(slot.id) && heldSlot(slot.id)).flatMap((slot) => asShifts(slot, slot.claimedBy, replacedById)),
  ];
}

/** `heldSlot`: only the slots it answers true for count as claimed (default all). */
export async function rosterShifts(ctx: RosterContext, id: string, agentId?: string, heldSlot?: (slotId: string) => boolean): Promise<AssignedShift[]> {
  return shiftsOnRoster(ctx, await rosterOrThrow(ctx, id), agentId, heldSlot);
}

/** rosterShifts of a roster already read; `partners: false` leaves out its partner shifts (claimed slots only). */
async function shiftsOnRoster(ctx: RosterContext, roster: StoredRoster, agentId?: string, heldSlot?: (slotId: string) => boolean, options: { partners?: boolean } = {}): Promise<AssignedShift[]> {
  const [partners, cloud] = await Promise.all([options.partners === false ? [] : ctx.store.rosters.shifts(roster.id, agentId), claimedShifts(ctx, roster, heldSlot)]);
  return [...partners, ...cloud.filter((s) => agentId === undefined || s.agentId === agentId)].sort((a, b) => a.start - b.start || a.agentId.localeCompare(b.agentId));
}

/** One agent's schedule (or everyone's): an agent nobody knows is a bad query, not an empty schedule. */
export async function agentSchedule(ctx: RosterContext, id: string, agentId?: string): Promise<{ roster: StoredRoster; shifts: AssignedShift[] }> {
  const roster = await rosterOrThrow(ctx, id);
  if (agentId !== undefined && !(await ctx.store.agents.get(agentId))) {
    // an agent removed since may still hold shifts here: only an id with no agent and no shift is refused
    const shifts = await rosterShifts(ctx, id, agentId);
    if (!shifts.length) throw invalid(`no agent "${agentId}"`, [{ where: '/query/agentId', message: `no agent "${agentId}"` }]);
    return { roster, shifts };
  }
  return { roster, shifts: await rosterShifts(ctx, id, agentId) };
}

/**
 * Coverage per interval, of one group of the roster or all (a group the roster lacks is a bad query), with
 * the slots claimed so far counted: what is still open and what the claims buy.
 */
export async function rosterCoverageRows(ctx: RosterContext, id: string, skillGroupId?: string) {
  const roster = await rosterOrThrow(ctx, id);
  if (skillGroupId !== undefined && !roster.skillGroupIds.includes(skillGroupId)) {
    const message = `the roster has no skill group "${skillGroupId}" (it has ${roster.skillGroupIds.join(', ')})`;
    throw invalid(message, [{ where: '/query/skillGroupId', message }]);
  }
  const [stored, claimed, groups] = await Promise.all([ctx.store.rosters.coverage(roster.id), claimedShifts(ctx, roster), ctx.store.skillGroups.map()]);
  const rows = stored.filter((c) => skillGroupId === undefined || c.skillGroupId === skillGroupId);
  const rosterGroups = roster.skillGroupIds.map((g) => groups.get(g)).filter((g): g is SkillGroup => g !== undefined);
  const templates = templatesOf((roster.request as { rules?: RosterRules }).rules);
  return { roster, rows: coverageWithClaims(rows, claimed, rosterGroups, templates) };
}

/** The roster as CSV, its times on the roster's clock (period.timeZone), as its dates and its shifts over REST. */
export async function rosterCsv(ctx: RosterContext, id: string): Promise<string> {
  const roster = await rosterOrThrow(ctx, id);
  const shifts = await rosterShifts(ctx, id);
  return rosterToCsv(shifts, () => roster.period.timeZone);
}

/**
 * An agent's iCalendar feed of a roster. Calendar apps keep polling the URL they subscribed to: a roster
 * superseded by a published re-plan serves the re-plan's shifts (followed to the latest), so a shift the
 * re-plan moved or removed moves or disappears from the agent's calendar too. The feed names the roster
 * it serves (X-WR-CALDESC): payroll reconciling a superseded roster's CSV against it sees that they differ.
 */
export async function agentCalendar(ctx: RosterContext, id: string, agentId: string): Promise<string> {
  const asked = await rosterOrThrow(ctx, id);
  const current = await lastOfReplanChain(ctx, asked);
  const [roster, shifts, agent, groups] = await Promise.all([current, rosterShifts(ctx, current.id, agentId), ctx.store.agents.get(agentId), ctx.store.skillGroups.map()]);
  if (!agent && !shifts.length) throw new WfmError('not-found', `agent ${agentId} does not exist`, { details: [{ where: '/path/agentId', message: `no agent ${agentId}` }] });
  const timeZone = agent?.timeZone ?? roster.period.timeZone;
  return agentIcalFeed(agentId, shifts, {
    generatedAt: rosterStampMs(roster),
    uidDomain: calendarUidDomain(ctx.config),
    agentName: agent?.name,
    calendarDescription: rosterFeedDescription(asked, roster),
    skillGroupName: (g) => groups.get(g)?.name ?? g,
    timeZone,
  });
}

/**
 * The roster a roster's feed serves, in words: "Shifts of roster R3 (published; re-plan of R2), the latest
 * re-plan of roster R1, which this feed was asked for: …". Only ids and statuses, which change only when a
 * publish changes the feed's shifts anyway (its ETag moves then too).
 */
export function rosterFeedDescription(asked: Pick<StoredRoster, 'id'>, served: Pick<StoredRoster, 'id' | 'status' | 'replanOf'>): string {
  const named = `Shifts of roster ${served.id} (${served.status}${served.replanOf ? `; re-plan of ${served.replanOf}` : ''})`;
  if (served.id === asked.id) return named;
  return `${named}, the latest re-plan of roster ${asked.id}, which this feed was asked for: the feed follows re-plans; roster ${asked.id}'s own shifts are in its roster.csv and shifts`;
}

/**
 * The DTSTAMP of a roster's events: when it was published (a draft: built). Not the time of the request:
 * calendar apps poll a feed and revalidate it (If-None-Match), and a feed whose roster did not change must
 * give the same bytes, so the same ETag and a 304. RFC 5545 §3.8.7.2: with METHOD, the time the calendar
 * information was created — for a published roster, its publication.
 */
function rosterStampMs(roster: StoredRoster): number {
  return Date.parse(roster.publishedAt ?? roster.createdAt);
}

/**
 * The right-hand side of calendar UIDs: this deployment (its KEY_PREFIX) at its public host, e.g.
 * "wfm.rosters.example.com", so two centers' (or a center's test and live deployments') feeds in one calendar
 * app never share a UID (RFC 5545 §3.8.4.7: globally unique). Constant for a deployment: a shift keeps its
 * UID through re-reads and re-plans (which keep the ids of the shifts they do not change).
 */
export function calendarUidDomain(config: Config): string {
  let host = 'wfm.local';
  try {
    host = new URL(config.trigger.publicBaseUrl).hostname || host;
  } catch {
    // PUBLIC_BASE_URL is checked at start; the default host stands in should it not parse
  }
  return `${config.keyPrefix}.${host}`;
}

/**
 * One feed an agent subscribes to once: their shifts in every roster published now (a superseded roster's
 * shifts are replaced by its re-plan's), from five weeks back to four months ahead, with the slots they
 * claimed. A calendar app that polls it sees the next fortnight appear when it is published and a
 * re-plan's changes when that is published, without a new address per roster.
 */
export async function agentFeed(ctx: RosterContext, agentId: string, read?: { agent: Agent; incarnation?: string }): Promise<string> {
  const { agent, incarnation } = read ?? (await ctx.store.agents.getWithIncarnation(agentId)) ?? throwNoAgent(agentId);
  const now = ctx.now();
  const [fromMs, toMs] = [now - FEED_PAST_MS, now + FEED_AHEAD_MS];
  const [published, groups, claims] = await Promise.all([ctx.store.rosters.publishedOverlapping(fromMs, toMs), ctx.store.skillGroups.map(), ctx.store.rosters.claimsOf(agentId)]);
  // Claimed slots as the agent's own claims index holds them: a slot claimed under this id by an agent
  // deleted since stays on its roster (work done stays), but is not this agent's (the delete erased
  // that agent's index).
  const held = new Set(claims.map((c) => `${c.rosterId}|${c.slotId}`));
  // each event stamped with its roster's publication: the feed's bytes change only when its content does
  const stamps = new Map<AssignedShift, number>();
  const perRoster = await Promise.all(
    published.map(async (id) => {
      const roster = await rosterOrThrow(ctx, id);
      // partner shifts the roster gave an agent deleted since, whose id now names this one, are not theirs
      const partners = rosteredSameAgent(roster, agentId, incarnation ?? '');
      const shifts = await shiftsOnRoster(ctx, roster, agentId, (slotId) => held.has(`${id}|${slotId}`), { partners });
      for (const s of shifts) stamps.set(s, rosterStampMs(roster));
      return shifts;
    }),
  );
  const shifts = perRoster.flat().filter((s) => s.end > fromMs && s.start < toMs);
  // an agent with nothing published has no event to stamp: the calendar's bytes are constant then
  return agentIcalFeed(agentId, shifts, { generatedAt: 0, stampOf: (s) => stamps.get(s), uidDomain: calendarUidDomain(ctx.config), agentName: agent.name, skillGroupName: (g) => groups.get(g)?.name ?? g, timeZone: agent.timeZone ?? ctx.config.defaultTimeZone });
}

function throwNoAgent(agentId: string): never {
  throw new WfmError('not-found', `agent ${agentId} does not exist`, { details: [{ where: '/path/agentId', message: `no agent ${agentId}` }] });
}

/** An agent's feed reaches this far back (a subscribed calendar drops what the feed no longer has) and ahead. */
const FEED_PAST_MS = 35 * DAY_MS;
const FEED_AHEAD_MS = 120 * DAY_MS;

/** A chain of re-plans longer than this is not followed further (a guard against a cycle in bad data). */
const MAX_SUPERSEDED_HOPS = 50;

/**
 * Follows `supersededBy` from a roster to the last roster of its re-plan chain that still exists. That
 * roster is the one in force unless it is itself superseded (a superseded re-plan deleted since broke
 * the chain there).
 */
async function lastOfReplanChain(ctx: RosterContext, roster: StoredRoster): Promise<StoredRoster> {
  let current = roster;
  for (let hops = 0; current.supersededBy && hops < MAX_SUPERSEDED_HOPS; hops++) {
    const next = await ctx.store.rosters.get(current.supersededBy);
    if (!next) break;
    current = next;
  }
  return current;
}

/**
 * The roster in force (published, not superseded) in place of a superseded one, so a conflict sends the
 * planner or agent there and not to a re-plan that was itself replaced since. When the chain is broken,
 * the published roster sharing a skill group over the same period is the one in force (at most one is
 * published per overlapping period and group, and re-plans keep both); undefined when there is none.
 */
async function rosterInForce(ctx: RosterContext, superseded: StoredRoster): Promise<string | undefined> {
  const last = await lastOfReplanChain(ctx, superseded);
  if (last.status === 'published') return last.id;
  const published = await ctx.store.rosters.publishedOverlapping(superseded.period.startMs, superseded.period.endMs);
  const groupsOf = await ctx.store.rosters.groupsOf(published);
  return published.find((id) => groupsOf.get(id)!.some((g) => superseded.skillGroupIds.includes(g)));
}

// ---------------------------------------------------------------------------------------------------
// Publishing and re-planning
// ---------------------------------------------------------------------------------------------------

/**
 * Multi-skilled agents may be rostered by two rosters of different skill groups built side by side;
 * publishing the second must not double-book them. Checked here (the checker on the union of their
 * shifts) against the published rosters as read now: `published` goes to the atomic publish, which
 * refuses as stale if that set changed in between (two such rosters published at once).
 */
async function doubleBookings(ctx: RosterContext, draft: StoredRoster): Promise<{ published: string[]; clashes: ProblemDetail[] }> {
  const { published, shifts: others } = await busyElsewhere(ctx, draft.period, draft.skillGroupIds, draft.replanOf);
  if (!others.length) return { published, clashes: [] };
  const mine = await ctx.store.rosters.shifts(draft.id);
  const shared = new Set(mine.map((s) => s.agentId).filter((id) => others.some((o) => o.agentId === id)));
  if (!shared.size) return { published, clashes: [] };
  const dates = new Set(localDates(draft.period.from, draft.period.days, draft.period.timeZone));
  const agents = (await ctx.store.agents.list()).filter((a) => shared.has(a.id));
  const union = [...mine, ...others].filter((s) => shared.has(s.agentId) && dates.has(s.date));
  // shifts of the rosters before and after: the rest from them
  const commitments = others.filter((s) => shared.has(s.agentId) && !dates.has(s.date));
  const otherIds = new Set(others.map((s) => s.id));
  const clashes = checkRoster(union, agents, draft.period, { commitments })
    .filter((v) => v.shiftIds.some((id) => otherIds.has(id)) || ['max-weekly-hours', 'max-days-per-week', 'max-consecutive-days'].includes(v.rule) || (v.rule === 'min-rest' && v.shiftIds.length === 1))
    .map((v) => ({ where: `/agents/${v.agentId}`, message: `${v.rule}: ${v.message} (with shifts of the published roster${published.length > 1 ? 's' : ''} ${published.join(', ')})` }));
  return { published, clashes };
}

/** A publish that keeps finding other rosters published under it gives up after this many checks. */
const PUBLISH_ATTEMPTS = 5;

/** The double-booking check, then the atomic publish against the published rosters the check read. */
async function checkedPublish(ctx: RosterContext, draft: StoredRoster): Promise<PublishOutcome> {
  const { published, clashes } = await doubleBookings(ctx, draft);
  if (clashes.length) throw new WfmError('conflict', `publishing would break the rules for ${new Set(clashes.map((c) => c.where)).size} agent(s) who work another published roster (double booking, rest, days in a row or weekly limits: see errors)`, { details: clashes });
  return ctx.store.rosters.publish(draft.id, new Date(ctx.now()).toISOString(), published, { agentsMustExist: true });
}

/** 409 for a draft giving shifts to agents deleted since it was built. */
function deletedAgentsRefusal(id: string, gone: string[], recreated: ReadonlySet<string> = new Set()): WfmError {
  return new WfmError('conflict', `roster ${id} gives shifts to ${gone.length} agent(s) deleted since it was built (${gone.join(', ')}): build the roster again (POST /rosters) with the agents there are now`, {
    details: gone.map((agentId) => ({ where: `/agents/${agentId}`, message: recreated.has(agentId) ? 'deleted since the draft was built, and the id given to another agent' : 'deleted since the draft was built' })),
  });
}

/**
 * 409 for a re-plan that cannot take over every claim on the roster it replaces: a claim the re-plan has
 * no place for is carried (its slot added or enlarged), but not for an agent who could not claim that
 * place now. Publishing without it would take back a place an agent was told is theirs; nothing is published.
 */
function uncarriableRefusal(id: string, replaced: string, claims: Array<{ slotId: string; agentId: string; reason: string }>): WfmError {
  return new WfmError(
    'conflict',
    `${claims.length} claim(s) on roster ${replaced} have no place in re-plan ${id} and cannot be carried over to it; nothing was published: ` +
      `release them (or restore the agents' skills) and publish again, or re-plan ${replaced} again (POST /rosters/${replaced}/replan)`,
    { details: claims.map((c) => ({ where: `/rosters/${replaced}/slots/${c.slotId}`, message: `claim of ${c.agentId}: ${c.reason}` })) },
  );
}

export async function publishRoster(ctx: RosterContext, id: string) {
  // a roster still in its build job has no draft to publish yet: a conflict of timing, not a wrong id
  const draft = await rosterOrThrow(ctx, id);
  if (draft.status !== 'draft') throw new WfmError('conflict', `roster ${id} is ${draft.status}; only a draft can be published`, { details: [{ where: '/path/rosterId', message: `${draft.status}, not a draft` }] });
  // An agent deleted after the draft was built would be published with shifts nobody can see in a
  // calendar (deleting an agent on a published roster is refused; a draft does not hold the delete back).
  // Checked here before the double-booking check reads the agents, and again in the publish script: a
  // delete landing after this read finds the roster unpublished and goes ahead.
  // So is one deleted and created again (another person given the id): the draft recorded whom it planned
  // for, and their feeds and exports would leave its shifts out (rosteredSameAgent). A delete and re-create
  // landing between this read and the publish script is not caught.
  const shiftAgents = [...new Set((await ctx.store.rosters.shifts(id)).map((s) => s.agentId))];
  const current = await ctx.store.agents.incarnationsOf(shiftAgents);
  const recreated = new Set(shiftAgents.filter((agentId) => current.has(agentId) && !rosteredSameAgent(draft, agentId, current.get(agentId)!)));
  const gone = shiftAgents.filter((agentId) => !current.has(agentId) || recreated.has(agentId)).sort();
  if (gone.length) throw deletedAgentsRefusal(id, gone, recreated);
  let outcome = await checkedPublish(ctx, draft);
  // stale: a roster was published between the check and the publish; check again against it
  for (let attempt = 1; !outcome.ok && outcome.refusal === 'stale' && attempt < PUBLISH_ATTEMPTS; attempt++) outcome = await checkedPublish(ctx, draft);
  if (!outcome.ok) {
    if (outcome.refusal === 'stale') {
      throw new WfmError('conflict', `other rosters for an overlapping period kept being published while roster ${id} was checked against them; publish it again`, { details: [{ where: '/path/rosterId', message: 'not published: try again' }] });
    }
    if (outcome.refusal === 'conflict') {
      throw new WfmError('conflict', `roster ${outcome.conflicts!.join(', ')} is already published for an overlapping period and skill group: re-plan it (POST /rosters/{id}/replan) to change it, or publish a roster for other dates or groups`, {
        details: outcome.conflicts!.map((c) => ({ where: `/rosters/${c}`, message: 'published, overlapping period and skill group' })),
      });
    }
    if (outcome.refusal === 'not-draft') throw new WfmError('conflict', `roster ${id} is ${outcome.status}; only a draft can be published`, { details: [{ where: '/path/rosterId', message: `${outcome.status}, not a draft` }] });
    if (outcome.refusal === 'gone') throw deletedAgentsRefusal(id, [...outcome.agents].sort());
    if (outcome.refusal === 'uncarriable') throw uncarriableRefusal(id, outcome.replaced, outcome.claims);
    throw rosterNotFound(id);
  }
  // claims made while the re-plan was built that it had no place for: carried over, never left behind
  const carriedClaims = outcome.carriedSlots.map(({ slotId, agentIds, places }) => ({ slotId, agentIds, places }));
  return { id, status: 'published' as const, ...(outcome.superseded ? { superseded: outcome.superseded } : {}), movedClaims: outcome.movedClaims, carriedClaims, enlargedSlots: outcome.enlargedSlots };
}

export async function deleteRoster(ctx: RosterContext, id: string): Promise<void> {
  let outcome = await ctx.store.rosters.delete(id);
  if (outcome === 'no-roster') {
    const refusal = await unstoredRosterRefusal(ctx, id);
    if (refusal) throw refusal;
    // stored by its build in between
    outcome = await ctx.store.rosters.delete(id);
    if (outcome === 'no-roster') throw rosterNotFound(id);
  }
  if (outcome === 'published') throw new WfmError('conflict', `roster ${id} is published: re-plan it instead; only drafts and superseded rosters can be deleted`, { details: [{ where: '/path/rosterId', message: 'published: re-plan it instead' }] });
}

function cloudAbsenceMessage(ctx: RosterContext, agentId: string): string {
  return (
    `${agentId} is a cloud agent: absences re-plan partners' shifts, and a cloud agent's claimed slots stay theirs through a re-plan; ` +
    `the agent releases a claim themselves (DELETE /me/claims/{rosterId}/{slotId}) until ${ctx.config.claimReleaseCutoffHours} h before it starts, after that the claim stays`
  );
}

/** 409 for a re-plan of a superseded roster, naming the roster in force to re-plan instead. */
async function supersededReplanRefusal(ctx: RosterContext, base: StoredRoster): Promise<WfmError> {
  const inForce = await rosterInForce(ctx, base);
  const by = `superseded by ${base.supersededBy}`;
  if (!inForce) {
    return new WfmError('conflict', `roster ${base.id} was ${by}, and no roster of its period and skill groups is in force now: request a new roster (POST /rosters)`, { details: [{ where: '/path/rosterId', message: `${by}; none in force` }] });
  }
  if (inForce === base.supersededBy) return new WfmError('conflict', `roster ${base.id} was ${by}; re-plan that one`, { details: [{ where: '/path/rosterId', message: by }] });
  return new WfmError('conflict', `roster ${base.id} was ${by}, itself superseded since: the roster in force is ${inForce}; re-plan that one`, { details: [{ where: '/path/rosterId', message: `${by}; in force: ${inForce}` }] });
}

export async function requestReplan(ctx: RosterContext, baseId: string, change: ReplanRequest): Promise<{ id: string; jobId: string }> {
  const base = await rosterOrThrow(ctx, baseId);
  if (base.status === 'superseded') throw await supersededReplanRefusal(ctx, base);
  const agents = new Map((await ctx.store.agents.list()).map((a) => [a.id, a]));
  // the period's days and the day after it: a night shift of the last day runs into that one, and the
  // next roster cannot take it away (absent on the next roster's first day → re-plan this one too)
  const dates = new Set(localDates(base.period.from, base.period.days + 1, base.period.timeZone));
  const problems: ProblemDetail[] = [];
  (change.absences ?? []).forEach((a, i) => {
    if (!agents.has(a.agentId)) problems.push({ where: `/body/absences/${i}/agentId`, message: `unknown agent "${a.agentId}"` });
    // A re-plan moves partners' shifts; a cloud agent's claimed slots stay theirs, each on the very shift
    // they claimed. Taken as an absence it would be listed as honoured while the claim stayed on the roster.
    else if (agents.get(a.agentId)!.kind === 'cloud') problems.push({ where: `/body/absences/${i}/agentId`, message: cloudAbsenceMessage(ctx, a.agentId) });
    a.dates.forEach((d, k) => {
      if (!dates.has(d)) problems.push({ where: `/body/absences/${i}/dates/${k}`, message: `${d} is not in the roster's period ${base.period.from} + ${base.period.days} days (nor the day after it, which its last night shifts reach)` });
    });
  });
  if (!change.forecastMoved && !(change.absences ?? []).length) problems.push({ where: '/body', message: 'say what changed: absences, forecastMoved, or both' });
  if (problems.length) throw invalid('invalid re-plan request', problems);
  const id = randomUUID();
  const data: BuildRosterJob = { kind: 'replan', rosterId: id, baseRosterId: baseId, change };
  const jobId = await ctx.queues.add(QUEUE.buildRoster, data, { jobId: id });
  return { id, jobId };
}

// ---------------------------------------------------------------------------------------------------
// Cloud agents: tokens, open slots, claims
// ---------------------------------------------------------------------------------------------------

function claimSecret(config: Config): string {
  if (!config.claimTokenSecret) throw new WfmError('unavailable', 'cloud-agent claims are disabled: set CLAIM_TOKEN_SECRET (at least 16 characters)', { status: 503 });
  return config.claimTokenSecret;
}

export async function issueClaimToken(ctx: RosterContext, agentId: string, validDays = 14) {
  // the agent and their incarnation read together: the token is for this agent, not for the next one given the id
  const read = await ctx.store.agents.getWithIncarnation(agentId);
  if (!read) throw new WfmError('not-found', `agent ${agentId} does not exist`, { details: [{ where: '/path/agentId', message: `no agent ${agentId}` }] });
  if (read.agent.kind !== 'cloud') throw invalid(`agent ${agentId} is a partner: only cloud agents claim slots`, [{ where: '/path/agentId', message: 'must be a cloud agent' }]);
  if (!(validDays > 0 && validDays <= MAX_TOKEN_DAYS)) throw invalid('invalid validity', [{ where: '/body/validDays', message: `must be between 0 and ${MAX_TOKEN_DAYS} days` }]);
  const expiresAt = ctx.now() + validDays * DAY_MS;
  const token = signClaimToken(claimSecret(ctx.config), { agentId, expiresAt, ...(read.incarnation ? { incarnation: read.incarnation } : {}) });
  return { agentId, token, expiresAt: new Date(expiresAt).toISOString() };
}

/**
 * A verified token still names the agent it was issued to: 401 when the agent stored under its id now is
 * another incarnation (deleted and created again since: another person). An agent deleted and not
 * re-created passes here; each self-service route then answers 403 "no longer a cloud agent", as before.
 */
export async function claimTokenAgentOrThrow(ctx: RosterContext, claims: ClaimTokenClaims): Promise<void> {
  const read = await ctx.store.agents.getWithIncarnation(claims.agentId);
  if (!read || read.incarnation === claims.incarnation) return;
  throw new WfmError('unauthorized', `claim token is not valid: the agent now stored under ${claims.agentId} is not the one it was issued to (deleted and created again since, or a token of another deployment sharing CLAIM_TOKEN_SECRET); ask your planner for a token of your own`);
}

const noLongerCloud = (agentId: string) => new WfmError('forbidden', `agent ${agentId} is no longer a cloud agent`);

export async function cloudAgentOrThrow(ctx: RosterContext, agentId: string): Promise<Agent> {
  const agent = await ctx.store.agents.get(agentId);
  // the token was issued for a cloud agent; they may have been removed or changed since
  if (!agent || agent.kind !== 'cloud') throw noLongerCloud(agentId);
  return agent;
}

/** Open slots of published rosters the agent has the skill for, and those they hold. */
export async function slotsForAgent(ctx: RosterContext, agentId: string) {
  const agent = await cloudAgentOrThrow(ctx, agentId);
  const now = ctx.now();
  const skills = new Set(agent.skills.map((s) => s.skillGroupId));
  const rosters = await ctx.store.rosters.publishedOverlapping(now, Number.MAX_SAFE_INTEGER);
  const [slots, zones, claims, callouts] = await Promise.all([
    Promise.all(rosters.map((id) => ctx.store.rosters.slots(id))).then((lists) => lists.flat()),
    ctx.store.rosters.zonesOf(rosters),
    ctx.store.rosters.claimsOf(agentId),
    acceptedCallouts(ctx, agentId),
  ]);
  const held = [...claims, ...callouts];
  const minRestMs = agent.contract.minRestHours * HOUR_MS;
  const cutoffMs = ctx.config.claimReleaseCutoffHours * HOUR_MS;
  return slots
    .filter((s) => s.start > now && skills.has(s.skillGroupId) && (s.claimedBy.length < s.agentsNeeded || s.claimedBy.includes(agentId)))
    // what a claim would refuse is not offered: a day off, a time outside their availability, a slot
    // overlapping one they hold or a callout they accepted, or too close to either for their rest (the
    // claim script's rules, as it reads them)
    .filter((s) => s.claimedBy.includes(agentId) || (!dayOffTouched(agent, s, zones.get(s.rosterId) ?? 'UTC') && !unavailableFor(agent, s, zones.get(s.rosterId) ?? 'UTC') && !firstClash(s, held, minRestMs)))
    // one list across rosters, soonest first (as the planner's slots are)
    .sort((a, b) => a.start - b.start || a.rosterId.localeCompare(b.rosterId) || a.id.localeCompare(b.id))
    .map((s) => slotView(s, zones.get(s.rosterId) ?? 'UTC', { agentId, now, cutoffMs }));
}

/** A surge callout the agent accepted, as work a claim is checked against: from their login to the end of the shift, or to their release. */
interface AcceptedCallout {
  calloutId: string;
  skillGroupId: string;
  start: number;
  end: number;
}

/**
 * The callouts the agent (this incarnation of the id) accepted and has not been released from before
 * they began, with their times. Claims and acceptances keep apart both ways: an acceptance is refused when
 * it overlaps a claim or breaks the rest to it (services/trigger.ts takeAnswer).
 */
async function acceptedCallouts(ctx: RosterContext, agentId: string): Promise<AcceptedCallout[]> {
  const [read, groups] = await Promise.all([ctx.store.agents.getWithIncarnation(agentId), ctx.store.skillGroups.list()]);
  if (!read) return [];
  const callouts = await ctx.store.trigger.acceptedCalloutsOf(agentId, groups.map((g) => g.id));
  return callouts
    .filter((c) => isCalledAgent(c, read.incarnation ?? '') && workEnd(c) > c.loginAt)
    .map((c) => ({ calloutId: c.id, skillGroupId: c.skillGroupId, start: c.loginAt, end: workEnd(c) }));
}

/** As the claim script names a callout it ran into ("callout:<id>"); a claim is "<roster>|<slot>". */
const CALLOUT_WORK = 'callout:';

/**
 * The first of the agent's days off the slot touches, on the roster's clock — as partners' days off are
 * read (the checker's days-off rule); availability windows are on the agent's own clock.
 */
function dayOffTouched(agent: Agent, slot: { start: number; end: number }, rosterZone: string, piecesOn: PiecesOn = (zone) => localPieces(slot.start, slot.end, zone)): string | undefined {
  if (!agent.daysOff?.length) return undefined;
  return piecesOn(rosterZone).find((p) => agent.daysOff!.includes(p.date))?.date;
}

/** A slot's local pieces (one per local date) on a clock: per slot and zone once, when many agents are checked. */
type PiecesOn = (zone: string) => LocalPiece[];

function piecesMemo(slot: { start: number; end: number }): PiecesOn {
  const byZone = new Map<string, LocalPiece[]>();
  return (zone) => byZone.get(zone) ?? byZone.set(zone, localPieces(slot.start, slot.end, zone)).get(zone)!;
}

/** A claim as the store names it ("<roster>|<slot>"), for a person. */
function claimName(field: string | undefined): string {
  const [roster, slot] = (field ?? '').split('|');
  return slot ? `${slot} (roster ${roster})` : roster;
}

/**
 * The claim a refused claim ran into, as the agent knows it: its times on their clock (their zone, else the
 * roster's), not the slot's internal id — "2030-01-10 08:00–12:00 (Asia/Jerusalem)". By its ids only when
 * it is gone meanwhile (released in between).
 */
async function claimOnAgentClock(ctx: RosterContext, agent: Agent, field: string | undefined): Promise<string> {
  const claim = (await ctx.store.rosters.claimsOf(agent.id)).find((c) => `${c.rosterId}|${c.slotId}` === field);
  if (!claim) return claimName(field);
  const zone = agent.timeZone ?? (await ctx.store.rosters.zonesOf([claim.rosterId])).get(claim.rosterId) ?? ctx.config.defaultTimeZone;
  return workTimes(claim, zone);
}

/**
 * The part of a slot outside the agent's stated availability (their weekly hours, on their own clock),
 * or undefined when they are available throughout — a cloud agent is held to it as partners are.
 */
function unavailableFor(agent: Agent, slot: { start: number; end: number }, rosterZone: string, piecesOn: PiecesOn = (zone) => localPieces(slot.start, slot.end, zone)): string | undefined {
  if (!agent.availability) return undefined;
  const zone = agent.timeZone ?? rosterZone;
  const piece = piecesOn(zone).find((p) => !windowsCover(agent.availability!, p.weekday, p.from, p.to));
  if (!piece) return undefined;
  const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
  return `${piece.date} ${clock(piece.from)}–${clock(piece.to)} (${zone})`;
}

/**
 * A slot as planners (no `forAgent`) and cloud agents read it. An agent also reads until when a claim of
 * it could be released (`releasableUntil`, the release cut-off) and whether that has passed already
 * (`bindingOnClaim`: a claim now binds at once — a slot they hold can no longer be released), so an app
 * can warn before the tap.
 */
function slotView(s: SlotWithClaims, zone: string, forAgent?: { agentId: string; now: number; cutoffMs: number }, forPlanner?: { candidates: number }) {
  const agentId = forAgent?.agentId;
  return {
    rosterId: s.rosterId,
    slotId: s.id,
    skillGroupId: s.skillGroupId,
    date: s.date,
    start: formatInstant(s.start, zone),
    end: formatInstant(s.end, zone),
    kind: s.kind,
    agentsNeeded: s.agentsNeeded,
    claimed: s.claimedBy.length,
    ...(agentId === undefined ? { claimedBy: s.claimedBy } : { claimedByMe: s.claimedBy.includes(agentId) }),
    ...(forAgent ? { releasableUntil: formatInstant(s.start - forAgent.cutoffMs, zone), bindingOnClaim: forAgent.now >= s.start - forAgent.cutoffMs } : {}),
    ...(forPlanner ?? {}),
  };
}

/**
 * The slots as planners read them, each with its `candidates`: the cloud agents who could still claim a
 * place — the skill, no day off touched, available throughout, not holding it already. A slot with open
 * places and no candidate will stay open unless the planner acts (widens the pool, calls someone in), so
 * the count says so before the day rather than on it. Claims the candidates hold elsewhere (overlap, rest,
 * weekly hours) are left to the claim itself: counting them would read every agent's claims per listing.
 */
export async function rosterSlots(ctx: RosterContext, id: string) {
  const roster = await rosterOrThrow(ctx, id);
  const [slots, agents] = await Promise.all([ctx.store.rosters.slots(id), ctx.store.agents.list()]);
  const zone = roster.period.timeZone;
  const cloudBySkill = new Map<string, Agent[]>();
  for (const agent of agents) {
    if (agent.kind !== 'cloud') continue;
    for (const { skillGroupId } of agent.skills) cloudBySkill.set(skillGroupId, [...(cloudBySkill.get(skillGroupId) ?? []), agent]);
  }
  const now = ctx.now();
  // a slot without places (a carried-over one whose claims were all released: it had no place of its own) is not offered
  return slots.filter((s) => s.agentsNeeded > 0).map((s) => {
    const piecesOn = piecesMemo(s);
    // a slot that has started can no longer be claimed by anyone
    const candidates = s.start <= now ? 0 : (cloudBySkill.get(s.skillGroupId) ?? []).filter((a) => !s.claimedBy.includes(a.id) && !dayOffTouched(a, s, zone, piecesOn) && !unavailableFor(a, s, zone, piecesOn)).length;
    return slotView(s, zone, undefined, { candidates });
  });
}

const REFUSALS: Record<ClaimRefusal, (detail?: string) => WfmError> = {
  // removed or made a partner after the check above: the claim script reads the agent again
  'not-cloud-agent': (agentId) => noLongerCloud(agentId ?? 'of this token'),
  'no-roster': () => new WfmError('not-found', 'the roster does not exist', { details: [{ where: '/path/rosterId', message: 'no such roster' }] }),
  'no-slot': () => new WfmError('not-found', 'the roster has no such slot', { details: [{ where: '/path/slotId', message: 'no such slot in the roster' }] }),
  'not-published': () => new WfmError('conflict', 'the roster is not published: its slots open when a planner publishes it', { details: [{ where: '/path/rosterId', message: 'not published' }] }),
  started: () => new WfmError('conflict', 'the slot has already started', { details: [{ where: '/path/slotId', message: 'already started' }] }),
  'already-claimed': () => new WfmError('conflict', 'you already hold this slot', { details: [{ where: '/path/slotId', message: 'already yours' }] }),
  full: () => new WfmError('conflict', 'the slot is full: every place has been claimed', { details: [{ where: '/path/slotId', message: 'every place is claimed' }] }),
  // `d`: the claim, as claimedTimes names it (its times on the agent's clock), else as the store does
  overlap: (d) => invalid('the slot overlaps a slot you hold', [{ where: '/path/slotId', message: `overlaps your claim ${d ?? ''} (rule: one shift at a time)` }]),
  rest: (d) => invalid('the slot leaves too little rest', [{ where: '/path/slotId', message: `too close to your claim ${d ?? ''} (rule: minimum rest between shifts)` }]),
  // the skill taken away by a planner after the check below, read again in the claim's own step
  'no-skill': (group) => invalid(`you do not have skill ${group}`, [{ where: '/path/slotId', message: `needs skill ${group} (rule: skill)` }]),
  // claimed slots and accepted callouts count alike
  'weekly-hours': () => invalid('the slot would take you over your weekly hours', [{ where: '/path/slotId', message: 'rule: max weekly hours of your contract (your claims and accepted callouts count)' }]),
  'days-per-week': () => invalid('the slot would take you over your working days this week', [{ where: '/path/slotId', message: 'rule: max days per week of your contract (your claims and accepted callouts count)' }]),
};

/** A claim refused for a surge callout the agent accepted: its id and times on their clock. */
function calloutClashRefusal(rule: 'overlap' | 'rest', callout: AcceptedCallout, agent: Agent, zone: string): WfmError {
  const named = `callout ${callout.calloutId} (${callout.skillGroupId}) you accepted, ${workTimes(callout, zone)}`;
  return rule === 'overlap'
    ? invalid('the slot overlaps a callout you accepted', [{ where: '/path/slotId', message: `overlaps ${named} (rule: one shift at a time)` }])
    : invalid('the slot leaves too little rest', [{ where: '/path/slotId', message: `too close to ${named} (less than ${agent.contract.minRestHours} h between them; rule: minimum rest between shifts)` }]);
}

/**
 * A superseded roster never opens again: the agent is sent to the roster in force, at the end of the
 * re-plan chain (the re-plan that replaced this one may have been replaced too).
 */
async function supersededClaimRefusal(ctx: RosterContext, roster: StoredRoster): Promise<WfmError> {
  const inForce = await rosterInForce(ctx, roster);
  if (!inForce) return new WfmError('conflict', 'the roster was replaced by a re-plan, and none of its period is open now (GET /me/slots lists the open slots)', { details: [{ where: '/path/rosterId', message: `superseded by ${roster.supersededBy}` }] });
  return new WfmError('conflict', `the roster was replaced by ${inForce} (a re-plan): claim its slots there (GET /me/slots lists them)`, {
    details: [{ where: '/path/rosterId', message: `superseded; in force: ${inForce}` }],
  });
}

export async function claimSlot(ctx: RosterContext, agentId: string, rosterId: string, slotId: string) {
  const agent = await cloudAgentOrThrow(ctx, agentId);
  const [roster, slot] = await Promise.all([rosterOrThrow(ctx, rosterId), ctx.store.rosters.slot(rosterId, slotId)]);
  if (roster.status === 'superseded') throw await supersededClaimRefusal(ctx, roster);
  // before any rule that would describe the slot: a draft's slots are no agent's business yet
  if (roster.status !== 'published') throw REFUSALS['not-published']();
  if (!slot) throw REFUSALS['no-slot']();
  if (!agent.skills.some((s) => s.skillGroupId === slot.skillGroupId)) throw REFUSALS['no-skill'](slot.skillGroupId);
  const dayOff = dayOffTouched(agent, slot, roster.period.timeZone);
  if (dayOff) throw invalid(`${dayOff} is one of your days off`, [{ where: '/path/slotId', message: 'rule: days off' }]);
  const outside = unavailableFor(agent, slot, roster.period.timeZone);
  if (outside) throw invalid('the slot is outside your availability', [{ where: '/path/slotId', message: `you are not available ${outside} (rule: availability)` }]);
  // weeks are the roster's 7-day blocks, as for partners
  const week = Math.floor(dayOffset(roster.period.from, slot.date) / 7);
  const weekDates = localDates(roster.period.from, 7 * week + 8, roster.period.timeZone);
  // the block's 7 local midnights and the next one: the week [first, last) and each claim's working day
  const midnights = weekDates.slice(7 * week, 7 * week + 8).map((d) => startOfLocalDay(d, roster.period.timeZone));
  const limits = {
    minRestMs: agent.contract.minRestHours * HOUR_MS,
    maxHoursPerWeek: agent.contract.maxHoursPerWeek,
    weekStartMs: midnights[0],
    weekEndMs: midnights[7],
    maxDaysPerWeek: agent.contract.maxDaysPerWeek,
    weekDayStartsMs: midnights.slice(0, 7),
  };
  // The agent's accepted callouts count as work, read and checked under the lock an acceptance holds while
  // it checks their claims: a claim and an acceptance racing are taken one after the other, never both
  // against a state without the other.
  const { outcome, callouts } = await ctx.store.trigger.withAgentAnswerLock(agentId, async () => {
    const accepted = await acceptedCallouts(ctx, agentId);
    const otherWork = accepted.map((c) => ({ id: `${CALLOUT_WORK}${c.calloutId}`, start: c.start, end: c.end }));
    return { outcome: await ctx.store.rosters.claim(rosterId, slotId, agentId, { ...limits, otherWork }, ctx.now()), callouts: accepted };
  });
  const callout = !outcome.ok && outcome.conflictWith?.startsWith(CALLOUT_WORK) ? callouts.find((c) => `${CALLOUT_WORK}${c.calloutId}` === outcome.conflictWith) : undefined;
  if (callout && !outcome.ok) throw calloutClashRefusal(outcome.refusal === 'rest' ? 'rest' : 'overlap', callout, agent, agent.timeZone ?? roster.period.timeZone);
  if (!outcome.ok && outcome.refusal === 'not-published') {
    // superseded between the read above and the claim
    const now = await ctx.store.rosters.get(rosterId);
    if (now?.status === 'superseded') throw await supersededClaimRefusal(ctx, now);
  }
  if (!outcome.ok && outcome.refusal === 'overlap') throw REFUSALS.overlap(await claimOnAgentClock(ctx, agent, outcome.conflictWith));
  if (!outcome.ok && outcome.refusal === 'rest') throw REFUSALS.rest(`${await claimOnAgentClock(ctx, agent, outcome.conflictWith)} (less than ${agent.contract.minRestHours} h between them)`);
  if (!outcome.ok) throw REFUSALS[outcome.refusal](outcome.refusal === 'not-cloud-agent' ? agentId : outcome.conflictWith);
  const zone = roster.period.timeZone;
  return { rosterId, slotId, agentId, skillGroupId: slot.skillGroupId, claimed: outcome.claimed, agentsNeeded: outcome.agentsNeeded, start: formatInstant(slot.start, zone), end: formatInstant(slot.end, zone), releasableUntil: formatInstant(slot.start - ctx.config.claimReleaseCutoffHours * HOUR_MS, zone) };
}

export async function releaseSlot(ctx: RosterContext, agentId: string, rosterId: string, slotId: string): Promise<void> {
  // as every self-service route: the token's agent must still be a cloud agent (a removed one's claims are the planner's to settle)
  await cloudAgentOrThrow(ctx, agentId);
  const cutoffMs = ctx.config.claimReleaseCutoffHours * HOUR_MS;
  const outcome = await ctx.store.rosters.release(rosterId, slotId, agentId, cutoffMs, ctx.now());
  if (outcome.ok) return;
  if (outcome.refusal === 'cut-off') {
    const cutoffAt = formatInstant(outcome.cutoffAt!, (await ctx.store.rosters.zonesOf([rosterId])).get(rosterId) ?? 'UTC');
    throw new WfmError('conflict', `too late to release: claims are binding from ${ctx.config.claimReleaseCutoffHours} h before the start (since ${cutoffAt}); ask your planner`, {
      details: [{ where: '/path/slotId', message: `release cut-off passed at ${cutoffAt}` }],
    });
  }
  if (outcome.refusal === 'not-claimed') throw await notHeldRefusal(ctx, agentId, rosterId);
  throw REFUSALS[outcome.refusal]();
}

/**
 * A release of a slot the agent does not hold. When the roster was replaced by a re-plan, the agent's
 * claims moved to the roster in force (same times): a 404 "you do not hold this slot" read as if the
 * claim were lost, so the answer says where it is now.
 */
async function notHeldRefusal(ctx: RosterContext, agentId: string, rosterId: string): Promise<WfmError> {
  const roster = await ctx.store.rosters.get(rosterId);
  const inForce = roster?.status === 'superseded' ? await rosterInForce(ctx, roster) : undefined;
  if (inForce) {
    const held = (await ctx.store.rosters.claimsOf(agentId)).filter((c) => c.rosterId === inForce);
    const where = held.length ? `: you hold ${held.length} slot(s) there (${held.map((c) => c.slotId).join(', ')})` : '';
    return new WfmError('conflict', `the roster was replaced by ${inForce} (a re-plan), and claims moved with its slots${where}: release them there (GET /me/claims lists them)`, {
      details: [{ where: '/path/rosterId', message: `superseded; in force: ${inForce}` }],
    });
  }
  return new WfmError('not-found', 'you do not hold this slot', { details: [{ where: '/path/slotId', message: 'not yours' }] });
}

/** Claims a page of GET /me/claims holds by default, and at most. */
export const CLAIMS_PAGE_DEFAULT = 100;
export const CLAIMS_PAGE_MAX = 1000;

/**
 * The agent's claims overlapping [from, to) (epoch ms; `to` open-ended when absent), soonest first — of one
 * start by roster and slot id — a page of `limit` at a time, `cursor` going on after an earlier page. An
 * app passes `from` = now for what is still to be worked (the default of GET /me/claims), an earlier
 * `from` for past claims: the agent's claims index keeps every claim, so unbounded it only grew.
 */
export async function claimsOfAgent(ctx: RosterContext, agentId: string, query: { from: number; to?: number; limit?: number; cursor?: string }) {
  await cloudAgentOrThrow(ctx, agentId);
  if (query.to !== undefined && !(query.to > query.from)) throw invalid('`to` must be after `from`', [{ where: '/query/to', message: 'must be after from' }]);
  const limit = Math.min(query.limit ?? CLAIMS_PAGE_DEFAULT, CLAIMS_PAGE_MAX);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const keyOf = (c: { rosterId: string; slotId: string }) => `${c.rosterId}|${c.slotId}`;
  const beyondCursor = (c: { start: number; rosterId: string; slotId: string }) => !after || c.start > after.at || (c.start === after.at && keyOf(c) > after.key);
  const inRange = (await ctx.store.rosters.claimsOf(agentId))
    .filter((c) => c.end > query.from && (query.to === undefined || c.start < query.to))
    .sort((a, b) => a.start - b.start || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
    .filter(beyondCursor);
  const claims = inRange.slice(0, limit);
  const last = claims[claims.length - 1];
  const next = inRange.length > limit && last ? encodeCursor({ at: last.start, key: keyOf(last) }) : undefined;
  const rosterIds = [...new Set(claims.map((c) => c.rosterId))];
  // each claim as the claim's own answer gives it (places taken and offered), read once per roster
  const [zones, slotLists] = await Promise.all([ctx.store.rosters.zonesOf(rosterIds), Promise.all(rosterIds.map((id) => ctx.store.rosters.slots(id)))]);
  const slots = new Map(slotLists.flat().map((s) => [`${s.rosterId}|${s.id}`, s]));
  const items = claims.map((c) => {
    const zone = zones.get(c.rosterId) ?? 'UTC';
    const slot = slots.get(`${c.rosterId}|${c.slotId}`);
    return {
      ...c,
      ...(slot ? { claimed: slot.claimedBy.length, agentsNeeded: slot.agentsNeeded } : {}),
      start: formatInstant(c.start, zone),
      end: formatInstant(c.end, zone),
      releasableUntil: formatInstant(c.start - ctx.config.claimReleaseCutoffHours * HOUR_MS, zone),
    };
  });
  return { items, ...(next ? { next } : {}) };
}

// ---------------------------------------------------------------------------------------------------
// Simulations queued over REST: POST /simulations and roster drills, under the same limits
// ---------------------------------------------------------------------------------------------------

/**
 * The longest period one simulation job may cover. Its result (per interval and skill group, with CIs)
 * is kept with the job in Redis: 400 days of 30-minute intervals made a 10 MB job; a month is what a
 * roster drill or a replayed month needs (the CLI, `wfm simulate`, has no such limit).
 */
export const SIMULATION_MAX_DAYS = 31;
/** …and the most result rows (intervals × skill groups) one job may produce */
export const SIMULATION_MAX_RESULT_ROWS = 50_000;

/** 422 when the job's result would be too large to keep with it; `where`: the request field that sets the period. */
function checkSimulationSize(spec: SimulationSpec, where: string): void {
  const { from, to } = spec.period;
  const days = (to - from) / DAY_MS;
  if (days > SIMULATION_MAX_DAYS) {
    throw invalid(`a simulation over REST covers at most ${SIMULATION_MAX_DAYS} days`, [{ where, message: `covers ${days.toFixed(1)} days: split it into runs of a month or less` }]);
  }
  const intervalMinutes = spec.intervalMinutes ?? spec.skillGroups[0].intervalMinutes ?? 30;
  const rows = Math.ceil((to - from) / (intervalMinutes * 60_000)) * spec.skillGroups.length;
  if (rows > SIMULATION_MAX_RESULT_ROWS) {
    throw invalid(`a simulation over REST produces at most ${SIMULATION_MAX_RESULT_ROWS.toLocaleString('en')} result rows (intervals × skill groups)`, [
      { where, message: `${rows.toLocaleString('en')} rows (${spec.skillGroups.length} skill groups over ${days.toFixed(1)} days of ${intervalMinutes}-minute intervals): shorten the period or simulate fewer groups per run` },
    ]);
  }
}

/** Queues a validated spec as a `simulate` job once its result is known to fit (every REST path goes through here); the job id. */
export async function queueSimulation(queues: Queues, spec: SimulationSpec, where = '/body/period'): Promise<string> {
  checkSimulationSize(spec, where);
  return queues.add(QUEUE.simulate, { spec });
}

// ---------------------------------------------------------------------------------------------------
// Drills: a stored roster under a named scenario, simulated by the `simulate` job
// ---------------------------------------------------------------------------------------------------

export const DRILL_SCENARIOS = ['normal-day', 'storm-day', 'flash-surge'] as const;
export type DrillScenario = (typeof DRILL_SCENARIOS)[number];

export interface DrillRequest {
  scenario: DrillScenario;
  /** local date of the roster to drill (default: its first day) */
  date?: string;
  /** days from `date` (default 1) */
  days?: number;
  /** local time the preset shock starts (storm-day default 10:00, flash-surge 12:00) */
  at?: string;
  /** group a flash surge hits (default the roster's first) */
  skillGroupId?: string;
  /** further shocks: start as ISO date-time or local wall time of the roster's zone */
  shocks?: Array<{ skillGroupId: string; start: string; durationMinutes: number; factor: number; rampMinutes?: number }>;
  policy?: PolicyName;
  replications?: number;
  seed?: number;
}

/** The presets: what a planner asks for by name. */
const PRESETS: Record<DrillScenario, { at: string; factor: number; durationMinutes: number; rampMinutes: number; allGroups: boolean } | null> = {
  'normal-day': null,
  'storm-day': { at: '10:00', factor: 3, durationMinutes: 240, rampMinutes: 30, allGroups: true },
  'flash-surge': { at: '12:00', factor: 20, durationMinutes: 20, rampMinutes: 0, allGroups: false },
};

function wallInstant(date: string, time: string, zone: string): number | undefined {
  const parsed = parseTimestamp(`${date}T${time}:00`, zone);
  return parsed.ok ? parsed.epochMs : undefined;
}

/** Builds the simulation spec of a drill (validated: a bad spec is a 422 naming the field). */
export async function drillSpec(ctx: RosterContext, roster: StoredRoster, drill: DrillRequest): Promise<SimulationSpec> {
  const { id } = roster;
  const zone = roster.period.timeZone;
  const problems: ProblemDetail[] = [];
  const preset = PRESETS[drill.scenario];
  if (preset === undefined) problems.push({ where: '/body/scenario', message: `unknown scenario "${drill.scenario}" (one of ${DRILL_SCENARIOS.join(', ')})` });
  if (preset === null && drill.at !== undefined) problems.push({ where: '/body/at', message: `${drill.scenario} has no preset shock for \`at\` to start (custom shocks carry their own start)` });
  const dates = localDates(roster.period.from, roster.period.days, zone);
  const date = drill.date ?? dates[0];
  const days = drill.days ?? 1;
  const first = dates.indexOf(date);
  if (first < 0) problems.push({ where: '/body/date', message: `${date} is not in the roster's period (${dates[0]} … ${dates[dates.length - 1]})` });
  else if (first + days > dates.length) problems.push({ where: '/body/days', message: `the roster ends on ${dates[dates.length - 1]}` });
  const groupId = drill.skillGroupId ?? roster.skillGroupIds[0];
  if (!roster.skillGroupIds.includes(groupId)) problems.push({ where: '/body/skillGroupId', message: `the roster has no skill group "${groupId}" (it has ${roster.skillGroupIds.join(', ')})` });
  if (problems.length) throw invalid('invalid drill', problems);

  const from = startOfLocalDay(date, zone);
  const to = startOfLocalDay(localDates(date, days + 1, zone)[days], zone);
  const shocks: ArrivalShock[] = [];
  if (preset) {
    const at = drill.at ?? preset.at;
    const start = wallInstant(date, at, zone);
    if (start === undefined) throw invalid('invalid drill', [{ where: '/body/at', message: `"${at}" is not a local time HH:mm on ${date} in ${zone}` }]);
    for (const g of preset.allGroups ? roster.skillGroupIds : [groupId]) shocks.push({ skillGroupId: g, start, durationMinutes: preset.durationMinutes, factor: preset.factor, rampMinutes: preset.rampMinutes });
  }
  (drill.shocks ?? []).forEach((s, i) => {
    const parsed = parseTimestamp(s.start, zone);
    if (!parsed.ok) throw invalid('invalid drill', [{ where: `/body/shocks/${i}/start`, message: `not a date-time: ${s.start}` }]);
    shocks.push({ skillGroupId: s.skillGroupId, start: parsed.epochMs, durationMinutes: s.durationMinutes, factor: s.factor, ...(s.rampMinutes !== undefined ? { rampMinutes: s.rampMinutes } : {}) });
  });

  const [groups, agents, coverage, shifts] = await Promise.all([skillGroupsOrThrow(ctx.store, roster.skillGroupIds, `/rosters/${id}/skillGroupIds`), ctx.store.agents.list(), ctx.store.rosters.coverage(id), rosterShifts(ctx, id)]);
  const skillsOf = new Map(agents.map((a) => [a.id, a.skills.map((s) => s.skillGroupId).filter((g) => roster.skillGroupIds.includes(g))]));
  const simShifts: SimShift[] = shifts
    .filter((s) => s.start < to && s.end > from)
    .map((s) => ({
      agentId: s.agentId,
      skillGroupId: s.skillGroupId,
      start: s.start,
      end: s.end,
      breaks: s.breaks.map((b) => ({ start: b.start, end: b.end })),
      // multi-skilled agents answer their other groups of this roster after their own
      extraSkillGroupIds: (skillsOf.get(s.agentId) ?? []).filter((g) => g !== s.skillGroupId),
    }));
  const spec: SimulationSpec = {
    skillGroups: groups.map((g) => ({ ...g, overflowTo: g.overflowTo.filter((o) => roster.skillGroupIds.includes(o)) })),
    period: { from, to },
    roster: { kind: 'shifts', shifts: simShifts },
    arrivals: { kind: 'forecast', rates: coverage.filter((c) => c.intervalStart >= from && c.intervalStart < to).map((c) => ({ skillGroupId: c.skillGroupId, start: c.intervalStart, volume: c.volume, ahtSeconds: c.ahtSeconds })), shocks },
    policy: drill.policy,
    replications: drill.replications ?? 5,
    seed: drill.seed ?? 1,
  };
  const presetShocks = shocks.length - (drill.shocks?.length ?? 0);
  try {
    validateSimulationSpec(spec);
  } catch (err) {
    if (!(err instanceof WfmError)) throw err;
    // the simulator names its own fields; point back at the drill request's field they came from
    const where = (field: string) => {
      const shock = /^arrivals\.shocks\[(\d+)\]\.?(.*)$/.exec(field);
      if (shock) return Number(shock[1]) < presetShocks ? '/body/at' : `/body/shocks/${Number(shock[1]) - presetShocks}${shock[2] ? `/${shock[2].replace(/\./g, '/')}` : ''}`;
      const top = field.split(/[.[]/)[0];
      // the rest of the spec (skill groups, roster, rates) was built from stored data, not from the request
      return ['policy', 'replications', 'seed'].includes(top) ? `/body/${field.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}` : `/rosters/${id}`;
    };
    throw invalid(`invalid drill: ${err.details[0]?.message ?? err.message}`, err.details.map((d) => ({ where: where(d.where), message: d.message })));
  }
  return spec;
}

export async function requestDrill(ctx: RosterContext, id: string, drill: DrillRequest): Promise<{ jobId: string; scenario: DrillScenario; shocks: number; period: { from: string; to: string } }> {
  const roster = await rosterOrThrow(ctx, id);
  const spec = await drillSpec(ctx, roster, drill);
  // the drilled days are the request's say in the size (the roster's groups come with it)
  const jobId = await queueSimulation(ctx.queues, spec, '/body/days');
  // the drilled day in the roster's zone, as its shifts are given
  const zone = roster.period.timeZone;
  return { jobId, scenario: drill.scenario, shocks: spec.arrivals.kind === 'forecast' ? (spec.arrivals.shocks?.length ?? 0) : 0, period: { from: formatInstant(spec.period.from, zone), to: formatInstant(spec.period.to, zone) } };
}
