/**
 * `deliver-callout`: sends one callout (or its release message) to the SMS webhook (signed, with retries and backoff inside) and
 * records the outcome. Job data carries the callout id only: the phone number is read from the agent at
 * send time, so it never sits in Redis job data, job results or logs.
 */
import type { Processor } from 'bullmq';
import { invalid } from '../src/errors/wfm-error';
import type { JobContext } from '../src/queue/definitions';
import { deliverStoredCallout } from '../src/services/trigger';

export const deliverCalloutProcessor = (ctx: JobContext): Processor => async (job) => {
  const { calloutId, kind = 'callout' } = job.data as { calloutId?: unknown; kind?: unknown };
  if (typeof calloutId !== 'string' || !calloutId) throw invalid('deliver-callout needs { calloutId }', [{ where: '/data/calloutId', message: 'missing' }]);
  if (kind !== 'callout' && kind !== 'release') throw invalid('deliver-callout kind must be "callout" or "release"', [{ where: '/data/kind', message: 'unknown message kind' }]);
  return deliverStoredCallout(
    {
      store: ctx.store,
      config: ctx.config,
      now: ctx.now,
      client: {
        // The signature timestamp is checked against the gateway's real clock (replay protection).
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        // a callout given up on is what an operator must hear of (a gateway down in a storm): warn
        log: (event) => (event.event === 'callout-dead-letter' ? ctx.log.warn(event, String(event.event)) : ctx.log.info(event, String(event.event))),
      },
    },
    calloutId,
    kind,
  );
};
