/**
 * A BullMQ worker that rests after a failed fetch. BullMQ (6.x) retries a fetch that failed for another
 * reason than a lost connection — Redis out of memory refusing the fetch script, say — at once, in a loop
 * as fast as Redis answers: thousands of failures a second, each an 'error' event and a core busy. Here
 * each failure in a row waits longer (1 s, 2 s, 4 s … 10 s at most) before it is reported and the fetch is
 * tried again. A fetch that works resets the wait and calls `onFetched`. Closing or pausing cuts a rest short.
 */
import { Worker, type Job } from 'bullmq';
import { isConnectionLoss } from './worker-errors';

export const FETCH_BACKOFF_MAX_MS = 10_000;

/** The rest after the n-th failed fetch in a row. */
export function fetchBackoffMs(failuresInARow: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failuresInARow - 1), FETCH_BACKOFF_MAX_MS);
}

export class PacedWorker extends Worker {
  /** called after each fetch that Redis answered (with a job or without) */
  onFetched?: () => void;
  private failedFetches = 0;
  private wake?: () => void;

  protected override async moveToActive(token: string, name?: string): Promise<Job> {
    let job: Job;
    try {
      job = await super.moveToActive(token, name);
    } catch (err) {
      // a lost connection: ioredis reconnects, and BullMQ waits on it already
      if (!isConnectionLoss(err)) {
        this.failedFetches += 1;
        await this.rest(fetchBackoffMs(this.failedFetches));
      }
      throw err;
    }
    this.failedFetches = 0;
    this.onFetched?.();
    return job;
  }

  override async pause(doNotWaitActive?: boolean): Promise<void> {
    const paused = super.pause(doNotWaitActive);
    this.wake?.();
    return paused;
  }

  override async close(force?: boolean): Promise<void> {
    const closed = super.close(force);
    this.wake?.();
    return closed;
  }

  private rest(ms: number): Promise<void> {
    if (this.closing || this.isPaused()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
