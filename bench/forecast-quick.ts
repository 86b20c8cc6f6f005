/**
 * A quick loop for forecasting work (a few seconds to a minute, where `npm run bench:forecast` takes
 * minutes): the backtest of one horizon on chosen series of the Anonymous Bank data, printed one line
 * per series. Writes nothing.
 *
 *   npx tsx bench/forecast-quick.ts [series,…] [two-week|realtime]
 *
 * Series: `year` (the whole-year total, the bench's 8 weekly origins), `year-wide` (its supplementary
 * 22 origins every other week), or a Jan–Feb queue: TOTAL, PS, NW, NE, IN, TT, PE. Default:
 * year,TOTAL,PS two-week. From a worktree set ANONBANK_DIR to the data folder.
 */
import { buildDaySeries } from '../src/forecast/day-series';
import { buildCalendar } from '../src/forecast/calendar';
import { backtestSeries } from '../src/forecast/backtest';
import type { ForecastMetrics } from '../src/forecast/metrics';
import { loadYearIntervals, loadMonthIntervals, ANONBANK_ZONE } from '../test/forecast/anonbank-fixture';

process.env.WFM_TF_QUIET = '1';
const QUEUES = ['PS', 'NW', 'NE', 'IN', 'TT', 'PE'];

async function main(): Promise<void> {
  const names = (process.argv[2] ?? 'year,TOTAL,PS').split(',');
  const horizon = process.argv[3] === 'realtime' ? 'realtime' : 'two-week';
  const calendar = buildCalendar({ country: 'IL', fromYear: 1999, toYear: 2000 });
  const janFeb = names.some((n) => !n.startsWith('year')) ? loadMonthIntervals(['01', '02'], 30, QUEUES) : [];
  const year = names.some((n) => n.startsWith('year')) ? buildDaySeries(loadYearIntervals(30), { skillGroupId: 'TOTAL', zone: ANONBANK_ZONE, intervalMinutes: 30 }) : null;
  const pct = (m: ForecastMetrics | undefined, key: 'bias' | 'coverage') => (m ? `${(100 * m[key]).toFixed(1)}%` : '–');
  for (const name of names) {
    const started = performance.now();
    const series = name.startsWith('year') ? year! : buildDaySeries(janFeb, { skillGroupId: name, zone: ANONBANK_ZONE, intervalMinutes: 30 });
    const report = await backtestSeries(series, calendar, horizon, name === 'year-wide' ? { windows: 22, stepDays: 14 } : { windows: 8 });
    const learned = report.learned;
    process.stdout.write(`${name.padEnd(9)} ${horizon} ratio ${report.wapeRatio.toFixed(3)}, ≥ 4 wk ${learned ? learned.wapeRatio.toFixed(3) : '–'}; bias ${pct(report.overall.live, 'bias')}; p10–p90 ${pct(report.overall.live, 'coverage')} (≥ 4 wk ${pct(learned?.overall.live, 'coverage')}); live ${report.windows.map((w) => w.liveAlias).join(',')}; ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
