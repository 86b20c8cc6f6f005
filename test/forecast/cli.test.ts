import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWfm } from '../support/cli';
import { formatInstant } from '../../src/time/grid';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';

const run = runWfm;

describe('wfm forecast / wfm backtest', () => {
  let dir: string;
  const writeHistory = (days: number) => {
    const file = path.join(dir, `history-${days}.csv`);
    const rows = syntheticHistory({ days, skillGroupId: 'sales' });
    writeFileSync(file, `interval_start,skill_group,volume\n${rows.map((r) => `${formatInstant(r.start, ZONE)},sales,${r.volume}`).join('\n')}\n`);
    return file;
  };
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when forecasting two weeks, then it prints interval_start,skill_group,p10,p50,p90 for every open interval', async () => {
    const file = writeHistory(49);
    const { code, stdout } = await run(['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'two-week', '--from', '2024-02-19T00:00:00+01:00', '--tz', ZONE]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('interval_start,skill_group,p10,p50,p90');
    expect(lines).toHaveLength(1 + 12 * 20);
    expect(lines[1]).toMatch(/^2024-02-19T08:00:00\+01:00,sales,[\d.]+,[\d.]+,[\d.]+$/);
  });

  it('when --expected is given, then a two-week forecast adds the mean volume staffing uses, at least the median for a few calls', async () => {
    const file = writeHistory(35);
    const { code, stdout } = await run(['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'two-week', '--from', '2024-02-05T00:00:00+01:00', '--tz', ZONE, '--baseline', '--expected']);
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trim().split('\n');
    expect(header).toBe('interval_start,skill_group,p10,p50,p90,expected');
    const cells = rows.map((r) => r.split(','));
    expect(cells.every((c) => c.length === 6 && Number.isFinite(Number(c[5])))).toBe(true);
    // Poisson-like counts: the median of a few calls is at most the mean rounded up
    expect(cells.every((c) => Number(c[3]) <= Math.ceil(Number(c[5])) + 1e-9)).toBe(true);

    const realtime = await run(['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'realtime', '--from', '2024-02-05T10:00:00+01:00', '--baseline', '--expected']);
    expect(realtime.code).toBe(1);
    expect(realtime.stderr).toMatch(/--expected applies to --horizon two-week/);
  });

  it('when --tz names a zone the file\'s offsets are not in, then a note says so (the pattern is read on that clock)', async () => {
    const file = writeHistory(20);
    const base = ['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'realtime', '--from', '2024-01-19T10:00:00+01:00', '--baseline'];
    const wrong = await run([...base, '--tz', 'Asia/Tokyo']);
    const right = await run([...base, '--tz', ZONE]);
    expect(wrong.code).toBe(0);
    expect(wrong.stderr).toMatch(/timestamps carry an offset \(\+01:00\) that Asia\/Tokyo does not have .*check --tz/);
    expect(right.stderr).not.toMatch(/check --tz/);
  });

  it('when the history is shorter than 4 weeks, then it says so and answers with a flagged baseline in JSON', async () => {
    const file = writeHistory(20);
    const { code, stdout, stderr } = await run(['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'realtime', '--from', '2024-01-19T10:00:00+01:00', '--json']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/learned model unavailable: .*at least 28 days/);
    const doc = JSON.parse(stdout);
    expect(doc.baselineFallback).toBe(true);
    expect(doc.intervalMinutes).toBe(30);
    expect(doc.points).toHaveLength(1);
    expect(doc.points[0]).toEqual(expect.objectContaining({ interval_start: '2024-01-19T10:00:00+01:00', skill_group: 'sales' }));
  });

  it('when a realtime forecast is asked for a day the history has nothing of, then it says the forecast cannot read today', async () => {
    const file = writeHistory(20);
    const base = ['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'realtime', '--baseline'];

    const stale = await run([...base, '--from', '2024-01-25T10:00:00+01:00']);
    const current = await run([...base, '--from', '2024-01-19T10:00:00+01:00']);

    expect(stale.code).toBe(0);
    expect(stale.stderr).toMatch(/no interval of 2024-01-25 before .*cannot read today's level/);
    expect(current.stderr).not.toMatch(/cannot read today's level/);
  });

  it('when the horizon is unknown, then it fails with a clear message', async () => {
    const file = writeHistory(20);
    const { code, stderr } = await run(['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'month', '--from', '2024-01-19T10:00:00+01:00']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--horizon must be two-week or realtime/);
  });

  it('when a one-series export has semicolons, decimal commas, spaced local times with offsets and no --tz (or is JSON), then it forecasts on the zone the offsets follow', async () => {
    const file = path.join(dir, 'export.csv');
    const rows = syntheticHistory({ days: 42, skillGroupId: 'sales', firstDate: '2024-02-26' });
    // Berlin offsets (+01:00, +02:00 from 2024-03-31) written "2024-03-04 08:00:00+01:00"; no skill_group column.
    writeFileSync(file, `interval_start;volume\n${rows.map((r) => `${formatInstant(r.start, ZONE).replace('T', ' ')};${r.volume},0`).join('\n')}\n`);
    const plain = path.join(dir, 'plain.csv');
    writeFileSync(plain, `interval_start,skill_group,volume\n${rows.map((r) => `${formatInstant(r.start, ZONE)},sales,${r.volume}`).join('\n')}\n`);
    const args = ['--skill-group', 'sales', '--horizon', 'realtime', '--from', '2024-04-05T11:07:00+02:00', '--baseline', '--json'];

    const json = path.join(dir, 'history.json');
    writeFileSync(json, JSON.stringify(rows.map((r) => ({ interval_start: formatInstant(r.start, ZONE), skill_group: 'sales', volume: r.volume }))));

    const exported = await run(['forecast', '--history', file, ...args]);
    const reference = await run(['forecast', '--history', plain, ...args, '--tz', ZONE]);
    const fromJson = await run(['forecast', '--history', json, ...args, '--tz', ZONE]);

    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/no --tz: using Europe\/\w+, as the timestamps' offsets \(\+01:00 and \+02:00\) follow/);
    const doc = JSON.parse(exported.stdout);
    expect(doc.points).toEqual(JSON.parse(reference.stdout).points);
    expect(JSON.parse(fromJson.stdout).points).toEqual(doc.points);
    expect(doc.points[0].interval_start).toBe('2024-04-05T11:00:00+02:00');
    expect(doc.totalMinutes).toBe(30);
  });

  it('when --country has no holiday calendar, --holidays is not a list of dates or a special day is invalid, then it fails naming the option or the place', async () => {
    const file = writeHistory(20);
    const base = ['forecast', '--history', file, '--skill-group', 'sales', '--horizon', 'two-week', '--from', '2024-01-22T00:00:00+01:00', '--baseline'];

    const specialDaysFile = path.join(dir, 'special-days.json');
    writeFileSync(specialDaysFile, JSON.stringify([{ date: '2024-01-25', label: 'sale', uplift: -1 }]));

    const country = await run([...base, '--country', 'XX']);
    const holidays = await run([...base, '--holidays', '2024-01-25,2024-02-30']);
    const specialDays = await run([...base, '--special-days', specialDaysFile]);
    const twiceFile = path.join(dir, 'special-days-twice.json');
    writeFileSync(twiceFile, JSON.stringify([{ date: '2024-01-25', label: 'sale', uplift: 2 }, { date: '2024-01-25', label: 'outage', uplift: 0.5 }]));
    const twice = await run([...base, '--special-days', twiceFile]);

    expect(country.code).toBe(1);
    expect(country.stderr).toMatch(/no public-holiday calendar for country "XX"/);
    expect(holidays.code).toBe(1);
    expect(holidays.stderr).toMatch(/--holidays: "2024-02-30" is not a date/);
    expect(specialDays.code).toBe(1);
    expect(specialDays.stderr).toMatch(/special-days\.json#\/0\/uplift: must be > 0/);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/special-days-twice\.json#\/1\/date: 2024-01-25 is already declared at .*special-days-twice\.json#\/0/);
  });

  it('when backtesting, then it prints WAPE, MASE, bias and coverage per model', async () => {
    const file = writeHistory(49);
    const { code, stdout } = await run(['backtest', '--history', file, '--skill-group', 'sales', '--horizon', 'two-week', '--windows', '2', '--tz', ZONE]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/model\s+WAPE\s+MASE\s+bias\s+p10–p90/);
    expect(stdout).toMatch(/^live\s+\d+\.\d%/m);
    expect(stdout).toMatch(/naive-mean-4-weeks/);
  });

  it('when backtesting with enough history for the learned net, then its own row is in the table, what became of it is said, and the ratio is in words', async () => {
    const file = writeHistory(70);
    const { code, stdout, stderr } = await run(['backtest', '--history', file, '--skill-group', 'sales', '--horizon', 'two-week', '--windows', '2', '--tz', ZONE]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^decomposition-net\s+\d+\.\d%\s+\d\.\d{3}/m);
    expect(stdout).toMatch(/^learned net \(decomposition-net\) at the 2 origin\(s\) with a trained model: (live at|kept the zero correction at|lost to)/m);
    expect(stdout).toMatch(/^live vs the better naive \(naive-(mean-4-weeks|last-week)\): WAPE ratio \d\.\d{3} → \d+\.\d % (lower|higher)$/m);
    // the synthetic line is closed on Sundays and at night: the hours read from the volumes are named
    expect(stderr).toContain('wfm: no --open: opening hours inferred from the volumes (each origin infers them again from the weeks before it; from the whole history): Mon-Sat 08:00-18:00, closed Sun;');
  });
});
