/**
 * `wfm forecast` / `wfm backtest` as a 24/7 roadside-assistance planner in Berlin runs them on 15-minute
 * data: how --from is read, and the notes that keep a short, stale or empty history from passing silently.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { runWfm } from '../support/cli';
import { specialDayNotes } from '../../src/cli/commands/forecast';
import { parseFromInstant } from '../../src/cli/from-flag';
import type { WfmError } from '../../src/errors/wfm-error';
import { formatInstant, startOfLocalDay } from '../../src/time/grid';

process.env.WFM_TF_QUIET = '1';

const ZONE = 'Europe/Berlin';
const QUARTER_MS = 15 * 60_000;

/**
 * Every quarter hour of `days` days from `firstDate` in Berlin, the shape of the tester's roadside export:
 * calls day and night (a 24/7 line), more by day. `volume` overrides the count (0 for an all-zero feed).
 */
function roadsideCsv(firstDate: string, days: number, volume?: (quarter: number) => number): string {
  const start = startOfLocalDay(firstDate, ZONE);
  const end = startOfLocalDay(DateTime.fromISO(firstDate).plus({ days }).toISODate()!, ZONE);
  const lines = ['interval_start,skill_group,volume,aht_seconds'];
  for (let t = start, k = 0; t < end; t += QUARTER_MS, k++) {
    const stamp = formatInstant(t, ZONE);
    const hour = Number(stamp.slice(11, 13));
    lines.push(`${stamp},RSA,${volume ? volume(k) : 2 + (k % 3) + (hour >= 7 && hour < 20 ? 6 : 0)},420`);
  }
  return `${lines.join('\n')}\n`;
}

