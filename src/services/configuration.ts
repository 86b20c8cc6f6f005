/**
 * Use cases for skill groups and agents: validate → check against what is stored → save.
 * Batches are all-or-nothing: every problem is collected first, and nothing is written if any is found.
 */
import type { Agent, AgentKind, SkillGroup } from '../domain/types';
import { itemAt, validateAgents, validateSkillGroups, type ItemPointer } from '../domain/validate';
import { WfmError, invalid, isWfmError, type ProblemDetail } from '../errors/wfm-error';
import type { Store } from '../store/store';
import type { HeldClaims } from '../store/agent-repository';
import { formatInstant } from '../time/grid';

/** Queues the `forecast` job that recomputes and stores a group's two-week forecast (the queues, or a stand-in in tests). */
export type ForecastRefresh = (skillGroupId: string) => Promise<unknown>;

/**
 * Stores the groups. The stored two-week forecast (which rosters and the surge trigger read) was computed
 * from a group's zone, interval, opening hours and holiday country: a group stored with another of them
 * has its forecast recomputed (when one is stored), as after a change of special days, so the change shows
 * at once and not only after the next training or refresh.
 */
export async function putSkillGroups(store: Store, groups: SkillGroup[], where: ItemPointer = '', refreshForecast?: ForecastRefresh): Promise<SkillGroup[]> {
  const stored = await store.skillGroups.map();
  const problems = validateSkillGroups(groups, stored, where);
  if (problems.length) throw invalid(`${problems.length} problem(s) in the skill groups; nothing was stored`, problems);
  await refuseGridChangeOverHistory(store, groups, stored, where);
  await store.skillGroups.putAll(groups);
  if (refreshForecast) {
    for (const g of groups) {
      const before = stored.get(g.id);
      if (before && forecastInputs(before) !== forecastInputs(g) && (await store.forecasts.meta(g.id))) await refreshForecast(g.id);
    }
  }
  return groups;
}

/** What of a group the two-week forecast reads (ForecastSubject), in one comparable string. */
function forecastInputs(g: SkillGroup): string {
  const hours = g.openingHours?.map((w) => ({ days: w.days, from: w.from, to: w.to })) ?? null;
  return JSON.stringify([g.timeZone, g.intervalMinutes, g.country ?? null, hours]);
}

/**
 * A group's stored history, forecast and models are on its interval grid. Another intervalMinutes would
 * read the old intervals as if they were new ones: 15-minute counts taken as half hours, or (after the
 * same days are uploaded again at 30 minutes) the old :15 and :45 fields summed in beside the new totals,
 * every half hour counted twice. Hence 409 while the group has history, naming what to do instead.
 */
async function refuseGridChangeOverHistory(store: Store, groups: SkillGroup[], stored: Map<string, SkillGroup>, where: ItemPointer): Promise<void> {
  const problems: ProblemDetail[] = [];
  for (const [i, g] of groups.entries()) {
    const before = stored.get(g.id);
    if (!before || before.intervalMinutes === g.intervalMinutes) continue;
    if (!(await store.history.extent(g.id))) continue;
    problems.push({
      where: `${itemAt(where, i)}/intervalMinutes`,
      message:
        `skill group ${g.id} has history stored on ${before.intervalMinutes}-minute intervals, and its forecasts and models are on that grid; ` +
        `it cannot change to ${g.intervalMinutes} minutes: create a skill group with the new interval and upload the history to it`,
    });
  }
  if (problems.length) throw new WfmError('conflict', `${problems.length} skill group(s) cannot change their interval; nothing was stored`, { details: problems });
}

/** Where trained models live (outside Redis): the file-system registry, or a stand-in in tests. */
export interface GroupModels {
  deleteGroup(skillGroupId: string): Promise<void>;
}

/**
 * Deletes a group with everything it owns. The model files go after the Redis script has succeeded:
 * the other way round, a failed script would leave a live group without its models. Should removing
 * the files fail, the group is gone nonetheless: the 500 says so and names the directory, because a
 * re-created group of the same id would find the old models (and a retried DELETE is now a 404).
 */
