import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../support/cli';
import { register } from '../../src/cli/commands/import-check';
import { isWfmError } from '../../src/errors/wfm-error';

const SKILL_GROUPS = path.resolve(__dirname, '../../fixtures/skill-groups.json');

/** Runs `wfm import-check …` in-process (only this command registered); returns stdout and the error. */
const importCheck = (args: string[]) => runCommand(register, 'import-check', args);

describe('wfm import-check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'import-check-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when the file is valid, then --json prints the per-group summary', async () => {
    const file = path.join(dir, 'ok.csv');
    writeFileSync(file, 'interval_start,skill_group,volume,aht_seconds\n1999-02-01T09:00:00+02:00,PS,3,100\n1999-02-01T09:30:00+02:00,NW,2,\n');

    const { stdout, error } = await importCheck([file, '--skill-groups', SKILL_GROUPS, '--json']);

    expect(error).toBeUndefined();
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ ok: true, intervals: 2 });
    expect(doc.summary.map((s: { skillGroupId: string; totalVolume: number }) => [s.skillGroupId, s.totalVolume])).toEqual([['NW', 2], ['PS', 3]]);
  });

  it('when a JSON file has bad rows, then every rejected row is listed and a validation error is thrown (exit 1)', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([
      { interval_start: '1999-02-01T09:00:00+02:00', skill_group: 'XX', volume: 1 },
      { interval_start: '1999-02-01T09:30:00+02:00', skill_group: 'PS', volume: -2 },
    ]));

    const { stdout, error } = await importCheck([file, '--skill-groups', SKILL_GROUPS, '--json']);

    expect(isWfmError(error) && error.code === 'validation').toBe(true);
    const doc = JSON.parse(stdout);
    expect(doc.ok).toBe(false);
    expect(doc.problems.map((p: { row: number }) => p.row)).toEqual([1, 2]);
  });

  it('when a row lies after this machine\'s clock (a year typed wrong), then it is rejected as the upload would', async () => {
    const file = path.join(dir, 'future.csv');
    const nextYear = new Date().getUTCFullYear() + 1;
    writeFileSync(file, `interval_start,skill_group,volume\n1999-02-01T09:00:00+02:00,PS,1\n${nextYear}-02-01T09:00:00+02:00,PS,1\n`);

    const { stdout, error } = await importCheck([file, '--skill-groups', SKILL_GROUPS]);

    expect(isWfmError(error) && error.code === 'validation').toBe(true);
    expect(stdout).toMatch(new RegExp(`^row 2, interval_start: ${nextYear}-02-01T09:00:00\\+02:00 has not happened yet`));
  });

  it('when a per-call log has a volume column, or an export with extra columns has a second header, then the CLI refuses it as the upload does', async () => {
    const withVolume = path.join(dir, 'per-call-volume.csv');
    writeFileSync(withVolume, 'arrival,skill_group,volume\n1999-02-05T10:03:11+02:00,PS,3\n');
    const volume = await importCheck([withVolume, '--skill-groups', SKILL_GROUPS]);
    // not "column(s) volume ignored" and three calls read as one
    expect(isWfmError(volume.error) && volume.error.code === 'validation').toBe(true);
    expect((volume.error as Error).message).toContain('has one row per call, each row one call, and no "volume" column');
    expect((volume.error as Error).message).toContain("an interval export's time column is interval_start");

    const mixed = path.join(dir, 'mixed-shapes.csv');
    writeFileSync(mixed, 'interval_start,skill_group,volume,offered\n1999-02-01T09:00:00+02:00,PS,3,4\narrival,skill_group,handle_seconds\n1999-02-01T09:00:02+02:00,PS,100\n');
    const both = await importCheck([mixed, '--skill-groups', SKILL_GROUPS]);
    expect((both.error as Error).message).toContain('row 2: a second header line (arrival,skill_group,handle_seconds): the file mixes two shapes');
  });

  it('when human output is asked for a bad file, then each line names the row and the reason', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'interval_start,skill_group,volume\n1999-02-01T09:00:30+02:00,PS,1\n');

    const { stdout, error } = await importCheck([file, '--skill-groups', SKILL_GROUPS]);

    expect(isWfmError(error)).toBe(true);
    expect(stdout).toContain('row 1, interval_start: 1999-02-01T09:00:30+02:00 has seconds');
  });

  it('when identical rows repeat, or the file is a per-call log, then the check accepts it, saying how it counted the rows in the summary and on stderr', async () => {
    const repeated = path.join(dir, 'repeated.csv');
    writeFileSync(repeated, 'interval_start,skill_group,volume\n1999-02-01T09:00:00+02:00,PS,1\n1999-02-01T09:00:00+02:00,PS,1\n1999-02-01T09:01:00+02:00,PS,1\n');
    const calls = path.join(dir, 'calls.csv');
    writeFileSync(calls, 'arrival,skill_group,handle_seconds\n1999-02-01T09:00:07+02:00,PS,100\n1999-02-01T09:00:07+02:00,PS,\n1999-02-01T09:31:00+02:00,PS,50\n');
    let stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    try {
      const fromRepeated = await importCheck([repeated, '--skill-groups', SKILL_GROUPS, '--json']);
      expect(fromRepeated.error).toBeUndefined();
      expect(JSON.parse(fromRepeated.stdout).summary[0]).toMatchObject({ skillGroupId: 'PS', rows: 2, repeatedRows: 1, totalVolume: 2, notes: [expect.stringContaining('1 of 3 rows repeated another row exactly')] });
      const fromCalls = await importCheck([calls, '--skill-groups', SKILL_GROUPS]);
      expect(fromCalls.error).toBeUndefined();
      expect(fromCalls.stdout).toContain('accepted, 2 intervals');
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain(`wfm: ${repeated}: skill group PS: 1 of 3 rows repeated another row exactly (same interval start and values) and were counted once`);
    expect(stderr).toContain(`wfm: ${calls}: skill group PS: read as a per-call log (an arrival column, one row per call): 3 calls counted into 2 30-minute intervals, aht_seconds the mean handle time of the 2 calls with one`);
  });

  it('when the help is asked for, then --skill-groups is marked required', async () => {
    const { stdout } = await importCheck(['--help']);
    expect(stdout).toMatch(/--skill-groups <file>\s+required:/);
  });

  it('when an export has a column the history does not have, then the check accepts it as wfm forecast reads it, naming the column once', async () => {
    const csv = path.join(dir, 'extra-col.csv');
    writeFileSync(csv, 'interval_start,skill_group,volume,aht_seconds,handled\n1999-02-01T09:00:00+02:00,PS,3,100,3\n1999-02-01T09:30:00+02:00,PS,2,,2\n');
    const json = path.join(dir, 'extra-key.json');
    writeFileSync(json, JSON.stringify([{ interval_start: '1999-02-01T09:00:00+02:00', skill_group: 'PS', volume: 3, handled: 3 }]));
    let stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    try {
      const fromCsv = await importCheck([csv, '--skill-groups', SKILL_GROUPS, '--json']);
      const fromJson = await importCheck([json, '--skill-groups', SKILL_GROUPS, '--json']);

      expect(fromCsv.error).toBeUndefined();
      expect(JSON.parse(fromCsv.stdout)).toMatchObject({ ok: true, intervals: 2 });
      expect(fromJson.error).toBeUndefined();
      expect(JSON.parse(fromJson.stdout)).toMatchObject({ ok: true, intervals: 1 });
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain(`wfm: ${csv}: column(s) handled ignored (the check reads interval_start, skill_group, volume, aht_seconds, as wfm forecast, backtest and plan do; POST /history refuses other columns)`);
    expect(stderr).toContain(`wfm: ${json}: column(s) handled ignored`);
  });

  it('when a group\'s interval is finer than most days of its rows fill, then the file is accepted with a warning naming those days', async () => {
    const groups = JSON.parse(readFileSync(SKILL_GROUPS, 'utf8')) as Array<{ id: string; intervalMinutes: number }>;
    const quarterHourGroups = path.join(dir, 'skill-groups-15.json');
    writeFileSync(quarterHourGroups, JSON.stringify(groups.map((g) => (g.id === 'PS' ? { ...g, intervalMinutes: 15 } : g))));
    // one day of quarter hours, then three of half hours, 08:00–18:00
    const rows = ['1999-02-01', '1999-02-02', '1999-02-03', '1999-02-04'].flatMap((date, d) =>
      Array.from({ length: d === 0 ? 40 : 20 }, (_, k) => {
        const minute = d === 0 ? 8 * 60 + 15 * k : 8 * 60 + 30 * k;
        return `${date}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00+02:00,PS,4`;
      }),
    );
    const file = path.join(dir, 'mostly-half-hours.csv');
    writeFileSync(file, `interval_start,skill_group,volume\n${rows.join('\n')}\n`);
    let stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    try {
      const { stdout, error } = await importCheck([file, '--skill-groups', quarterHourGroups]);
      expect(error).toBeUndefined();
      expect(stdout).toContain('accepted, 100 intervals');
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain('wfm: warning: skill group "PS": 3 of 4 days (1999-02-02 … 1999-02-04) have their rows on a grid coarser than its 15-minute interval');
    expect(stderr).toContain('the file fills 30-minute intervals');
  });

  it('when rows are rejected, then the error says how rows are counted, as wfm forecast and wfm plan do', async () => {
    const file = path.join(dir, 'impossible-day.csv');
    writeFileSync(file, 'interval_start,skill_group,volume\n1999-02-01T09:00:00+02:00,PS,1\n1999-02-30T09:30:00+02:00,PS,1\n');
    const json = path.join(dir, 'impossible-day.json');
    writeFileSync(json, JSON.stringify([{ interval_start: '1999-02-30T09:30:00+02:00', skill_group: 'PS', volume: 1 }]));

    const human = await importCheck([file, '--skill-groups', SKILL_GROUPS]);
    const fromJson = await importCheck([json, '--skill-groups', SKILL_GROUPS, '--json']);

    expect(human.stdout).toContain('row 2, interval_start: 1999-02-30 is not a calendar date');
    expect((human.error as Error).message).toBe(`${file}: rejected, 1 problem(s) (row N is the data row after the header, line N + 1)`);
    expect((fromJson.error as Error).message).toBe(`${json}: rejected, 1 problem(s) (row N is the array's N-th object)`);
  });
});
