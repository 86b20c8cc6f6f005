/**
 * Work-starting requests are refused (429, Retry-After) while the queue they feed already holds this
 * much waiting work: one key sending a hundred drills or ticks at once would otherwise fill the queue and
 * Redis (a simulation result is up to 50,000 rows) ahead of everybody's real requests. The limits are
 * far above what planners send by hand; the nightly retrain's fan-out does not pass through here.
 */
import type { RequestHandler } from 'express';
import { WfmError } from '../errors/wfm-error';
import { QUEUE } from '../queue/names';
import type { Queues } from '../queue/queues';
import { asUnavailable } from '../store/redis';

export const WAITING_LIMITS: Record<string, number> = {
  [QUEUE.simulate]: 50,
  [QUEUE.buildRoster]: 50,
  [QUEUE.trainForecaster]: 200,
  [QUEUE.forecast]: 200,
  // one tick per minute does the work; ticks asked for on top of that are for testing and drills
  [QUEUE.triggerTick]: 5,
};

/** Seconds a refused client is told to wait. */
const RETRY_AFTER_SECONDS = 30;

export function refuseWhenBacklogged(queues: Queues, queue: string): RequestHandler {
  const limit = WAITING_LIMITS[queue];
  return async (_req, res, next) => {
    try {
      const waiting = await queues.get(queue).getWaitingCount();
      if (waiting < limit) return next();
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      next(new WfmError('busy', `${waiting} ${queue} jobs are waiting already (at most ${limit}): try again in a while`, { details: [{ where: '/', message: `the ${queue} queue is full` }] }));
    } catch (err) {
      next(asUnavailable(err));
    }
  };
}
