import { buildDaySeries, headOf } from '../../src/forecast/day-series';
import { buildCalendar } from '../../src/forecast/calendar';
import { isCompleteDay, naiveBands } from '../../src/forecast/baselines';
import { applyBand } from '../../src/forecast/bands';
import { intradayProfiles, DEFAULT_PROFILE_OPTIONS } from '../../src/forecast/profile';
import { calendarKind, dayTotal, fitDecomposition } from '../../src/forecast/decomposition';
import { FilterRun, fitIntradayFilter, stateAt, stepMultipliers, type FilterDay } from '../../src/forecast/intraday';
import { poissonMedian, seededRng } from '../../src/forecast/stats';
import { syntheticHistory, ZONE } from './synthetic';

const series = (rows: ReturnType<typeof syntheticHistory>) => buildDaySeries(rows, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });

/** The synthetic generator's true intraday shape (08:00–18:00, peaks at 10:00 and 15:00). */
function trueShare(slot: number): number {
  const shape = (s: number) => { const hour = (s * 30) / 60; return 1 + Math.exp(-((hour - 10) ** 2) / 2) + 0.7 * Math.exp(-((hour - 15) ** 2) / 2); };
  let total = 0;
  for (let s = 16; s < 36; s++) total += shape(s);
  return slot >= 16 && slot < 36 ? shape(slot) / total : 0;
}

describe('intraday profiles', () => {
  const s = series(syntheticHistory({ days: 35, dailyVolume: 300 }));
  const totals = s.dates.map((_, d) => dayTotal(s, d));
  const usable = (d: number) => isCompleteDay(s, d);
  const error = (profile: number[]) => profile.reduce((a, v, slot) => a + Math.abs(v - trueShare(slot)), 0);

  it('when weekdays share a shape, then pooling them and smoothing gets closer to the true profile than each weekday alone', () => {
    const alone = intradayProfiles(s, usable, totals, { ...DEFAULT_PROFILE_OPTIONS, poolWeight: 0, smoothingMinutes: 0 });
    const pooled = intradayProfiles(s, usable, totals);
    const mondayToFriday = [0, 1, 2, 3, 4];
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(mondayToFriday.map((w) => error(pooled[w])))).toBeLessThan(0.8 * sum(mondayToFriday.map((w) => error(alone[w]))));
    for (const p of pooled.slice(0, 6)) expect(sum(p)).toBeCloseTo(1, 9);
    expect(pooled[6].every((v) => v === 0)).toBe(true); // closed on Sunday
  });

  it('when a weekday has a different shape, then it is not pooled with the others', () => {
    // Saturdays here carry their calls in the afternoon only.
    const rows = syntheticHistory({ days: 35, dailyVolume: 300, extra: (d, slot) => (d % 7 === 5 && slot >= 28 ? 40 : 0) });
    const t = series(rows);
    const profiles = intradayProfiles(t, (d) => isCompleteDay(t, d), t.dates.map((_, d) => dayTotal(t, d)));
    const afternoon = (p: number[]) => p.slice(28, 36).reduce((a, b) => a + b, 0);
    expect(afternoon(profiles[5])).toBeGreaterThan(0.6);
    expect(afternoon(profiles[0])).toBeLessThan(0.45);
  });
});

describe('calendar days around holidays', () => {
  it('when a holiday is on a Wednesday, then Tuesday is its eve and Thursday the day after, and past eves teach their factor', () => {
    const calendar = buildCalendar({ holidays: ['2024-01-17', '2024-01-31'], fromYear: 2024, toYear: 2024 });
    expect(calendarKind(calendar, '2024-01-16')).toBe('eve');
    expect(calendarKind(calendar, '2024-01-17')).toBe('holiday');
    expect(calendarKind(calendar, '2024-01-18')).toBe('after');
    expect(calendarKind(calendar, '2024-01-19')).toBe('ordinary');
    // Eves run at half volume in this history: the decomposition learns it from them.
    const halfOnEves = syntheticHistory({ days: 42, dayFactor: (d) => (d === 15 || d === 29 ? 0.5 : 1) });
    const state = fitDecomposition(series(halfOnEves), calendar);
    expect(state.eveFactor).toBeGreaterThan(0.4);
    expect(state.eveFactor).toBeLessThan(0.6);
    expect(state.afterFactor).toBeGreaterThan(0.85);
  });
});

describe('medians', () => {
  it('when the expected count is small, then the p50 is the Poisson median, not the mean', () => {
    expect(poissonMedian(0)).toBe(0);
    expect(poissonMedian(0.6)).toBe(0);
    expect(poissonMedian(0.7)).toBe(1); // P(0) = 0.497 < 0.5
    expect(poissonMedian(3)).toBe(3);
    expect(poissonMedian(10.5)).toBe(10);
    expect(poissonMedian(120)).toBeCloseTo(119.667, 3);
  });
});

