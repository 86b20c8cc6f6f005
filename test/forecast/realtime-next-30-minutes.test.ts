/**
 * The realtime forecast's next 30 minutes from `at` (forecastRealtime, pure: no Redis, no training): the
 * calls still to come in [at, at + 30 min) per minute (per-minute events) or per interval piece, reaching
 * into the interval after the one under way — beyond the model's trained horizon when it must — with bands
 * never narrower than the Poisson noise of the count still to come; and the two observed-to-expected ratios.
 */
import { forecastRealtime, type TrainedRealtime } from '../../src/forecast/index';
import { calibrateBands } from '../../src/forecast/bands';
import { slotInstant } from '../../src/forecast/day-series';
import type { IntervalVolume } from '../../src/domain/types';
import { syntheticHistory, ZONE } from './synthetic';

const MIN = 60_000;
const TODAY = '2024-02-05'; // a Monday, day 35 of the synthetic history
const local = (hhmm: string) => Date.parse(`${TODAY}T${hhmm}:00+01:00`);

/** The history before `underWay` (today's rows of whole intervals included), with high volume: 3,000 calls a day. */
function rowsBefore(underWay: number, intervalMinutes: number): IntervalVolume[] {
  return syntheticHistory({ days: 36, dailyVolume: 3000, intervalMinutes }).filter((r) => r.start < underWay);
}

/** Exact Poisson quantiles, written out here so the test does not lean on the code it checks. */
function poissonQuantile(mean: number, q: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  while (cumulative < q) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}

