/** `forecast`: computes the two-week forecast of one skill group with its live model and stores it. */
import type { Processor } from 'bullmq';
import { invalid } from '../src/errors/wfm-error';
import type { JobContext } from '../src/queue/definitions';
import { computeTwoWeekForecast } from '../src/services/forecasting';

export const forecastProcessor = (ctx: JobContext): Processor => async (job) => {
  const { skillGroupId, from } = job.data as { skillGroupId?: unknown; from?: unknown };
  if (typeof skillGroupId !== 'string') throw invalid('forecast needs { skillGroupId }', [{ where: '/data/skillGroupId', message: 'missing' }]);
  const fromMs = typeof from === 'string' ? Date.parse(from) : undefined;
  const result = await computeTwoWeekForecast(ctx, skillGroupId, fromMs);
  return { skillGroupId, points: result.points.length, alias: result.alias, baselineFallback: result.baselineFallback, modelVersion: result.modelVersion };
};
