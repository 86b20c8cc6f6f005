import { tf, ensureTfBackend } from '../../src/forecast/tf-backend';
import { trainForecaster, forecastTwoWeek, forecastRealtime, type TrainedTwoWeek, type TrainedRealtime } from '../../src/forecast/index';
import { trainNet, loadNet } from '../../src/forecast/net';
import { buildDaySeries, slotInstant } from '../../src/forecast/day-series';
import { backtestSeries } from '../../src/forecast/backtest';
import { buildCalendar } from '../../src/forecast/calendar';
import { isWfmError } from '../../src/errors/wfm-error';
import { syntheticHistory, ZONE } from './synthetic';

const subject = { id: 'G1', timeZone: ZONE, intervalMinutes: 30 };
const fastNet = { epochs: 4, hiddenUnits: [16, 8] };
process.env.WFM_TF_QUIET = '1';

describe('two-week backtest', () => {
  it('when a learned candidate is live in a window, then the live row is that candidate\'s row: both answer with the interval\'s median', async () => {
    // a quiet queue (40 calls a day): the median of a half hour's count is often below its mean
    const history = syntheticHistory({ days: 63, dailyVolume: 40 });
    const series = buildDaySeries(history, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const report = await backtestSeries(series, buildCalendar({ fromYear: 2024, toYear: 2024 }), 'two-week', { windows: 2, net: fastNet });
    const learned = report.windows.filter((w) => ['decomposition', 'combination'].includes(w.liveAlias));
    expect(learned.length).toBeGreaterThan(0);
    // (only the live row has bands, so coverage is its own)
    const point = ({ wape, bias, mase, n }: { wape: number; bias: number; mase: number; n: number }) => ({ wape, bias, mase, n });
    for (const w of learned) expect(point(w.metrics.live)).toEqual(point(w.metrics[w.liveAlias]));
  });
});

describe('two-week forecaster', () => {
  it('when history is shorter than 4 weeks, then training fails with insufficient-history and the forecast is a flagged baseline', async () => {
    const history = syntheticHistory({ days: 20 });
    const error = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week' }).catch((e) => e);
    expect(isWfmError(error) && error.code).toBe('insufficient-history');
    expect(error.message).toMatch(/at least 28 days/);
    const result = await forecastTwoWeek({ history, skillGroup: subject, from: slotInstant('2024-01-21', 0, ZONE, 30)!, model: null });
    expect(result.baselineFallback).toBe(true);
    expect(result.alias).toBe('naive-mean-4-weeks');
    expect(result.points.length).toBeGreaterThan(100);
  });

  it('when trained on 10 weeks, then it forecasts 14 days of open intervals with ordered bands and validation metrics for every candidate', async () => {
    const history = syntheticHistory({ days: 70 });
    const { model, metrics } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: fastNet });
    expect(Object.keys(metrics.candidates).sort()).toEqual(['combination', 'decomposition', 'decomposition-net', 'naive-last-week', 'naive-mean-4-weeks', 'seasonal-es']);
    // on a clean weekly pattern the structural model beats both naive baselines on validation
    expect(metrics.wape).toBeLessThanOrEqual(metrics.candidates['naive-mean-4-weeks'].wape);
    expect(metrics.wape).toBeLessThanOrEqual(metrics.candidates['naive-last-week'].wape);
    // the backtest reports the p10–p90 band's coverage on the validation days (out of sample: Poisson data, ~80 %)
    expect(metrics.coverage).toBeGreaterThan(0.6);
    expect(metrics.coverage).toBeLessThan(0.95);
    const from = slotInstant('2024-03-11', 0, ZONE, 30)!;
    const result = await forecastTwoWeek({ history, skillGroup: subject, from, model: model as TrainedTwoWeek });
    expect(result.baselineFallback).toBe(false);
    expect(result.points).toHaveLength(12 * 20); // Mon–Sat, 08:00–18:00, two weeks
    for (const p of result.points) expect(p.p10 <= p.p50 && p.p50 <= p.p90).toBe(true);
    const monday = result.points.filter((p) => p.intervalStart < from + 86_400_000).reduce((a, p) => a + p.p50, 0);
    expect(monday).toBeGreaterThan(600);
    expect(monday).toBeLessThan(840); // a Monday carries 720 calls on average
    expect(result.points[0].ahtSeconds).toBeGreaterThan(200);
  });

  it('when a planner declares a special day with an uplift, then that day is forecast higher', async () => {
    const history = syntheticHistory({ days: 42 });
    const from = slotInstant('2024-02-12', 0, ZONE, 30)!;
    const { model } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: fastNet });
    const plain = await forecastTwoWeek({ history, skillGroup: subject, from, model: { ...(model as TrainedTwoWeek), liveAlias: 'decomposition', net: null } });
    const special = await forecastTwoWeek({ history, skillGroup: subject, from, model: { ...(model as TrainedTwoWeek), liveAlias: 'decomposition', net: null }, specialDays: [{ date: '2024-02-13', label: 'billing run', uplift: 1.5 }] });
    const dayTotal = (r: typeof plain, date: string) => r.points.filter((p) => new Date(p.intervalStart).toISOString().startsWith(date)).reduce((a, p) => a + p.p50, 0);
    // p50 is each interval's median (a whole number of calls), so the uplift shows up to rounding.
    expect(dayTotal(special, '2024-02-13') / dayTotal(plain, '2024-02-13')).toBeGreaterThan(1.45);
    expect(dayTotal(special, '2024-02-13') / dayTotal(plain, '2024-02-13')).toBeLessThan(1.55);
    expect(dayTotal(special, '2024-02-14')).toBeCloseTo(dayTotal(plain, '2024-02-14'), 5);
  });
});

