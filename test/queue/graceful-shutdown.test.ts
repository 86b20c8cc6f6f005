import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { startService } from '../../src/main';
import type { JobDefinition } from '../../src/queue/definitions';
import { WfmError } from '../../src/errors/wfm-error';
import { REDIS_URL, testEnv, deleteKeys } from '../support/service';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A job that takes `ms` milliseconds, or fails as bad input when asked to. */
function slowJob(queue: string, started: string[]): JobDefinition {
  return {
    queue,
    description: 'test job',
    concurrency: 1,
    processor: () => async (job) => {
      started.push(job.id!);
      if (job.data.badInput) throw new WfmError('validation', 'bad input', { details: [{ where: '/x', message: 'negative' }] });
      await sleep(job.data.ms);
      return { done: job.data.ms };
    },
  };
}

describe('workers and shutdown', () => {
  const prefix = `test-${randomUUID()}`;
  afterAll(() => deleteKeys(prefix));

  test('when the service shuts down with a job in flight, then the job finishes before the process stops', async () => {
    const started: string[] = [];
    const queueName = `slow-${randomUUID()}`;
    const service = await startService(testEnv(prefix), { jobs: [slowJob(queueName, started)] });
    const id = await service.queues.add(queueName, { ms: 1500 });
    while (!started.includes(id)) await sleep(20);

    await service.shutdown('SIGTERM');

    const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    const job = await queue.getJob(id);
    expect(await job!.getState()).toBe('completed');
    expect(job!.returnvalue).toEqual({ done: 1500 });
    await queue.close();
  });

  test('when the grace period is shorter than the job, then shutdown does not wait past it and reports the forced close', async () => {
    const started: string[] = [];
    const queueName = `slow-${randomUUID()}`;
    const service = await startService(testEnv(prefix, { SHUTDOWN_GRACE_SECONDS: '0.2' }), { jobs: [slowJob(queueName, started)], http: false });
    const id = await service.queues.add(queueName, { ms: 3000 });
    while (!started.includes(id)) await sleep(20);
    const shutdownStarted = Date.now();
    await service.shutdown('SIGTERM');
    // the unfinished job keeps its 'active' state until its lock lapses; BullMQ's stalled-job check in any
    // live worker then returns it to the queue (see README, "Scaling out and shutdown")
    expect(Date.now() - shutdownStarted).toBeLessThan(1500);
    const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    expect(await (await queue.getJob(id))!.getState()).toBe('active');
    await queue.close();
  });

  test('when a job fails on bad input, then it is not retried and says why', async () => {
    const started: string[] = [];
    const queueName = `bad-${randomUUID()}`;
    const service = await startService(testEnv(prefix), { jobs: [slowJob(queueName, started)], http: false });
    const events = new QueueEvents(queueName, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    // listening before the job exists: it fails at once, and events read from "now" would miss it
    await events.waitUntilReady();
    const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    const id = await service.queues.add(queueName, { badInput: true });
    const job = (await queue.getJob(id))!;
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow('validation: bad input: /x negative');
    const failed = (await queue.getJob(id))!;
    expect(failed.attemptsMade).toBe(1);
    expect(await failed.getState()).toBe('failed');
    await service.shutdown('test');
    await events.close();
    await queue.close();
  });
});
