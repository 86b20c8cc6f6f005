import { buildDaySeries } from '../../src/forecast/day-series';
import { DecompositionForecaster, levelShift } from '../../src/forecast/decomposition';
import { buildCalendar } from '../../src/forecast/calendar';
import { syntheticHistory, ZONE } from './synthetic';

const noCalendar = buildCalendar({ fromYear: 2024, toYear: 2024 });

/**
 * 56 days from Monday 2024-01-01 (Mon–Sat open, Saturday at 40 %): a step from Saturday 2024-02-17 (day 47),
 * a week old at the origin (Monday 2024-02-26), with the scatter of real days in it — the Wednesday
 * (day 51) moved only ×1.2 of a ×1.6 step, and the newest day, a Saturday (day 54), only ×1.1.
 */
const WEDNESDAY = 51;
const NEWEST_SATURDAY = 54;
const stepped = (factor: number, wednesday: number, saturday: number) => (d: number) =>
  d < 47 ? 1 : d === WEDNESDAY ? wednesday : d === NEWEST_SATURDAY ? saturday : factor;

const nextWeekTotal = (dayFactor?: (d: number) => number) => {
  const m = new DecompositionForecaster();
  m.fit(buildDaySeries(syntheticHistory({ days: 56, dayFactor }), { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 }), noCalendar);
  const week = ['2024-02-26', '2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02'];
  return m.predict(week).flat().reduce((a, b) => a + b, 0);
};

describe('level step adoption', () => {
  it('when a +60 % step is a week old and two of its days lag (a short Saturday, one Wednesday), then next week is forecast at the new level, as a −37.5 % step mirrored is', () => {
    const calm = nextWeekTotal();
    const up = nextWeekTotal(stepped(1.6, 1.2, 1.1)) / calm;
    const down = nextWeekTotal(stepped(1 / 1.6, 1 / 1.2, 1 / 1.1)) / calm;
    // the older rule wanted every day past the limit and the newest day (a Saturday) held: ~×1.1 and ~×0.9
    expect(up).toBeGreaterThan(1.45);
    expect(up).toBeLessThan(1.75);
    expect(down).toBeGreaterThan(1 / 1.75);
    expect(down).toBeLessThan(1 / 1.45);
    // symmetric in log volume: a rise is adopted as far as the mirrored drop
    expect(Math.abs(Math.log(up * down))).toBeLessThan(0.08);
  });

  it('when a raised week ended with its last working day back at the level, then it is a storm and the level stays', () => {
    const calm = nextWeekTotal();
    for (const factor of [1.6, 1 / 1.6]) {
      const stormOver = nextWeekTotal((d) => (d >= 47 && d <= 52 ? factor : 1));
      expect(Math.abs(stormOver / calm - 1)).toBeLessThan(0.06);
    }
  });

  it('when levelShift reads a week with lagging days, then a short day need only lie on the run\'s side, one working day a week half as far; no more, and not the newest working day', () => {
    const before = [100, 104, 97, 101, 99, 103, 96, 102, 98, 100, 105, 95];
    const shortFirst = [true, false, false, false, false, false, true];
    const none = before.map(() => false);
    // newest first: Saturday ×1.1 (short), Friday, Thursday, Wednesday ×1.2, Tuesday, Monday, Saturday
    const week = [110, 160, 158, 120, 162, 159, 161];
    expect(levelShift([...week, ...before], [...shortFirst, ...none])).toBe(7);
    expect(levelShift([...week, ...before])).toBe(0); // the same days with no short day among them
    // mirrored: a drop with the same lagging days
    expect(levelShift([...week.map((v) => 10_000 / v), ...before], [...shortFirst, ...none])).toBe(7);
    // two lagging working days in one week, or one only ×1.05 (not half way to the limit): no new level
    expect(levelShift([110, 160, 158, 120, 122, 159, 161, ...before], [...shortFirst, ...none])).toBe(0);
    expect(levelShift([110, 160, 158, 105, 162, 159, 161, ...before], [...shortFirst, ...none])).toBe(0);
    // the newest working day lagging is a storm fading out
    expect(levelShift([110, 120, 158, 160, 162, 159, 161, ...before], [...shortFirst, ...none])).toBe(0);
    // a short day below the old level is not on the run's side
    expect(levelShift([95, 160, 158, 120, 162, 159, 161, ...before], [...shortFirst, ...none])).toBe(0);
  });
});
