import { formatInstant, intervalStartOf, isoWeekday, minuteOfDay, nextIntervalStart, parseTimestamp } from '../../src/time/grid';
import { ZoneClock } from '../../src/history/zone-clock';

// Days around DST changes (both directions) and a zone with a 30-minute shift and a +05:45 offset.
const CASES: Array<[string, string]> = [
  ['Europe/Berlin', '2024-03-30T20:00:00Z'],
  ['Europe/Berlin', '2024-10-26T20:00:00Z'],
  ['Asia/Jerusalem', '1999-04-01T20:00:00Z'],
  ['Asia/Jerusalem', '1999-09-02T20:00:00Z'],
  ['America/New_York', '2024-11-03T00:00:00Z'],
  ['Australia/Lord_Howe', '2024-04-06T10:00:00Z'],
  ['Asia/Kathmandu', '2024-06-01T00:00:00Z'],
];

describe('ZoneClock', () => {
  it.each(CASES)('when walking %s from %s in 7-minute steps, then it agrees with grid.ts', (zone, fromIso) => {
    const clock = new ZoneClock(zone);
    const from = Date.parse(fromIso);

    for (let t = from; t < from + 30 * 3_600_000; t += 7 * 60_000 + 13_000) {
      expect(clock.intervalStartOf(t, 30)).toBe(intervalStartOf(t, zone, 30));
      expect(clock.minuteOfDay(t)).toBe(minuteOfDay(t, zone));
      expect(clock.isoWeekday(t)).toBe(isoWeekday(t, zone));
      const start = intervalStartOf(t, zone, 60);
      expect(clock.nextIntervalStart(start, 60)).toBe(nextIntervalStart(start, zone, 60));
      expect(clock.format(start)).toBe(formatInstant(start, zone));
    }
  });

  it.each(CASES)('when resolving every local quarter hour of the %s DST day, then gap/overlap/instant agree with parseTimestamp', (zone, fromIso) => {
    const clock = new ZoneClock(zone);
    const day = fromIso.slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

    for (const date of [day, next]) {
      for (let minute = 0; minute < 24 * 60; minute += 15) {
        const wall = `${date}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;
        const expected = parseTimestamp(wall, zone);
        const actual = clock.resolveLocal(Date.parse(`${wall}Z`));
        if (expected.ok) expect(actual).toEqual({ kind: 'ok', epochMs: expected.epochMs });
        else expect(actual.kind).toBe(expected.reason.includes('gap') ? 'gap' : 'ambiguous');
      }
    }
  });
});
