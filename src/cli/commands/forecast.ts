/**
 * `wfm forecast`: reads a history file, trains the skill group's forecaster in-process (or loads the
 * live one from --model-dir) and prints `interval_start,skill_group,p10,p50,p90` for the two weeks or
 * the next 30 minutes from --from. With fewer than 4 weeks of history the learned model is refused
 * with a clear message on stderr and a baseline forecast is printed, flagged as such.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { IntervalVolume, SkillGroup } from '../../domain/types';
import { invalid, isWfmError, WfmError } from '../../errors/wfm-error';
import { formatInstant, intervalStartOf, localDate, startOfLocalDay } from '../../time/grid';
import { canonicalZone } from '../../domain/validate';
import { addDays } from '../../forecast/day-series';
import { historyColumns, ingestHistoryOrThrow, instantsOf } from '../../history/ingest';
import { historyGrid } from '../../history/history-grid';
import { buildDaySeries, trainForecaster, forecastTwoWeek, forecastRealtime, TWO_WEEK_DAYS, type ForecastSubject, type Horizon, type TrainedForecaster, type ForecastResult, type ModelMetrics, type SpecialDay, type ForecastDay } from '../../forecast/index';
import type { TrainedRealtime, TrainedTwoWeek } from '../../forecast/index';
import { FsModelRegistry } from '../../registry/fs-model-registry';
import { ensureTfBackend } from '../../forecast/tf-backend';
import { inferZoneFromOffsets, offsetsOutsideZone } from '../../time/zone-from-offsets';
import { holidayCalendarProblem } from '../../forecast/calendar';
import { parseOpeningHours } from '../opening-hours-flag';
import { extent, HISTORY_FILE_HELP, historyObjects, inHistoryFile, loadSpecialDays, writeIngestNotes } from '../input-files';
import { parseFromInstant } from '../from-flag';
import { csvTextCell, quotedForTerminal } from '../output-text';
import { DateTime } from 'luxon';

/** Said when wall times without offsets, read on UTC for want of --tz, repeat a local time. */
const REPEATED_LOCAL_HOUR =
  'a local time that comes twice looks like the second pass of a clock change (DST fall-back): the timestamps have no UTC offset and no --tz was given, ' +
  'so they were read on UTC, which has no clock change; give --tz ZONE (e.g. --tz America/New_York) to read the repeated hour as two';

/** The intervals a per-call log is counted into when --interval does not say. */
export const PER_CALL_INTERVAL_MINUTES = 15;

export interface HistoryFileOptions {
  history: string;
  skillGroup: string;
  tz?: string;
  interval?: string;
  country?: string;
  specialDays?: string;
  holidays?: string;
  open?: string;
}

export interface LoadedHistory {
  subject: ForecastSubject;
  rows: IntervalVolume[];
  specialDays?: SpecialDay[];
  holidays?: string[];
}

