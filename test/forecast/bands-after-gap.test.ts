/**
 * Two-week bands over a history with a long gap (a feed outage, or a file of a few months of a year, like
 * the fixtures' Jan, Feb and Oct 1999). The band is calibrated on backtest residuals of weekly windows;
 * windows wholly in the gap hold none. Taken by the calendar, a gap of eight weeks or more before the last
 * windows left no residual at all, and the band silently fell back to the Poisson default (±1.28 σ), far
 * too narrow for over-dispersed calls: the training's reported p10–p90 coverage described a band nobody
 * served, and a model trained on a history ending in such a gap (the backtest's origin just after it) served it.
 */
import { trainForecaster, type TrainedTwoWeek } from '../../src/forecast/index';
import { addDays, buildDaySeries, headOf } from '../../src/forecast/day-series';
import { buildCalendar } from '../../src/forecast/calendar';
import { trainTwoWeek, forecastTwoWeekDays } from '../../src/forecast/two-week';
import { seededRng } from '../../src/forecast/stats';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';
const subject = { id: 'G1', timeZone: ZONE, intervalMinutes: 30 };
const fastNet = { epochs: 2, hiddenUnits: [8] };

/** Day-level swings of ±25 % (over-dispersion: what a Poisson band misses), seeded. */
const rng = seededRng(7);
const swing = Array.from({ length: 300 }, () => Math.exp(0.25 * Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng())));
/** From Monday 2024-01-01: 8 weeks with data, 26 weeks without rows, then 6 weeks with data. */
const GAP = { from: 56, to: 56 + 26 * 7 };
const history = syntheticHistory({
  days: GAP.to + 6 * 7,
  dailyVolume: 600,
  dayFactor: (d) => swing[d],
  missingDays: Array.from({ length: GAP.to - GAP.from }, (_, k) => GAP.from + k),
});
const inside = (points: Array<{ p10: number; p90: number; actual: number }>) => points.filter((p) => p.actual >= p.p10 - 1e-9 && p.actual <= p.p90 + 1e-9).length / points.length;

describe('two-week bands after a gap in the history', () => {
  it('when the windows before the validation weeks lie in a gap, then the reported coverage is of a band calibrated on the weeks before the gap, 70–90 %', async () => {
    const { model, metrics } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: fastNet });
    // the first validation weeks are in the gap, and so are the eight weekly windows before them
    expect((model as TrainedTwoWeek).validationOrigins[0] < addDays('2024-01-01', GAP.to)).toBe(true);
    expect(metrics.coverage).toBeGreaterThanOrEqual(0.7);
    expect(metrics.coverage).toBeLessThanOrEqual(0.9);
  }, 120_000);

  it('when a model is trained on a history whose last eight weeks are a gap (the backtest at an origin just after one), then its band comes from the weeks before the gap and covers 70–90 % of the two weeks after', async () => {
    const series = buildDaySeries(history, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const calendar = buildCalendar({ fromYear: 2024, toYear: 2024 });
    // Sunday 2024-08-25: the day before the data resumes
    const origin = series.dates.indexOf(addDays('2024-01-01', GAP.to - 1));
    const before = headOf(series, origin);
    const model = await trainTwoWeek({ series: before, calendar, net: fastNet });
    expect(model.bands).not.toEqual({ edges: [], q10: [-1.28], q90: [1.28] });
    const forecast = await forecastTwoWeekDays({ history: before, calendar, firstDate: series.dates[origin], model });
    const scored = forecast.dates.flatMap((_, d) => forecast.p50[d].map((p50, s) => ({ p50, p10: forecast.p10[d][s], p90: forecast.p90[d][s], actual: series.values[origin + d][s] })))
      .filter((p, i) => Number.isFinite(p.actual) && series.open[series.weekdays[origin + Math.floor(i / series.slotsPerDay)] - 1][i % series.slotsPerDay]);
    expect(scored.length).toBeGreaterThan(200);
    expect(inside(scored)).toBeGreaterThanOrEqual(0.7);
    expect(inside(scored)).toBeLessThanOrEqual(0.9);
  }, 120_000);
});
