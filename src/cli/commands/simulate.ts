/**
 * `wfm simulate`: drill a roster against forecast or real traffic. This file is the adapter: it reads
 * the files (skill groups JSON, roster CSV, arrivals/history CSV), turns them into a SimulationSpec and
 * prints the core's result (src/sim/simulate.ts).
 *
 *   wfm simulate --roster roster.csv --skill-groups groups.json (--arrivals FILE | --history FILE --from DATE)
 *                [--days N] [--shock SPEC]… [--policy NAME] [--replications N] [--seed S] [--json]
 *
 * --arrivals: a CSV with `interval_start,skill_group,volume` (a forecast: Poisson arrivals at those rates)
 * or `arrival,skill_group[,handle_seconds][,patience_seconds]` (an exact replay of a call log).
 * --history + --from: the history's volumes of the days from DATE are taken as the forecast.
 * --shock "PS*3@13:00/2h~30m": ×3 on PS from 13:00 (on the first day; or give an ISO date-time) for
 * 2 hours, ramping over 30 minutes.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { invalid, type ProblemDetail } from '../../errors/wfm-error';
import { splitCsv } from '../../history/ingest';
import { loadHistory, loadSkillGroups, readText } from '../input-files';
import { withFlagNames } from '../flag-names';
import { refuseImpossibleDate } from '../from-flag';
import { simulate } from '../../sim/simulate';
import { POLICY_NAMES, type ArrivalShock, type ArrivalSpec, type PolicyName, type ReplayCall, type SimShift, type SimulationResult } from '../../sim/types';
import { parseTimestamp, startOfLocalDay } from '../../time/grid';

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

/** Roster CSV `agent_id,date,start,end,skill_group,breaks` (breaks: `;`-separated ISO `start/end`). */
export function parseRosterCsv(text: string, zone: string): SimShift[] {
  const [header, ...rows] = splitCsv(text);
  if (!header) throw invalid('--roster: empty file');
  const col = columns(header, ['agent_id', 'start', 'end', 'skill_group'], '--roster');
  const problems: ProblemDetail[] = [];
  const shifts = rows.map((cells, k) => {
    const row = k + 1;
    const at = (name: string) => cells[col.get(name)!] ?? '';
    const breaksText = col.has('breaks') ? at('breaks') : '';
    const breaks = breaksText
      ? breaksText.split(';').filter(Boolean).map((span) => {
          const [start, end] = span.split('/');
          return { start: instant(start, zone, 'breaks', row, problems), end: instant(end, zone, 'breaks', row, problems) };
        })
      : [];
    return { agentId: at('agent_id'), skillGroupId: at('skill_group'), start: instant(at('start'), zone, 'start', row, problems), end: instant(at('end'), zone, 'end', row, problems), breaks };
  });
  if (problems.length > 0) throw invalid(`--roster: ${problems.length} bad value(s)`, problems);
  return shifts;
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

function isoDateAfter(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('simulate a roster against forecast or real traffic (discrete-event, seeded, with confidence intervals)')
    .requiredOption('--roster <file>', 'roster CSV: agent_id,date,start,end,skill_group,breaks')
    .requiredOption('--skill-groups <file>', 'JSON array of skill groups')
    .option('--arrivals <file>', 'forecast CSV (interval_start,skill_group,volume) or call log CSV (arrival,skill_group[,handle_seconds])')
    .option('--history <file>', 'history CSV whose volumes from --from are replayed as the forecast')
    .option('--from <date>', 'first local date (YYYY-MM-DD) to simulate')
    .option('--days <n>', 'days to simulate', '1')
    .option('--shock <spec>', 'e.g. "PS*3@13:00/2h~30m" (repeatable)', (value: string, list: string[]) => [...list, value], [] as string[])
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
      const shifts = parseRosterCsv(readText(options.roster), zone);

      let arrivals: ArrivalSpec;
      let firstDate = options.from;
      if (options.arrivals) {
        const text = readText(options.arrivals);
        const header = (splitCsv(text.split('\n', 1)[0] ?? '')[0] ?? []).map((h) => h.trim().toLowerCase());
        if (header.includes('arrival')) {
          const calls = parseReplayCsv(text, zone);
          arrivals = { kind: 'replay', calls };
          firstDate ??= calls.length > 0 ? DateTime.fromMillis(Math.min(...calls.map((c) => c.arrival)), { zone }).toISODate()! : undefined;
        } else {
          const rates = loadHistory(options.arrivals, skillGroups).intervals;
          arrivals = { kind: 'forecast', rates };
          firstDate ??= rates.length > 0 ? DateTime.fromMillis(Math.min(...rates.map((r) => r.start)), { zone }).toISODate()! : undefined;
        }
      } else {
        arrivals = { kind: 'forecast', rates: loadHistory(options.history!, skillGroups).intervals };
      }
      if (!firstDate || !DateTime.fromISO(firstDate).isValid) throw invalid('cannot tell the first day: give --from YYYY-MM-DD', [{ where: '--from', message: `got "${firstDate ?? ''}"` }]);
      const from = startOfLocalDay(firstDate, zone);
      const to = startOfLocalDay(isoDateAfter(firstDate, days), zone);
      if (arrivals.kind === 'forecast') {
        arrivals.rates = arrivals.rates.filter((r) => r.start >= from && r.start < to);
        arrivals.shocks = options.shock.map((s) => parseShock(s, firstDate!, zone));
      } else if (options.shock.length > 0) throw invalid('--shock applies to forecast arrivals, not to a replayed call log', [{ where: '--shock', message: 'not with a call log' }]);
      else arrivals.calls = arrivals.calls.filter((c) => c.arrival >= from && c.arrival < to);

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

function formatResult(result: SimulationResult, zone: string): string {
  const pct = (e: { mean: number; halfWidth: number }) => (Number.isFinite(e.mean) ? `${(100 * e.mean).toFixed(1)}% ±${(100 * e.halfWidth).toFixed(1)}` : "–");
  const sec = (e: { mean: number; halfWidth: number }) => (Number.isFinite(e.mean) ? `${e.mean.toFixed(1)} s ±${e.halfWidth.toFixed(1)}` : '–');
  const line = (name: string, m: SimulationResult['overall']) =>
    [name.padEnd(8), m.offered.mean.toFixed(0).padStart(8), pct(m.serviceLevel).padStart(14), sec(m.asaSeconds).padStart(16), pct(m.abandonRate).padStart(14), pct(m.occupancy).padStart(14)].join(' ');
  const header = ['group'.padEnd(8), 'offered'.padStart(8), 'service level'.padStart(14), 'ASA'.padStart(16), 'abandoned'.padStart(14), 'occupancy'.padStart(14)].join(' ');
  const worst = [...result.intervals].filter((r) => r.offered.mean > 0).sort((a, b) => a.serviceLevel.mean - b.serviceLevel.mean).slice(0, 5);
  return [
    `${result.replications} replication(s), seed ${result.seed}, policy ${result.policy.agentChoice}${result.policy.returnToPreviousAgent ? ' + previous agent' : ''}, ${result.callsSimulated} calls simulated (±: 95% CI)`,
    header,
    ...result.totals.map((t) => line(t.skillGroupId, t)),
    line('all', result.overall),
    '',
    'worst intervals by service level:',
    ...worst.map((r) => `  ${DateTime.fromMillis(r.start, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${r.skillGroupId}: offered ${r.offered.mean.toFixed(1)}, service level ${pct(r.serviceLevel)}, abandoned ${pct(r.abandonRate)}, agents ${r.agents.mean.toFixed(1)}`),
  ].join('\n');
}
