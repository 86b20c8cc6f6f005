/**
 * Surge-trigger use cases over the store: the minute tick (read everything in a few pipelines → the core's
 * tick() → one atomic commit per group → one delivery job per new callout), delivering a callout to the
 * SMS webhook, agents' answers, policies, and the reads behind the REST API.
 *
 * Exactly once: callout ids hash (wave, agent, firing) and a group's commit is a compare-and-set on the state the
 * tick read, so a re-run tick, a retried job or two racing ticks store each callout once; the delivery
 * job's id and the webhook's Idempotency-Key are the callout id, so the gateway sends one SMS.
 */
import type { Config } from '../config/config';
import type { Agent, IsoWeekday, SkillGroup, WeeklyWindow } from '../domain/types';
import { WfmError, invalid, isWfmError, type ProblemDetail } from '../errors/wfm-error';
import { buildPayload, buildReleasePayload } from '../callout/payload';
import { deliverCallout, type DeliveryDeps, type DeliveryOutcome } from '../callout/deliver';
import { verifyBodySignature, verifyLinkToken, type CalloutAnswer, type LinkCheck, type LinkClaims } from '../callout/signing';
import type { Store } from '../store/store';
import { decodeCursor, encodeCursor, type Page } from './paging';
import type { DeadLetter, GroupTickCommit, RecordPosition, StoredCallout, StoredTriggerState, Versioned } from '../store/trigger-repository';
import { DAY_MS, HOUR_MS, MINUTE_MS, parseLocalTime, windowRanges } from '../time/grid';
import { answerDeadline, applyResponse, expireUnanswered, statedAnswerMinutes } from '../trigger/acceptance';
import { workEnd } from '../trigger/callouts';
import { firstClash, workTimes } from '../roster/claim-conflicts';
import { lendingHorizons, lendingPolicy, skippedGroup, tickGroupsApart, type GroupTickInput, type GroupTickOutput } from '../trigger/tick';
import { DEFAULT_POLICY, initialTriggerState, type CalloutStatus, type Decision, type TriggerPolicy, type TriggerState } from '../trigger/types';
import {
  MAX_REPORTING_LAG_MINUTES,
  REALTIME_READ_MINUTES,
  acceptedAsShifts,
  archivable,
  forecastIntervalsFor,
  realtimeStateOf,
  lastArrivalMinute,
  signalsUpToCounts,
  rosterCapacitySource,
  commitmentWindow,
  tickForecast,
  weeklyHoursOf,
  type ScheduledCapacitySource,
} from './trigger-inputs';

export interface TriggerDeps {
  store: Store;
  config: Config;
  capacity: ScheduledCapacitySource;
  now: () => number;
  /** queues the delivery of one callout's message (the callout, or its release); a second call for the same id and kind must be a no-op */
  enqueueDelivery: (calloutId: string, kind: MessageKind) => Promise<void>;
}

export interface TickSummary {
  at: number;
  /** groups with a policy */
  groups: number;
  /** groups ticked and stored by this run */
  committed: number;
  /** groups another tick had already done for this minute */
  alreadyTicked: number;
  /** groups whose policy was replaced while this run decided (switched off…): nothing written, the next tick decides under the new one */
  policyChanged: number;
  fired: Array<{ skillGroupId: string; decisionId: string; waveId: string | null; calloutIds: string[] }>;
  /** groups whose stored inputs did not read: not decided this minute (their decision says why) */
  skipped: Array<{ skillGroupId: string; explanation: string }>;
  /** groups held because their realtime feed is stale (no arrivals minute reported lately): nobody called or released */
  feedStale: Array<{ skillGroupId: string; explanation: string }>;
  newCallouts: number;
  /** older callouts still waiting for delivery whose job was queued again (a crash before enqueueing) */
  requeued: number;
  /** where the tick's time went: reading the store, building the inputs (forecasts included) and the records, the core's tick(), writing and queueing */
  timings: { readMs: number; inputsMs: number; coreMs: number; writeMs: number };
  /** the decisions this run committed, counted by reason (the metrics count them) */
  decisions?: Record<string, number>;
}

// ---------------------------------------------------------------------------- the tick

/** The scheduled capacity the tick sees: shifts and claimed slots of the published rosters. */
export function scheduledCapacityOf(store: Store): ScheduledCapacitySource {
  return rosterCapacitySource(store.rosters);
}

/** Gauges (queue, agents) count only when recent: older than the reporting lag, they are not read at all. */
const GAUGES = ['queueLength', 'agentsLoggedIn', 'agentsAvailable'] as const;
const GAUGE_READ_MINUTES = MAX_REPORTING_LAG_MINUTES + 1;

const stripTickedAt = ({ tickedAt: _t, ...state }: StoredTriggerState): TriggerState => state;

