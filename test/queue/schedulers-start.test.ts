/** The job schedules are shared by every process of a deployment: who registers them, and what is said. */
import http from 'node:http';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { startService } from '../../src/main';
import { QUEUE } from '../../src/queue/names';
import { NIGHTLY_RETRAIN_SCHEDULER, TRIGGER_TICK_SCHEDULER } from '../../src/queue/schedulers';
import { WfmError } from '../../src/errors/wfm-error';
import { deleteKeys, REDIS_URL, testEnv } from '../support/service';
import { capturedLog } from '../support/log-capture';


describe('registering the job schedules at start', () => {
  const prefix = `test-${randomUUID()}`;
  const retrain = new Queue(QUEUE.retrainAll, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
  const tick = new Queue(QUEUE.triggerTick, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
  afterAll(async () => {
    await retrain.close();
    await tick.close();
    await deleteKeys(prefix);
  });

  test('when an API process cannot start (its port is taken), then it leaves the shared schedules as they were', async () => {
    const running = await startService(testEnv(prefix), { jobs: [] });
    await running.shutdown('test');
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((taken.address() as net.AddressInfo).port);
      const refused = await startService(testEnv(prefix, { PORT: port, RETRAIN_CRON: '30 3 * * *', TRIGGER_TICK_CRON: 'off' }), { jobs: [] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WfmError);
    } finally {
      taken.close();
    }
    expect(await retrain.getJobScheduler(NIGHTLY_RETRAIN_SCHEDULER)).toMatchObject({ pattern: '0 2 * * *' });
    expect(await tick.getJobScheduler(TRIGGER_TICK_SCHEDULER)).toMatchObject({ pattern: '* * * * *' });
  });

  test('when only RETRAIN_TIME_ZONE differs from the registered schedule, then the warning names RETRAIN_TIME_ZONE, not RETRAIN_CRON; and the start says at info which schedules it registered', async () => {
    const first = await startService(testEnv(prefix, { RETRAIN_TIME_ZONE: 'UTC' }), { jobs: [] });
    await first.shutdown('test');
    const { log, lines } = capturedLog();
    const second = await startService(testEnv(prefix, { RETRAIN_TIME_ZONE: 'Europe/Berlin' }), { jobs: [], log });
    await second.shutdown('test');

    const warnings = lines.filter((l) => l.level === 40 && l.scheduler === NIGHTLY_RETRAIN_SCHEDULER);
    expect(warnings).toEqual([
      expect.objectContaining({
        settings: ['RETRAIN_TIME_ZONE'],
        msg: 'RETRAIN_TIME_ZONE of this process (0 2 * * * (Europe/Berlin)) replaces the schedule another process registered (0 2 * * * (UTC)): run every API process with the same RETRAIN_TIME_ZONE',
      }),
    ]);
    expect(lines.filter((l) => String(l.msg).startsWith('job schedules registered'))).toEqual([
      expect.objectContaining({ level: 30, retrainCron: '0 2 * * *', retrainTimeZone: 'Europe/Berlin', triggerTickCron: '* * * * *', msg: 'job schedules registered: retrain 0 2 * * * (Europe/Berlin), trigger tick * * * * *' }),
    ]);
  });

  test('when both RETRAIN_CRON and RETRAIN_TIME_ZONE differ, then the warning names both', async () => {
    const first = await startService(testEnv(prefix, { RETRAIN_TIME_ZONE: 'Europe/Berlin' }), { jobs: [] });
    await first.shutdown('test');
    const { log, lines } = capturedLog();
    const service = await startService(testEnv(prefix, { RETRAIN_CRON: '0 4 * * *', RETRAIN_TIME_ZONE: 'UTC' }), { jobs: [], log });
    await service.shutdown('test');
    expect(lines.filter((l) => l.level === 40 && l.scheduler === NIGHTLY_RETRAIN_SCHEDULER)).toEqual([
      expect.objectContaining({ settings: ['RETRAIN_CRON', 'RETRAIN_TIME_ZONE'], msg: expect.stringContaining('run every API process with the same RETRAIN_CRON and RETRAIN_TIME_ZONE') }),
    ]);
  });
});
