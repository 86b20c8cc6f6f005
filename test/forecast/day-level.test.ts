import { buildDaySeries } from '../../src/forecast/day-series';
import { buildCalendar } from '../../src/forecast/calendar';
import { calendarKind, dayTotal, fitDecomposition, decompositionForecast, DecompositionForecaster } from '../../src/forecast/decomposition';
import { CombinedForecaster } from '../../src/forecast/combination';
import { MeanOfLastFourWeekdays } from '../../src/forecast/baselines';
import { median } from '../../src/forecast/stats';
import { syntheticHistory, ZONE } from './synthetic';

const noCalendar = buildCalendar({ fromYear: 2024, toYear: 2024 });
const series = (rows: ReturnType<typeof syntheticHistory>) => buildDaySeries(rows, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
/** Day-to-day swings of ±25 % around the weekday pattern (a pseudo-random fraction per day). */
const swing = (d: number) => 0.75 + 0.5 * ((((Math.sin(d * 12.9898) * 43758.5453) % 1) + 1) % 1);
const logSpread = (xs: number[]) => Math.max(...xs.map(Math.log)) - Math.min(...xs.map(Math.log));
const MONDAY_TO_FRIDAY = [0, 1, 2, 3, 4];

describe('day level of the decomposition', () => {
  it('when working days are alike but each day swings, then their volumes are pulled together (the swings were noise)', () => {
    // the synthetic Monday is 1.2× the other working days: made alike here
    const s = series(syntheticHistory({ days: 56, dayFactor: (d) => swing(d) / (d % 7 === 0 ? 1.2 : 1) }));
    const state = fitDecomposition(s, noCalendar);
    const rawMedians = MONDAY_TO_FRIDAY.map((w) => median(s.dates.map((_, d) => d).filter((d) => s.weekdays[d] === w + 1).map((d) => dayTotal(s, d))));
    expect(logSpread(MONDAY_TO_FRIDAY.map((w) => state.weekdayVolume[w]))).toBeLessThan(0.5 * logSpread(rawMedians));
    // Saturday (40 %) is not alike in volume and keeps its own
    expect(state.weekdayVolume[5] / state.weekdayVolume[1]).toBeLessThan(0.5);
  });

  it('when the last week was a storm (×1.6–×3.2 for five days), then the weeks after are forecast near the ordinary level', () => {
    const storm = [1.6, 2.8, 3.2, 2.5, 1.8, 1.4];
    const s = series(syntheticHistory({ days: 56, dayFactor: (d) => (d >= 49 ? storm[d - 49] : 1) }));
    const stormFree = fitDecomposition(series(syntheticHistory({ days: 56 })), noCalendar);
    const state = fitDecomposition(s, noCalendar);
    for (const w of MONDAY_TO_FRIDAY) expect(state.weekdayVolume[w] / stormFree.weekdayVolume[w]).toBeLessThan(1.1);
  });

  it('when one working day is truly busier, then it stays busier', () => {
    const state = fitDecomposition(series(syntheticHistory({ days: 56 })), noCalendar);
    const others = median([1, 2, 3, 4].map((w) => state.weekdayVolume[w]));
    expect(state.weekdayVolume[0] / others).toBeGreaterThan(1.15); // Monday is 1.2×
  });

  it('when the working days rise 40 % and Saturday does not, then Saturday follows its own recent days, not the rise', () => {
    const s = series(syntheticHistory({ days: 56, dayFactor: (d) => (d % 7 === 5 || d < 28 ? 1 : 1.4) }));
    const state = fitDecomposition(s, noCalendar);
    const recentSaturdays = s.dates.map((_, d) => d).filter((d) => s.weekdays[d] === 6).slice(-4).map((d) => dayTotal(s, d));
    const own = recentSaturdays.reduce((a, b) => a + b, 0) / recentSaturdays.length;
    const pooled = state.level * state.weekdayFactor[5];
    expect(pooled / own).toBeGreaterThan(1.08); // level × weekday factor scales Saturday with the rise
    expect(Math.abs(state.weekdayVolume[5] / own - 1)).toBeLessThan(0.06);
    const saturday = decompositionForecast(state, noCalendar, ['2024-03-02'])[0].reduce((a, b) => a + b, 0);
    expect(saturday).toBeCloseTo(state.weekdayVolume[5], 6);
  });

  it('when two holidays are less than a week apart, then the days between are a holiday week, and past ones teach their factor', () => {
    const calendar = buildCalendar({ holidays: ['2024-01-08', '2024-01-13', '2024-02-05', '2024-02-10'], fromYear: 2024, toYear: 2024 });
    expect(calendarKind(calendar, '2024-01-09')).toBe('after');
    expect(calendarKind(calendar, '2024-01-10')).toBe('bridge');
    expect(calendarKind(calendar, '2024-01-11')).toBe('bridge');
    expect(calendarKind(calendar, '2024-01-12')).toBe('eve');
    expect(calendarKind(calendar, '2024-01-24')).toBe('ordinary');
    expect(calendarKind(buildCalendar({ holidays: ['2024-01-08', '2024-01-17'], fromYear: 2024, toYear: 2024 }), '2024-01-12')).toBe('ordinary');
    // the bridge days of January run at 60 %: the bridge days of February are forecast so
    const s = series(syntheticHistory({ days: 35, dayFactor: (d) => (d === 9 || d === 10 ? 0.6 : 1) }));
    const model = new DecompositionForecaster();
    model.fit(s, calendar);
    expect(model.state.bridgeFactor).toBeGreaterThan(0.5);
    expect(model.state.bridgeFactor).toBeLessThan(0.7);
    const [bridge, ordinary] = model.predict(['2024-02-07', '2024-02-14']).map((row) => row.reduce((a, b) => a + b, 0));
    expect(bridge / ordinary).toBeGreaterThan(0.5);
    expect(bridge / ordinary).toBeLessThan(0.7);
  });

  it('when combining forecasters, then each interval is the mean of the members', () => {
    const s = series(syntheticHistory({ days: 42 }));
    const dates = ['2024-02-12', '2024-02-13'];
    const structural = new DecompositionForecaster();
    const naive = new MeanOfLastFourWeekdays();
    const combined = new CombinedForecaster('combination', [new DecompositionForecaster(), new MeanOfLastFourWeekdays()]);
    for (const m of [structural, naive, combined]) m.fit(s, noCalendar);
    const [a, b, c] = [structural, naive, combined].map((m) => m.predict(dates));
    c.forEach((row, i) => row.forEach((v, slot) => expect(v).toBeCloseTo((a[i][slot] + b[i][slot]) / 2, 9)));
    expect(combined.alias).toBe('combination');
  });
});
