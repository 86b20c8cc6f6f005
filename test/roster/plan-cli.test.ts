import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWfm } from '../support/cli';
import { plan } from '../../src/cli/commands/plan';
import { loadRosterShifts, loadSkillGroups } from '../../src/cli/input-files';
import { checkRoster } from '../../src/roster/checker';
import { DEFAULT_TEMPLATES } from '../../src/roster/templates';
import type { Agent } from '../../src/domain/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const files = { history: path.join(FIXTURES, 'history-30min.csv'), agents: path.join(FIXTURES, 'agents.json'), skillGroups: path.join(FIXTURES, 'skill-groups.json') };
const args = (out: string, extra: string[] = []) => ['plan', '--history', files.history, '--agents', files.agents, '--skill-groups', files.skillGroups, '--from', '1999-11-01', '--days', '3', '--out', out, '--groups', 'PS,NE', '--search-iterations', '300', ...extra];

describe('wfm plan (embedded forecast → requirement → roster)', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'wfm-plan-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  test('when run on the fixtures, then it writes a checked roster, coverage, slots and a summary, and prints the table', async () => {
    const { code, stdout, stderr } = await runWfm(args(out));
    expect(stderr).toContain('wfm plan: forecasting PS');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Roster 1999-11-01 \+ 3 days \(Asia\/Jerusalem\): \d+ partner shifts/);
    expect(stdout).toContain('Checker: 0 hard-rule violations');
    expect(stdout).toMatch(/^PS +\d+/m);
    // no registry given: each group's two-week forecaster is trained on its history before the period
    expect(stderr).toContain('wfm plan: training the two-week forecaster of PS');
    expect(stdout).not.toMatch(/^PS .*baseline fallback/m);

    const roster = readFileSync(path.join(out, 'roster.csv'), 'utf8').trim().split('\n');
    // the six columns first, as before; break_kinds after them
    expect(roster[0]).toBe('agent_id,date,start,end,skill_group,breaks,break_kinds');
    expect(roster[1]).toMatch(/^P\d{3},1999-11-0[123],1999-11-0[1-4]T\d\d:\d\d:00\+02:00,1999-11-0[1-4]T\d\d:\d\d:00\+02:00,(PS|NE),/);
    const coverage = readFileSync(path.join(out, 'coverage.csv'), 'utf8').trim().split('\n');
    expect(coverage[0]).toBe('interval_start,skill_group,volume,aht_seconds,required,scheduled,shortfall,service_level,asa_seconds,abandonment');
    expect(coverage.length).toBeGreaterThan(100);
    expect(readFileSync(path.join(out, 'slots.csv'), 'utf8').split('\n')[0]).toBe('slot_id,skill_group,date,start,end,kind,agents_needed');
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.skillGroups).toEqual(['PS', 'NE']);
    expect(summary.summary.checkerViolations).toBe(0);
    expect(summary.summary.partnerShifts).toBe(roster.length - 1);
    expect(summary.forecastSources.map((s: { source: string }) => s.source)).toEqual(['computed-from-history', 'computed-from-history']);
    expect(summary.forecastSources[0]).toMatchObject({ modelVersion: 'trained-now', baselineFallback: false });
    expect(summary.perSkillGroup[0]).toMatchObject({ skillGroupId: 'PS' });
  });

  test('when planned in-process, then the independent checker finds no violation and coverage matches the requirement rows', async () => {
    const result = await plan({ ...files, from: '1999-11-01', days: '3', out, groups: 'PS,NE', searchIterations: '300', train: false });
    expect(result.forecastSources.map((f) => [f.alias, f.baselineFallback])).toEqual([['naive-mean-4-weeks', true], ['naive-mean-4-weeks', true]]);
    const agents = JSON.parse(readFileSync(files.agents, 'utf8')) as Agent[];
    expect(result.roster.shifts.length).toBeGreaterThan(0);
    expect(checkRoster(result.roster.shifts, agents, result.period)).toEqual([]);
    for (const c of result.roster.coverage) expect(c.shortfall).toBeCloseTo(Math.max(0, c.required - c.scheduled), 4);
  });

  test('when --special-days declares a sale, then every planned group forecasts it with its uplift', async () => {
    const options = { ...files, from: '1999-11-01', days: '3', out, groups: 'PS,NE', searchIterations: '300', train: false };
    const sale = path.join(out, 'sale.json');
    writeFileSync(sale, JSON.stringify([{ date: '1999-11-02', label: 'sale', uplift: 3 }]));
    const plain = await plan(options);
    const withSale = await plan({ ...options, out: path.join(out, 'sale'), specialDays: sale });
    const volume = (result: typeof plain, group: string, date: string) =>
      result.roster.coverage.filter((c) => c.skillGroupId === group && new Date(c.intervalStart + 2 * 3_600_000).toISOString().startsWith(date)).reduce((a, c) => a + c.volume, 0);
    for (const group of ['PS', 'NE']) {
      expect(volume(withSale, group, '1999-11-02') / volume(plain, group, '1999-11-02')).toBeCloseTo(3, 6);
      expect(volume(withSale, group, '1999-11-03')).toBeCloseTo(volume(plain, group, '1999-11-03'), 6);
    }
  });

  test('when --previous gives the last roster, then runs of working days and rest hold across the edge; a bad row is named', async () => {
    const agents = (JSON.parse(readFileSync(files.agents, 'utf8')) as Agent[]).filter((a) => a.kind === 'partner');
    // every partner worked the six days before the period (their contracts allow 6 in a row), 08:00–16:30
    const days = ['1999-10-26', '1999-10-27', '1999-10-28', '1999-10-29', '1999-10-30', '1999-10-31'];
    const rows = agents.flatMap((a) => days.map((d) => `${a.id},${d},${d}T08:00:00+02:00,${d}T16:30:00+02:00,${a.skills[0].skillGroupId},`));
    const previous = path.join(out, 'previous.csv');
    writeFileSync(previous, ['agent_id,date,start,end,skill_group,breaks', ...rows].join('\n'));
    // The fixture's agents without their days off of that fortnight (days away there are credited at the
    // class's rate, shares-absence.test.ts) and without preferred kinds (each prefers one kind, so with
    // day shifts counted late nobody would bear late shifts as a burden): this test counts the Friday alone.
    const present = path.join(out, 'agents-present.json');
    const all = JSON.parse(readFileSync(files.agents, 'utf8')) as Agent[];
    writeFileSync(present, JSON.stringify(all.map((a) => ({ ...a, preferences: undefined, daysOff: a.daysOff?.filter((d) => d < '1999-10-22' || d > '1999-11-04') }))));
    const options = { ...files, from: '1999-11-01', days: '3', out, groups: 'PS,NE', searchIterations: '300', train: false };
    const result = await plan({ ...options, previous });
    expect(result.roster.shifts.filter((s) => s.date === '1999-11-01')).toEqual([]);
    expect(result.roster.shifts.length).toBeGreaterThan(0);
    const commitments = rows.map((line, i) => {
      const [agentId, date, start, end] = line.split(',');
      return { agentId, date, start: Date.parse(start), end: Date.parse(end), id: `p${i}` };
    });
    expect(checkRoster(result.roster.shifts, agents, result.period, { commitments })).toEqual([]);

    writeFileSync(previous, ['agent_id,date,start,end,skill_group,breaks', rows[0], 'P001,1999-10-31,yesterday,1999-10-31T16:30:00+02:00,PS,'].join('\n'));
    const { code, stderr } = await runWfm([...args(out), '--previous', previous]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${previous}:3`);
    expect(stderr).toMatch(/ISO date-times with offsets/);
  });

  test('when --json is given, then stdout is one JSON document', async () => {
    const { code, stdout } = await runWfm(args(out, ['--json']));
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.files).toEqual(['roster.csv', 'coverage.csv', 'slots.csv', 'summary.json']);
    expect(doc.summary.checkerViolations).toBe(0);
  });

  test('when the input is wrong, then it exits 1 naming the problem and writes nothing', async () => {
    const unknown = await runWfm(args(out).map((a) => (a === 'PS,NE' ? 'PS,XX' : a)));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown skill group\(s\): XX/);
    const tooLong = await runWfm(args(out).map((a) => (a === '3' ? '30' : a)));
    expect(tooLong.code).toBe(1);
    // the period comes from flags: the error names the flag, not the request field
    expect(tooLong.stderr).toMatch(/--days: must be a whole number of days from 1 to 14/);
    expect(tooLong.stderr).not.toContain('/period/days');
    const badTemplates = path.join(out, 'templates.json');
    writeFileSync(badTemplates, JSON.stringify([{ id: 'x', name: 'x', kind: 'day', lengthMinutes: 10, startWindow: { from: '08:00', to: '09:00' }, startGridMinutes: 30 }]));
    const templates = await runWfm(args(out, ['--templates', badTemplates]));
    expect(templates.code).toBe(1);
    // the template's problem points into its file, and it is said once (not again for every agent's contract)
    expect(templates.stderr).toMatch(/templates\.json#\/0\/lengthMinutes/);
    expect(templates.stderr).not.toMatch(/\/rules\/templates|longest shift/);
    for (const [flag, value] of [['--search-iterations', 'abc'], ['--search-iterations', '-5'], ['--seed', 'abc'], ['--seed', '1.5']]) {
      const bad = await runWfm(args(out, [flag, value]));
      expect([flag, value, bad.code]).toEqual([flag, value, 1]);
      expect(bad.stderr).toMatch(new RegExp(`${flag} must be a whole number`));
    }
    const early = await runWfm(args(out).map((a) => (a === '1999-11-01' ? '1998-01-01' : a)));
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/no history of PS in the 120 days before 1998-01-01/);
    expect(() => readFileSync(path.join(out, 'roster.csv'))).toThrow();
  });

  test('when the history has a bad row, then the error names the file and how its rows are counted, as wfm forecast does', async () => {
    const csv = path.join(out, 'negative.csv');
    writeFileSync(csv, 'interval_start,skill_group,volume\n1999-10-01T09:00:00+02:00,PS,3\n1999-10-01T09:30:00+02:00,PS,-3\n');
    const json = path.join(out, 'negative.json');
    writeFileSync(json, JSON.stringify([{ interval_start: '1999-10-01T09:00:00+02:00', skill_group: 'PS', volume: -3 }]));

    const fromCsv = await runWfm(args(out).map((a) => (a === files.history ? csv : a)));
    const fromJson = await runWfm(args(out).map((a) => (a === files.history ? json : a)));

    expect(fromCsv.code).toBe(1);
    expect(fromCsv.stderr).toContain(`wfm: ${csv}: history batch rejected: 1 problem(s) (row N is the data row after the header, line N + 1)\n  row 2, volume: volume is negative: -3`);
    expect(fromJson.code).toBe(1);
    expect(fromJson.stderr).toContain(`wfm: ${json}: history batch rejected: 1 problem(s) (row N is the array's N-th object)`);
  });

  test('when the history export carries more columns in another order, then plan reads it like wfm forecast: the extra columns are ignored with a note, the roster the same', async () => {
    // the fixture history with its columns reordered and an export's handled/abandoned added
    const lines = readFileSync(files.history, 'utf8').trim().split('\n');
    const reordered = ['volume,handled,skill_group,interval_start,abandoned,aht_seconds'];
    for (const line of lines.slice(1)) {
      const [start, group, volume, aht] = line.split(',');
      reordered.push(`${volume},${volume},${group},${start},0,${aht ?? ''}`);
    }
    const csv = path.join(out, 'export.csv');
    writeFileSync(csv, `${reordered.join('\n')}\n`);
    const plain = await runWfm([...args(path.join(out, 'plain')), '--json', '--no-train']);
    const exported = await runWfm([...args(path.join(out, 'export')).map((a) => (a === files.history ? csv : a)), '--json', '--no-train']);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`wfm: ${csv}: column(s) handled, abandoned ignored (the plan reads`);
    expect(readFileSync(path.join(out, 'export', 'roster.csv'), 'utf8')).toBe(readFileSync(path.join(out, 'plain', 'roster.csv'), 'utf8'));
    expect(plain.code).toBe(0);
  });

  test('when --from is a well-formed day the calendar lacks, then the error names the date, not the format', async () => {
    const { code, stderr } = await runWfm(args(out).map((a) => (a === '1999-11-01' ? '1999-02-30' : a)));
    expect(code).toBe(1);
    expect(stderr).toContain('wfm: --from: 1999-02-30 is not a calendar date');
    expect(stderr).not.toMatch(/must be a date YYYY-MM-DD|forecasting/);
  });

  test('when --templates is an empty list or not a list, then it exits 1 naming the file instead of planning with the defaults', async () => {
    for (const [content, message] of [['[]', /names no shift template: give at least one/], ['{"id":"x"}', /must be a JSON array of shift templates/]] as const) {
      const file = path.join(out, 'templates.json');
      writeFileSync(file, content);
      const { code, stderr } = await runWfm(args(out, ['--templates', file]));
      expect(code).toBe(1);
      expect(stderr).toContain(`wfm: ${file}`);
      expect(stderr).toMatch(message);
      expect(stderr).not.toContain('forecasting');
    }
  });

  test('when --out is an existing file or lies under one, then it exits 1 naming --out before any planning', async () => {
    const file = path.join(out, 'taken');
    writeFileSync(file, 'x');
    for (const [target, message] of [[file, /--out .*taken: exists and is not a directory/], [path.join(file, 'plan'), /--out .*taken\/plan: cannot be created: .*taken is not a directory/]] as const) {
      const { code, stderr } = await runWfm(args(target));
      expect(code).toBe(1);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/unexpected error|forecasting/);
    }
  });

  test('when the skill groups keep different time zones and no --tz is given, then it refuses naming the groups and zones and says to plan them separately', async () => {
    const groups = JSON.parse(readFileSync(files.skillGroups, 'utf8')) as Array<{ id: string; timeZone: string }>;
    const mixed = path.join(out, 'skill-groups.json');
    writeFileSync(mixed, JSON.stringify(groups.map((g) => (g.id === 'NE' ? { ...g, timeZone: 'America/New_York' } : g))));
    const { code, stderr } = await runWfm(args(out).map((a) => (a === files.skillGroups ? mixed : a)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/different time zones: PS \(Asia\/Jerusalem\), NE \(America\/New_York\); plan each zone's groups separately with --groups/);
    expect(stderr).toMatch(/^  --groups: /m);
    expect(stderr).not.toContain('forecasting');
  });

  test('when --previous rows carry no kind, then each is read as the plan\'s template it fits (on its group\'s clock), the start hour guessing only for a row no template fits', () => {
    const header = 'agent_id,date,start,end,skill_group,breaks';
    const row = (start: string, end: string) => `P001,1999-10-25,1999-10-25T${start},1999-10-25T${end},PS,`;
    const previous = path.join(out, 'previous.csv');
    writeFileSync(previous, [
      header,
      row('12:30:00+02:00', '16:30:00+02:00'), // the default 4-hour mid shift (kind day) at its latest start: not late
      row('14:30:00+04:00', '18:30:00+04:00'), // the same shift written on another offset: read on PS's clock (Asia/Jerusalem)
      row('08:00:00+02:00', '12:00:00+02:00'), // mid at its earliest: day, not early
      row('12:30:00+02:00', '21:00:00+02:00'), // the 8.5-hour late
      row('16:00:00+02:00', '20:00:00+02:00'), // the 4-hour evening, kind late
      row('13:15:00+02:00', '19:15:00+02:00'), // 6 hours: no template fits, so the start hour says late
    ].join('\n'));
    const groups = loadSkillGroups(files.skillGroups);
    expect(loadRosterShifts(previous, groups).map((s) => s.kind)).toEqual(['day', 'day', 'day', 'late', 'late', 'late']);
    // the plan's own templates (--templates) decide: here a 4-hour shift at 12:30 is a late one
    const lateMid = { id: 'late-mid', name: 'Late mid 4h', kind: 'late' as const, lengthMinutes: 240, startWindow: { from: '12:00', to: '14:00' }, startGridMinutes: 30 as const };
    expect(loadRosterShifts(previous, groups, [lateMid]).map((s) => s.kind)).toEqual(['late', 'late', 'early', 'late', 'late', 'late']);
  });

  test('when --previous holds afternoon mid shifts and a Friday, then they count towards the late and weekend shares by --late-kinds and --weekend-days', async () => {
    const agents = (JSON.parse(readFileSync(files.agents, 'utf8')) as Agent[]).filter((a) => a.kind === 'partner');
    // every partner worked one 4-hour mid shift (a day shift) on Friday 29 October, from 12:30
    const rows = agents.map((a) => `${a.id},1999-10-29,1999-10-29T12:30:00+02:00,1999-10-29T16:30:00+02:00,${a.skills[0].skillGroupId},`);
    const previous = path.join(out, 'previous.csv');
    writeFileSync(previous, ['agent_id,date,start,end,skill_group,breaks', ...rows].join('\n'));
    // The fixture's agents without their days off of that fortnight (days away there are credited at the
    // class's rate, shares-absence.test.ts) and without preferred kinds (each prefers one kind, so with
    // day shifts counted late nobody would bear late shifts as a burden): this test counts the Friday alone.
    const present = path.join(out, 'agents-present.json');
    const all = JSON.parse(readFileSync(files.agents, 'utf8')) as Agent[];
    writeFileSync(present, JSON.stringify(all.map((a) => ({ ...a, preferences: undefined, daysOff: a.daysOff?.filter((d) => d < '1999-10-22' || d > '1999-11-04') }))));
    type Spread = { min: number; max: number } | null;
    type Fairness = { contractClass: string; weekendShiftsWhereOpen: Spread; lateShiftsWhereOpen: Spread; weekendShiftsWithPrevious: Spread; lateShiftsWithPrevious: Spread };
    const fairness = async (name: string, extra: string[]) => {
      // Friday 5 to Sunday 7 November: only agents who could work a weekend (late) shift here are open to that share
      const period = args(path.join(out, name)).map((a) => (a === '1999-11-01' ? '1999-11-05' : a === files.agents ? present : a));
      const { code, stdout, stderr } = await runWfm([...period, '--no-train', '--json', '--previous', previous, ...extra]);
      expect([name, code, stderr]).toEqual([name, 0, '']);
      return JSON.parse(stdout).fairness as Fairness[];
    };
    const plus = (spread: Spread, n: number) => spread && { ...spread, min: spread.min + n, max: spread.max + n };

    // by default (Saturday and Sunday; late and night) the previous Friday mid shift adds to neither share
    const plain = await fairness('plain', []);
    expect(plain.length).toBeGreaterThan(0);
    for (const f of plain) {
      expect([f.contractClass, f.lateShiftsWithPrevious]).toEqual([f.contractClass, f.lateShiftsWhereOpen]);
      expect([f.contractClass, f.weekendShiftsWithPrevious]).toEqual([f.contractClass, f.weekendShiftsWhereOpen]);
    }
    // a Friday–Saturday weekend (as in Israel) counts it as a weekend shift of every agent
    for (const f of await fairness('fri-sat', ['--weekend-days', 'Fri,sat'])) expect([f.contractClass, f.weekendShiftsWithPrevious]).toEqual([f.contractClass, plus(f.weekendShiftsWhereOpen, 1)]);
    // day shifts counted as late count it as a late shift of every agent open to late ones
    for (const f of await fairness('day-late', ['--late-kinds', 'day,late,night'])) expect([f.contractClass, f.lateShiftsWithPrevious]).toEqual([f.contractClass, plus(f.lateShiftsWhereOpen, 1)]);
    // the kind is the plan's own template's: with --templates whose 4-hour mid shift is a late one, it counts late
    const templates = path.join(out, 'templates.json');
    writeFileSync(templates, JSON.stringify(DEFAULT_TEMPLATES.map((t) => (t.id === 'mid-part' ? { ...t, kind: 'late' } : t))));
    for (const f of await fairness('late-mid', ['--templates', templates])) expect([f.contractClass, f.lateShiftsWithPrevious]).toEqual([f.contractClass, plus(f.lateShiftsWhereOpen, 1)]);
  });

  test('when --weekend-days or --late-kinds is not understood, then it exits 1 naming the flag before any forecasting', async () => {
    for (const [flag, value, message] of [
      ['--weekend-days', '5,6', /--weekend-days must name days Mon\.\.Sun, as a list \(fri,sat\) or a range \(thu-sat\)\n  --weekend-days: got "5,6" \(days by name, not number/],
      ['--weekend-days', 'fri,saturday', /--weekend-days must name days Mon\.\.Sun/],
      ['--weekend-days', '', /--weekend-days must name days Mon\.\.Sun/],
      ['--late-kinds', 'late,evening', /--late-kinds must list shift kinds among early, day, late, night.*\n  --late-kinds: got "late,evening": "evening" is not a shift kind/],
      ['--late-kinds', '', /--late-kinds: got "": an empty kind is not a shift kind/],
    ] as const) {
      const { code, stderr } = await runWfm(args(out, [flag, value]));
      expect([flag, value, code]).toEqual([flag, value, 1]);
      expect(stderr).toMatch(message);
      expect(stderr).not.toContain('forecasting');
    }
  });

  test('when asked for help, then plan lists --weekend-days and --late-kinds, and says --previous counts towards the weekend and late shares', async () => {
    const { code, stdout } = await runWfm(['plan', '--help']);
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--weekend-days <days> .*e\.g\. fri,sat \(default: sat,sun\)/);
    expect(help).toMatch(/--late-kinds <kinds> .*\(default: late,night\)/);
    expect(help).toMatch(/--previous <file> .*count towards each agent's weekend and late shares \(rotation/);
  });
});
