/** `wfm simulate` end to end through the CLI entry point, on temporary files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWfm } from '../support/cli';
import { parseShock } from '../../src/cli/commands/simulate';

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

  test('when a shock spec is written like "PS*3@13:00/2h~30m", then it becomes a local-time shock on the first day', () => {
    const shock = parseShock('PS*3@13:00/2h~30m', '1999-02-03', 'Asia/Jerusalem');
    expect(shock).toEqual({ skillGroupId: 'PS', factor: 3, start: Date.parse('1999-02-03T13:00:00+02:00'), durationMinutes: 120, rampMinutes: 30 });
  });
});
