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
