/**
 * What a queue is: its name, how many jobs one worker runs at once, and the processor.
 * Every processor is built in-process from the shared context and runs on the worker's event loop. A
 * CPU-heavy one hands its computation to a worker thread by runInWorkerThread (./thread-runner.ts):
 * training and roster builds from src/services, the simulation from jobs/simulate.ts. So a long
 * computation cannot stall the event loop that renews the job's lock.
 */
import type { JobsOptions, Processor } from 'bullmq';
import type { Config } from '../config/config';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { Queues } from './queues';
import type { FsModelRegistry } from '../registry/fs-model-registry';

export interface JobContext {
  config: Config;
  store: Store;
  queues: Queues;
  registry: FsModelRegistry;
  log: Logger;
  now: () => number;
}

export interface JobDefinition {
  queue: string;
  description: string;
  concurrency: number;
  /** builds the processor from the shared context (jobs/<queue>.ts) */
  processor: (ctx: JobContext) => Processor;
  jobOptions?: JobsOptions;
  /** lock duration for long jobs (ms); BullMQ renews it every half of this while the job runs */
  lockDurationMs?: number;
}

/** Retention and retries every job gets unless its definition says otherwise. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 5_000 },
};

/**
 * How many times a job may be interrupted and still go back to its queue: its worker was killed, or
 * stopped with the job unfinished when its grace period ran out, so the job's lock lapsed and BullMQ's
 * stalled-job check found it. Interruptions are not attempts: with BullMQ's default of 1, a rolling
 * restart that hit a roster build or a training twice failed it for good, whatever its `attempts`.
 * 3 lets it live through a rolling restart of a couple of workers; a job interrupted more often than
 * that is more likely what brings its worker down (out of memory) and is not put back for ever.
 */
export const MAX_STALLED_COUNT = 3;

/** BullMQ's own reason for a job that stalled more than MAX_STALLED_COUNT times (matched to replace it). */
export const BULLMQ_STALLED_REASON = 'job stalled more than allowable limit';

/**
 * What a job failed for being interrupted too often answers to whoever asks for its status: BullMQ's line
 * explains nothing to a planner, and no worker log says more about it. undefined: it failed otherwise.
 */
export function stalledFailureReason(job: { failedReason?: string; stalledCounter?: number }): string | undefined {
  if (job.failedReason !== BULLMQ_STALLED_REASON) return undefined;
  return `interrupted ${job.stalledCounter ?? MAX_STALLED_COUNT + 1} times by worker restarts or crashes; request it again`;
}
