/**
 * Other centers' exports: numbers with thousands separators in a comma-separated file, and timestamps in
 * a country's own date order or as epoch numbers. Each is refused with what to write instead, and a file
 * of foreign timestamps makes one summary (the form seen, the forms read, the count) and a few rows, not
 * a thousand "not an ISO-8601 timestamp" lines.
 */
import type { SkillGroup } from '../../src/domain/types';
import { ingestHistory, skillGroupsById, UNREADABLE_TIMESTAMPS_LISTED, type IngestResult } from '../../src/history/ingest';

function group(id: string, timeZone: string): SkillGroup {
  return {
    id,
    name: id,
    timeZone,
    intervalMinutes: 30,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 180,
    shrinkage: 0.3,
    maxOccupancy: 0.85,
    channel: 'voice',
    overflowTo: [],
  };
}

const groups = skillGroupsById([group('Q1', 'Europe/Berlin'), group('US', 'America/New_York')]);

function problemsOf(result: IngestResult): Array<{ row?: number; message: string; where: string }> {
  if (result.ok) throw new Error(`expected a rejection, got ${result.intervals.length} intervals`);
  return result.problems;
}

/** `count` half-hour wall times from 2024-12-01 00:00, each written by `write(day, hour, minute)`. */
function halfHours(count: number, write: (day: number, hour: number, minute: number) => string): string[] {
  return Array.from({ length: count }, (_, k) => write(1 + Math.floor(k / 48), Math.floor((k % 48) / 2), (k % 2) * 30));
}
const two = (n: number) => String(n).padStart(2, '0');

describe('a number with a comma in a comma-separated file', () => {
  it('when a quoted volume is grouped in thousands ("4,800"), then the problem says to write 4800', () => {
    const csv = ['interval_start,skill_group,volume', '2024-12-01T10:00:00+01:00,Q1,"4,800"', '2024-12-01T10:30:00+01:00,Q1,"1,234,567"'].join('\n');

    const problems = problemsOf(ingestHistory({ csv }, groups));

    expect(problems).toEqual([
      expect.objectContaining({ row: 1, where: 'row 1, volume', message: expect.stringContaining('"4,800" (a comma separating thousands: write 4800, without the separator)') }),
      expect.objectContaining({ row: 2, where: 'row 2, volume', message: expect.stringContaining('write 1234567') }),
    ]);
  });

  it('when a quoted aht is written with a decimal comma ("171,5"), then the problem says to write 171.5', () => {
    const csv = ['interval_start,skill_group,volume,aht_seconds', '2024-12-01T10:00:00+01:00,Q1,3,"171,5"'].join('\n');

    const problems = problemsOf(ingestHistory({ csv }, groups));

    expect(problems).toEqual([expect.objectContaining({ where: 'row 1, aht_seconds', message: expect.stringContaining('"171,5" (a decimal comma: write 171.5, with a dot)') })]);
  });

  it('when a JSON upload sends the volume as the text "4,800", then its pointer names it with the same hint', () => {
    const rows = [{ interval_start: '2024-12-01T10:00:00+01:00', skill_group: 'Q1', volume: '4,800' }];

    const problems = problemsOf(ingestHistory({ rows }, groups, { jsonPointer: '/body' }));

    expect(problems).toEqual([expect.objectContaining({ where: '/body/0/volume', message: expect.stringContaining('write 4800') })]);
  });
});

