/**
 * Reading the CLI's input files (an adapter): skill groups and agents are validated with the same
 * OpenAPI schemas and semantic checks as API requests; history goes through the same ingestion.
 * Every problem names the file and the place in it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Agent, IntervalVolume, ShiftKind, SkillGroup } from '../domain/types';
import { repeatedSpecialDays, type SpecialDay } from '../forecast/calendar';
import type { AssignedShift, ShiftTemplate } from '../roster/types';
import { allowedStartMinutes, DEFAULT_TEMPLATES, templatesFor } from '../roster/templates';
import { parseRosterCsv } from '../roster/export';
import { schemaValidator } from '../domain/schemas';
import { validateAgents, validateSkillGroups } from '../domain/validate';
import { invalid, isWfmError, WfmError } from '../errors/wfm-error';
import { ingestHistoryOrThrow, skillGroupsById, splitCsv, type SkillGroupSummary } from '../history';
import { HISTORY_SHAPES, historyColumns, innerHeaderProblem, intervalColumnInPerCallLog, type HistoryBatch } from '../history/ingest';
import { loadOpenApi } from '../http/openapi';
import { terminalSafe } from './output-text';

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new WfmError('not-found', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${file} is not valid JSON`, [{ where: file, message: (err as Error).message }]);
  }
}

/** `what`: the items as the error names them (default "<schema> objects"). */
function readArrayOf(file: string, schemaName: string, what = `${schemaName} objects`): unknown[] {
  const value = readJson(file);
  if (!Array.isArray(value)) throw invalid(`${file} must be a JSON array of ${what}`, [{ where: `${file}#`, message: 'not an array' }]);
  const validate = schemaValidator(loadOpenApi().components.schemas, schemaName);
  const problems = value.flatMap((item, i) => validate(item, `${file}#/${i}`));
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return value;
}

export function loadSkillGroups(file: string): SkillGroup[] {
  const groups = readArrayOf(file, 'SkillGroup') as SkillGroup[];
  const problems = validateSkillGroups(groups, new Map(), `${file}#`);
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return groups;
}

export function loadAgents(file: string, skillGroups: SkillGroup[]): Agent[] {
  const agents = readArrayOf(file, 'Agent') as Agent[];
  const problems = validateAgents(agents, skillGroupsById(skillGroups), `${file}#`);
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return agents;
}

/**
 * A --templates file: a non-empty JSON array of ShiftTemplate objects (the API's schema). An empty list is
 * refused, naming the file, rather than left to fall back on the defaults the user meant to replace.
 */
export function loadTemplates(file: string): ShiftTemplate[] {
  const templates = readArrayOf(file, 'ShiftTemplate', 'shift templates') as ShiftTemplate[];
  if (templates.length === 0) throw invalid(`${file} names no shift template: give at least one (or leave --templates out for the defaults)`, [{ where: `${file}#`, message: 'an empty array: at least one shift template' }]);
  return templates;
}

/**
 * Special days (a JSON array of {date,label,uplift?}), validated like PUT …/special-days: a date declared
 * twice is refused, naming both entries — which uplift the planner meant is not for the CLI to guess.
 */
export function loadSpecialDays(file: string): SpecialDay[] {
  const days = readArrayOf(file, 'SpecialDay') as SpecialDay[];
  const problems = repeatedSpecialDays(days, `${file}#`);
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return days;
}

/**
 * How the ingestion's "row N" maps to the file: the N-th data row of a CSV (its header not counted, so a
 * spreadsheet or editor shows it on line N + 1), or the N-th object of a JSON array.
 */
export function historyRowNumbering(file: string): string {
  return isJsonFile(file) ? 'row N is the array\'s N-th object' : 'row N is the data row after the header, line N + 1';
}

/** A history file is read as a JSON array by its extension, else as CSV. */
function isJsonFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.json';
}

/**
 * A history ingestion error as every command reports it: the file named, how its rows are counted, and
 * the rows renumbered with `fileRow` when the ingestion saw only some of the file's rows (one group's).
 */
export function inHistoryFile(err: WfmError, file: string, fileRow: (row: number) => number = (row) => row): WfmError {
  const details = err.details.map((d) => ({
    ...d,
    where: d.where.replace(/^row (\d+)/, (_, n: string) => `row ${fileRow(Number(n))}`),
    ...(d.row === undefined ? {} : { row: fileRow(d.row) }),
  }));
  return new WfmError(err.code, `${file}: ${err.message} (${historyRowNumbering(file)})`, { details, status: err.status, cause: err });
}

