/** The minute tick is a BullMQ job scheduler, registered at start; TRIGGER_TICK_CRON=off removes it. */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { startService } from '../../src/main';
import { QUEUE } from '../../src/queue/names';
import { TRIGGER_TICK_SCHEDULER } from '../../src/queue/schedulers';
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
});
