/**
 * `wfm plan`: forecast → requirement → roster, embedded (no Redis). Reads history, agents and skill
 * groups, forecasts each group from its history (the live model from --model-dir when there is one, else a
 * two-week forecaster trained now on the history before the period, as `wfm forecast` does; the flagged
 * baseline with --no-train or when the history is too short), builds and checks the roster with the same core as the `build-roster` job, and
 * writes roster.csv, coverage.csv, slots.csv and summary.json to --out, with a readable table on stdout
 * (or the summary as JSON with --json).
 */
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Agent, IntervalVolume, IsoWeekday, ShiftKind, SkillGroup } from '../../domain/types';
import { invalid, WfmError } from '../../errors/wfm-error';
import { FsModelRegistry } from '../../registry/fs-model-registry';
import { buildRoster, periodInstants, periodProblems, rosteredPartners, rosterInputProblems, type BuiltRoster, type RosterRules } from '../../roster/build';
import { rosterToCsv } from '../../roster/assignment';
import { coverageCsv as coverageViewCsv } from '../../roster/coverage-view';
import { computePeriodForecast, type ForecastSource } from '../../services/period-forecast';
import { FORECAST_HISTORY_DAYS, trainForecaster, type SpecialDay } from '../../forecast';
import { recentHistoryProblem } from '../../roster/period-history';
import { formatInstant } from '../../time/grid';
import { canonicalZone } from '../../domain/validate';
import { extent, HISTORY_FILE_HELP, loadAgents, loadHistory, loadRosterShifts, loadSkillGroups, loadSpecialDays, loadTemplates } from '../input-files';
import { localDates } from '../../roster/lp';
import { renameToFlags } from '../flag-names';
import { refuseImpossibleDate } from '../from-flag';
import { weekdays } from '../opening-hours-flag';

interface PlanOptions {
  history: string;
  agents: string;
  skillGroups: string;
  from: string;
  days: string;
  out: string;
  groups?: string;
  tz?: string;
  templates?: string;
  /** special days (a sale, a storm warning) of every planned group */
  specialDays?: string;
  /** roster.csv of the neighbouring periods: shifts the agents already work */
  previous?: string;
  modelDir?: string;
  /** false (--no-train): no training now, the flagged baseline answers where no registry model does */
  train?: boolean;
  searchIterations?: string;
  seed?: string;
  /** days counted as weekend for the weekend share, e.g. "fri,sat" (default Saturday and Sunday) */
  weekendDays?: string;
  /** shift kinds counted for the late share, e.g. "late,night" (the default) */
  lateKinds?: string;
  json?: boolean;
}

const DAY_MS = 86_400_000;

export interface PlanResult {
  period: { from: string; days: number; timeZone: string };
  skillGroups: SkillGroup[];
  /** groups in the file left out, and why */
  excludedSkillGroups: Array<{ skillGroupId: string; reason: string }>;
  forecastSources: ForecastSource[];
  roster: BuiltRoster;
}

/** The groups to roster: those asked for, or every group with history and at least one partner. */
function chooseGroups(all: SkillGroup[], agents: Agent[], withHistory: Set<string>, asked?: string): { groups: SkillGroup[]; excluded: PlanResult['excludedSkillGroups'] } {
  if (asked) {
    const ids = asked.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = ids.filter((id) => !all.some((g) => g.id === id));
    if (unknown.length) throw invalid(`unknown skill group(s): ${unknown.join(', ')}`, unknown.map((id) => ({ where: '--groups', message: `no skill group "${id}" in the skill-groups file` })));
    return { groups: ids.map((id) => all.find((g) => g.id === id)!), excluded: [] };
  }
  const groups: SkillGroup[] = [];
  const excluded: PlanResult['excludedSkillGroups'] = [];
  for (const g of all) {
    if (!withHistory.has(g.id)) excluded.push({ skillGroupId: g.id, reason: 'no history rows' });
    else if (!rosteredPartners(agents, [g]).length) excluded.push({ skillGroupId: g.id, reason: 'no partner agent has this skill' });
    else groups.push(g);
  }
  if (!groups.length) throw invalid('no skill group has both history and a partner agent: nothing to roster', [{ where: '--skill-groups', message: excluded.map((e) => `${e.skillGroupId}: ${e.reason}`).join('; ') }]);
  return { groups, excluded };
}

/** A whole-number flag within bounds, or undefined when not given; refused naming the flag otherwise. */
function wholeNumberFlag(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = min === Number.MIN_SAFE_INTEGER ? 'a whole number' : `a whole number from ${min} to ${max.toLocaleString('en')}`;
    throw invalid(`${flag} must be ${range}`, [{ where: flag, message: `got "${text}"` }]);
  }
  return value;
}

