/** The minute tick is a BullMQ job scheduler, registered at start; TRIGGER_TICK_CRON=off removes it. */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { startService } from '../../src/main';
import { QUEUE } from '../../src/queue/names';
import { NIGHTLY_RETRAIN_SCHEDULER, TRIGGER_TICK_SCHEDULER } from '../../src/queue/schedulers';
import { createLogger } from '../../src/log';
import { Writable } from 'node:stream';
import { deleteKeys, REDIS_URL, testEnv } from '../support/service';

describe('the trigger tick scheduler', () => {
  const prefix = `test-${randomUUID()}`;
  afterAll(() => deleteKeys(prefix));

  test('when the service starts, then a tick is scheduled every minute; when it starts with TRIGGER_TICK_CRON=off, then the schedule is gone', async () => {
    const queue = new Queue(QUEUE.triggerTick, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    try {
      const first = await startService(testEnv(prefix));
      await first.shutdown('test');
      expect(await queue.getJobSchedulers()).toEqual([expect.objectContaining({ key: TRIGGER_TICK_SCHEDULER, pattern: '* * * * *' })]);

      const second = await startService(testEnv(prefix, { TRIGGER_TICK_CRON: 'off' }));
      await second.shutdown('test');
      expect(await queue.getJobSchedulers()).toEqual([]);
    } finally {
      await queue.close();
    }
  });

  test('when Redis loses the schedules (restarted empty), then a running API process registers them again', async () => {
    const own = `test-${randomUUID()}`;
    const queue = new Queue(QUEUE.triggerTick, { connection: { url: REDIS_URL }, prefix: `${own}:bull` });
    const service = await startService(testEnv(own), { schedulerRefreshMs: 200 });
    try {
      await queue.removeJobScheduler(TRIGGER_TICK_SCHEDULER);
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await queue.getJobSchedulers()).toEqual([expect.objectContaining({ key: TRIGGER_TICK_SCHEDULER })]);
    } finally {
      await service.shutdown('test');
      await queue.close();
      await deleteKeys(own);
    }
  });

  test('when processes run with different RETRAIN_CRON, then the newest start says it replaces the other schedule, and the older process does not flip it back', async () => {
    const own = `test-${randomUUID()}`;
    const retrain = new Queue(QUEUE.retrainAll, { connection: { url: REDIS_URL }, prefix: `${own}:bull` });
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const nightly = await startService(testEnv(own), { schedulerRefreshMs: 200 });
    try {
      const often = await startService(testEnv(own, { RETRAIN_CRON: '*/2 * * * *', LOG_LEVEL: 'warn' }), { log: createLogger('warn', 'wfm', sink) });
      await often.shutdown('test');
      expect(lines.join('')).toContain('RETRAIN_CRON of this process (*/2 * * * * (UTC)) replaces the schedule another process registered (0 2 * * * (UTC))');
      // the nightly process keeps refreshing (every 200 ms here): it restores missing schedules only
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await retrain.getJobScheduler(NIGHTLY_RETRAIN_SCHEDULER)).toMatchObject({ pattern: '*/2 * * * *' });
    } finally {
      await nightly.shutdown('test');
      await retrain.close();
      await deleteKeys(own);
    }
  });
});