/** Reads `interval_start,skill_group,volume[,aht_seconds]` for one skill group (the adapter part). */
export function loadHistoryFile(options: HistoryFileOptions): LoadedHistory {
  const holidays = options.holidays ? options.holidays.split(',').map((d) => d.trim()).filter(Boolean) : undefined;
  const badDates = (holidays ?? []).filter((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || !DateTime.fromISO(d).isValid);
  if (badDates.length) throw invalid('--holidays takes comma-separated dates YYYY-MM-DD', badDates.map((d) => ({ where: '--holidays', message: `"${d}" is not a date` })));
  const countryProblem = options.country === undefined ? undefined : holidayCalendarProblem(options.country);
  if (countryProblem) {
    throw invalid(countryProblem, [{ where: '--country', message: 'an ISO 3166 alpha-2 code in capitals, e.g. DE, US, IL, or a region of one, e.g. DE-BY' }]);
  }
  const specialDays = options.specialDays ? loadSpecialDays(options.specialDays) : undefined;
  const openingHours = options.open !== undefined ? parseOpeningHours(options.open) : undefined;
  let text: string;
  try {
    text = readFileSync(options.history, 'utf8');
  } catch (err) {
    throw invalid(`cannot read history file ${options.history}: ${(err as Error).message}`);
  }
  const all = historyObjects(text, options.history, 'the forecast');
  // A file of one series may leave out skill_group: its rows are the --skill-group's.
  const mine: Record<string, unknown>[] = [];
  const fileRows: number[] = []; // data row in the file of each of mine (problems are numbered by it)
  all.forEach((o, i) => {
    if ((o.skill_group ?? options.skillGroup) !== options.skillGroup) return;
    mine.push({ ...o, skill_group: options.skillGroup });
    fileRows.push(i + 1);
  });
  if (mine.length === 0) {
    const held = [...new Set(all.map((o) => o.skill_group).filter((g) => typeof g === 'string' && g !== ''))] as string[];
    const shown = held.slice(0, 20).map((g) => `"${g}"`).join(', ') + (held.length > 20 ? ` and ${held.length - 20} more` : '');
    throw invalid(`no rows for skill group "${options.skillGroup}" in ${options.history}${held.length ? `: it holds ${shown}` : ''}`, [{ where: '--skill-group', message: held.length ? `one of the file's skill_group values: ${shown}` : 'the file has no skill_group values' }]);
  }
  // A per-call log (an arrival column) has a call's arrival where an interval file has its start.
  const perCall = historyColumns(Object.keys(mine[0])).perCall;
  const timeColumn = perCall ? 'arrival' : 'interval_start';
  const starts = mine.map((o) => (typeof o[timeColumn] === 'string' ? (o[timeColumn] as string) : ''));
  let zone = options.tz;
  let wallTimesOnUtc = false; // no --tz and no offsets: a clock change's repeated hour reads as duplicates
  if (zone === undefined) {
    const inferred = inferZoneFromOffsets(starts);
    zone = inferred.zone;
    wallTimesOnUtc = zone === 'UTC' && inferred.reason.includes('no UTC offset');
    if (inferred.assumption) process.stderr.write(`wfm: no --tz: using ${zone}, as ${inferred.reason}; give --tz to be sure\n`);
  }
  // spelled one way whatever the case typed (europe/berlin is Europe/Berlin); an abbreviation (CET) is refused
  const canonical = canonicalZone(zone);
  if (!canonical.ok) throw invalid(`--tz: ${canonical.message}`, [{ where: '--tz', message: `got "${zone}"` }]);
  zone = canonical.zone;
  if (options.tz !== undefined) {
    const outside = offsetsOutsideZone(starts, zone);
    if (outside) process.stderr.write(`wfm: ${outside}\n`);
  }
  // Holidays move volume more than anything else the model knows: say when it knows none.
  if (options.country === undefined && holidays === undefined) process.stderr.write('wfm: no --country or --holidays: no public-holiday calendar is used (a holiday in the forecast days is forecast as an ordinary day)\n');
  let intervalMinutes: number;
  if (options.interval !== undefined) {
    intervalMinutes = Number(options.interval);
    if (!Number.isInteger(intervalMinutes) || intervalMinutes <= 0 || 1440 % intervalMinutes !== 0) throw invalid('--interval must be a whole number of minutes that divides a day', [{ where: '--interval', message: `got "${options.interval}"` }]);
  } else if (perCall) {
    // calls arrive at any second: no grid to read an interval from
    intervalMinutes = PER_CALL_INTERVAL_MINUTES;
    process.stderr.write(`wfm: ${options.history} is a per-call log: its calls are counted in ${intervalMinutes}-minute intervals (--interval to choose another length)\n`);
  } else {
    // Every row read, whatever their order: a sample of the first rows took a first month of 15-minute
    // rows for a file of 30-minute ones, and a newest-first export the other way round.
    const grid = historyGrid(instantsOf(starts, zone), zone);
    intervalMinutes = grid.intervalMinutes;
    const coarse = grid.coarseDays;
    if (coarse) {
      process.stderr.write(
        `wfm: ${coarse.count} of ${coarse.judged} days (${coarse.first} … ${coarse.last}) have their rows on a grid coarser than ${grid.rowMinutes} minutes: ` +
          `the history is read in ${intervalMinutes}-minute intervals, finer rows summed into them (--interval ${grid.rowMinutes} would leave intervals of those days empty, to be learnt as quiet)\n`,
      );
    }
  }
  const skillGroup = {
    id: options.skillGroup, name: options.skillGroup, timeZone: zone, intervalMinutes,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 }, ahtSeconds: 300, shrinkage: 0, maxOccupancy: 1, channel: 'voice', overflowTo: [],
  } as unknown as SkillGroup;
  const rows = mine;
  // A forecast reads exports as they come: one that merges the repeated fall-back hour into one row
  // per wall time counts it as the first pass (the second is then missing data, not a refusal).
  let intervals: IntervalVolume[];
  try {
    const ingested = ingestHistoryOrThrow({ rows }, new Map([[skillGroup.id, skillGroup]]), { singleAmbiguousWallTime: 'first-pass' });
    intervals = ingested.intervals;
    writeIngestNotes(options.history, ingested.summary);
    if (wallTimesOnUtc && ingested.summary.some((s) => s.repeatedRows)) process.stderr.write(`wfm: ${REPEATED_LOCAL_HOUR}\n`);
  } catch (err) {
    if (!isWfmError(err)) throw err;
    // problems are numbered among this group's rows: renumber them to the file's data rows
    const inFile = inHistoryFile(err, options.history, (row) => fileRows[row - 1] ?? row);
    // Wall times read on UTC, which has no clock change: a center's fall-back hour comes twice, its
    // second pass a "duplicate with different values". Said once, with what to do.
    if (wallTimesOnUtc && err.details.some((d) => d.message.includes('with different values'))) {
      throw new WfmError(inFile.code, `${inFile.message}; ${REPEATED_LOCAL_HOUR}`, { details: inFile.details, status: inFile.status, cause: err });
    }
    throw inFile;
  }
  return { subject: { id: options.skillGroup, timeZone: zone, intervalMinutes, country: options.country, ...(openingHours ? { openingHours } : {}) }, rows: intervals, specialDays, holidays };
}

