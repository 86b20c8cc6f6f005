/**
 * A tick decides under the policies it read; a manager replacing a group's policy while the tick runs
 * (switching the trigger off in the middle of a surge) must not see the tick's callouts land after the
 * switch. The commit compares the policy as the tick read it, as it compares the state.
 */
import { runTriggerTick, type TriggerDeps } from '../../src/services/trigger';
import type { ScheduledCapacitySource } from '../../src/services/trigger-inputs';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import type { GroupTickCommit } from '../../src/store/trigger-repository';
import { loadConfig } from '../../src/config/config';
import { DEFAULT_POLICY, initialTriggerState, type Decision, type TriggerPolicy } from '../../src/trigger/types';
import type { Store } from '../../src/store/store';
import type { Redis } from 'ioredis';
import { openTestStore, testEnv } from '../support/service';
import { cloudAgent, group } from '../trigger/fixtures';

const MIN = 60_000;
const T = Date.UTC(2026, 2, 4, 10, 0);
const SURGE_POLICY: TriggerPolicy = { ...DEFAULT_POLICY, skillGroupId: 'PS', confirmTicks: 1, cooldownMinutes: 0, maxAgentsPerHour: 40 };

/** 4 calls a minute against 10 agents logged in and a queue of 25: a surge the trigger answers. */
function surge(from: number, to: number): RealtimeEvent[] {
  const out: RealtimeEvent[] = [];
  for (let m = from; m < to; m += MIN) out.push({ skillGroupId: 'PS', minute: m, arrivals: 4, queueLength: 25, agentsLoggedIn: 10, agentsAvailable: 0 });
  return out;
}

describe('a tick commit and the policy it was decided under', () => {
  let store: Store;
  let redis: Redis;
  let prefix: string;
  let close: () => Promise<void>;
  const clock = { t: T };

  const deps = (enqueued: string[], capacity: ScheduledCapacitySource): TriggerDeps => ({
    store,
    config: loadConfig(testEnv(prefix)),
    capacity,
    now: () => clock.t,
    enqueueDelivery: async (id) => void enqueued.push(id),
  });
  /** the roster read comes after the tick read groups, policies and states: `between` runs there */
  const midTick = (between: () => Promise<void>): ScheduledCapacitySource => ({ rosterShifts: async () => (await between(), []), claimedShifts: async () => [] });

  beforeEach(async () => {
    ({ store, redis, prefix, close } = openTestStore());
    clock.t = T;
    await store.skillGroups.putAll([group()]);
    await store.agents.putAll(Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`)));
    await store.trigger.putPolicy(SURGE_POLICY);
    await store.realtime.append(surge(T - 20 * MIN, T), T);
  });
  afterEach(() => close());

  test('when the policy is switched off while a tick runs, then the tick writes and calls nothing, and the next tick decides under "off"', async () => {
    const enqueued: string[] = [];
    const summary = await runTriggerTick(deps(enqueued, midTick(() => store.trigger.putPolicy({ ...SURGE_POLICY, mode: 'off' }))));

    expect(summary.committed).toBe(0);
    expect(summary.fired).toEqual([]);
    expect(enqueued).toEqual([]);
    expect(await redis.hgetall(store.keys.triggerCallouts())).toEqual({});
    expect(await redis.hgetall(store.keys.triggerStates())).toEqual({});
    expect(await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 10)).toEqual([]);

    clock.t = T + MIN;
    const next = await runTriggerTick(deps(enqueued, midTick(async () => undefined)));
    expect(next.committed).toBe(1);
    expect(next.newCallouts).toBe(0);
    expect(enqueued).toEqual([]);
    const [decision] = await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 1);
    expect(decision).toMatchObject({ mode: 'off', fired: false });
  });

  test('when the same policy is written again while a tick runs, then the tick commits and calls as it decided', async () => {
    const enqueued: string[] = [];
    const summary = await runTriggerTick(deps(enqueued, midTick(() => store.trigger.putPolicy({ ...SURGE_POLICY }))));
    expect(summary.committed).toBe(1);
    expect(summary.fired).toHaveLength(1);
    expect(enqueued.length).toBeGreaterThan(0);
  });

  test('when a stored policy lacks fields added since (read with their defaults), then a commit under it still writes; a changed field refuses it', async () => {
    // stored before `releaseWhenSurplus` and `answerWindowMinutes` existed: the tick reads their defaults
    const { releaseWhenSurplus: _r, answerWindowMinutes: _a, ...older } = SURGE_POLICY;
    await redis.hset(store.keys.triggerPolicies(), 'PS', JSON.stringify(older));
    const asRead = (await store.trigger.policy('PS'))!;
    const decision = (at: number): Decision => ({
      id: `PS@${at}`, skillGroupId: 'PS', at, mode: 'predictive', fired: false, reason: 'no-gap', explanation: 'test', waveId: null, agentsToCall: 0, gapAgents: 0, acceptanceRate: 0.5,
      inputs: { queueLength: 0, agentsLoggedIn: 0, arrivalsLast15Minutes: 0, forecastSource: 'test', forecastNext30: { p10: 0, p50: 0, p90: 0 }, pendingCallouts: 0, acceptedCallouts: 0, calledInLastHour: 0 },
      projection: [],
    });
    const commit = (at: number, policy: TriggerPolicy, expectedStateRaw = ''): GroupTickCommit => ({
      skillGroupId: 'PS', expectedStateRaw, state: { ...initialTriggerState('PS'), tickedAt: at }, decision: decision(at), updated: [], created: [], archived: [], decisionCutoff: 0, recordCutoff: 0, policy,
    });
    expect((await store.trigger.commitTick([commit(T, asRead)])).get('PS')).toBe('committed');
    const state = (await store.trigger.states()).get('PS')!.raw;
    // read as a stored 10-minute answer window: not the policy stored now
    expect((await store.trigger.commitTick([commit(T + MIN, { ...asRead, answerWindowMinutes: 10 }, state)])).get('PS')).toBe('policy-changed');
    expect((await store.trigger.states()).get('PS')!.raw).toBe(state);
  });
});
