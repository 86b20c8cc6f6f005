/**
 * A job whose worker stops under it (killed, or stopped when its grace period ran out) stalls: its lock
 * lapses and a live worker's stalled-job check puts it back. Here the workers are stopped with a grace far
 * shorter than the job, and short locks and checks keep the test to seconds.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import request from 'supertest';
import { startService, type RunningService } from '../../src/main';
import type { JobDefinition } from '../../src/queue/definitions';
import { MAX_STALLED_COUNT } from '../../src/queue/definitions';
import { QUEUE } from '../../src/queue/names';
import { deleteKeys, KEYS, REDIS_URL, testEnv } from '../support/service';
import { capturedLog } from '../support/log-capture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/** Runs until its worker is stopped for its first `interruptions` starts; finishes on the next one. */
function interruptedJob(queue: string, starts: string[], interruptions: number): JobDefinition {
  return {
    queue,
    description: 'test job',
    concurrency: 1,
    lockDurationMs: 300,
    processor: () => async (job) => {
      starts.push(job.id!);
      if (starts.length <= interruptions) await new Promise(() => undefined); // the worker is stopped under it
      return { done: true };
    },
  };
}


describe('jobs interrupted by worker restarts', () => {
  const prefix = `test-${randomUUID()}`;
  afterAll(() => deleteKeys(prefix));

  /** Starts a service, waits until its worker has started the job `n`-th time, stops it (the job unfinished). */
  async function restartUnder(start: () => Promise<RunningService>, starts: string[], n: number): Promise<void> {
    const service = await start();
    try {
      await until(`the job is started for the ${n}. time`, () => starts.length >= n);
    } finally {
      await service.shutdown('SIGTERM');
    }
  }

  test('when a job\'s worker is stopped under it twice (a rolling restart), then the job still runs to its end, and each interruption is logged with its count', async () => {
    const queueName = `interrupted-${randomUUID()}`;
    const starts: string[] = [];
    const { log, lines } = capturedLog();
    const start = () => startService(testEnv(prefix, { SHUTDOWN_GRACE_SECONDS: '0.1' }), { jobs: [interruptedJob(queueName, starts, 2)], http: false, stalledIntervalMs: 200, log });
    const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    try {
      const first = await start();
      const id = await first.queues.add(queueName, {});
      await until('the job is started', () => starts.length >= 1);
      await first.shutdown('SIGTERM');
      await restartUnder(start, starts, 2);

      const last = await start();
      try {
        await until('the job is finished', async () => ['completed', 'failed'].includes(await queue.getJobState(id)));
        const job = (await queue.getJob(id))!;
        expect({ state: await job.getState(), failedReason: job.failedReason }).toEqual({ state: 'completed', failedReason: undefined });
        expect(starts).toEqual([id, id, id]);
      } finally {
        await last.shutdown('test');
      }
      const stalls = lines.filter((l) => String(l.msg).startsWith('job stalled'));
      expect(stalls).toEqual([
        expect.objectContaining({ level: 40, queue: queueName, jobId: id, stalledCount: 1, maxStalledCount: MAX_STALLED_COUNT }),
        expect.objectContaining({ level: 40, queue: queueName, jobId: id, stalledCount: 2, maxStalledCount: MAX_STALLED_COUNT }),
      ]);
    } finally {
      await queue.close();
    }
  }, 30_000);

  test('when a roster build is interrupted more often than a job may be, then its status says so and asks to request it again (not a log line that is not there)', async () => {
    const starts: string[] = [];
    const interruptions = MAX_STALLED_COUNT + 1;
    const { log, lines } = capturedLog();
    // the build-roster queue with a stand-in processor that never finishes while its worker lives
    const start = () => startService(testEnv(prefix, { SHUTDOWN_GRACE_SECONDS: '0.1' }), { jobs: [interruptedJob(QUEUE.buildRoster, starts, interruptions)], stalledIntervalMs: 200, log, validateResponses: true });
    const id = randomUUID();
    const queue = new Queue(QUEUE.buildRoster, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    try {
      const first = await start();
      await first.queues.add(QUEUE.buildRoster, { kind: 'build', rosterId: id, request: {} }, { jobId: id });
      await until('the build is started', () => starts.length >= 1);
      await first.shutdown('SIGTERM');
      for (let n = 2; n <= interruptions; n++) await restartUnder(start, starts, n);

      const last = await start();
      try {
        await until('the build has failed', async () => (await queue.getJobState(id)) === 'failed');
        const reason = `interrupted ${interruptions} times by worker restarts or crashes; request it again`;
        const status = await request(last.server!).get(`/rosters/${id}/status`).set('X-API-Key', KEYS.planner).expect(200);
        expect(status.body).toMatchObject({ id, status: 'failed', code: 'unavailable', failedReason: reason, errors: [{ where: '/', message: reason }] });
        // the same words on the generic job status (a training is followed there)
        const job = await request(last.server!).get(`/jobs/${QUEUE.buildRoster}/${id}`).set('X-API-Key', KEYS.planner).expect(200);
        expect(job.body).toMatchObject({ state: 'failed', failedReason: reason });
      } finally {
        await last.shutdown('test');
      }
      expect(starts).toHaveLength(interruptions);
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'job failed', jobId: id, err: `interrupted ${interruptions} times by worker restarts or crashes; request it again` }));
    } finally {
      await queue.close();
    }
  }, 30_000);
});
