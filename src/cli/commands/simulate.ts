/**
 * `wfm simulate`: drill a roster against forecast or real traffic. This file is the adapter: it reads
 * the files (skill groups JSON, roster CSV, arrivals/history CSV), turns them into a SimulationSpec and
 * prints the core's result (src/sim/simulate.ts).
 *
 *   wfm simulate --roster roster.csv --skill-groups groups.json (--arrivals FILE | --history FILE --from DATE)
 *                [--days N] [--shock SPEC]… [--policy NAME] [--replications N] [--seed S] [--json]
 *
 * --arrivals: a CSV with `interval_start,skill_group,volume` (a forecast: Poisson arrivals at those rates),
 * the CSV `wfm forecast` writes (`interval_start,skill_group,p10,p50,p90[,expected]`: its mean `expected`,
 * else its median p50, is the volume), or `arrival,skill_group[,handle_seconds][,patience_seconds]` (an
 * exact replay of a call log).
 * --history + --from: the history's volumes of the days from DATE are taken as the forecast.
 * --shock "PS*3@13:00/2h~30m": ×3 on PS from 13:00 (on the first day; or give an ISO date-time) for
 * 2 hours, ramping over 30 minutes.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import type { IntervalVolume, SkillGroup } from '../../domain/types';
import { invalid, type ProblemDetail } from '../../errors/wfm-error';
import { splitCsv } from '../../history/ingest';
import { extent, ingestHistoryFile, loadHistory, loadSkillGroups, readText } from '../input-files';
import { withFlagNames } from '../flag-names';
import { refuseImpossibleDate } from '../from-flag';
import { simulate } from '../../sim/simulate';
import { POLICY_NAMES, type ArrivalShock, type ArrivalSpec, type PolicyName, type ReplayCall, type SimShift, type SimulationResult } from '../../sim/types';
import { localDate, parseTimestamp, startOfLocalDay } from '../../time/grid';
import { parseRosterCsv } from '../../roster/export';

interface SimulateOptions {
  roster: string;
  skillGroups: string;
  arrivals?: string;
  history?: string;
  from?: string;
  days: string;
  shock: string[];
  policy: string;
  replications: string;
  seed: string;
  json?: boolean;
}

/** Header → column index; throws naming the missing columns. */
function columns(header: string[], required: string[], file: string): Map<string, number> {
  const index = new Map(header.map((name, i) => [name.trim().toLowerCase(), i]));
  const missing = required.filter((name) => !index.has(name));
  if (missing.length > 0) throw invalid(`${file}: missing column(s) ${missing.join(', ')}`, missing.map((m) => ({ where: `${file} header`, message: `no column "${m}"` })));
  return index;
}

function instant(text: string, zone: string, where: string, row: number, problems: ProblemDetail[]): number {
  const parsed = parseTimestamp(text ?? '', zone);
  if (parsed.ok) return parsed.epochMs;
  problems.push({ where, message: parsed.reason, row });
  return NaN;
}

/**
 * Roster CSV `agent_id,date,start,end,skill_group,breaks[,break_kinds]` (breaks: `;`-separated ISO
 * `start/end`; break_kinds, as rosterToCsv writes it, is checked and not needed: a break is off the phone
 * whatever its kind): the columns in any order, date, breaks and break_kinds optional, times with an offset or on the first skill group's clock
 * (a roster typed by hand); each row checked as `wfm plan --previous` checks one (the shared reader).
 */
export function parseSimulatedRoster(text: string, skillGroups: SkillGroup[]): SimShift[] {
  const { shifts, problems } = parseRosterCsv(text, { name: '--roster', skillGroups: new Set(skillGroups.map((g) => g.id)), exactHeader: false, zone: skillGroups[0].timeZone });
  if (problems.length > 0) throw invalid(`--roster: ${problems.length} bad row(s)`, problems);
  return shifts.map(({ agentId, skillGroupId, start, end, breaks }) => ({ agentId, skillGroupId, start, end, breaks }));
}

/** Replay CSV `arrival,skill_group[,handle_seconds][,patience_seconds]`. */
export function parseReplayCsv(text: string, zone: string): ReplayCall[] {
  const [header, ...rows] = splitCsv(text);
  const col = columns(header ?? [], ['arrival', 'skill_group'], '--arrivals');
  const problems: ProblemDetail[] = [];
  const optional = (cells: string[], name: string) => {
    const i = col.get(name);
    return i === undefined || cells[i] === undefined || cells[i] === '' ? undefined : Number(cells[i]);
  };
  const calls = rows.map((cells, k) => ({
    skillGroupId: cells[col.get('skill_group')!],
    arrival: instant(cells[col.get('arrival')!], zone, 'arrival', k + 1, problems),
    handleSeconds: optional(cells, 'handle_seconds'),
    patienceSeconds: optional(cells, 'patience_seconds'),
  }));
  if (problems.length > 0) throw invalid(`--arrivals: ${problems.length} bad timestamp(s)`, problems);
  return calls;
}

