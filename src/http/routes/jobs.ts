/** Status of any queued job: state, progress, attempts, failure reason and (when done) its result. */
import { Router } from 'express';
import { WfmError } from '../../errors/wfm-error';
import type { Queues } from '../../queue/queues';
import { stalledFailureReason } from '../../queue/definitions';
import { guarded } from '../../store/redis';

export interface JobStatus {
  id: string;
  queue: string;
  state: string;
  progress: unknown;
  attemptsMade: number;
  failedReason?: string;
  result?: unknown;
  createdAt: string;
  finishedAt?: string;
}

export async function jobStatus(queues: Queues, queue: string, id: string): Promise<JobStatus> {
  // State first, then the job: a job that completes in between is then reported as still running,
  // never as "completed" without its result (the job hash read before completion has no returnvalue).
  const state = await guarded(queues.get(queue).getJobState(id));
  const job = state === 'unknown' ? undefined : await guarded(queues.get(queue).getJob(id));
  if (!job) throw new WfmError('not-found', `job ${id} does not exist in ${queue} (finished jobs are kept for 7 days, failed ones for 30)`);
  return {
    id: job.id!,
    queue,
    state,
    progress: job.progress,
    attemptsMade: job.attemptsMade,
    // a job interrupted too often (a training hit by worker restarts) says so, not BullMQ's line. A job
    // that completed after a failed attempt keeps BullMQ's reason of that attempt: not shown, as it would
    // read as the outcome (attemptsMade says it was retried)
    ...(job.failedReason && state !== 'completed' ? { failedReason: stalledFailureReason(job) ?? job.failedReason } : {}),
    ...(state === 'completed' ? { result: job.returnvalue } : {}),
    createdAt: new Date(job.timestamp).toISOString(),
    ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
  };
}

export function jobRoutes(queues: Queues): Router {
  const r = Router();
  r.get('/jobs/:queue/:jobId', async (req, res) => {
    if (!queues.all().some((q) => q.name === req.params.queue)) throw new WfmError('not-found', `no queue named ${req.params.queue}`);
    res.json(await jobStatus(queues, req.params.queue, req.params.jobId));
  });
  return r;
}
