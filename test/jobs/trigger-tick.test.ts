/**
 * The tick and delivery use cases against the real Redis, without HTTP: crash safety (a tick or a worker
 * stopping at the worst moment, two ticks racing), dead letters, the roster capacity port, and the
 * bounded, long-running state (answers archived into sums, decisions trimmed).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/config';
import { createStore, type Store } from '../../src/store/store';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import { answerCallout, deliverStoredCallout, getCallout, runTriggerTick, scheduledCapacityOf, type TriggerDeps } from '../../src/services/trigger';
import type { ScheduledCapacitySource } from '../../src/services/trigger-inputs';
import type { CloudSlot } from '../../src/roster/assignment';
import { DEFAULT_POLICY, type TriggerPolicy } from '../../src/trigger/types';
import type { AssignedShift } from '../../src/roster/types';
import { deleteKeys, REDIS_URL, testEnv } from '../support/service';
import { startReceiver, type Receiver } from '../callout/receiver';
import { cloudAgent, group } from '../trigger/fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SECRET = 'webhook-secret-0123456789';
const T = Date.UTC(2026, 2, 4, 10, 0); // a Wednesday
const NO_ROSTER: ScheduledCapacitySource = { rosterShifts: async () => [], claimedShifts: async () => [] };
const calm = { failBefore: 0, failAfter: 0, rateLimit: 0, slow: 0, stallAfterSend: 0, slowMs: 0, stallMs: 0 };

/** 4 calls a minute against 10 agents logged in and a queue of 25: a surge the trigger must answer. */
function minutes(from: number, to: number, arrivals = 4, queueLength = 25): RealtimeEvent[] {
  const out: RealtimeEvent[] = [];
  for (let m = from; m < to; m += MIN) out.push({ skillGroupId: 'PS', minute: m, arrivals, queueLength, agentsLoggedIn: 10, agentsAvailable: 0 });
  return out;
}