/**
 * The rows of a `wfm forecast` CSV (`interval_start,skill_group,p10,p50,p90[,expected][,aht_seconds]`) as
 * history rows, the volume taken from `expected` (the mean, what staffing is computed from) when the file
 * has it, else from p50 (the median: below the mean at a few calls an interval); null for any other file.
 */
export function forecastCsvAsHistoryRows(text: string): { rows: Array<Record<string, string>>; volumeColumn: 'expected' | 'p50' } | null {
  const [header, ...records] = splitCsv(text);
  const names = (header ?? []).map((h) => h.trim().toLowerCase().replace(/^\uFEFF/, ''));
  if (names.includes('volume') || !names.includes('interval_start') || !names.includes('p50')) return null;
  const volumeColumn = names.includes('expected') ? 'expected' : 'p50';
  const at = (name: string) => names.indexOf(name);
  const rows = records
    .filter((cells) => cells.some((cell) => cell.trim() !== ''))
    .map((cells) => ({
      interval_start: cells[at('interval_start')] ?? '',
      skill_group: cells[at('skill_group')] ?? '',
      volume: cells[at(volumeColumn)] ?? '',
      ...(at('aht_seconds') >= 0 && (cells[at('aht_seconds')] ?? '') !== '' ? { aht_seconds: cells[at('aht_seconds')] } : {}),
    }));
  return { rows, volumeColumn };
}

/** Forecast rates from --arrivals: a `wfm forecast` CSV (said on stderr which column is the volume) or a history-shaped file. */
function loadForecastArrivals(file: string, text: string, skillGroups: SkillGroup[]): IntervalVolume[] {
  const forecast = forecastCsvAsHistoryRows(text);
  if (!forecast) return loadHistory(file, skillGroups, 'the simulation').intervals;
  const which = forecast.volumeColumn === 'expected'
    ? 'its `expected` column (the mean) is the volume'
    : 'its p50 column (the median) is the volume; `wfm forecast --expected` adds the mean, which is what staffing is computed from';
  process.stderr.write(`wfm: --arrivals ${file}: a \`wfm forecast\` CSV: ${which}\n`);
  return ingestHistoryFile(file, { rows: forecast.rows }, skillGroups).intervals;
}

const DURATION = /^(\d+(?:\.\d+)?)(m|h)$/;
const minutes = (text: string) => {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * (m[2] === 'h' ? 60 : 1) : NaN;
};

/** "PS*3@13:00/2h~30m" or "PS*3@1999-02-03T13:00/120m" → a shock (the time is local to the group). */
export function parseShock(text: string, firstDate: string, zone: string): ArrivalShock {
  const m = /^([^*@]+)\*(\d+(?:\.\d+)?)@([^/]+)\/([^~]+)(?:~(.+))?$/.exec(text.trim());
  const bad = (message: string) => invalid(`--shock "${text}": ${message}`, [{ where: '--shock', message }]);
  if (!m) throw bad('expected GROUP*FACTOR@TIME/DURATION[~RAMP], e.g. PS*3@13:00/2h~30m');
  const [, skillGroupId, factor, when, duration, ramp] = m;
  const iso = /^\d\d:\d\d$/.test(when) ? `${firstDate}T${when}` : when;
  const start = DateTime.fromISO(iso, { zone });
  if (!start.isValid) throw bad(`not a time: "${when}"`);
  const durationMinutes = minutes(duration);
  const rampMinutes = ramp === undefined ? 0 : minutes(ramp);
  if (!Number.isFinite(durationMinutes) || !Number.isFinite(rampMinutes)) throw bad('durations are like 90m or 2h');
  return { skillGroupId, factor: Number(factor), start: start.toMillis(), durationMinutes, rampMinutes };
}

/** "covers 1999-11-01 to 1999-11-14" (local dates of the instants), or "is empty". */
function datesCovered(instants: readonly number[], zone: string): string {
  const span = extent(instants);
  return span ? `covers ${localDate(span.first, zone)} to ${localDate(span.last, zone)}` : 'is empty';
}

/** When each arrival comes: the forecast's interval starts, or the replayed calls' arrivals. */
function arrivalInstants(arrivals: ArrivalSpec): number[] {
  return arrivals.kind === 'forecast' ? arrivals.rates.map((r) => r.start) : arrivals.calls.map((c) => c.arrival);
}

