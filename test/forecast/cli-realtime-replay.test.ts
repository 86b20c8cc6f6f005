/**
 * `wfm forecast --horizon realtime` from inside an interval: a live export (ending at --from) has that
 * interval's calls so far; a complete export replayed has the whole interval's count, which must not be
 * read as "so far" and topped up with the rest of the forecast.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWfm } from '../support/cli';
import { formatInstant } from '../../src/time/grid';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';

describe('wfm forecast --horizon realtime from inside an interval', () => {
  let dir: string;
  let complete: string;
  let live: string;
  const tenOClock = Date.parse('2024-01-31T10:00:00+01:00'); // a Wednesday, 30-minute rows 08:00–18:00
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-replay-'));
    const rows = syntheticHistory({ days: 35, skillGroupId: 'sales' }); // 2024-01-01 … 2024-02-04
    const csv = (rs: typeof rows) => `interval_start,skill_group,volume\n${rs.map((r) => `${formatInstant(r.start, ZONE)},sales,${r.volume}`).join('\n')}\n`;
    complete = path.join(dir, 'complete.csv');
    writeFileSync(complete, csv(rows));
    live = path.join(dir, 'live.csv'); // as exported at 10:07: the 10:00 row holds the calls so far
    writeFileSync(live, csv(rows.filter((r) => r.start <= tenOClock).map((r) => (r.start === tenOClock ? { ...r, volume: 3 } : r))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const realtime = async (history: string, from: string) => {
    const { code, stdout, stderr } = await runWfm(['forecast', '--history', history, '--skill-group', 'sales', '--horizon', 'realtime', '--tz', ZONE, '--from', from, '--baseline', '--json']);
    expect(code).toBe(0);
    return { doc: JSON.parse(stdout), stderr };
  };

  it('when the history goes on after --from, then the interval under way is forecast whole, as from its start, not its whole count topped up', async () => {
    const at1007 = await realtime(complete, '2024-01-31T10:07:00+01:00');
    const at1000 = await realtime(complete, '2024-01-31T10:00:00+01:00');

    expect(at1007.doc.points[0].interval_start).toBe('2024-01-31T10:00:00+01:00');
    expect(at1007.doc.points).toEqual(at1000.doc.points);
    expect(at1007.doc.total).toEqual(at1000.doc.total);
    expect(at1007.stderr).toContain('the history goes on after --from, so its 10:00 row counts the whole interval, calls after 10:07 included');
    expect(at1000.stderr).not.toContain('goes on after --from');
  });

  it('when the history ends at --from (a live export), then the interval under way ends with its calls so far plus the rest of its forecast', async () => {
    const at1007 = await realtime(live, '2024-01-31T10:07:00+01:00');
    const at1000 = await realtime(complete, '2024-01-31T10:00:00+01:00');

    expect(at1007.stderr).not.toContain('goes on after --from');
    const whole = at1000.doc.points[0].p50;
    expect(at1007.doc.points[0].p50).toBeCloseTo(3 + (1 - 7 / 30) * whole, 0);
  });
});
