import { historyGrid, daysCoarserThan } from '../../src/history/history-grid';

const ZONE = 'Europe/Madrid';

/** Row starts 08:00–18:00 (+01:00, January) of `days` days from 2024-01-08, every `minutes(day)` minutes. */
function starts(days: number, minutes: (day: number) => number): number[] {
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    const open = Date.parse(`2024-01-${String(8 + d).padStart(2, '0')}T08:00:00+01:00`);
    const step = minutes(d);
    for (let m = 0; m < 600; m += step) out.push(open + m * 60_000);
  }
  return out;
}

describe('historyGrid: the interval a history fills', () => {
  it('when the first days are at 15 minutes and the rest at 30, then the interval is 30 whatever the rows\' order', () => {
    const rows = starts(10, (d) => (d < 2 ? 15 : 30)); // 80 of 240 rows at :15/:45: the 15-minute grid row by row

    const oldestFirst = historyGrid(rows, ZONE);
    const newestFirst = historyGrid([...rows].reverse(), ZONE);

    expect(oldestFirst).toEqual({ rowMinutes: 15, intervalMinutes: 30, coarseDays: { count: 8, judged: 10, first: '2024-01-10', last: '2024-01-17' } });
    expect(newestFirst).toEqual(oldestFirst);
    // the 15-minute days come last (the center switched): the same
    expect(historyGrid(starts(10, (d) => (d >= 8 ? 15 : 30)), ZONE).intervalMinutes).toBe(30);
  });

  it('when every day is at 15 minutes, or one day in twenty-five is at 30, then the interval is 15', () => {
    expect(historyGrid(starts(10, () => 15), ZONE)).toEqual({ rowMinutes: 15, intervalMinutes: 15 });
    expect(historyGrid(starts(25, (d) => (d === 3 ? 30 : 15)), ZONE).intervalMinutes).toBe(15);
  });

  it('when a quiet day has a few rows, all on the hour, then it does not make the interval hourly', () => {
    const quiet = [9, 11, 14].map((h) => Date.parse(`2024-01-20T${h}:00:00+01:00`));
    expect(historyGrid([...starts(10, () => 30), ...quiet], ZONE).intervalMinutes).toBe(30);
  });

  it('when a configured interval is finer than the days fill, then those days are named', () => {
    const rows = starts(10, (d) => (d < 2 ? 15 : 30));
    expect(daysCoarserThan(rows, ZONE, 15)).toEqual({ count: 8, judged: 10, first: '2024-01-10', last: '2024-01-17' });
    expect(daysCoarserThan(rows, ZONE, 30)).toBeUndefined();
  });
});