function isoDateAfter(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('simulate a roster against forecast or real traffic (discrete-event, seeded, with confidence intervals)')
    .requiredOption('--roster <file>', 'roster CSV: agent_id,date,start,end,skill_group,breaks[,break_kinds] (as `wfm plan` and the API write it)')
    .requiredOption('--skill-groups <file>', 'JSON array of skill groups')
    .option('--arrivals <file>', 'forecast CSV (interval_start,skill_group,volume, or what `wfm forecast` writes: its expected column, else p50) or call log CSV (arrival,skill_group[,handle_seconds][,patience_seconds])')
    .option('--history <file>', 'history CSV whose volumes from --from are replayed as the forecast')
    .option('--from <date>', 'first local date (YYYY-MM-DD) to simulate')
    .option('--days <n>', 'days to simulate', '1')
    .option('--shock <spec>', 'e.g. "PS*3@13:00/2h~30m"; *0.5 halves, *0 is an outage (repeatable)', (value: string, list: string[]) => [...list, value], [] as string[])
    .option('--policy <name>', `agent choice: ${POLICY_NAMES.join(', ')}`, 'longest-idle')
    .option('--replications <n>', 'independent replications (confidence intervals need ≥ 2)', '10')
    .option('--seed <n>', 'random seed (same seed, same result)', '1')
    .option('--json', 'print the full result as JSON')
    .action((options: SimulateOptions) => {
      // Skill groups and forecast/history files are validated like API uploads (shared adapters).
      const skillGroups = loadSkillGroups(options.skillGroups);
      if (skillGroups.length === 0) throw invalid('--skill-groups: no skill groups');
      const zone = skillGroups[0].timeZone;
      if (!options.arrivals === !options.history) throw invalid('give either --arrivals FILE or --history FILE --from DATE');
      if (options.history && !options.from) throw invalid('--history needs --from DATE');
      if (options.from !== undefined) refuseImpossibleDate('--from', options.from);
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1) throw invalid('--days must be a whole number ≥ 1', [{ where: '--days', message: `got "${options.days}"` }]);
      const shifts = parseSimulatedRoster(readText(options.roster), skillGroups);

      let arrivals: ArrivalSpec;
      let firstDate = options.from;
      if (options.arrivals) {
        const text = readText(options.arrivals);
        const header = (splitCsv(text.split('\n', 1)[0] ?? '')[0] ?? []).map((h) => h.trim().toLowerCase());
        arrivals = header.includes('arrival')
          ? { kind: 'replay', calls: parseReplayCsv(text, zone) }
          : { kind: 'forecast', rates: loadForecastArrivals(options.arrivals, text, skillGroups) };
        const earliest = extent(arrivalInstants(arrivals))?.first;
        firstDate ??= earliest !== undefined ? localDate(earliest, zone) : undefined;
      } else {
        arrivals = { kind: 'forecast', rates: loadHistory(options.history!, skillGroups, 'the simulation').intervals };
      }
      if (!firstDate || !DateTime.fromISO(firstDate).isValid) throw invalid('cannot tell the first day: give --from YYYY-MM-DD', [{ where: '--from', message: `got "${firstDate ?? ''}"` }]);
      const from = startOfLocalDay(firstDate, zone);
      const to = startOfLocalDay(isoDateAfter(firstDate, days), zone);
      const arrivalTimes = arrivalInstants(arrivals);
      if (arrivals.kind === 'forecast') {
        arrivals.rates = arrivals.rates.filter((r) => r.start >= from && r.start < to);
        arrivals.shocks = options.shock.map((s) => parseShock(s, firstDate!, zone));
      } else if (options.shock.length > 0) throw invalid('--shock applies to forecast arrivals, not to a replayed call log', [{ where: '--shock', message: 'not with a call log' }]);
      else arrivals.calls = arrivals.calls.filter((c) => c.arrival >= from && c.arrival < to);
      // Days the files do not cover simulate nothing: "0 calls simulated" read like a quiet day.
      const simulatedDays = days === 1 ? firstDate : `${firstDate} to ${isoDateAfter(firstDate, days - 1)}`;
      const arrivalsFlag = options.arrivals ? `--arrivals ${options.arrivals}` : `--history ${options.history}`;
      const kept = arrivalInstants(arrivals);
      if (kept.length === 0) {
        const message = `no arrival falls in the simulated day(s) ${simulatedDays}: ${arrivalsFlag} ${datesCovered(arrivalTimes, zone)}`;
        throw invalid(message, [{ where: options.from !== undefined ? '--from' : options.arrivals ? '--arrivals' : '--history', message: 'give --from and --days inside the arrivals\' dates' }]);
      }
      // …and a day among them without any arrival is one too (the others still simulate): name it
      const daysWithArrivals = new Set(kept.map((t) => localDate(t, zone)));
      const empty = Array.from({ length: days }, (_, k) => isoDateAfter(firstDate!, k)).filter((d) => !daysWithArrivals.has(d));
      if (empty.length) process.stderr.write(`wfm: no arrival falls on ${empty.join(', ')}: ${arrivalsFlag} ${datesCovered(arrivalTimes, zone)}; ${empty.length === 1 ? 'that day simulates' : 'those days simulate'} no calls\n`);
      if (!shifts.some((shift) => shift.end > from && shift.start < to)) {
        process.stderr.write(`wfm: no shift of --roster ${options.roster} falls in the simulated day(s) ${simulatedDays} (the roster ${datesCovered(shifts.map((shift) => shift.start), zone)}): nobody answers, every call is lost\n`);
      }

      const replications = Number(options.replications);
      const seed = Number(options.seed);
      const progress = !options.json && process.stderr.isTTY;
      // the simulator names spec fields; say which flag (and which --shock) to change instead
      const flagOf = (where: string) => {
        const shock = /^arrivals\.shocks\[(\d+)\]/.exec(where);
        if (shock) return { flag: '--shock', prefix: `"${options.shock[Number(shock[1])]}"` };
        if (where === 'replications' || where === 'seed') return `--${where}`;
        if (where.startsWith('policy')) return '--policy';
        if (where.startsWith('skillGroups')) return '--skill-groups';
        if (where.startsWith('roster')) return '--roster';
        if (where.startsWith('period')) return '--from';
        if (where.startsWith('arrivals')) return options.arrivals ? '--arrivals' : '--history';
        return undefined;
      };
      const result = withFlagNames(flagOf, () => simulate({
        skillGroups,
        period: { from, to },
        roster: { kind: 'shifts', shifts },
        arrivals,
        policy: options.policy as PolicyName,
        replications,
        seed,
        onProgress: progress ? (done, total) => process.stderr.write(`\rreplication ${done}/${total}${done === total ? '\n' : ''}`) : undefined,
      }));
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${formatResult(result, zone)}\n`);
    });
}

/**
 * A mean with its 95% confidence interval: "25.0% ±3.1"; where mean ± half-width would pass what is
 * possible (a rate below 0 % or above 100 %, a wait below 0 s: few calls in few replications), the
 * interval cut to it, "25.0% [0.0–62.3]"; with one replication no interval at all (it needs two).
 */
export function formatEstimate(e: { mean: number; halfWidth: number }, replications: number, unit: '%' | ' s'): string {
  if (!Number.isFinite(e.mean)) return '–';
  const scale = unit === '%' ? 100 : 1;
  const mean = `${(scale * e.mean).toFixed(1)}${unit}`;
  if (replications < 2 || !Number.isFinite(e.halfWidth)) return mean;
  const highest = unit === '%' ? 1 : Infinity;
  if (e.mean - e.halfWidth >= 0 && e.mean + e.halfWidth <= highest) return `${mean} ±${(scale * e.halfWidth).toFixed(1)}`;
  const low = Math.max(0, e.mean - e.halfWidth);
  const high = Math.min(highest, e.mean + e.halfWidth);
  return `${mean} [${(scale * low).toFixed(1)}–${(scale * high).toFixed(1)}]`;
}

function formatResult(result: SimulationResult, zone: string): string {
  const n = result.replications;
  const pct = (e: { mean: number; halfWidth: number }) => formatEstimate(e, n, '%');
  const sec = (e: { mean: number; halfWidth: number }) => formatEstimate(e, n, ' s');
  const line = (name: string, m: SimulationResult['overall']) =>
    [name.padEnd(8), m.offered.mean.toFixed(0).padStart(8), pct(m.serviceLevel).padStart(20), sec(m.asaSeconds).padStart(22), pct(m.abandonRate).padStart(20), pct(m.occupancy).padStart(20)].join(' ');
  const header = ['group'.padEnd(8), 'offered'.padStart(8), 'service level'.padStart(20), 'ASA'.padStart(22), 'abandoned'.padStart(20), 'occupancy'.padStart(20)].join(' ');
  const worst = [...result.intervals].filter((r) => r.offered.mean > 0).sort((a, b) => a.serviceLevel.mean - b.serviceLevel.mean).slice(0, 5);
  const intervals = n < 2 ? 'one replication: no confidence intervals, they need --replications 2 or more' : '±: 95% CI; [lo–hi]: the 95% CI where ± would pass 0 or 100 %';
  return [
    `${result.replications} replication(s), seed ${result.seed}, policy ${result.policy.agentChoice}${result.policy.returnToPreviousAgent ? ' + previous agent' : ''}, ${result.callsSimulated} calls simulated (${intervals})`,
    header,
    ...result.totals.map((t) => line(t.skillGroupId, t)),
    line('all', result.overall),
    '',
    'worst intervals by service level:',
    ...worst.map((r) => `  ${DateTime.fromMillis(r.start, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${r.skillGroupId}: offered ${r.offered.mean.toFixed(1)}, service level ${pct(r.serviceLevel)}, abandoned ${pct(r.abandonRate)}, agents ${r.agents.mean.toFixed(1)}`),
  ].join('\n');
}