describe('timestamps in a form that is not ISO-8601', () => {
  const ACCEPTED = 'Accepted: ISO-8601 with a UTC offset, e.g. 2024-12-01T00:00:00+01:00';

  it('when every row has a German date (DD.MM.YYYY HH:mm), then one summary names the form, the rewrite, the accepted forms and the count, and the first rows follow', () => {
    const rows = halfHours(100, (d, h, m) => `${two(d)}.12.2024 ${two(h)}:${two(m)};Q1;10`);
    const csv = ['interval_start;skill_group;volume', ...rows].join('\n');

    const problems = problemsOf(ingestHistory({ csv }, groups));

    expect(problems).toHaveLength(UNREADABLE_TIMESTAMPS_LISTED);
    expect(problems.map((p) => p.where)).toEqual([1, 2, 3, 4, 5].map((r) => `row ${r}, interval_start`));
    const summary = problems[0].message;
    expect(summary).toContain('not an ISO-8601 timestamp: "01.12.2024 00:00"');
    expect(summary).toContain('(100 of 100 rows)');
    expect(summary).toContain('DD.MM.YYYY HH:mm, day first: "01.12.2024 00:00" is 2024-12-01 00:00');
    expect(summary).toContain(ACCEPTED);
    expect(summary).toContain('2024-12-01 00:00 (a T or a space between date and time), read on the skill group\'s clock (Europe/Berlin');
    expect(summary).toContain('the first 5 such rows are listed, 95 more are not');
    expect(problems[1].message).toBe('not an ISO-8601 timestamp: "01.12.2024 00:30" (see the first such row)');
  });

  it('when the rows have US dates with AM/PM, then the form is named month first and the 12-hour clock converted', () => {
    const rows = ['12/01/2024 12:00 AM', '12/01/2024 12:30 AM', '12/01/2024 01:30 PM'].map((t) => `${t},US,10`);
    const csv = ['interval_start,skill_group,volume', ...rows].join('\n');

    const problems = problemsOf(ingestHistory({ csv }, groups));

    expect(problems).toHaveLength(3);
    expect(problems[0].message).toContain('MM/DD/YYYY hh:mm AM/PM (a 12-hour clock), month first as US dates with AM/PM are: "12/01/2024 12:00 AM" is 2024-12-01 00:00');
    expect(problems[0].message).toContain('(3 of 3 rows)');
    expect(problems[0].message).toContain('(America/New_York');
  });

  it('when slash dates have a day over 12 in the first part of some row, then they are read as day first', () => {
    const rows = ['01/12/2024 09:00', '13/12/2024 09:00'].map((t) => `${t},Q1,1`);

    const problems = problemsOf(ingestHistory({ csv: ['interval_start,skill_group,volume', ...rows].join('\n') }, groups));

    expect(problems[0].message).toContain('DD/MM/YYYY HH:mm, day first: "01/12/2024 09:00" is 2024-12-01 09:00');
  });

  it('when no slash date tells its order, then the message gives both readings', () => {
    const problems = problemsOf(ingestHistory({ csv: 'interval_start,skill_group,volume\n01/02/2024 09:00,Q1,1' }, groups));

    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain('"01/02/2024 09:00" is 2024-02-01 09:00 if the day comes first, 2024-01-02 09:00 if the month does');
    expect(problems[0].message).not.toContain('rows)');
  });

  it('when the rows are Unix epoch seconds or milliseconds, then the form is named and the first one written on the group\'s clock', () => {
    const seconds = problemsOf(ingestHistory({ csv: 'interval_start,skill_group,volume\n1733007600,Q1,1\n1733009400,Q1,1' }, groups));
    const millis = problemsOf(ingestHistory({ csv: 'interval_start,skill_group,volume\n1733007600000,Q1,1' }, groups));

    expect(seconds[0].message).toContain('Unix epoch seconds: 1733007600 is 2024-12-01T00:00:00+01:00');
    expect(millis[0].message).toContain('Unix epoch milliseconds: 1733007600000 is 2024-12-01T00:00:00+01:00');
  });

  it('when a JSON upload has epoch numbers, then the rows are named by pointer (not "missing") and summarised', () => {
    const rows = Array.from({ length: 8 }, (_, k) => ({ interval_start: 1733007600 + k * 1800, skill_group: 'Q1', volume: 1 }));

    const problems = problemsOf(ingestHistory({ rows }, groups, { jsonPointer: '/body' }));

    expect(problems.map((p) => p.where)).toEqual([0, 1, 2, 3, 4].map((k) => `/body/${k}/interval_start`));
    expect(problems[0].message).toContain('Unix epoch seconds');
    expect(problems[0].message).toContain('(8 of 8 rows)');
    expect(problems[0].message).toContain('3 more are not');
  });

  it('when a per-call log has German arrivals, then the arrival column is summarised the same way', () => {
    const csv = ['arrival,skill_group', ...Array.from({ length: 7 }, (_, k) => `01.12.2024 09:0${k}:15,Q1`)].join('\n');

    const problems = problemsOf(ingestHistory({ csv }, groups));

    expect(problems).toHaveLength(UNREADABLE_TIMESTAMPS_LISTED);
    expect(problems[0]).toMatchObject({ row: 1, where: 'row 1, arrival' });
    expect(problems[0].message).toContain("neither are 6 more rows' arrival (7 of 7 rows)");
    expect(problems[0].message).toContain('DD.MM.YYYY HH:mm:ss, day first: "01.12.2024 09:00:15" is 2024-12-01 09:00:15');
  });

  it('when one row of a good file has an unknown form, then that row alone is named with the accepted forms', () => {
    const rows = [...halfHours(4, (d, h, m) => `2024-12-${two(d)}T${two(h)}:${two(m)}:00+01:00,Q1,1`), 'next tuesday,Q1,1'];

    const problems = problemsOf(ingestHistory({ csv: ['interval_start,skill_group,volume', ...rows].join('\n') }, groups));

    expect(problems).toEqual([expect.objectContaining({ row: 5, where: 'row 5, interval_start', message: expect.stringContaining('not an ISO-8601 timestamp: "next tuesday". Accepted:') })]);
  });

  it('when a timestamp is ISO-8601 but in a DST gap, then it is still refused row by row with that reason', () => {
    const problems = problemsOf(ingestHistory({ csv: 'interval_start,skill_group,volume\n2024-03-31 02:30,Q1,1' }, groups));

    expect(problems).toEqual([expect.objectContaining({ where: 'row 1, interval_start', message: expect.stringContaining('does not exist in Europe/Berlin (DST gap)') })]);
  });
});
