/**
 * Re-planning a published roster after a change — agents absent on some dates, or a moved forecast
 * that produced new planned shifts — keeping published shifts where the rules still allow, never
 * touching shifts that already started, and listing every change for the planner and the agents.
 */
import type { Agent } from '../domain/types';
import { HOUR_MS, localDate } from '../time/grid';
import { assignShifts, type AssignmentResult } from './assign';
import type { AssignmentOptions, PlanningPeriod } from './assignment-model';
import type { AssignedShift, PlannedShift } from './types';
import type { Demand } from './top-up-demand';

export interface RosterChangeRequest {
  /** agents who cannot work on these local dates (illness, leave) */
  absences?: Array<{ agentId: string; dates: string[] }>;
  /** the new planned shifts when the forecast moved; default: the published roster's shifts */
  plannedShifts?: PlannedShift[];
}

export interface ReplanInput {
  published: AssignedShift[];
  agents: Agent[];
  period: PlanningPeriod;
  change: RosterChangeRequest;
  /** shifts starting before this instant ("now", passed in) stay exactly as published */
  frozenBefore: number;
  options?: AssignmentOptions;
  /** the requirement the plan was made for: new top-ups go where their group is open and needs agents (AssignmentInput.demand) */
  demand?: Demand;
}

/** 'moved': the same agent works that day at the new plan's times (`previousStart`/`previousEnd` were published), or at the same times for another group (`previousSkillGroupId`) */
export type RosterChangeKind = 'reassigned' | 'uncovered' | 'removed' | 'added' | 'moved';

export interface RosterChange {
  kind: RosterChangeKind;
  shiftId: string;
  date: string;
  skillGroupId: string;
  start: number;
  end: number;
  fromAgentId?: string;
  toAgentId?: string;
  /** 'moved', 'reassigned': the published shift's id, where the re-plan names that work anew (its calendar entry goes) */
  previousShiftId?: string;
  /** 'moved': the published times (and group, when only the group changed) */
  previousStart?: number;
  previousEnd?: number;
  previousSkillGroupId?: string;
  reason: string;
}

export interface ReplanResult extends AssignmentResult {
  changes: RosterChange[];
  /** published shifts still worked by the same agent */
  keptCount: number;
}

/** A shift's group and times: what a plan made afresh (new ids) is matched by. */
export const shapeKey = (s: Pick<PlannedShift, 'skillGroupId' | 'start' | 'end'>) => `${s.skillGroupId}|${s.start}|${s.end}`;

/** An assigned shift as a planned one (the plan's view: no agent). */
export const withoutAgent = ({ agentId: _agentId, ...shift }: AssignedShift): PlannedShift => shift;

/** A published shift is moved at most this far (a later start is another shift: an evening for a morning). */
const MAX_RETIMING_MS = 3 * HOUR_MS;

/** Ids of the shifts the assignment adds to reach an agent's weekly minimum (see assign.ts). */
const TOP_UP_PREFIX = 'topup-';

/** A top-up: a shift the assignment added for an agent's weekly minimum, not one the plan asked for. */
export const isTopUp = (s: Pick<PlannedShift, 'id'>) => s.id.startsWith(TOP_UP_PREFIX);

/**
 * The absent date a shift works on: its own date, or the next one a night shift reaches (shifts last
 * under a day); undefined when it touches none of `absentDates`.
 */
export function absentDateOf(shift: Pick<AssignedShift, 'date' | 'end'>, absentDates: ReadonlySet<string> | undefined, zone: string): string | undefined {
  if (!absentDates?.size) return undefined;
  return [shift.date, localDate(shift.end - 1, zone)].find((d) => absentDates.has(d));
}

