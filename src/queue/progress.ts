/**
 * Progress reports a processor makes without awaiting them (a training's epochs, a roster build's phases).
 * Saving one can fail — the job's key is gone (Redis restarted empty mid-job), Redis is out of memory —
 * and the job goes on regardless: the failure is logged once per job at warn, never left as an unhandled
 * rejection.
 */
import type { Job, JobProgress } from 'bullmq';
import type { Logger } from '../log';

export function progressReporter(job: Pick<Job, 'updateProgress' | 'id' | 'queueName'>, log: Logger): (progress: JobProgress) => void {
  let warned = false;
  return (progress) => {
    job.updateProgress(progress).catch((err: unknown) => {
      if (warned) return;
      warned = true;
      log.warn(
        { queue: job.queueName, jobId: job.id, err: (err as Error)?.message ?? String(err) },
        'job progress could not be saved (further failures of this job are not logged): the job goes on',
      );
    });
  };
}
