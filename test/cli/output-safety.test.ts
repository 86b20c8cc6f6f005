/**
 * What `wfm` writes from the user's files: CSV cells a spreadsheet opens as text, notes and errors a
 * terminal shows as text, time zones kept in one spelling, and locale-grouped numbers refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWfm } from '../support/cli';
import { csvTextCell, quotedForTerminal, terminalSafe } from '../../src/cli/output-text';
import { splitCsv } from '../../src/history/ingest';

process.env.WFM_TF_QUIET = '1';

const HOUR_MS = 3_600_000;

/** Three weeks of hourly rows in UTC from Monday 2026-01-05, without a skill_group column (a file of one series). */
function hourlyCsv(separator = ',', volume: (k: number) => string = (k) => String(5 + (k % 7))): string {
  const start = Date.parse('2026-01-05T00:00:00Z');
  const lines = [['interval_start', 'volume', 'aht_seconds'].join(separator)];
  for (let k = 0; k < 21 * 24; k++) lines.push([new Date(start + k * HOUR_MS).toISOString().replace('.000Z', 'Z'), volume(k), '180'].join(separator));
  return `${lines.join('\n')}\n`;
}

describe('wfm output from file content', () => {
  let dir: string;
  let history: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-output-'));
    history = path.join(dir, 'history.csv');
    writeFileSync(history, hourlyCsv());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const forecast = (skillGroup: string, extra: string[] = [], file = history) =>
    runWfm(['forecast', '--history', file, '--skill-group', skillGroup, '--horizon', 'two-week', '--from', '2026-01-26', '--baseline', '--country', 'DE', ...extra]);

  it('when the skill group holds a comma, a quote or starts like a formula, then the forecast CSV quotes it and keeps it text; numbers and timestamps stay as they are', async () => {
    const shifted = await forecast('A,B"x', ['--tz', 'UTC']);
    expect(shifted.code).toBe(0);
    const records = splitCsv(shifted.stdout);
    expect(records[0]).toEqual(['interval_start', 'skill_group', 'p10', 'p50', 'p90']);
    expect(records.slice(1).every((r) => r.length === 5 && r[1] === 'A,B"x')).toBe(true);
    expect(shifted.stdout.split('\n')[1]).toMatch(/^2026-01-26T00:00:00Z,"A,B""x",\d/);

    const formula = await forecast('=HYPERLINK("http://x")', ['--tz', 'UTC']);
    expect(formula.code).toBe(0);
    expect(formula.stdout.split('\n')[1]).toMatch(/^2026-01-26T00:00:00Z,"'=HYPERLINK\(""http:\/\/x""\)",\d+(\.\d+)?,/);
  });

  it('when a cell is free text, then = + - @ tab and CR are neutralised by an apostrophe; other text is only quoted where RFC 4180 needs it', () => {
    expect(['=1+2', '+1', '-2', '@SUM(A1)', '\t=1', '\r=1', 'PS', 'A;B', 'a-b'].map(csvTextCell)).toEqual(["'=1+2", "'+1", "'-2", "'@SUM(A1)", "'\t=1", `"'\r=1"`, 'PS', 'A;B', 'a-b']);
  });

  it('when a special-day label holds terminal escapes and a line break, then the note quotes it inert on one line', async () => {
    const days = path.join(dir, 'special-days.json');
    writeFileSync(days, JSON.stringify([{ date: '2026-12-24', label: '\u001b[31mRED\u001b[0m\nFAKE: wfm: all good' }]));
    const { code, stderr } = await forecast('PS', ['--tz', 'UTC', '--special-days', days]);
    expect(code).toBe(0);
    expect(stderr).toContain('special day(s) 2026-12-24 ("\\u001b[31mRED\\u001b[0m\\nFAKE: wfm: all good") lie outside');
    expect(stderr).not.toContain('\u001b');
    expect(stderr.split('\n').some((line) => line.startsWith('FAKE'))).toBe(false);
  });

  it('when an error quotes a cell of the file, then the cell cannot colour the terminal or start a line of its own', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'interval_start,skill_group,volume\n2026-01-05T00:00:00Z,PS,"\u001b[2J\u009b31m\nwfm: all good"\n');
    const checked = await runWfm(['import-check', bad, '--skill-groups', path.resolve(__dirname, '../../fixtures/skill-groups.json')]);
    const forecasted = await forecast('PS', ['--tz', 'UTC'], bad); // its errors are printed by main.ts
    for (const { code, stdout, stderr } of [checked, forecasted]) {
      expect(code).toBe(1);
      expect(stdout + stderr).toContain('volume is not a finite number: "\\u001b[2J\\u009b31m\\u000awfm: all good"');
      expect(stdout + stderr).not.toMatch(/[\u001b\u009b]/);
      expect(`${stdout}\n${stderr}`.split('\n').filter((line) => line.startsWith('wfm: all good'))).toEqual([]);
    }
    expect(terminalSafe('a\u001bb\nc\u202ed')).toBe('a\\u001bb\\u000ac\\u202ed');
    expect(quotedForTerminal('say "hi"\u009b')).toBe('"say \\"hi\\"\\u009b"');
  });

  it('when a history file has an extra column whose name holds escapes, then the note that it is left out names it inert', async () => {
    const extra = path.join(dir, 'extra-column.csv');
    writeFileSync(extra, hourlyCsv().replace('aht_seconds\n', 'aht_seconds,"\u001b[31moffered\nwfm: ok"\n').replace(/,180\n/g, ',180,1\n'));
    const { code, stderr } = await forecast('PS', ['--tz', 'UTC'], extra);
    expect(code).toBe(0);
    expect(stderr).toContain('column(s) \\u001b[31moffered\\u000awfm: ok ignored');
    expect(stderr).not.toContain('\u001b');
  });

  it('when --tz is typed in another case, then the forecast runs on the zone as IANA spells it; an abbreviation is refused', async () => {
    const lower = await forecast('PS', ['--tz', 'europe/berlin', '--json']);
    expect(lower.code).toBe(0);
    expect(JSON.parse(lower.stdout).timeZone).toBe('Europe/Berlin');

    const abbreviation = await forecast('PS', ['--tz', 'CET']);
    expect(abbreviation.code).toBe(1);
    expect(abbreviation.stderr).toMatch(/^wfm: --tz: "CET" is an abbreviation or a legacy name, not a place's time zone: give the IANA Area\/Location zone/m);
  });

  it('when a semicolon history of whole counts writes a thousand as 1.234, then wfm forecast refuses the row naming how to write it', async () => {
    const polish = path.join(dir, 'polish.csv');
    writeFileSync(polish, hourlyCsv(';', (k) => (k === 30 ? '1.234' : String(900 + k))));
    const { code, stderr } = await forecast('PS', ['--tz', 'UTC'], polish);
    expect(code).toBe(1);
    expect(stderr).toContain('row 31, volume: volume is not a finite number: "1.234" (ambiguous: in a semicolon-separated file a dot may separate thousands: write 1234 if the dot separates thousands, or 1,234 if it is a decimal mark)');
  });
});
