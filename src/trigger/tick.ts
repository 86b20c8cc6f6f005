/**
 * One trigger tick for many skill groups: expire unanswered callouts, learn the acceptance rate,
 * project capacity, lend overflow groups' spare agents, decide, choose agents and plan the callouts.
 * This is the function the minute job calls; everything it needs comes in, everything to store goes out.
 */
import type { Agent, SkillGroup } from '../domain/types';
import { clockTime, HOUR_MS, MINUTE_MS } from '../time/grid';
import { acceptanceRate, acceptanceStatsOf, agentAcceptance, expireUnanswered } from './acceptance';
import { planCallouts, workEnd } from './callouts';
import { projectCapacity, releaseWrapUpMs, type CapacityProjection } from './capacity';
import { chooseAgents, type ChooseResult } from './choose';
import { decide, decisionForecast, type OverflowLender } from './decide';
import { plural } from '../domain/plural';
import { projectBuckets, shortfallAgents, spareAgents, splitByNeed } from './projection';
import { feedStaleness, FEED_STALE_MINUTES, type FeedStaleness } from './realtime-state';
import { releaseSurplus } from './release';
import { withLeadingSignals } from './signals';
import { DEFAULT_POLICY, type AcceptanceStats, type CalloutRecord, type ClaimedSlot, type Decision, type MinuteForecast, type ProjectedBucket, type RealtimeState, type ScheduledShift, type TriggerPolicy, type TriggerState } from './types';

export interface GroupTickInput {
  group: SkillGroup;
  policy: TriggerPolicy;
  state: TriggerState;
  realtime: RealtimeState;
  forecast: MinuteForecast;
  /** this group's callouts so far (all statuses: they teach the acceptance rate) */
  callouts: CalloutRecord[];
  /**
   * Answers of older callouts no longer passed in `callouts` (a long-running service keeps only the
   * active ones at hand and sums the rest): they keep teaching the group's and each agent's acceptance.
   */
  pastResponses?: { group: AcceptanceStats; byAgent: Record<string, AcceptanceStats> };
}

export interface TickInput {
  now: number;
  groups: GroupTickInput[];
  /**
   * Groups without a trigger policy that ticked groups overflow into: not decided for, only projected
   * for the spare agents they lend (an overflow target needs no trigger of its own to have idle agents).
   * Their `policy` is the projection's settings; lendingPolicy() makes one.
   */
  lenders?: GroupTickInput[];
  /** all shifts around now (every group; agents' other shifts matter for rest and on-shift checks) */
  roster: ScheduledShift[];
  claimedSlots: ClaimedSlot[];
  agents: Agent[];
  weeklyHours: Record<string, number>;
  /** last callout per agent, epoch ms (all groups) */
  lastCalledAt: Record<string, number>;
  /** agent id → the agent's incarnation, which callout ids name (see calloutId); none: ids of agent and wave only */
  agentIncarnations?: Record<string, string>;
  /** agents holding an unanswered callout of any group (a group's own are in its callouts as well) */
  awaitingAnswer?: string[];
  recentCallMinutes: number;
}

export interface GroupTickOutput {
  skillGroupId: string;
  decision: Decision;
  state: TriggerState;
  /** the group's callouts after expiry, plus the new ones */
  callouts: CalloutRecord[];
  /** the new callouts to deliver (ids are deterministic) */
  newCallouts: CalloutRecord[];
  /** accepted callouts sent home now (releasedAt set): their agents are told by the webhook */
  released: CalloutRecord[];
  choice: ChooseResult | null;
}

/** Items grouped by a key, each list in input order (so whoever scans one list meets items as in the whole). */
function indexBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item));
    if (list) list.push(item);
    else out.set(key(item), [item]);
  }
  return out;
}