/** One tick of every skill group that has a policy, at the current minute. */
export async function runTriggerTick(deps: TriggerDeps): Promise<TickSummary> {
  const { store, config } = deps;
  // the tick decides for its minute; its callouts' answer windows count from when it ran (the core floors)
  const ranAt = deps.now();
  const now = Math.floor(ranAt / MINUTE_MS) * MINUTE_MS;
  const started = performance.now();
  const [groups, policies, states, cloud, lastCalledAt] = await Promise.all([
    store.skillGroups.list(),
    store.trigger.policies(),
    store.trigger.states(),
    store.agents.cloudAgentsWithIncarnations(),
    store.trigger.lastCalledAt(),
  ]);
  const storedAgents = cloud.agents;
  // The core reads an agent's days off and availability in the agent's zone; one without a zone of
  // their own is in DEFAULT_TIME_ZONE (the core cannot know it and would take UTC).
  const agents = storedAgents.map((a) => (a.timeZone ? a : { ...a, timeZone: config.defaultTimeZone }));
  const withPolicy = groups.filter((g) => policies.has(g.id));
  const due = withPolicy.filter((g) => (states.get(g.id)?.value.tickedAt ?? -Infinity) < now);
  const ids = withPolicy.map((g) => g.id);
  const deciding = due.map((g) => ({ group: g, policy: policies.get(g.id)! }));
  // an overflow target's forecast is read as far ahead as its furthest-looking borrower (see lendingHorizons)
  const lookahead = lendingHorizons(deciding);
  // Groups without a policy that a due group overflows into: read and projected for the idle agents
  // they lend, not decided for (a manager may switch the trigger on only where calls overflow from).
  const lenders = groups.filter((g) => !policies.has(g.id) && lookahead.has(g.id)).map((g) => ({ group: g, policy: lendingPolicy(g.id, lookahead.get(g.id)!) }));
  const dueIds = [...due.map((g) => g.id), ...lenders.map((l) => l.group.id)];
  const projected = [...deciding, ...lenders];
  const readMinutes = (p: { group: SkillGroup; policy: TriggerPolicy }) => Math.max(p.policy.horizonMinutes, lookahead.get(p.group.id) ?? 0);

  const week = commitmentWindow(now);
  const horizonEnd = now + Math.max(0, ...projected.map(readMinutes)) * MINUTE_MS;
  const [arrivals, gauges, signals, forecasts, read, past, rosterShifts, claimedShifts] = await Promise.all([
    store.realtime.recent(dueIds, now - REALTIME_READ_MINUTES * MINUTE_MS, now, ['arrivals']),
    store.realtime.recent(dueIds, now - GAUGE_READ_MINUTES * MINUTE_MS, now, GAUGES),
    store.realtime.recentSignals(dueIds, now - REALTIME_READ_MINUTES * MINUTE_MS, now),
    store.forecasts.pointsAt(new Map(projected.map((p) => [p.group.id, forecastIntervalsFor(p.group, now, readMinutes(p))]))),
    store.trigger.activeCallouts(ids),
    store.trigger.pastResponses(dueIds),
    due.length ? deps.capacity.rosterShifts(now - MINUTE_MS, horizonEnd) : Promise.resolve([]),
    due.length ? deps.capacity.claimedShifts(week.from, week.to) : Promise.resolve([]),
  ]);

  // Callouts made to an agent deleted since (the id may name another agent now, another person) are
  // nobody's any more: not in a wave, not awaiting an answer, no capacity, no message; they leave the
  // active set at their group's commit, their record kept for the retention.
  const current = await store.agents.incarnationsOf([...read.values()].flat().map((c) => c.value.agentId));
  const active = new Map<string, Array<Versioned<StoredCallout>>>();
  const orphaned = new Map<string, Array<Versioned<StoredCallout>>>();
  for (const [id, list] of read) {
    active.set(id, list.filter((c) => isCalledAgent(c.value, current.get(c.value.agentId))));
    orphaned.set(id, list.filter((c) => !isCalledAgent(c.value, current.get(c.value.agentId))));
  }
  const decisionCutoff = now - config.trigger.decisionRetentionHours * HOUR_MS;
  const recordCutoff = now - config.trigger.recordRetentionDays * DAY_MS;
  // a group without a policy has no commit to prune its records: pruned here, every tick
  await store.trigger.pruneRecords(groups.filter((g) => !policies.has(g.id)).map((g) => g.id), decisionCutoff, recordCutoff);

  const readDone = performance.now();
  const requeued = await requeueUndelivered(deps, [...active.values()].flat());
  if (!due.length) {
    const timings = { readMs: readDone - started, inputsMs: 0, coreMs: 0, writeMs: performance.now() - readDone };
    await store.trigger.recordTick({ at: deps.now() });
    return { at: now, groups: withPolicy.length, committed: 0, alreadyTicked: withPolicy.length, policyChanged: 0, fired: [], skipped: [], feedStale: [], newCallouts: 0, requeued, timings };
  }

  const computeStarted = performance.now();
  const allActive = [...active.values()].flat().map((c) => c.value);
  const inputs: GroupTickInput[] = [];
  const lending: GroupTickInput[] = [];
  // A group whose stored inputs do not read (a value stored before ingest checked it, a corrupt field)
  // is skipped with a decision saying why; the other groups are ticked as usual.
  const skipped: GroupTickOutput[] = [];
  for (const { group, policy } of projected) {
    const lends = !policies.has(group.id);
    const state = states.has(group.id) ? stripTickedAt(states.get(group.id)!.value) : initialTriggerState(group.id);
    const callouts = (active.get(group.id) ?? []).map((c) => c.value);
    try {
      const groupArrivals = arrivals.get(group.id) ?? [];
      const lastCounted = lastArrivalMinute(groupArrivals);
      const realtime = realtimeStateOf(group.id, [...groupArrivals, ...(gauges.get(group.id) ?? []), ...signalsUpToCounts(signals.get(group.id) ?? [], lastCounted)], now);
      (lends ? lending : inputs).push({
        group,
        policy,
        state,
        realtime,
        forecast: tickForecast(group, { horizonMinutes: readMinutes({ group, policy }) }, forecasts.get(group.id) ?? { points: [] }, realtime, now, lastCounted),
        callouts,
        pastResponses: past.get(group.id),
      });
    } catch (err) {
      if (isWfmError(err) && err.code === 'unavailable') throw err;
      // a lender whose data does not read lends nothing; its borrowers are decided as without it
      if (!lends) skipped.push(skippedGroup(group, policy, state, callouts, now, `its stored inputs could not be read (${err instanceof Error ? err.message : String(err)})`));
    }
  }
  const inputsBuilt = performance.now();
  const decided = tickGroupsApart({
    now: ranAt,
    groups: inputs,
    lenders: lending,
    roster: [...rosterShifts, ...claimedShifts, ...acceptedAsShifts(allActive)],
    claimedSlots: [],
    agents,
    weeklyHours: weeklyHoursOf(agents, claimedShifts, allActive, now, config.defaultTimeZone),
    lastCalledAt,
    agentIncarnations: Object.fromEntries(cloud.incarnations),
    recentCallMinutes: config.trigger.recentCallMinutes,
    // an agent with a message of another group still unanswered is not messaged again meanwhile
    awaitingAnswer: allActive.filter((c) => c.status === 'pending').map((c) => c.agentId),
  });
  // A group whose decision failed is in the summary's `skipped` with the error, as one whose inputs did not read.
  const outputs = [...decided, ...skipped];
  const ticked = performance.now();

  const commits: GroupTickCommit[] = outputs.map((out) => {
    const stored = new Map((active.get(out.skillGroupId) ?? []).map((c) => [c.value.id, c]));
    const expired = out.callouts
      .filter((c) => c.status === 'expired' && stored.get(c.id)?.value.status === 'pending')
      .map((c) => {
        const before = stored.get(c.id)!;
        return { raw: before.raw, next: { ...before.value, status: c.status, respondedAt: c.respondedAt } };
      });
    // Sent home: the agent is told by a message of its own (queued below, once the commit stands).
    const released = out.released
      .filter((c) => stored.get(c.id)?.value.status === 'accepted' && stored.get(c.id)!.value.releasedAt === undefined)
      .map((c) => {
        const before = stored.get(c.id)!;
        return { raw: before.raw, next: { ...before.value, releasedAt: c.releasedAt, releaseDelivery: { state: 'queued' as const, attempts: 0 } } };
      });
    const updatedById = new Map([...expired, ...released].map((e) => [e.next.id, e.next]));
    const afterUpdates = [...stored.values()].map((c) => updatedById.get(c.value.id) ?? c.value);
    const incarnationOf = (c: StoredCallout) => (c.agentIncarnation === undefined ? {} : { agentIncarnation: c.agentIncarnation });
    return {
      skillGroupId: out.skillGroupId,
      expectedStateRaw: states.get(out.skillGroupId)?.raw ?? '',
      // decided under this policy: replaced since (switched off…), the commit writes nothing
      policy: policies.get(out.skillGroupId),
      state: { ...out.state, tickedAt: now },
      decision: out.decision,
      updated: [...expired, ...released],
      // the incarnation of the agent as the tick read them: the callout is about that person only
      created: out.newCallouts.map((c) => ({ ...c, agentIncarnation: cloud.incarnations.get(c.agentId) ?? '', delivery: { state: 'queued' as const, attempts: 0 } })),
      archived: [
        ...archivable(afterUpdates, out.state.waveId, now).map((a) => ({ ...a, ...incarnationOf(stored.get(a.id)!.value) })),
        // their answers were the deleted agent's: summed for nobody
        ...(orphaned.get(out.skillGroupId) ?? []).map((c) => ({ id: c.value.id, agentId: c.value.agentId, ...incarnationOf(c.value), outcome: '' as const })),
      ],
      decisionCutoff,
      recordCutoff,
    };
  });
  const computed = performance.now();
  const outcomes = await store.trigger.commitTick(commits);

  const fired: TickSummary['fired'] = [];
  let newCallouts = 0;
  for (const commit of commits) {
    if (outcomes.get(commit.skillGroupId) !== 'committed') continue;
    for (const c of commit.created) await deps.enqueueDelivery(c.id, 'callout');
    for (const u of commit.updated) if (u.next.releaseDelivery?.state === 'queued') await deps.enqueueDelivery(u.next.id, 'release');
    newCallouts += commit.created.length;
    if (commit.decision.fired) {
      fired.push({ skillGroupId: commit.skillGroupId, decisionId: commit.decision.id, waveId: commit.decision.waveId, calloutIds: commit.created.map((c) => c.id) });
    }
  }
  const committed = [...outcomes.values()].filter((o) => o === 'committed').length;
  // refused because the manager replaced the policy mid-tick: not another tick's work, so not "already ticked"
  const policyChanged = [...outcomes.values()].filter((o) => o === 'policy-changed').length;
  const timings = {
    readMs: readDone - started,
    inputsMs: inputsBuilt - computeStarted + (computed - ticked),
    coreMs: ticked - inputsBuilt,
    writeMs: computeStarted - readDone + performance.now() - computed,
  };
  const skippedGroups = outputs.filter((out) => out.decision.reason.startsWith('skipped-')).map((out) => ({ skillGroupId: out.skillGroupId, explanation: out.decision.explanation }));
  const feedStale = outputs.filter((out) => out.decision.reason === 'feed-stale').map((out) => ({ skillGroupId: out.skillGroupId, explanation: out.decision.explanation }));
  const decisions: Record<string, number> = {};
  for (const c of commits) if (outcomes.get(c.skillGroupId) === 'committed') decisions[c.decision.reason] = (decisions[c.decision.reason] ?? 0) + 1;
  // what the metrics export deployment-wide: when a tick last completed, and the groups it held or skipped
  await store.trigger.recordTick({ at: deps.now(), feedStale: feedStale.length, skipped: skippedGroups.length });
  return { at: now, groups: withPolicy.length, committed, alreadyTicked: withPolicy.length - committed - policyChanged, policyChanged, fired, skipped: skippedGroups, feedStale, newCallouts, requeued, timings, decisions };
}

