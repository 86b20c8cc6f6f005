/**
 * Redis refusing for its own state (out of memory, a password, loading, busy, read-only…) is the data
 * store being unavailable: 503 with Retry-After and the cause named, never a 500. Each failing state is
 * made on a redis-server of the test's own (test/support/own-redis.ts), never on the shared test Redis.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ReplyError, type Redis } from 'ioredis';
import { startService } from '../../src/main';
import { createStore, type Store } from '../../src/store/store';
import { asUnavailable, createRedis, waitUntilReady } from '../../src/store/redis';
import { isWfmError, type WfmError } from '../../src/errors/wfm-error';
import type { NewRoster } from '../../src/store/roster-repository';
import { agent, skillGroup } from '../support/examples';
import { KEYS, testEnv } from '../support/service';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2030, 0, 7);

const cloud = (id: string) => agent({ id, name: id, kind: 'cloud', contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });

function roster(id: string): NewRoster {
  const start = T0 + 8 * HOUR;
  return {
    meta: { id, createdAt: new Date(T0 - DAY).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * DAY }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
    shifts: [{ id: 's1', agentId: 'p1', skillGroupId: 'PS', templateId: 't', kind: 'day', date: '2030-01-07', start, end: start + 8 * HOUR, breaks: [] }],
    uncovered: [],
    coverage: [],
    slots: [{ id: 'slot-1', skillGroupId: 'PS', date: '2030-01-07', start, end: start + 8 * HOUR, templateId: 't', kind: 'day', agentsNeeded: 2, shiftIds: [] }],
  };
}

/** Retry-After of the store's 503s, as the README documents it. */
const STORE_RETRY_AFTER_SECONDS = 5;

const limits = { minRestMs: 11 * HOUR, maxHoursPerWeek: 40, weekStartMs: T0, weekEndMs: T0 + 7 * DAY };

/** The error a call throws (fails the test when it resolves). */
async function thrown(call: Promise<unknown>): Promise<WfmError> {
  const err = await call.then(
    () => new Error('the call succeeded'),
    (e: unknown) => e,
  );
  if (!isWfmError(err)) throw err;
  return err;
}

function expectOutOfMemory(err: WfmError): void {
  expect(err.status).toBe(503);
  expect(err.code).toBe('unavailable');
  expect(err.retryAfterSeconds).toBe(STORE_RETRY_AFTER_SECONDS);
  expect(err.message).toMatch(/^the data store is out of memory: writes are refused \(Redis OOM\)/);
}

