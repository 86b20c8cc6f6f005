/** `wfm simulate` end to end through the CLI entry point, on temporary files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWfm } from '../support/cli';
import { formatEstimate, parseShock } from '../../src/cli/commands/simulate';

const dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-sim-'));
const groupsFile = path.join(dir, 'groups.json');
const rosterFile = path.join(dir, 'roster.csv');
const forecastFile = path.join(dir, 'forecast.csv');

beforeAll(() => {
  writeFileSync(
    groupsFile,
    JSON.stringify([{ id: 'PS', name: 'PS', timeZone: 'Asia/Jerusalem', intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 }, ahtSeconds: 180, patienceSeconds: 300, shrinkage: 0.3, maxOccupancy: 0.85, channel: 'voice', overflowTo: [] }]),
  );
  const roster = ['agent_id,date,start,end,skill_group,breaks'];
  for (let a = 0; a < 8; a++) {
    roster.push(`a${a},1999-02-03,1999-02-03T08:00:00+02:00,1999-02-03T16:00:00+02:00,PS,1999-02-03T12:00:00+02:00/1999-02-03T12:30:00+02:00`);
  }
  writeFileSync(rosterFile, `${roster.join('\n')}\n`);
  const forecast = ['interval_start,skill_group,volume'];
  for (let h = 8; h < 16; h++) for (const m of ['00', '30']) forecast.push(`1999-02-03T${String(h).padStart(2, '0')}:${m}:00+02:00,PS,30`);
  writeFileSync(forecastFile, `${forecast.join('\n')}\n`);
});

const run = runWfm;

describe('wfm simulate', () => {
  test('when a roster meets a forecast with --json, then one JSON document with per-interval rows comes out', async () => {
    const { code, stdout } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--replications', '3', '--seed', '5', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.replications).toBe(3);
    expect(result.intervals).toHaveLength(48);
    expect(result.totals[0].offered.mean).toBeGreaterThan(400);
    expect(result.totals[0].offered.mean).toBeLessThan(560);
  });

  test('when the arrivals file is a call log, then its calls are replayed exactly', async () => {
    const logFile = path.join(dir, 'calls.csv');
    writeFileSync(logFile, 'arrival,skill_group,handle_seconds\n1999-02-03T09:00:00+02:00,PS,120\n1999-02-03T09:01:00+02:00,PS,60\n');
    const { code, stdout } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', logFile, '--replications', '2', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.totals[0].answered.mean).toBe(2);
    expect(result.totals[0].meanHandleSeconds.mean).toBe(90);
    expect(result.totals[0].asaSeconds.mean).toBe(0);
  });

  test('when a shock names an unknown group, then the command fails naming the --shock as typed, not the spec field', async () => {
    const { code, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--shock', 'PS*2@09:00/1h', '--shock', 'XX*3@13:00/1h']);
    expect(code).toBe(1);
    expect(stderr).toContain('--shock: "XX*3@13:00/1h": unknown skill group "XX"');
    expect(stderr).not.toContain('arrivals.shocks');
  });

  test('when --replications is out of range, then the error names --replications', async () => {
    const { code, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--replications', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('--replications: must be an integer in 1..1000');
    expect(stderr).not.toMatch(/^ {2}replications:/m);
  });

  test('when --arrivals is the CSV `wfm forecast --expected` writes, then its expected column is the volume, said on stderr', async () => {
    const file = path.join(dir, 'forecast-output.csv');
    const lines = ['interval_start,skill_group,p10,p50,p90,expected'];
    // p50 20 and expected 30: the simulated volume tells which column was read
    for (let h = 8; h < 16; h++) for (const m of ['00', '30']) lines.push(`1999-02-03T${String(h).padStart(2, '0')}:${m}:00+02:00,PS,10,20,40,30`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, stdout, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', file, '--replications', '3', '--seed', '5', '--json']);
    expect(code).toBe(0);
    expect(stderr).toContain('`expected` column (the mean) is the volume');
    const offered = JSON.parse(stdout).totals[0].offered.mean;
    expect(offered).toBeGreaterThan(400); // 16 intervals × 30
    expect(offered).toBeLessThan(560);
  });

  test('when --arrivals is a `wfm forecast` CSV without expected, then p50 is the volume and the note says how to get the mean', async () => {
    const file = path.join(dir, 'forecast-output-p50.csv');
    const lines = ['interval_start,skill_group,p10,p50,p90'];
    for (let h = 8; h < 16; h++) for (const m of ['00', '30']) lines.push(`1999-02-03T${String(h).padStart(2, '0')}:${m}:00+02:00,PS,5,10,15`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, stdout, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', file, '--replications', '3', '--seed', '5', '--json']);
    expect(code).toBe(0);
    expect(stderr).toContain('p50 column (the median) is the volume');
    expect(stderr).toContain('wfm forecast --expected');
    const offered = JSON.parse(stdout).totals[0].offered.mean;
    expect(offered).toBeGreaterThan(120); // 16 intervals × 10
    expect(offered).toBeLessThan(200);
  });

  test('when a confidence interval would pass 0 or 100 %, then it is shown cut to what is possible; inside, as ±', () => {
    expect(formatEstimate({ mean: 0.25, halfWidth: 3.176 }, 2, '%')).toBe('25.0% [0.0–100.0]');
    expect(formatEstimate({ mean: 0.9, halfWidth: 0.2 }, 3, '%')).toBe('90.0% [70.0–100.0]');
    expect(formatEstimate({ mean: 0.5, halfWidth: 0.031 }, 10, '%')).toBe('50.0% ±3.1');
    expect(formatEstimate({ mean: 4, halfWidth: 10 }, 2, ' s')).toBe('4.0 s [0.0–14.0]');
    expect(formatEstimate({ mean: 40, halfWidth: 10 }, 2, ' s')).toBe('40.0 s ±10.0');
  });

  test('when --replications is 1, then no metric shows a ± (an interval needs two replications) and the first line says so', async () => {
    const { code, stdout } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--replications', '1']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('±');
    expect(stdout.split('\n')[0]).toContain('one replication: no confidence intervals, they need --replications 2 or more');
    expect(stdout).toMatch(/^PS +\d+ +\d+\.\d% +\d+\.\d s +\d+\.\d% +\d+\.\d%$/m);
  });

  test('when --from is a day neither the roster nor the arrivals cover, then it exits 1 saying no arrival falls in it and which days the file covers', async () => {
    const { code, stdout, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--from', '1999-12-01']);
    expect(code).toBe(1);
    expect(stdout).not.toContain('calls simulated');
    expect(stderr).toContain(`no arrival falls in the simulated day(s) 1999-12-01: --arrivals ${forecastFile} covers 1999-02-03 to 1999-02-03`);
  });

  test('when the simulated days run past the arrivals, then the uncovered days are named in a note and the covered ones still simulate', async () => {
    const { code, stdout, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--from', '1999-02-03', '--days', '2', '--replications', '2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d+ calls simulated/);
    expect(stderr).toContain(`no arrival falls on 1999-02-04: --arrivals ${forecastFile} covers 1999-02-03 to 1999-02-03; that day simulates no calls`);
    const oneDay = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--replications', '2']);
    expect(oneDay.stderr).not.toContain('no arrival falls on');
  });

  test('when the arrivals cover the day but no roster shift does, then a note says nobody answers', async () => {
    const otherDay = path.join(dir, 'forecast-other-day.csv');
    writeFileSync(otherDay, 'interval_start,skill_group,volume\n1999-02-04T09:00:00+02:00,PS,30\n1999-02-04T09:30:00+02:00,PS,30\n');
    const { code, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', otherDay, '--replications', '2']);
    expect(code).toBe(0);
    expect(stderr).toContain(`no shift of --roster ${rosterFile} falls in the simulated day(s) 1999-02-04 (the roster covers 1999-02-03 to 1999-02-03): nobody answers, every call is lost`);
    const covered = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--replications', '2']);
    expect(covered.stderr).not.toContain('no shift');
  });

  test('when a call log of 200k calls comes without --from, then its first day is simulated (finding its earliest call does not overflow the stack)', async () => {
    const logFile = path.join(dir, 'big-calls.csv');
    // one call a minute from 1999-02-03 00:00 local for 200k minutes (~139 days), written last-first so the earliest is the last row
    const start = Date.parse('1999-02-03T00:00:00+02:00');
    const lines = ['arrival,skill_group,handle_seconds'];
    for (let k = 199_999; k >= 0; k--) lines.push(`${new Date(start + k * 60_000).toISOString()},PS,60`);
    writeFileSync(logFile, `${lines.join('\n')}\n`);
    const { code, stdout, stderr } = await run(['simulate', '--roster', rosterFile, '--skill-groups', groupsFile, '--arrivals', logFile, '--replications', '1', '--json']);
    expect(stderr).not.toContain('call stack');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).callsSimulated).toBe(1440);
  }, 60_000);

  test('when a roster row names an unknown skill group, ends before it starts or has a break outside the shift, then each is refused by its line', async () => {
    const bad = path.join(dir, 'bad-roster.csv');
    writeFileSync(bad, [
      'skill_group,agent_id,start,end', // any column order; times on the group's clock
      'PS,a1,1999-02-03T08:00,1999-02-03T16:00',
      'XX,a2,1999-02-03T08:00,1999-02-03T16:00',
      'PS,a3,1999-02-03T16:00,1999-02-03T08:00',
    ].join('\n'));
    const withBreak = path.join(dir, 'bad-break-roster.csv');
    writeFileSync(withBreak, 'agent_id,start,end,skill_group,breaks\na1,1999-02-03T08:00,1999-02-03T16:00,PS,1999-02-03T17:00/1999-02-03T17:30\n');
    const { code, stderr } = await run(['simulate', '--roster', bad, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--replications', '1']);
    expect(code).toBe(1);
    expect(stderr).toContain('--roster: 2 bad row(s)');
    expect(stderr).toContain('--roster:3: skill_group "XX" is not in the skill-groups file');
    expect(stderr).toMatch(/--roster:4: start and end must be .*end after start/);
    const breaks = await run(['simulate', '--roster', withBreak, '--skill-groups', groupsFile, '--arrivals', forecastFile, '--replications', '1']);
    expect(breaks.code).toBe(1);
    expect(breaks.stderr).toMatch(/--roster:2: breaks must be start\/end pairs .*inside the shift/);
  });

  test('when the roster lacks a needed column, then the error names the columns it needs', async () => {
    const noGroup = path.join(dir, 'no-group-roster.csv');
    writeFileSync(noGroup, 'agent_id,start,end\na1,1999-02-03T08:00,1999-02-03T16:00\n');
    const { code, stderr } = await run(['simulate', '--roster', noGroup, '--skill-groups', groupsFile, '--arrivals', forecastFile]);
    expect(code).toBe(1);
    expect(stderr).toContain('agent_id, start, end and skill_group');
  });

  test('when a shock spec is written like "PS*3@13:00/2h~30m", then it becomes a local-time shock on the first day', () => {
    const shock = parseShock('PS*3@13:00/2h~30m', '1999-02-03', 'Asia/Jerusalem');
    expect(shock).toEqual({ skillGroupId: 'PS', factor: 3, start: Date.parse('1999-02-03T13:00:00+02:00'), durationMinutes: 120, rampMinutes: 30 });
  });
});