/**
 * Without --open, opening hours are inferred from the volumes, so a history of zeros (a volume column
 * that is not the calls, a feed that wrote 0 for missing) makes every interval closed: the forecast is
 * then empty or all zero, and that must not pass for a quiet fortnight.
 */
export function warnIfNoVolume(rows: readonly IntervalVolume[], skillGroup: string, which: string, openingHoursGiven = false): void {
  if (rows.some((r) => r.volume > 0)) return;
  const consequence = openingHoursGiven ? 'so every open interval is forecast at zero' : 'so every interval was judged closed (opening hours are read from the volumes unless --open gives them)';
  process.stderr.write(`wfm: warning: none of the ${rows.length} intervals of ${skillGroup} ${which} has any volume, ${consequence}; check the volume column\n`);
}

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * Opening hours per ISO weekday (index weekday-1) and slot, as `--open` writes them: "Mon-Fri
 * 07:00-22:00; Sat 08:00-18:00", days with the same hours together, closed days named after; "24/7" when
 * every slot of every day is open. What can be pasted back into --open, corrected.
 */
export function describeOpeningHours(open: readonly (readonly boolean[])[], intervalMinutes: number): { spec: string; closedDays: string[] } {
  const clock = (slot: number) => `${String(Math.floor((slot * intervalMinutes) / 60)).padStart(2, '0')}:${String((slot * intervalMinutes) % 60).padStart(2, '0')}`;
  const windowsOf = (slots: readonly boolean[]) => {
    const windows: string[] = [];
    for (let s = 0; s < slots.length; s++) {
      if (!slots[s]) continue;
      let end = s;
      while (end < slots.length && slots[end]) end++;
      windows.push(`${clock(s)}-${clock(end)}`);
      s = end;
    }
    return windows;
  };
  const byDay = open.map(windowsOf);
  if (byDay.every((w) => w.length === 1 && w[0] === '00:00-24:00')) return { spec: '24/7', closedDays: [] };
  const daysSpec = (days: number[]) => {
    const runs: number[][] = [];
    for (const d of days) {
      const run = runs[runs.length - 1];
      if (run && run[run.length - 1] === d - 1) run.push(d);
      else runs.push([d]);
    }
    return runs.map((r) => (r.length === 1 ? WEEKDAY_NAMES[r[0]] : `${WEEKDAY_NAMES[r[0]]}-${WEEKDAY_NAMES[r[r.length - 1]]}`)).join(',');
  };
  const groups = new Map<string, number[]>();
  byDay.forEach((windows, d) => {
    if (windows.length === 0) return;
    const key = windows.join(' ');
    groups.set(key, [...(groups.get(key) ?? []), d]);
  });
  const parts = [...groups].flatMap(([key, days]) => key.split(' ').map((window) => `${daysSpec(days)} ${window}`));
  return { spec: parts.join('; '), closedDays: byDay.flatMap((w, d) => (w.length ? [] : [WEEKDAY_NAMES[d]])) };
}

