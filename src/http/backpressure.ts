/**
 * Work-starting requests are refused (429, Retry-After) while the queue they feed already holds this
 * much waiting work: one key sending a hundred drills or ticks at once would otherwise fill the queue and
 * Redis (a simulation result is up to 50,000 rows) ahead of everybody's real requests. The limits are
 * far above what planners send by hand; the nightly retrain's fan-out does not pass through here.
 *
 * "At once" is the case to hold: reading the waiting count and adding the job later are two steps, and a
 * burst of simultaneous requests all read the same count before any of them adds its job. So each request
 * first takes a place in a reservation set in Redis (shared by every API process), and counts the places
 * taken together with the waiting jobs; it keeps its place until it has answered, by which time its job
 * (if any) waits in the queue. A job is thus counted at least once from the moment its request is let
 * through: of requests arriving together, the last to take a place sees all the others.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
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

/**
 * A place is given back when its request has answered; one whose process died before that lapses after
 * this long (far longer than a work-starting request takes to answer once its body has arrived).
 */
const RESERVATION_TTL_MS = 60_000;

/**
 * Takes a place (ARGV[1]) in the reservation set, drops places older than the TTL (ARGV[2]), and returns
 * how many are taken now, this one included. Redis's clock, not the processes': they may differ.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;

/**
 * @param reservationsKey the Redis key of the queue's reservation set (one per deployment and queue)
 * @param limit the most waiting jobs (WAITING_LIMITS by default)
 */
export function refuseWhenBacklogged(queues: Queues, queue: string, redis: Redis, reservationsKey: string, limit = WAITING_LIMITS[queue]): RequestHandler {
  return async (_req, res, next) => {
    const place = randomUUID();
    let held = false;
    const giveBack = () => {
      if (!held) return;
      held = false;
      // best effort: a place not given back lapses after RESERVATION_TTL_MS
      redis.zrem(reservationsKey, place).catch(() => undefined);
    };
    try {
      const taken = Number(await redis.eval(RESERVE, 1, reservationsKey, place, String(RESERVATION_TTL_MS)));
      held = true;
      // 'finish' once the answer is sent (the job, if any, is in the queue by then); 'close' when the client went first
      res.once('finish', giveBack);
      res.once('close', giveBack);
      const waiting = await queues.get(queue).getWaitingCount();
      // the places taken besides this one belong to requests let through (or about to be) whose jobs may not be queued yet
      const ahead = waiting + taken - 1;
      if (ahead < limit) return next();
      giveBack();
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      next(new WfmError('busy', `${ahead} ${queue} jobs are waiting already (at most ${limit}): try again in a while`, { details: [{ where: '/', message: `the ${queue} queue is full` }] }));
    } catch (err) {
      giveBack();
      next(asUnavailable(err));
    }
  };
}
