/**
 * `train-forecaster`: trains one skill group's forecaster for one horizon (in a worker thread, so the lock
 * keeps being renewed), reports progress per epoch, registers the version and makes it live only if it
 * backtests at least as well as the live one. After a two-week training, the forecast is refreshed.
 */
import type { Processor } from 'bullmq';
import { invalid } from '../src/errors/wfm-error';
import type { JobContext } from '../src/queue/definitions';
import { progressReporter } from '../src/queue/progress';
import { QUEUE } from '../src/queue/names';
import { HORIZONS, trainAndRegister } from '../src/services/forecasting';
import type { Horizon } from '../src/forecast';

export interface TrainForecasterData {
  skillGroupId: string;
  horizon: Horizon;
}

export function parseTrainData(data: unknown): TrainForecasterData {
  const d = data as Partial<TrainForecasterData>;
  if (typeof d?.skillGroupId !== 'string' || !HORIZONS.includes(d.horizon as Horizon)) {
    throw invalid('train-forecaster needs { skillGroupId, horizon: two-week | realtime }', [{ where: '/data', message: JSON.stringify(data) }]);
  }
  return { skillGroupId: d.skillGroupId, horizon: d.horizon as Horizon };
}

export const trainForecasterProcessor = (ctx: JobContext): Processor => async (job, _token, signal) => {
  const data = parseTrainData(job.data);
  const report = progressReporter(job, ctx.log);
  const version = await trainAndRegister(
    ctx,
    data,
    (p) => report({ epoch: p.epoch, epochs: p.epochs, loss: p.loss, percent: Math.round((100 * p.epoch) / p.epochs) }),
    signal,
  );
  // a training without network epochs (too little history for one, or a horizon whose candidates are
  // all classic) reported none: the finished job says 100 %, not the 0 % it started at
  await job.updateProgress({ ...(typeof job.progress === 'object' ? job.progress : {}), percent: 100 });
  if (data.horizon === 'two-week') await ctx.queues.add(QUEUE.forecast, { skillGroupId: data.skillGroupId });
  return { version: version.version, status: version.status, reason: version.reason, wape: version.metrics.wape, liveAlias: version.metrics.liveAlias };
};
