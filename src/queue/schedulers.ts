/**
 * Repeating jobs registered with BullMQ's job schedulers (upsertJobScheduler is idempotent, so every
 * API process may register them at start and exactly one job is produced per tick).
 */
import type { JobContext } from './definitions';
import { QUEUE } from './names';

export interface Schedulers {
  close(): Promise<void>;
}

export const NIGHTLY_RETRAIN_SCHEDULER = 'nightly-retrain';
export const TRIGGER_TICK_SCHEDULER = 'trigger-tick';

export async function startSchedulers(ctx: JobContext): Promise<Schedulers> {
  const ticks = ctx.queues.get(QUEUE.triggerTick);
  // Each on its own: one that fails (Redis away) does not keep the other from being registered.
  // "off" removes a scheduler registered earlier, so the setting takes effect at the next start.
  const outcomes = await Promise.allSettled([
    ctx.queues
      .get(QUEUE.retrainAll)
      .upsertJobScheduler(NIGHTLY_RETRAIN_SCHEDULER, { pattern: ctx.config.retrainCron, tz: ctx.config.retrainTimeZone }, { name: QUEUE.retrainAll, data: {} }),
    ctx.config.trigger.tickCron === 'off'
      ? ticks.removeJobScheduler(TRIGGER_TICK_SCHEDULER)
      : ticks.upsertJobScheduler(TRIGGER_TICK_SCHEDULER, { pattern: ctx.config.trigger.tickCron }, { name: QUEUE.triggerTick, data: {} }),
  ]);
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${[NIGHTLY_RETRAIN_SCHEDULER, TRIGGER_TICK_SCHEDULER][i]}: ${(o.reason as Error).message}`] : []));
  if (failed.length) throw new Error(failed.join('; '));
  return { close: async () => undefined };
}