/**
 * --weekend-days as rules.options.weekendDays (ISO weekdays), or undefined when not given. Day names, as
 * --open takes them: a number would be read as an ISO weekday where the week starts on Monday and as
 * another day where it starts on Sunday (6 is Friday in Israel, whose weekend is what the flag is for).
 */
export function weekendDaysFlag(text: string | undefined): IsoWeekday[] | undefined {
  if (text === undefined) return undefined;
  const days = /^[a-z,-]+$/i.test(text.trim()) && text.trim().toLowerCase() !== 'daily' ? weekdays(text.trim()) : null;
  if (!days) throw invalid('--weekend-days must name days Mon..Sun, as a list (fri,sat) or a range (thu-sat)', [{ where: '--weekend-days', message: `got "${text}"${/\d/.test(text) ? ' (days by name, not number: a week starts on Monday in one country and on Sunday in another)' : ''}` }]);
  return days;
}

const SHIFT_KINDS: readonly ShiftKind[] = ['early', 'day', 'late', 'night'];

/** --late-kinds as rules.options.lateKinds, or undefined when not given. */
export function lateKindsFlag(text: string | undefined): ShiftKind[] | undefined {
  if (text === undefined) return undefined;
  const kinds = text.split(',').map((k) => k.trim().toLowerCase());
  const unknown = kinds.filter((k) => !SHIFT_KINDS.includes(k as ShiftKind));
  if (unknown.length) throw invalid(`--late-kinds must list shift kinds among ${SHIFT_KINDS.join(', ')}, separated by commas, e.g. late,night`, [{ where: '--late-kinds', message: `got "${text}": ${unknown.map((k) => (k === '' ? 'an empty kind' : `"${k}"`)).join(', ')} is not a shift kind` }]);
  return [...new Set(kinds)] as ShiftKind[];
}

