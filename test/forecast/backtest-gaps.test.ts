/**
 * A backtest over a history with a gap (a feed outage, or a file of a few months of a year): an origin
 * whose days hold no data scores nothing and is not a window. It is skipped and named, earlier origins
 * with data are taken instead, and `wfm backtest` says how many windows were scored and which origins
 * were empty.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backtestForecaster } from '../../src/forecast/index';
import { formatInstant } from '../../src/time/grid';
import { runWfm } from '../support/cli';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';

/** 70 days from Monday 2024-01-01 (Mon–Sat open, so the series ends on Saturday 03-09 and origins are Sundays), without rows on days 44–55: 2024-02-14 … 2024-02-25 */
const history = () => syntheticHistory({ days: 70, skillGroupId: 'sales', missingDays: Array.from({ length: 12 }, (_, k) => 44 + k) });

describe('backtest over a history with a gap', () => {
  it('when an origin has no data after it, then it is skipped and named, and an earlier origin with data is scored instead', async () => {
    const report = await backtestForecaster({
      history: history(),
      skillGroup: { id: 'sales', timeZone: ZONE, intervalMinutes: 30 },
      horizon: 'realtime',
      windows: 3,
      originEveryMinutes: 120,
      net: { epochs: 1 },
    });
    expect(report.windows.map((w) => w.origin)).toEqual(['2024-02-11', '2024-02-25', '2024-03-03']);
    expect(report.emptyOrigins).toEqual(['2024-02-18']);
    expect(report.windows.every((w) => w.metrics.live.n > 0 && Number.isFinite(w.metrics.live.wape))).toBe(true);
    // from Sunday 2024-02-11: Monday and Tuesday have data, Wednesday to Saturday fall in the gap (Sunday is closed)
    expect(report.windows.map((w) => [w.openDaysWithData, w.openDays])).toEqual([[2, 6], [6, 6], [6, 6]]);
    expect(report.overall.live.n).toBe(report.windows.reduce((n, w) => n + w.metrics.live.n, 0));
  }, 120_000);

  it('when wfm backtest meets the gap, then the headline counts the scored windows and notes name the empty and the partial origins', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-backtest-gaps-'));
    try {
      const file = path.join(dir, 'sales-gap.csv');
      writeFileSync(file, `interval_start,skill_group,volume\n${history().map((r) => `${formatInstant(r.start, ZONE)},sales,${r.volume}`).join('\n')}\n`);
      const { code, stdout, stderr } = await runWfm(['backtest', '--history', file, '--skill-group', 'sales', '--horizon', 'realtime', '--windows', '3', '--tz', ZONE]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^sales realtime: 3 windows scored \(2024-02-11→[^,]+, 2024-02-25→[^,]+, 2024-03-03→[^)]+\)$/m);
      expect(stderr).toMatch(/wfm: 1 weekly origin\(s\) had no data in the 7 days after them \(gaps in the history\) and were not scored: 2024-02-18; earlier origins with data were taken instead/);
      expect(stderr).toMatch(/wfm: 1 scored window\(s\) partly without data: 2024-02-11 \(data on 2 of 6 open days\)/);
      expect(stderr).not.toMatch(/the history allows/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
