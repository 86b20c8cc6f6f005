import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand } from '../support/cli';
import { register } from '../../src/cli/commands/staffing';
import { WfmError } from '../../src/errors/wfm-error';

/** Runs `wfm staffing …` in-process with only this command registered; returns stdout and any error. */
const staffing = (args: string[]) => runCommand(register, 'staffing', args);

const reference = ['--volume', '100', '--interval', '30', '--aht', '180', '--sl', '0.8', '--answer-within', '20'];

describe('wfm staffing', () => {
  test('when asked for the reference case with 30% shrinkage in JSON, then it prints 14 raw and 20 with shrinkage', async () => {
    const { stdout, error } = await staffing([...reference, '--shrinkage', '0.3', '--json']);

    expect(error).toBeUndefined();
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ model: 'erlang-c', rawAgents: 14, agentsWithShrinkage: 20, probAbandon: 0 });
    expect(doc.serviceLevel).toBeCloseTo(0.888, 3);
    expect(doc.asaSeconds).toBeCloseTo(7.8, 1);
    expect(doc.occupancy).toBeCloseTo(0.714, 3);
    expect(doc.probWait).toBeGreaterThan(0);
  });

  test('when a patience and a scheduled head-count are given, then Erlang A predicts abandonment for them', async () => {
    const { stdout, error } = await staffing([...reference, '--patience', '120', '--agents', '11', '--json']);

    expect(error).toBeUndefined();
    const doc = JSON.parse(stdout);
    expect(doc.model).toBe('erlang-a');
    expect(doc.scheduled.agents).toBe(11);
    expect(doc.scheduled.probAbandon).toBeGreaterThan(doc.probAbandon);
  });

  test('when output is for humans, then every figure is labelled', async () => {
    const { stdout } = await staffing([...reference, '--shrinkage', '0.3']);

    for (const label of ['raw agents:', 'agents with shrinkage:', 'service level:', 'ASA:', 'occupancy:', 'P(wait):', 'P(abandon):']) {
      expect(stdout).toContain(label);
    }
    expect(stdout).toMatch(/raw agents:\s+14/);
  });

  test('when only a head-count is asked about, then no target is needed and only that head-count is reported', async () => {
    const withoutTarget = ['--volume', '100', '--interval', '30', '--aht', '180', '--answer-within', '20', '--agents', '12'];
    const json = await staffing([...withoutTarget, '--json']);
    expect(json.error).toBeUndefined();
    const doc = JSON.parse(json.stdout);
    expect(doc.rawAgents).toBeUndefined();
    expect(doc.scheduled.agents).toBe(12);
    expect(doc.scheduled.serviceLevel).toBeCloseTo(0.64, 2);

    const text = await staffing(withoutTarget);
    expect(text.stdout).toContain('with 12 agents on the phone:');
    expect(text.stdout).not.toContain('raw agents:');

    const neither = await staffing(withoutTarget.slice(0, -2));
    expect(neither.error).toBeInstanceOf(WfmError);
    expect((neither.error as WfmError).details.map((d) => d.where)).toEqual(['--sl']);
  });

  test('when the model has no abandonment (Erlang C), then P(abandon) is said to be not modelled rather than 0.0%', async () => {
    const erlangC = await staffing(reference);
    expect(erlangC.stdout).toMatch(/P\(abandon\):\s+not modelled/);

    const erlangA = await staffing([...reference, '--patience', '120']);
    expect(erlangA.stdout).toMatch(/P\(abandon\):\s+\d+\.\d%/);
  });

  test('when an overloaded queue keeps callers for days, then ASA is short and says why, not 17 digits', async () => {
    const { stdout } = await staffing([...reference, '--patience', '1e12', '--agents', '5']);
    const scheduledAsa = stdout.split('with 5 agents on the phone:')[1].match(/ASA:\s+(.*)/)![1];
    expect(scheduledAsa).toMatch(/^6\.93e\+11 s \(over a day: overloaded/);
  });

  test('when a number is malformed, then a validation WfmError names the option', async () => {
    const { error } = await staffing(['--volume', 'lots', '--interval', '30', '--aht', '180', '--sl', '0.8', '--answer-within', '20']);

    expect(error).toBeInstanceOf(WfmError);
    expect((error as WfmError).details[0].where).toBe('--volume');
  });

  test('when a value is out of range, then the error names the flag typed (--volume), not the internal field', async () => {
    const { error } = await staffing(['--volume', '-5', '--interval', '30', '--aht', '0', '--sl', '0.8', '--answer-within', '20']);

    expect(error).toBeInstanceOf(WfmError);
    expect((error as WfmError).details.map((d) => d.where)).toEqual(['--volume', '--aht']);
  });

  test('when a target or a head-count is out of range, then --sl, --max-occupancy and --agents are named', async () => {
    const targets = await staffing(['--volume', '100', '--interval', '30', '--aht', '180', '--sl', '1.5', '--answer-within', '20', '--max-occupancy', '0']);
    expect((targets.error as WfmError).details.map((d) => d.where)).toEqual(['--sl', '--max-occupancy']);

    const agents = await staffing([...reference, '--agents', '-1']);
    expect((agents.error as WfmError).details.map((d) => d.where)).toEqual(['--agents']);
  });

  test('when run as an installed command (a link named wfm, as npm and npx run it), then it prints the figures and fails clearly on bad input', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wfm-bin-'));
    try {
      const bin = path.join(dir, 'wfm');
      symlinkSync(path.resolve(__dirname, '../../bin/wfm.js'), bin);
      const ok = spawnSync(process.execPath, [bin, 'staffing', ...reference, '--shrinkage', '0.3', '--json'], { encoding: 'utf8', timeout: 60_000 });
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ rawAgents: 14, agentsWithShrinkage: 20 });
      const bad = spawnSync(process.execPath, [bin, 'staffing', ...reference, '--sl', '1.5'], { encoding: 'utf8', timeout: 60_000 });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/--sl: must be between 0 and 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