describe('when Redis is out of memory (maxmemory under noeviction)', () => {
  let own: OwnRedis;
  let redis: Redis;
  let store: Store;
  const prefix = 'oom';

  beforeAll(async () => {
    own = await startOwnRedis();
    await own.admin.config('SET', 'maxmemory-policy', 'noeviction');
    redis = createRedis(own.url, 'command', 'oom-test');
    await waitUntilReady(redis);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' })]);
    await store.agents.putAll([cloud('c1'), cloud('c2')]);
    await store.rosters.saveDraft(roster('published'));
    expect(await store.rosters.publish('published', new Date(T0 - DAY).toISOString())).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    redis.disconnect();
    await own.stop();
  });
  const outOfMemory = () => own.admin.config('SET', 'maxmemory', '1');
  const memoryBack = () => own.admin.config('SET', 'maxmemory', '0');
  afterEach(memoryBack);

  test('when a script writes, then the call is a 503 with Retry-After naming the cause, and nothing of it is written', async () => {
    const keysBefore = (await own.admin.keys('*')).sort();
    await outOfMemory();
    expectOutOfMemory(await thrown(store.agents.putAll([cloud('c3'), cloud('c4'), { ...cloud('c1'), name: 'Renamed' }])));
    expectOutOfMemory(await thrown(store.rosters.claim('published', 'slot-1', 'c1', limits, T0 - DAY)));
    // the answer names the cause, not the command or its arguments
    const err = await thrown(store.agents.putAll([{ ...cloud('c5'), phone: '+4915112345678' }]));
    expect(err.message).not.toMatch(/4915112345678|putAgentsUnlessClaiming|evalsha/i);
    await memoryBack();
    // the scripts were refused at their first write: not one key is new or changed
    expect((await own.admin.keys('*')).sort()).toEqual(keysBefore);
    expect(await store.rosters.get('draft')).toBeUndefined();
    expect((await store.agents.list()).map((a) => [a.id, a.name])).toEqual([['c1', 'c1'], ['c2', 'c2']]);
    expect((await store.rosters.slots('published'))[0].claimedBy).toEqual([]);
  });

  test('when a script has written before it meets the limit, then Redis lets it run whole: a draft is stored whole or not at all', async () => {
    await outOfMemory();
    // SAVE_DRAFT deletes the draft's old keys first; Redis refuses a script only at its first write, so
    // this one runs whole (today's Redis) — were it refused, it would be refused before writing anything
    const outcome = await store.rosters.saveDraft(roster('draft')).then(
      () => 'stored',
      (err: unknown) => err,
    );
    await memoryBack();
    if (outcome === 'stored') {
      expect(await store.rosters.get('draft')).toMatchObject({ id: 'draft', status: 'draft' });
      expect((await store.rosters.shifts('draft')).map((s) => s.id)).toEqual(['s1']);
      expect((await store.rosters.slots('draft')).map((s) => s.id)).toEqual(['slot-1']);
      expect((await store.rosters.list()).map((r) => r.id).sort()).toEqual(['draft', 'published']);
    } else {
      expectOutOfMemory(outcome as WfmError);
      expect(await own.admin.keys('*draft*')).toEqual([]);
    }
  });

  test('when a plain command or a transaction writes, then it is a 503 with Retry-After too (EXECABORT names the queued commands\' refusal)', async () => {
    await outOfMemory();
    expectOutOfMemory(await thrown(store.rosters.saveBuildFailure('r', { code: 'x', message: 'y', errors: [], failedAt: new Date(T0).toISOString() }, 60)));
    // agents.delete is a MULTI/EXEC: Redis discards it whole
    expectOutOfMemory(await thrown(store.agents.delete('c2')));
    expectOutOfMemory(await thrown(store.trigger.deletePolicy('PS')));
    await memoryBack();
    expect(await store.agents.get('c2')).toBeDefined();
  });

  test('when a read takes a consistent snapshot of two keys, then it still answers (a read-only script, which Redis runs out of memory, not a MULTI, which it refuses)', async () => {
    await outOfMemory();
    expect(await store.agents.getWithIncarnation('c1')).toMatchObject({ agent: { id: 'c1' }, incarnation: expect.any(String) });
    expect(await store.agents.getWithIncarnation('nobody')).toBeUndefined();
    const { agents, incarnations } = await store.agents.cloudAgentsWithIncarnations();
    expect(agents.map((a) => a.id).sort()).toEqual(['c1', 'c2']);
    expect(incarnations.get('c1')).toEqual((await store.agents.incarnationsOf(['c1'])).get('c1'));
    expect(await store.skillGroups.getWithIncarnation('PS')).toMatchObject({ group: { id: 'PS' }, incarnation: expect.any(String) });
    expect(await store.skillGroups.getWithIncarnation('XX')).toBeUndefined();
    expect(await store.rosters.claimsOf('c1')).toEqual([]);
  });

  test('over HTTP, then a write and a queued job are 503 problem+json with Retry-After, and the detail names the cause', async () => {
    const service = await startService(testEnv(`test-${randomUUID()}`, { REDIS_URL: own.url }), { jobs: [], validateResponses: true });
    try {
      const http = request(service.server!);
      await outOfMemory();
      for (const res of [
        await http.put('/skill-groups/PS').set('X-API-Key', KEYS.admin).send(skillGroup({ id: 'PS', timeZone: 'UTC' })),
        await http.post('/trigger/ticks').set('X-API-Key', KEYS.admin),
      ]) {
        expect(res.status).toBe(503);
        expect(res.type).toBe('application/problem+json');
        expect(res.headers['retry-after']).toBe(String(STORE_RETRY_AFTER_SECONDS));
        expect(res.body.detail).toContain('the data store is out of memory: writes are refused');
      }
      await memoryBack();
      await http.put('/skill-groups/PS').set('X-API-Key', KEYS.admin).send(skillGroup({ id: 'PS', timeZone: 'UTC' })).expect(200);
    } finally {
      await memoryBack();
      await service.shutdown('test finished');
    }
  }, 30_000);
});

describe('when Redis refuses the connection\'s password', () => {
  let own: OwnRedis;
  const password = 'the-server-password-0123';
  beforeAll(async () => {
    own = await startOwnRedis();
    // the admin connection stays signed in; new connections need the password
    await own.admin.config('SET', 'requirepass', password);
  });
  afterAll(() => own.stop());

  for (const [what, url, cause] of [
    ['none is given', () => own.url, /^the data store \(Redis\) is unreachable: it asks for a password it has not accepted \(none given, or a wrong one\) \(Redis NOAUTH\)/],
    ['a wrong one is given', () => own.url.replace('//', '//:wrong-password-4567@'), /^the data store \(Redis\) is unreachable: it (refused the password \(Redis WRONGPASS\)|asks for a password it has not accepted \(none given, or a wrong one\) \(Redis NOAUTH\))/],
  ] as const) {
    test(`when ${what}, then a call is a 503 with Retry-After naming it (and no password)`, async () => {
      const redis = createRedis(url(), 'command', 'auth-test');
      try {
        // the refusal it names arrives as an error event (with a wrong password a command sent meanwhile
        // may be answered NOAUTH first: wait for the refusal itself)
        const code = String(cause).includes('WRONGPASS') ? 'WRONGPASS' : 'NOAUTH';
        await new Promise<void>((resolve) => {
          const seen = (err: Error) => {
            if (!err.message.startsWith(code)) return;
            redis.off('error', seen);
            resolve();
          };
          redis.on('error', seen);
        });
        const err = await thrown(createStore(redis, 'auth').skillGroups.list());
        expect(err.status).toBe(503);
        expect(err.retryAfterSeconds).toBe(STORE_RETRY_AFTER_SECONDS);
        expect(err.message).toMatch(cause);
        expect(err.message).not.toMatch(/wrong-password|the-server-password/);
      } finally {
        redis.disconnect();
      }
    });
  }

  test('when the password is right, then the connection answers and nothing is said about a password', async () => {
    const redis = createRedis(own.url.replace('//', `//:${password}@`), 'command', 'auth-test');
    try {
      await waitUntilReady(redis);
      expect(await createStore(redis, 'auth').skillGroups.list()).toEqual([]);
      expect((asUnavailable(new Error('Connection is closed.')) as WfmError).message).toBe('the data store (Redis) is unreachable; try again shortly');
    } finally {
      redis.disconnect();
    }
  });
});

