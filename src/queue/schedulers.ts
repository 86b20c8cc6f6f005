/**
 * Repeating jobs registered with BullMQ's job schedulers (upsertJobScheduler is idempotent, so every
 * API process may register them at start and exactly one job is produced per tick).
 *
 * The schedule lives in Redis, shared by every process of a deployment. At start a process registers its
 * own settings (the newest start wins, and it says so when it replaces another schedule: processes run
 * with different RETRAIN_CRON or TRIGGER_TICK_CRON). Afterwards it only puts back a scheduler that has
 * gone (Redis restarted empty): re-registering its own settings every few minutes would flip a shared
 * schedule back and forth between processes configured differently.
 */
import type { JobContext } from './definitions';
import { QUEUE } from './names';

export interface Schedulers {
  close(): Promise<void>;
}

export const NIGHTLY_RETRAIN_SCHEDULER = 'nightly-retrain';
export const TRIGGER_TICK_SCHEDULER = 'trigger-tick';

interface Wanted {
  id: string;
  queue: string;
  setting: string;
  /** undefined: the scheduler is off (removed) */
  repeat: { pattern: string; tz?: string } | undefined;
}

function wantedSchedulers(ctx: JobContext): Wanted[] {
  return [
    { id: NIGHTLY_RETRAIN_SCHEDULER, queue: QUEUE.retrainAll, setting: 'RETRAIN_CRON', repeat: { pattern: ctx.config.retrainCron, tz: ctx.config.retrainTimeZone } },
    { id: TRIGGER_TICK_SCHEDULER, queue: QUEUE.triggerTick, setting: 'TRIGGER_TICK_CRON', repeat: ctx.config.trigger.tickCron === 'off' ? undefined : { pattern: ctx.config.trigger.tickCron } },
  ];
}

const describe = (repeat: { pattern?: string; tz?: string } | undefined) => (repeat?.pattern ? `${repeat.pattern}${repeat.tz ? ` (${repeat.tz})` : ''}` : 'off');

/**
 * `mode` 'start': register this process's settings, replacing what another process registered (said at
 * warn); 'restore': only create a scheduler that is missing, leaving a registered one as it is.
 */
export async function startSchedulers(ctx: JobContext, mode: 'start' | 'restore' = 'start'): Promise<Schedulers> {
  // Each on its own: one that fails (Redis away) does not keep the other from being registered.
  const outcomes = await Promise.allSettled(
    wantedSchedulers(ctx).map(async (w) => {
      const queue = ctx.queues.get(w.queue);
      const current = await queue.getJobScheduler(w.id);
      if (mode === 'restore' && (current || !w.repeat)) return;
      const before = current ? describe(current) : 'off';
      const after = describe(w.repeat);
      if (mode === 'start' && current && before !== after) {
        ctx.log.warn({ scheduler: w.id, before, after }, `${w.setting} of this process (${after}) replaces the schedule another process registered (${before}): run every API process with the same ${w.setting}`);
      }
      // "off" removes a scheduler registered earlier, so the setting takes effect at this start
      if (!w.repeat) await queue.removeJobScheduler(w.id);
      else await queue.upsertJobScheduler(w.id, w.repeat, { name: w.queue, data: {} });
    }),
  );
  const ids = wantedSchedulers(ctx).map((w) => w.id);
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${ids[i]}: ${(o.reason as Error).message}`] : []));
  if (failed.length) throw new Error(failed.join('; '));
  return { close: async () => undefined };
}
