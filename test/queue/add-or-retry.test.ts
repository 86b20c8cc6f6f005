/**
 * Work asked for again until it is done (a callout's delivery, keyed by the callout id) must run again
 * after its job failed: BullMQ keeps a failed job and silently ignores an add with its id. Real Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { Queues } from '../../src/queue/queues';
import { deleteKeys, REDIS_URL } from '../support/service';

describe('Queues.addOrRetry', () => {
  const prefix = `test-${randomUUID()}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new Queues(connection, `${prefix}:bull`, { work: { attempts: 1, removeOnFail: false } });

  afterAll(async () => {
    await queues.close();
    connection.disconnect();
    await deleteKeys(prefix);
  });

  test('when the job with that id failed, then it is put back to work (a plain add would do nothing); once completed it is not run again', async () => {
    await connection.ping();
    let runs = 0;
    const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      'work',
      async () => {
        runs++;
        if (runs === 1) throw new Error('worker died mid-send');
        return 'sent';
      },
      { connection: workerConnection, prefix: `${prefix}:bull` },
    );
    const finished = (state: 'failed' | 'completed') => new Promise<void>((resolve) => worker.once(state, () => resolve()));
    try {
      const failed = finished('failed');
      await queues.addOrRetry('work', { calloutId: 'co_1' }, 'co_1');
      await failed;
      const queue = queues.get('work');
      expect(await (await queue.getJob('co_1'))!.isFailed()).toBe(true);

      // what the tick did before: the add is ignored, the job stays failed
      await queue.add('work', { calloutId: 'co_1' }, { jobId: 'co_1' });
      expect(await (await queue.getJob('co_1'))!.isFailed()).toBe(true);

      const completed = finished('completed');
      await queues.addOrRetry('work', { calloutId: 'co_1' }, 'co_1');
      await completed;
      expect(await (await queue.getJob('co_1'))!.isCompleted()).toBe(true);
      expect(runs).toBe(2);
      // done is done: asking again does not run it a third time
      await queues.addOrRetry('work', { calloutId: 'co_1' }, 'co_1');
      await new Promise((r) => setTimeout(r, 300));
      expect(runs).toBe(2);
    } finally {
      await worker.close();
      workerConnection.disconnect();
    }
  });
});
