/**
 * A worker whose fetches Redis refuses for a reason other than a lost connection (here: out of memory,
 * maxmemory with noeviction). BullMQ retries such a fetch at once, in a loop: the worker must rest between
 * tries, and say the error once, not once per try. On the test's own Redis (its memory limit is changed).
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { startService } from '../../src/main';
import type { JobDefinition } from '../../src/queue/definitions';
import { testEnv } from '../support/service';
import { capturedLog } from '../support/log-capture';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** Scripts Redis has been asked to run (BullMQ's fetch is one), refused ones included. */
async function scriptCalls(redis: OwnRedis): Promise<number> {
  const stats = await redis.admin.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('a worker while Redis is out of memory', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(() => redis.stop());

  test('when every fetch fails with OOM, then the worker says it once with the reason, rests between tries, and says when it is over', async () => {
    const queueName = `oom-${randomUUID()}`;
    const done: string[] = [];
    const def: JobDefinition = { queue: queueName, description: 'test job', concurrency: 1, processor: () => async (job) => (done.push(job.id!), { ok: true }) };
    const prefix = `test-${randomUUID()}`;
    const { log, lines } = capturedLog();
    const queue = new Queue(queueName, { connection: { url: redis.url }, prefix: `${prefix}:bull` });
    // a job waits when Redis runs out of memory: every fetch tries to take it and is refused (unanswered,
    // BullMQ 6.7 tries again at once: about a thousand times a second)
    const id = (await queue.add('x', {})).id!;
    await redis.admin.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.admin.config('SET', 'maxmemory', '1');
    const service = await startService(testEnv(prefix, { REDIS_URL: redis.url }), { jobs: [def], http: false, log });
    try {
      const scriptsBefore = await scriptCalls(redis);
      await sleep(4_000);
      // the worker rests between fetches (1 s, 2 s, …): a handful of refused scripts, not thousands
      expect((await scriptCalls(redis)) - scriptsBefore).toBeLessThan(30);
      const errors = lines.filter((l) => l.msg === 'worker error');
      expect(errors).toEqual([expect.objectContaining({ level: 50, queue: queueName, reason: 'Redis is out of memory (OOM): writes are refused' })]);
      expect(lines.filter((l) => String(l.msg).startsWith('worker error goes on'))).toEqual([]);

      await redis.admin.config('SET', 'maxmemory', '0');
      await until('the job ran', () => done.includes(id));
      await until('the end of the error is said', () => lines.some((l) => String(l.msg).startsWith('worker error over')));
      expect(lines.filter((l) => String(l.msg).startsWith('worker error over'))).toEqual([expect.objectContaining({ level: 30, queue: queueName, reasons: ['Redis is out of memory (OOM): writes are refused'] })]);
      expect((lines.find((l) => String(l.msg).startsWith('worker error over'))!.errors as number)).toBeLessThan(10);
    } finally {
      await redis.admin.config('SET', 'maxmemory', '0');
      await queue.close();
      await service.shutdown('test');
    }
  }, 30_000);
});