/**
 * Without --open the forecast covers only the intervals the volumes show open, and nothing said so: a
 * 24/7 line whose quiet night hours read as closed got 70 of 96 quarter hours a day. The note names the
 * hours inferred from `rows` and how to give them.
 */
export function inferredOpeningHoursNote(rows: readonly IntervalVolume[], subject: ForecastSubject, backtest = false): string | undefined {
  if (subject.openingHours || !rows.some((r) => r.volume > 0)) return undefined; // given, or warnIfNoVolume says it
  const series = buildDaySeries(rows as IntervalVolume[], { skillGroupId: subject.id, zone: subject.timeZone, intervalMinutes: subject.intervalMinutes });
  const { spec, closedDays } = describeOpeningHours(series.open, subject.intervalMinutes);
  const when = backtest ? ' (each origin infers them again from the weeks before it; from the whole history)' : ' (from the last weeks of the history)';
  if (spec === '24/7') return `no --open: opening hours inferred from the volumes${when}: 24/7, every interval ${backtest ? 'scored' : 'forecast'}`;
  const closed = closedDays.length ? `, closed ${closedDays.join(',')}` : '';
  return (
    `no --open: opening hours inferred from the volumes${when}: ${spec}${closed}; intervals outside them are ${backtest ? 'not scored' : 'not forecast'}. ` +
    'If the line never closes, give --open 24/7; if these hours are wrong, give the right ones with --open (written as above)'
  );
}

/**
 * Chooses the tfjs backend now and says which, as the CLI's other notes are said (`wfm: …` on stderr);
 * left to the core, the line came through the process logger's plain fallback, without the prefix.
 */
export async function announceTfBackend(): Promise<void> {
  await ensureTfBackend(process.env.WFM_TF_QUIET === '1' ? () => undefined : (line) => process.stderr.write(`wfm: ${line}\n`));
}

/** Epoch-progress bar on stderr (only for a TTY and without --json). */
export function progressReporter(json: boolean | undefined): { onEpoch?: (e: number, total: number) => void; stop: () => void } {
  if (json || !process.stderr.isTTY) return { stop: () => undefined };
  const bar = new SingleBar({ format: 'training [{bar}] {value}/{total} epochs', stream: process.stderr, hideCursor: true });
  let started = false;
  return {
    onEpoch: (epoch, total) => {
      if (!started) { bar.start(total, 0); started = true; }
      bar.update(epoch);
    },
    stop: () => { if (started) bar.stop(); },
  };
}

/**
 * Notes on declared special days that would otherwise change nothing without a word: those neither in
 * the forecast's days nor in the history (a past special day in the history is an example the learned
 * model reads, and the decomposition keeps out of its level), and those in the forecast's days without
 * an uplift that nothing learns one for. Only the learned net ('decomposition-net') has a special-day
 * input, one for all special days whatever their label, trained on the declared ones the history holds;
 * every other model (and the realtime horizon) applies a declared uplift and nothing else.
 */
