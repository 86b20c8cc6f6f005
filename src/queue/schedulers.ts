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
  await ctx.queues
    .get(QUEUE.retrainAll)
    .upsertJobScheduler(NIGHTLY_RETRAIN_SCHEDULER, { pattern: ctx.config.retrainCron, tz: ctx.config.retrainTimeZone }, { name: QUEUE.retrainAll, data: {} });
  const ticks = ctx.queues.get(QUEUE.triggerTick);
  // "off" removes a scheduler registered earlier, so the setting takes effect at the next start.
  if (ctx.config.trigger.tickCron === 'off') await ticks.removeJobScheduler(TRIGGER_TICK_SCHEDULER);
  else await ticks.upsertJobScheduler(TRIGGER_TICK_SCHEDULER, { pattern: ctx.config.trigger.tickCron }, { name: QUEUE.triggerTick, data: {} });
  return { close: async () => undefined };
}