describe('realtime forecaster', () => {
  it('when today runs 50 % above normal, then the next 30 minutes are forecast above what the model expects without today’s data', async () => {
    const busyDay = 58; // Wednesday 2024-02-28
    // Day levels vary (as in real centers), so what happened this morning says something about the afternoon.
    // (a pseudo-random fraction in [0, 1): the whole `(x % 1 + 1) % 1` is scaled, so levels stay in 0.75–1.25)
    const dayLevel = (d: number) => 0.75 + 0.5 * ((((Math.sin(d * 12.9898) * 43758.5453) % 1) + 1) % 1);
    const history = syntheticHistory({ days: 59, dayFactor: (d) => (d === busyDay ? 1.5 : dayLevel(d)) });
    const wednesdayNow = slotInstant('2024-02-28', 28, ZONE, 30)!; // 14:00
    const midnight = slotInstant('2024-02-28', 0, ZONE, 30)!;
    const { model } = await trainForecaster({ history: history.filter((r) => r.start < midnight), skillGroup: subject, horizon: 'realtime', net: fastNet });
    const learned = await forecastRealtime({ history, skillGroup: subject, now: wednesdayNow, model: model as TrainedRealtime });
    const blind = await forecastRealtime({ history: history.filter((r) => r.start < midnight), skillGroup: subject, now: wednesdayNow, model: model as TrainedRealtime });
    const naive = await forecastRealtime({ history, skillGroup: subject, now: wednesdayNow, model: null });
    expect(naive.baselineFallback).toBe(true);
    // the flagged baseline still uses today: the day's expectation scaled by today's ratio so far
    expect(naive.alias).toBe('ratio-adjusted');
    expect(naive.observedToExpected).toBeGreaterThan(1.2);
    expect(naive.total!.p50).toBeGreaterThan(blind.total!.p50 * 1.15);
    expect(naive.total!.p10).toBeLessThan(naive.total!.p50);
    expect(naive.total!.p90).toBeGreaterThan(naive.total!.p50);
    expect(learned.points).toHaveLength(1);
    expect(learned.observedToExpected).toBeGreaterThan(1.2);
    expect(blind.observedToExpected).toBe(1);
    expect(learned.total!.p50).toBeGreaterThan(blind.total!.p50 * 1.15);
    expect(learned.total!.p10).toBeLessThanOrEqual(learned.total!.p50);
    expect(learned.total!.p90).toBeGreaterThanOrEqual(learned.total!.p50);
  });

  it('when now falls inside an interval, then that interval ends with its calls so far plus the rest of its forecast, and its partial count is not read as a whole one', async () => {
    const history = syntheticHistory({ days: 35 });
    const twoPm = slotInstant('2024-02-05', 28, ZONE, 30)!; // Monday 14:00
    const now = twoPm + 7 * 60_000; // 14:07: the 14:00 interval holds 7 minutes of calls so far
    const earlier = history.filter((r) => r.start < twoPm);
    const withCount = (volume: number) => [...earlier, { skillGroupId: subject.id, start: twoPm, volume }];

    const atTwo = await forecastRealtime({ history: earlier, skillGroup: subject, now: twoPm, model: null });
    const quiet = await forecastRealtime({ history: withCount(3), skillGroup: subject, now, model: null });
    // busy but not far beyond the plan (a storm far beyond it follows the observed pace: realtime-observed-pace.test.ts)
    const surge = await forecastRealtime({ history: withCount(20), skillGroup: subject, now, model: null });

    expect(quiet.points.map((p) => p.intervalStart)).toEqual([twoPm]);
    // the level read from the day so far is the same: 7 minutes are not a whole half hour
    expect(quiet.observedToExpected).toBe(atTwo.observedToExpected);
    expect(surge.observedToExpected).toBe(atTwo.observedToExpected);
    const rest = (q: number) => (23 / 30) * q;
    // (the band of the rest is the interval's scaled, or the Poisson noise of its count when that is wider)
    expect(quiet.points[0].p50).toBeCloseTo(3 + rest(atTwo.points[0].p50), 9);
    expect(surge.points[0].p50).toBeCloseTo(20 + rest(atTwo.points[0].p50), 9);
    for (const [r, counted] of [[quiet, 3], [surge, 20]] as const) {
      expect(r.points[0].p10).toBeLessThanOrEqual(counted + rest(atTwo.points[0].p10) + 1e-9);
      expect(r.points[0].p90).toBeGreaterThanOrEqual(counted + rest(atTwo.points[0].p90) - 1e-9);
    }
    for (const k of ['p10', 'p50', 'p90'] as const) expect(surge.total![k]).toBeCloseTo(atTwo.total![k] + surge.points[0][k] - atTwo.points[0][k], 9);
    // 20 calls in 7 minutes: the interval is forecast above what has already arrived
    expect(surge.points[0].p10).toBeGreaterThan(20);

    // a feed that has reported only its first minute (1 call) by 14:07: the 6 minutes not yet reported
    // are still to come, not zero calls — the interval is the call plus 29/30 of its forecast
    const lagging = await forecastRealtime({ history: withCount(1), skillGroup: subject, now, model: null, countedUntil: twoPm + 60_000 });
    expect(lagging.points[0].p50).toBeCloseTo(1 + (29 / 30) * atTwo.points[0].p50, 9);
    expect(lagging.points[0].p10).toBeLessThanOrEqual(1 + (29 / 30) * atTwo.points[0].p10 + 1e-9);
    expect(lagging.points[0].p90).toBeGreaterThanOrEqual(1 + (29 / 30) * atTwo.points[0].p90 - 1e-9);
    // and 7 reported minutes without a call do count: the interval is quiet so far
    const silent = await forecastRealtime({ history: withCount(0), skillGroup: subject, now, model: null, countedUntil: now });
    expect(silent.points[0].p50).toBeCloseTo(rest(atTwo.points[0].p50), 9);
  });

  it('when the next 30 minutes fall after closing time, then the forecast is 0 with no band', async () => {
    const history = syntheticHistory({ days: 35 }); // open 08:00–18:00
    const six = slotInstant('2024-02-05', 36, ZONE, 30)!; // Monday 18:00
    const closed = await forecastRealtime({ history: history.filter((r) => r.start < six), skillGroup: subject, now: six, model: null });
    expect(closed.points.map(({ p10, p50, p90 }) => [p10, p50, p90])).toEqual([[0, 0, 0]]);
    expect(closed.total).toEqual({ p10: 0, p50: 0, p90: 0 });
    const open = await forecastRealtime({ history: history.filter((r) => r.start < six - 1_800_000), skillGroup: subject, now: six - 1_800_000, model: null });
    expect(open.points[0].p90).toBeGreaterThan(open.points[0].p50);
  });

  it('when data comes in 6-minute slots, then the next 30 minutes are five slots', async () => {
    const history = syntheticHistory({ days: 35, intervalMinutes: 6, dailyVolume: 900 });
    const six = { ...subject, intervalMinutes: 6 };
    const now = slotInstant('2024-02-05', 100, ZONE, 6)!; // Monday 10:00
    const { model, metrics } = await trainForecaster({ history: history.filter((r) => r.start < now - 10 * 3_600_000), skillGroup: six, horizon: 'realtime', net: fastNet });
    const result = await forecastRealtime({ history, skillGroup: six, now, model: model as TrainedRealtime });
    // MASE is scaled by the weekly naive error of the same 30-minute totals: the naive forecast itself
    // scores about 1 on validation (not its error in calls, ~7 here, as with a 6-minute scale or none).
    expect(metrics.candidates['naive-last-week'].mase).toBeGreaterThan(0.6);
    expect(metrics.candidates['naive-last-week'].mase).toBeLessThan(1.6);
    expect(metrics.coverage).toBeGreaterThan(0.6);
    expect(metrics.coverage).toBeLessThan(0.95);
    expect(result.points.map((p) => p.intervalStart)).toEqual([0, 1, 2, 3, 4].map((k) => now + k * 6 * 60_000));
    // The total's p50 is the median of the total, not the sum of the slots' medians (each within a call of its mean).
    expect(Math.abs(result.total!.p50 - result.points.reduce((a, p) => a + p.p50, 0))).toBeLessThanOrEqual(result.points.length + 1);
    expect(result.total!.p10).toBeLessThanOrEqual(result.total!.p50);
  });
});

describe('tensors', () => {
  it('when training and predicting repeatedly, then the tensor count stays the same (no leak)', async () => {
    await ensureTfBackend();
    const features = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i), i % 7]);
    const targets = features.map((f) => [0.5 * f[0]]);
    const weights = features.map(() => 1);
    const counts: number[] = [];
    for (let round = 0; round < 3; round++) {
      const net = await trainNet(features, targets, weights, { epochs: 2, batchSize: 64, hiddenUnits: [8], learningRate: 0.01, seed: 1, validationShare: 0.2 });
      const loaded = await loadNet(net);
      loaded.predict(features.slice(0, 10));
      loaded.dispose();
      counts.push(tf.memory().numTensors);
    }
    const history = syntheticHistory({ days: 35 });
    const { model } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: fastNet });
    await forecastTwoWeek({ history, skillGroup: subject, from: slotInstant('2024-02-05', 0, ZONE, 30)!, model: model as TrainedTwoWeek });
    counts.push(tf.memory().numTensors);
    expect(new Set(counts).size).toBe(1);
  });
});
