/**
 * Repeating jobs registered with BullMQ's job schedulers (upsertJobScheduler is idempotent, so every
 * API process may register them at start and exactly one job is produced per tick).
 *
 * The schedule lives in Redis, shared by every process of a deployment. At start a process registers its
 * own settings once it is up (the newest start wins, and it says so when it replaces another schedule:
 * processes run with different RETRAIN_CRON, RETRAIN_TIME_ZONE or TRIGGER_TICK_CRON). Afterwards it only puts back a scheduler that has
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
  /** the variables that set it: its pattern's, and its zone's where it has one */
  settings: { pattern: string; tz?: string };
  /** undefined: the scheduler is off (removed) */
  repeat: { pattern: string; tz?: string } | undefined;
}

function wantedSchedulers(ctx: JobContext): Wanted[] {
  return [
    { id: NIGHTLY_RETRAIN_SCHEDULER, queue: QUEUE.retrainAll, settings: { pattern: 'RETRAIN_CRON', tz: 'RETRAIN_TIME_ZONE' }, repeat: { pattern: ctx.config.retrainCron, tz: ctx.config.retrainTimeZone } },
    { id: TRIGGER_TICK_SCHEDULER, queue: QUEUE.triggerTick, settings: { pattern: 'TRIGGER_TICK_CRON' }, repeat: ctx.config.trigger.tickCron === 'off' ? undefined : { pattern: ctx.config.trigger.tickCron } },
  ];
}

const describe = (repeat: { pattern?: string; tz?: string } | undefined) => (repeat?.pattern ? `${repeat.pattern}${repeat.tz ? ` (${repeat.tz})` : ''}` : 'off');

/**
 * The variables whose values make this process's schedule differ from the registered one: the pattern's
 * when one of them is off or the patterns differ, the zone's when the zones differ.
 */
function differingSettings(w: Wanted, current: { pattern?: string; tz?: string }): string[] {
  const out: string[] = [];
  if (!w.repeat || !current.pattern || w.repeat.pattern !== current.pattern) out.push(w.settings.pattern);
  if (w.repeat && current.pattern && w.settings.tz && (w.repeat.tz ?? '') !== (current.tz ?? '')) out.push(w.settings.tz);
  return out;
}

/**
 * `mode` 'start': register this process's settings, replacing what another process registered (said at
 * warn, naming the variables that differ), and say at info what is registered; 'restore': only create a
 * scheduler that is missing, leaving a registered one as it is.
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
        const differing = differingSettings(w, current);
        const names = differing.join(' and ');
        const verb = differing.length > 1 ? 'replace' : 'replaces';
        ctx.log.warn({ scheduler: w.id, before, after, settings: differing }, `${names} of this process (${after}) ${verb} the schedule another process registered (${before}): run every API process with the same ${names}`);
      }
      // "off" removes a scheduler registered earlier, so the setting takes effect at this start
      if (!w.repeat) await queue.removeJobScheduler(w.id);
      else await queue.upsertJobScheduler(w.id, w.repeat, { name: w.queue, data: {} });
      // a schedule gone missing (Redis restarted empty) and put back is worth a line too
      if (mode === 'restore') ctx.log.info({ scheduler: w.id, schedule: after }, 'job schedule registered again (it was missing)');
    }),
  );
  const wanted = wantedSchedulers(ctx);
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${wanted[i].id}: ${(o.reason as Error).message}`] : []));
  if (failed.length) throw new Error(failed.join('; '));
  // once per start, so the log tells which schedule (and zone) this process runs with
  if (mode === 'start') {
    const retrain = wanted.find((w) => w.id === NIGHTLY_RETRAIN_SCHEDULER)!;
    const tick = wanted.find((w) => w.id === TRIGGER_TICK_SCHEDULER)!;
    ctx.log.info(
      { retrainCron: retrain.repeat?.pattern, retrainTimeZone: retrain.repeat?.tz, triggerTickCron: tick.repeat?.pattern ?? 'off' },
      `job schedules registered: retrain ${describe(retrain.repeat)}, trigger tick ${describe(tick.repeat)}`,
    );
  }
  return { close: async () => undefined };
}