describe('within-day filter', () => {
  const expected = Array.from({ length: 48 }, (_, s) => (s >= 16 && s < 36 ? 40 : 0));
  const open = expected.map((e) => e > 0);
  const rng = seededRng(3);
  const noisy = (mean: number) => Math.max(0, Math.round(mean + Math.sqrt(mean) * (rng() + rng() + rng() - 1.5) * 2));
  const day = (level: number): FilterDay => ({ expected, open, actual: expected.map((e) => (e > 0 ? noisy(e * level) : 0)) });

  it('when today runs 30 % above the expectation, then by midday the filter forecasts about 30 % more', () => {
    const params = fitIntradayFilter(Array.from({ length: 20 }, (_, i) => day(0.8 + 0.02 * i)));
    const today = day(1.3).actual;
    const start = stateAt(params, expected, today, open, 16);
    expect(stepMultipliers(start, params, 1)[0]).toBeCloseTo(1, 5); // nothing seen yet: the expectation
    const midday = stateAt(params, expected, today, open, 26);
    expect(stepMultipliers(midday, params, 1)[0]).toBeGreaterThan(1.18);
    expect(stepMultipliers(midday, params, 1)[0]).toBeLessThan(1.42);
  });

  it('when today runs at three times a history of steady days (a snowstorm), then within two hours the filter forecasts most of it; an ordinary day stays at the plan', () => {
    // Steady history: whole days within ±5 % of the plan, so the fitted day variance is tiny. A day at
    // 3× lies 20 of its standard deviations out: the usual regime alone still forecast ~1.3× at midday.
    const params = fitIntradayFilter(Array.from({ length: 20 }, (_, i) => day(0.95 + 0.005 * i)));
    expect(Math.sqrt(params.dayVariance)).toBeLessThan(0.1);
    const storm = day(3).actual;
    expect(stepMultipliers(stateAt(params, expected, storm, open, 18), params, 1)[0]).toBeGreaterThan(1.8); // after 2 intervals (an hour)
    expect(stepMultipliers(stateAt(params, expected, storm, open, 20), params, 1)[0]).toBeGreaterThan(2.5);
    expect(stepMultipliers(stateAt(params, expected, storm, open, 26), params, 1)[0]).toBeGreaterThan(2.7);
    expect(stepMultipliers(stateAt(params, expected, storm, open, 26), params, 1)[0]).toBeLessThan(3.3);
    // ordinary days of the same history: the unusual regime does not take over
    for (const level of [0.95, 1, 1.05]) {
      const ordinary = day(level).actual;
      const state = stateAt(params, expected, ordinary, open, 30);
      expect(state.unusualLogOdds).toBeLessThan(-3);
      expect(Math.abs(stepMultipliers(state, params, 1)[0] - level)).toBeLessThan(0.08);
    }
  });

  it('when fitting runs the filter on plain numbers, then it forecasts exactly what the state objects do', () => {
    const params = { dayVariance: 0.004, persistence: 0.7, innovation: 0.02, dispersion: 2 };
    const today = day(1).actual.map((v, s) => (s >= 24 ? v * 3 : v)); // a storm from midday
    const run = new FilterRun(params);
    for (let slot = 0; slot < 48; slot++) {
      if (!open[slot]) continue;
      const objects = stepMultipliers(stateAt(params, expected, today, open, slot), params, 3);
      for (let j = 0; j < 3; j++) expect(run.multiplier(j + 1)).toBeCloseTo(objects[j], 12);
      run.advance();
      run.observe(today[slot], expected[slot]);
    }
  });

  it('when busy spells persist for a few intervals, then the fitted filter carries the last intervals forward', () => {
    // Each day gets one 2-hour spell at twice the expectation, starting at a random slot.
    const days = Array.from({ length: 30 }, () => {
      const from = 16 + Math.floor(rng() * 14);
      return { expected, open, actual: expected.map((e, s) => (e > 0 ? noisy(e * (s >= from && s < from + 4 ? 2 : 1)) : 0)) };
    });
    const params = fitIntradayFilter(days);
    expect(params.persistence).toBeGreaterThan(0.2);
  });
});

describe('bands of the flagged baseline', () => {
  it('when history is too short for the learned model, then the baseline band covers roughly 70–90 % of what comes next', () => {
    const rows = syntheticHistory({ days: 28, dailyVolume: 400, dayFactor: (d) => 0.85 + 0.3 * ((d * 0.618) % 1) });
    const s = series(rows);
    const bands = naiveBands(headOf(s, 21)).step;
    let inside = 0;
    let n = 0;
    for (let d = 21; d < s.dates.length; d++) {
      const before = [d - 7, d - 14, d - 21].filter((x) => isCompleteDay(s, x));
      for (let slot = 0; slot < 48; slot++) {
        if (!s.open[s.weekdays[d] - 1][slot]) continue;
        const p50 = before.reduce((a, x) => a + s.values[x][slot], 0) / before.length;
        const { p10, p90 } = applyBand(bands, p50);
        n++;
        if (s.values[d][slot] >= p10 && s.values[d][slot] <= p90) inside++;
      }
    }
    expect(inside / n).toBeGreaterThan(0.65);
    expect(inside / n).toBeLessThan(0.95);
  });
});
