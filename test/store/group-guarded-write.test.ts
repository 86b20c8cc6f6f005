/**
 * Writers that checked their skill group before working (a forecast job, an upload) must not bring a group
 * deleted meanwhile back as orphan keys: on the real Redis, every per-group writer refuses a group that is
 * gone and writes nothing of the batch.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createStore, type Store } from '../../src/store/store';
import { isWfmError } from '../../src/errors/wfm-error';
import { DEFAULT_POLICY } from '../../src/trigger/types';
import { deleteKeys, REDIS_URL } from '../support/service';
import { agent, skillGroup } from '../support/examples';

const T = Date.UTC(2026, 2, 2, 8, 0);
const HALF_HOUR = 1_800_000;

describe('writes guarded by their skill group', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let store: Store;
  const keysOf = async (id: string) => (await redis.keys(`${prefix}:*{${id}}*`)).sort();

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll([skillGroup({ id: 'PS' }), skillGroup({ id: 'GONE' })]);
    expect(await store.skillGroups.delete('GONE')).toBe('deleted');
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  const conflict = (id: string) => expect.objectContaining({ code: 'conflict', details: [expect.objectContaining({ where: `/skill-groups/${id}` })] });

  test('when a group was deleted after the writer checked it, then history, forecast, special days, realtime and policy writes are refused and leave no key', async () => {
    await expect(store.history.upsert([{ skillGroupId: 'GONE', start: T, volume: 3 }])).rejects.toEqual(conflict('GONE'));
    await expect(
      store.forecasts.replace({ skillGroupId: 'GONE', createdAt: new Date(T).toISOString(), from: new Date(T).toISOString(), alias: 'decomposition', baselineFallback: false }, [{ intervalStart: T, p10: 1, p50: 2, p90: 3 }]),
    ).rejects.toEqual(conflict('GONE'));
    await expect(store.specialDays.putAll('GONE', [{ date: '2026-03-03', label: 'sale', uplift: 1.5 }])).rejects.toEqual(conflict('GONE'));
    await expect(store.realtime.append([{ skillGroupId: 'GONE', minute: T, arrivals: 4, signals: { selfServiceSessions: 30 } }], T)).rejects.toEqual(conflict('GONE'));
    await expect(store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'GONE' })).rejects.toEqual(conflict('GONE'));
    expect(await keysOf('GONE')).toEqual([]);
    expect(await store.trigger.policy('GONE')).toBeUndefined();
  });

  test('when one group of a batch is gone, then nothing of the batch is written, for the groups that exist either', async () => {
    const err = await store.history.upsert([{ skillGroupId: 'PS', start: T, volume: 5 }, { skillGroupId: 'GONE', start: T, volume: 3 }]).catch((e: unknown) => e);
    expect(isWfmError(err) && err.message).toMatch(/history batch was not stored: skill group GONE no longer exists/);
    await expect(store.realtime.append([{ skillGroupId: 'PS', minute: T, arrivals: 2 }, { skillGroupId: 'GONE', minute: T, arrivals: 4 }], T)).rejects.toEqual(conflict('GONE'));
    expect(await keysOf('PS')).toEqual([]);
  });

  test('when an agent or a group names a group deleted meanwhile, then it is not written', async () => {
    await expect(store.agents.putAll([agent({ id: 'x1', skills: [{ skillGroupId: 'PS' }, { skillGroupId: 'GONE' }] })])).rejects.toEqual(conflict('GONE'));
    expect(await store.agents.get('x1')).toBeUndefined();
    await expect(store.skillGroups.putAll([skillGroup({ id: 'NW', overflowTo: ['GONE'] })])).rejects.toEqual(conflict('GONE'));
    expect(await store.skillGroups.get('NW')).toBeUndefined();
    // a batch may overflow to a group it brings itself
    await store.skillGroups.putAll([skillGroup({ id: 'NW', overflowTo: ['NE'] }), skillGroup({ id: 'NE' })]);
    expect((await store.skillGroups.get('NW'))?.overflowTo).toEqual(['NE']);
  });

  test('when an agent or a group came to refer to a group after the service checked it, then the delete refuses and removes nothing', async () => {
    await store.agents.putAll([agent({ id: 'x2', skills: [{ skillGroupId: 'NE' }] })]);
    await store.history.upsert([{ skillGroupId: 'NE', start: T, volume: 1 }]);
    expect(await store.skillGroups.delete('NE')).toBe('in-use');
    await store.agents.delete('x2');
    // NW still overflows to NE
    expect(await store.skillGroups.delete('NE')).toBe('in-use');
    expect(await store.history.read('NE', T, T + HALF_HOUR)).toHaveLength(1);
    await store.skillGroups.putAll([skillGroup({ id: 'NW', overflowTo: [] })]);
    await store.agents.putAll([agent({ id: 'x3', skills: [{ skillGroupId: 'NW' }] })]);
    expect(await store.skillGroups.delete('NE')).toBe('deleted');
    // what refers to other groups stays
    expect((await store.agents.list()).map((a) => a.id)).toEqual(['x3']);
    expect((await store.skillGroups.list()).map((g) => g.id)).toEqual(['NW', 'PS']);
    expect(await store.skillGroups.delete('NE')).toBe('no-group');
    expect(await keysOf('NE')).toEqual([]);
  });

  test('when a group is deleted, then its realtime days go by name — every day it posted, whatever the clock, and days stored before the day index — while other groups and deployments keep theirs', async () => {
    const DAY = 86_400_000;
    const MIN = 60_000;
    await store.skillGroups.putAll([skillGroup({ id: 'RT', timeZone: 'UTC' }), skillGroup({ id: 'RT2', timeZone: 'UTC' })]);
    // on a business clock far from the wall clock: 30 days ago, today, and a minute ahead into tomorrow
    const lateEvening = Date.UTC(2024, 5, 10, 23, 59);
    const minutes = [lateEvening - 30 * DAY, lateEvening - MIN, lateEvening + MIN];
    await store.realtime.append(minutes.map((minute) => ({ skillGroupId: 'RT', minute, arrivals: 3, signals: { web: 5 } })), lateEvening);
    await store.realtime.append([{ skillGroupId: 'RT2', minute: lateEvening - MIN, arrivals: 1 }], lateEvening);
    expect(await redis.zrange(store.keys.realtimeDays('RT'), 0, -1)).toEqual(['2024-05-11', '2024-06-10', '2024-06-11']);
    // a day stored before the index was (no entry in it), within the retention on the wall clock
    const written = new Date(Date.now() - 20 * DAY).toISOString().slice(0, 10);
    await redis.hset(store.keys.realtimeDay('RT', written), '1:arrivals', '1');
    // another deployment on the same Redis, its group of the same id
    const neighbour = `${prefix}-b`;
    await redis.hset(`${neighbour}:realtime:{RT}:2024-06-10`, '1:arrivals', '1');
    const before = await keysOf('RT');
    expect(before).toEqual(expect.arrayContaining([store.keys.realtimeDay('RT', '2024-06-11'), store.keys.realtimeDay('RT', written), store.keys.realtimeDays('RT')]));

    expect(await store.skillGroups.delete('RT', store.realtime.datesWrittenBeforeTheIndex(Date.now()))).toBe('deleted');
    expect(await keysOf('RT')).toEqual([]);
    expect(await store.realtime.read('RT2', lateEvening - MIN, lateEvening)).toHaveLength(1);
    expect(await redis.exists(`${neighbour}:realtime:{RT}:2024-06-10`)).toBe(1);
    await redis.del(`${neighbour}:realtime:{RT}:2024-06-10`);
  });

  test('no script of the store walks the keyspace (SCAN or KEYS inside a script stalls every deployment on the Redis)', () => {
    const dir = path.join(__dirname, '../../src/store');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      expect({ file, scans: /redis\.(p?call)\(\s*'(SCAN|KEYS)'/i.test(readFileSync(path.join(dir, file), 'utf8')) }).toEqual({ file, scans: false });
    }
  });

  test('when the group exists, then a large batch lands whole (written in slices inside one script)', async () => {
    // 3 months of half hours: 4,300 intervals → 8,600 HSET arguments, well over one slice
    const intervals = Array.from({ length: 4300 }, (_, i) => ({ skillGroupId: 'PS', start: T + i * HALF_HOUR, volume: i % 17, ...(i % 2 ? { ahtSeconds: 200 + (i % 50) } : {}) }));
    await store.history.upsert(intervals);
    const back = await store.history.read('PS', T, T + 4300 * HALF_HOUR);
    expect(back).toEqual(intervals);
    await store.realtime.append([{ skillGroupId: 'PS', minute: T, arrivals: 2, signals: { selfServiceSessions: 12 } }], T);
    expect(await store.realtime.read('PS', T, T + 60_000)).toEqual([{ skillGroupId: 'PS', minute: T, arrivals: 2, signals: { selfServiceSessions: 12 } }]);
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
    expect((await store.trigger.policy('PS'))?.skillGroupId).toBe('PS');
  });
});