export async function deleteSkillGroup(store: Store, models: GroupModels, id: string): Promise<void> {
  const group = await store.skillGroups.get(id);
  if (!group) throw new WfmError('not-found', `skill group ${id} does not exist`);
  await refuseWhileInUse(store, id);
  // what only the group owns goes with it, in one script; what refers to it refuses (checked again there:
  // an agent or group written since would otherwise point at a group that is gone)
  // realtime days written before their index was are named by date: within the retention on the wall
  // clock, the one those writes ran on (every write since is listed in the index, whatever its clock)
  const outcome = await store.skillGroups.delete(id, store.realtime.datesWrittenBeforeTheIndex(Date.now()));
  if (outcome === 'no-group') throw new WfmError('not-found', `skill group ${id} does not exist`);
  if (outcome === 'in-use') {
    await refuseWhileInUse(store, id);
    throw new WfmError('conflict', `skill group ${id} came into use while it was being deleted`);
  }
  try {
    await models.deleteGroup(id);
  } catch (err) {
    // MODEL_DIR owned by another deployment (registry/model-dir-owner.ts): the files there are its models of
    // a group of its own with this id, not to be removed by hand
    if (isWfmError(err) && err.details.some((d) => d.where === 'MODEL_DIR')) {
      throw new WfmError('internal', `skill group ${id} was deleted, and the model files under MODEL_DIR/${id} were left alone: ${err.message}`, { cause: err });
    }
    throw new WfmError('internal', `skill group ${id} was deleted, but its model files (MODEL_DIR/${id}) could not be removed: remove them by hand`, { cause: err });
  }
}

/** 409 naming the agents with the skill (the first 20) and the groups overflowing to it. */
async function refuseWhileInUse(store: Store, id: string): Promise<void> {
  const [agents, groups] = await Promise.all([store.agents.list(), store.skillGroups.list()]);
  const usedBy = agents.filter((a) => a.skills.some((s) => s.skillGroupId === id)).map((a) => a.id);
  const overflowFrom = groups.filter((g) => g.overflowTo.includes(id)).map((g) => g.id);
  if (usedBy.length || overflowFrom.length) {
    throw new WfmError('conflict', `skill group ${id} is still in use`, {
      details: [
        ...usedBy.slice(0, 20).map((a) => ({ where: `/agents/${a}`, message: `has skill ${id}` })),
        ...overflowFrom.map((g) => ({ where: `/skill-groups/${g}`, message: `overflows to ${id}` })),
      ],
    });
  }
}

/** The service clock and the claim release cut-off: whether a cloud agent's claims are over, and what a refusal says to do. */
export interface Rostering {
  nowMs: number;
  claimReleaseCutoffHours: number;
}

/**
 * Stores the agents — refused (409, nothing stored) while one of them who was a cloud agent and is a
 * partner now still holds claimed slots not over yet on a published roster: the claims would stay on the
 * roster as a partner's, whom every self-service route (release included) refuses as no longer a cloud
 * agent. Likewise while the update takes a skill group away from a cloud agent who holds such claims on
 * slots of that group: the claims would stay on a group the agent is no longer skilled for (a claim asks
 * for the skill). The check and the write are one script in the store, and a claim is taken only while
 * the agent is stored as a cloud agent with the slot's skill, so a claim racing the change cannot slip
 * through either.
 */