export function tick(input: TickInput): GroupTickOutput[] {
  const now = Math.floor(input.now / MINUTE_MS) * MINUTE_MS;
  // A service-sized tick has thousands of shifts and agents: each group and each callout choice reads
  // only its own slice instead of scanning them all.
  const shiftsByGroup = indexBy(input.roster, (s) => s.skillGroupId);
  const slotsByGroup = indexBy(input.claimedSlots, (s) => s.skillGroupId);
  const shiftsByAgent = indexBy(input.roster, (s) => s.agentId);
  const lookahead = lendingHorizons(input.groups);
  const prepare = (g: GroupTickInput) => {
    const callouts = expireUnanswered(g.callouts, now, g.policy.answerWindowMinutes);
    const stats = withPast(acceptanceStatsOf(callouts), g.pastResponses?.group);
    const rate = acceptanceRate(stats, g.policy.acceptancePrior);
    const capacity: CapacityProjection = projectCapacity({
      skillGroupId: g.group.id,
      from: now,
      minutes: Math.max(g.policy.horizonMinutes, lookahead.get(g.group.id) ?? 0),
      roster: shiftsByGroup.get(g.group.id) ?? [],
      claimedSlots: slotsByGroup.get(g.group.id) ?? [],
      callouts,
      acceptanceRate: rate,
      loggedInNow: g.realtime.gauges.at >= now - 2 * MINUTE_MS ? g.realtime.gauges.agentsLoggedIn : undefined,
      releaseWrapUpMs: releaseWrapUpMs(g.group.ahtSeconds),
    });
    return { ...g, callouts, stats, capacity };
  };
  const prepared = input.groups.map(prepare);

  // Spare agents of the groups others overflow into, split among the groups that overflow there by
  // what each is short of (splitByNeed): a group that needs no help takes none of them.
  const byId = new Map([...(input.lenders ?? []).map(prepare), ...prepared].map((p) => [p.group.id, p]));
  const borrowersOf = new Map<string, typeof prepared>();
  for (const p of prepared) {
    for (const t of p.group.overflowTo) {
      const list = borrowersOf.get(t);
      if (list) list.push(p);
      else borrowersOf.set(t, [p]);
    }
  }
  const ownProjection = new Map<string, ProjectedBucket[]>();
  // A borrower's projection with nothing lent, as decide() would make it: what it is short of on its own.
  const shortfallOf = new Map<string, number[]>();
  const shortfall = (p: (typeof prepared)[number]): number[] => {
    let need = shortfallOf.get(p.group.id);
    if (!need) {
      const forecast = decisionForecast(p.policy, p.forecast, p.realtime, now);
      const alone = projectBuckets({ group: p.group, policy: p.policy, now, forecast, capacity: p.capacity, backlog: p.realtime.gauges.queueLength });
      if (p.policy.mode === 'predictive' && forecast === p.forecast) ownProjection.set(p.group.id, alone);
      need = shortfallAgents(alone);
      shortfallOf.set(p.group.id, need);
    }
    return need;
  };
  /** per borrower, what each group it overflows into lends it (per coming minute), with that group's whole spare */
  const lentTo = new Map<string, OverflowLender[]>();
  for (const [targetId, borrowers] of borrowersOf) {
    const target = byId.get(targetId);
    // A group whose feed is stale lends nothing: its idle agents would be read off a queue of zeros.
    if (!target || feedStaleness(target.realtime, now).stale) continue;
    // A leading signal that lifts the target's own forecast takes its spare agents away too.
    const forecast = target.policy.mode === 'predictive' ? withLeadingSignals(target.forecast, target.realtime, now) : target.forecast;
    // As far ahead as its furthest-looking borrower (its capacity above and, from the service, its forecast
    // reach that far), but only over whole steps its forecast covers: a minute with no forecast would read
    // as no calls and lend every agent.
    const step = target.policy.stepMinutes;
    const covered = Math.floor((target.forecast.p50.length - Math.round((now - target.forecast.from) / MINUTE_MS)) / step) * step;
    const horizonMinutes = Math.max(target.policy.horizonMinutes, Math.min(lookahead.get(targetId) ?? 0, covered));
    const policy = horizonMinutes === target.policy.horizonMinutes ? target.policy : { ...target.policy, horizonMinutes };
    const own = projectBuckets({ group: target.group, policy, now, forecast, capacity: target.capacity, backlog: target.realtime.gauges.queueLength });
    if (forecast === target.forecast && policy === target.policy) ownProjection.set(targetId, own);
    const spare = spareAgents(own);
    const agents = own.flatMap((b) => new Array<number>(b.minutes).fill(b.agents));
    // One borrower takes it all, short or not (nobody else could): its own projection is not needed.
    const shares = borrowers.length === 1 ? [spare] : splitByNeed(spare, borrowers.map(shortfall));
    borrowers.forEach((b, i) => {
      const lender: OverflowLender = { skillGroupId: targetId, lent: shares[i], spare, agents, sharedWith: borrowers.filter((o) => o !== b).map((o) => o.group.id) };
      const list = lentTo.get(b.group.id);
      if (list) list.push(lender);
      else lentTo.set(b.group.id, [lender]);
    });
  }

  const usedThisTick = new Set<string>();
  return prepared.map((p) => {
    const feed = feedStaleness(p.realtime, now);
    if (feed.stale) return heldOnStaleFeed(p, feed, now);
    const lenders = lentTo.get(p.group.id);
    let overflowSpare: number[] | undefined;
    for (const { lent } of lenders ?? []) overflowSpare = (overflowSpare ?? new Array<number>(lent.length).fill(0)).map((v, k) => v + (lent[k] ?? 0));
    // Nothing lent at all projects as nothing lent: the projection made for the split serves decide() as it is.
    if (overflowSpare?.every((v) => v === 0)) overflowSpare = undefined;
    const { decision, state } = decide({
      group: p.group,
      policy: p.policy,
      state: p.state,
      realtime: p.realtime,
      forecast: p.forecast,
      capacity: p.capacity,
      callouts: p.callouts,
      acceptance: p.stats,
      overflowSpare,
      overflowLenders: lenders,
      // The very projection decide() would make when nothing is lent to this group.
      projection: overflowSpare === undefined ? ownProjection.get(p.group.id) : undefined,
      now,
    });
    if (!decision.fired || decision.waveId === null) {
      const release = releaseSurplus({
        group: p.group,
        policy: p.policy,
        state,
        now,
        forecast: () => withLeadingSignals(p.forecast, p.realtime, now),
        roster: shiftsByGroup.get(p.group.id) ?? [],
        claimedSlots: slotsByGroup.get(p.group.id) ?? [],
        callouts: p.callouts,
        backlog: p.realtime.gauges.queueLength,
        loggedInNow: p.capacity.loggedInNow,
      });
      // A release has a reason of its own, so "who was sent home, and why" is found by it (the explanation keeps what was decided besides).
      const explained: Decision = release.explanation
        ? {
            ...decision,
            explanation: `${decision.explanation}${release.explanation}`,
            ...(release.released.length ? { reason: 'released' as const, releasedCalloutIds: release.released.map((c) => c.id) } : {}),
          }
        : decision;
      return { skillGroupId: p.group.id, decision: explained, state: release.state, callouts: release.callouts, newCallouts: [], released: release.released, choice: null };
    }
    const loginAt = now + p.policy.loginLeadMinutes * MINUTE_MS;
    const waveAgents = p.callouts.filter((c) => c.waveId === decision.waveId).map((c) => c.agentId);
    const choice = chooseAgents({
      agents: input.agents.filter((a) => !usedThisTick.has(a.id)),
      skillGroupId: p.group.id,
      count: decision.agentsToCall,
      now,
      proposedShift: { start: loginAt, end: loginAt + p.policy.calloutShiftMinutes * MINUTE_MS },
      shifts: input.roster,
      shiftsByAgent,
      weeklyHours: input.weeklyHours,
      lastCalledAt: input.lastCalledAt,
      recentCallMinutes: input.recentCallMinutes,
      agentAcceptance: agentAcceptanceWithPast(p.callouts, p.pastResponses?.byAgent),
      alreadyInWave: waveAgents,
      awaitingAnswer: [...(input.awaitingAnswer ?? []), ...p.callouts.filter((c) => c.status === 'pending').map((c) => c.agentId)],
    });
    for (const c of choice.chosen) usedThisTick.add(c.agentId);
    const planned = planCallouts(decision, choice.chosen.map((c) => c.agentId), p.policy, input.now, input.agentIncarnations);
    const known = new Set(p.callouts.map((c) => c.id));
    const newCallouts = planned.filter((c) => !known.has(c.id));
    if (newCallouts.length === 0) return calledNobody(p, decision, state, choice, now);
    const short = decision.agentsToCall - newCallouts.length;
    const leftOut = short > 0 ? excludedCounts(choice) : '';
    const explained: Decision =
      short > 0
        ? { ...decision, explanation: `${decision.explanation}; only ${plural(newCallouts.length, 'eligible cloud agent')} (${short} short${leftOut ? `; cloud agents with the skill: ${leftOut}` : ''})` }
        : decision;
    // The hourly cap counts agents called, not agents wanted: when the eligible pool ran short, the ones
    // nobody could call must not keep the group from calling agents who become eligible within the hour.
    const counted: TriggerState =
      short > 0 ? { ...state, recentFirings: state.recentFirings.map((f) => (f.at === now ? { ...f, agents: newCallouts.length } : f)) } : state;
    return {
      skillGroupId: p.group.id,
      decision: { ...explained, calloutIds: newCallouts.map((c) => c.id) },
      state: { ...counted, surplusTicks: 0 },
      callouts: [...p.callouts, ...newCallouts],
      newCallouts,
      released: [],
      choice,
    };
  });
}

