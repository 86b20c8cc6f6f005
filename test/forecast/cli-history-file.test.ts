import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { announceTfBackend, describeOpeningHours, inferredOpeningHoursNote, loadHistoryFile } from '../../src/cli/commands/forecast';
import { WfmError } from '../../src/errors/wfm-error';

/** Half hours 08:00–18:00 +02:00 of some days, 10 calls each. */
function halfHourRows(days: string[], group?: string): string[] {
  return days.flatMap((date) =>
    Array.from({ length: 20 }, (_, k) => `${date}T${String(8 + Math.floor(k / 2)).padStart(2, '0')}:${k % 2 ? '30' : '00'}:00+02:00${group ? `,${group}` : ''},10`),
  );
}

describe('wfm forecast reading an outside history file', () => {
  let dir: string;
  let stderr: string;
  let spy: jest.SpyInstance;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    stderr = '';
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  });
  afterEach(() => spy.mockRestore());

  const write = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const failure = (f: () => unknown): WfmError => {
    try {
      f();
    } catch (err) {
      return err as WfmError;
    }
    throw new Error('expected a failure');
  };

  it('when one row of half-hour data is at 15:37, then that row is refused by its file row, not the whole file read as 1-minute intervals', () => {
    const rows = halfHourRows(['1999-02-01', '1999-02-02', '1999-02-03']);
    rows.splice(30, 0, '1999-02-02T15:37:00+02:00,3');
    const file = write('stray.csv', ['interval_start,volume', ...rows]);
    const error = failure(() => loadHistoryFile({ history: file, skillGroup: 'AB' }));
    expect(error.message).toContain(file);
    expect(error.details).toEqual([expect.objectContaining({ row: 31, message: expect.stringContaining('15:37 is not on the 30-minute grid') })]);
    rows.splice(30, 1);
    expect(loadHistoryFile({ history: write('clean.csv', ['interval_start,volume', ...rows]), skillGroup: 'AB' }).subject.intervalMinutes).toBe(30);
  });

  it('when a file of several groups has a bad row, then the problem names its row in the file, not among the group\'s rows', () => {
    const ps = halfHourRows(['1999-02-01'], 'PS');
    const nw = halfHourRows(['1999-02-01'], 'NW');
    const lines = ['interval_start,skill_group,volume', ...nw, ...ps.slice(0, 5), '1999-02-01T10:30:00+02:00,PS,-4', ...ps.slice(6)];
    const error = failure(() => loadHistoryFile({ history: write('groups.csv', lines), skillGroup: 'PS' }));
    expect(error.details).toEqual([expect.objectContaining({ row: 26, where: 'row 26, volume' })]);
  });

  it('when a row has more fields than the header (a thousands separator), then it is refused by its row, not read from its first fields', () => {
    const rows = halfHourRows(['1999-02-01', '1999-02-02']);
    rows[3] = '1999-02-01T09:30:00+02:00,1,234';
    const error = failure(() => loadHistoryFile({ history: write('thousands.csv', ['interval_start,volume', ...rows]), skillGroup: 'AB' }));
    expect(error.details).toEqual([expect.objectContaining({ row: 4, where: 'row 4', message: expect.stringContaining('has 3 fields, the header has 2') })]);
  });

  it('when neither --country nor --holidays is given, then it says no holiday calendar is used; with a country it does not', () => {
    const file = write('plain.csv', ['interval_start,volume', ...halfHourRows(['1999-02-01', '1999-02-02'])]);
    loadHistoryFile({ history: file, skillGroup: 'AB' });
    expect(stderr).toContain('no public-holiday calendar is used');
    stderr = '';
    loadHistoryFile({ history: file, skillGroup: 'AB', country: 'IL' });
    expect(stderr).not.toContain('no public-holiday calendar');
  });

  it('when a quote is never closed, then a clean error names the row that opened it', () => {
    const rows = halfHourRows(['1999-02-01', '1999-02-02']);
    rows[5] = `"${rows[5]}`;
    const error = failure(() => loadHistoryFile({ history: write('quote.csv', ['interval_start,volume', ...rows]), skillGroup: 'AB' }));
    expect(error).toBeInstanceOf(WfmError);
    expect(error.details).toEqual([expect.objectContaining({ row: 6, where: 'row 6' })]);
  });

  it('when an export has columns the forecast does not read, then they are ignored and named once', () => {
    const rows = halfHourRows(['1999-02-01', '1999-02-02']).map((r) => `${r},12,11`);
    const loaded = loadHistoryFile({ history: write('extra.csv', ['interval_start,volume,offered,handled', ...rows]), skillGroup: 'AB' });
    expect(loaded.rows).toHaveLength(40);
    expect(stderr).toContain('column(s) offered, handled ignored');
    expect(stderr.match(/ignored/g)).toHaveLength(1);
  });

  it('when the first days are at 15 minutes and the rest at 30, then the history is read in 30-minute intervals, in either row order', () => {
    // 2 days of quarter hours, then 8 of half hours, 08:00–18:00 +02:00: the 15-minute grid row by row
    const quarters = ['1999-02-01', '1999-02-02'].flatMap((date) =>
      Array.from({ length: 40 }, (_, k) => `${date}T${String(8 + Math.floor(k / 4)).padStart(2, '0')}:${String((k % 4) * 15).padStart(2, '0')}:00+02:00,5`),
    );
    const halves = halfHourRows(['1999-02-03', '1999-02-04', '1999-02-05', '1999-02-06', '1999-02-08', '1999-02-09', '1999-02-10', '1999-02-11']);
    const rows = [...quarters, ...halves];

    const oldestFirst = loadHistoryFile({ history: write('15-first.csv', ['interval_start,volume', ...rows]), skillGroup: 'AB' });
    const newestFirst = loadHistoryFile({ history: write('15-first-reversed.csv', ['interval_start,volume', ...[...rows].reverse()]), skillGroup: 'AB' });

    expect(oldestFirst.subject.intervalMinutes).toBe(30);
    expect(oldestFirst.rows).toHaveLength(10 * 20);
    // the quarter hours summed into their half hours; no interval at :15 or :45
    expect(oldestFirst.rows.slice(0, 2).map((r) => r.volume)).toEqual([10, 10]);
    expect(oldestFirst.rows.every((r) => new Date(r.start).getUTCMinutes() % 30 === 0)).toBe(true);
    expect(newestFirst.subject.intervalMinutes).toBe(30);
    expect(newestFirst.rows).toEqual(oldestFirst.rows);
    expect(stderr).toContain('8 of 10 days (1999-02-03 … 1999-02-11) have their rows on a grid coarser than 15 minutes: the history is read in 30-minute intervals');
    expect(stderr).toContain('--interval 15');
  });

  it('when the header is not the history\'s, then the error quotes it as the file writes it', () => {
    const rows = halfHourRows(['1999-02-01'], 'AB').map((r) => `${r},`);
    const error = failure(() => loadHistoryFile({ history: write('renamed.csv', ['Interval Start,Queue,Offered,AHT', ...rows]), skillGroup: 'AB' }));
    expect(error.message).toContain('its columns are "Interval Start","Queue","Offered","AHT"');
  });

  it('when a per-call log (arrival,skill_group,handle_seconds, seconds in the times) is given, then its calls are counted into 15-minute intervals with a note', () => {
    const calls = ['1999-02-01T09:00:02+02:00,PS,100', '1999-02-01T09:00:02+02:00,PS,200', '1999-02-01T09:14:59+02:00,PS,', '1999-02-01T09:15:00+02:00,NW,30', '1999-02-01T09:20:31+02:00,PS,60'];
    const loaded = loadHistoryFile({ history: write('calls.csv', ['arrival,skill_group,handle_seconds', ...calls]), skillGroup: 'PS' });
    expect(loaded.subject.intervalMinutes).toBe(15);
    expect(loaded.rows.map((r) => [new Date(r.start).toISOString(), r.volume, r.ahtSeconds])).toEqual([
      ['1999-02-01T07:00:00.000Z', 3, 150],
      ['1999-02-01T07:15:00.000Z', 1, 60],
    ]);
    expect(stderr).toContain('is a per-call log: its calls are counted in 15-minute intervals');
    expect(stderr).toContain('skill group PS: read as a per-call log (an arrival column, one row per call): 4 calls counted into 2 15-minute intervals');
    // --interval chooses the length
    expect(loadHistoryFile({ history: write('calls.csv', ['arrival,skill_group,handle_seconds', ...calls]), skillGroup: 'PS', interval: '30' }).rows.map((r) => r.volume)).toEqual([4]);
  });

  it('when identical rows repeat (a per-call export cut to the minute), then they are counted once and a note says how many and what to do', () => {
    const rows = [...halfHourRows(['1999-02-01']), '1999-02-01T09:00:00+02:00,10', '1999-02-01T09:30:00+02:00,10'];
    const loaded = loadHistoryFile({ history: write('repeated.csv', ['interval_start,volume', ...rows]), skillGroup: 'AB' });
    expect(loaded.rows).toHaveLength(20);
    expect(stderr).toContain('repeated.csv: skill group AB: 2 of 22 rows repeated another row exactly (same interval start and values) and were counted once');
    expect(stderr).toContain('if each row is one call');
  });

  it('when a local-time file without offsets repeats the fall-back hour with other values and no --tz is given, then the error says it looks like a clock change and to give --tz', () => {
    const rows = ['2024-11-03 00:00:00,4', '2024-11-03 00:30:00,4', '2024-11-03 01:00:00,5', '2024-11-03 01:30:00,6', '2024-11-03 01:00:00,7', '2024-11-03 01:30:00,8', '2024-11-03 02:00:00,3'];
    const error = failure(() => loadHistoryFile({ history: write('fall-back.csv', ['interval_start,volume', ...rows]), skillGroup: 'NY' }));
    expect(error.message).toContain('looks like the second pass of a clock change (DST fall-back)');
    expect(error.message).toContain('give --tz ZONE');
    expect(error.details).toEqual([expect.objectContaining({ row: 5 }), expect.objectContaining({ row: 6 })]);
    // with the zone, the repeated hour is its two passes
    expect(loadHistoryFile({ history: write('fall-back.csv', ['interval_start,volume', ...rows]), skillGroup: 'NY', tz: 'America/New_York' }).rows).toHaveLength(7);
  });

  it('when --skill-group names no group of the file, then the error lists the groups it holds', () => {
    const rows = [...halfHourRows(['1999-02-01'], 'PS'), ...halfHourRows(['1999-02-01'], 'NW')];
    const error = failure(() => loadHistoryFile({ history: write('two-groups.csv', ['interval_start,skill_group,volume', ...rows]), skillGroup: 'XX' }));
    expect(error.message).toMatch(/no rows for skill group "XX" in .*two-groups\.csv: it holds "PS", "NW"$/);
  });

  it('when --tz is not a zone, then the reason is said once, the detail only quoting the value', () => {
    const error = failure(() => loadHistoryFile({ history: write('plain.csv', ['interval_start,volume', ...halfHourRows(['1999-02-01'])]), skillGroup: 'AB', tz: 'Europe/Berln' }));
    expect(error.message).toBe('--tz: "Europe/Berln" is not an IANA time zone (e.g. Europe/Berlin)');
    expect(error.details).toEqual([{ where: '--tz', message: 'got "Europe/Berln"' }]);
  });

  it('when opening hours are inferred, then the note names them per weekday as --open writes them; a line open round the clock is 24/7', () => {
    const open = (from: number, to: number) => Array.from({ length: 48 }, (_, s) => s >= from && s < to);
    const closed = new Array<boolean>(48).fill(false);
    expect(describeOpeningHours([open(16, 40), open(16, 40), open(16, 40), open(16, 40), open(16, 40), open(18, 28), closed], 30)).toEqual({ spec: 'Mon-Fri 08:00-20:00; Sat 09:00-14:00', closedDays: ['Sun'] });
    expect(describeOpeningHours([open(0, 48), open(0, 48), open(0, 48), open(0, 48), open(0, 48), open(0, 48), open(0, 48)], 30)).toEqual({ spec: '24/7', closedDays: [] });
    expect(describeOpeningHours([open(0, 2), open(0, 48), open(0, 2), closed, closed, closed, closed], 30).spec).toBe('Mon,Wed 00:00-01:00; Tue 00:00-24:00');
    const note = inferredOpeningHoursNote(
      halfHourRows(['1999-02-01', '1999-02-02']).map((r) => ({ skillGroupId: 'AB', start: Date.parse(r.slice(0, 25)), volume: 10 })),
      { id: 'AB', timeZone: 'Etc/GMT-2', intervalMinutes: 30 },
    );
    expect(note).toContain('opening hours inferred from the volumes (from the last weeks of the history): Mon-Tue 08:00-18:00, closed Wed,Thu,Fri,Sat,Sun');
    expect(note).toContain('If the line never closes, give --open 24/7');
    expect(inferredOpeningHoursNote([], { id: 'AB', timeZone: 'UTC', intervalMinutes: 30, openingHours: [{ days: [1], from: '08:00', to: '18:00' }] })).toBeUndefined();
  });

  it('when the CLI chooses the tfjs backend, then it says which with the wfm: prefix of its other notes', async () => {
    const quiet = process.env.WFM_TF_QUIET;
    delete process.env.WFM_TF_QUIET;
    try {
      await announceTfBackend();
    } finally {
      if (quiet !== undefined) process.env.WFM_TF_QUIET = quiet;
    }
    expect(stderr).toMatch(/^wfm: tfjs backend: (tensorflow|wasm|cpu)/m);
  });

  it('when every timestamp has one offset, then a note says it is read without summer time', () => {
    loadHistoryFile({ history: write('winter.csv', ['interval_start,volume', ...halfHourRows(['1999-02-01'])]), skillGroup: 'AB' });
    expect(stderr).toMatch(/no --tz: using Etc\/GMT-2, .*without summer time/);
  });
});
