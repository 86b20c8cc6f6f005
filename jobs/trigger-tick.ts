/**
 * `trigger-tick`: one surge-trigger tick for every skill group with a policy, produced every minute by a
 * job scheduler and on demand (POST /trigger/ticks). Safe to run twice for the same minute: the second
 * run finds the groups already ticked and only re-queues deliveries a crash may have lost.
 */
import type { Processor } from 'bullmq';
import type { JobContext } from '../src/queue/definitions';
import { QUEUE } from '../src/queue/names';
import { runTriggerTick, scheduledCapacityOf } from '../src/services/trigger';
import { idempotencyKeyOf } from '../src/callout/deliver';

export const triggerTickProcessor = (ctx: JobContext): Processor => async () => {
  const started = performance.now();
  const summary = await runTriggerTick({
    store: ctx.store,
    config: ctx.config,
    capacity: scheduledCapacityOf(ctx.store),
    now: ctx.now,
    // Job data is the callout id only; the id as job id makes a second enqueue of the same callout a no-op.
    // a delivery job that failed (its worker died twice mid-send) is put back: the callout is still owed
    // (a release message is a job of its own, its id the message's Idempotency-Key: `<callout id>.release`)
    enqueueDelivery: async (calloutId, kind) =>
      void (await ctx.queues.addOrRetry(QUEUE.deliverCallout, kind === 'release' ? { calloutId, kind } : { calloutId }, idempotencyKeyOf({ type: kind, calloutId }))),
  });
  // A skipped group gets no decision this minute: the operator should hear of it, not only the decision log.
  for (const s of summary.skipped) ctx.log.warn({ skillGroupId: s.skillGroupId, explanation: s.explanation }, 'trigger tick skipped a skill group');
  // A stale feed holds the group (nobody called or released) until it reports again: as loud as a skip.
  for (const s of summary.feedStale) ctx.log.warn({ skillGroupId: s.skillGroupId, explanation: s.explanation }, 'trigger tick held a skill group: its realtime feed is stale');
  return { ...summary, durationMs: Math.round(performance.now() - started) };
};