describe('the realtime forecast of the next 30 minutes from `at`', () => {
  const subject = (intervalMinutes: number) => ({ id: 'G1', timeZone: ZONE, intervalMinutes });

  test('when it is 10:24 with 40 calls counted since 10:00 from per-minute events, then the window is 10:24–10:54, 30 minute points reaching into 10:30–11:00, and it echoes the calls so far', async () => {
    const at = local('10:24');
    const history = [...rowsBefore(local('10:00'), 30), { skillGroupId: 'G1', start: local('10:00'), volume: 40 }];

    const f = await forecastRealtime({ history, skillGroup: subject(30), now: at, model: null, countedUntil: at, perMinute: true });

    expect(f.callsSoFar).toBe(40);
    expect(f.minutesCounted).toBe(24);
    const w = f.window!;
    expect([w.from, w.to]).toEqual([at, local('10:54')]);
    expect(w.granularity).toBe('minute');
    expect(w.points.map((p) => p.start)).toEqual(Array.from({ length: 30 }, (_, k) => at + k * MIN));
    // uniform within each interval: 6 minutes of the 10:00 interval, 24 of the 10:30 one (forecast too)
    const current = w.points.slice(0, 6).map((p) => p.p50);
    const next = w.points.slice(6).map((p) => p.p50);
    for (const v of current) expect(v).toBeCloseTo(current[0], 9);
    for (const v of next) expect(v).toBeCloseTo(next[0], 9);
    expect(next[0]).toBeGreaterThan(1);
    // the rest of the interval under way is its forecast less the calls so far
    expect(6 * current[0]).toBeCloseTo(f.points[0].p50 - 40, 6);
    // the baseline answers means: the total of calls still to come is the sum of the minutes
    expect(w.total.p50).toBeCloseTo(w.points.reduce((a, p) => a + p.p50, 0), 6);
    expect(w.total.p10).toBeLessThan(w.total.p50);
    expect(w.total.p90).toBeGreaterThan(w.total.p50);
    // the legacy fields are as they were: the interval under way, 30 minutes
    expect(f.points.map((p) => p.intervalStart)).toEqual([local('10:00')]);
    expect(f.totalMinutes).toBe(30);
  });

  test('when it is 10:27 with most of the interval counted, then the band of the calls still to come is at least their Poisson noise', async () => {
    const at = local('10:27');
    const history = [...rowsBefore(local('10:00'), 30), { skillGroupId: 'G1', start: local('10:00'), volume: 200 }];

    const f = await forecastRealtime({ history, skillGroup: subject(30), now: at, model: null, countedUntil: at, perMinute: true });

    const rest = f.points[0].p50 - 200; // the baseline's p50 is a mean
    expect(rest).toBeGreaterThan(10);
    expect(f.points[0].p10 - 200).toBeLessThanOrEqual(poissonQuantile(rest, 0.1) + 1e-9);
    expect(f.points[0].p90 - 200).toBeGreaterThanOrEqual(poissonQuantile(rest, 0.9) - 1e-9);
    expect(f.total!.p90 - 200).toBeGreaterThanOrEqual(poissonQuantile(rest, 0.9) - 1e-9);
    // and so is the band of a single minute of the window
    const minute = f.window!.points[0];
    expect(minute.p90).toBeGreaterThanOrEqual(poissonQuantile(minute.p50, 0.9) - 1e-9);
  });

  test('when the data is 6-minute intervals without per-minute events, then the window is in pieces of those intervals, the first and last cut at the window', async () => {
    const at = local('10:08');

    const f = await forecastRealtime({ history: rowsBefore(local('10:06'), 6), skillGroup: subject(6), now: at, model: null });

    const w = f.window!;
    expect(w.granularity).toBe('interval');
    expect(w.points.map((p) => [p.start, p.end])).toEqual([
      [local('10:08'), local('10:12')], [local('10:12'), local('10:18')], [local('10:18'), local('10:24')],
      [local('10:24'), local('10:30')], [local('10:30'), local('10:36')], [local('10:36'), local('10:38')],
    ]);
    // 4 of the 6 minutes of the 10:06 interval (nothing counted in it: its whole forecast is to come)
    expect(w.points[0].p50).toBeCloseTo((4 / 6) * f.points[0].p50, 6);
    expect(w.points[1].p50).toBeCloseTo(f.points[1].p50, 6);
    // 10:36 is after the five steps of the model's horizon: forecast too
    expect(f.points).toHaveLength(5);
    expect(w.points[5].p50).toBeGreaterThan(0);
  });

  test('when 60-minute data is read at 10:45 with a state-space model of one step, then the window reaches 11:00–11:15 of the hour after its horizon, forecast by the filter', async () => {
    const history = rowsBefore(local('10:00'), 60);
    const pairs = Array.from({ length: 400 }, (_, i) => ({ p50: 20 + (i % 200), actual: (20 + (i % 200)) * (1 + ((i % 7) - 3) / 20) }));
    const bands = calibrateBands(pairs);
    const model: TrainedRealtime = {
      kind: 'realtime', skillGroupId: 'G1', intervalMinutes: 60, steps: 1, liveAlias: 'state-space', net: null,
      filter: { dayVariance: 0.02, persistence: 0.5, innovation: 0.01, dispersion: 2 },
      signalNames: [], stepBands: bands, totalBands: bands, validation: {}, validationDays: [], trainedThrough: '2024-02-04', historyDays: 35,
    };

    const f = await forecastRealtime({ history, skillGroup: subject(60), now: local('10:45'), model, perMinute: true });

    expect(f.alias).toBe('state-space');
    expect(f.baselineFallback).toBe(false);
    const w = f.window!;
    expect([w.from, w.to]).toEqual([local('10:45'), local('11:15')]);
    expect(w.points).toHaveLength(30);
    const after = w.points.filter((p) => p.start >= local('11:00'));
    expect(after).toHaveLength(15);
    for (const p of w.points) expect(Number.isFinite(p.p10) && Number.isFinite(p.p50) && Number.isFinite(p.p90)).toBe(true);
    // the hour after the horizon carries calls (the filter forecasts it; it used to be left out)
    expect(after[0].p90).toBeGreaterThan(0);
    expect(Number.isFinite(w.total.p50) && w.total.p50 > 0).toBe(true);
    // the legacy answer stays the model's one step
    expect(f.points).toHaveLength(1);
  });

  test('when nothing of today was observed, then the raw observed-to-expected ratio is null and the smoothed one the prior\'s 1; when today runs double, the raw ratio says so and the smoothed one is shrunk toward 1', async () => {
    const before = syntheticHistory({ days: 35, dailyVolume: 3000 });
    const blind = await forecastRealtime({ history: before, skillGroup: subject(30), now: local('11:00'), model: null });
    expect(blind.observedToExpectedRaw).toBeNull();
    expect(blind.observedToExpected).toBe(1);

    const today = syntheticHistory({ days: 36, dailyVolume: 3000 }).filter((r) => r.start >= local('00:00') && r.start < local('11:00'));
    const doubled = await forecastRealtime({ history: [...before, ...today.map((r) => ({ ...r, volume: 2 * r.volume }))], skillGroup: subject(30), now: local('11:00'), model: null });
    expect(doubled.observedToExpectedRaw).toBeGreaterThan(1.8);
    expect(doubled.observedToExpectedRaw).toBeLessThan(2.2);
    expect(doubled.observedToExpected).toBeGreaterThan(1);
    expect(doubled.observedToExpected).toBeLessThan(doubled.observedToExpectedRaw!);
  });
});

test('slotInstant places the synthetic day as the test expects (Berlin, +01:00 in February)', () => {
  expect(slotInstant(TODAY, 20, ZONE, 30)).toBe(local('10:00'));
});