export function replanRoster(input: ReplanInput): ReplanResult {
  const absent = new Map<string, Set<string>>();
  for (const a of input.change.absences ?? []) absent.set(a.agentId, new Set([...(absent.get(a.agentId) ?? []), ...a.dates]));
  const agents = input.agents.map((a) => (absent.has(a.id) ? { ...a, daysOff: [...new Set([...(a.daysOff ?? []), ...absent.get(a.id)!])] } : a));

  const absentOn = (agentId: string, shift: AssignedShift) => absentDateOf(shift, absent.get(agentId), input.period.timeZone);

  const frozen = input.published.filter((s) => s.start < input.frozenBefore);
  const frozenIds = new Set(frozen.map((s) => s.id));
  const source = input.change.plannedShifts ?? input.published.map(withoutAgent);
  // Shifts already under way are part of the plan whatever the new forecast says.
  const planned: PlannedShift[] = [
    ...frozen.map(withoutAgent),
    ...source.filter((s) => !frozenIds.has(s.id) && s.start >= input.frozenBefore),
  ];

  // Match each planned shift to a published one: same id first, else the same period and skill group.
  const publishedById = new Map(input.published.map((p) => [p.id, p]));
  const unmatchedByShape = new Map<string, AssignedShift[]>();
  const plannedIds = new Set(planned.map((s) => s.id));
  for (const p of input.published) {
    if (plannedIds.has(p.id)) continue;
    unmatchedByShape.set(shapeKey(p), [...(unmatchedByShape.get(shapeKey(p)) ?? []), p]);
  }
  const counterpart = new Map<string, AssignedShift>();
  for (const s of planned) {
    const same = publishedById.get(s.id);
    if (same) counterpart.set(s.id, same);
    else {
      const candidates = unmatchedByShape.get(shapeKey(s));
      const match = candidates?.shift();
      if (match) counterpart.set(s.id, match);
    }
  }
  // A published shift the new plan has no twin for (the forecast moved its times) keeps its agent on
  // that day where the plan still has a shift of that group, date and length: the nearest by start.
  // Otherwise the agent would lose the day to whoever the assignment picks first — a sale day's partners
  // to other days. Only the same length: an 8-hour day pinned to a 4-hour shift would leave the agent
  // short of their weekly minimum with no free day for a top-up. Published top-ups are not paired: the
  // assignment gives them back where still valid and needed (below), else makes new ones for the minimum.
  const matched = new Set([...counterpart.values()].map((p) => p.id));
  const slotOf = (s: PlannedShift) => `${s.skillGroupId}|${s.date}|${s.end - s.start}`;
  const free = new Map<string, PlannedShift[]>();
  for (const s of planned) if (!counterpart.has(s.id)) free.set(slotOf(s), [...(free.get(slotOf(s)) ?? []), s]);
  const orphans = input.published
    .filter((p) => !matched.has(p.id) && !frozenIds.has(p.id) && !isTopUp(p) && !absentOn(p.agentId, p))
    .sort((a, b) => a.start - b.start || a.agentId.localeCompare(b.agentId));
  const publishedOf = new Map<string, AssignedShift[]>();
  for (const q of input.published) publishedOf.set(q.agentId, [...(publishedOf.get(q.agentId) ?? []), q]);
  const restMs = new Map(input.agents.map((a) => [a.id, a.contract.minRestHours * HOUR_MS]));
  // the new times must leave the agent's rest to their other published shifts, or the move costs them the next day
  const restsWith = (p: AssignedShift, s: PlannedShift) =>
    (publishedOf.get(p.agentId) ?? []).every((q) => q.id === p.id || q.end + (restMs.get(p.agentId) ?? 0) <= s.start || s.end + (restMs.get(p.agentId) ?? 0) <= q.start);
  for (const p of orphans) {
    const options = (free.get(slotOf(p)) ?? []).filter((s) => Math.abs(s.start - p.start) <= MAX_RETIMING_MS && restsWith(p, s));
    if (!options.length) continue;
    let best = options[0];
    for (const s of options) if (Math.abs(s.start - p.start) < Math.abs(best.start - p.start)) best = s;
    const left = free.get(slotOf(p))!;
    left.splice(left.indexOf(best), 1);
    counterpart.set(best.id, p);
  }

  const keep: Record<string, string> = {};
  for (const [shiftId, p] of counterpart) keep[shiftId] = p.agentId;

  // Published top-ups the new plan does not hold (nor a planned shift of their shape) go back to their
  // agents where still valid and needed, before any new top-up is made (AssignmentInput.publishedTopUps);
  // an absent agent's are not offered.
  const paired = new Set([...counterpart.values()].map((p) => p.id));
  const publishedTopUps = input.published.filter((p) => isTopUp(p) && !paired.has(p.id) && !frozenIds.has(p.id) && !absentOn(p.agentId, p));
  const result = assignShifts({ plannedShifts: planned, agents, period: input.period, options: input.options, keep, frozen: [...frozenIds], notBefore: input.frozenBefore, absences: input.change.absences, demand: input.demand, publishedTopUps });

  const newAgentOf = new Map(result.roster.map((s) => [s.id, s.agentId]));
  // A planned shift no partner takes is a cloud slot only when no top-up stands in for it (its agent works those hours).
  const standInOf = new Map(result.standIns.map((x) => [x.plannedShiftId, x]));
  const changes: RosterChange[] = [];
  const matchedPublished = new Set<string>();
  let keptCount = 0;
  for (const s of planned) {
    const p = counterpart.get(s.id);
    const to = newAgentOf.get(s.id);
    const base = { shiftId: s.id, date: s.date, skillGroupId: s.skillGroupId, start: s.start, end: s.end };
    const standIn = standInOf.get(s.id);
    if (!p) {
      // a new shift a top-up stands in for is no change of its own: the top-up is listed as added
      if (to) changes.push({ ...base, kind: 'added', toAgentId: to, reason: 'new shift in the plan' });
      else if (!standIn) changes.push({ ...base, kind: 'uncovered', reason: 'new shift no partner can take (cloud slot)' });
      continue;
    }
    matchedPublished.add(p.id);
    const away = absentOn(p.agentId, p);
    const why = away ? `${p.agentId} is absent on ${away}` : 'rules after the change';
    const renamed = p.id !== s.id ? { previousShiftId: p.id } : {};
    if (to === p.agentId && (s.start !== p.start || s.end !== p.end)) {
      changes.push({ ...base, kind: 'moved', fromAgentId: p.agentId, toAgentId: to, ...renamed, previousStart: p.start, previousEnd: p.end, reason: 'same agent and day, new times: the plan moved with the forecast' });
    } else if (to === p.agentId) keptCount++;
    else if (to) changes.push({ ...base, kind: 'reassigned', fromAgentId: p.agentId, toAgentId: to, ...renamed, reason: why });
    else if (standIn) changes.push({ kind: 'removed', shiftId: p.id, date: p.date, skillGroupId: p.skillGroupId, start: p.start, end: p.end, fromAgentId: p.agentId, reason: `${why}; ${standIn.agentId}'s top-up ${standIn.topUpShiftId} works its hours` });
    else changes.push({ ...base, kind: 'uncovered', fromAgentId: p.agentId, ...renamed, reason: `${why}; no partner can take it (cloud slot)` });
  }
  for (const p of input.published) {
    if (matchedPublished.has(p.id)) continue;
    changes.push({ kind: 'removed', shiftId: p.id, date: p.date, skillGroupId: p.skillGroupId, start: p.start, end: p.end, fromAgentId: p.agentId, reason: 'no longer in the plan' });
  }
  // Top-ups created by this run are additions too; one standing in for planned shifts says which (they need no cloud slot).
  const heldBy = new Map<string, string[]>();
  for (const x of result.standIns) heldBy.set(x.topUpShiftId, [...(heldBy.get(x.topUpShiftId) ?? []), x.plannedShiftId]);
  for (const t of result.topUps) {
    const held = heldBy.get(t.id);
    const reason = `top-up to the weekly minimum hours${held ? `; it works the hours of ${held.join(', ')} (no cloud slot)` : ''}`;
    changes.push({ kind: 'added', shiftId: t.id, date: t.date, skillGroupId: t.skillGroupId, start: t.start, end: t.end, toAgentId: t.agentId, reason });
  }
  const net = netChanges(changes);
  return { ...result, changes: net.changes, keptCount: keptCount + net.unchanged };
}

