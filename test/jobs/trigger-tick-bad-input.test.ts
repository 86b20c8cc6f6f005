/**
 * The minute tick against values stored before ingest checked them (or written around it): one group's
 * unreadable or absurd data must neither fail nor freeze the tick for the other groups.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config';
import { createStore, type Store } from '../../src/store/store';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import { runTriggerTick, type TriggerDeps } from '../../src/services/trigger';
import type { ScheduledCapacitySource } from '../../src/services/trigger-inputs';
import { DEFAULT_POLICY } from '../../src/trigger/types';
import { deleteKeys, REDIS_URL, testEnv } from '../support/service';
import { cloudAgent, group } from '../trigger/fixtures';

const MIN = 60_000;
const T = Date.UTC(2026, 2, 4, 10, 0);
const NO_ROSTER: ScheduledCapacitySource = { rosterShifts: async () => [], claimedShifts: async () => [] };

function minutes(skillGroupId: string, from: number, to: number, extra: Partial<RealtimeEvent> = {}): RealtimeEvent[] {
  const out: RealtimeEvent[] = [];
  for (let m = from; m < to; m += MIN) out.push({ skillGroupId, minute: m, arrivals: 4, queueLength: 25, agentsLoggedIn: 10, agentsAvailable: 0, ...extra });
  return out;
}

describe('a tick over bad stored realtime data', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let store: Store;
  const clock = { t: T };
  const deps = (): TriggerDeps => ({
    store,
    config: loadConfig(testEnv(prefix, { WEBHOOK_SECRET: 'webhook-secret-0123456789', WEBHOOK_URL: 'http://127.0.0.1:9/none' })),
    capacity: NO_ROSTER,
    now: () => clock.t,
    enqueueDelivery: async () => undefined,
  });

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll([group(), group({ id: 'QH', name: 'QH' }), group({ id: 'BIG', name: 'BIG' })]);
    await store.agents.putAll([
      ...Array.from({ length: 10 }, (_, k) => cloudAgent(`c${k}`)),
      ...Array.from({ length: 10 }, (_, k) => cloudAgent(`b${k}`, { skills: [{ skillGroupId: 'BIG' }] })),
    ]);
    for (const id of ['PS', 'QH', 'BIG']) {
      await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: id, confirmTicks: 1, cooldownMinutes: 0, maxAgentsPerHour: 40 });
    }
    await store.realtime.append(minutes('PS', T - 20 * MIN, T), T);
    await store.realtime.append(minutes('QH', T - 20 * MIN, T), T);
    // what the API took before ingest checked values: a negative signal, and counts no queue ever had
    await store.realtime.append([{ skillGroupId: 'QH', minute: T - MIN, signals: { app: -5 } }], T);
    await store.realtime.append([{ skillGroupId: 'BIG', minute: T - MIN, arrivals: 1e12, queueLength: 1e9, agentsLoggedIn: 4 }], T);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  test('when one group holds a negative signal and another 1e12 arrivals, then the tick returns fast, skips the first with the reason, and decides every other group', async () => {
    const started = Date.now();
    const summary = await runTriggerTick(deps());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(summary.committed).toBe(3);
    expect(summary.skipped).toEqual([{ skillGroupId: 'QH', explanation: expect.stringMatching(/signals\/app: must be a number ≥ 0/) }]);

    const decisions = new Map((await store.trigger.decisions(['PS', 'QH', 'BIG'], T - MIN, T + MIN, false, 10)).map((d) => [d.skillGroupId, d]));
    expect(decisions.get('QH')).toMatchObject({ fired: false, reason: 'skipped-unreadable-input', agentsToCall: 0 });
    expect(decisions.get('QH')!.explanation).toMatch(/^skipped this tick: its stored inputs could not be read/);
    expect(decisions.get('PS')).toMatchObject({ fired: true, reason: 'fired' });
    // the flood reads as a breach as large as can be: the hourly cap decides how many are called
    expect(decisions.get('BIG')).toMatchObject({ fired: true, agentsToCall: 40 });
    expect(decisions.get('BIG')!.calloutIds).toHaveLength(10);
    expect(decisions.get('BIG')!.projection.every((b) => b.serviceLevel === 0)).toBe(true);
  }, 30_000);
});
