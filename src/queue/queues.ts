/**
 * Producers: one BullMQ Queue per job kind over the fail-fast connection, so enqueuing while Redis is
 * down answers 503 at once instead of hanging the request.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_JOB_OPTIONS } from './definitions';
import { asUnavailable } from '../store/redis';
import { currentRequestId } from '../log';

/**
 * The job's data with the id of the request (or of the job) that enqueues it, so the worker's lines about
 * the job can be matched with the request's (see log.ts). Taken from the async context: no service has
 * to pass it along. Data that names a request id of its own keeps it.
 */
export function withRequestId<T extends object>(data: T): T & { requestId?: string } {
  const requestId = currentRequestId();
  return requestId === undefined || 'requestId' in data ? data : { ...data, requestId };
}

export class Queues {
  private readonly byName = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    /** BullMQ key prefix, e.g. "wfm:bull": deployments and tests sharing a Redis stay apart */
    readonly prefix: string,
    private readonly jobOptions: Record<string, JobsOptions | undefined> = {},
  ) {}

  get(name: string): Queue {
    let queue = this.byName.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, ...this.jobOptions[name] },
      });
      queue.on('error', () => undefined); // connection errors surface on the calls that need Redis
      this.byName.set(name, queue);
    }
    return queue;
  }

  /** Adds a job; a Redis outage becomes WfmError('unavailable'). */
  async add<T extends object>(name: string, data: T, options?: JobsOptions): Promise<string> {
    // BullMQ waits for a connection that is down; the API must answer 503 at once instead
    if (this.connection.status !== 'ready') throw asUnavailable(new Error('Connection is closed'));
    try {
      const job = await this.get(name).add(name, withRequestId(data), options);
      return job.id!;
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  /**
   * Adds the job with this id, or puts a failed one with that id back to work: BullMQ keeps failed jobs
   * (for inspection) and ignores an add with their id, so work that is asked for again until it is done
   * (a callout whose delivery job failed when its worker died twice) would otherwise never run again.
   */
  async addOrRetry<T extends object>(name: string, data: T, jobId: string): Promise<string> {
    if (this.connection.status !== 'ready') throw asUnavailable(new Error('Connection is closed'));
    try {
      const existing = await this.get(name).getJob(jobId);
      if (existing && (await existing.isFailed())) {
        await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return jobId;
      }
      return (await this.get(name).add(name, withRequestId(data), { jobId })).id!;
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  all(): Queue[] {
    return [...this.byName.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close().catch(() => undefined)));
  }
}
