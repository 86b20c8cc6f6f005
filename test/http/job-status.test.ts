import { jobStatus } from '../../src/http/routes/jobs';
import type { Queues } from '../../src/queue/queues';

/** A queue holding one job in `state`, as BullMQ hands it back (failedReason is kept from a failed attempt). */
function queuesWith(state: string, job: Record<string, unknown>): Queues {
  const queue = { getJobState: async () => state, getJob: async () => ({ id: 'j1', progress: 100, timestamp: Date.UTC(2026, 11, 2), ...job }) };
  return { get: () => queue } as unknown as Queues;
}

describe('job status', () => {
  test('when a job completed on a retry, then its status shows the result, not the failed attempt\'s reason', async () => {
    const status = await jobStatus(queuesWith('completed', { attemptsMade: 2, failedReason: 'ENOTDIR: not a directory', returnvalue: { version: 'v2' }, finishedOn: Date.UTC(2026, 11, 2, 1) }), 'train-forecaster', 'j1');
    expect(status).toMatchObject({ state: 'completed', attemptsMade: 2, result: { version: 'v2' } });
    expect(status.failedReason).toBeUndefined();
  });

  test('when a job failed, or waits for a retry after a failed attempt, then the reason is shown', async () => {
    expect(await jobStatus(queuesWith('failed', { attemptsMade: 3, failedReason: 'ENOTDIR: not a directory' }), 'train-forecaster', 'j1')).toMatchObject({ state: 'failed', failedReason: 'ENOTDIR: not a directory' });
    expect(await jobStatus(queuesWith('delayed', { attemptsMade: 1, failedReason: 'ENOTDIR: not a directory' }), 'train-forecaster', 'j1')).toMatchObject({ state: 'delayed', failedReason: 'ENOTDIR: not a directory' });
  });
});
