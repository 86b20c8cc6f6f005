import type { SkillGroup } from '../../src/domain/types';
import { WfmError } from '../../src/errors/wfm-error';
import { formatIntervalsCsv } from '../../src/history/format';
import { ingestHistory, ingestHistoryOrThrow, skillGroupsById, type IngestResult } from '../../src/history/ingest';
import { intervalStartOf, parseTimestamp } from '../../src/time/grid';

function group(id: string, timeZone: string, extra: Partial<SkillGroup> = {}): SkillGroup {
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
    ...extra,
  };
}

const groups = skillGroupsById([group('PS', 'Asia/Jerusalem'), group('DE', 'Europe/Berlin')]);
const HEADER = 'interval_start,skill_group,volume,aht_seconds';

function csv(...rows: string[]): { csv: string } {
  return { csv: [HEADER, ...rows].join('\n') };
}

function problemsOf(result: IngestResult): Array<{ row?: number; message: string; where: string }> {
  if (result.ok) throw new Error(`expected a rejection, got ${result.intervals.length} intervals`);
  return result.problems;
}

/** Six-minute rows over an hour from 09:00 +02:00 (ten rows), volume 1 each. */
function sixMinuteHour(date = '1999-02-01'): string[] {
  return Array.from({ length: 10 }, (_, k) => {
    const minute = k * 6;
    return `${date}T09:${String(minute).padStart(2, '0')}:00+02:00,PS,1,`;
  });
}

