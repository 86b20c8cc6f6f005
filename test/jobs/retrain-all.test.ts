import type { Job } from 'bullmq';
import { retrainAllProcessor } from '../../jobs/retrain-all';
import type { JobContext } from '../../src/queue/definitions';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';

describe('the nightly retrain fan-out', () => {
  const suite = suiteStore('retrain');

  /** A row on the first and on the last of `days` days up to 2026-11-30. */
  const daysOfHistory = (skillGroupId: string, days: number) => [
    { skillGroupId, start: Date.parse('2026-11-30T08:00:00Z') - (days - 1) * 86_400_000, volume: 12 },
    { skillGroupId, start: Date.parse('2026-11-30T08:00:00Z'), volume: 12 },
  ];

  test('when a skill group has no history yet, or less than the learned models need, then it gets no training jobs (they would fail every night) and the run says so', async () => {
    const store = suite();
    await store.skillGroups.putAll([skillGroup({ id: 'PS' }), skillGroup({ id: 'NEW' }), skillGroup({ id: 'YOUNG' })]);
    await store.history.upsert([...daysOfHistory('PS', 28), ...daysOfHistory('YOUNG', 27)]);
    const queued: string[] = [];
    const logged: unknown[] = [];
    const ctx = {
      store,
      queues: { add: async (_queue: string, _data: unknown, options: { jobId: string }) => (queued.push(options.jobId), options.jobId) },
      log: { info: (fields: unknown) => logged.push(fields) },
    } as unknown as JobContext;
    const result = await retrainAllProcessor(ctx)({ timestamp: Date.parse('2026-12-01T02:00:00Z') } as Job, 'token');
    expect(queued).toEqual(['nightly-2026-12-01T0200-PS-two-week', 'nightly-2026-12-01T0200-PS-realtime']);
    expect(result).toEqual({ night: '2026-12-01', run: '2026-12-01T0200', jobs: 2, skipped: ['NEW', 'YOUNG'] });
    expect(logged).toEqual([{ skipped: ['NEW', 'YOUNG'] }]);
  });

  test('when the schedule runs every 6 hours, then each run queues its own trainings (ids by the run\'s due time, not the day)', async () => {
    const store = suite();
    await store.skillGroups.putAll([skillGroup({ id: 'PS' })]);
    await store.history.upsert(daysOfHistory('PS', 60));
    const queued: string[] = [];
    const ctx = { store, queues: { add: async (_q: string, _d: unknown, o: { jobId: string }) => (queued.push(o.jobId), o.jobId) }, log: { info: () => undefined } } as unknown as JobContext;
    // a scheduler job is created at the previous slot and delayed to its own
    await retrainAllProcessor(ctx)({ timestamp: Date.parse('2026-12-01T00:00:03Z'), opts: { delay: 6 * 3600_000 - 3000 } } as Job, 'token');
    await retrainAllProcessor(ctx)({ timestamp: Date.parse('2026-12-01T06:00:02Z'), opts: { delay: 6 * 3600_000 - 2000 } } as Job, 'token');
    expect(queued).toEqual(['nightly-2026-12-01T0600-PS-two-week', 'nightly-2026-12-01T0600-PS-realtime', 'nightly-2026-12-01T1200-PS-two-week', 'nightly-2026-12-01T1200-PS-realtime']);
  });
});
