/**
 * The decomposition-net after a long gap in the history (a feed outage, or a file of a few months of a
 * year, like the fixtures' Jan, Feb and Oct 1999). The net went live there with forecasts far off:
 * all zeros (a feature constant on its training rows standardised by a rounding-noise std of 1e-9), or
 * 56 % under (trained only on the few origins just before the data resumed: the gap used up its budget
 * of origins), or judged the winner on three days of data.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureTfBackend } from '../../src/forecast/tf-backend';
import { trainNet, loadNet } from '../../src/forecast/net';
import { addDays, buildDaySeries, headOf } from '../../src/forecast/day-series';
import { buildCalendar } from '../../src/forecast/calendar';
import { calendarFor } from '../../src/forecast/index';
import { trainTwoWeek, forecastTwoWeekDays, netTotalOffBaseline, type DayForecast } from '../../src/forecast/two-week';
import { seededRng } from '../../src/forecast/stats';
import type { IntervalVolume, SkillGroup } from '../../src/domain/types';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';
const fastNet = { epochs: 2, hiddenUnits: [8] };

const fixtures = path.resolve(__dirname, '../../fixtures');
function fixtureSeries(id: string) {
  const group = (JSON.parse(readFileSync(path.join(fixtures, 'skill-groups.json'), 'utf8')) as SkillGroup[]).find((g) => g.id === id)!;
  const rows: IntervalVolume[] = readFileSync(path.join(fixtures, 'history-30min.csv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => line.split(','))
    .filter(([, g]) => g === id)
    .map(([t, g, v]) => ({ skillGroupId: g, start: Date.parse(t), volume: Number(v) }));
  const series = buildDaySeries(rows, { skillGroupId: id, zone: group.timeZone, intervalMinutes: group.intervalMinutes, openingHours: group.openingHours });
  return { series, calendar: calendarFor(series, group, {}) };
}

/** Σ forecast mean / Σ actual over the open intervals with actuals of the days forecast from `origin`. */
function totalRatio(series: ReturnType<typeof buildDaySeries>, origin: number, forecast: DayForecast): number {
  let f = 0;
  let a = 0;
  forecast.dates.forEach((_, d) => {
    const open = series.open[series.weekdays[origin + d] - 1];
    series.values[origin + d]?.forEach((v, s) => {
      if (!open[s] || !Number.isFinite(v)) return;
      f += forecast.mean[d][s];
      a += v;
    });
  });
  return f / a;
}

beforeAll(async () => {
  await ensureTfBackend();
});

describe('the net’s inputs', () => {
  it('when a feature was constant on the training rows (up to rounding), then it is not scaled by a rounding-noise std, and a forecast where it moves a little stays near the base', async () => {
    const rng = seededRng(3);
    const constant = Math.log(1.2); // E[x²] − E[x]² of this, 600 times, is 3.7e-16, not 0: a std of 1.9e-8
    const features = Array.from({ length: 600 }, () => [rng(), rng(), constant]);
    const targets = features.map(([a]) => [0.3 * a]);
    const net = await trainNet(features, targets, features.map(() => 1), { epochs: 3, batchSize: 64, hiddenUnits: [8], learningRate: 0.01, seed: 7, validationShare: 0.15 });
    expect(net.featureStd[2]).toBe(1);
    const loaded = await loadNet(net);
    try {
      const [[correction]] = loaded.predict([[0.5, 0.5, constant + 0.05]]);
      expect(Math.abs(correction)).toBeLessThan(1);
    } finally {
      loaded.dispose();
    }
  });
});

describe('the decomposition-net after a long gap in the history', () => {
  it('when 8 weeks of data, a 26-week gap and 13 days of data precede the origin, then the live forecast is not zeros: its total is within 30 % of what came', async () => {
    const rng = seededRng(7);
    const swing = Array.from({ length: 300 }, () => Math.exp(0.25 * Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng())));
    const gap = { from: 56, to: 56 + 26 * 7 };
    const history = syntheticHistory({ days: gap.to + 6 * 7, dailyVolume: 600, dayFactor: (d) => swing[d], missingDays: Array.from({ length: gap.to - gap.from }, (_, k) => gap.from + k) });
    const series = buildDaySeries(history, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const calendar = buildCalendar({ fromYear: 2024, toYear: 2024 });
    // Sunday 2024-09-08: two weeks of data after the gap, less a day
    const origin = series.dates.indexOf(addDays('2024-01-01', gap.to + 13));
    const before = headOf(series, origin);
    const model = await trainTwoWeek({ series: before, calendar, net: fastNet });
    const forecast = await forecastTwoWeekDays({ history: before, calendar, firstDate: series.dates[origin], model });
    expect(totalRatio(series, origin, forecast)).toBeGreaterThan(0.7);
    expect(totalRatio(series, origin, forecast)).toBeLessThan(1.3);
  }, 120_000);

  it('when the fixtures’ NW history resumes in October after Jan–Feb, then the model trained through 1999-10-17 forecasts the next two weeks within 40 % of what came', async () => {
    const { series, calendar } = fixtureSeries('NW');
    const origin = series.dates.indexOf('1999-10-18');
    const before = headOf(series, origin);
    const model = await trainTwoWeek({ series: before, calendar });
    const forecast = await forecastTwoWeekDays({ history: before, calendar, firstDate: series.dates[origin], model });
    expect(totalRatio(series, origin, forecast)).toBeGreaterThan(0.6);
    expect(totalRatio(series, origin, forecast)).toBeLessThan(1.4);
  }, 120_000);

  it('when the validation windows hold data on only 3 days (the history resumed 3 days before its end), then the net does not go live, and the model says why', async () => {
    const { series, calendar } = fixtureSeries('NW');
    const before = headOf(series, series.dates.indexOf('1999-10-04'));
    const model = await trainTwoWeek({ series: before, calendar });
    expect(model.validation['decomposition-net']).toBeDefined();
    expect(model.liveAlias).not.toBe('decomposition-net');
    expect(model.netNotLive).toMatch(/held data on 3 days only/);
  }, 120_000);

  it('when the net trained on everything forecasts a total far off the mean of the last 4 weeks, then it is refused with the share; a net that leaves the base as it is passes', async () => {
    const series = buildDaySeries(syntheticHistory({ days: 42, dailyVolume: 600 }), { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const calendar = buildCalendar({ fromYear: 2024, toYear: 2024 });
    const rng = seededRng(5);
    const features = Array.from({ length: 400 }, () => Array.from({ length: 28 }, () => rng()));
    const train = (target: number) => trainNet(features, features.map(() => [target]), features.map(() => 1), { epochs: 30, batchSize: 64, hiddenUnits: [4], learningRate: 0.05, seed: 7, validationShare: 0.15 });
    expect(await netTotalOffBaseline(await train(-2.5), series, calendar)).toMatch(/totals \d+ % of the mean of the last 4 weeks/);
    expect(await netTotalOffBaseline(await train(0), series, calendar)).toBeUndefined();
  }, 120_000);
});