describe('wfm forecast / backtest: --from and the notes on the history', () => {
  let dir: string;
  let tenWeeks: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-from-'));
    tenWeeks = path.join(dir, 'rsa-10-weeks.csv');
    writeFileSync(tenWeeks, roadsideCsv('2026-01-12', 70)); // Mon 2026-01-12 … Sun 2026-03-22, all +01:00
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const forecast = (history: string, from: string, extra: string[] = []) =>
    runWfm(['forecast', '--history', history, '--skill-group', 'RSA', '--horizon', 'two-week', '--from', from, '--baseline', ...extra]);

  it('when --from is a bare date, then it is local midnight in --tz (summer time here), not UTC midnight two hours later', async () => {
    const { code, stdout } = await forecast(tenWeeks, '2026-04-13', ['--tz', ZONE, '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.from).toBe('2026-04-13T00:00:00+02:00');
    expect(doc.points[0].interval_start).toBe('2026-04-13T00:00:00+02:00');
    // the same as the date-time spelled out
    const spelled = await forecast(tenWeeks, '2026-04-13T00:00:00+02:00', ['--tz', ZONE, '--json']);
    expect(JSON.parse(spelled.stdout).points).toEqual(doc.points);
  });

  it('when --from is a bare date and no --tz is given, then it is midnight on the zone the offsets imply', async () => {
    const { code, stdout } = await forecast(tenWeeks, '2026-03-23', ['--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).points[0].interval_start).toBe('2026-03-23T00:00:00+01:00');
  });

  it('when --from is a well-formed day the calendar lacks, then the error names the date, not the format', async () => {
    for (const from of ['2026-02-30', '2026-02-30T05:30:00+01:00', '2026-13-01']) {
      const { code, stderr } = await forecast(tenWeeks, from, ['--tz', ZONE]);
      expect([from, code]).toEqual([from, 1]);
      expect(stderr).toContain(`--from: ${from.slice(0, 10)} is not a calendar date`);
      expect(stderr).not.toMatch(/not an ISO-8601 timestamp/);
    }
  });

  it('when --from is a local time the clock change repeats or skips, then only its own reason and hint are given, not the format hint', () => {
    const failure = (text: string) => {
      try {
        parseFromInstant(text, 'America/New_York');
      } catch (err) {
        return err as WfmError;
      }
      throw new Error('expected a failure');
    };
    const twice = failure('2024-11-03T01:20');
    expect(twice.message).toBe('--from: local time 2024-11-03T01:20 occurs twice in America/New_York (DST fall-back): give an offset');
    expect(twice.details).toEqual([{ where: '--from', message: 'got "2024-11-03T01:20"' }]);
    const gap = failure('2024-03-10T02:30');
    expect(gap.details[0].message).toContain('the clocks skip that time');
    expect(gap.details[0].message).not.toContain('give a date YYYY-MM-DD');
    expect(failure('next tuesday').details[0].message).toContain('give a date YYYY-MM-DD (midnight in America/New_York) or an ISO-8601 date-time');
  });

  it('when --from lies weeks after the end of the history, then a note says how many days lie between; from the next day none does', async () => {
    const late = await forecast(tenWeeks, '2026-04-13', ['--tz', ZONE]);
    expect(late.code).toBe(0);
    expect(late.stderr).toMatch(/the history ends on 2026-03-22: the 21 day\(s\) between it and 2026-04-13 have no interval/);
    const next = await forecast(tenWeeks, '2026-03-23', ['--tz', ZONE]);
    expect(next.code).toBe(0);
    expect(next.stderr).not.toMatch(/the history ends on/);
  });

  it('when the history has 150k rows (5-minute data over 17 months), then the note on its last day still comes (no stack overflow finding it)', async () => {
    const big = path.join(dir, 'rsa-5-minute.csv');
    const start = Date.parse('2024-11-01T00:00:00Z'); // UTC: every row one 5-minute step
    const lines = ['interval_start,skill_group,volume'];
    for (let k = 0; k < 150_000; k++) lines.push(`${new Date(start + k * 300_000).toISOString()},RSA,${1 + (k % 3)}`);
    writeFileSync(big, `${lines.join('\n')}\n`); // the last row is 2026-04-05T19:55Z
    const { code, stderr } = await forecast(big, '2026-04-20', ['--tz', 'UTC']);
    expect(stderr).not.toContain('call stack');
    expect(code).toBe(0);
    expect(stderr).toMatch(/the history ends on 2026-04-05: the 14 day\(s\) between it and 2026-04-20 have no interval/);
  }, 60_000);

  it('when every interval of the history is zero, then a warning says all were judged closed instead of a bare "0 intervals"', async () => {
    const zeros = path.join(dir, 'rsa-all-zero.csv');
    writeFileSync(zeros, roadsideCsv('2026-02-02', 21, () => 0));
    const empty = await forecast(zeros, '2026-02-23', ['--tz', ZONE]);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/warning: none of the \d+ intervals of RSA before 2026-02-23 has any volume, so every interval was judged closed/);
    const backtest = await runWfm(['backtest', '--history', zeros, '--skill-group', 'RSA', '--tz', ZONE, '--windows', '1']);
    expect(backtest.stderr).toMatch(/warning: none of the \d+ intervals of RSA in the history has any volume/);

    const normal = await forecast(tenWeeks, '2026-03-23', ['--tz', ZONE]);
    expect(normal.stderr).not.toMatch(/judged closed/);
  });

  it('when --windows asks for more weekly origins than the history has room for, then a note says how many it allows', async () => {
    const fourWeeks = path.join(dir, 'rsa-4-weeks.csv');
    writeFileSync(fourWeeks, roadsideCsv('2026-02-02', 28));
    const base = ['backtest', '--history', fourWeeks, '--skill-group', 'RSA', '--tz', ZONE];
    const many = await runWfm([...base, '--windows', '50']);
    expect(many.code).toBe(0);
    expect(many.stdout).toMatch(/RSA two-week: 2 windows/);
    expect(many.stderr).toMatch(/--windows 50: the history allows 2 weekly window\(s\) \(each origin needs a week of history before it and 14 days after it\); ran 2/);
    const fitting = await runWfm([...base, '--windows', '2']);
    expect(fitting.stderr).not.toMatch(/the history allows/);
  });

  it('when --open gives the opening hours, then the forecast covers exactly them (24/7: every quarter hour, 92 on the spring-forward day), whatever the volumes would suggest', async () => {
    // quiet nights and Sunday evenings at 0–1 calls a quarter hour against 12 by day: what inference guesses at
    const quiet = path.join(dir, 'rsa-quiet-nights.csv');
    writeFileSync(quiet, roadsideCsv('2026-01-12', 70, (k) => { const hour = Math.floor((k % 96) / 4); return hour >= 7 && hour < 19 ? 12 : k % 5 === 0 ? 1 : 0; }));
    const perDay = (stdout: string) => {
      const days = new Map<string, number>();
      for (const line of stdout.trim().split('\n').slice(1)) days.set(line.slice(0, 10), (days.get(line.slice(0, 10)) ?? 0) + 1);
      return days;
    };
    const allDay = await forecast(quiet, '2026-03-23', ['--tz', ZONE, '--open', '24/7']);
    expect(allDay.code).toBe(0);
    const days = perDay(allDay.stdout);
    expect(days.size).toBe(14);
    for (const [date, n] of days) expect(n).toBe(date === '2026-03-29' ? 92 : 96);
    const weekdays = await forecast(quiet, '2026-03-23', ['--tz', ZONE, '--open', 'Mon-Fri 08:00-20:00; Sat 09:00-14:00']);
    expect(weekdays.code).toBe(0);
    const open = perDay(weekdays.stdout);
    expect([...open.values()]).toEqual([48, 48, 48, 48, 48, 20, 48, 48, 48, 48, 48, 20]);
    expect(weekdays.stdout).not.toMatch(/T07:45|T20:00|2026-03-28T14:00/);
    expect(weekdays.stdout).toMatch(/2026-03-28T13:45/);
  });

  it('when a special day lies outside the forecast\'s 14 days and the history, then a note names it; one in the history or the window is not named', async () => {
    const days = path.join(dir, 'special-days-out.json');
    writeFileSync(days, JSON.stringify([
      { date: '2026-12-25', label: 'Xmas sale', uplift: 2.5 }, // after the window 2026-03-23 … 2026-04-05
      { date: '2025-11-28', label: 'Black Friday', uplift: 3 }, // before the history
      { date: '2026-02-10', label: 'past sale', uplift: 2 }, // in the history: an example to learn from
      { date: '2026-03-25', label: 'spring sale', uplift: 2 }, // in the window
    ]));
    const { code, stderr } = await forecast(tenWeeks, '2026-03-23', ['--tz', ZONE, '--special-days', days]);
    expect(code).toBe(0);
    expect(stderr).toContain('special day(s) 2026-12-25 ("Xmas sale"), 2025-11-28 ("Black Friday") lie outside the forecast\'s days (2026-03-23 to 2026-04-05) and the history: they change nothing in this forecast');
    expect(stderr).not.toMatch(/special day\(s\)[^\n]*(2026-02-10|2026-03-25)/);
    // the calendar note says what the window's special day is forecast as
    expect(stderr).toContain('wfm: calendar: 2026-03-25 special day "spring sale", uplift ×2\n');
  });

  it('when a special day in the window has no uplift and nothing learns one, then a note says it is forecast as an ordinary day; with an uplift there is none', async () => {
    const bare = path.join(dir, 'special-days-bare.json');
    writeFileSync(bare, JSON.stringify([{ date: '2026-03-25', label: 'Big sale' }]));
    const withoutUplift = await forecast(tenWeeks, '2026-03-23', ['--tz', ZONE, '--special-days', bare]);
    expect(withoutUplift.code).toBe(0);
    expect(withoutUplift.stderr).toMatch(/special day\(s\) 2026-03-25 \("Big sale"\) have no uplift and the [a-z0-9-]+ forecast applies a declared uplift, or learns one from past special days with the same label, and the history holds none: they are forecast as ordinary days; give an uplift/);

    const given = path.join(dir, 'special-days-uplift.json');
    writeFileSync(given, JSON.stringify([{ date: '2026-03-25', label: 'Big sale', uplift: 1.5 }]));
    const withUplift = await forecast(tenWeeks, '2026-03-23', ['--tz', ZONE, '--special-days', given]);
    expect(withUplift.stderr).not.toMatch(/no uplift|special day\(s\)/);
  });

  it('when the learned net answers, then a special day without uplift is noted only if the history holds no declared special day to learn from', () => {
    const window = Array.from({ length: 14 }, (_, i) => `2026-03-${String(23 + i).padStart(2, '0')}`);
    const historyDates = new Set(['2026-02-10', '2026-03-01']);
    const sale = { date: '2026-03-25', label: 'Big sale' };
    const learnsNothing = specialDayNotes({ specialDays: [sale], forecastDates: window, historyDates, alias: 'decomposition-net' });
    expect(learnsNothing).toEqual([expect.stringContaining('the history holds no declared special day for the model to learn their effect from: they are forecast as ordinary days')]);
    const learns = specialDayNotes({ specialDays: [sale, { date: '2026-02-10', label: 'past sale' }], forecastDates: window, historyDates, alias: 'decomposition-net' });
    expect(learns).toEqual([]);
    // the decomposition has no special-day input: an example in the history does not help it
    expect(specialDayNotes({ specialDays: [sale, { date: '2026-02-10', label: 'past sale' }], forecastDates: window, historyDates, alias: 'decomposition' })).toHaveLength(1);
  });

  it('when --open cannot be read, then it exits 1 naming each window that is wrong and how to write it', async () => {
    const bad = await forecast(tenWeeks, '2026-03-23', ['--tz', ZONE, '--open', 'Mon-Fry 08:00-20:00; Sat 22:00-06:00']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/"Mon-Fry 08:00-20:00" is not "DAYS HH:MM-HH:MM"/);
    expect(bad.stderr).toMatch(/"Sat 22:00-06:00": the window must end after it starts/);
    // a day range of three ends is not read as its first two (Sunday silently dropped)
    const threeEnds = await forecast(tenWeeks, '2026-03-23', ['--tz', ZONE, '--open', 'Mon-Fri-Sun 08:00-12:00']);
    expect(threeEnds.code).toBe(1);
    expect(threeEnds.stderr).toMatch(/"Mon-Fri-Sun 08:00-12:00" is not "DAYS HH:MM-HH:MM"/);
    const backtest = await runWfm(['backtest', '--history', tenWeeks, '--skill-group', 'RSA', '--tz', ZONE, '--open', '25:00-26:00']);
    expect(backtest.code).toBe(1);
    expect(backtest.stderr).toMatch(/--open/);
  });
});
