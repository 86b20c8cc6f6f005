/**
 * Sending called-out agents home once the surge has passed. A cloud agent called for two hours who
 * logs in as the storm dies down sits idle: the trigger that saw the surge coming also sees it going.
 *
 * Cautious by design, since a wrong release makes the next firing:
 * - only in predictive mode (it reads the forecast), never while a wave is open;
 * - the projection counts no pending callout (they may still decline);
 * - an agent is released only if every bucket of the horizon — the lead time included — does without them
 *   twice over: at the forecast the decisions use (the policy's quantile, p50 by default) the group's
 *   service-level target and occupancy cap are still met, and at the cautious p90 forecast the service
 *   level stays at or above threshold + hysteresis, the level at which a wave counts as over. The second
 *   test is what keeps a release from making the next firing; asking the p90 to meet the full target
 *   instead kept, in the storm benchmark, a dozen agents on the phone for an hour after the surge beside a
 *   roster staffed to the target at p50 — a release rule stricter than the firing rule it hands over to;
 * - the surplus must hold for `confirmTicks` ticks in a row, and no release within `calloutShiftMinutes / 4`
 *   of the group's last firing (the callout just made was meant for a gap the projection saw);
 * - the agents released first are those with the most of their shift still ahead (the most hours saved;
 *   among equals, who logged in first), and an agent not yet logged in is simply told not to come.
 * Pure: a tick's inputs in, the released records and the next state out.
 */
import type { SkillGroup } from '../domain/types';
import { MINUTE_MS } from '../time/grid';
import { projectCapacity, releaseWrapUpMs } from './capacity';
import { plural } from '../domain/plural';
import { projectBuckets } from './projection';
import type { CalloutRecord, ClaimedSlot, MinuteForecast, ProjectedBucket, ScheduledShift, TriggerPolicy, TriggerState } from './types';

/** Accepted, not released, not over: the callouts a release could send home. */
export function releasable(callouts: CalloutRecord[], now: number): CalloutRecord[] {
  return callouts.filter((c) => c.status === 'accepted' && c.releasedAt === undefined && c.shiftEnd > now);
}

export interface ReleaseInput {
  group: SkillGroup;
  policy: TriggerPolicy;
  /** the state after this tick's decision (a wave opened or still open forbids a release) */
  state: TriggerState;
  /** minute aligned, epoch ms */
  now: number;
  /**
   * the forecast the decision used (leading signals applied), asked for only when a release is in
   * question: most groups on most minutes have no called-out agent on the phone
   */
  forecast: () => MinuteForecast;
  roster: ScheduledShift[];
  claimedSlots: ClaimedSlot[];
  callouts: CalloutRecord[];
  /** callers waiting now */
  backlog: number;
  /** agents logged in now (realtime gauges), when fresh */
  loggedInNow?: number;
}

export interface ReleaseOutput {
  /** the callouts released now, with releasedAt set */
  released: CalloutRecord[];
  /** the group's callouts with those records replaced */
  callouts: CalloutRecord[];
  state: TriggerState;
  /** a sentence for the decision record; '' when nothing was considered */
  explanation: string;
  /** agents neither projection needs (floor of the smallest surplus over the horizon and both quantiles) */
  surplusAgents: number;
}

export function releaseSurplus(input: ReleaseInput): ReleaseOutput {
  const { group, policy, state, now, callouts } = input;
  const unchanged = (explanation: string, surplusTicks = 0, surplusAgents = 0): ReleaseOutput => ({
    released: [],
    callouts,
    state: { ...state, surplusTicks },
    explanation,
    surplusAgents,
  });
  const candidates = releasable(callouts, now);
  if (policy.mode !== 'predictive' || !policy.releaseWhenSurplus || candidates.length === 0) return unchanged('');
  if (state.waveId !== null) return unchanged('');
  const settle = Math.max(policy.cooldownMinutes, policy.calloutShiftMinutes / 4) * MINUTE_MS;
  if (state.lastFiredAt !== null && now - state.lastFiredAt < settle) return unchanged('');

  // Accepted agents only: a pending callout may still decline.
  const capacity = projectCapacity({
    skillGroupId: group.id,
    from: now,
    minutes: policy.horizonMinutes,
    roster: input.roster,
    claimedSlots: input.claimedSlots,
    callouts: callouts.filter((c) => c.status === 'accepted'),
    acceptanceRate: 0,
    loggedInNow: input.loggedInNow,
    releaseWrapUpMs: releaseWrapUpMs(group.ahtSeconds),
    assumeEarlyLogins: true,
  });
  const forecast = input.forecast();
  const expected = projectBuckets({ group, policy, now, forecast, capacity, backlog: input.backlog });
  const cautious = projectBuckets({ group: withTarget(group, waveOverLevel(policy, group)), policy: { ...policy, forecastQuantile: 'p90' }, now, forecast, capacity, backlog: input.backlog });
  const surplusAgents = Math.max(0, Math.floor(Math.min(smallestSurplus(expected), smallestSurplus(cautious)) + 1e-9));
  if (surplusAgents < 1) return unchanged('');
  const surplusTicks = (state.surplusTicks ?? 0) + 1;
  const count = Math.min(surplusAgents, candidates.length);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const criteria = `the ${pct(group.serviceLevel.fraction)} target met at the ${policy.forecastQuantile} forecast, at least ${pct(waveOverLevel(policy, group))} at the cautious p90`;
  if (surplusTicks < policy.confirmTicks) {
    return unchanged(`; ${plural(count, 'called-out agent')} not needed (${criteria}), seen ${surplusTicks} of ${policy.confirmTicks} ticks needed to release`, surplusTicks, surplusAgents);
  }
  const ahead = (c: CalloutRecord) => c.shiftEnd - Math.max(now, c.loginAt);
  const chosen = [...candidates].sort((a, b) => ahead(b) - ahead(a) || a.loginAt - b.loginAt || a.id.localeCompare(b.id)).slice(0, count);
  const ids = new Set(chosen.map((c) => c.id));
  const released = chosen.map((c) => ({ ...c, releasedAt: now }));
  const byId = new Map(released.map((c) => [c.id, c]));
  return {
    released,
    callouts: callouts.map((c) => (ids.has(c.id) ? byId.get(c.id)! : c)),
    state: { ...state, surplusTicks: 0 },
    explanation: `; the surge has passed: ${plural(surplusAgents, 'agent')} more than needed over the next ${policy.horizonMinutes} minutes (${criteria}) → releasing ${plural(released.length, 'called-out agent')}`,
    surplusAgents,
  };
}

/** The service level at which a wave counts as over (never above the target itself). */
function waveOverLevel(policy: TriggerPolicy, group: SkillGroup): number {
  return Math.min(group.serviceLevel.fraction, policy.serviceLevelThreshold + policy.hysteresis);
}

function withTarget(group: SkillGroup, fraction: number): SkillGroup {
  return { ...group, serviceLevel: { ...group.serviceLevel, fraction } };
}

/** The fewest agents any bucket can spare: agents on hand minus the requirement (a bucket without calls needs none). */
function smallestSurplus(projection: ProjectedBucket[]): number {
  let smallest = Infinity;
  for (const b of projection) smallest = Math.min(smallest, b.agents - (Number.isFinite(b.requiredAgents) ? b.requiredAgents : Infinity));
  return smallest;
}