export function specialDayNotes(input: { specialDays: readonly SpecialDay[]; forecastDates: readonly string[]; historyDates: ReadonlySet<string>; alias: string; learnedUplift?: ReadonlySet<string> }): string[] {
  const { specialDays, forecastDates, historyDates, alias, learnedUplift } = input;
  const inForecast = new Set(forecastDates);
  // a label is the file's text: quoted and escaped, so it cannot colour the terminal or start a line of its own
  const named = (days: readonly SpecialDay[]) => days.map((d) => `${d.date} (${quotedForTerminal(d.label)})`).join(', ');
  const notes: string[] = [];
  const unused = specialDays.filter((d) => !inForecast.has(d.date) && !historyDates.has(d.date));
  if (unused.length > 0) {
    const span = forecastDates.length > 1 ? `${forecastDates[0]} to ${forecastDates[forecastDates.length - 1]}` : forecastDates[0];
    notes.push(`special day(s) ${named(unused)} lie outside the forecast's days (${span}) and the history: they change nothing in this forecast`);
  }
  const withoutUplift = specialDays.filter((d) => inForecast.has(d.date) && d.uplift === undefined && !learnedUplift?.has(d.date));
  const learnedFromHistory = alias === 'decomposition-net' && specialDays.some((d) => historyDates.has(d.date));
  if (withoutUplift.length > 0 && !learnedFromHistory) {
    const why = alias === 'decomposition-net'
      ? 'the history holds no declared special day for the model to learn their effect from'
      : `the ${alias} forecast applies a declared uplift, or learns one from past special days with the same label, and the history holds none`;
    notes.push(`special day(s) ${named(withoutUplift)} have no uplift and ${why}: they are forecast as ordinary days; give an uplift (e.g. "uplift": 1.5 for +50 %)`);
  }
  return notes;
}

/**
 * The forecast days that are not ordinary days of their weekday, and why (a holiday and its name, its
 * eve, a special day and its uplift): a low Tuesday in the output has its reason beside it.
 */
export function forecastDaysNote(days: readonly ForecastDay[]): string | undefined {
  const why = (d: ForecastDay) => {
    if (d.kind === 'holiday') return `public holiday${d.holiday ? ` ${quotedForTerminal(d.holiday)}` : ''}`;
    if (d.kind === 'special') {
      const uplift = d.uplift === undefined ? 'no uplift: an ordinary day' : `uplift ×${round(d.uplift)}${d.upliftLearnedFrom !== undefined ? ` learned from ${d.upliftLearnedFrom} past day(s) with the label` : ''}`;
      return `special day ${quotedForTerminal(d.specialDay ?? '')}, ${uplift}`;
    }
    return { eve: 'eve of a public holiday', after: 'day after a public holiday', bridge: 'between two public holidays' }[d.kind as 'eve' | 'after' | 'bridge'];
  };
  const notable = days.filter((d) => d.kind !== 'ordinary');
  return notable.length ? `calendar: ${notable.map((d) => `${d.date} ${why(d)}`).join('; ')}` : undefined;
}