/**
 * The changes as people see them. A published top-up planned again as it was (the same agent, day and
 * times) is no change: it was "removed" only because a fresh plan holds no top-ups, and "added" back by
 * the assignment. The same work removed from one agent and added to another (the new plan named it
 * anew, or it is a top-up now another agent's) is one reassignment, which names the published shift
 * (`previousShiftId`). `unchanged`: the shifts that turned out to be no change.
 */
export function netChanges(changes: RosterChange[]): { changes: RosterChange[]; unchanged: number } {
  const sameWork = (c: RosterChange) => `${c.shiftId}|${c.start}|${c.end}|${c.kind === 'removed' ? c.fromAgentId : c.toAgentId}`;
  const readded = new Set(changes.filter((c) => c.kind === 'added').map(sameWork));
  const netted = new Set(changes.filter((c) => c.kind === 'removed' && readded.has(sameWork(c))).map(sameWork));
  const listed = changes.filter((c) => !((c.kind === 'removed' || c.kind === 'added') && netted.has(sameWork(c))));
  const work = (c: RosterChange) => `${c.skillGroupId}|${c.start}|${c.end}`;
  const addedByWork = new Map<string, RosterChange[]>();
  for (const c of listed) if (c.kind === 'added') addedByWork.set(work(c), [...(addedByWork.get(work(c)) ?? []), c]);
  const paired = new Set<RosterChange>();
  const reassigned: RosterChange[] = [];
  for (const c of listed) {
    if (c.kind !== 'removed') continue;
    // the same agent keeping the same work under a new shift id (a planned shift now a top-up) is no reassignment
    const to = addedByWork.get(work(c))?.find((x) => !paired.has(x) && x.toAgentId !== c.fromAgentId);
    if (!to) continue;
    paired.add(to).add(c);
    reassigned.push({ kind: 'reassigned', shiftId: to.shiftId, date: to.date, skillGroupId: to.skillGroupId, start: to.start, end: to.end, fromAgentId: c.fromAgentId, toAgentId: to.toAgentId, ...(c.shiftId !== to.shiftId ? { previousShiftId: c.shiftId } : {}), reason: 'rules after the change' });
  }
  const out = [...listed.filter((c) => !paired.has(c)), ...reassigned].sort((x, y) => x.start - y.start || x.shiftId.localeCompare(y.shiftId));
  return { changes: out, unchanged: netted.size };
}