/**
 * Callouts stored earlier and still waiting for delivery: the tick that created them may have stopped
 * before enqueueing. Queueing again is safe (the job id is the callout id: a job still there is kept).
 */
async function requeueUndelivered(deps: TriggerDeps, callouts: Array<Versioned<StoredCallout>>): Promise<number> {
  const stuck = callouts.filter((c) => c.value.status === 'pending' && c.value.delivery.state === 'queued');
  for (const c of stuck) await deps.enqueueDelivery(c.value.id, 'callout');
  const releases = callouts.filter((c) => c.value.releaseDelivery?.state === 'queued');
  for (const c of releases) await deps.enqueueDelivery(c.value.id, 'release');
  return stuck.length + releases.length;
}

/** The two messages a callout can send: the call itself, and the release when the surge has passed. */
export type MessageKind = 'callout' | 'release';

// ---------------------------------------------------------------------------- delivery

export interface DeliveryResult {
  calloutId: string;
  outcome: 'delivered' | 'dead-letter' | 'skipped';
  attempts: number;
  reason?: string;
}

export interface CalloutDeliveryDeps {
  store: Store;
  config: Config;
  now: () => number;
  /** the webhook client's clock, sleep, jitter, logger (and fetch, in tests) */
  client: DeliveryDeps;
}

/**
 * Sends one stored callout to the SMS webhook. The phone number is read from the agent here, at send
 * time; it is in the request body and nowhere else (not in job data, results or logs). A callout already
 * delivered, dead-lettered or no longer pending is not sent again.
 */
export async function deliverStoredCallout(deps: CalloutDeliveryDeps, calloutId: string, kind: MessageKind = 'callout'): Promise<DeliveryResult> {
  const { store, config } = deps;
  const found = await store.trigger.callout(calloutId);
  if (!found) throw new WfmError('not-found', `callout ${calloutId} does not exist`);
  const callout = found.value;
  if (kind === 'release') return deliverRelease(deps, callout);
  if (callout.delivery.state !== 'queued') return { calloutId, outcome: 'skipped', attempts: callout.delivery.attempts, reason: `already ${callout.delivery.state}` };
  if (callout.status !== 'pending') return { calloutId, outcome: 'skipped', attempts: 0, reason: `the callout is ${callout.status}: no message sent` };

  const [called, group, policy] = await Promise.all([calledAgent(store, callout), store.skillGroups.get(callout.skillGroupId), store.trigger.policy(callout.skillGroupId)]);
  const outcome = await send(deps, callout, called, group, policy);
  const at = deps.now();
  const recorded = await store.trigger.updateCallout(calloutId, (current) => {
    if (current.delivery.state !== 'queued') return null;
    const attempts = outcome.attempts.length;
    if (outcome.status === 'delivered') return { next: { ...current, delivery: { state: 'delivered', attempts, at, httpStatus: outcome.httpStatus } } };
    // answered while a retry waited: an earlier attempt did reach the agent (the answer proves it)
    if (current.status === 'accepted' || current.status === 'declined') return { next: { ...current, delivery: { state: 'delivered', attempts, at, reason: `answered (${current.status}) while a retry waited` } } };
    const deadLetter: DeadLetter = { calloutId, agentId: current.agentId, skillGroupId: current.skillGroupId, waveId: current.waveId, reason: outcome.reason, attempts, at };
    return {
      next: { ...current, status: current.status === 'pending' ? 'dead-letter' : current.status, delivery: { state: 'dead-letter', attempts, at, reason: outcome.reason } },
      deadLetter,
    };
  });
  const after = recorded?.after.delivery;
  // an answer while a retry waited proves an attempt reached the agent: delivered, for the job's result and metrics too
  if (outcome.status === 'dead-letter' && after?.state === 'delivered') return { calloutId, outcome: 'delivered', attempts: after.attempts, reason: after.reason };
  return { calloutId, outcome: outcome.status, attempts: after?.attempts ?? outcome.attempts.length, ...(outcome.status === 'dead-letter' ? { reason: outcome.reason } : {}) };
}