describe('trigger tick and delivery against Redis', () => {
  let redis: Redis;
  let store: Store;
  let prefix: string;
  let receiver: Receiver | null = null;
  const clock = { t: T };

  function config(extra: Record<string, string> = {}): Config {
    return loadConfig(testEnv(prefix, { WEBHOOK_SECRET: SECRET, WEBHOOK_URL: receiver?.url ?? 'http://127.0.0.1:9/none', WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_BACKOFF_MS: '1', WEBHOOK_MAX_BACKOFF_MS: '5', ...extra }));
  }

  function deps(enqueued: string[], overrides: Partial<TriggerDeps> = {}): TriggerDeps {
    return { store, config: config(), capacity: NO_ROSTER, now: () => clock.t, enqueueDelivery: async (id, kind) => void enqueued.push(kind === 'release' ? `${id}.release` : id), ...overrides };
  }

  const deliveryDeps = (client: Partial<Parameters<typeof deliverStoredCallout>[0]['client']> = {}) => ({
    store,
    config: config(),
    now: () => clock.t,
    client: { now: Date.now, sleep: async () => undefined, random: () => 0.5, ...client },
  });

  async function setUp(policy: Partial<TriggerPolicy> = {}) {
    await store.skillGroups.putAll([group()]);
    await store.agents.putAll(Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`)));
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS', confirmTicks: 1, cooldownMinutes: 0, maxAgentsPerHour: 40, ...policy });
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t), clock.t);
  }

  async function stored() {
    return (await store.trigger.listCallouts(['PS'], 0, Number.MAX_SAFE_INTEGER, 1000)).sort((a, b) => a.id.localeCompare(b.id));
  }

  beforeEach(async () => {
    prefix = `test-${randomUUID()}`;
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    clock.t = T;
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = null;
    redis.disconnect();
    await deleteKeys(prefix);
  });

  test('when the group PS overflows into has no trigger policy, then its idle agents still count as spare capacity, and it gets no decision', async () => {
    await setUp();
    await store.skillGroups.putAll([group({ overflowTo: ['NW'] }), group({ id: 'NW', name: 'NW' })]);
    const idle: RealtimeEvent[] = [];
    for (let m = clock.t - 20 * MIN; m < clock.t; m += MIN) idle.push({ skillGroupId: 'NW', minute: m, arrivals: 0.5, queueLength: 0, agentsLoggedIn: 14, agentsAvailable: 12 });
    await store.realtime.append(idle, clock.t);

    await runTriggerTick(deps([]));

    const [decision] = await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1);
    expect(decision.projection.some((b) => b.overflowAgents > 0)).toBe(true);
    expect(await store.trigger.decisions(['NW'], 0, Number.MAX_SAFE_INTEGER, false, 1)).toEqual([]);
    expect((await store.trigger.states()).has('NW')).toBe(false);
  });

  test('when the group is deleted while a tick is between its reads and its commit, then the commit writes nothing back for it', async () => {
    await setUp();
    const enqueued: string[] = [];
    // the roster read comes after the tick has read groups, policies and states (agents included): the
    // admin removes the group's agents and then the group there
    const deleteGroup = async () => {
      for (const agent of await store.agents.list()) await store.agents.delete(agent.id);
      expect(await store.skillGroups.delete('PS')).toBe('deleted');
    };
    const deletingMidTick: ScheduledCapacitySource = { rosterShifts: async () => (await deleteGroup(), []), claimedShifts: async () => [] };
    const summary = await runTriggerTick(deps(enqueued, { capacity: deletingMidTick }));

    expect(summary.committed).toBe(0);
    expect(summary.fired).toEqual([]);
    expect(enqueued).toEqual([]);
    expect(await redis.hgetall(store.keys.triggerStates())).toEqual({});
    expect(await redis.hgetall(store.keys.triggerCallouts())).toEqual({});
    expect(await redis.hgetall(store.keys.triggerLastCalled())).toEqual({});
    expect(await redis.keys(`${prefix}:trigger:{PS}:*`)).toEqual([]);
  });

  test('when the policy is removed while a tick is between its reads and its commit, then the group is not ticked', async () => {
    await setUp();
    const enqueued: string[] = [];
    const deletingMidTick: ScheduledCapacitySource = { rosterShifts: async () => (await store.trigger.deletePolicy('PS'), []), claimedShifts: async () => [] };
    const summary = await runTriggerTick(deps(enqueued, { capacity: deletingMidTick }));

    expect(summary.committed).toBe(0);
    expect(enqueued).toEqual([]);
    expect(await redis.hgetall(store.keys.triggerStates())).toEqual({});
    expect(await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 10)).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  test('when cloud agents have no zone of their own, then their days off and availability are read in DEFAULT_TIME_ZONE, not UTC', async () => {
    await setUp();
    // 10:00 UTC on Wednesday is already Thursday 00:00 at UTC+14, and Thursday is everyone's day off
    await store.agents.putAll(Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`, { daysOff: ['2026-03-05'] })));
    const enqueued: string[] = [];
    const summary = await runTriggerTick(deps(enqueued, { config: config({ DEFAULT_TIME_ZONE: 'Pacific/Kiritimati' }) }));
    expect(summary.committed).toBe(1);
    expect(summary.newCallouts).toBe(0);
    expect(enqueued).toEqual([]);
  });

  test('when two ticks race for the same minute and a third follows, then each callout is stored and queued once', async () => {
    await setUp();
    const enqueued: string[] = [];
    // Both ticks have read everything before either writes: only the compare-and-set can keep them apart.
    let arrived = 0;
    const barrier: ScheduledCapacitySource = {
      rosterShifts: async () => {
        arrived++;
        while (arrived < 2) await new Promise((r) => setTimeout(r, 5));
        return [];
      },
      claimedShifts: async () => [],
    };
    const [a, b] = await Promise.all([runTriggerTick(deps(enqueued, { capacity: barrier })), runTriggerTick(deps(enqueued, { capacity: barrier }))]);
    const again = await runTriggerTick(deps(enqueued));

    expect(a.committed + b.committed).toBe(1);
    expect(again).toMatchObject({ committed: 0, newCallouts: 0 });
    const callouts = await stored();
    expect(callouts.length).toBe(a.newCallouts + b.newCallouts);
    expect(callouts.length).toBeGreaterThan(0);
    expect(new Set(enqueued)).toEqual(new Set(callouts.map((c) => c.id)));
    expect(new Set(callouts.map((c) => c.agentId)).size).toBe(callouts.length);
    expect(await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 100)).toHaveLength(1);
  });

  test('when the client posts a leading signal that jumps, then the tick raises its forecast from it and calls agents before the calls come', async () => {
    // A calm queue: 4 calls a minute, 12 agents logged in, nobody waiting. Self-service sessions run at
    // about 6 per call, then jump tenfold in the last two minutes (a broken coupon on a sale day).
    await store.skillGroups.putAll([group()]);
    await store.agents.putAll(Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`)));
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS', confirmTicks: 1, cooldownMinutes: 0, maxAgentsPerHour: 40 });
    const calmMinutes = minutes(clock.t - 20 * MIN, clock.t, 4, 0).map((e) => ({ ...e, agentsLoggedIn: 12, agentsAvailable: 4 }));
    await store.realtime.append(calmMinutes, clock.t);
    const sessions = (m: number) => (m >= clock.t - 2 * MIN ? 240 : 22 + ((m / MIN) % 5));
    const signalEvents = (from: number, to: number): RealtimeEvent[] => {
      const out: RealtimeEvent[] = [];
      for (let m = from; m < to; m += MIN) out.push({ skillGroupId: 'PS', minute: m, signals: { selfServiceSessions: sessions(m) } });
      return out;
    };
    // the same minutes without the jump first: nothing to do
    await store.realtime.append(signalEvents(clock.t - 20 * MIN, clock.t - 2 * MIN), clock.t);
    const quiet = await runTriggerTick(deps([]));
    expect(quiet.fired).toEqual([]);
    const [calmDecision] = await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1);
    expect(calmDecision.inputs.forecastSource).not.toContain('leading signal');

    clock.t += MIN;
    await store.realtime.append([...minutes(clock.t - MIN, clock.t, 4, 0).map((e) => ({ ...e, agentsLoggedIn: 12, agentsAvailable: 4 })), ...signalEvents(clock.t - 3 * MIN, clock.t)], clock.t);
    const jumped = await runTriggerTick(deps([]));
    const [decision] = await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1);
    expect(decision.inputs.forecastSource).toMatch(/leading signal selfServiceSessions ×\d/);
    expect(decision.inputs.queueLength).toBe(0);
    expect(jumped.newCallouts).toBeGreaterThan(0);
  });

  test('when a tick stops after storing its callouts but before queueing them, then the next run queues the same callouts', async () => {
    await setUp();
    const crash = deps([], { enqueueDelivery: async () => Promise.reject(new Error('worker killed')) });
    await expect(runTriggerTick(crash)).rejects.toThrow('worker killed');
    const callouts = await stored();
    expect(callouts.length).toBeGreaterThan(0);
    expect(callouts.every((c) => c.delivery.state === 'queued')).toBe(true);

    const enqueued: string[] = [];
    const rerun = await runTriggerTick(deps(enqueued));
    expect(rerun).toMatchObject({ committed: 0, newCallouts: 0, requeued: callouts.length });
    expect(enqueued.sort()).toEqual(callouts.map((c) => c.id));
    expect(await stored()).toEqual(callouts);
  });

  test('when the surge has passed, then a tick releases the called-out agents and each gets one release message', async () => {
    receiver = await startReceiver(SECRET, 3, calm);
    await setUp();
    await runTriggerTick(deps([]));
    const called = await stored();
    expect(called.length).toBeGreaterThan(3);
    for (const c of called.slice(0, 3)) await answerCallout(store, c.id, 'accept', 'link', clock.t + MIN);

    // an hour on, the calls are back to half a call a minute, no queue; the three are logged in beside 10 others
    clock.t += HOUR;
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t).map((e) => ({ ...e, arrivals: 0.5, queueLength: 0, agentsLoggedIn: 13, agentsAvailable: 9 })), clock.t);
    const enqueued: string[] = [];
    await runTriggerTick(deps(enqueued));
    const accepted = called.slice(0, 3).map((c) => c.id).sort();
    expect(enqueued.filter((id) => id.endsWith('.release')).sort()).toEqual(accepted.map((id) => `${id}.release`));
    const after = await stored();
    for (const c of after) {
      if (accepted.includes(c.id)) expect(c).toMatchObject({ status: 'accepted', releasedAt: clock.t, releaseDelivery: { state: 'queued', attempts: 0 } });
      else expect(c.releasedAt).toBeUndefined();
    }
    const [decision] = await store.trigger.decisions(['PS'], clock.t, clock.t + MIN, false, 1);
    expect([...decision.releasedCalloutIds!].sort()).toEqual(accepted);
    expect(decision.explanation).toMatch(/surge has passed.*releasing 3/);
    // kept with the firings (TRIGGER_RECORD_RETENTION_DAYS), not only the 48-hour log of quiet minutes
    const acted = await store.trigger.decisions(['PS'], clock.t, clock.t + MIN, true, 1);
    expect(acted.map((d) => d.id)).toEqual([decision.id]);

    const result = await deliverStoredCallout(deliveryDeps(), accepted[0], 'release');
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
    expect(receiver.bodies.get(accepted[0])).toMatchObject({ type: 'release', calloutId: accepted[0], message: expect.stringMatching(/surge has passed/) });
    expect((await store.trigger.callout(accepted[0]))!.value.releaseDelivery).toMatchObject({ state: 'delivered', attempts: 1, httpStatus: 200 });
    expect(await deliverStoredCallout(deliveryDeps(), accepted[0], 'release')).toMatchObject({ outcome: 'skipped' });
    // a callout that was never released sends no release message
    expect(await deliverStoredCallout(deliveryDeps(), called[4].id, 'release')).toMatchObject({ outcome: 'skipped', reason: 'the callout was not released' });
    // the next tick neither releases them again nor queues a second message
    clock.t += MIN;
    await store.realtime.append(minutes(clock.t - MIN, clock.t).map((e) => ({ ...e, arrivals: 0.5, queueLength: 0, agentsLoggedIn: 10, agentsAvailable: 9 })), clock.t);
    const next: string[] = [];
    await runTriggerTick(deps(next));
    expect(next.filter((id) => id.endsWith('.release')).sort()).toEqual(accepted.slice(1).map((id) => `${id}.release`)); // only the two still owed their message
  });

  test('when called agents are deleted and new agents are given their ids, then the callouts are not theirs: not in the wave, no message to the new phones, no answer taken, nothing remembered of the old', async () => {
    receiver = await startReceiver(SECRET, 3, calm);
    await setUp();
    await runTriggerTick(deps([]));
    const called = await stored();
    const [accepted, pending] = called;
    await answerCallout(store, accepted.id, 'accept', 'link', clock.t + MIN);
    await redis.hset(store.keys.triggerResponses('PS'), `agent:${accepted.agentId}:accepted`, 3, `agent:${accepted.agentId}:refused`, 1);

    // the erasure: both agents deleted, then new people given the ids
    clock.t += MIN;
    for (const c of [accepted, pending]) expect(await store.agents.deleteUnlessRostered(c.agentId, clock.t)).toEqual({ ok: true });
    expect(Object.keys(await store.trigger.lastCalledAt())).not.toEqual(expect.arrayContaining([accepted.agentId]));
    expect(Object.keys(await store.trigger.lastCalledAt())).not.toEqual(expect.arrayContaining([pending.agentId]));
    expect((await store.trigger.pastResponses(['PS'])).get('PS')!.byAgent).toEqual({});
    const newPhones = ['+447000000333', '+447000000334'];
    await store.agents.putAll([cloudAgent(accepted.agentId, { name: 'Brand New Person', phone: newPhones[0] }), cloudAgent(pending.agentId, { name: 'Another New Person', phone: newPhones[1] })]);
    // nobody else may be called: only the new agents are left to top the wave up with
    const others = (await store.agents.cloudAgents()).filter((a) => a.id !== accepted.agentId && a.id !== pending.agentId);
    await store.agents.putAll(others.map((a) => ({ ...a, calloutOptIn: false })));

    // the records stay, ids only, saying the agent called is gone
    expect(await getCallout(store, accepted.id)).toMatchObject({ agentId: accepted.agentId, status: 'accepted', agentDeleted: true });
    expect(await getCallout(store, called[2].id)).not.toHaveProperty('agentDeleted');
    // no answer is taken for the old agent, nor a message sent to whoever holds the id now
    await expect(answerCallout(store, pending.id, 'accept', 'link', clock.t)).rejects.toThrow(/the agent it was made to has been deleted/);
    expect(await deliverStoredCallout(deliveryDeps(), pending.id)).toMatchObject({ outcome: 'dead-letter', reason: expect.stringMatching(/no longer exists \(deleted since; the id now names another agent\)/) });

    // the surge grows: the old acceptance is nobody's capacity, and the new agents are not in the wave
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t, 8, 60), clock.t);
    const enqueued: string[] = [];
    const summary = await runTriggerTick(deps(enqueued));
    const [decision] = await store.trigger.decisions(['PS'], clock.t, clock.t + MIN, false, 1);
    expect(decision.inputs.acceptedCallouts).toBe(0);
    expect(summary.fired).toHaveLength(1);
    const topUp = (await stored()).filter((c) => summary.fired[0].calloutIds.includes(c.id));
    expect(topUp.map((c) => c.agentId).sort()).toEqual([accepted.agentId, pending.agentId].sort());
    expect(topUp.map((c) => c.id)).not.toEqual(expect.arrayContaining([accepted.id]));
    expect(topUp.map((c) => c.id)).not.toEqual(expect.arrayContaining([pending.id]));
    // the old callouts have left the active set, so no tick releases or reminds them
    const active = await redis.zrange(store.keys.triggerActiveCallouts('PS'), 0, -1);
    expect(active).not.toContain(accepted.id);
    expect(active).not.toContain(pending.id);

    // a release decided before the delete and sent after it does not reach the new phone
    await store.trigger.updateCallout(accepted.id, (c) => ({ next: { ...c, releasedAt: clock.t, releaseDelivery: { state: 'queued', attempts: 0 } } }));
    expect(await deliverStoredCallout(deliveryDeps(), accepted.id, 'release')).toMatchObject({ outcome: 'dead-letter' });
    expect(receiver.requests).toBe(0);
    expect([...receiver.bodies.values()].map((b) => (b as { phone: string }).phone)).not.toEqual(expect.arrayContaining(newPhones));
  });

  test('when a group has no trigger policy any more, then every tick prunes its records past retention, as a committed tick does', async () => {
    await setUp();
    await runTriggerTick(deps([]));
    const called = await stored();
    expect(called.length).toBeGreaterThan(0);
    await store.trigger.deletePolicy('PS');

    // a day on, the decisions that called nobody are gone (48 h) — here, none: the firing is kept
    clock.t += 31 * 24 * HOUR;
    await runTriggerTick(deps([]));
    expect(await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 10)).toEqual([]);
    expect(await stored()).toEqual([]);
    expect(await redis.hlen(store.keys.triggerCallouts())).toBe(0);
    expect(await redis.exists(store.keys.triggerActiveCallouts('PS'))).toBe(0);
    expect(await store.trigger.lastCalledAt()).toEqual({});
  });

  test('when the realtime feed stops during a wave, then the ticks hold the group (feed-stale): nobody called or released, the wave stays open', async () => {
    await setUp();
    const first = await runTriggerTick(deps([]));
    expect(first.fired).toHaveLength(1);
    const called = await stored();
    for (const c of called.slice(0, 3)) await answerCallout(store, c.id, 'accept', 'link', clock.t + MIN);
    const waveId = first.fired[0].waveId;

    // 7 minutes after the feed's last minute (a stopped connector, or an ACD clock 7 minutes slow), then an hour on
    // (an hour on, the last minute is older than the 20 minutes a tick reads: the record says none was reported in them)
    for (const [later, lastArrivalsMinute] of [[7 * MIN, T - MIN], [HOUR, null]] as const) {
      clock.t = T + later;
      const enqueued: string[] = [];
      const summary = await runTriggerTick(deps(enqueued));
      // (the first wave's unanswered callouts are queued again: they were never delivered in this test)
      expect(enqueued.filter((id) => id.endsWith('.release'))).toEqual([]);
      expect(summary).toMatchObject({ fired: [], newCallouts: 0 });
      expect(summary.feedStale.map((s) => s.skillGroupId)).toEqual(['PS']);
      const [decision] = await store.trigger.decisions(['PS'], clock.t, clock.t + MIN, false, 1);
      expect(decision).toMatchObject({ reason: 'feed-stale', fired: false, waveId, feed: { stale: true, lastArrivalsMinute, staleAfterMinutes: 5 } });
      expect(decision.explanation).toMatch(/realtime feed is stale/);
      expect((await store.trigger.states()).get('PS')!.value.waveId).toBe(waveId);
    }
    expect((await stored()).every((c) => c.releasedAt === undefined)).toBe(true);
  });

  test('when the worker dies between the gateway taking a callout and recording it, then the retry sends no second SMS', async () => {
    receiver = await startReceiver(SECRET, 3, calm);
    await setUp();
    await runTriggerTick(deps([]));
    const [callout] = await stored();

    const dying = deliveryDeps({
      log: (event) => {
        if (event.event === 'callout-attempt' && event.outcome === 'ok') throw new Error('worker killed');
      },
    });
    await expect(deliverStoredCallout(dying, callout.id)).rejects.toThrow('worker killed');
    expect(receiver.sent.get(callout.id)).toBe(1);
    expect((await store.trigger.callout(callout.id))!.value.delivery.state).toBe('queued');

    const retried = await deliverStoredCallout(deliveryDeps(), callout.id); // what BullMQ's retry runs
    expect(retried).toMatchObject({ calloutId: callout.id, outcome: 'delivered', attempts: 1 });
    expect(receiver.requests).toBe(2);
    expect(receiver.sent.get(callout.id)).toBe(1);
    expect((await store.trigger.callout(callout.id))!.value.delivery).toMatchObject({ state: 'delivered', attempts: 1, httpStatus: 200 });
    expect(await deliverStoredCallout(deliveryDeps(), callout.id)).toMatchObject({ outcome: 'skipped', reason: 'already delivered' });
    expect(receiver.requests).toBe(2);
  });

  test('when the agent answers while a retry waits (an earlier attempt reached them), then the callout is delivered and answered, not a dead letter', async () => {
    receiver = await startReceiver(SECRET, 3, calm, 503);
    await setUp();
    await runTriggerTick(deps([]));
    const [callout] = await stored();
    // the first attempt fails (503); while the retry waits the agent accepts (the gateway did send it)
    const events: unknown[] = [];
    const answering = deliveryDeps({
      // the agent accepts, then turns callouts off (the answer is what counts: the message reached them)
      sleep: async () => {
        await answerCallout(store, callout.id, 'accept', 'link', clock.t);
        await store.agents.putAll([{ ...cloudAgent(callout.agentId), calloutOptIn: false }]);
      },
      log: (e) => void events.push(e.event),
    });
    const outcome = await deliverStoredCallout(answering, callout.id);
    expect(events).not.toContain('callout-dead-letter'); // the job logs that one at warn: nothing to warn of here
    expect(events).toContain('callout-answered-during-retry');
    // no more attempts were made, and the job's result (the messages metric counts it) says delivered, not dead-letter
    expect(outcome).toMatchObject({ outcome: 'delivered', reason: 'answered (accepted) while a retry waited' });
    expect(receiver.requests).toBe(1);
    const after = (await store.trigger.callout(callout.id))!.value;
    // …but the record says what happened: delivered (the answer proves it), accepted, no dead letter
    expect(after.status).toBe('accepted');
    expect(after.delivery).toMatchObject({ state: 'delivered', reason: 'answered (accepted) while a retry waited' });
    expect((await store.trigger.deadLetters(100)).map((d) => d.calloutId)).not.toContain(callout.id);
  });

  test('when dead letters are older than the record retention, then a tick drops them, and the newer ones stay', async () => {
    await setUp();
    const letter = (at: number, id: string) => JSON.stringify({ calloutId: id, agentId: 'c00', skillGroupId: 'PS', waveId: 'w', reason: 'gave up', attempts: 6, at });
    // the list is newest first: two older than 30 days, one of yesterday
    await redis.lpush(store.keys.triggerDeadLetters(), letter(clock.t - 40 * 24 * HOUR, 'old1'), letter(clock.t - 31 * 24 * HOUR, 'old2'), letter(clock.t - 24 * HOUR, 'new'));
    expect(await store.trigger.deadLetterCount()).toBe(3);
    await runTriggerTick(deps([]));
    expect((await store.trigger.deadLetters(10)).map((d) => d.calloutId)).toEqual(['new']);
  });

  test('when the gateway refuses a callout, then it is a dead letter with the reason and the next tick calls another agent', async () => {
    receiver = await startReceiver(SECRET, 3, calm, 400);
    await setUp();
    const first = await runTriggerTick(deps([]));
    const callouts = await stored();
    for (const c of callouts) expect(await deliverStoredCallout(deliveryDeps(), c.id)).toMatchObject({ outcome: 'dead-letter', reason: 'HTTP 400: not retryable' });

    const dead = await store.trigger.deadLetters(100);
    expect(dead.map((d) => d.calloutId).sort()).toEqual(callouts.map((c) => c.id));
    expect(dead[0]).toMatchObject({ skillGroupId: 'PS', waveId: first.fired[0].waveId, reason: 'HTTP 400: not retryable', attempts: 1 });
    expect((await stored()).every((c) => c.status === 'dead-letter')).toBe(true);

    clock.t += MIN;
    await store.realtime.append(minutes(clock.t - MIN, clock.t), clock.t);
    const next = await runTriggerTick(deps([]));
    expect(next.fired).toHaveLength(1);
    const nextAgents = (await stored()).filter((c) => next.fired[0].calloutIds.includes(c.id)).map((c) => c.agentId);
    expect(nextAgents.length).toBeGreaterThan(0);
    expect(nextAgents.some((a) => callouts.some((c) => c.agentId === a))).toBe(false);
  });

  test('when a callout was dead-lettered (the gateway kept failing, yet may have sent it) and the agent answers within the window, then the answer is taken; after the window it is refused', async () => {
    receiver = await startReceiver(SECRET, 3, calm, 503);
    await setUp({ answerWindowMinutes: 5 });
    await runTriggerTick(deps([]));
    const [first, second] = await stored();
    for (const c of [first, second]) expect(await deliverStoredCallout(deliveryDeps(), c.id)).toMatchObject({ outcome: 'dead-letter' });

    clock.t += 2 * MIN;
    const accepted = await answerCallout(store, first.id, 'accept', 'link', clock.t);
    expect(accepted).toMatchObject({ applied: true, callout: { status: 'accepted', answeredVia: 'link', delivery: { state: 'dead-letter' } } });
    expect((await answerCallout(store, first.id, 'accept', 'link', clock.t)).applied).toBe(false);
    // the dead-letter list says which of its callouts were settled by an answer after all
    const letters = await store.trigger.deadLetters(10);
    expect(letters.find((d) => d.calloutId === first.id)).toMatchObject({ answered: 'accepted' });
    expect(letters.find((d) => d.calloutId === second.id)?.answered).toBeUndefined();

    clock.t += 4 * MIN;
    await expect(answerCallout(store, second.id, 'accept', 'sms-gateway', clock.t)).rejects.toThrow(/no answer came within 5 minutes/);
    expect((await store.trigger.callout(second.id))!.value.status).toBe('dead-letter');
  });

  test('when the tick runs 49 s into its minute with a 3-minute window, then the message says within 3 min, an answer at its end is taken and a refusal after the deadline says 3 minutes', async () => {
    receiver = await startReceiver(SECRET, 3, calm);
    await setUp({ answerWindowMinutes: 3 });
    clock.t = T + 49_000;
    await runTriggerTick(deps([]));
    const [first, second] = await stored();
    expect(await deliverStoredCallout(deliveryDeps(), first.id)).toMatchObject({ outcome: 'delivered' });
    expect((receiver.bodies.get(first.id) as { message: string }).message).toMatch(/Reply within 3 min/);

    // the agent answers as the 3 minutes they were told run out
    expect(await answerCallout(store, first.id, 'accept', 'link', clock.t + 3 * MIN - 1)).toMatchObject({ applied: true, callout: { status: 'accepted' } });
    await expect(answerCallout(store, second.id, 'accept', 'link', clock.t + 3 * MIN)).rejects.toThrow(/no answer came within 3 minutes/);
  });

  test('when an agent already accepted a callout, then accepting another that overlaps it is refused (they would count twice); one after it is taken', async () => {
    await setUp();
    await runTriggerTick(deps([]));
    const [first] = await stored();
    await answerCallout(store, first.id, 'accept', 'link', clock.t + MIN);
    // the same agent holds a callout of another wave (called again after TRIGGER_RECENT_CALL_MINUTES)
    const copy = (id: string, shiftMs: number) => ({ ...first, id, waveId: `PS@${id}`, status: 'pending' as const, answeredAt: undefined, answeredVia: undefined,
      requestedAt: first.requestedAt + shiftMs, loginAt: first.loginAt + shiftMs, shiftEnd: first.shiftEnd + shiftMs, answerBy: clock.t + 30 * MIN });
    const overlapping = copy('overlap', 10 * MIN);
    const after = copy('after', first.shiftEnd - first.loginAt + 15 * MIN);
    for (const c of [overlapping, after]) {
      await redis.hset(store.keys.triggerCallouts(), c.id, JSON.stringify(c));
      await redis.zadd(store.keys.triggerActiveCallouts('PS'), c.requestedAt, c.id);
    }

    await expect(answerCallout(store, overlapping.id, 'accept', 'link', clock.t + 2 * MIN)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(`overlaps callout ${first.id}`) });
    expect((await store.trigger.callout(overlapping.id))!.value.status).toBe('pending');
    // declining it is fine, and a callout after the accepted shift is taken
    expect((await answerCallout(store, after.id, 'accept', 'link', clock.t + 2 * MIN)).applied).toBe(true);
    expect((await answerCallout(store, overlapping.id, 'decline', 'link', clock.t + 2 * MIN)).applied).toBe(true);

    // two overlapping callouts of another agent accepted at the same moment: one is taken, the other refused
    const [, second] = await stored();
    const twin = { ...copy('twin', 5 * MIN), agentId: second.agentId, id: 'twin' };
    await redis.hset(store.keys.triggerCallouts(), twin.id, JSON.stringify(twin));
    await redis.zadd(store.keys.triggerActiveCallouts('PS'), twin.requestedAt, twin.id);
    const both = await Promise.allSettled([second.id, twin.id].map((id) => answerCallout(store, id, 'accept', 'link', clock.t + 2 * MIN)));
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const accepted = [(await store.trigger.callout(second.id))!.value.status, (await store.trigger.callout(twin.id))!.value.status];
    expect(accepted.filter((status) => status === 'accepted')).toHaveLength(1);
  });

  test('when an agent opts out after the callout is made but before it is sent, then no SMS goes out and it is a dead letter saying why', async () => {
    receiver = await startReceiver(SECRET, 3, calm);
    await setUp();
    await runTriggerTick(deps([]));
    const [callout] = await stored();
    await store.agents.putAll([{ ...cloudAgent(callout.agentId), calloutOptIn: false }]);
    expect(await deliverStoredCallout(deliveryDeps(), callout.id)).toMatchObject({ outcome: 'dead-letter', reason: `agent ${callout.agentId} opted out of callouts before the message was sent` });
    expect(receiver.requests).toBe(0);
  });

  test('when the agent is deleted while a retry waits, then the dead letter says deleted, not opted out', async () => {
    receiver = await startReceiver(SECRET, 3, calm, 503);
    await setUp();
    await runTriggerTick(deps([]));
    const [callout] = await stored();
    const deleting = deliveryDeps({ sleep: async () => void (await store.agents.delete(callout.agentId)) });
    expect(await deliverStoredCallout(deleting, callout.id)).toMatchObject({ outcome: 'dead-letter', reason: `agent ${callout.agentId} was deleted before the gateway took the message` });
    expect(receiver.requests).toBe(1);
  });

  test('when an answer lands while a tick expires the same callout, then the answer wins', async () => {
    await setUp({ answerWindowMinutes: 5 });
    await runTriggerTick(deps([]));
    const [callout] = await stored();
    const readByTick = (await store.trigger.callout(callout.id))!;
    clock.t += 4 * MIN;
    await answerCallout(store, callout.id, 'accept', 'link', clock.t);
    const state = (await store.trigger.states()).get('PS')!;
    const decision = (await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1))[0];

    const outcome = await store.trigger.commitTick([
      {
        skillGroupId: 'PS',
        expectedStateRaw: state.raw,
        state: { ...state.value, tickedAt: clock.t + MIN },
        decision: { ...decision, id: `PS@${clock.t + MIN}`, at: clock.t + MIN, fired: false, calloutIds: [] },
        updated: [{ raw: readByTick.raw, next: { ...readByTick.value, status: 'expired', respondedAt: clock.t + MIN } }],
        created: [],
        archived: [],
        decisionCutoff: 0,
        recordCutoff: 0,
      },
    ]);
    expect(outcome.get('PS')).toBe('committed');
    expect((await store.trigger.callout(callout.id))!.value).toMatchObject({ status: 'accepted', answeredVia: 'link' });
  });

  test('when rosters are published, then their shifts and claimed slots count as capacity, and agents on shift or at their weekly hours are not called', async () => {
    await setUp();
    const monday = Date.UTC(2026, 2, 2);
    await store.agents.putAll([{ ...cloudAgent('c01'), contract: { ...cloudAgent('c01').contract, maxHoursPerWeek: 25 } }]);
    const shift = (agentId: string): AssignedShift => ({ id: `s-${agentId}`, agentId, skillGroupId: 'PS', templateId: 'day', kind: 'day', date: '2026-03-04', start: T - 2 * HOUR, end: T + 20 * MIN, breaks: [] });
    const slot = (id: string, start: number, end: number): CloudSlot => ({ id, skillGroupId: 'PS', date: new Date(start).toISOString().slice(0, 10), start, end, templateId: 'cloud', kind: 'day', agentsNeeded: 1, shiftIds: [] });
    const slots = [slot('now', T - HOUR, T + 2 * HOUR), slot('mon', monday, monday + 12 * HOUR), slot('tue', monday + 24 * HOUR, monday + 36 * HOUR)];
    await store.rosters.saveDraft({
      meta: { id: 'week-10', createdAt: new Date(monday - 7 * 24 * HOUR).toISOString(), period: { from: '2026-03-02', days: 7, timeZone: 'UTC', startMs: monday, endMs: monday + 7 * 24 * HOUR }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
      shifts: ['p1', 'p2', 'p3', 'p4', 'p5'].map(shift),
      uncovered: [],
      coverage: [],
      slots,
    });
    expect(await store.rosters.publish('week-10', new Date(monday - 6 * 24 * HOUR).toISOString())).toMatchObject({ ok: true });
    const limits = { minRestMs: 11 * HOUR, maxHoursPerWeek: 40, weekStartMs: monday, weekEndMs: monday + 7 * 24 * HOUR };
    for (const [slotId, agentId] of [['now', 'c00'], ['mon', 'c01'], ['tue', 'c01']]) {
      expect(await store.rosters.claim('week-10', slotId, agentId, limits, monday - 24 * HOUR)).toMatchObject({ ok: true });
    }

    const result = await runTriggerTick(deps([], { capacity: scheduledCapacityOf(store) }));

    const [decision] = await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1);
    // 6 scheduled now (5 shifts + c00's slot) but 10 logged in: +4 adherence. After the 5 shifts end
    // at +20 min, the slot and the +4 remain.
    expect(decision.projection[0].agents).toBeCloseTo(10, 6);
    expect(decision.projection[decision.projection.length - 1].agents).toBeCloseTo(5, 6);
    expect(result.fired).toHaveLength(1);
    const called = (await stored()).map((c) => c.agentId);
    expect(called.length).toBeGreaterThan(0);
    expect(called).not.toContain('c00'); // on shift through the claimed slot
    expect(called).not.toContain('c01'); // 24 of 25 weekly hours already claimed: a 2-hour callout would exceed them
  });

  test('when an agent accepted a long callout yesterday, then today it still counts against their weekly hours after the wave ended', async () => {
    await store.skillGroups.putAll([group()]);
    await store.agents.putAll([{ ...cloudAgent('x'), contract: { ...cloudAgent('x').contract, maxHoursPerWeek: 12 } }]);
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS', confirmTicks: 1, cooldownMinutes: 0, maxAgentsPerHour: 40, calloutShiftMinutes: 600 });
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t), clock.t);
    await runTriggerTick(deps([]));
    const [callout] = await stored();
    await answerCallout(store, callout.id, 'accept', 'link', clock.t + MIN);

    // a quiet day later the wave is over and the day-old answer leaves the tick's working set...
    clock.t += 25 * HOUR;
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t, 0.5, 0), clock.t);
    await runTriggerTick(deps([]));
    // ...and the next surge, the same week, must not call x for 10 more hours (10 + 10 > 12)
    clock.t += MIN;
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t), clock.t);
    await runTriggerTick(deps([]));
    const [latest] = await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1);
    expect(latest).toMatchObject({ fired: false, reason: 'no-eligible-agents' });
    expect(latest.explanation).toMatch(/1 weekly-hours/);
  });

  test('when answered callouts are a day old and the wave is over, then they leave the active set, their answers keep teaching the acceptance rate, and old decisions are trimmed', async () => {
    await setUp();
    const storeConfig = config({ TRIGGER_DECISION_RETENTION_HOURS: '24' });
    const d = (enqueued: string[] = []) => deps(enqueued, { config: storeConfig });
    await runTriggerTick(d());
    const wave = await stored();
    for (const [k, c] of wave.entries()) await answerCallout(store, c.id, k < 2 ? 'accept' : 'decline', 'link', clock.t + MIN);
    clock.t += MIN;
    await store.realtime.append(minutes(clock.t - MIN, clock.t), clock.t);
    await runTriggerTick(d()); // an unfired decision, 25 hours before the end of the test

    clock.t += 25 * HOUR;
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t, 0.5, 0), clock.t); // a quiet hour: the wave ends
    await runTriggerTick(d());
    clock.t += MIN;
    await store.realtime.append(minutes(clock.t - MIN, clock.t, 0.5, 0), clock.t);
    await runTriggerTick(d());

    // the accepted ones stay while their shifts are in the commitment window (weekly hours, rest)
    const accepted = wave.slice(0, 2).map((c) => c.id).sort();
    expect((await store.trigger.activeCallouts(['PS'])).get('PS')!.map((c) => c.value.id).sort()).toEqual(accepted);
    expect((await store.trigger.pastResponses(['PS'])).get('PS')!.group).toEqual({ accepted: 0, refused: wave.length - 2 });
    const rateWithAcceptedAtHand = (await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1))[0].acceptanceRate;

    clock.t += 8 * 24 * HOUR;
    await store.realtime.append(minutes(clock.t - 20 * MIN, clock.t, 0.5, 0), clock.t);
    await runTriggerTick(d());
    clock.t += MIN;
    await store.realtime.append(minutes(clock.t - MIN, clock.t, 0.5, 0), clock.t);
    await runTriggerTick(d());

    expect((await store.trigger.activeCallouts(['PS'])).get('PS')).toEqual([]);
    expect((await store.trigger.pastResponses(['PS'])).get('PS')).toEqual({
      group: { accepted: 2, refused: wave.length - 2 },
      byAgent: Object.fromEntries(wave.map((c, k) => [c.agentId, k < 2 ? { accepted: 1, refused: 0 } : { accepted: 0, refused: 1 }])),
    });
    const decisions = await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 100);
    const expectedRate = (2 + 0.5 * 10) / (wave.length + 10);
    expect(decisions[0].acceptanceRate).toBeCloseTo(expectedRate, 9); // learned from the sums alone
    expect(rateWithAcceptedAtHand).toBeCloseTo(expectedRate, 9); // learned from sums and callouts still at hand
    expect(decisions.map((x) => x.at)).toEqual([clock.t, clock.t - MIN, T]); // the firing at T stays with its callouts; the unfired rest is past retention
    expect((await stored()).length).toBe(wave.length); // the records stay readable
  });
});
