import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { UnrecoverableError, type Job } from 'bullmq';
import { createStore, type Store } from '../../src/store/store';
import type { NewRoster } from '../../src/store/roster-repository';
import type { AssignedShift } from '../../src/roster/types';
import { isWfmError } from '../../src/errors/wfm-error';
import { withErrorPolicy } from '../../src/queue/worker-pool';
import { deleteKeys, REDIS_URL } from '../support/service';
import { skillGroup } from '../support/examples';

const HOUR = 3_600_000;
const T0 = Date.UTC(2030, 0, 7);

function shift(id: string, agentId: string, startHour: number): AssignedShift {
  const start = T0 + startHour * HOUR;
  return { id, agentId, skillGroupId: 'PS', templateId: 't', kind: 'day', date: new Date(start).toISOString().slice(0, 10), start, end: start + 8 * HOUR, breaks: [] };
}

function draft(id: string, shifts: AssignedShift[]): NewRoster {
  return {
    meta: { id, createdAt: new Date(T0 - 24 * HOUR).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * 24 * HOUR }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
    shifts,
    uncovered: [],
    coverage: [],
    slots: [],
  };
}

describe('a build storing its draft while the roster is published', () => {
  let redis: Redis;
  let other: Redis;
  let store: Store;
  let planner: Store;
  let prefix: string;
  beforeEach(async () => {
    prefix = `test-${randomUUID()}`;
    redis = new Redis(REDIS_URL);
    other = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    planner = createStore(other, prefix);
    // a draft is stored only while its skill groups exist
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' })]);
  });
  afterEach(async () => {
    redis.disconnect();
    other.disconnect();
    await deleteKeys(prefix);
  });

  test('when the roster is already published, then the draft is a conflict the job does not retry, and the published roster stays', async () => {
    await store.rosters.saveDraft(draft('r', [shift('s1', 'a', 8)]));
    await store.rosters.publish('r', new Date().toISOString());
    const err = await store.rosters.saveDraft(draft('r', [shift('s9', 'z', 10)])).catch((e: unknown) => e);
    expect(isWfmError(err) && err.code).toBe('conflict');
    expect(isWfmError(err) && err.retryable).toBe(false);
    // the worker's policy: a conflict fails the job at once instead of rebuilding three times
    const processor = withErrorPolicy(async () => {
      throw err;
    });
    await expect(processor({ queueName: 'build-roster', id: 'r', attemptsMade: 0 } as Job, 'token')).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await store.rosters.get('r')).toMatchObject({ status: 'published' });
    expect((await store.rosters.shifts('r')).map((s) => s.id)).toEqual(['s1']);
  });

  test('when a planner publishes the draft while a retried build stores it again, then the publish is never overwritten', async () => {
    await store.rosters.saveDraft(draft('r', [shift('s1', 'a', 8)]));
    // the publish lands right after the first answer the build's write gets from Redis (its check, if it reads first)
    let armed = true;
    const r = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const command of ['hget', 'hgetall', 'hkeys', 'evalsha', 'eval']) {
      const original = r[command].bind(redis);
      r[command] = async (...args: unknown[]) => {
        const answer = await original(...args);
        if (armed) {
          armed = false;
          expect(await planner.rosters.publish('r', new Date().toISOString())).toMatchObject({ ok: true });
        }
        return answer;
      };
    }
    await store.rosters.saveDraft(draft('r', [shift('s9', 'z', 10)])).catch(() => undefined);
    expect(armed).toBe(false);
    const stored = await planner.rosters.get('r');
    expect(stored?.status).toBe('published');
    // state and index agree: the roster is published with one set of shifts
    expect(await planner.rosters.publishedOverlapping(T0, T0 + HOUR)).toEqual(['r']);
  });
});