interface ForecastOptions extends HistoryFileOptions {
  horizon: string;
  from: string;
  modelDir?: string;
  baseline?: boolean;
  out?: string;
  json?: boolean;
  expected?: boolean;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function register(program: Command): void {
  program
    .command('forecast')
    .description('Forecast a skill group: two weeks of intervals or the next 30 minutes, with p10/p50/p90')
    .requiredOption('--history <file>', HISTORY_FILE_HELP)
    .requiredOption('--skill-group <id>', 'skill group to forecast')
    .requiredOption('--horizon <horizon>', 'two-week | realtime')
    .requiredOption('--from <iso>', 'first instant to forecast (required; realtime: the instant "now" stands for, as a file has no clock); a bare date YYYY-MM-DD is its midnight in the zone')
    .option('--tz <zone>', 'IANA zone of the skill group (default: one that matches the timestamps\' UTC offsets)')
    .option('--interval <minutes>', 'interval length (default: the data\'s granularity; a per-call log is counted in 15-minute intervals)')
    .option('--country <code>', 'ISO 3166 country for public holidays, e.g. IL, or a region of one, e.g. DE-BY')
    .option('--holidays <dates>', 'comma-separated holiday dates (replaces the country calendar)')
    .option('--special-days <file>', 'JSON array of {date,label,uplift?}')
    .option('--open <hours>', 'opening hours, e.g. 24/7 or "Mon-Fri 08:00-20:00; Sat 09:00-14:00" (default: inferred from the volumes)')
    .option('--model-dir <dir>', 'use the live model of this registry instead of training now')
    .option('--baseline', 'skip the learned model: answer with the baseline')
    .option('--out <file>', 'write the CSV to this file instead of stdout')
    .option('--expected', 'two-week: add an `expected` column, the mean volume staffing is computed from (p50 is the median: below the mean for a few calls an interval)')
    .option('--json', 'print one JSON document')
    .action(async (opts: ForecastOptions) => {
      const horizon = opts.horizon as Horizon;
      if (opts.expected && horizon === 'realtime') throw invalid('--expected applies to --horizon two-week', [{ where: '--expected', message: 'the realtime forecast gives p10/p50/p90 only' }]);
      if (horizon !== 'two-week' && horizon !== 'realtime') throw invalid('--horizon must be two-week or realtime', [{ where: '--horizon', message: `got "${opts.horizon}"` }]);
      const loaded = loadHistoryFile(opts);
      const fromMs = parseFromInstant(opts.from, loaded.subject.timeZone);
      // A realtime forecast from inside an interval reads the row of that interval as its calls so far:
      // right for a live export, which ends at --from. A file that goes on after --from is a complete export
      // being replayed, whose row is the whole interval's total, calls after --from included: added to the
      // rest of the forecast, they were counted twice. A replay reads the file as it stood when the interval
      // under way began and forecasts that interval whole: the file does not say which of its calls came
      // before --from, and a replay must not read what came after.
      const underWay = intervalStartOf(fromMs, loaded.subject.timeZone, loaded.subject.intervalMinutes);
      const replay = horizon === 'realtime' && underWay < fromMs && loaded.rows.some((r) => r.start > fromMs);
      const before = loaded.rows.filter((r) => r.start < (replay ? underWay : fromMs));
      if (replay && loaded.rows.some((r) => r.start >= underWay && r.start < fromMs)) {
        const at = (ms: number) => formatInstant(ms, loaded.subject.timeZone).slice(11, 16);
        process.stderr.write(
          `wfm: the history goes on after --from, so its ${at(underWay)} row counts the whole interval, calls after ${at(fromMs)} included: ` +
            `the forecast reads the history before ${at(underWay)} and forecasts the ${at(underWay)} interval whole, as a replay of ${at(underWay)} (a live export ends at --from, and its calls so far are counted)\n`,
        );
      }
      if (before.length === 0) throw invalid(`no history before ${opts.from}`);
      const day = formatInstant(fromMs, loaded.subject.timeZone).slice(0, 10);
      warnIfNoVolume(before, loaded.subject.id, `before ${opts.from}`, loaded.subject.openingHours !== undefined);
      const hoursNote = inferredOpeningHoursNote(before, loaded.subject);
      if (hoursNote) process.stderr.write(`wfm: ${hoursNote}\n`);
      const dayStart = startOfLocalDay(day, loaded.subject.timeZone);
      let model: TrainedForecaster | null = null;
      let training: ModelMetrics | undefined;
      let learnedModelError: string | undefined;
      if (!opts.baseline) await announceTfBackend();
      if (opts.modelDir) {
        model = (await new FsModelRegistry(opts.modelDir).loadLive(loaded.subject.id, horizon))?.model ?? null;
        if (!model) learnedModelError = `no live ${horizon} model for ${loaded.subject.id} in ${opts.modelDir}`;
      } else if (!opts.baseline) {
        const progress = progressReporter(opts.json);
        try {
          // Train on whole days before the forecast day, as the nightly job would.
          const result = await trainForecaster({ history: loaded.rows.filter((r) => r.start < dayStart), skillGroup: loaded.subject, horizon, specialDays: loaded.specialDays, holidays: loaded.holidays, onEpoch: progress.onEpoch });
          model = result.model;
          training = result.metrics;
        } catch (err) {
          if (!isWfmError(err) || err.code !== 'insufficient-history') throw err;
          learnedModelError = err.message;
        } finally {
          progress.stop();
        }
      }
      if (learnedModelError) process.stderr.write(`wfm: learned model unavailable: ${learnedModelError}; answering with a baseline forecast\n`);
      if (horizon === 'realtime') {
        // A realtime forecast reads today so far; a file that ends before today has nothing of it.
        if (!before.some((r) => r.start >= dayStart)) process.stderr.write(`wfm: the history has no interval of ${day} before ${opts.from}: the forecast cannot read today's level and rests on the day's expectation alone\n`);
      } else {
        // Two weeks from a --from weeks after the file's end forecast from a level that may have moved since
        // (a week or more: a weekday-only export that leaves out the weekend is not worth a note).
        const lastDay = localDate(extent(before.map((r) => r.start))!.last, loaded.subject.timeZone);
        const daysBetween = DateTime.fromISO(day, { zone: 'UTC' }).diff(DateTime.fromISO(lastDay, { zone: 'UTC' }), 'days').days - 1;
        if (daysBetween >= 7) process.stderr.write(`wfm: the history ends on ${lastDay}: the ${daysBetween} day(s) between it and ${opts.from} have no interval, so the forecast cannot read their level and rests on the weeks before them\n`);
      }
      const common = { history: before, skillGroup: loaded.subject, specialDays: loaded.specialDays, holidays: loaded.holidays };
      const result: ForecastResult = horizon === 'two-week'
        ? await forecastTwoWeek({ ...common, from: fromMs, model: model as TrainedTwoWeek | null })
        : await forecastRealtime({ ...common, now: fromMs, model: model as TrainedRealtime | null });
      const zone = loaded.subject.timeZone;
      if (loaded.specialDays?.length) {
        const forecastDates = horizon === 'two-week'
          ? Array.from({ length: TWO_WEEK_DAYS }, (_, i) => addDays(day, i))
          : [...new Set([day, ...result.points.map((p) => localDate(p.intervalStart, zone))])];
        const historyDates = new Set(before.map((r) => localDate(r.start, zone)));
        const learnedUplift = new Set((result.days ?? []).filter((d) => d.upliftLearnedFrom !== undefined).map((d) => d.date));
        for (const note of specialDayNotes({ specialDays: loaded.specialDays, forecastDates, historyDates, alias: result.alias, learnedUplift })) process.stderr.write(`wfm: ${note}\n`);
      }
      const calendarNote = forecastDaysNote(result.days ?? []);
      if (calendarNote) process.stderr.write(`wfm: ${calendarNote}\n`);
      const rows = result.points.map((p) => ({ interval_start: formatInstant(p.intervalStart, zone), skill_group: p.skillGroupId, p10: round(p.p10), p50: round(p.p50), p90: round(p.p90), ...(p.expected !== undefined ? { expected: round(p.expected) } : {}), ...(p.ahtSeconds !== undefined ? { aht_seconds: round(p.ahtSeconds) } : {}) }));
      if (opts.json) {
        const doc = {
          skillGroupId: result.skillGroupId, horizon, from: formatInstant(fromMs, zone), timeZone: zone, intervalMinutes: loaded.subject.intervalMinutes,
          model: result.alias, baselineFallback: result.baselineFallback, ...(result.fallbackReason || learnedModelError ? { fallbackReason: learnedModelError ?? result.fallbackReason } : {}),
          ...(result.total ? { total: { p10: round(result.total.p10), p50: round(result.total.p50), p90: round(result.total.p90) }, totalMinutes: result.totalMinutes } : {}),
          ...(training ? { training } : {}),
          ...(result.days ? { days: result.days } : {}),
          points: rows,
        };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      const expected = (r: (typeof rows)[number]) => (opts.expected ? `,${r.expected ?? ''}` : '');
      const header = `interval_start,skill_group,p10,p50,p90${opts.expected ? ',expected' : ''}`;
      // the skill group is free text (the flag, or the file's skill_group cells): quoted, and kept from reading as a formula
      const csv = [header, ...rows.map((r) => `${r.interval_start},${csvTextCell(r.skill_group)},${r.p10},${r.p50},${r.p90}${expected(r)}`)].join('\n') + '\n';
      if (opts.out) writeFileSync(opts.out, csv);
      else process.stdout.write(csv);
      const note = result.baselineFallback ? ` (baseline: ${result.fallbackReason ?? learnedModelError})` : '';
      process.stderr.write(`wfm: ${rows.length} intervals, model ${result.alias}${note}${result.total ? `, ${result.totalMinutes} min from ${rows[0]?.interval_start ?? 'now'} total p50 ${round(result.total.p50)}` : ''}\n`);
    });
}
