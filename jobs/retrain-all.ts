/**
 * `retrain-all`: the nightly fan-out, produced by the job scheduler: one `train-forecaster` job per skill
 * group and horizon. Deterministic job ids per night keep a re-delivered tick from doubling the work.
 */
import type { Processor } from 'bullmq';
import type { JobContext } from '../src/queue/definitions';
import { QUEUE } from '../src/queue/names';
import { HORIZONS } from '../src/services/forecasting';

export const retrainAllProcessor = (ctx: JobContext): Processor => async (job) => {
  const groups = await ctx.store.skillGroups.list();
  const night = new Date(job.timestamp).toISOString().slice(0, 10);
  const jobIds: string[] = [];
  for (const group of groups) {
    for (const horizon of HORIZONS) {
      jobIds.push(await ctx.queues.add(QUEUE.trainForecaster, { skillGroupId: group.id, horizon }, { jobId: `nightly-${night}-${group.id}-${horizon}` }));
    }
  }
  return { night, jobs: jobIds.length };
};
