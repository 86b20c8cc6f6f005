/**
 * Progress a job reports without waiting for it (a roster build's phases, a training's epochs): when it
 * cannot be saved — the job's key vanished with a Redis restarted empty — the job goes on, the failure is
 * logged once at warn, and nothing is left as an unhandled rejection.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { buildRosterProcessor } from '../../jobs/build-roster';
import { progressReporter } from '../../src/queue/progress';
import type { JobContext } from '../../src/queue/definitions';
import { capturedLog } from '../support/log-capture';
import { deleteKeys, REDIS_URL } from '../support/service';

const tick = () => new Promise((r) => setTimeout(r, 50));

function unhandledRejections(): { seen: unknown[]; stop: () => void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}

describe('progress that cannot be saved', () => {
  test('when a roster build reports progress on a job whose key is gone, then no rejection is left unhandled and one warning says so', async () => {
    const { log, lines } = capturedLog();
    const ctx = { log, now: () => Date.parse('2026-03-02T08:00:00Z'), store: { rosters: { get: async () => undefined, saveBuildFailure: async () => undefined } } } as unknown as JobContext;
    const job = {
      id: 'R1',
      queueName: 'build-roster',
      data: { kind: 'replan', rosterId: 'R1', baseRosterId: 'R0', change: {} },
      updateProgress: () => Promise.reject(new Error('Missing key for job R1. updateProgress')),
    };
    const rejections = unhandledRejections();
    try {
      // the base roster does not exist: the build fails after its first progress report
      await expect(buildRosterProcessor(ctx)(job as never)).rejects.toThrow('roster R0 does not exist');
      await tick();
    } finally {
      rejections.stop();
    }
    expect(rejections.seen).toEqual([]);
    expect(lines.filter((l) => l.level === 40)).toEqual([
      expect.objectContaining({ queue: 'build-roster', jobId: 'R1', err: 'Missing key for job R1. updateProgress', msg: expect.stringContaining('job progress could not be saved') }),
    ]);
  });

  test('when a real job is removed while it reports progress, then every report fails quietly after one warning', async () => {
    const prefix = `test-${randomUUID()}`;
    const queue = new Queue(`progress-${randomUUID()}`, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    const { log, lines } = capturedLog();
    const rejections = unhandledRejections();
    try {
      const job = await queue.add('x', {});
      await job.remove();
      const report = progressReporter(job, log);
      report({ percent: 10 });
      report({ percent: 20 });
      report({ percent: 30 });
      await tick();
    } finally {
      rejections.stop();
      await queue.close();
      await deleteKeys(prefix);
    }
    expect(rejections.seen).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 40, err: expect.stringContaining('Missing key') })]);
  });
});
