/**
 * BullMQ requires `maxmemory-policy noeviction`: an evicted job lock runs a job twice, an evicted claim or
 * idempotency record is lost. The service says so once at start, in its own log. Each policy is set on a
 * redis-server of the test's own (test/support/own-redis.ts), never on the shared test Redis.
 */
import type { Redis } from 'ioredis';
import { warnIfEvicting, warnIfNotPersistent } from '../../src/store/redis';
import { capturedLog } from '../support/log-capture';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';

describe('the start-up check of Redis\'s eviction policy', () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await startOwnRedis();
  });
  afterAll(() => own.stop());

  const evictionWarnings = (lines: Array<Record<string, unknown>>) => lines.filter((l) => String(l.msg).includes('maxmemory-policy'));

  test.each(['volatile-ttl', 'allkeys-lru'])('when Redis evicts keys (%s), then the start warns once, structured, naming the policy and why noeviction is needed', async (policy) => {
    await own.admin.config('SET', 'maxmemory-policy', policy);
    const { log, lines } = capturedLog();
    await warnIfNotPersistent(own.admin, log);
    const warnings = evictionWarnings(lines);
    expect(warnings).toEqual([expect.objectContaining({ level: 40, maxmemoryPolicy: policy })]);
    expect(warnings[0].msg).toContain(`maxmemory-policy ${policy}`);
    expect(warnings[0].msg).toContain('set maxmemory-policy noeviction');
    expect(warnings[0].msg).toMatch(/job's lock lets the job run twice.*a claim, an idempotency record or a roster is lost/);
  });

  test('when Redis evicts nothing (noeviction), then nothing is said about it', async () => {
    await own.admin.config('SET', 'maxmemory-policy', 'noeviction');
    const { log, lines } = capturedLog();
    expect(await warnIfEvicting(own.admin, log)).toBe('noeviction');
    await warnIfNotPersistent(own.admin, log);
    expect(evictionWarnings(lines)).toEqual([]);
    // this server keeps nothing on disk: that warning is still given
    expect(lines.filter((l) => String(l.msg).includes('no persistence'))).toHaveLength(1);
  });

  test('when Redis refuses INFO, then the check says it could not read the policy and the start goes on', async () => {
    const refusing = { info: () => Promise.reject(new Error('NOPERM this user has no permissions to run the \'info\' command')) } as unknown as Redis;
    const { log, lines } = capturedLog();
    expect(await warnIfEvicting(refusing, log)).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'could not read the Redis eviction policy (INFO refused?)' })]);
  });
});
