/**
 * `retrain-all`: the nightly fan-out, produced by the job scheduler: one `train-forecaster` job per skill
 * group and horizon. Deterministic job ids per scheduled run keep a re-delivered run from doubling the
 * work, and a schedule that runs more than once a day (every 6 hours) trains each time.
 */
import type { Processor } from 'bullmq';
import type { JobContext } from '../src/queue/definitions';
import { QUEUE } from '../src/queue/names';
import { HORIZONS, tooLittleHistoryToTrain } from '../src/services/forecasting';
import { MIN_HISTORY_DAYS } from '../src/forecast';

export const retrainAllProcessor = (ctx: JobContext): Processor => async (job) => {
  const groups = await ctx.store.skillGroups.list();
  // when the scheduler meant it to run (created earlier with the delay to its slot), to the minute
  const due = new Date(job.timestamp + (job.opts?.delay ?? 0)).toISOString();
  const night = due.slice(0, 10);
  const run = `${night}T${due.slice(11, 13)}${due.slice(14, 16)}`; // no ':' in a BullMQ job id
  const jobIds: string[] = [];
  // a group with no history yet (just created, or overflow only), or less than the learned models need,
  // has nothing to learn from: its jobs would fail every night and fill the failure metrics
  const withHistory: typeof groups = [];
  for (const group of groups) if (!(await tooLittleHistoryToTrain(ctx.store, group, Date.parse(due)))) withHistory.push(group);
  const skipped = groups.filter((g) => !withHistory.includes(g)).map((g) => g.id);
  if (skipped.length) ctx.log.info({ skipped }, `nightly retrain: skill groups with less than ${MIN_HISTORY_DAYS} days of history skipped`);
  for (const group of withHistory) {
    for (const horizon of HORIZONS) {
      jobIds.push(await ctx.queues.add(QUEUE.trainForecaster, { skillGroupId: group.id, horizon }, { jobId: `nightly-${run}-${group.id}-${horizon}` }));
    }
  }
  return { night, run, jobs: jobIds.length, skipped };
};