/**
 * How far ahead each group others overflow into must be projected: the longest horizon among the groups
 * that borrow from it. A target projected only over its own shorter horizon would lend nothing to a
 * borrower's later minutes. The service reads the target's forecast that far too.
 */
export function lendingHorizons(borrowers: ReadonlyArray<{ group: SkillGroup; policy: Pick<TriggerPolicy, 'horizonMinutes'> }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of borrowers) for (const t of b.group.overflowTo) out.set(t, Math.max(out.get(t) ?? 0, b.policy.horizonMinutes));
  return out;
}

/**
 * The projection settings of a group without a policy that others overflow into: the defaults, looking
 * as far ahead as the furthest-looking group that borrows from it (`lookahead`, from lendingHorizons),
 * and never deciding anything.
 */
export function lendingPolicy(skillGroupId: string, lookahead: number): TriggerPolicy {
  return { ...DEFAULT_POLICY, skillGroupId, mode: 'off', horizonMinutes: Math.max(DEFAULT_POLICY.horizonMinutes, lookahead) };
}

/**
 * tick() over all groups — and when that throws (one group's inputs broke a formula: a bug, or a value no
 * check foresaw), the groups one at a time, so that one group's failure costs that group its minute and
 * not every group theirs (a storm in one queue must not go unanswered because another queue's data is
 * odd). Ticked apart, a group does not see the spare agents of the groups it overflows into (it is
 * decided as if they had none), and agents called by a group earlier in the loop are not offered to the
 * later ones, as within one tick().
 */
