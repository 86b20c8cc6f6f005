import { IANAZone } from 'luxon';
import {
  DAY_MS,
  MINUTE_MS,
  formatInstant,
  intervalStartOf,
  intervalStarts,
  isOnGrid,
  minuteOfDay,
  nextIntervalStart,
  parseTimestamp,
  startOfLocalDay,
} from '../../src/time/grid';

const at = (text: string): number => {
  const parsed = parseTimestamp(text, 'UTC');
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.epochMs;
};
const offsetAt = (epochMs: number, zone: string): number => IANAZone.create(zone).offset(epochMs);
const nextDate = (isoDate: string): string => new Date(Date.parse(`${isoDate}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** The grid of one local day as [start, real minutes] pairs, written with the zone's offset. */
function gridOfDay(zone: string, isoDate: string, intervalMinutes: number): Array<[string, number]> {
  const starts = intervalStarts(startOfLocalDay(isoDate, zone), startOfLocalDay(nextDate(isoDate), zone), zone, intervalMinutes);
  return starts.map((s) => [formatInstant(s, zone), (nextIntervalStart(s, zone, intervalMinutes) - s) / MINUTE_MS]);
}

/** Local dates of `year` on which the zone's offset changes (changes fall on quarter-hour instants). */
function changeDays(zone: string, year: number): string[] {
  const days = new Set<string>();
  for (let day = Date.UTC(year, 0, 1) - DAY_MS; day < Date.UTC(year + 1, 0, 2); day += DAY_MS) {
    if (offsetAt(day, zone) === offsetAt(day + DAY_MS, zone)) continue;
    for (let t = day; t < day + DAY_MS; t += 15 * MINUTE_MS) {
      // the date the clock reads after the change: Santiago and Beirut fall back into the day before
      if (offsetAt(t, zone) !== offsetAt(t + 15 * MINUTE_MS, zone)) days.add(formatInstant(t + 15 * MINUTE_MS, zone).slice(0, 10));
    }
  }
  return [...days].filter((d) => d.startsWith(String(year))).sort();
}

describe('the interval grid on days a zone changes its offset by less than an interval (Lord Howe, hourly)', () => {
  it('when Lord Howe springs forward 02:00 → 02:30, then the 01:00 interval lasts 60 minutes and the 02:00 interval starts at the jump and lasts 30', () => {
    const day = gridOfDay('Australia/Lord_Howe', '2026-10-04', 60);

    expect(day.slice(0, 4)).toEqual([
      ['2026-10-04T00:00:00+10:30', 60],
      ['2026-10-04T01:00:00+10:30', 60],
      ['2026-10-04T02:30:00+11:00', 30], // the 02:00–03:00 hour; 02:30+11:00 is 02:00+10:30
      ['2026-10-04T03:00:00+11:00', 60],
    ]);
    expect(day).toHaveLength(24);
  });

  it('when 15-minute rows of the Lord Howe spring night are read into hourly intervals, then 02:30 and 02:45+11:00 share the interval that starts at 02:30+11:00, which is on the grid', () => {
    const zone = 'Australia/Lord_Howe';
    const jump = at('2026-10-04T02:30:00+11:00');

    expect(intervalStartOf(at('2026-10-04T02:45:00+11:00'), zone, 60)).toBe(jump);
    expect(intervalStartOf(jump, zone, 60)).toBe(jump);
    expect(isOnGrid(jump, zone, 60)).toBe(true);
    expect(intervalStartOf(at('2026-10-04T01:45:00+10:30'), zone, 60)).toBe(at('2026-10-04T01:00:00+10:30'));
    expect(isOnGrid(at('2026-10-04T01:30:00+10:30'), zone, 60)).toBe(false);
  });

  it('when Lord Howe falls back 02:00+11:00 → 01:30+10:30, then no interval starts at 01:30+11:00 and the repeated half hour is a second, 30-minute 01:00 interval on +10:30, as Berlin repeats its 02:00 hour on +01:00', () => {
    const day = gridOfDay('Australia/Lord_Howe', '2026-04-05', 60);

    expect(day.slice(0, 4)).toEqual([
      ['2026-04-05T00:00:00+11:00', 60],
      ['2026-04-05T01:00:00+11:00', 60],
      ['2026-04-05T01:30:00+10:30', 30], // 01:00–02:00 again on +10:30, whose first half hour was read on +11:00
      ['2026-04-05T02:00:00+10:30', 60],
    ]);
    expect(day).toHaveLength(25);
    expect(isOnGrid(at('2026-04-05T01:30:00+11:00'), 'Australia/Lord_Howe', 60)).toBe(false);
    expect(gridOfDay('Europe/Berlin', '2026-10-25', 60).slice(2, 4)).toEqual([
      ['2026-10-25T02:00:00+02:00', 60],
      ['2026-10-25T02:00:00+01:00', 60],
    ]);
  });

  it('when Chatham springs forward at 02:45, then hourly intervals are cut at the change, not shifted by 45 minutes', () => {
    expect(gridOfDay('Pacific/Chatham', '2026-09-27', 60).slice(1, 4)).toEqual([
      ['2026-09-27T01:00:00+12:45', 60],
      ['2026-09-27T02:00:00+12:45', 45],
      ['2026-09-27T03:45:00+13:45', 15], // the rest of the 03:00 hour
    ]);
  });
});

// Every day in the year on which each zone changes its offset, plus an ordinary day; Kathmandu's only
// change (+05:30 → +05:45, skipping local midnight) was on 1986-01-01.
const ZONES: Array<[string, number]> = [
  ['Europe/Berlin', 2026],
  ['America/Santiago', 2026],
  ['America/Havana', 2026],
  ['Asia/Beirut', 2026],
  ['Australia/Lord_Howe', 2026],
  ['Pacific/Chatham', 2026],
  ['Asia/Kathmandu', 1986],
];
const CHANGE_DAYS = new Map(ZONES.map(([zone, year]) => [zone, changeDays(zone, year)]));
const CASES = ZONES.flatMap(([zone, year]) =>
  [...CHANGE_DAYS.get(zone)!, `${year}-07-15`].flatMap((date) => [15, 30, 60].map((minutes) => [zone, date, minutes] as [string, string, number])),
);

describe('the interval grid: intervalStarts, intervalStartOf, isOnGrid and nextIntervalStart agree', () => {
  it('when scanning the years, then every zone has its changes (the cases below are not empty by accident)', () => {
    expect(Object.fromEntries(CHANGE_DAYS)).toEqual({
      'Europe/Berlin': ['2026-03-29', '2026-10-25'],
      'America/Santiago': ['2026-04-04', '2026-09-06'],
      'America/Havana': ['2026-03-08', '2026-11-01'],
      'Asia/Beirut': ['2026-03-29', '2026-10-24'],
      'Australia/Lord_Howe': ['2026-04-05', '2026-10-04'],
      'Pacific/Chatham': ['2026-04-05', '2026-09-27'],
      'Asia/Kathmandu': ['1986-01-01'],
    });
  });

  it.each(CASES)('when the day is %s %s at %i minutes, then the starts cover the day without gaps and every instant floors to its own interval', (zone, date, minutes) => {
    const dayStart = startOfLocalDay(date, zone);
    const dayEnd = startOfLocalDay(nextDate(date), zone);
    const starts = intervalStarts(dayStart, dayEnd, zone, minutes);
    // Mismatches are collected and compared once: a failure then lists every wrong instant, readably.
    const wrong: string[] = [];
    const check = (ok: boolean, what: string, t: number) => {
      if (!ok) wrong.push(`${what} at ${formatInstant(t, zone)} (${new Date(t).toISOString()})`);
    };

    expect(starts[0]).toBe(dayStart);
    starts.forEach((s, k) => {
      const next = k + 1 < starts.length ? starts[k + 1] : dayEnd;
      check(next > s, 'starts not increasing', s);
      check(nextIntervalStart(s, zone, minutes) === next, 'nextIntervalStart is not the next start', s);
      check(isOnGrid(s, zone, minutes), 'start not on grid', s);
      check(intervalStartOf(s, zone, minutes) === s, 'intervalStartOf(start) is not the start', s);
      // On the wall clock a start is a multiple of the interval, or the instant the offset changed.
      check(minuteOfDay(s, zone) % minutes === 0 || offsetAt(s - 1, zone) !== offsetAt(s, zone), 'start off the wall-clock grid', s);

      // Instants inside the interval (its edges to the millisecond, and every 5 minutes and 37 seconds)
      // are one wall-clock cell on one offset, floor to this start, and are no start themselves.
      const probes = [s + 1, next - 1];
      for (let t = s + 37_000; t < next; t += 5 * MINUTE_MS) probes.push(t);
      for (const t of probes.filter((p) => p > s && p < next)) {
        check(intervalStartOf(t, zone, minutes) === s, 'intervalStartOf is not its interval start', t);
        check(!isOnGrid(t, zone, minutes), 'inside an interval yet on the grid', t);
        check(nextIntervalStart(t, zone, minutes) === next, 'nextIntervalStart is not the next start', t);
        check(offsetAt(t, zone) === offsetAt(s, zone), 'offset changes inside the interval', t);
        check(Math.floor(minuteOfDay(t, zone) / minutes) === Math.floor(minuteOfDay(s, zone) / minutes), 'wall-clock cell changes inside the interval', t);
      }
    });

    // Coarser grids nest in finer ones, so 15-minute rows always sum into whole 30- and 60-minute intervals.
    for (const finer of [15, 30].filter((f) => f < minutes)) {
      const fine = new Set(intervalStarts(dayStart, dayEnd, zone, finer));
      for (const s of starts) check(fine.has(s), `not a start of the ${finer}-minute grid`, s);
    }
    expect(wrong).toEqual([]);
  });
});