describe('ingestHistory: accepted batches', () => {
  it('when 6-minute rows are given for a 30-minute group, then they are summed into 30-minute intervals', () => {
    const result = ingestHistory(csv(...sixMinuteHour()), groups);

    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.intervals).toEqual([
      { skillGroupId: 'PS', start: Date.parse('1999-02-01T07:00:00Z'), volume: 5 },
      { skillGroupId: 'PS', start: Date.parse('1999-02-01T07:30:00Z'), volume: 5 },
    ]);
    expect(result.summary[0]).toMatchObject({ skillGroupId: 'PS', rows: 10, intervals: 2, totalVolume: 10, rowGranularityMinutes: 6 });
  });

  it('when rows carry AHT, then the interval AHT is the volume-weighted mean of the rows that have it', () => {
    const result = ingestHistory(
      csv('1999-02-01T09:00:00+02:00,PS,1,100', '1999-02-01T09:10:00+02:00,PS,3,200', '1999-02-01T09:20:00+02:00,PS,2.5,'),
      groups,
    );

    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.intervals).toHaveLength(1);
    expect(result.intervals[0].volume).toBe(6.5);
    expect(result.intervals[0].ahtSeconds).toBeCloseTo((1 * 100 + 3 * 200) / 4, 10);
    expect(result.summary[0].rowGranularityMinutes).toBe(10);
  });

  it('when half-counts are given, then they are kept as fractional volume', () => {
    const result = ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,0.5,', '1999-02-01T09:06:00+02:00,PS,1.5,'), groups, { granularityMinutes: 6 });

    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.intervals[0].volume).toBe(2);
  });

  it('when the same batch is ingested twice, then the intervals are identical (idempotent)', () => {
    const batch = csv(...sixMinuteHour('1999-02-01'), ...sixMinuteHour('1999-02-02'), '1999-02-01T10:00:00+02:00,PS,4,120');

    const first = ingestHistory(batch, groups);
    const second = ingestHistory(batch, groups);

    expect(first).toEqual(second);
  });

  it('when a row is repeated with identical values, then it is counted once, and the summary counts and says so', () => {
    const result = ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,4,120', '1999-02-01T09:00:00+02:00,PS,4,120'), groups);

    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.intervals).toEqual([{ skillGroupId: 'PS', start: Date.parse('1999-02-01T07:00:00Z'), volume: 4, ahtSeconds: 120 }]);
    expect(result.summary[0]).toMatchObject({ rows: 1, repeatedRows: 1, notes: [expect.stringContaining('1 of 2 rows repeated another row exactly')] });
    expect(result.summary[0].notes![0]).toContain('if each row is one call');
  });

  it('when no row repeats another, then the summary has no repeatedRows and no notes', () => {
    const result = ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,4,120', '1999-02-01T09:30:00+02:00,PS,4,120'), groups);
    expect(result.ok && result.summary[0]).not.toHaveProperty('repeatedRows');
    expect(result.ok && result.summary[0]).not.toHaveProperty('notes');
  });

  it('when the file is a per-call log (arrival, seconds allowed), then each row is one call counted into its interval, AHT the mean of the calls with a handle time', () => {
    const log = ingestHistory({ csv: ['arrival,skill_group,handle_seconds', '1999-02-01T09:00:02+02:00,PS,100', '1999-02-01T09:00:02+02:00,PS,200', '1999-02-01T09:29:59+02:00,PS,', '1999-02-01T09:31:10+02:00,PS,0', '1999-02-01T09:45:00+02:00,PS,60'].join('\n') }, groups);

    if (!log.ok) throw new Error(JSON.stringify(log.problems));
    expect(log.intervals).toEqual([
      { skillGroupId: 'PS', start: Date.parse('1999-02-01T07:00:00Z'), volume: 3, ahtSeconds: 150 },
      { skillGroupId: 'PS', start: Date.parse('1999-02-01T07:30:00Z'), volume: 2, ahtSeconds: 60 },
    ]);
    // identical calls are two calls, not a repeated row; the group's AHT is the calls' mean handle time
    expect(log.summary[0]).toMatchObject({ rows: 5, intervals: 2, totalVolume: 5, meanAhtSeconds: 120, notes: [expect.stringContaining('read as a per-call log'), expect.stringContaining('an upload replaces its first and last intervals whole')] });
    expect(log.summary[0]).not.toHaveProperty('repeatedRows');
    // JSON rows the same
    const json = ingestHistory({ rows: [{ arrival: '1999-02-01T09:00:02+02:00', skill_group: 'PS', handle_seconds: 100 }, { arrival: '1999-02-01T09:00:02+02:00', skill_group: 'PS' }] }, groups);
    expect(json.ok && json.intervals).toEqual([{ skillGroupId: 'PS', start: Date.parse('1999-02-01T07:00:00Z'), volume: 2, ahtSeconds: 100 }]);
    // a per-call log's columns are its own
    expect(problemsOf(ingestHistory({ csv: 'arrival,skill_group,volume\n1999-02-01T09:00:02+02:00,PS,1\n' }, groups))).toEqual([expect.objectContaining({ where: 'row 0', message: expect.stringContaining('unknown column "volume" (a per-call log has arrival, skill_group, handle_seconds)') })]);
  });

  it('when a per-call log has intervals without calls between its first and last call, then they are written as 0 and the note names the span replaced whole', () => {
    const log = ingestHistory({ csv: ['arrival,skill_group,handle_seconds', '1999-02-01T09:00:02+02:00,PS,100', '1999-02-01T10:10:00+02:00,PS,'].join('\n') }, groups);

    if (!log.ok) throw new Error(JSON.stringify(log.problems));
    // 09:30 had no call: a 0 that replaces what an earlier upload stored there, not a gap that keeps it
    expect(log.intervals).toEqual([
      { skillGroupId: 'PS', start: Date.parse('1999-02-01T07:00:00Z'), volume: 1, ahtSeconds: 100 },
      { skillGroupId: 'PS', start: Date.parse('1999-02-01T07:30:00Z'), volume: 0 },
      { skillGroupId: 'PS', start: Date.parse('1999-02-01T08:00:00Z'), volume: 1 },
    ]);
    expect(log.summary[0]).toMatchObject({ rows: 2, intervals: 3, totalVolume: 2 });
    expect(log.summary[0].notes).toEqual([
      'read as a per-call log (an arrival column, one row per call): 2 calls counted into 2 30-minute intervals, aht_seconds the mean handle time of the 1 call with one',
      expect.stringContaining('complete record of the 3 intervals from its first call\'s to its last call\'s (1999-02-01T09:00:00+02:00 to 1999-02-01T10:00:00+02:00): the 1 interval without a call is written as 0; an upload replaces its first and last intervals whole with this file\'s calls'),
    ]);
    // a year typed wrong would write a century of zeros: refused by the first call's row
    const typo = problemsOf(ingestHistory({ csv: 'arrival,skill_group\n1899-02-01T09:00:02+02:00,PS\n1999-02-01T09:00:02+02:00,PS\n' }, groups));
    expect(typo).toEqual([expect.objectContaining({ row: 1, where: 'row 1, arrival', message: expect.stringContaining('a per-call log covers at most 5 years') })]);
    // one call: singular nouns
    const one = ingestHistory({ csv: 'arrival,skill_group\n1999-02-01T09:00:02+02:00,PS\n' }, groups);
    expect(one.ok && one.summary[0].notes?.[0]).toBe('read as a per-call log (an arrival column, one row per call): 1 call counted into 1 30-minute interval, no handle times');
  });

  it('when a semicolon per-call log has a handle time grouped like thousands, then it is refused as ambiguous, not read as 1.234 s', () => {
    const problems = problemsOf(ingestHistory({ csv: 'arrival;skill_group;handle_seconds\n1999-02-01T09:00:02+02:00;PS;1.234\n1999-02-01T09:00:05+02:00;PS;185.5\n' }, groups));
    expect(problems).toEqual([expect.objectContaining({ row: 1, where: 'row 1, handle_seconds', message: expect.stringContaining('"1.234" (ambiguous: in a semicolon-separated file a dot may separate thousands') })]);
  });

  it('when a per-call log has a volume column, then the problem says each row is one call and an interval export starts with interval_start', () => {
    const problems = problemsOf(ingestHistory({ csv: 'arrival,skill_group,volume\n1999-02-01T09:00:02+02:00,PS,3\n' }, groups));
    expect(problems).toEqual([expect.objectContaining({ where: 'row 0', message: expect.stringContaining('one row per call, each row one call') })]);
    expect(problems[0].message).toContain("an interval export's time column is interval_start");
  });

  it('when a CSV holds a second header line (two exports appended), then one problem names it instead of one per following row', () => {
    const mixed = csv('1999-02-01T09:00:00+02:00,PS,3,100', 'arrival,skill_group,handle_seconds', '1999-02-01T09:00:02+02:00,PS,100', '1999-02-01T09:00:09+02:00,PS,100');
    expect(problemsOf(ingestHistory(mixed, groups))).toEqual([
      { row: 2, where: 'row 2', message: 'a second header line (arrival,skill_group,handle_seconds): the file mixes two shapes, interval totals above this line and a per-call log from it — send them as two files' },
    ]);
    const repeated = csv('1999-02-01T09:00:00+02:00,PS,3,100', HEADER, '1999-02-01T09:30:00+02:00,PS,3,100');
    expect(problemsOf(ingestHistory(repeated, groups))).toEqual([expect.objectContaining({ row: 2, message: expect.stringContaining('the header line again') })]);
  });

  it('when the first rows of an interval file have seconds, then one problem says it looks like one row per call, not one per row', () => {
    const rows = Array.from({ length: 8 }, (_, k) => `1999-02-01T09:0${k}:1${k}+02:00,PS,1,`);
    const problems = problemsOf(ingestHistory(csv(...rows), groups));
    expect(problems).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('8 of 8 rows have seconds in interval_start (row 1: 1999-02-01T09:00:10+02:00): this looks like one row per call') })]);
    expect(problems[0].message).toContain('name that column "arrival"');
  });

  it('when the repeated fall-back hour is given with offsets, then its two passes are two distinct intervals', () => {
    // Europe/Berlin, 2024-10-27: 02:00–03:00 happens twice, first at +02:00, then at +01:00.
    const result = ingestHistory(
      csv('2024-10-27T02:00:00+02:00,DE,3,', '2024-10-27T02:30:00+02:00,DE,4,', '2024-10-27T02:00:00+01:00,DE,5,', '2024-10-27T02:30:00+01:00,DE,6,'),
      groups,
    );

    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.intervals.map((i) => [new Date(i.start).toISOString(), i.volume])).toEqual([
      ['2024-10-27T00:00:00.000Z', 3],
      ['2024-10-27T00:30:00.000Z', 4],
      ['2024-10-27T01:00:00.000Z', 5],
      ['2024-10-27T01:30:00.000Z', 6],
    ]);
  });

  it('when an hourly Lord Howe history crosses its 30-minute spring jump, then the hour after the jump (02:30+11:00) is an interval start, and 15-minute rows are summed into the same intervals', () => {
    // Australia/Lord_Howe, 2026-10-04: 02:00+10:30 becomes 02:30+11:00. The 02:00 hour lasts 30 real
    // minutes and starts at the jump, shown on the new offset (../time/grid.ts).
    const lhi = skillGroupsById([group('LHI', 'Australia/Lord_Howe', { intervalMinutes: 60 })]);
    const hourly = ingestHistory(csv('2026-10-04T01:00:00+10:30,LHI,6,', '2026-10-04T02:30:00+11:00,LHI,3,', '2026-10-04T03:00:00+11:00,LHI,7,'), lhi);
    if (!hourly.ok) throw new Error(JSON.stringify(hourly.problems));
    expect(hourly.intervals.map((i) => [new Date(i.start).toISOString(), i.volume])).toEqual([
      ['2026-10-03T14:30:00.000Z', 6],
      ['2026-10-03T15:30:00.000Z', 3],
      ['2026-10-03T16:00:00.000Z', 7],
    ]);
    const quarters = ['01:00+10:30', '01:15+10:30', '01:30+10:30', '01:45+10:30', '02:30+11:00', '02:45+11:00', '03:00+11:00', '03:15+11:00'];
    const fine = ingestHistory(csv(...quarters.map((t) => `2026-10-04T${t.slice(0, 5)}:00${t.slice(5)},LHI,1,`)), lhi);
    if (!fine.ok) throw new Error(JSON.stringify(fine.problems));
    expect(fine.intervals.map((i) => [new Date(i.start).toISOString(), i.volume])).toEqual([
      ['2026-10-03T14:30:00.000Z', 4],
      ['2026-10-03T15:30:00.000Z', 2],
      ['2026-10-03T16:00:00.000Z', 2],
    ]);
  });

  it('when timestamps are local wall time without offset, then they are read in the group zone', () => {
    const result = ingestHistory(csv('2024-07-01T09:00,DE,2,', '2024-07-01T09:30:00,DE,3,'), groups);

    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.intervals.map((i) => i.start)).toEqual([Date.parse('2024-07-01T07:00:00Z'), Date.parse('2024-07-01T07:30:00Z')]);
  });

  it('when the file is separated by semicolons with decimal commas, or by tabs, then it reads like the comma file', () => {
    const plain = ingestHistory({ csv: `${HEADER}\n1999-02-01T09:00:00+02:00,PS,2.5,90.25\n1999-02-01T09:30:00+02:00,PS,3,\n` }, groups);
    const semicolons = ingestHistory({ csv: `${HEADER.replaceAll(',', ';')}\r\n1999-02-01T09:00:00+02:00;PS;2,5;90,25\r\n1999-02-01T09:30:00+02:00;PS;3;\r\n` }, groups);
    const tabs = ingestHistory({ csv: `${HEADER.replaceAll(',', '\t')}\n1999-02-01T09:00:00+02:00\tPS\t2.5\t90.25\n"1999-02-01T09:30:00+02:00"\tPS\t3\t\n` }, groups);

    expect(plain.ok).toBe(true);
    expect(semicolons).toEqual(plain);
    expect(tabs).toEqual(plain);
  });

  it('when a semicolon file with decimal commas also holds a dotted number, then that row is refused as ambiguous, not read as a decimal', () => {
    const mixed = ingestHistory({ csv: `${HEADER.replaceAll(',', ';')}\n1999-02-01T09:00:00+02:00;PS;12,5;300\n1999-02-01T09:30:00+02:00;PS;3;1.310\n` }, groups);
    expect(mixed.ok).toBe(false);
    if (mixed.ok) return;
    expect(mixed.problems).toEqual([expect.objectContaining({ row: 2, where: "row 2, aht_seconds", message: expect.stringMatching(/aht_seconds must be a positive number when present, got "1\.310" \(ambiguous: the file's decimal mark is a comma/) })]);
    // a semicolon file with dotted decimals only is read as it is
    const dotted = ingestHistory({ csv: `${HEADER.replaceAll(',', ';')}\n1999-02-01T09:00:00+02:00;PS;12.5;300.5\n` }, groups);
    expect(dotted.ok && dotted.intervals[0]).toMatchObject({ volume: 12.5, ahtSeconds: 300.5 });
  });

  it('when a semicolon or tab file of whole counts holds a number grouped like thousands, then its row is refused as ambiguous with a hint, not read as a decimal', () => {
    // a Polish/Brazilian export of call counts: no decimal comma anywhere, "1.234" is one thousand two hundred thirty-four
    const semicolons = ingestHistory({ csv: `${HEADER.replaceAll(',', ';')}\n1999-02-01T09:00:00+02:00;PS;987;185\n1999-02-01T09:30:00+02:00;PS;1.234;190\n1999-02-01T10:00:00+02:00;PS;1.050;185.500\n` }, groups);
    expect(problemsOf(semicolons)).toEqual([
      expect.objectContaining({ row: 2, where: 'row 2, volume', message: expect.stringContaining('volume is not a finite number: "1.234" (ambiguous: in a semicolon-separated file a dot may separate thousands: write 1234 if the dot separates thousands, or 1,234 if it is a decimal mark)') }),
      expect.objectContaining({ row: 3, where: 'row 3, volume', message: expect.stringContaining('write 1050 if the dot separates thousands, or 1,050 if it is a decimal mark') }),
      expect.objectContaining({ row: 3, where: 'row 3, aht_seconds', message: expect.stringContaining('"185.500" (ambiguous: in a semicolon-separated file') }),
    ]);
    const tabs = ingestHistory({ csv: `${HEADER.replaceAll(',', '\t')}\n1999-02-01T09:00:00+02:00\tPS\t1.000.000\t\n` }, groups);
    expect(problemsOf(tabs)).toEqual([expect.objectContaining({ row: 1, where: 'row 1, volume', message: expect.stringContaining('in a tab-separated file a dot may separate thousands: write 1000000, without thousands separators') })]);
    // what cannot be a thousands grouping is read as the decimal it is; a comma file is not touched
    const decimals = ingestHistory({ csv: `${HEADER.replaceAll(',', ';')}\n1999-02-01T09:00:00+02:00;PS;0.500;185.5\n1999-02-01T09:30:00+02:00;PS;1234;185.25\n` }, groups);
    expect(decimals.ok && decimals.intervals.map((i) => [i.volume, i.ahtSeconds])).toEqual([[0.5, 185.5], [1234, 185.25]]);
    const commas = ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,1.234,185.500'), groups);
    expect(commas.ok && commas.intervals[0]).toMatchObject({ volume: 1.234, ahtSeconds: 185.5 });
  });

  it("when every row has the same fractional AHT, then the summary's mean AHT is that AHT, not float noise", () => {
    const rows = Array.from({ length: 100 }, (_, k) => `${new Date(Date.parse('1999-02-01T07:00:00Z') + k * 1_800_000).toISOString()},PS,0.3,180.5`);
    const result = ingestHistory(csv(...rows), groups);

    expect(result.ok && result.summary[0].meanAhtSeconds).toBe(180.5);
  });

  it('when date and time are separated by a space (a database export), then they read as with the T', () => {
    const spaced = ingestHistory(csv('2024-07-01 09:00:00,DE,2,', '2024-07-01 09:30:00+02:00,DE,3,'), groups);

    expect(spaced).toEqual(ingestHistory(csv('2024-07-01T09:00:00,DE,2,', '2024-07-01T09:30:00+02:00,DE,3,'), groups));
  });

  it('when the batch is JSON (text or rows), then it gives the same intervals as the CSV', () => {
    const rows = [
      { interval_start: '1999-02-01T09:00:00+02:00', skill_group: 'PS', volume: 2, aht_seconds: 90 },
      { interval_start: '1999-02-01T09:30:00+02:00', skill_group: 'PS', volume: 3 },
    ];
    const fromCsv = ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,2,90', '1999-02-01T09:30:00+02:00,PS,3,'), groups);

    expect(ingestHistory({ json: JSON.stringify(rows) }, groups)).toEqual(fromCsv);
    expect(ingestHistory({ rows }, groups)).toEqual(fromCsv);
  });

  it('when the CSV has quoted fields and CRLF line ends, then it is read like plain CSV', () => {
    const plain = ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,2,90'), groups);
    const quoted = ingestHistory({ csv: `${HEADER}\r\n"1999-02-01T09:00:00+02:00","PS","2","90"\r\n` }, groups);

    expect(quoted).toEqual(plain);
  });

  it('when intervals are formatted to CSV and ingested again, then they round-trip', () => {
    const original = ingestHistoryOrThrow(csv(...sixMinuteHour(), '1999-02-01T10:00:00+02:00,PS,4,123.25'), groups);

    const text = formatIntervalsCsv(original.intervals, (id) => groups.get(id)!.timeZone);
    const again = ingestHistoryOrThrow({ csv: text }, groups);

    expect(again.intervals).toEqual(original.intervals);
  });

  it('when the group has opening hours, then the summary counts the open intervals with no row', () => {
    const withHours = skillGroupsById([group('PS', 'Asia/Jerusalem', { openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '09:00', to: '11:00' }] })]);

    // 1999-02-01 09:00 and 10:30 present → 09:30 and 10:00 are missing (inside hours, between first and last).
    const result = ingestHistoryOrThrow(csv('1999-02-01T09:00:00+02:00,PS,1,', '1999-02-01T10:30:00+02:00,PS,1,'), withHours);

    expect(result.summary[0].missingIntervals).toBe(2);
    expect(result.summary[0].missingSample).toEqual(['1999-02-01T09:30:00+02:00', '1999-02-01T10:00:00+02:00']);
  });
});

describe('ingestHistory: timestamp reading agrees with grid.ts parseTimestamp', () => {
  it.each([
    '2024-03-31T01:30', '2024-03-31T03:00:00', '2024-03-31T01:00:00Z', '2024-10-27T01:30:00+02:00', '2024-10-27T02:30:00+01:00',
    '2024-10-27T03:00', '2024-02-29T23:30:00-05:30', '2024-07-01T09:00:00.000+02:00', '2024-07-01T09:00+0200', '2024-12-31T23:30:00z',
    '2024-07-01 09:00', '2024-07-01 09:00:00+02:00', '2024-03-31 01:30:00Z',
  ])('when the timestamp is %s, then the interval is the one grid.ts gives', (text) => {
    const expected = parseTimestamp(text, 'Europe/Berlin');

    const result = ingestHistory(csv(`${text},DE,1,`), groups);

    if (!expected.ok) throw new Error(expected.reason);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.intervals[0].start).toBe(intervalStartOf(expected.epochMs, 'Europe/Berlin', 30));
  });

  it.each(['2023-02-29T09:00', '2024-13-01T09:00', '2024-07-01T25:00', '2024-07-01  09:00', '2024-07-01T09:60', '2024-07-01 25:00'])(
    'when the timestamp %s is not a valid time, then the row is rejected',
    (text) => {
      const problems = problemsOf(ingestHistory(csv(`${text},DE,1,`), groups));

      expect(problems[0]).toMatchObject({ row: 1, where: 'row 1, interval_start' });
    },
  );
});

describe('ingestHistory: rejected batches (the whole batch)', () => {
  it('when a skill group is unknown, then the row is rejected with its number', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,1,', '1999-02-01T09:00:00+02:00,XX,1,'), groups));

    expect(problems).toEqual([expect.objectContaining({ row: 2, message: expect.stringContaining('unknown skill group "XX"') })]);
  });

  it.each([
    ['-1', 'negative'],
    ['abc', 'not a finite number'],
    ['Infinity', 'not a finite number'],
    ['', 'missing'],
    ['1e300', 'more than 10,000,000 contacts in one interval'],
  ])('when the volume is "%s", then the row is rejected (%s)', (volume, reason) => {
    const problems = problemsOf(ingestHistory(csv(`1999-02-01T09:00:00+02:00,PS,${volume},`), groups));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ row: 1, where: 'row 1, volume' });
    expect(problems[0].message).toContain(reason);
  });

  it('when a JSON volume is not finite or not a number, then the row is rejected', () => {
    const problems = problemsOf(
      ingestHistory({ rows: [{ interval_start: '1999-02-01T09:00:00+02:00', skill_group: 'PS', volume: Number.NaN }, { interval_start: '1999-02-01T09:30:00+02:00', skill_group: 'PS', volume: true }] }, groups),
    );

    expect(problems.map((p) => p.row)).toEqual([1, 2]);
  });

  it.each(['0', '-5', 'fast'])('when aht_seconds is "%s", then the row is rejected', (aht) => {
    const problems = problemsOf(ingestHistory(csv(`1999-02-01T09:00:00+02:00,PS,3,${aht}`), groups));

    expect(problems).toEqual([expect.objectContaining({ row: 1, where: 'row 1, aht_seconds' })]);
  });

  it('when a timestamp has seconds, then the row is rejected', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:30+02:00,PS,1,'), groups));

    expect(problems[0]).toMatchObject({ row: 1, message: expect.stringContaining('has seconds') });
  });

  it('when a timestamp is not ISO-8601, then the row is rejected', () => {
    const problems = problemsOf(ingestHistory(csv('01/02/1999 09:00,PS,1,'), groups));

    expect(problems[0]).toMatchObject({ row: 1, message: expect.stringContaining('not an ISO-8601 timestamp') });
  });

  it('when a timestamp is well-formed but its day is not in the calendar, then the row names the date, not the format', () => {
    const rows = ['2026-02-30T05:30:00+01:00', '2026-02-30T05:30', '2023-02-29 09:00', '2024-13-01T09:00:00Z'].map((t) => `${t},DE,1,`);

    const problems = problemsOf(ingestHistory(csv(...rows), groups));

    expect(problems.map((p) => p.message)).toEqual(['2026-02-30 is not a calendar date', '2026-02-30 is not a calendar date', '2023-02-29 is not a calendar date', '2024-13-01 is not a calendar date']);
    expect(ingestHistory(csv('2024-02-29T09:00:00+01:00,DE,1,'), groups).ok).toBe(true); // a leap day is one
  });

  it('when a row is off the inferred 6-minute grid, then it is rejected naming the grid', () => {
    const rows = [...sixMinuteHour('1999-02-01'), ...sixMinuteHour('1999-02-02'), '1999-02-03T09:07:00+02:00,PS,1,'];

    const problems = problemsOf(ingestHistory(csv(...rows), groups));

    expect(problems).toEqual([expect.objectContaining({ row: 21, message: expect.stringContaining('09:07 is not on the 6-minute grid of this batch') })]);
  });

  it('when most rows are half-hour totals and some are at other minutes, then those rows are refused as a mix, not read as 1-minute data', () => {
    // two days of half-hour rows 08:00–18:00 (40), four stray rows at 09:07, 10:13, 11:41, 12:52 (9 %)
    const halfHours = ['1999-02-01', '1999-02-02'].flatMap((date) =>
      Array.from({ length: 20 }, (_, k) => `${date}T${String(8 + Math.floor(k / 2)).padStart(2, '0')}:${k % 2 ? '30' : '00'}:00+02:00,PS,12,`),
    );
    const stray = ['09:07', '10:13', '11:41', '12:52'].map((t) => `1999-02-02T${t}:00+02:00,PS,1,`);
    const problems = problemsOf(ingestHistory(csv(...halfHours, ...stray), groups));

    expect(problems.map((p) => p.row)).toEqual([41, 42, 43, 44]);
    expect(problems[0].message).toContain('09:07 is off the 30-minute grid that 91 % of skill group "PS"\'s rows are on');
    // said to be 1-minute counts, the same rows are taken
    const asMinutes = ingestHistory(csv(...halfHours, ...stray), groups, { granularityMinutes: 1 });
    expect(asMinutes.ok).toBe(true);
    // real per-minute rows (a call at some minutes only) are not a mix
    const perMinute = Array.from({ length: 60 }, (_, k) => `1999-02-01T${String(8 + Math.floor((k * 7) / 60)).padStart(2, '0')}:${String((k * 7) % 60).padStart(2, '0')}:00+02:00,PS,1,`);
    expect(ingestHistory(csv(...perMinute), groups).ok).toBe(true);
  });

  it('when fractional volumes are summed, then the batch total is the decimal sum, not binary noise', () => {
    const rows = Array.from({ length: 20 }, (_, k) => `1999-02-01T${String(8 + Math.floor(k / 2)).padStart(2, '0')}:${k % 2 ? '30' : '00'}:00+02:00,PS,0.1,`);
    const result = ingestHistory(csv(...rows), groups);
    expect(result.ok && result.summary[0].totalVolume).toBe(2);
  });

  it('when an explicit granularity is given, then rows off that grid are rejected', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,1,', '1999-02-01T09:15:00+02:00,PS,1,'), groups, { granularityMinutes: 30 }));

    expect(problems).toEqual([expect.objectContaining({ row: 2, message: expect.stringContaining('09:15 is not on the 30-minute grid') })]);
  });

  it('when the explicit granularity does not divide the interval, then the batch is rejected', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,1,'), groups, { granularityMinutes: 7 }));

    expect(problems[0]).toMatchObject({ where: 'granularity' });
  });

  it('when a row duplicates another with different values, then it is rejected naming the first row', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,4,', '1999-02-01T09:30:00+02:00,PS,1,', '1999-02-01T09:00:00+02:00,PS,5,'), groups));

    expect(problems).toEqual([expect.objectContaining({ row: 3, message: expect.stringContaining('duplicates row 1') })]);
  });

  it('when the same instant is written with two offsets and different values, then it is a conflicting duplicate', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,4,', '1999-02-01T07:00:00Z,PS,5,'), groups));

    expect(problems[0]).toMatchObject({ row: 2, message: expect.stringContaining('duplicates row 1') });
  });

  it('when a local wall time falls into the spring-forward gap (Europe/Berlin), then the row is rejected', () => {
    // 2024-03-31: clocks jump from 02:00 to 03:00 in Berlin.
    const problems = problemsOf(ingestHistory(csv('2024-03-31T01:30,DE,1,', '2024-03-31T02:30,DE,1,', '2024-03-31T03:00,DE,1,'), groups));

    expect(problems).toEqual([expect.objectContaining({ row: 2, message: expect.stringContaining('does not exist in Europe/Berlin (DST gap)') })]);
  });

  it('when a local wall time is in the repeated fall-back hour without an offset, then the row is rejected', () => {
    const problems = problemsOf(ingestHistory(csv('2024-10-27T02:30,DE,1,'), groups));

    expect(problems[0]).toMatchObject({ row: 1, message: expect.stringContaining('occurs twice') });
  });

  it('when an export in local time holds the repeated fall-back hour twice, then the rows are read in order as its two passes', () => {
    const local = ingestHistoryOrThrow(csv('2024-10-27T01:30,DE,1,', '2024-10-27T02:00,DE,2,', '2024-10-27T02:30,DE,3,', '2024-10-27T02:00,DE,4,', '2024-10-27T02:30,DE,5,', '2024-10-27T03:00,DE,6,'), groups);
    const withOffsets = ingestHistoryOrThrow(
      csv('2024-10-27T01:30+02:00,DE,1,', '2024-10-27T02:00+02:00,DE,2,', '2024-10-27T02:30+02:00,DE,3,', '2024-10-27T02:00+01:00,DE,4,', '2024-10-27T02:30+01:00,DE,5,', '2024-10-27T03:00+01:00,DE,6,'),
      groups,
    );

    expect(local.intervals).toEqual(withOffsets.intervals);
    expect(local.intervals).toHaveLength(6);
  });

  it('when only one row holds a repeated wall time, then the CLI option reads it as the first pass and the default rejects it', () => {
    const merged = csv('2024-10-27T01:30,DE,1,', '2024-10-27T02:00,DE,2,', '2024-10-27T02:30,DE,3,', '2024-10-27T03:00,DE,6,');

    const firstPass = ingestHistoryOrThrow(merged, groups, { singleAmbiguousWallTime: 'first-pass' });

    expect(firstPass.intervals.map((i) => [new Date(i.start).toISOString(), i.volume])).toEqual([
      ['2024-10-26T23:30:00.000Z', 1],
      ['2024-10-27T00:00:00.000Z', 2],
      ['2024-10-27T00:30:00.000Z', 3],
      ['2024-10-27T02:00:00.000Z', 6],
    ]);
    expect(problemsOf(ingestHistory(merged, groups)).map((p) => p.row)).toEqual([2, 3]);
  });

  it('when the header has an unknown column, then the batch is rejected at the header', () => {
    const problems = problemsOf(ingestHistory({ csv: 'interval_start,skill_group,volume,queue\n1999-02-01T09:00:00+02:00,PS,1,x' }, groups));

    expect(problems).toEqual([expect.objectContaining({ where: 'row 0', row: 0, message: expect.stringContaining('unknown column "queue"') })]);
  });

  it('when a header is spelled otherwise, then its unknown columns are named as the file writes them', () => {
    const problems = problemsOf(ingestHistory({ csv: 'Interval Start,Skill_Group,Volume\n1999-02-01T09:00:00+02:00,PS,1' }, groups));

    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('unknown column "Interval Start"'), 'missing column "interval_start"']);
  });

  it('when a required column is missing, then the batch is rejected at the header', () => {
    const problems = problemsOf(ingestHistory({ csv: 'interval_start,skill_group\n1999-02-01T09:00:00+02:00,PS' }, groups));

    expect(problems).toEqual([expect.objectContaining({ where: 'row 0', row: 0, message: 'missing column "volume"' })]);
  });

  it('when a JSON row has an unknown or a missing field, then that row is rejected', () => {
    const problems = problemsOf(
      ingestHistory(
        { rows: [{ interval_start: '1999-02-01T09:00:00+02:00', skill_group: 'PS', volume: 1, agents: 3 }, { interval_start: '1999-02-01T09:30:00+02:00', volume: 1 }] },
        groups,
      ),
    );

    expect(problems.map((p) => [p.row, p.message])).toEqual([
      [1, expect.stringContaining('unknown column "agents"')],
      [2, 'missing column "skill_group"'],
    ]);
  });

  it('when JSON rows are named by pointer, then each place is a pointer under it (i = row - 1), the row number kept', () => {
    const rows = [{ interval_start: '1999-02-01T09:00:00+02:00', skill_group: 'PS', volume: 1, agents: 3 }, { interval_start: '1999-02-01T09:30:00+02:00', skill_group: 'PS', volume: -1 }, 7];
    const problems = problemsOf(ingestHistory({ rows }, groups, { jsonPointer: '/body' }));

    expect(problems.map((p) => [p.where, p.row])).toEqual([
      ['/body/0', 1],
      ['/body/1/volume', 2],
      ['/body/2', 3],
    ]);
    // without it (the CLI's JSON files) as file rows
    expect(problemsOf(ingestHistory({ rows }, groups)).map((p) => p.where)).toEqual(['row 1', 'row 2, volume', 'row 3']);
  });

  it('when a quote opens and never closes, then the batch is rejected naming the row that opened it, not the end of the file', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,1,', '"1999-02-01T09:30:00+02:00,PS,2,', '1999-02-01T10:00:00+02:00,PS,3,', '1999-02-01T10:30:00+02:00,PS,3,'), groups));
    expect(problems).toEqual([expect.objectContaining({ row: 2, where: 'row 2', message: 'not valid CSV: a quote opens here and is never closed (row 2)' })]);
  });

  it('when a CSV row has the wrong number of fields, then it is rejected', () => {
    const problems = problemsOf(ingestHistory(csv('1999-02-01T09:00:00+02:00,PS,1'), groups));

    expect(problems[0]).toMatchObject({ row: 1, message: expect.stringContaining('has 3 fields') });
  });

  it('when every row sits on the hour for a 30-minute group (hourly counts), then the batch is rejected instead of filling every other interval', () => {
    const hourly = Array.from({ length: 30 }, (_, k) => `1999-02-0${1 + Math.floor(k / 10)}T${String(8 + (k % 10)).padStart(2, '0')}:00:00+02:00,PS,${40 + k},`);

    const problems = problemsOf(ingestHistory(csv(...hourly), groups));

    expect(problems).toEqual([{ where: 'interval_start', message: expect.stringContaining('starts on a 60-minute grid, but its intervals are 30 minutes') }]);
    // a few rows on the hour (one busy hour uploaded alone) are fine
    expect(ingestHistory(csv(...hourly.slice(0, 3)), groups).ok).toBe(true);
  });

  it('when finer rows never share an interval (a stray 08:07 row), then the batch is refused rather than one row replacing a whole interval', () => {
    const stray = ['1999-02-01T08:07:00+02:00,PS,3,'];
    const scattered = ['1999-02-01T08:07:00+02:00,PS,3,', '1999-02-01T09:13:00+02:00,PS,4,'];

    for (const rows of [stray, scattered]) {
      expect(problemsOf(ingestHistory(csv(...rows), groups))).toEqual([
        { where: 'interval_start', message: expect.stringMatching(/no 30-minute interval holds more than one row.*first at 1999-02-01T08:07:00\+02:00.*granularity=1/) },
      ]);
    }
    // the same rows are taken when the uploader says they are 1-minute counts, and finer rows that share an interval need no word
    expect(ingestHistory(csv(...stray), groups, { granularityMinutes: 1 }).ok).toBe(true);
    expect(ingestHistory(csv('1999-02-01T08:07:00+02:00,PS,3,', '1999-02-01T08:08:00+02:00,PS,1,'), groups).ok).toBe(true);
  });

  it('when the file has a header but no data rows, then the batch is rejected', () => {
    const problems = problemsOf(ingestHistory({ csv: `${HEADER}\n` }, groups));

    expect(problems).toEqual([{ where: 'file', message: 'no data rows' }]);
  });

  it('when one row is bad among good ones, then no intervals are returned at all', () => {
    const result = ingestHistory(csv(...sixMinuteHour(), '1999-02-01T10:00:00+02:00,PS,-3,'), groups);

    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty('intervals');
  });

  it('when ingestHistoryOrThrow gets a bad batch, then it throws a validation WfmError with every problem', () => {
    const act = () => ingestHistoryOrThrow(csv('1999-02-01T09:00:00+02:00,XX,1,', '1999-02-01T09:00:00+02:00,PS,-1,'), groups);

    expect(act).toThrow(WfmError);
    try {
      act();
    } catch (err) {
      expect((err as WfmError).code).toBe('validation');
      expect((err as WfmError).details.map((d) => d.row)).toEqual([1, 2]);
    }
  });
});