export function tickGroupsApart(input: TickInput): GroupTickOutput[] {
  try {
    return tick(input);
  } catch {
    // decided again below, group by group: the failing group is found there with its own error
  }
  const outputs: GroupTickOutput[] = [];
  const called = new Set<string>();
  for (const group of input.groups) {
    try {
      const [out] = tick({ ...input, groups: [group], agents: input.agents.filter((a) => !called.has(a.id)) });
      for (const c of out.newCallouts) called.add(c.agentId);
      outputs.push(out);
    } catch (error) {
      const why = `deciding failed (${error instanceof Error ? error.message : String(error)}); the other groups were decided`;
      outputs.push(skippedGroup(group.group, group.policy, group.state, group.callouts, input.now, why, 'skipped-decision-failed'));
    }
  }
  return outputs;
}

/**
 * The record of a group this tick could not decide for (its stored inputs did not read: an invalid
 * realtime value, say): nothing fired, the state as it was (a wave stays open, the breach count stands),
 * and the decision says why, so one group's bad data costs that group a minute, not every group.
 */
export function skippedGroup(
  group: SkillGroup,
  policy: TriggerPolicy,
  state: TriggerState,
  callouts: CalloutRecord[],
  at: number,
  why: string,
  reason: 'skipped-unreadable-input' | 'skipped-decision-failed' | 'feed-stale' = 'skipped-unreadable-input',
): GroupTickOutput {
  const now = Math.floor(at / MINUTE_MS) * MINUTE_MS;
  return {
    skillGroupId: group.id,
    decision: {
      id: `${group.id}@${now}`,
      skillGroupId: group.id,
      at: now,
      mode: policy.mode,
      fired: false,
      reason,
      explanation: `skipped this tick: ${why}`,
      waveId: state.waveId,
      agentsToCall: 0,
      gapAgents: 0,
      acceptanceRate: policy.acceptancePrior.rate,
      inputs: {
        queueLength: 0,
        agentsLoggedIn: 0,
        arrivalsLast15Minutes: 0,
        forecastSource: 'not read (skipped)',
        forecastNext30: { p10: 0, p50: 0, p90: 0 },
        pendingCallouts: callouts.filter((c) => c.status === 'pending').length,
        acceptedCallouts: callouts.filter((c) => c.status === 'accepted' && workEnd(c) > now).length,
        calledInLastHour: state.recentFirings.filter((f) => f.at > now - HOUR_MS).reduce((a, f) => a + f.agents, 0),
      },
      projection: [],
    },
    state,
    callouts,
    newCallouts: [],
    released: [],
    choice: null,
  };
}

