/**
 * Redis turning the workers' connections away (`maxclients` reached): the readiness probe must not say
 * ready while a worker cannot fetch, and the log must say why. On the test's own Redis (its client limit
 * is changed).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
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
    await sleep(100);
  }
}

const idleJob = (queue: string): JobDefinition => ({ queue, description: 'test job', concurrency: 1, processor: () => async () => ({ done: true }) });

describe('workers whose connections Redis refuses', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(() => redis.stop());

  test('when Redis has reached maxclients, then /ready answers 503 naming the workers without a connection, and the log gives Redis\'s reason; when it accepts them again, ready', async () => {
    // room for this admin connection and the service's command connection, and one more: each worker needs two
    await redis.admin.config('SET', 'maxclients', '3');
    const queueName = `refused-${randomUUID()}`;
    const { log, lines } = capturedLog();
    const service = await startService(testEnv(`test-${randomUUID()}`, { REDIS_URL: redis.url, WORKER_METRICS_PORT: '0' }), { jobs: [idleJob(queueName)], http: false, log });
    try {
      const http = request(service.server!);
      await until('the refusal is logged', () => lines.some((l) => String(l.msg).startsWith('Redis connection lost')));
      const ready = await http.get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not-ready', redis: 'up', workers: { [queueName]: 'disconnected' } });
      expect(lines.filter((l) => String(l.msg).startsWith('Redis connection lost'))).toEqual([
        expect.objectContaining({ level: 40, reason: 'ERR max number of clients reached', msg: expect.stringContaining('max number of clients reached') }),
      ]);
      expect(lines.some((l) => String(l.msg).startsWith('Redis connection back'))).toBe(false);

      await redis.admin.config('SET', 'maxclients', '100');
      await until('ready', async () => (await http.get('/ready')).status === 200);
      expect((await http.get('/ready')).body.workers).toEqual({ [queueName]: 'running' });
      await until('the recovery is logged', () => lines.some((l) => String(l.msg).startsWith('Redis connection back')));
    } finally {
      await redis.admin.config('SET', 'maxclients', '100');
      await service.shutdown('test');
    }
  }, 40_000);
});