/**
 * Tells an agent who accepted that the surge has passed: log off (or do not come). Sent even to an agent
 * who has opted out of callouts since — it is about a shift they said yes to. Its outcome is kept apart
 * from the callout's own delivery; a failed one is a dead letter like any other message.
 */
async function deliverRelease(deps: CalloutDeliveryDeps, callout: StoredCallout): Promise<DeliveryResult> {
  const { store, config } = deps;
  const releasedAt = callout.releasedAt;
  if (releasedAt === undefined || callout.releaseDelivery === undefined) return { calloutId: callout.id, outcome: 'skipped', attempts: 0, reason: 'the callout was not released' };
  if (callout.releaseDelivery.state !== 'queued') return { calloutId: callout.id, outcome: 'skipped', attempts: callout.releaseDelivery.attempts, reason: `release message already ${callout.releaseDelivery.state}` };
  const [called, group] = await Promise.all([calledAgent(store, callout), store.skillGroups.get(callout.skillGroupId)]);
  const agent = called.agent;
  const refuse = (reason: string): DeliveryOutcome => ({ status: 'dead-letter', calloutId: callout.id, attempts: [], reason });
  const outcome: DeliveryOutcome = !config.webhookUrl || !config.webhookSecret
    ? refuse('no SMS webhook configured (WEBHOOK_URL, WEBHOOK_SECRET)')
    : !agent?.phone
      ? refuse(`agent ${callout.agentId} ${agent ? 'has no phone number' : `no longer exists${called.replaced ? REPLACED : ''}`}`)
      : await deliverCallout(
          buildReleasePayload({ ...callout, releasedAt }, agent.phone, { timeZone: agent.timeZone ?? group?.timeZone ?? config.defaultTimeZone, skillGroupName: group?.name ?? callout.skillGroupId }),
          { url: config.webhookUrl, secret: config.webhookSecret, ...config.trigger.delivery },
          // the end of the accepted shift (business clock) on the client's clock: after it the message is pointless
          { ...deps.client, sendBy: deps.client.now() + (callout.shiftEnd - deps.now()) },
        );
  const at = deps.now();
  const attempts = outcome.attempts.length;
  const recorded = await store.trigger.updateCallout(callout.id, (current) => {
    if (current.releaseDelivery?.state !== 'queued') return null;
    if (outcome.status === 'delivered') return { next: { ...current, releaseDelivery: { state: 'delivered', attempts, at, httpStatus: outcome.httpStatus } } };
    const reason = `release message: ${outcome.reason}`;
    return {
      next: { ...current, releaseDelivery: { state: 'dead-letter', attempts, at, reason } },
      deadLetter: { calloutId: current.id, agentId: current.agentId, skillGroupId: current.skillGroupId, waveId: current.waveId, reason, attempts, at },
    };
  });
  const after = recorded?.after.releaseDelivery;
  return { calloutId: callout.id, outcome: outcome.status, attempts: after?.attempts ?? attempts, ...(outcome.status === 'dead-letter' ? { reason: outcome.reason } : {}) };
}

/**
 * Whether `incarnation` (of the agent stored under the callout's agent id now: '' for one stored before
 * incarnations were; undefined when no agent has the id) is the agent the callout was made to. A callout
 * stored before it named the incarnation goes by the id.
 */
export function isCalledAgent(callout: Pick<StoredCallout, 'agentIncarnation'>, incarnation: string | undefined): boolean {
  return incarnation !== undefined && (callout.agentIncarnation === undefined || callout.agentIncarnation === incarnation);
}

/** Said of a callout's agent deleted since, whose id now names another agent (another person). */
const REPLACED = ' (deleted since; the id now names another agent)';

/**
 * The agent a callout was made to, as stored now: none when they were deleted since — also when another
 * agent has been given their id (`replaced`), who is another person: no message of the callout goes to them.
 */
async function calledAgent(store: Store, callout: StoredCallout): Promise<{ agent?: Agent; replaced: boolean }> {
  const read = await store.agents.getWithIncarnation(callout.agentId);
  if (read && isCalledAgent(callout, read.incarnation ?? '')) return { agent: read.agent, replaced: false };
  return { replaced: read !== undefined };
}

async function send(deps: CalloutDeliveryDeps, callout: StoredCallout, called: { agent?: Agent; replaced: boolean }, group: SkillGroup | undefined, policy: TriggerPolicy | undefined): Promise<DeliveryOutcome> {
  const { config } = deps;
  const { agent } = called;
  const refuse = (reason: string): DeliveryOutcome => ({ status: 'dead-letter', calloutId: callout.id, attempts: [], reason });
  if (!config.webhookUrl || !config.webhookSecret) return refuse('no SMS webhook configured (WEBHOOK_URL, WEBHOOK_SECRET)');
  if (!agent) return refuse(`agent ${callout.agentId} no longer exists${called.replaced ? REPLACED : ''}`);
  if (!agent.phone) return refuse(`agent ${callout.agentId} has no phone number`);
  // Chosen while opted in, but the message goes out now: consent is checked again at send time (a
  // queue backlog can put minutes between the two).
  if (agent.calloutOptIn !== true || agent.kind !== 'cloud') return refuse(`agent ${callout.agentId} ${agent.kind !== 'cloud' ? 'is no longer a cloud agent' : 'opted out of callouts'} before the message was sent`);
  const payload = buildPayload(callout, agent.phone, {
    answerBaseUrl: `${config.trigger.publicBaseUrl}/callouts/answer`,
    linkSecret: config.trigger.linkSecret ?? config.webhookSecret,
    // The links expire with the callout's own answer window, fixed at the decision, so every attempt
    // (and a re-run job) sends the same body.
    expiresAt: answerDeadline(callout, policy?.answerWindowMinutes ?? DEFAULT_POLICY.answerWindowMinutes),
    // the agent reads the times on their own clock (a Vancouver agent of a Toronto group)
    timeZone: agent.timeZone ?? group?.timeZone ?? config.defaultTimeZone,
    skillGroupName: group?.name ?? callout.skillGroupId,
  });
  // Retries can run for minutes: before each, the agent must still consent and the callout still be open.
  const stillToSend = async (): Promise<string | { answered: string } | null> => {
    const [{ agent: now, replaced }, current] = await Promise.all([calledAgent(deps.store, callout), deps.store.trigger.callout(callout.id)]);
    // an answer first: the message reached them, whatever they did to their profile since
    if (current && (current.value.status === 'accepted' || current.value.status === 'declined')) return { answered: `answered (${current.value.status}) while a retry waited` };
    if (!now) return `agent ${callout.agentId} was deleted before the gateway took the message${replaced ? '; the id now names another agent' : ''}`;
    if (now.calloutOptIn !== true || now.kind !== 'cloud') return `agent ${callout.agentId} opted out of callouts before the gateway took the message`;
    if (current && current.value.status !== 'pending') return `the callout is ${current.value.status}: no message sent`;
    return null;
  };
  // the links' expiry (business clock) on the client's clock, which signs and times the attempts
  const sendBy = deps.client.now() + (Date.parse(payload.expiresAt) - deps.now());
  return deliverCallout(payload, { url: config.webhookUrl, secret: config.webhookSecret, ...config.trigger.delivery }, { ...deps.client, stillToSend, sendBy });
}