/**
 * The tick of a group whose realtime feed is stale (no arrivals minute within FEED_STALE_MINUTES): its
 * silence is not read as no calls, an empty queue and nobody logged in. The group is held, not
 * projected: no callout, no release, the wave (if one is open) stays open with its agents, the cooldown
 * and hourly cap stand. Holding rather than projecting the two-week forecast at the last seen
 * observed/expected ratio, because nothing observed backs that ratio any more: frozen at a surge's
 * peak it would keep topping up a wave for as long as the connector is down, frozen low it would
 * release agents into a queue nobody sees — each a decision made on a guess, which the record would
 * not tell from one made on data. What was decided on data stands; nothing new is decided without it,
 * and the record says so every minute, for a person to act on. The confirmation counts restart (a
 * breach or a surplus must be seen on consecutive ticks that read the feed), and expired callouts are
 * still closed (that reads the clock, not the feed). A slow ACD clock (the feed steadily behind ours)
 * reads the same way: from one tick it cannot be told from a feed that stopped, and the explanation
 * names the lag so the clock can be set right.
 */
function heldOnStaleFeed(p: GroupTickInput, feed: FeedStaleness, now: number): GroupTickOutput {
  const { group, policy } = p;
  const since =
    feed.lastArrivalsMinute === null
      ? 'no minute with arrivals was reported in the minutes read'
      : `the last minute with arrivals reported is ${clockTime(feed.lastArrivalsMinute, group.timeZone)}, ${feed.minutesSince} minutes ago`;
  // Switching the trigger off is a policy act, not a reading: it closes a wave whatever the feed says.
  const closes = policy.mode === 'off' && p.state.waveId !== null;
  const state: TriggerState = { ...p.state, breachTicks: 0, surplusTicks: 0, ...(closes ? { waveId: null, waveStartedAt: null } : {}) };
  const wave = closes ? `; wave ${p.state.waveId} closed when the trigger was switched off` : p.state.waveId !== null ? `; wave ${p.state.waveId} stays open` : '';
  const why =
    `the realtime feed is stale (${since}; limit ${FEED_STALE_MINUTES}): the feed stopped, runs late, or the ACD clock is behind — ` +
    `its silence is not read as no calls, so nobody is called or released until it reports again${wave}`;
  const held = skippedGroup(group, policy, state, p.callouts, now, why, 'feed-stale');
  return {
    ...held,
    decision: {
      ...held.decision,
      explanation: `held this tick: ${why}`,
      // skippedGroup records the wave as it was; a switch-off closed it
      waveId: state.waveId,
      inputs: { ...held.decision.inputs, forecastSource: 'not read (feed stale)' },
      feed: { stale: true, lastArrivalsMinute: feed.lastArrivalsMinute, minutesSince: feed.minutesSince, staleAfterMinutes: FEED_STALE_MINUTES },
    },
  };
}

