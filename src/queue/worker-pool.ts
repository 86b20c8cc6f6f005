/**
 * Runs BullMQ workers for a chosen set of queues. `npm start` runs all of them beside the API;
 * `npm run worker -- <queues>` runs only some, so workers can be spread over machines sharing one Redis.
 *
 * Shutdown: `close(graceMs)` stops taking new jobs and waits for active ones; after the grace period it
 * forces the close, and the unfinished jobs' locks lapse so BullMQ's stalled-job check returns them to
 * the queue for another worker (or this one after a restart).
 */
import { Worker, UnrecoverableError, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../store/redis';
import { isWfmError, WfmError } from '../errors/wfm-error';
import type { JobContext, JobDefinition } from './definitions';
import type { Metrics } from '../http/metrics';
import { QUEUE } from './names';
import type { Logger } from '../log';

export type WorkerState = 'running' | 'stopped' | 'closing';

/** What a failed job says about an unexpected error: its message may name internals (or data), so it stays in the log. */
export const UNEXPECTED_JOB_FAILURE = 'internal: the job failed unexpectedly; the error and its stack are in the worker log';

/**
 * Bad input that a retry cannot fix must not be retried: WfmError(non-retryable) → UnrecoverableError.
 * Anything that is not a WfmError is logged with its stack and fails the attempt (retried with backoff)
 * under a generic reason, because BullMQ keeps the reason in the job and the job status shows it.
 */
export function withErrorPolicy(processor: Processor, log?: Logger): Processor {
  return async (job, token, signal) => {
    try {
      return await processor(job, token, signal);
    } catch (err) {
      if (isWfmError(err) && !err.retryable) {
        const details = err.details.length ? `: ${err.details.map((d) => `${d.where} ${d.message}`).join('; ')}` : '';
        throw new UnrecoverableError(`${err.code}: ${err.message}${details}`);
      }
      if (isWfmError(err)) throw err;
      log?.error({ err, queue: job.queueName, jobId: job.id, attempt: job.attemptsMade + 1 }, 'job failed unexpectedly');
      throw new Error(UNEXPECTED_JOB_FAILURE, { cause: err });
    }
  };
}

export class WorkerPool {
  private readonly workers = new Map<string, Worker>();
  private readonly states = new Map<string, WorkerState>();
  /** connections we created: BullMQ treats a passed-in connection as shared and leaves it open */
  private readonly connections: Redis[] = [];

  constructor(
    private readonly definitions: JobDefinition[],
    private readonly ctx: JobContext,
    private readonly metrics: Metrics | undefined,
    private readonly options: { stalledIntervalMs?: number } = {},
  ) {}

  queueNames(): string[] {
    return this.definitions.map((d) => d.queue);
  }

  start(only?: string[]): void {
    checkQueueNames(this.definitions, only ?? []);
    for (const def of this.definitions.filter((d) => !only?.length || only.includes(d.queue))) {
      const processor = withErrorPolicy(def.processor(this.ctx), this.ctx.log);
      const connection = createRedis(this.ctx.config.redisUrl, 'blocking', `wfm-worker-${def.queue}`);
      this.connections.push(connection);
      const worker = new Worker(def.queue, processor, {
        connection,
        prefix: this.ctx.queues.prefix,
        concurrency: def.concurrency,
        lockDuration: def.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      });
      worker.on('error', (err) => this.ctx.log.error({ err, queue: def.queue }, 'worker error'));
      worker.on('completed', (job) => {
        this.metrics?.jobDuration.observe({ queue: def.queue, outcome: 'completed' }, ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000);
        const outcome = (job.returnvalue as { outcome?: unknown } | undefined)?.outcome;
        if (def.queue === QUEUE.deliverCallout && typeof outcome === 'string') {
          this.metrics?.calloutMessages.inc({ message: (job.data as { kind?: string }).kind === 'release' ? 'release' : 'callout', outcome });
        }
      });
      worker.on('failed', (job, err) => {
        this.metrics?.jobFailures.inc({ queue: def.queue });
        if (job) this.metrics?.jobDuration.observe({ queue: def.queue, outcome: 'failed' }, ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000);
        this.ctx.log.warn({ queue: def.queue, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
      });
      worker.on('closed', () => this.states.set(def.queue, 'stopped'));
      this.workers.set(def.queue, worker);
      this.states.set(def.queue, 'running');
    }
  }

  status(): Record<string, WorkerState> {
    const out: Record<string, WorkerState> = {};
    for (const [name, worker] of this.workers) {
      const state = this.states.get(name) ?? 'stopped';
      out[name] = state === 'running' && !worker.isRunning() ? 'stopped' : state;
    }
    return out;
  }

  async close(graceMs: number): Promise<{ forced: string[] }> {
    const forced: string[] = [];
    await Promise.all(
      [...this.workers.entries()].map(async ([name, worker]) => {
        this.states.set(name, 'closing');
        // pause() stops taking jobs and resolves when the active ones are done; close() could not be
        // upgraded to a forced close once started, so the wait is raced against the grace period here.
        const drained = worker.pause().then(() => true);
        const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
        if (!(await Promise.race([drained, timedOut]))) forced.push(name);
        await worker.close(true);
        this.states.set(name, 'stopped');
      }),
    );
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
    return { forced };
  }
}

/** The queues a process is asked to work must exist (a name typed wrong is a start-up mistake, said by name). */
export function checkQueueNames(definitions: readonly JobDefinition[], names: readonly string[]): void {
  const unknown = names.filter((n) => !definitions.some((d) => d.queue === n));
  if (!unknown.length) return;
  throw new WfmError('validation', `unknown queue(s) to work: ${unknown.join(', ')}`, {
    details: [{ where: '--workers-only', message: `known queues: ${definitions.map((d) => d.queue).join(', ')}` }],
  });
}