/** The file's rows as objects keyed by lower-case column name: CSV, or a JSON array of objects (`.json`). */
export function historyObjects(text: string, file: string, reader: string, uploadNote = ''): Record<string, unknown>[] {
  let objects: Record<string, unknown>[];
  let written: string[] = []; // the column names as the file spells them, for messages
  if (isJsonFile(file)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw invalid(`history file ${file} is not valid JSON`, [{ where: file, message: (err as Error).message }]);
    }
    if (!Array.isArray(value) || value.some((o) => typeof o !== 'object' || o === null || Array.isArray(o))) throw invalid(`history file ${file} must be a JSON array of objects`);
    written = Object.keys((value as Record<string, unknown>[])[0] ?? {});
    objects = (value as Record<string, unknown>[]).map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v])));
  } else {
    const records = splitCsv(text);
    written = records[0] ?? [];
    const header = written.map((h) => h.toLowerCase());
    const innerHeader = records.findIndex((r, i) => i > 0 && innerHeaderProblem(header, r) !== undefined);
    if (innerHeader > 0) {
      const message = innerHeaderProblem(header, records[innerHeader])!;
      throw invalid(`history file ${file}, row ${innerHeader}: ${message}`, [{ where: `row ${innerHeader}`, row: innerHeader, message }]);
    }
    // A row with more or fewer fields than the header is a broken row ("1,234" for a volume splits in
    // two), not one to read its first fields from.
    const ragged = records.map((r, i) => ({ r, i })).filter(({ r, i }) => i > 0 && r.length !== header.length);
    if (ragged.length) {
      throw invalid(`history file ${file}: ${ragged.length} row(s) do not have the header's ${header.length} fields`, ragged.slice(0, 20).map(({ r, i }) => ({
        where: `row ${i}`,
        row: i,
        message: `has ${r.length} fields, the header has ${header.length}${r.length > header.length ? ' (a thousands separator or an unquoted comma in a value?)' : ''}`,
      })));
    }
    objects = records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  }
  if (objects.length === 0) throw invalid(`history file ${file} has no data rows`);
  const columns = Object.keys(objects[0]);
  const shape = historyColumns(columns);
  // skill_group may be left out in a file of one series (the --skill-group's)
  if (shape.required.some((c) => c !== 'skill_group' && !columns.includes(c))) {
    // named as the file spells them: "interval start" is not what the planner will search the file for
    throw invalid(`history file ${file} needs the columns ${HISTORY_SHAPES}; its columns are ${written.map((c) => `"${c}"`).join(',')}`);
  }
  // Exports carry more than the forecast reads (offered, handled, abandoned…): those columns are left
  // out, said once, instead of every row being refused for them.
  const extra = columns.filter((c) => !shape.known.has(c));
  if (extra.length === 0) return objects;
  // volume in a per-call log is not an export's extra column: each row would be counted as one call whatever its volume
  const intervalColumn = shape.perCall ? extra.find((c) => c === 'volume' || c === 'aht_seconds') : undefined;
  if (intervalColumn !== undefined) {
    const spelled = written.find((w) => w.toLowerCase() === intervalColumn) ?? intervalColumn;
    const message = intervalColumnInPerCallLog(spelled);
    throw invalid(`history file ${file}: ${message}`, [{ where: isJsonFile(file) ? `${file}#/0` : 'row 0', ...(isJsonFile(file) ? {} : { row: 0 }), message }]);
  }
  process.stderr.write(`wfm: ${file}: column(s) ${terminalSafe(extra.join(', '))} ignored (${reader} reads ${[...shape.known].join(', ')}${shape.perCall ? ' of a per-call log' : ''}${uploadNote})\n`);
  return objects.map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => shape.known.has(k))));
}

/** The notes of an ingestion's summary (repeated rows, a per-call log), on stderr, each naming the file and group. */
export function writeIngestNotes(file: string, summary: readonly SkillGroupSummary[]): void {
  for (const s of summary) for (const note of s.notes ?? []) process.stderr.write(`wfm: ${terminalSafe(file)}: skill group ${terminalSafe(s.skillGroupId)}: ${note}\n`);
}

/**
 * A history file (CSV, or JSON by extension), validated and aggregated exactly like an upload; `reader`
 * names the command in the note on columns it leaves out ("the plan reads …").
 */
export function loadHistory(
  file: string,
  skillGroups: SkillGroup[],
  reader: string,
  granularityMinutes?: number,
): { intervals: IntervalVolume[]; summary: SkillGroupSummary[] } {
  return ingestHistoryFile(file, historyBatch(file, readText(file), reader), skillGroups, granularityMinutes);
}

/**
 * A history file as the CLI's commands read it. An export with more columns than the history's (offered,
 * handled…) is read as `wfm forecast` reads it, those columns left out with a note (`uploadNote` added to
 * it); otherwise the upload's own path, exactly as the API. A header that lacks a required column keeps
 * the upload's path too: its check names every unknown and missing column at once.
 */
export function historyBatch(file: string, text: string, reader: string, uploadNote = ''): HistoryBatch {
  if (isJsonFile(file)) return jsonHasExtraKeys(text) ? { rows: historyObjects(text, file, reader, uploadNote) } : { json: text };
  return hasExtraColumns(text) ? { rows: historyObjects(text, file, reader, uploadNote) } : { csv: text };
}

/** Rows of `file` ingested as an upload would be; an error names the file and how its rows are counted. */
export function ingestHistoryFile(file: string, batch: HistoryBatch, skillGroups: SkillGroup[], granularityMinutes?: number): { intervals: IntervalVolume[]; summary: SkillGroupSummary[] } {
  try {
    const result = ingestHistoryOrThrow(batch, skillGroupsById(skillGroups), { granularityMinutes });
    writeIngestNotes(file, result.summary);
    return result;
  } catch (err) {
    throw isWfmError(err) ? inHistoryFile(err, file) : err;
  }
}

