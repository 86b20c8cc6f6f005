/**
 * Runs BullMQ workers for a chosen set of queues. `npm start` runs all of them beside the API;
 * `npm run worker -- <queues>` runs only some, so workers can be spread over machines sharing one Redis.
 *
 * Shutdown: `close(graceMs)` stops taking new jobs and waits for active ones; after the grace period it
 * forces the close, and the unfinished jobs' locks lapse so BullMQ's stalled-job check returns them to
 * the queue for another worker (or this one after a restart), up to MAX_STALLED_COUNT times a job.
 */
import { UnrecoverableError, type Processor, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../store/redis';
import { isWfmError, WfmError } from '../errors/wfm-error';
import { MAX_STALLED_COUNT, stalledFailureReason, type JobContext, type JobDefinition } from './definitions';
import type { Metrics } from '../http/metrics';
import { QUEUE } from './names';
import { withLogContext, type Logger } from '../log';
import { deadLetterCause, decisionReasonLabel } from './job-outcomes';
import { PacedWorker } from './paced-worker';
import { isConnectionLoss, redisGreeting, WorkerErrorReport } from './worker-errors';

/** `disconnected`: the worker runs but one of its Redis connections is not up, so it takes no job. */
export type WorkerState = 'running' | 'stopped' | 'closing' | 'disconnected';

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
  /**
   * Each worker's Redis connections: the one we create (its commands: BullMQ treats a passed-in connection
   * as shared and leaves it open) and the blocking one BullMQ duplicates from it for the fetch (and closes
   * itself). A worker takes jobs only while both are up.
   */
  private readonly connections = new Map<string, Redis[]>();
  /** jobs each worker's processor is running now (their ids): a worker holding none has nothing to wait for at shutdown */
  private readonly running = new Map<string, Set<string>>();
  /**
   * Redis lost by a worker connection and not back yet. Every reconnect attempt of every connection
   * reports an error (dozens a minute per process): the loss is said once, and the recovery once.
   */
  private redisLost = false;
  /** closing: connections closed on purpose say nothing */
  private closing = false;
  /** the loss's warning, said once what Redis answers a new connection is known (see redisGone) */
  private lossSaid: Promise<void> = Promise.resolve();
  private readonly errors: WorkerErrorReport;

  constructor(
    private readonly definitions: JobDefinition[],
    private readonly ctx: JobContext,
    private readonly metrics: Metrics | undefined,
    private readonly options: { stalledIntervalMs?: number } = {},
  ) {
    this.errors = new WorkerErrorReport(ctx.log);
  }

  queueNames(): string[] {
    return this.definitions.map((d) => d.queue);
  }

  start(only?: string[]): void {
    checkQueueNames(this.definitions, only ?? []);
    for (const def of this.definitions.filter((d) => !only?.length || only.includes(d.queue))) {
      const processor = this.counted(def.queue, withErrorPolicy(def.processor(this.ctx), this.ctx.log));
      const connection = createRedis(this.ctx.config.redisUrl, 'blocking', `wfm-worker-${def.queue}`);
      const connections: Redis[] = [];
      this.connections.set(def.queue, connections);
      const watch = (c: Redis) => {
        connections.push(c);
        // ioredis reports every failed reconnect here; BullMQ forwards only some of them as worker errors
        c.on('error', (err: Error) => {
          if (isConnectionLoss(err)) this.redisGone(def.queue, err);
        });
        c.on('ready', () => this.redisBack());
      };
      watch(connection);
      // the blocking connection BullMQ makes in the Worker's constructor: watched as well
      const duplicate = connection.duplicate.bind(connection);
      connection.duplicate = (override) => {
        const copy = duplicate(override);
        watch(copy);
        return copy;
      };
      const worker = new PacedWorker(def.queue, processor, {
        connection,
        prefix: this.ctx.queues.prefix,
        concurrency: def.concurrency,
        lockDuration: def.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        maxStalledCount: MAX_STALLED_COUNT,
      });
      worker.onFetched = () => this.errors.over(def.queue);
      worker.on('error', (err) => {
        if (isConnectionLoss(err)) this.redisGone(def.queue, err);
        else this.errors.error(def.queue, err);
      });
      // emitted by the worker whose check found the job (any worker of the queue), once per interruption
      worker.on('stalled', (jobId) => void this.logStalled(def.queue, jobId));
      worker.on('completed', (job) => {
        this.metrics?.jobDuration.observe({ queue: def.queue, outcome: 'completed' }, ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000);
        this.countOutcome(def.queue, job.data, job.returnvalue);
      });
      worker.on('failed', (job, err) => {
        // UnrecoverableError: bad input, failed for good at once; otherwise a retry follows while attempts are left
        const unrecoverable = err instanceof UnrecoverableError || err.name === 'UnrecoverableError';
        const stalled = job !== undefined && stalledFailureReason(job) !== undefined;
        const final = !job || unrecoverable || stalled || job.attemptsMade >= (job.opts.attempts ?? 1);
        this.metrics?.jobFailures.inc({ queue: def.queue, final: String(final), retryable: String(!unrecoverable && !stalled) });
        if (job) this.metrics?.jobDuration.observe({ queue: def.queue, outcome: 'failed' }, ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000);
        this.ctx.log.warn({ queue: def.queue, jobId: job?.id, ...requestIdOf(job?.data), attempts: job?.attemptsMade, final, err: (job && stalledFailureReason(job)) ?? err.message }, 'job failed');
      });
      worker.on('closed', () => this.states.set(def.queue, 'stopped'));
      this.workers.set(def.queue, worker);
      this.states.set(def.queue, 'running');
    }
  }

  /**
   * Runs the job with its queue, id and the request id it carries said on every line logged meanwhile (and
   * handed on to the jobs it enqueues), between one line when it starts and one when it is done.
   */
  private counted(queue: string, processor: Processor): Processor {
    return async (job, token, signal) => {
      const jobId = String(job.id);
      const running = this.running.get(queue) ?? new Set<string>();
      this.running.set(queue, running);
      running.add(jobId);
      const context = { queue, jobId, ...requestIdOf(job.data) };
      const started = performance.now();
      try {
        return await withLogContext(context, async () => {
          this.ctx.log.info({ attempt: job.attemptsMade + 1 }, 'job started');
          const result: unknown = await processor(job, token, signal);
          this.ctx.log.info({ durationMs: Math.round(performance.now() - started) }, 'job completed');
          return result;
        });
      } finally {
        running.delete(jobId);
      }
    };
  }

  /** What a completed job's result says that the metrics count: a message's outcome, a tick's decisions. */
  private countOutcome(queue: string, data: unknown, result: unknown): void {
    if (!this.metrics || typeof result !== 'object' || result === null) return;
    if (queue === QUEUE.deliverCallout) {
      const { outcome, reason } = result as { outcome?: unknown; reason?: string };
      const message = (data as { kind?: string } | undefined)?.kind === 'release' ? 'release' : 'callout';
      if (typeof outcome === 'string') this.metrics.calloutMessages.inc({ message, outcome });
      if (outcome === 'dead-letter') this.metrics.calloutDeadLetters.inc({ message, cause: deadLetterCause(reason) });
    }
    if (queue === QUEUE.triggerTick) {
      const decisions = (result as { decisions?: Record<string, number> }).decisions ?? {};
      for (const [reason, n] of Object.entries(decisions)) if (typeof n === 'number') this.metrics.triggerDecisions.inc({ reason: decisionReasonLabel(reason) }, n);
    }
  }

  /**
   * A refused connection shows only as a closed socket (EPIPE, ECONNRESET): what Redis said before closing
   * it (`ERR max number of clients reached`) is asked once with a connection of its own and said with the loss.
   */
  private redisGone(queue: string, err: Error): void {
    if (this.redisLost || this.closing) return;
    this.redisLost = true;
    this.lossSaid = redisGreeting(this.ctx.config.redisUrl).then((said) => {
      const reason = said ?? (/^ERR /.test(err.message) ? err.message : undefined);
      this.ctx.log.warn(
        { queue, err: err.message, ...(reason ? { reason } : {}) },
        reason
          ? `Redis connection lost (Redis says: ${reason}): the workers wait for it and resume when it is back`
          : 'Redis connection lost: the workers wait for it and resume when it is back',
      );
    });
  }

  /** Back when every connection of every running worker is up again (not just the first to reconnect). */
  private redisBack(): void {
    if (!this.redisLost) return;
    const down = [...this.connections.entries()].some(([queue, connections]) => this.states.get(queue) === 'running' && connections.some((c) => c.status !== 'ready'));
    if (down) return;
    this.redisLost = false;
    void this.lossSaid.then(() => this.ctx.log.info('Redis connection back: the workers resume'));
  }

  private connected(queue: string): boolean {
    return (this.connections.get(queue) ?? []).every((c) => c.status === 'ready');
  }

  private async logStalled(queue: string, jobId: string): Promise<void> {
    const job = await this.ctx.queues.get(queue).getJob(jobId).catch(() => undefined);
    const stalledCount = job?.stalledCounter;
    const tooOften = stalledCount !== undefined && stalledCount > MAX_STALLED_COUNT;
    this.ctx.log.warn(
      { queue, jobId, stalledCount, maxStalledCount: MAX_STALLED_COUNT },
      tooOften
        ? 'job stalled once too often (its worker stopped or crashed while running it): it fails as interrupted'
        : 'job stalled (its worker stopped or crashed while running it): put back in its queue',
    );
  }

  status(): Record<string, WorkerState> {
    const out: Record<string, WorkerState> = {};
    for (const [name, worker] of this.workers) {
      const state = this.states.get(name) ?? 'stopped';
      out[name] = state === 'running' && !worker.isRunning() ? 'stopped' : state === 'running' && !this.connected(name) ? 'disconnected' : state;
    }
    return out;
  }

  /**
   * `forced`: the queues whose workers still ran a job when the grace period was over; `unfinished`: those
   * jobs (they go back to their queue when their lock lapses).
   */
  async close(graceMs: number): Promise<{ forced: string[]; unfinished: Array<{ queue: string; jobId: string }> }> {
    const forced: string[] = [];
    const unfinished: Array<{ queue: string; jobId: string }> = [];
    this.closing = true;
    const holdsJobs = (name: string) => (this.running.get(name)?.size ?? 0) > 0;
    await Promise.all(
      [...this.workers.entries()].map(async ([name, worker]) => {
        this.states.set(name, 'closing');
        // A worker holding no job has nothing to wait for; while Redis is away its pause() would still
        // wait (BullMQ reconnects before it resolves) until the grace period ran out. With Redis up the
        // pause is quick and also takes in a job fetched at this very moment, so it is kept then.
        const idleOffline = !holdsJobs(name) && !this.connected(name);
        if (!idleOffline) {
          // pause() stops taking jobs and resolves when the active ones are done; close() could not be
          // upgraded to a forced close once started, so the wait is raced against the grace period here.
          const drained = worker.pause().then(() => true);
          const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
          if (!(await Promise.race([drained, timedOut])) && holdsJobs(name)) {
            forced.push(name);
            for (const jobId of this.running.get(name) ?? []) unfinished.push({ queue: name, jobId });
          }
        }
        await worker.close(true);
        this.states.set(name, 'stopped');
      }),
    );
    // BullMQ closed the blocking connections it made; ours is left: one not up would hold QUIT until Redis
    // is back (its offline queue)
    await Promise.all([...this.connections.values()].flat().map((c) => (c.status === 'end' ? undefined : c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
    return { forced, unfinished };
  }
}

/** The request id a job's data carries (queues.ts puts it there), as a log field. */
function requestIdOf(data: unknown): { requestId?: string } {
  const requestId = (data as { requestId?: unknown } | undefined)?.requestId;
  return typeof requestId === 'string' ? { requestId } : {};
}

/** The queues a process is asked to work must exist (a name typed wrong is a start-up mistake, said by name). */
export function checkQueueNames(definitions: readonly JobDefinition[], names: readonly string[]): void {
  const unknown = names.filter((n) => !definitions.some((d) => d.queue === n));
  if (!unknown.length) return;
  throw new WfmError('validation', `unknown queue(s) to work: ${unknown.join(', ')}`, {
    details: [{ where: '--workers-only', message: `known queues: ${definitions.map((d) => d.queue).join(', ')}` }],
  });
}