export async function plan(options: PlanOptions, progress: (line: string) => void = () => undefined): Promise<PlanResult> {
  const allGroups = loadSkillGroups(options.skillGroups);
  const agents = loadAgents(options.agents, allGroups);
  const { intervals } = loadHistory(options.history, allGroups, 'the plan');
  // the roster core's check would call 2026-02-30 a format error
  refuseImpossibleDate('--from', options.from);
  const days = Number(options.days);
  if (!Number.isInteger(days)) throw invalid('--days must be a whole number', [{ where: '--days', message: `got "${options.days}"` }]);
  // as the API's contract has them: whole numbers (a NaN seed or iteration count would run silently)
  const searchIterations = wholeNumberFlag('--search-iterations', options.searchIterations, 0, 1_000_000);
  const seed = wholeNumberFlag('--seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const weekendDays = weekendDaysFlag(options.weekendDays);
  const lateKinds = lateKindsFlag(options.lateKinds);
  const { groups, excluded } = chooseGroups(allGroups, agents, new Set(intervals.map((i) => i.skillGroupId)), options.groups);
  const zones = new Set(groups.map((g) => g.timeZone));
  if (options.tz === undefined && zones.size > 1) {
    // a roster has one clock for its days, weeks and availability: on the first group's, the others' days would start at the wrong midnight
    const which = groups.map((g) => `${g.id} (${g.timeZone})`).join(', ');
    throw invalid(`the skill groups to plan keep different time zones: ${which}; plan each zone's groups separately with --groups (or give --tz to read every day on one clock)`, [
      { where: options.groups ? '--groups' : '--skill-groups', message: `${which}: one roster runs on one time zone` },
    ]);
  }
  // --tz spelled as the groups' zones are (asia/jerusalem is Asia/Jerusalem), an abbreviation refused
  const zone = canonicalZone(options.tz ?? groups[0].timeZone);
  if (!zone.ok) throw invalid(`--tz: ${zone.message}`, [{ where: '--tz', message: zone.message }]);
  const timeZone = zone.zone;
  const period = { from: options.from, days, timeZone };
  const templates = options.templates ? loadTemplates(options.templates) : undefined;
  const specialDays = options.specialDays ? loadSpecialDays(options.specialDays) : undefined;
  // shifts of the neighbouring periods; one dated inside this period would be this plan's own to make
  const periodDates = new Set(periodProblems(period).length === 0 ? localDates(period.from, period.days, period.timeZone) : []);
  const previous = options.previous ? loadRosterShifts(options.previous, allGroups, templates) : [];
  const busy = previous.filter((s) => !periodDates.has(s.date));
  if (busy.length < previous.length) progress(`${previous.length - busy.length} shift(s) of ${options.previous} fall inside the period and are left out`);
  const rules: RosterRules = {
    ...(templates ? { templates } : {}),
    options: {
      ...(searchIterations !== undefined ? { ruinAndRecreateIterations: searchIterations } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(weekendDays !== undefined ? { weekendDays } : {}),
      ...(lateKinds !== undefined ? { lateKinds } : {}),
    },
  };

  // a bad period, template or contract is reported before any forecasting
  const problems = rosterInputProblems({ period, skillGroups: groups, agents, rules, busy });
  // the period's fields come from flags; templates and contracts point into their files as they are
  const periodFlags: Record<string, string> = { '/period/from': '--from', '/period/days': '--days', '/period/timeZone': '--tz' };
  const flagOf = (where: string) =>
    periodFlags[where] ??
    (where.startsWith('/rules/templates') && options.templates ? `${options.templates}#${where.slice('/rules/templates'.length)}` : undefined) ??
    (where.startsWith('/skillGroups/') ? (options.groups ? '--groups' : '--skill-groups') : undefined);
  if (problems.length) throw renameToFlags(new WfmError('infeasible', `the roster input is contradictory or invalid: ${problems.length} problem(s)`, { details: problems }), flagOf);
  const { startMs } = periodInstants(period);
  const registry = options.modelDir ? new FsModelRegistry(path.resolve(options.modelDir)) : undefined;
  const before = new Map(groups.map((g) => [g.id, intervals.filter((i) => i.skillGroupId === g.id && i.start < startMs)]));
  // every group's history is checked before any is forecast (a training takes minutes), by the build job's rule
  for (const group of groups) {
    const lastStart = extent(before.get(group.id)!.map((i) => i.start))?.last;
    const problem = recentHistoryProblem(group.id, lastStart, { ...period, startMs });
    if (problem) throw invalid(problem, [{ where: '--from', message: `the history of ${group.id} does not reach the period` }]);
  }
  const forecasts = [];
  for (const group of groups) {
    progress(`forecasting ${group.id}`);
    const history = before.get(group.id)!.filter((i) => i.start >= startMs - FORECAST_HISTORY_DAYS * DAY_MS);
    const live = registry ? await registry.loadLive(group.id, 'two-week') : options.train === false ? null : await trainedNow(group, before.get(group.id)!, specialDays, progress);
    forecasts.push(await computePeriodForecast({ group, history, startMs, days, specialDays, live }));
  }
  const roster = buildRoster({ period, skillGroups: groups, agents, forecast: forecasts.flatMap((f) => f.rows), rules, busy }, (phase) => progress(phase));
  return { period, skillGroups: groups, excludedSkillGroups: excluded, forecastSources: forecasts.map((f) => f.source), roster };
}

/**
 * The two-week forecaster trained on all the history before the period (a year teaches day-of-month and
 * holiday effects the last weeks cannot). Too little history is not an error here: the flagged baseline
 * answers, and the forecast source says why.
 */
async function trainedNow(group: SkillGroup, history: IntervalVolume[], specialDays: SpecialDay[] | undefined, progress: (line: string) => void): Promise<{ version: string; model: unknown } | null> {
  progress(`training the two-week forecaster of ${group.id} on ${history.length} intervals`);
  try {
    const { model } = await trainForecaster({ history, skillGroup: group, horizon: 'two-week', specialDays });
    return { version: 'trained-now', model };
  } catch (err) {
    if (err instanceof WfmError && err.code === 'insufficient-history') return null;
    throw err;
  }
}

const csvLine = (cells: Array<string | number>) => cells.join(',');

// Times are written on the roster's clock (--tz, else the groups' zone), as its dates are and the API writes them.

/** As GET /rosters/{id}/coverage shows it (src/roster/coverage-view). */
export function coverageCsv(result: PlanResult): string {
  return coverageViewCsv(result.roster.coverage, result.period.timeZone);
}

export function slotsCsv(result: PlanResult): string {
  const zone = result.period.timeZone;
  const lines = ['slot_id,skill_group,date,start,end,kind,agents_needed'];
  for (const s of result.roster.slots) lines.push(csvLine([s.id, s.skillGroupId, s.date, formatInstant(s.start, zone), formatInstant(s.end, zone), s.kind, s.agentsNeeded]));
  return `${lines.join('\n')}\n`;
}

export function summaryDocument(result: PlanResult, files: string[]) {
  const { roster } = result;
  return {
    period: result.period,
    skillGroups: result.skillGroups.map((g) => g.id),
    excludedSkillGroups: result.excludedSkillGroups,
    forecastSources: result.forecastSources,
    summary: roster.summary,
    perSkillGroup: perGroup(result),
    fairness: roster.fairness,
    uncoveredReasons: roster.uncoveredReasons.map(({ shiftIds, ...r }) => ({ ...r, shifts: shiftIds.length })),
    shortfallReasons: roster.shortfallReasons,
    belowMinimum: roster.belowMinimum,
    files,
  };
}

function perGroup(result: PlanResult) {
  return result.skillGroups.map(({ id, intervalMinutes }) => {
    const rows = result.roster.coverage.filter((c) => c.skillGroupId === id);
    const hours = intervalMinutes / 60;
    const offered = rows.reduce((s, c) => s + c.volume, 0);
    const sum = (pick: (c: (typeof rows)[number]) => number) => Math.round(rows.reduce((s, c) => s + pick(c), 0) * hours * 10) / 10;
    return {
      skillGroupId: id,
      shifts: result.roster.shifts.filter((s) => s.skillGroupId === id).length,
      requiredAgentHours: sum((c) => c.required),
      scheduledAgentHours: sum((c) => c.scheduled),
      shortfallAgentHours: sum((c) => c.shortfall),
      slotPlaces: result.roster.slots.filter((s) => s.skillGroupId === id).reduce((n, s) => n + s.agentsNeeded, 0),
      predictedServiceLevel: offered > 0 ? Math.round((rows.reduce((s, c) => s + c.volume * c.serviceLevel, 0) / offered) * 1000) / 1000 : 1,
      forecastCalls: Math.round(offered),
    };
  });
}

function table(result: PlanResult, outDir: string): string {
  const { roster, period } = result;
  const s = roster.summary;
  const lines: string[] = [];
  lines.push(`Roster ${period.from} + ${period.days} days (${period.timeZone}): ${s.partnerShifts} partner shifts for ${s.agentsWithShifts} agents, ${s.paidHours} paid hours, ${s.slotPlaces} cloud-slot places`);
  lines.push(`Checker: ${s.checkerViolations} hard-rule violations. LP lower bound ${s.lpLowerBoundPaidHours} paid hours (gap ${((s.lpGap ?? 0) * 100).toFixed(1)} %).`);
  lines.push('');
  lines.push('group  forecast   shifts  required h  scheduled h  short h  slots  pred. SL  forecast source');
  const sources = new Map(result.forecastSources.map((f) => [f.skillGroupId, f]));
  for (const g of perGroup(result)) {
    const src = sources.get(g.skillGroupId)!;
    const how = `${src.alias}${src.baselineFallback ? ' (baseline fallback)' : ''}`;
    lines.push(
      `${g.skillGroupId.padEnd(6)} ${String(g.forecastCalls).padStart(8)} ${String(g.shifts).padStart(8)} ${g.requiredAgentHours.toFixed(1).padStart(11)} ${g.scheduledAgentHours.toFixed(1).padStart(12)} ${g.shortfallAgentHours.toFixed(1).padStart(8)} ${String(g.slotPlaces).padStart(6)} ${(g.predictedServiceLevel * 100).toFixed(1).padStart(8)} %  ${how}`,
    );
  }
  lines.push('');
  lines.push('fairness per contract class (min–max over the class\'s agents):');
  // the shares are evened out over this period and the previous fortnight of --previous (rotation)
  const withPrevious = (spread: { min: number; max: number } | null) => (spread ? ` (${spread.min}–${spread.max} with the previous fortnight, among the agents open to them)` : '');
  for (const f of roster.fairness) {
    lines.push(
      `  ${f.contractClass} (${f.agents} agents): hours ${f.hours.min}–${f.hours.max} (spread ${f.hoursSpread}, ${f.withinOneShortestShift ? 'within' : 'beyond'} one shortest shift of ${f.shortestShiftHours} h), weekend shifts ${f.weekendShifts.min}–${f.weekendShifts.max}${withPrevious(f.weekendShiftsWithPrevious)}, late shifts ${f.lateShifts.min}–${f.lateShifts.max}${withPrevious(f.lateShiftsWithPrevious)}, ${f.preferenceMisses} shift(s) against a preference`,
    );
  }
  if (roster.uncoveredReasons.length) {
    lines.push('');
    lines.push(`why ${s.uncoveredShifts} shift(s) went to cloud slots (top reasons):`);
    for (const r of [...roster.uncoveredReasons].sort((a, b) => b.shiftIds.length - a.shiftIds.length).slice(0, 8)) lines.push(`  ${String(r.shiftIds.length).padStart(4)} × ${r.reason}`);
  }
  for (const r of roster.shortfallReasons) lines.push(`  ${r.reason}`);
  for (const e of result.excludedSkillGroups) lines.push(`not rostered: ${e.skillGroupId} (${e.reason})`);
  lines.push('');
  lines.push(`wrote ${['roster.csv', 'coverage.csv', 'slots.csv', 'summary.json'].map((f) => path.join(outDir, f)).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function writePlan(result: PlanResult, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files = ['roster.csv', 'coverage.csv', 'slots.csv', 'summary.json'];
  writeFileSync(path.join(outDir, 'roster.csv'), rosterToCsv(result.roster.shifts, () => result.period.timeZone));
  writeFileSync(path.join(outDir, 'coverage.csv'), coverageCsv(result));
  writeFileSync(path.join(outDir, 'slots.csv'), slotsCsv(result));
  writeFileSync(path.join(outDir, 'summary.json'), `${JSON.stringify(summaryDocument(result, files), null, 2)}\n`);
  return files;
}

/**
 * --out must be a directory that can be written, or one that can be created: found before minutes of
 * planning rather than after. The nearest part of the path that exists decides (root may write anywhere,
 * so the permission test is only as good as access(2) says).
 */
export function checkOutDir(out: string): void {
  const dir = path.resolve(out);
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const refuse = (why: string) => invalid(`--out ${out}: ${why}`, [{ where: '--out', message: `${out}: ${why}` }]);
  if (!statSync(existing).isDirectory()) throw refuse(existing === dir ? 'exists and is not a directory' : `cannot be created: ${existing} is not a directory`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw refuse(existing === dir ? 'the directory is not writable' : `cannot be created: ${existing} is not writable`);
  }
}

/** Runs a plan and reports it: the table (or JSON) on stdout, phases on stderr. */
export async function runPlan(options: PlanOptions): Promise<void> {
  checkOutDir(options.out);
  const result = await plan(options, options.json ? undefined : (line) => process.stderr.write(`wfm plan: ${line}…\n`));
  let files: string[];
  try {
    files = writePlan(result, options.out);
  } catch (err) {
    // checked up front, but the disk may change in the minutes a plan takes
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw invalid(`cannot write the plan to --out ${options.out}: ${why}`, [{ where: '--out', message: `${options.out}: ${why}` }]);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(summaryDocument(result, files), null, 2)}\n`);
  else process.stdout.write(table(result, options.out));
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('Forecast → staffing requirement → roster (embedded, no Redis): writes roster.csv, coverage.csv, slots.csv, summary.json')
    .requiredOption('--history <file>', HISTORY_FILE_HELP)
    .requiredOption('--agents <file>', 'agents JSON (partners are rostered; cloud agents claim slots)')
    .requiredOption('--skill-groups <file>', 'skill groups JSON')
    .requiredOption('--from <date>', 'first day of the roster, YYYY-MM-DD')
    .option('--days <n>', 'days to roster (at most 14)', '14')
    .requiredOption('--out <dir>', 'directory for the output files')
    .option('--groups <ids>', 'comma-separated skill groups (default: every group with history and a partner agent)')
    .option('--tz <zone>', 'zone the dates are read in (default: the groups\' own, which must then be one zone)')
    .option('--templates <file>', 'shift templates JSON (default: the built-in set)')
    .option('--special-days <file>', 'JSON array of {date,label,uplift?}: special days (a sale, a billing run) of every planned group')
    .option('--previous <file>', 'roster.csv of the neighbouring periods (e.g. the last roster): rest and consecutive days hold across the edge, its night shifts count in this period\'s first hours, and its shifts of the fortnight before count towards each agent\'s weekend and late shares (rotation; a shift\'s kind is that of the template it fits, --templates or the defaults)')
    .option('--model-dir <dir>', 'forecast with the live two-week models of this registry (default: train them now on the history)')
    .option('--no-train', 'without --model-dir: no training, the flagged baseline forecasts (fast)')
    .option('--search-iterations <n>', 'ruin-and-recreate iterations of the assignment search (default: 3,000,000 / agents)')
    .option('--seed <n>', 'seed of the search (same seed, same roster)')
    .option('--weekend-days <days>', 'the weekend for the weekend share (its fairness and rotation), days by name, e.g. fri,sat (default: sat,sun)')
    .option('--late-kinds <kinds>', 'shift kinds counted in the late share, among early, day, late, night (default: late,night)')
    .option('--json', 'print the summary as one JSON document')
    .action((opts: PlanOptions) => runPlan(opts));
}