function hasExtraColumns(csv: string): boolean {
  const end = csv.indexOf('\n');
  const header = (splitCsv(end < 0 ? csv : csv.slice(0, end))[0] ?? []).map((h) => h.trim().toLowerCase().replace(/^\uFEFF/, ''));
  const shape = historyColumns(header);
  return header.some((h) => h !== '' && !shape.known.has(h)) && shape.required.every((c) => header.includes(c));
}

/** A JSON array of row objects some of which have keys beyond the history's own (and all the required ones). */
function jsonHasExtraKeys(json: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return false; // the upload's path says what is wrong with it
  }
  if (!Array.isArray(value) || value.some((o) => typeof o !== 'object' || o === null || Array.isArray(o))) return false;
  const rows = value as Record<string, unknown>[];
  const shape = historyColumns(Object.keys(rows[0] ?? {}));
  return rows.some((o) => Object.keys(o).some((k) => !shape.known.has(k))) && rows.every((o) => shape.required.every((c) => c in o));
}

/**
 * A roster.csv of other periods (`agent_id,date,start,end,skill_group,breaks,break_kinds`, as `wfm plan`
 * and the API write it, or the six columns before break_kinds: that exact header, times with their offsets) as shifts the agents already work: the plan holds
 * rest and runs of working days against them, the ones that reach into the period count in its coverage,
 * and those of the fortnight before count towards each agent's weekend and late shares (rotation), late by
 * the shift's kind (shiftKindOf). `templates`: the plan's (--templates, else the defaults). Every problem
 * names the file's row.
 */
export function loadRosterShifts(file: string, skillGroups: SkillGroup[], templates: ShiftTemplate[] = DEFAULT_TEMPLATES): AssignedShift[] {
  const { shifts, problems } = parseRosterCsv(readText(file), { name: file, skillGroups: new Set(skillGroups.map((g) => g.id)), exactHeader: true });
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems.slice(0, 100));
  const groups = skillGroupsById(skillGroups);
  return shifts.map((s) => ({
    id: `previous-${s.line}`,
    agentId: s.agentId,
    skillGroupId: s.skillGroupId,
    templateId: 'previous',
    kind: shiftKindOf(s, groups.get(s.skillGroupId)!, templates),
    date: s.date,
    start: s.start,
    end: s.end,
    // the file's break_kinds; a file written before that column: guessed by length (a meal lasts 30 min or more)
    breaks: s.breaks.map((b) => ({ ...b, kind: b.kind ?? (b.end - b.start >= 30 * 60_000 ? ('meal' as const) : ('short' as const)) })),
  }));
}

/**
 * The kind of a roster.csv shift, which the file has no column for. A REST build counts a published shift's
 * late share by its template's kind, so the kind is read from the template the shift fits — its length, and
 * its start on the template's start grid and window on its skill group's clock, as the LP places it: the
 * default 4-hour "mid" shift starting 12:00–13:00 is a day shift, though it starts in the afternoon; guessed
 * from the hour, it was counted late, and the same roster.csv rotated late shifts differently in the CLI
 * and over REST. Only a shift no template fits (another template set, a row typed by hand) has its kind
 * guessed from the start hour as written (on its offset's clock); where templates of different kinds fit
 * (overlapping windows of a --templates file), the guessed kind if one of them has it, else the first's.
 */
function shiftKindOf(shift: { start: number; end: number; startText: string }, group: SkillGroup, templates: ShiftTemplate[]): ShiftKind {
  const hour = Number(shift.startText.slice(11, 13));
  const guess: ShiftKind = hour < 9 ? 'early' : hour < 12 ? 'day' : hour < 20 ? 'late' : 'night';
  const local = DateTime.fromMillis(shift.start, { zone: group.timeZone });
  const minuteOfDay = local.hour * 60 + local.minute;
  const fitting = templatesFor(templates, group).filter(
    (t) => t.lengthMinutes * 60_000 === shift.end - shift.start && local.second === 0 && allowedStartMinutes(t).includes(minuteOfDay),
  );
  if (fitting.length === 0) return guess;
  return fitting.some((t) => t.kind === guess) ? guess : fitting[0].kind;
}

/**
 * The earliest and latest of the instants, by a loop: Math.min(...instants) passes one argument per
 * stack slot and overflows the stack past ~100k (a call log of a few weeks).
 */
export function extent(instants: readonly number[]): { first: number; last: number } | undefined {
  if (instants.length === 0) return undefined;
  let first = instants[0];
  let last = instants[0];
  for (const t of instants) (first = Math.min(first, t)), (last = Math.max(last, t));
  return { first, last };
}

/** What `--history` reads, for the commands' help: the shapes history ingestion takes (as import-check names them). */
export const HISTORY_FILE_HELP =
  'CSV interval_start,skill_group,volume[,aht_seconds] (skill_group may be left out in a file of one series), a per-call log arrival,skill_group[,handle_seconds] (summed into intervals), or a JSON array of interval rows (.json)';