// ---------------------------------------------------------------------------- answers

export type CalloutView = Omit<StoredCallout, 'status' | 'agentIncarnation'> & { status: CalloutStatus | 'delivered'; agentDeleted?: true };

/**
 * Over REST a pending callout whose SMS went out reads "delivered" (waiting for the answer).
 * `agentDeleted`: the agent called was deleted since; the record stays (ids only) but is not about an
 * agent given the id later.
 */
export function calloutView({ agentIncarnation: _inc, ...callout }: StoredCallout, agentDeleted = false): CalloutView {
  const view: CalloutView = callout.status === 'pending' && callout.delivery.state === 'delivered' ? { ...callout, status: 'delivered' } : callout;
  return agentDeleted ? { ...view, agentDeleted: true } : view;
}

/** Views of stored callouts, each saying whether its agent was deleted since. */
async function calloutViews(store: Store, callouts: StoredCallout[]): Promise<CalloutView[]> {
  const current = await store.agents.incarnationsOf(callouts.map((c) => c.agentId));
  return callouts.map((c) => calloutView(c, !isCalledAgent(c, current.get(c.agentId))));
}

export interface AnswerResult {
  callout: CalloutView;
  /** false when the same answer had already been taken (a second click, a gateway retry) */
  applied: boolean;
}

/**
 * Takes an agent's answer. Idempotent for the same answer; a callout that is no longer open (answered
 * otherwise, expired) is a conflict that says what happened. An answer after the window finds the
 * callout expired even when no tick has marked it yet. A dead-lettered callout is answerable within the
 * window: an answer proves the message arrived (see below).
 */
export async function answerCallout(store: Store, calloutId: string, answer: CalloutAnswer, via: StoredCallout['answeredVia'], now: number): Promise<AnswerResult> {
  const first = await store.trigger.callout(calloutId);
  if (!first) throw new WfmError('not-found', `callout ${calloutId} does not exist`);
  // an acceptance is checked against the agent's other callouts and written under their lock
  if (answer !== 'accept') return takeAnswer(store, calloutId, answer, via, now);
  return store.trigger.withAgentAnswerLock(first.value.agentId, () => takeAnswer(store, calloutId, answer, via, now));
}

const ALREADY_ACCEPTED = 'already accepted';

/** Whether an answer was refused because the agent accepted another callout for the same time (the callout stays open). */
export const refusedAsOverlapping = (err: WfmError) => err.code === 'conflict' && err.details.some((d) => d.message.startsWith(`${ALREADY_ACCEPTED} `));

const CLAIMED_SLOT = 'claimed slot';

/** Whether an acceptance was refused because it clashes with a slot the agent claimed (the callout stays open). */
export const refusedAsClaimClash = (err: WfmError) => err.code === 'conflict' && err.details.some((d) => d.message.startsWith(`${CLAIMED_SLOT} `));

/** Two callouts of one agent id made to the same agent (a callout that names no incarnation goes by the id). */
const sameIncarnation = (a: StoredCallout, b: StoredCallout) => a.agentIncarnation === undefined || b.agentIncarnation === undefined || a.agentIncarnation === b.agentIncarnation;

async function takeAnswer(store: Store, calloutId: string, answer: CalloutAnswer, via: StoredCallout['answeredVia'], now: number): Promise<AnswerResult> {
  const found = await store.trigger.callout(calloutId);
  if (!found) throw new WfmError('not-found', `callout ${calloutId} does not exist`);
  // A released agent opening the message again: nothing to take, accept or decline alike; the answer
  // shows the release (the page says they need not come), not a conflict or "you are expected".
  if (found.value.releasedAt !== undefined) return { callout: calloutView(found.value), applied: false };
  // a callout made to an agent deleted since: its answer would be nobody's (or count the next agent
  // given the id, another person, as coming)
  const { agent } = await calledAgent(store, found.value);
  if (!agent) {
    throw new WfmError('conflict', `callout ${calloutId} is no longer open: the agent it was made to has been deleted; the answer "${answer}" was not taken`);
  }
  if (answer === 'accept' && found.value.status !== 'accepted') {
    // one agent, one place at a time: a callout whose shift overlaps one they accepted already (another
    // wave, another group) would count them twice as capacity
    const groups = (await store.skillGroups.list()).map((g) => g.id);
    const theirs = [...(await store.trigger.activeCallouts(groups)).values()].flat().map((c) => c.value);
    const clash = theirs.find(
      (c) => c.id !== calloutId && c.agentId === found.value.agentId && sameIncarnation(c, found.value) && c.status === 'accepted' && c.loginAt < found.value.shiftEnd && workEnd(c) > found.value.loginAt,
    );
    if (clash) {
      throw new WfmError('conflict', `callout ${calloutId} overlaps callout ${clash.id} (${clash.skillGroupId}), which you accepted already: the answer "accept" was not taken`, {
        details: [{ where: '/', message: `${ALREADY_ACCEPTED} ${clash.id} for the same time` }],
      });
    }
    // nor a callout over a slot they claimed, or too close to it for their rest: a claim checks accepted
    // callouts the same way, under this same lock (services/rosters.ts claimSlot)
    const claimClash = firstClash({ start: found.value.loginAt, end: found.value.shiftEnd }, await store.rosters.claimsOf(agent.id), agent.contract.minRestHours * HOUR_MS);
    if (claimClash) {
      const { rosterId, slotId } = claimClash.with;
      const zone = agent.timeZone ?? (await store.rosters.zonesOf([rosterId])).get(rosterId) ?? 'UTC';
      const slot = `slot ${slotId} of roster ${rosterId} you claimed (${workTimes(claimClash.with, zone)})`;
      const why = claimClash.rule === 'overlap' ? `overlaps ${slot}` : `leaves less than ${agent.contract.minRestHours} h rest to ${slot}`;
      throw new WfmError('conflict', `callout ${calloutId} ${why}: the answer "accept" was not taken`, {
        details: [{ where: '/', message: `${CLAIMED_SLOT} ${rosterId}/${slotId} ${claimClash.rule === 'overlap' ? 'for the same time' : 'too close (rule: minimum rest between shifts)'}` }],
      });
    }
  }
  const policyWindow = (await store.trigger.policy(found.value.skillGroupId))?.answerWindowMinutes ?? DEFAULT_POLICY.answerWindowMinutes;
  // the same number of minutes the message stated
  const window = statedAnswerMinutes(found.value.requestedAt, answerDeadline(found.value, policyWindow));
  const result = await store.trigger.updateCallout(calloutId, (current) => {
    // A dead-lettered callout whose agent answers did reach them: the link's token and the gateway's
    // reply exist only in the message. After a timeout the gateway may well have sent it; the answer
    // is taken within the answer window as for any open callout (the delivery record stays as it was).
    const reached = current.status === 'dead-letter';
    const [checked] = expireUnanswered([reached ? { ...current, status: 'pending' } : current], now, policyWindow);
    const next = applyResponse(checked, answer, now);
    if (next === current || (reached && next.status !== 'accepted' && next.status !== 'declined')) return null;
    return { next: { ...current, ...next, ...(next.status === 'accepted' || next.status === 'declined' ? { answeredVia: via } : {}) } };
  });
  if (!result) throw new WfmError('not-found', `callout ${calloutId} does not exist`);
  const wanted = answer === 'accept' ? 'accepted' : 'declined';
  if (result.after.status !== wanted) {
    const why =
      result.after.status === 'expired' || result.after.status === 'dead-letter'
        ? `no answer came within ${window} minutes, so the next agent is being called`
        : `it was already ${result.after.status}`;
    throw new WfmError('conflict', `callout ${calloutId} is no longer open: ${why}; the answer "${answer}" was not taken`);
  }
  return { callout: calloutView(result.after), applied: result.before.status !== wanted };
}

