/**
 * `wfm backtest`: rolling-origin backtest of one skill group and horizon from a history file — the
 * live model (trained at each origin on the history before it) beside the naive baselines, with
 * WAPE, MASE, bias and p10–p90 coverage per model.
 */
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { invalid } from '../../errors/wfm-error';
import { backtestForecaster, TWO_WEEK_DAYS, type Horizon } from '../../forecast/index';
import type { BacktestWindow, NetOutcome } from '../../forecast/backtest';
import { announceTfBackend, inferredOpeningHoursNote, loadHistoryFile, warnIfNoVolume, type HistoryFileOptions } from './forecast';
import { HISTORY_FILE_HELP } from '../input-files';

interface BacktestOptions extends HistoryFileOptions {
  horizon: string;
  windows: string;
  json?: boolean;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

export function register(program: Command): void {
  program
    .command('backtest')
    .description('Rolling-origin backtest of a skill group\'s forecaster against the naive baselines')
    .requiredOption('--history <file>', HISTORY_FILE_HELP)
    .requiredOption('--skill-group <id>', 'skill group to backtest')
    .option('--horizon <horizon>', 'two-week | realtime', 'two-week')
    .option('--windows <n>', 'weekly origins, the most recent last', '8')
    .option('--tz <zone>', 'IANA zone of the skill group (default: one that matches the timestamps\' UTC offsets)')
    .option('--interval <minutes>', 'interval length (default: the data\'s granularity; a per-call log is counted in 15-minute intervals)')
    .option('--country <code>', 'ISO 3166 country for public holidays, e.g. IL, or a region of one, e.g. DE-BY')
    .option('--holidays <dates>', 'comma-separated holiday dates')
    .option('--special-days <file>', 'JSON array of {date,label,uplift?}')
    .option('--open <hours>', 'opening hours, e.g. 24/7 or "Mon-Fri 08:00-20:00; Sat 09:00-14:00" (default: inferred from the volumes)')
    .option('--json', 'print one JSON document')
    .action(async (opts: BacktestOptions) => {
      const horizon = opts.horizon as Horizon;
      if (horizon !== 'two-week' && horizon !== 'realtime') throw invalid('--horizon must be two-week or realtime');
      const windows = Number(opts.windows);
      if (!Number.isInteger(windows) || windows < 1 || windows > 104) throw invalid('--windows must be a whole number from 1 to 104');
      const loaded = loadHistoryFile(opts);
      warnIfNoVolume(loaded.rows, loaded.subject.id, 'in the history', loaded.subject.openingHours !== undefined);
      const hoursNote = inferredOpeningHoursNote(loaded.rows, loaded.subject, true);
      if (hoursNote) process.stderr.write(`wfm: ${hoursNote}\n`);
      await announceTfBackend();
      const bar = !opts.json && process.stderr.isTTY ? new SingleBar({ format: 'backtest [{bar}] {value}/{total} windows', stream: process.stderr }) : null;
      bar?.start(windows, 0);
      const report = await backtestForecaster({ history: loaded.rows, skillGroup: loaded.subject, horizon, windows, specialDays: loaded.specialDays, holidays: loaded.holidays, onWindow: (done, total) => { bar?.setTotal(total); bar?.update(done); } });
      bar?.stop();
      const daysAfter = horizon === 'two-week' ? TWO_WEEK_DAYS : 7; // as backtestSeries scores them
      // Origins in a gap of the history score nothing: the core skips them and takes earlier ones. Said
      // here, or a headline of N windows would pass for evidence of weeks the history does not hold.
      if (report.emptyOrigins.length) {
        process.stderr.write(
          `wfm: ${report.emptyOrigins.length} weekly origin(s) had no data in the ${daysAfter} days after them (gaps in the history) and were not scored: ${originRanges(report.emptyOrigins)}` +
            `${report.windows.length ? '; earlier origins with data were taken instead where the history has them' : ''}\n`,
        );
      }
      const partly = report.windows.filter((w) => w.openDaysWithData < w.openDays);
      if (partly.length) {
        process.stderr.write(`wfm: ${partly.length} scored window(s) partly without data: ${partly.map((w) => `${w.origin} (data on ${w.openDaysWithData} of ${w.openDays} open days)`).join(', ')}\n`);
      }
      // The core runs only the origins the history has room for; a silent cut would pass for the asked-for evidence.
      if (report.windows.length < windows) {
        const skipped = report.emptyOrigins.length ? ', and data in them: empty ones are skipped' : '';
        process.stderr.write(`wfm: --windows ${windows}: the history allows ${report.windows.length} weekly window(s) (each origin needs a week of history before it and ${daysAfter} days after it)${skipped}; ran ${report.windows.length}\n`);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [`${report.skillGroupId} ${horizon}: ${report.windows.length} windows scored (${report.windows.map((w) => `${w.origin}→${w.liveAlias}${w.baselineFallback ? '*' : ''}`).join(', ')})`, ''];
      lines.push('model                 WAPE     MASE    bias     p10–p90   n');
      for (const [alias, m] of Object.entries(report.overall)) {
        lines.push(`${alias.padEnd(20)} ${pct(m.wape).padStart(6)}  ${num(m.mase).padStart(6)}  ${pct(m.bias).padStart(7)}  ${pct(m.coverage).padStart(7)}  ${m.n}`);
      }
      lines.push('', `live vs the better naive (${report.betterNaive}): ${ratioInWords(report.wapeRatio)}`);
      if (report.learned && report.learned.windows < report.windows.length) lines.push(`the same over the ${report.learned.windows} windows with ≥ 4 weeks of history (the learned model's own): ${ratioInWords(report.learned.wapeRatio)}`);
      const netLine = netSummary(report.windows);
      if (netLine) lines.push(netLine);
      if (report.windows.some((w) => w.baselineFallback)) lines.push('* fewer than 4 weeks of history at that origin: the flagged baseline answered');
      lines.push(
        `WAPE = Σ|actual − p50| / Σ actual; MASE = mean |actual − p50| / the history's mean |error| of the same-interval-last-week forecast${horizon === 'realtime' ? ' (of next-30-minute totals)' : ''};`,
        `bias = Σ(p50 − actual) / Σ actual (above 0: forecast too high); p10–p90 = share of actuals inside the band. ${horizon === 'realtime' ? 'Scored on the next 30 minutes at every open interval start.' : 'Scored on every open interval of the 14 days after each origin.'}`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** A WAPE ratio as a reader takes it in: "WAPE ratio 0.904 → 9.6 % lower". */
export function ratioInWords(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'WAPE ratio – (no naive WAPE to compare with)';
  const change = Math.abs(1 - ratio) * 100;
  const direction = ratio < 1 ? 'lower' : 'higher';
  return `WAPE ratio ${ratio.toFixed(3)} → ${change < 0.05 ? 'the same WAPE' : `${change.toFixed(1)} % ${direction}`}`;
}

/**
 * What became of the learned net at the origins (BacktestWindow.net), in words: its row in the table
 * may equal the decomposition's, and the reader must be told why rather than left to wonder.
 */
export function netSummary(windows: readonly BacktestWindow[]): string | undefined {
  const judged = windows.filter((w) => w.net);
  if (judged.length === 0) return undefined;
  const count = (outcome: NetOutcome) => judged.filter((w) => w.net!.outcome === outcome).length;
  const parts: string[] = [];
  const live = count('live');
  if (count('not-trained') < judged.length) parts.push(live === 0 ? 'live at none of them' : `live at ${live}`);
  const zero = count('zero-correction');
  if (zero) parts.push(`kept the zero correction at ${zero} (no training epoch beat the uncorrected decomposition on its held-out rows, so it forecast as the decomposition does)`);
  const lost = count('lost-on-validation');
  if (lost) parts.push(`lost to the live candidate on the validation weeks at ${lost}`);
  const refused = judged.filter((w) => w.net!.outcome === 'not-allowed');
  if (refused.length) parts.push(`not allowed live at ${refused.length} (${[...new Set(refused.map((w) => w.net!.reason))].join('; ')})`);
  const untrained = count('not-trained');
  if (untrained) parts.push(`not trained at ${untrained} (too little history for its own validation windows)`);
  return `learned net (decomposition-net) at the ${judged.length} origin(s) with a trained model: ${parts.join('; ')}`;
}

/** Origins a week apart as ranges: a gap of months is one "first…last (n weekly origins)", not 30 dates. */
function originRanges(origins: string[]): string {
  const week = 7 * 86_400_000;
  const runs: string[][] = [];
  for (const o of origins) {
    const run = runs[runs.length - 1];
    if (run && Date.parse(o) - Date.parse(run[run.length - 1]) === week) run.push(o);
    else runs.push([o]);
  }
  return runs.map((r) => (r.length <= 3 ? r.join(', ') : `${r[0]}…${r[r.length - 1]} (${r.length} weekly origins)`)).join(', ');
}