export async function putAgents(store: Store, agents: Agent[], where: ItemPointer, rostering: Rostering): Promise<number> {
  const problems = validateAgents(agents, await store.skillGroups.map(), where);
  if (problems.length) throw invalid(`${problems.length} problem(s) in the agents; nothing was stored`, problems);
  const outcome = await store.agents.putAll(agents, rostering.nowMs);
  if (outcome.ok) return agents.length;
  const zones = await store.rosters.zonesOf(outcome.held.map((h) => h.rosterId));
  const index = new Map(agents.map((a, i) => [a.id, i]));
  const release = (h: HeldClaims) => `the agent releases them (DELETE /me/claims/${h.rosterId}/{slotId}) until ${rostering.claimReleaseCutoffHours} h before they start`;
  const lastEnd = (h: HeldClaims) => formatInstant(h.lastEndMs, zones.get(h.rosterId) ?? 'UTC');
  const details = outcome.held.map((h) =>
    h.reason === 'kind'
      ? {
          where: `${itemAt(where, index.get(h.agentId) ?? 0)}/kind`,
          message:
            `${h.agentId} holds ${h.claims} claimed slot(s) not over yet on published roster ${h.rosterId} and cannot stop being a cloud agent while they do: ` +
            `${release(h)}, or change the kind once the last is over (${lastEnd(h)})`,
        }
      : {
          where: `${itemAt(where, index.get(h.agentId) ?? 0)}/skills`,
          message:
            `${h.agentId} holds ${h.claims} claimed slot(s) of skill group ${h.skillGroupId} not over yet on published roster ${h.rosterId} and cannot lose skill ${h.skillGroupId} while they do: ` +
            `${release(h)}, or remove the skill once the last is over (${lastEnd(h)})`,
        },
  );
  const who = [...new Set(outcome.held.map((h) => h.agentId))];
  const cannot = [
    outcome.held.some((h) => h.reason === 'kind') ? 'become partners' : '',
    outcome.held.some((h) => h.reason === 'skill') ? 'lose the skill groups of those slots' : '',
  ].filter(Boolean).join(' or ');
  throw new WfmError('conflict', `${who.length} cloud agent(s) (${who.join(', ')}) still hold claimed slots not over yet and cannot ${cannot}; nothing was stored (see errors)`, { details });
}

/**
 * Deletes an agent — refused (409, nothing deleted) while a published roster still holds shifts or
 * claimed slots of theirs that are not over: the roster would keep them, the agent's calendar would
 * 404, and a re-plan could only call their shifts uncovered without saying why. Work already done
 * stays on the rosters as it was (a past roster still lists a deleted agent's shifts). The check and the
 * delete are one script in the store. False when there is no such agent.
 */
export async function deleteAgent(store: Store, id: string, nowMs: number, claimReleaseCutoffHours: number): Promise<boolean> {
  const outcome = await store.agents.deleteUnlessRostered(id, nowMs);
  if (outcome.ok) return true;
  if (outcome.refusal === 'no-agent') return false;
  const zones = await store.rosters.zonesOf(outcome.work.map((w) => w.rosterId));
  const heldOf = (shifts: number, claims: number) => [shifts ? `${shifts} shift(s)` : '', claims ? `${claims} claimed slot(s)` : ''].filter(Boolean).join(' and ');
  const details = outcome.work.map((w) => {
    const held = heldOf(w.shifts, w.claims);
    // a partner's shifts leave through a re-plan; a cloud agent's claims only through the agent (the re-plan keeps them)
    const remedy = [
      w.shifts ? `re-plan the roster with ${id} absent on those dates and publish the re-plan (POST /rosters/${w.rosterId}/replan)` : '',
      w.claims ? `the agent releases the claims (DELETE /me/claims/${w.rosterId}/{slotId}) until ${claimReleaseCutoffHours} h before they start` : '',
    ].filter(Boolean).join('; ');
    return { where: `/rosters/${w.rosterId}`, message: `published: ${held} of ${id} not over yet; ${remedy}, or delete the agent once the last is over (${formatInstant(w.lastEndMs, zones.get(w.rosterId) ?? 'UTC')})` };
  });
  const held = heldOf(
    outcome.work.reduce((n, w) => n + w.shifts, 0),
    outcome.work.reduce((n, w) => n + w.claims, 0),
  );
  throw new WfmError('conflict', `agent ${id} still has ${held} not over yet on published roster(s) ${outcome.work.map((w) => w.rosterId).join(', ')}; nothing was deleted: take them off the roster first (see errors), or delete the agent once they are over`, { details });
}

export async function listAgents(store: Store, filter: { kind?: AgentKind; skillGroup?: string }): Promise<Agent[]> {
  return (await store.agents.list()).filter(
    (a) => (!filter.kind || a.kind === filter.kind) && (!filter.skillGroup || a.skills.some((s) => s.skillGroupId === filter.skillGroup)),
  );
}