/**
 * The callout and answer a link names, once its signature and expiry are checked. An expired link
 * says what became of the callout: an agent who accepted (or was released) must not read that their
 * shift went to somebody else.
 */
export async function verifiedLink(config: Config, token: string, now: number, store: Store): Promise<LinkClaims> {
  const check = checkLink(config, token, now);
  if (check.ok) return check.claims;
  const where = '/query/token';
  if (check.reason === 'expired') {
    const callout = (await store.trigger.callout(check.calloutId))?.value;
    const what =
      callout?.releasedAt !== undefined
        ? callout.loginAt <= callout.releasedAt
          ? 'you were released: you may log off after your current call'
          : 'you were released: no need to come'
        : callout?.status === 'accepted'
          ? 'you accepted it: you are still expected'
          : callout?.status === 'declined'
            ? 'you declined it'
            : 'no answer came in time: the callout is closed';
    throw new WfmError('conflict', `this link has expired: ${what}`, { details: [{ where, message: 'expired' }] });
  }
  const message = check.reason === 'malformed' ? 'missing or not a link token' : 'the signature does not match: the link was altered';
  throw new WfmError('forbidden', `this link is not valid (${check.reason})`, { details: [{ where, message }] });
}

/** What a link's token says, checked against the link secret and `now` (verifiedLink throws what this returns). */
export function checkLink(config: Config, token: string, now: number): LinkCheck {
  const secret = config.trigger.linkSecret ?? config.webhookSecret;
  return secret ? verifyLinkToken(secret, token, now) : { ok: false, reason: 'bad-signature' };
}

/** An answer through a signed, expiring link (the SMS's accept/decline links). */
export async function answerByLink(store: Store, config: Config, token: string, now: number): Promise<AnswerResult> {
  const claims = await verifiedLink(config, token, now, store);
  return answerCallout(store, claims.calloutId, claims.answer, 'link', now);
}

/**
 * An answer the SMS gateway forwards (the agent replied to the message), signed with the webhook secret
 * in the same scheme as outgoing callouts; a stale timestamp is refused, so a captured request cannot be
 * replayed later. `wallClockMs` is the real clock the gateway signed with. The signature covers the bytes
 * as received (`rawBody`); `decode` makes them text only once it holds (the caller knows their charset;
 * a body it cannot decode is refused after the signature check, never as "signature wrong").
 */
export async function answerFromGateway(
  store: Store,
  config: Config,
  rawBody: Uint8Array,
  signature: string | undefined,
  now: number,
  wallClockMs: number,
  decode: (raw: Uint8Array) => string = (raw) => new TextDecoder().decode(raw),
): Promise<AnswerResult> {
  if (!config.webhookSecret) throw new WfmError('unavailable', 'no webhook secret is configured (WEBHOOK_SECRET): inbound answers cannot be verified');
  const check = verifyBodySignature(config.webhookSecret, signature, rawBody, wallClockMs);
  if (!check.ok) throw new WfmError('unauthorized', `the request signature is ${check.reason === 'stale' ? "outside the 5-minute window around this service's clock (a replay, or the gateway's clock is off)" : check.reason === 'malformed' ? 'missing or malformed (X-Wfm-Signature: t=<unix seconds>,v1=<64 hex digits of the HMAC-SHA256>)' : 'wrong'}`);
  const text = decode(rawBody);
  // 400s, as the contract validator answers a body that is not JSON or breaks the schema everywhere else
  // (this body is read past it, raw, for the signature)
  const badRequest = (message: string, details: ProblemDetail[]) => new WfmError('validation', message, { status: 400, details });
  let body: { calloutId?: unknown; answer?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw badRequest('the body is not valid JSON', [{ where: '/body', message: 'not valid JSON' }]);
  }
  const problems: ProblemDetail[] = [];
  if (typeof body?.calloutId !== 'string' || !body.calloutId) problems.push({ where: '/body/calloutId', message: 'required: the callout id the message carried' });
  if (body?.answer !== 'accept' && body?.answer !== 'decline') problems.push({ where: '/body/answer', message: 'must be "accept" or "decline"' });
  if (problems.length) throw badRequest('the request does not match the API contract', problems);
  try {
    return await answerCallout(store, body.calloutId as string, body.answer as CalloutAnswer, 'sms-gateway', now);
  } catch (err) {
    // the id came in the body: that is where the gateway must look
    if (isWfmError(err) && err.code === 'not-found') throw new WfmError('not-found', err.message, { details: [{ where: '/body/calloutId', message: 'no such callout' }] });
    throw err;
  }
}

// ---------------------------------------------------------------------------- policies

type Check = (value: unknown) => string | null;
const integer = (min: number, max: number): Check => (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : `must be a whole number from ${min} to ${max}`);
const fraction = (includeZero: boolean, includeOne: boolean): Check => (v) =>
  typeof v === 'number' && (includeZero ? v >= 0 : v > 0) && (includeOne ? v <= 1 : v < 1) ? null : `must be a number ${includeZero ? '≥' : '>'} 0 and ${includeOne ? '≤' : '<'} 1`;