describe('which Redis errors are the store being unavailable', () => {
  const reply = (message: string): Error => new ReplyError(message);
  test.each([
    ['OOM command not allowed when used memory > \'maxmemory\'.', 'the data store is out of memory: writes are refused (Redis OOM)'],
    ['OOM command not allowed when used memory > \'maxmemory\'. script: 21c09bdf590564d4ac1c5b91daaa4e407a5c0724, on @user_script:1.', 'the data store is out of memory: writes are refused (Redis OOM)'],
    ['ERR Error running script (call to f_21c09b): @user_script:1: @user_script: 1: -OOM command not allowed when used memory > \'maxmemory\'.', 'the data store is out of memory: writes are refused (Redis OOM)'],
    ['NOAUTH Authentication required.', 'the data store asks for a password it has not accepted (none given, or a wrong one) (Redis NOAUTH)'],
    ['WRONGPASS invalid username-password pair or user is disabled.', 'the data store refused the password (Redis WRONGPASS)'],
    ['LOADING Redis is loading the dataset in memory', 'the data store is loading its data (Redis LOADING)'],
    ['BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.', 'the data store is busy running a script (Redis BUSY)'],
    ['MISCONF Redis is configured to save RDB snapshots, but it\'s currently unable to persist to disk.', 'the data store cannot save to disk: writes are refused (Redis MISCONF)'],
    ['READONLY You can\'t write against a read only replica.', 'the data store is a read-only replica: writes are refused (Redis READONLY)'],
    ['MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to \'no\'.', 'the data store (a replica) has lost its primary (Redis MASTERDOWN)'],
    ['TRYAGAIN Multiple keys request during rehashing of slot', 'the data store is moving keys between cluster nodes (Redis TRYAGAIN)'],
    ['CLUSTERDOWN The cluster is down', 'the data store cluster is down (Redis CLUSTERDOWN)'],
  ])('when Redis answers "%s", then it is a 503 with Retry-After: %s', (message, cause) => {
    const err = asUnavailable(reply(message)) as WfmError;
    expect(isWfmError(err) && err.status).toBe(503);
    expect(err.retryAfterSeconds).toBe(STORE_RETRY_AFTER_SECONDS);
    expect(err.message).toBe(`${cause}; try again later`);
  });

  test('when a transaction is discarded for a queued command\'s refusal, then that refusal is named', () => {
    const execAbort = Object.assign(reply('EXECABORT Transaction discarded because of previous errors.'), { previousErrors: [reply('LOADING Redis is loading the dataset in memory')] });
    expect((asUnavailable(execAbort) as WfmError).message).toMatch(/^the data store is loading its data/);
  });

  test('when the connection is down or hangs, then it is a 503 with Retry-After', () => {
    for (const message of ['Stream isn\'t writeable and enableOfflineQueue options is false', 'Connection is closed.', 'Command timed out', 'connect ECONNREFUSED 127.0.0.1:6379']) {
      const err = asUnavailable(new Error(message)) as WfmError;
      expect([err.status, err.retryAfterSeconds]).toEqual([503, STORE_RETRY_AFTER_SECONDS]);
    }
  });

  test('when the error is the service\'s own (a wrong type, a script bug, a transaction discarded for a syntax error), then it is not mistaken for the store being away', () => {
    for (const err of [
      reply('WRONGTYPE Operation against a key holding the wrong kind of value'),
      reply('ERR user_script:1: Script attempted to access nonexistent global variable \'x\''),
      Object.assign(reply('EXECABORT Transaction discarded because of previous errors.'), { previousErrors: [reply('ERR wrong number of arguments for \'hget\' command')] }),
      // a prefix inside a word, not the error's code
      reply('ERR unknown command \'OOMPH\''),
    ]) {
      expect(asUnavailable(err)).toBe(err);
    }
  });
});
