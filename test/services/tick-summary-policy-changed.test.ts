/**
 * A tick whose commit is refused because the manager replaced the policy meanwhile did not find the
 * group "already ticked" by another run: its summary (the job result) says the policy changed.
 */
import { runTriggerTick, type TriggerDeps } from '../../src/services/trigger';
import type { ScheduledCapacitySource } from '../../src/services/trigger-inputs';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import { loadConfig } from '../../src/config/config';
import { DEFAULT_POLICY, type TriggerPolicy } from '../../src/trigger/types';
import type { Store } from '../../src/store/store';
import { openTestStore, testEnv } from '../support/service';
import { cloudAgent, group } from '../trigger/fixtures';

const MIN = 60_000;
const T = Date.UTC(2026, 2, 4, 10, 0);
const SURGE_POLICY: TriggerPolicy = { ...DEFAULT_POLICY, skillGroupId: 'PS', confirmTicks: 1, cooldownMinutes: 0, maxAgentsPerHour: 40 };

function surge(from: number, to: number): RealtimeEvent[] {
  const out: RealtimeEvent[] = [];
  for (let m = from; m < to; m += MIN) out.push({ skillGroupId: 'PS', minute: m, arrivals: 4, queueLength: 25, agentsLoggedIn: 10, agentsAvailable: 0 });
  return out;
}

describe('the tick summary of a commit refused because the policy changed', () => {
  let store: Store;
  let prefix: string;
  let close: () => Promise<void>;
  const clock = { t: T };

  const deps = (capacity: ScheduledCapacitySource): TriggerDeps => ({
    store,
    config: loadConfig(testEnv(prefix)),
    capacity,
    now: () => clock.t,
    enqueueDelivery: async () => undefined,
  });
  /** the roster read comes after the tick read groups, policies and states: `between` runs there */
  const midTick = (between: () => Promise<void>): ScheduledCapacitySource => ({ rosterShifts: async () => (await between(), []), claimedShifts: async () => [] });

  beforeEach(async () => {
    ({ store, prefix, close } = openTestStore());
    clock.t = T;
    await store.skillGroups.putAll([group()]);
    await store.agents.putAll(Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`)));
    await store.trigger.putPolicy(SURGE_POLICY);
    await store.realtime.append(surge(T - 20 * MIN, T), T);
  });
  afterEach(() => close());

  test('when the policy is switched off while a tick runs, then the summary counts the group as policy-changed, not already ticked', async () => {
    const summary = await runTriggerTick(deps(midTick(() => store.trigger.putPolicy({ ...SURGE_POLICY, mode: 'off' }))));
    expect(summary).toMatchObject({ groups: 1, committed: 0, alreadyTicked: 0, policyChanged: 1, decisions: {} });
  });

  test('when a second run finds the minute done, then the group is already ticked and no policy changed', async () => {
    const quiet = midTick(async () => undefined);
    expect(await runTriggerTick(deps(quiet))).toMatchObject({ committed: 1, alreadyTicked: 0, policyChanged: 0 });
    expect(await runTriggerTick(deps(quiet))).toMatchObject({ committed: 0, alreadyTicked: 1, policyChanged: 0 });
  });
});