const atLeast = (min: number, max: number): Check => (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `must be a number from ${min} to ${max}`);
const oneOf = (...values: string[]): Check => (v) => (values.includes(v as string) ? null : `must be one of ${values.join(', ')}`);

const POLICY_CHECKS: Partial<Record<keyof TriggerPolicy, Check>> = {
  mode: oneOf('predictive', 'reactive', 'off'),
  loginLeadMinutes: integer(0, 240),
  horizonMinutes: integer(5, 240),
  stepMinutes: integer(1, 60),
  serviceLevelThreshold: fraction(false, false),
  hysteresis: fraction(true, false),
  confirmTicks: integer(1, 60),
  queueThreshold: atLeast(1, 100_000),
  maxAgentsPerHour: integer(1, 10_000),
  cooldownMinutes: atLeast(0, 1440),
  calloutShiftMinutes: integer(15, 1440),
  forecastQuantile: oneOf('p50', 'p90'),
  answerWindowMinutes: integer(1, 240),
  releaseWhenSurplus: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
};

function quietHoursProblems(value: unknown): ProblemDetail[] {
  if (!Array.isArray(value)) return [{ where: '/body/quietHours', message: 'must be a list of weekly windows' }];
  return value.flatMap((w: { days?: unknown; from?: unknown; to?: unknown }, i): ProblemDetail[] => {
    const where = `/body/quietHours/${i}`;
    const out: ProblemDetail[] = [];
    if (!Array.isArray(w?.days) || w.days.length === 0 || !w.days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) out.push({ where: `${where}/days`, message: 'must list ISO weekdays 1 (Monday) to 7' });
    const from = typeof w?.from === 'string' ? parseLocalTime(w.from) : NaN;
    const to = typeof w?.to === 'string' ? parseLocalTime(w.to) : NaN;
    if (Number.isNaN(from)) out.push({ where: `${where}/from`, message: 'must be a local time HH:mm' });
    if (Number.isNaN(to)) out.push({ where: `${where}/to`, message: 'must be a local time HH:mm (24:00 for midnight)' });
    else if (!Number.isNaN(from) && to <= from) out.push({ where: `${where}/to`, message: `must be after from (${String(w.from)}); split a window that crosses midnight in two` });
    return out;
  });
}

/**
 * A policy from a request body: fields left out take the defaults, every problem is named by its field.
 * Pure, so the rules are tested without HTTP.
 */
export function policyFromBody(skillGroupId: string, body: Record<string, unknown>): { policy: TriggerPolicy; problems: ProblemDetail[] } {
  const problems: ProblemDetail[] = [];
  const known = new Set<string>([...Object.keys(DEFAULT_POLICY), 'skillGroupId', 'quietHours']);
  for (const field of Object.keys(body)) if (!known.has(field)) problems.push({ where: `/body/${field}`, message: 'unknown field' });
  if (body.skillGroupId !== undefined && body.skillGroupId !== skillGroupId) problems.push({ where: '/body/skillGroupId', message: `must be "${skillGroupId}" (the path's skill group) or left out` });
  const policy = { ...DEFAULT_POLICY, ...body, skillGroupId } as TriggerPolicy;
  for (const [field, check] of Object.entries(POLICY_CHECKS) as Array<[keyof TriggerPolicy, Check]>) {
    const message = check(policy[field]);
    if (message) problems.push({ where: `/body/${field}`, message });
  }
  const prior = policy.acceptancePrior as unknown as { rate?: unknown; weight?: unknown } | undefined;
  const rateProblem = fraction(false, true)(prior?.rate);
  if (rateProblem) problems.push({ where: '/body/acceptancePrior/rate', message: rateProblem });
  const weightProblem = atLeast(0, 10_000)(prior?.weight);
  if (weightProblem) problems.push({ where: '/body/acceptancePrior/weight', message: weightProblem });
  if (policy.quietHours !== undefined) problems.push(...quietHoursProblems(policy.quietHours));
  if (Number.isInteger(policy.horizonMinutes) && Number.isInteger(policy.loginLeadMinutes) && policy.horizonMinutes <= policy.loginLeadMinutes) {
    problems.push({ where: '/body/horizonMinutes', message: `must be longer than loginLeadMinutes (${policy.loginLeadMinutes}): a callout can only help beyond the login lead` });
  }
  // A wave ends once every projected level reaches threshold + hysteresis: at 1 or more it would end
  // only at a projected 100% (decide() caps the level at 1), i.e. practically never.
  const threshold = policy.serviceLevelThreshold;
  const band = policy.hysteresis;
  if (!POLICY_CHECKS.serviceLevelThreshold!(threshold) && !POLICY_CHECKS.hysteresis!(band) && threshold + band >= 1) {
    const defaulted = body.hysteresis === undefined ? ' (the default, as it was left out)' : '';
    problems.push({
      where: '/body/hysteresis',
      message: `serviceLevelThreshold + hysteresis must stay below 1: with a threshold of ${threshold}, hysteresis ${band}${defaulted} must be below ${+(1 - threshold).toFixed(6)}, or a wave would end only at a 100% projected service level`,
    });
  }
  if (Number.isInteger(policy.stepMinutes) && Number.isInteger(policy.horizonMinutes) && policy.stepMinutes > policy.horizonMinutes) {
    problems.push({ where: '/body/stepMinutes', message: `must not be longer than horizonMinutes (${policy.horizonMinutes})` });
  }
  return { policy, problems };
}