/** Why cloud agents with the skill could not be called, counted by reason ("3 weekly-hours, 2 on-shift"); '' when none was left out. */
function excludedCounts(choice: ChooseResult): string {
  const reasons = new Map<string, number>();
  for (const e of choice.excluded) if (e.reason !== 'not-cloud' && e.reason !== 'no-skill') reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
  return [...reasons].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

/**
 * A firing that found no eligible cloud agent calls nobody, so it is no firing: not recorded as fired,
 * no wave started, the cooldown and the hourly cap untouched — an agent who becomes eligible a minute
 * later is called at the next tick. The breach count decide() kept stays, so that tick need not confirm again.
 */
function calledNobody(p: GroupTickInput, decision: Decision, state: TriggerState, choice: ChooseResult, now: number): GroupTickOutput {
  const before = p.state;
  const unfired: TriggerState = {
    ...state,
    waveId: before.waveId,
    waveStartedAt: before.waveStartedAt,
    wavesStarted: before.wavesStarted,
    lastFiredAt: before.lastFiredAt,
    recentFirings: state.recentFirings.filter((f) => f.at !== now),
  };
  const counts = excludedCounts(choice);
  const why = counts ? ` (cloud agents with the skill: ${counts})` : ' (no cloud agent has the skill)';
  // decide()'s sentence up to "→ calling N …": the breach and the gap still hold, the call did not happen;
  // why N was what it was (the hourly cap) still holds too
  const [breach, calling = ''] = decision.explanation.split(' → calling ');
  const capped = / \(capped from \d+ by the hourly limit\)/.exec(calling)?.[0] ?? '';
  return {
    skillGroupId: p.group.id,
    decision: {
      ...decision,
      fired: false,
      reason: 'no-eligible-agents',
      explanation: `${breach}; wanted ${plural(decision.agentsToCall, 'agent')}${capped} but 0 cloud agents are eligible${why}: nobody called, cooldown not started`,
      waveId: before.waveId,
      agentsToCall: 0,
      calloutIds: [],
    },
    state: unfired,
    callouts: p.callouts,
    newCallouts: [],
    released: [],
    choice,
  };
}

function withPast(stats: AcceptanceStats, past: AcceptanceStats | undefined): AcceptanceStats {
  return past ? { accepted: stats.accepted + past.accepted, refused: stats.refused + past.refused } : stats;
}

function agentAcceptanceWithPast(callouts: CalloutRecord[], past: Record<string, AcceptanceStats> | undefined): Record<string, AcceptanceStats> {
  const out = agentAcceptance(callouts);
  for (const [agentId, stats] of Object.entries(past ?? {})) out[agentId] = withPast(out[agentId] ?? { accepted: 0, refused: 0 }, stats);
  return out;
}
