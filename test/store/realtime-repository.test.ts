/**
 * The realtime store's batch write on the real Redis: batches far larger than one script call can
 * unpack, or a JavaScript call can take as arguments, land whole — or, refused, not at all.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createStore, type Store } from '../../src/store/store';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import { GroupGuardedWrite } from '../../src/store/group-guarded-write';
import { deleteKeys, REDIS_URL } from '../support/service';
import { skillGroup } from '../support/examples';

const MIN = 60_000;
const T = Date.UTC(2026, 2, 4, 10, 0);

describe('realtime batches in the store', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let store: Store;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' }), skillGroup({ id: 'NW', timeZone: 'UTC' })]);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  test('when a batch carries 6,000 signal names, then every value and every name is stored (the names in slices)', async () => {
    const events: RealtimeEvent[] = Array.from({ length: 200 }, (_, e) => ({
      skillGroupId: 'PS',
      minute: T - (1 + e) * MIN,
      signals: Object.fromEntries(Array.from({ length: 30 }, (_, k) => [`sig${e * 30 + k}`, k])),
    }));
    await store.realtime.append(events, T);
    expect(await redis.zcard(store.keys.realtimeSignalNames('PS'))).toBe(6_000);
    const read = await store.realtime.read('PS', T - 201 * MIN, T);
    expect(read).toHaveLength(200);
    expect(read.reduce((a, e) => a + Object.keys(e.signals ?? {}).length, 0)).toBe(6_000);
  });

  test('when a batch has 15,000 events with all five measures, then it is stored whole', async () => {
    const events: RealtimeEvent[] = Array.from({ length: 15_000 }, (_, k) => ({
      skillGroupId: 'NW', minute: T - (1 + k) * MIN, arrivals: 1, queueLength: 2, agentsLoggedIn: 3, agentsAvailable: 4, handled: 5,
    }));
    await store.realtime.append(events, T);
    const read = await store.realtime.read('NW', T - 15_001 * MIN, T);
    expect(read).toHaveLength(15_000);
    expect(read[0]).toEqual({ skillGroupId: 'NW', minute: T - 15_000 * MIN, arrivals: 1, queueLength: 2, agentsLoggedIn: 3, agentsAvailable: 4, handled: 5 });
  });

  test('when minutes of one day are written again and again, then the day still expires at its end plus the retention, not a retention after the last write', async () => {
    const DAY = 86_400_000;
    const retention = store.realtime.retentionDays * DAY;
    const day = Date.UTC(2026, 1, 1);
    const key = store.keys.realtimeDay('PS', '2026-02-01');
    const deadline = day + DAY + retention;
    // the tester's case: a minute posted when it is 34.7 days old keeps its day only until that day is past the retention
    const late = day + 10 * 60 * MIN + 34.7 * DAY;
    await store.realtime.append([{ skillGroupId: 'PS', minute: day + 10 * 60 * MIN, arrivals: 1 }], late);
    const leftAfterLateWrite = await redis.pttl(key);
    expect(leftAfterLateWrite).toBeLessThanOrEqual(deadline - late);
    expect(leftAfterLateWrite).toBeGreaterThan(deadline - late - 60_000);
    expect(leftAfterLateWrite).toBeLessThan(DAY);

    // an earlier write (business clock at the day itself) gives the same deadline, counted from its own now
    await store.realtime.append([{ skillGroupId: 'PS', minute: day + 10 * 60 * MIN + MIN, arrivals: 2 }], day + 11 * 60 * MIN);
    const leftFromEarly = await redis.pttl(key);
    expect(leftFromEarly).toBeLessThanOrEqual(deadline - (day + 11 * 60 * MIN));
    expect(leftFromEarly).toBeGreaterThan(deadline - (day + 11 * 60 * MIN) - 60_000);

    // a later write of the same day does not push the deadline out
    await store.realtime.append([{ skillGroupId: 'PS', minute: day + 12 * 60 * MIN, arrivals: 3 }], late);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(deadline - late);
    // the group's day index (what deleting the group reads) lists the day and outlives it
    expect(await redis.zscore(store.keys.realtimeDays('PS'), '2026-02-01')).toBe(String(day));
    expect(await redis.pttl(store.keys.realtimeDays('PS'))).toBeGreaterThan(await redis.pttl(key));
  });

  test('when a command would carry more arguments than the script unpacks at once, then it is refused before anything is written', () => {
    const write = new GroupGuardedWrite(store.keys.skillGroups());
    expect(() => write.call('SADD', `${prefix}:x`, ...Array.from({ length: 1_001 }, (_, k) => String(k)))).toThrow(/at most 1000/);
    expect(write.empty).toBe(true);
  });
});