/** The union of one weekday's windows as disjoint [from, to) minute ranges, earliest first. */
function dayRanges(windows: WeeklyWindow[], weekday: IsoWeekday): Array<[number, number]> {
  const joined: Array<[number, number]> = [];
  for (const [from, to] of windowRanges(windows, weekday)) {
    const last = joined[joined.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else joined.push([from, to]);
  }
  return joined;
}

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** "every day", "Mon–Fri", "Sat, Sun", "Mon–Wed, Fri": runs of three or more days as a range. */
function dayList(days: IsoWeekday[]): string {
  if (days.length === 7) return 'every day';
  const runs: Array<[number, number]> = [];
  for (const d of days) {
    const last = runs[runs.length - 1];
    if (last && d === last[1] + 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs
    .flatMap(([a, b]) => (b - a >= 2 ? [`${WEEKDAY_NAMES[a - 1]}–${WEEKDAY_NAMES[b - 1]}`] : Array.from({ length: b - a + 1 }, (_, k) => WEEKDAY_NAMES[a + k - 1])))
    .join(', ');
}

/**
 * A warning when quiet hours fall in the group's opening hours: the group takes calls then, yet nobody
 * can be called out, so a surge in them goes unanswered by callouts. Not refused — a planner may want
 * exactly that (cloud agents are not to be woken at night) — but a 24/7 line with night-time quiet hours
 * should not learn it from a storm. A group without opening hours (inferred from history) is not judged.
 * Pure: the rule is tested without HTTP.
 */
export function quietHoursOpenWarnings(policy: Pick<TriggerPolicy, 'quietHours'>, group: Pick<SkillGroup, 'openingHours' | 'timeZone'>): string[] {
  if (!policy.quietHours?.length || !group.openingHours?.length) return [];
  // weekdays with the same overlap are named together ("every day 00:00–06:00 and 22:00–24:00")
  const byOverlap = new Map<string, IsoWeekday[]>();
  for (let weekday = 1 as IsoWeekday; weekday <= 7; weekday++) {
    const open = dayRanges(group.openingHours, weekday);
    const overlap = dayRanges(policy.quietHours, weekday).flatMap(([qFrom, qTo]) =>
      open.map(([oFrom, oTo]): [number, number] => [Math.max(qFrom, oFrom), Math.min(qTo, oTo)]).filter(([from, to]) => to > from),
    );
    if (!overlap.length) continue;
    const text = overlap.map(([from, to]) => `${hhmm(from)}–${hhmm(to)}`).join(' and ');
    byOverlap.set(text, [...(byOverlap.get(text) ?? []), weekday]);
  }
  if (!byOverlap.size) return [];
  const when = [...byOverlap].map(([text, days]) => `${dayList(days)} ${text}`).join('; ');
  return [
    `quiet hours fall in the group's opening hours (${when}, ${group.timeZone}): the group is open then but nobody is called out, ` +
      'so a surge in them goes unanswered by callouts — leave these windows out of quietHours if callouts must cover them',
  ];
}

/** The stored policy, with `warnings` when it is valid but likely not what the planner meant. */
export async function putTriggerPolicy(store: Store, skillGroupId: string, body: Record<string, unknown>): Promise<TriggerPolicy & { warnings?: string[] }> {
  const group = await store.skillGroups.get(skillGroupId);
  if (!group) throw new WfmError('not-found', `skill group ${skillGroupId} does not exist`);
  const { policy, problems } = policyFromBody(skillGroupId, body);
  if (problems.length) throw invalid(`${problems.length} problem(s) in the trigger policy; nothing was stored`, problems);
  await store.trigger.putPolicy(policy);
  const warnings = quietHoursOpenWarnings(policy, group);
  return { ...policy, ...(warnings.length ? { warnings } : {}) };
}

export async function getTriggerPolicy(store: Store, skillGroupId: string): Promise<TriggerPolicy> {
  const policy = await store.trigger.policy(skillGroupId);
  if (!policy) throw new WfmError('not-found', `no trigger policy for ${skillGroupId}: the trigger does not run for this group (PUT one to start it)`);
  return policy;
}

export async function deleteTriggerPolicy(store: Store, skillGroupId: string): Promise<void> {
  if (!(await store.trigger.deletePolicy(skillGroupId))) throw new WfmError('not-found', `no trigger policy for ${skillGroupId}`);
}

// ---------------------------------------------------------------------------- reads

export interface RecordQuery {
  skillGroupId?: string;
  from: number;
  to: number;
  limit: number;
}

async function groupIdsFor(store: Store, skillGroupId: string | undefined): Promise<string[]> {
  if (skillGroupId === undefined) return (await store.skillGroups.list()).map((g) => g.id);
  if (!(await store.skillGroups.get(skillGroupId))) throw new WfmError('not-found', `skill group ${skillGroupId} does not exist`);
  return [skillGroupId];
}

function checkRange(query: RecordQuery): void {
  if (!(query.to > query.from)) throw invalid('`to` must be after `from`', [{ where: '/query/to', message: 'must be after from' }]);
}

/**
 * Decisions newest first; of one minute, by skill group id. After `cursor` (the `next` of the page
 * before) the listing goes on where that page ended, whatever number of decisions share its minute.
 */
export async function listDecisions(store: Store, query: RecordQuery & { firedOnly: boolean; cursor?: string }): Promise<Page<Decision>> {
  checkRange(query);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const page = await store.trigger.decisionPage(await groupIdsFor(store, query.skillGroupId), query.from, query.to, query.firedOnly, query.limit, after);
  const last = page.decisions[page.decisions.length - 1];
  return { items: page.decisions, ...(page.more && last ? { next: encodeCursor({ at: last.at, key: last.skillGroupId }) } : {}) };
}

/** Callouts a filtered page (status, agent) reads through at most before it answers short, with a cursor to go on. */
const STATUS_SCAN_LIMIT = 50_000;

/**
 * Callouts newest first; of one instant (a firing's callouts), by id. A filter (status, agent) reads on
 * until the page is full, or STATUS_SCAN_LIMIT callouts were read: a page short of `limit` with a `next`
 * cursor then means more may match further on. The agent filter scans as the status filter does rather
 * than reading an index: callouts are kept per group and time only (see TriggerRepository.calloutsNamingAgent);
 * it matches the id, also on callouts whose agent was deleted since (`agentDeleted`).
 */
export async function listCallouts(store: Store, query: RecordQuery & { status?: CalloutView['status']; agentId?: string; cursor?: string }): Promise<Page<CalloutView>> {
  checkRange(query);
  const groupIds = await groupIdsFor(store, query.skillGroupId);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const filtered = query.status !== undefined || query.agentId !== undefined;
  const found = await store.trigger.scanCallouts(groupIds, query.from, query.to, {
    // the status as listed: a pending callout delivered shows as `delivered` (calloutView)
    keep: (c) => (!query.status || calloutView(c).status === query.status) && (query.agentId === undefined || c.agentId === query.agentId),
    pageSize: filtered ? Math.max(query.limit, 500) : query.limit,
    maxScanned: STATUS_SCAN_LIMIT,
    limit: query.limit,
    after,
  });
  const items = await calloutViews(store, found.callouts);
  return { items, ...(found.resumeAfter ? { next: encodeCursor(found.resumeAfter) } : {}) };
}

export async function getCallout(store: Store, calloutId: string): Promise<CalloutView> {
  const found = await findCallout(store, calloutId);
  if (!found) throw new WfmError('not-found', `callout ${calloutId} does not exist (callouts are kept for the retention period)`);
  return found;
}

/** The callout's view, or undefined once it is gone (past the retention period). */
export async function findCallout(store: Store, calloutId: string): Promise<CalloutView | undefined> {
  const found = await store.trigger.callout(calloutId);
  return found && (await calloutViews(store, [found.value]))[0];
}

/** Every group's trigger state (with its policy mode), for a supervisor's overview. */
export async function listTriggerStates(store: Store): Promise<Array<StoredTriggerState & { mode: TriggerPolicy['mode'] }>> {
  const [policies, states] = await Promise.all([store.trigger.policies(), store.trigger.states()]);
  return [...policies.values()]
    .sort((a, b) => a.skillGroupId.localeCompare(b.skillGroupId))
    .map((p) => ({ ...(states.get(p.skillGroupId)?.value ?? { ...initialTriggerState(p.skillGroupId), tickedAt: null }), mode: p.mode }));
}
