/**
 * The two-week forecast has a point for every interval of the group's grid (src/time/grid.ts), also
 * where a clock change of less than an interval cuts one short: Lord Howe's 30-minute change made the
 * hourly forecast skip 02:30+11:00 on the spring day and the second 01:30+10:30 on the fall-back day,
 * so rosters read those intervals of a 24/7 line as closed.
 */
import type { IntervalVolume } from '../../src/domain/types';
import { forecastTwoWeek } from '../../src/forecast/index';
import { DAY_MS, intervalStarts, startOfLocalDay } from '../../src/time/grid';

process.env.WFM_TF_QUIET = '1';

/** `days` days of an hourly 24/7 line up to the day before `untilDate` */
function hourly24x7(zone: string, untilDate: string, days: number): IntervalVolume[] {
  const until = startOfLocalDay(untilDate, zone);
  return intervalStarts(until - days * DAY_MS, until, zone, 60).map((start) => ({ skillGroupId: 'LH', start, volume: 10 + (new Date(start).getUTCHours() % 5) }));
}

describe('two-week forecast on a grid cut by a clock change', () => {
  for (const [zone, firstDay, changeDay] of [
    ['Australia/Lord_Howe', '2026-09-28', '2026-10-04'],
    ['Australia/Lord_Howe', '2026-03-30', '2026-04-05'],
    ['Pacific/Chatham', '2026-09-21', '2026-09-27'],
    ['Europe/Berlin', '2026-10-19', '2026-10-25'],
  ] as const) {
    it(`when a 24/7 hourly ${zone} line is forecast over ${changeDay}, then every interval of the grid has a point`, async () => {
      const history = hourly24x7(zone, firstDay, 63);
      const from = startOfLocalDay(firstDay, zone);
      const result = await forecastTwoWeek({ history, skillGroup: { id: 'LH', timeZone: zone, intervalMinutes: 60 }, from, model: null });
      const grid = intervalStarts(from, startOfLocalDay('2026-12-31', zone), zone, 60).filter((t) => t < Math.max(...result.points.map((p) => p.intervalStart)) + 1);
      expect(result.points.map((p) => p.intervalStart)).toEqual(grid);
      const day = intervalStarts(startOfLocalDay(changeDay, zone), startOfLocalDay(changeDay, zone) + DAY_MS + 2 * 3_600_000, zone, 60);
      for (const t of day) expect(result.points.some((p) => p.intervalStart === t)).toBe(true);
    });
  }
});
