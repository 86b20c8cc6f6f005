/**
 * History ingestion: a batch of interval rows (CSV text, JSON text or parsed rows) → validated, gridded
 * IntervalVolume[] plus a per-skill-group summary, or the list of every bad row. All or nothing: one bad
 * row rejects the whole batch, so a store never holds half an upload.
 *
 * Rules: columns interval_start, skill_group, volume[, aht_seconds] (nothing else); timestamps ISO-8601
 * with an offset, or wall time in the group's zone (a DST-gap or repeated wall time is refused; another
 * form — DD.MM.YYYY, MM/DD/YYYY, epoch numbers — is refused in one problem naming the form seen); whole
 * minutes; volume finite and ≥ 0 (fractions kept); aht_seconds > 0 when present. Row granularity per
 * group = the largest divisor of its interval aligning ≥ 95 % of its rows (or the given one); rows off
 * that grid are refused. Same group and instant twice: identical rows collapse, differing rows are
 * refused, and the group's summary counts them (repeatedRows) and says so in a note: a per-call export
 * cut to the minute has one identical row per call, and collapsing them lost a third of the calls
 * without a word. Rows are summed into the group's intervals; AHT = volume-weighted mean of the rows
 * having it.
 *
 * A per-call log (columns arrival, skill_group[, handle_seconds]: the call log `wfm simulate --arrivals`
 * replays) is read too: each row is one call, seconds allowed, counted into the interval it arrived in;
 * the interval's AHT is the mean handle time of its calls that have one. The log is the complete record of
 * its span: every interval from its first call's to its last call's is written, 0 where no call arrived.
 * Rows coarser than the interval (hourly rows for a 30-minute group) cannot be told from timestamps and
 * land in the interval they start in.
 *
 * Pure and fast (100k rows in a few hundred ms): timestamps are parsed by a regex plus a cached zone
 * offset (ZoneClock); only text the fast path does not recognise goes through luxon (parseTimestamp).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { IntervalVolume, SkillGroup } from '../domain/types';
import { plural } from '../domain/plural';
import type { ProblemDetail } from '../errors/wfm-error';
import { invalid, pointerSegment, type WfmError } from '../errors/wfm-error';
import { inWeeklyWindows, parseTimestamp } from '../time/grid';
import { ZoneClock, ZoneClocks } from './zone-clock';

export const REQUIRED_COLUMNS = ['interval_start', 'skill_group', 'volume'] as const;
export const OPTIONAL_COLUMNS = ['aht_seconds'] as const;
/** A per-call log: one row per call (what `wfm simulate --arrivals` replays); told by its `arrival` column. */
export const PER_CALL_REQUIRED_COLUMNS = ['arrival', 'skill_group'] as const;
export const PER_CALL_OPTIONAL_COLUMNS = ['handle_seconds'] as const;

/** The columns a history file of this header is read by: interval totals, or one row per call. */
export function historyColumns(header: readonly string[]): { perCall: boolean; required: readonly string[]; known: ReadonlySet<string> } {
  const perCall = header.includes('arrival') && !header.includes('interval_start');
  const required: readonly string[] = perCall ? PER_CALL_REQUIRED_COLUMNS : REQUIRED_COLUMNS;
  const optional: readonly string[] = perCall ? PER_CALL_OPTIONAL_COLUMNS : OPTIONAL_COLUMNS;
  return { perCall, required, known: new Set([...required, ...optional]) };
}

/**
 * Why an interval column (volume, aht_seconds) in a per-call log is refused rather than left out: the file
 * is read as one call per row, and a volume of 3 on a row would be one call, silently.
 */
export function intervalColumnInPerCallLog(written: string): string {
  return `a per-call log (an arrival column) has one row per call, each row one call, and no "${written}" column — leave it out; an interval export's time column is interval_start, not arrival`;
}

/** The two shapes a history file may have, as messages name them. */
export const HISTORY_SHAPES = 'interval_start,skill_group,volume[,aht_seconds] (interval totals) or arrival,skill_group[,handle_seconds] (a per-call log, one row per call)';
const MINUTE_MS = 60_000; // local: an imported binding is a getter call per use in CommonJS

/** A row's granularity must align at least this share of a group's rows to be inferred. */
export const GRANULARITY_ALIGNED_SHARE = 0.95;

/** A coarser grid holding at least this share of the rows, and this many times its share by chance, means mixed rows. */
const MIXED_GRID_SHARE = 0.5;
const MIXED_GRID_EXCESS = 3;

/**
 * No contact center takes ten million contacts in one interval (the biggest take that in a month); a
 * value beyond is a unit or column mistake, and one 1e300 row would make every forecast of its weekday
 * infinite.
 */
export const MAX_INTERVAL_VOLUME = 10_000_000;

/** The longest span a per-call log may cover: its every interval is written (see the aggregation). */
const MAX_PER_CALL_SPAN_YEARS = 5;
const MAX_PER_CALL_SPAN_MS = MAX_PER_CALL_SPAN_YEARS * 366 * 24 * 3600_000;

/** Problems listed at most (a file of 100k bad rows must not produce a 100k-entry answer). */
export const MAX_PROBLEMS = 1000;

export type HistoryBatch =
  | { csv: string }
  | { json: string }
  /** already-parsed JSON rows: objects with the column names as keys */
  | { rows: unknown };

export interface IngestOptions {
  /** minutes between row timestamps; default: inferred per skill group */
  granularityMinutes?: number;
  /** stop listing problems after this many (the batch is rejected anyway); default MAX_PROBLEMS */
  maxProblems?: number;
  /**
   * A wall time of the repeated fall-back hour that only one row of the batch holds: 'reject' it (the
   * default: which pass it counts is unknown), or read it as the 'first-pass' (the CLI's forecasts and
   * backtests, which read exports that merge the repeated hour; the second pass is then missing data).
   * Held by two rows, such a wall time is always read by order: the first row is the first pass.
   */
  singleAmbiguousWallTime?: 'reject' | 'first-pass';
  /**
   * Rows that start after this instant are refused: history is what has happened, and a year typed
   * wrong (2027 for 2026) would otherwise sit in the store as the newest weeks, training and forecasting
   * from a future that has not come. The service passes its clock; the CLI reads files as they are.
   */
  notAfterMs?: number;
  /**
   * JSON rows are named by JSON pointer under this prefix ("/body" over HTTP: `/body/0/volume`, as the
   * contract's own checks name the body); without it, as CSV rows are (`row 1, volume`).
   */
  jsonPointer?: string;
}

export interface SkillGroupSummary {
  skillGroupId: string;
  /** data rows of the group (identical duplicates counted once; of a per-call log, its calls) */
  rows: number;
  /** rows that repeated another row exactly (same instant and values) and were counted once; only when any */
  repeatedRows?: number;
  /** what the reader should know of how the rows were read (repeated rows, a per-call log); only when any */
  notes?: string[];
  intervals: number;
  /** first/last interval start, ISO with the group's offset */
  first: string;
  last: string;
  firstMs: number;
  lastMs: number;
  totalVolume: number;
  /** minutes between the group's row timestamps (inferred or given) */
  rowGranularityMinutes: number;
  /** volume-weighted mean AHT over the rows that had one, to 0.01 s */
  meanAhtSeconds?: number;
  /** intervals inside the opening hours between first and last with no row; only when openingHours is set */
  missingIntervals?: number;
  /** the first few missing interval starts (ISO) */
  missingSample?: string[];
}

export type IngestResult =
  | { ok: true; intervals: IntervalVolume[]; summary: SkillGroupSummary[] }
  | { ok: false; problems: ProblemDetail[]; truncated: boolean };

interface RawRow {
  /** 1-based number among data rows */
  row: number;
  fields: Record<string, unknown>;
}

interface ParsedRow {
  row: number;
  epochMs: number;
  minuteOfDay: number;
  volume: number;
  aht: number | undefined;
  /** the calls `aht` is the mean of (default: volume); of a per-call log, the calls with a handle time */
  ahtWeight?: number;
}

interface GroupState {
  skillGroup: SkillGroup;
  clock: ZoneClock;
  rows: ParsedRow[];
  /** a per-call log's calls per interval start, summed as they are read */
  calls?: Map<number, { row: number; calls: number; handleSum: number; handled: number }>;
  /** identical rows counted once */
  repeated?: number;
}

/**
 * Interval starts with seconds in this many rows, the first rows of the batch among them, make one
 * problem that says the file looks like one row per call, instead of one "has seconds" per row.
 */
const PER_CALL_HINT_ROWS = 5;

/**
 * Where a row, or one field of it, is as a problem names it: in a file `row N` and `row N, <column>` (data
 * rows from 1, the header row 0), in a JSON body a pointer (see IngestOptions.jsonPointer).
 */
type Locate = (row: number, field?: string) => string;
const fileLocation: Locate = (row, field) => (field === undefined ? `row ${row}` : `row ${row}, ${field}`);
const pointerLocation = (base: string): Locate => (row, field) => `${base}/${row - 1}${field === undefined ? '' : `/${pointerSegment(field)}`}`;

class Problems {
  readonly list: ProblemDetail[] = [];
  truncated = false;
  constructor(private readonly max: number) {}
  add(row: number | undefined, where: string, message: string): void {
    if (this.list.length >= this.max) {
      this.truncated = true;
      return;
    }
    this.list.push(row === undefined ? { where, message } : { where, message, row });
  }
  get any(): boolean {
    return this.list.length > 0;
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading the batch into raw rows

/**
 * CSV text → records of trimmed fields, blank lines skipped. Text without any quote character is split
 * directly (3–4× faster than csv-parse on 100k rows, same records); quoted CSV goes through csv-parse.
 */
export function splitCsv(text: string): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const delimiter = csvDelimiter(body);
  let records: string[][];
  if (body.includes('"')) {
    try {
      records = (parseCsv(body, { delimiter, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][]).filter(
        (r) => !(r.length === 1 && r[0] === ''),
      );
    } catch (err) {
      throw csvProblem(body, err);
    }
  } else {
    records = [];
    for (const line of body.split('\n')) {
      if (line.trim() === '') continue;
      const fields = line.split(delimiter);
      for (let k = 0; k < fields.length; k++) fields[k] = fields[k].trim();
      records.push(fields);
    }
  }
  // Where the comma does not separate fields it is a decimal mark: "171,5" is 171.5. In such a file a dot
  // in a number is a thousands separator as often as a decimal mark ("1.310" seconds of handle time is
  // 1310 in a Spanish export, "1.234" calls 1234 in a Polish or Brazilian one): a dotted number is refused
  // by name rather than guessed when the file's numbers use decimal commas, and whatever they use when it
  // is grouped like thousands (1.234, 12.500, 1.000.000) — an export of whole counts has no decimal comma
  // to tell by, and read as a decimal such a count is a thousand times too small.
  if (delimiter !== ',') {
    const commaDecimals = records.some((record) => record.some((field) => DECIMAL_COMMA.test(field)));
    markDotNumbersAmbiguous(records, delimiter, commaDecimals);
    for (const record of records) for (let k = 0; k < record.length; k++) if (DECIMAL_COMMA.test(record[k])) record[k] = record[k].replace(',', '.');
  }
  return records;
}

/**
 * csv-parse's error names the line where it gave up — for a quote never closed, the end of the file. The
 * planner needs the row that opened it: the first line with an odd number of quotes (rows are numbered
 * as everywhere else: the header is row 0).
 */
function csvProblem(body: string, err: unknown): WfmError {
  const error = err as Error & { code?: string; lines?: number };
  const lines = body.split('\n');
  const unbalanced = error.code === 'CSV_QUOTE_NOT_CLOSED' ? lines.findIndex((line) => (line.match(/"/g)?.length ?? 0) % 2 === 1) : -1;
  const row = unbalanced >= 0 ? unbalanced : typeof error.lines === 'number' ? error.lines - 1 : undefined;
  const message = unbalanced >= 0 ? 'a quote opens here and is never closed' : error.message;
  return invalid(`not valid CSV: ${message}${row !== undefined ? ` (row ${row})` : ''}`, [{ where: row !== undefined ? `row ${row}` : 'file', message, ...(row !== undefined ? { row } : {}) }]);
}

/**
 * Between a cell and why it cannot be read as a number (markDotNumbersAmbiguous): the cell stays a
 * non-number on every path (CSV, or rows handed over by the CLI), and the message quotes the cell as
 * written with the explanation after it (quotedCell), not inside the quotes as if the file held it.
 */
const AMBIGUOUS = '\u0000';

/**
 * A cell as a message quotes it: `"1.234"`, for an ambiguous number `"1.234" (ambiguous: …)`, and for a
 * number written with a comma what to write instead: a quoted "4,800" in a comma-separated file (or a
 * JSON string) is a thousands grouping as a spreadsheet formats counts, and "not a finite number" alone
 * left the planner to guess why.
 */
function quotedCell(value: unknown): string {
  const text = String(value);
  const at = text.indexOf(AMBIGUOUS);
  if (at >= 0) return `"${text.slice(0, at)}" (ambiguous: ${text.slice(at + 1)})`;
  const trimmed = text.trim();
  if (THOUSANDS_GROUPED_COMMA.test(trimmed)) return `"${text}" (a comma separating thousands: write ${trimmed.replaceAll(',', '')}, without the separator)`;
  if (DECIMAL_COMMA.test(trimmed)) return `"${text}" (a decimal comma: write ${trimmed.replace(',', '.')}, with a dot)`;
  return `"${text}"`;
}

const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
const DECIMAL_DOT = /^[+-]?\d+\.\d+$/;
/** 1.234, 12.500, 1.000.000: a dot where a thousands separator stands (0.500 is no thousands grouping). */
const THOUSANDS_GROUPED = /^[+-]?[1-9]\d{0,2}(\.\d{3})+$/;
/** 4,800, 1,234,567.5: commas where a thousands separator stands, a decimal dot allowed after them. */
const THOUSANDS_GROUPED_COMMA = /^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$/;

/**
 * In the number columns of a `;`- or tab-separated file, a dotted number that may be a thousands grouping
 * becomes an explained non-number (the row is then refused with it): any dotted number when the file's
 * decimal mark is a comma, else one grouped like thousands ("1.234"; "185.5" is read as the decimal it is).
 */
function markDotNumbersAmbiguous(records: string[][], delimiter: ';' | '\t', commaDecimals: boolean): void {
  const header = records[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const columns = ['volume', 'aht_seconds', 'handle_seconds'].map((name) => header.indexOf(name)).filter((k) => k >= 0);
  const separated = delimiter === ';' ? 'semicolon' : 'tab';
  for (let r = 1; r < records.length; r++) {
    for (const k of columns) {
      const field = records[r][k];
      if (field === undefined) continue;
      if (commaDecimals && DECIMAL_DOT.test(field)) records[r][k] = `${field}${AMBIGUOUS}the file's decimal mark is a comma, is the dot a thousands separator? write the number without it`;
      else if (THOUSANDS_GROUPED.test(field)) {
        const whole = field.replaceAll('.', '');
        const hint = field.indexOf('.') === field.lastIndexOf('.') ? `write ${whole} if the dot separates thousands, or ${field.replace('.', ',')} if it is a decimal mark` : `write ${whole}, without thousands separators`;
        records[r][k] = `${field}${AMBIGUOUS}in a ${separated}-separated file a dot may separate thousands: ${hint}`;
      }
    }
  }
}

/**
 * The field separator, read from the header line: a comma, else a semicolon (spreadsheets in locales
 * whose decimal mark is a comma export "interval_start;skill_group;volume"), else a tab.
 */
function csvDelimiter(text: string): ',' | ';' | '\t' {
  const end = text.indexOf('\n');
  const header = end < 0 ? text : text.slice(0, end);
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  return header.includes('\t') ? '\t' : ',';
}

function rowsFromCsv(text: string, problems: Problems): RawRow[] {
  let records: string[][];
  try {
    records = splitCsv(text);
  } catch (err) {
    const detail = (err as WfmError).details?.[0];
    problems.add(detail?.row, detail?.where ?? 'file', (err as Error).message);
    return [];
  }
  if (records.length === 0) {
    problems.add(undefined, 'file', `empty file: a header ${REQUIRED_COLUMNS.join(',')}[,aht_seconds] is required`);
    return [];
  }
  const header = records[0].map((h) => h.toLowerCase());
  if (!checkColumns(header, 0, fileLocation(0), problems, records[0], historyColumns(header))) return [];
  const rows: RawRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const record = records[i];
    const inner = innerHeaderProblem(header, record);
    if (inner !== undefined) {
      // every row after it would be "has 3 fields, the header has 4": one problem says what the file is
      problems.add(i, fileLocation(i), inner);
      break;
    }
    if (record.length !== header.length) {
      problems.add(i, fileLocation(i), `has ${record.length} fields, the header has ${header.length}`);
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (let c = 0; c < header.length; c++) fields[header[c]] = record[c];
    rows.push({ row: i, fields });
  }
  return rows;
}

/**
 * Why a line inside a CSV file is a header too, or undefined when it is not one (every field a column name
 * of a history file, a time column among them): two exports concatenated — of one shape (the second
 * header repeated) or of both (interval totals and a per-call log), which must be sent as two files.
 */
export function innerHeaderProblem(header: readonly string[], record: readonly string[]): string | undefined {
  const names = record.map((f) => f.trim().toLowerCase());
  const allColumns = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS, ...PER_CALL_REQUIRED_COLUMNS, ...PER_CALL_OPTIONAL_COLUMNS]);
  if (!names.every((n) => allColumns.has(n)) || !(names.includes('interval_start') || names.includes('arrival'))) return undefined;
  const line = record.join(',');
  if (historyColumns(names).perCall === historyColumns(header).perCall) {
    return `the header line again (${line}): two exports appended one to the other — remove this line (or send them as two files)`;
  }
  const kinds = (perCall: boolean) => (perCall ? 'a per-call log' : 'interval totals');
  return `a second header line (${line}): the file mixes two shapes, ${kinds(historyColumns(header).perCall)} above this line and ${kinds(historyColumns(names).perCall)} from it — send them as two files`;
}

function rowsFromJson(value: unknown, problems: Problems, locate: Locate, root: string): RawRow[] {
  if (!Array.isArray(value)) {
    problems.add(undefined, root, 'expected a JSON array of rows {interval_start, skill_group, volume, aht_seconds?}');
    return [];
  }
  // the first row's keys tell the shape (interval totals or a per-call log), as a CSV header does
  const first: unknown = value[0];
  const shape = historyColumns(first !== null && typeof first === 'object' && !Array.isArray(first) ? Object.keys(first) : []);
  const rows: RawRow[] = [];
  value.forEach((item, index) => {
    const row = index + 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.add(row, locate(row), 'not an object');
      return;
    }
    if (checkColumns(Object.keys(item), row, locate(row), problems, Object.keys(item), shape)) rows.push({ row, fields: item as Record<string, unknown> });
  });
  return rows;
}

/** `written`: the names as the file spells them (a header is matched in lower case, named as written). */
function checkColumns(columns: string[], row: number | undefined, where: string, problems: Problems, written: readonly string[] = columns, shape = historyColumns(columns)): boolean {
  let ok = true;
  const seen = new Set<string>();
  for (const [k, column] of columns.entries()) {
    if (!shape.known.has(column)) {
      const allowed = shape.perCall ? `a per-call log has ${[...shape.known].join(', ')}` : `allowed: ${[...shape.known].join(', ')}; or a per-call log: arrival, skill_group, handle_seconds`;
      const intervalColumn = shape.perCall && (OPTIONAL_COLUMNS as readonly string[]).concat(REQUIRED_COLUMNS).includes(column);
      problems.add(row, where, `unknown column "${written[k]}" (${allowed})${intervalColumn ? `: ${intervalColumnInPerCallLog(written[k])}` : ''}`);
      ok = false;
    } else if (seen.has(column)) {
      problems.add(row, where, `column "${written[k]}" appears twice`);
      ok = false;
    }
    seen.add(column);
  }
  for (const column of shape.required) {
    if (!seen.has(column)) {
      problems.add(row, where, `missing column "${column}"`);
      ok = false;
    }
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------------
// Field parsing

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A number from a JSON number or a decimal string; undefined when absent (empty), NaN when malformed. */
function numberField(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return undefined;
    return DECIMAL.test(text) ? Number(text) : NaN;
  }
  return NaN;
}

type TimestampResult = { ok: true; epochMs: number } | { ok: false; reason: string };

const CHAR_0 = 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits text[at..at+length) as a number, or -1 when any is not a digit (no allocation). */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let k = at; k < at + length; k++) {
    const d = text.charCodeAt(k) - CHAR_0;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The instants of timestamps read as the ingestion reads them, on `zone`'s clock for wall times; text it
 * cannot read (or a wall time of the repeated hour, which only the whole batch can place) is left out.
 * For a look at a file's grid before it is ingested (historyGrid): 100k rows in about 0.15 s.
 */
export function instantsOf(texts: readonly string[], zone: string): number[] {
  const clock = new ZoneClock(zone);
  const instants: number[] = [];
  for (const text of texts) {
    const parsed = parseInstant(text.trim(), clock);
    if (parsed.ok) instants.push(parsed.epochMs);
  }
  return instants;
}

/**
 * The fast path of parseTimestamp (grid.ts) for the common fixed-width shapes "YYYY-MM-DDTHH:mm",
 * "…:ss" (or a space for the T), each optionally followed by "Z" or "±HH:MM" (none = wall time in the
 * zone). It reads digits in place: a regex and a Date per row would make 100k rows spend most of their
 * time collecting garbage. Anything else, and every rejection, goes through parseTimestamp itself, so the accepted set
 * and the reasons are grid.ts's — except a day the calendar lacks, which luxon calls a format error.
 */
function parseInstant(text: string, clock: ZoneClock): TimestampResult {
  const fast = parseInstantFast(text, clock);
  if (!Number.isNaN(fast)) return { ok: true, epochMs: fast };
  const parsed = parseTimestamp(text, clock.zoneName);
  if (parsed.ok) return parsed;
  const impossible = impossibleCalendarDate(text);
  return impossible ? { ok: false, reason: impossible } : parsed;
}

/**
 * "2026-02-30 is not a calendar date" when `text` begins with a well-formed YYYY-MM-DD that no calendar
 * has (Feb 30, month 13), else undefined. Luxon reports such a day as "not an ISO-8601 timestamp", which
 * sends the reader to check the format when the date itself is what is wrong.
 */
export function impossibleCalendarDate(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?!\d)/.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number);
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month >= 1 && month <= 12 ? DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0) : 0;
  return day >= 1 && day <= daysInMonth ? undefined : `${match[0]} is not a calendar date`;
}

function parseInstantFast(text: string, clock: ZoneClock): number {
  const n = text.length;
  if (n < 16 || text[4] !== '-' || text[7] !== '-' || (text[10] !== 'T' && text[10] !== ' ') || text[13] !== ':') return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  let at = 16;
  let second = 0;
  if (n > at && text[at] === ':') {
    second = digits(text, at + 1, 2);
    at += 3;
  }
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return NaN;
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (at === n) {
    const resolved = clock.resolveLocal(wallAsUtc);
    return resolved.kind === 'ok' ? resolved.epochMs : NaN;
  }
  if (at + 1 === n && (text[at] === 'Z' || text[at] === 'z')) return wallAsUtc;
  if (at + 6 === n && (text[at] === '+' || text[at] === '-') && text[at + 3] === ':') {
    const offsetHours = digits(text, at + 1, 2);
    const offsetMinutes = digits(text, at + 4, 2);
    if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) return NaN;
    const sign = text[at] === '-' ? -1 : 1;
    return wallAsUtc - sign * (offsetHours * 60 + offsetMinutes) * MINUTE_MS;
  }
  return NaN;
}

/** A wall time without offset that names two instants (the repeated fall-back hour), or undefined. */
function repeatedWallTime(text: string, clock: ZoneClock): { wallAsUtc: number; earlier: number; later: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((v) => Number(v ?? 0));
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const resolved = clock.resolveLocal(wallAsUtc);
  return resolved.kind === 'ambiguous' ? { wallAsUtc, earlier: resolved.earlier, later: resolved.later } : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Timestamps in a form the ingestion does not read

/**
 * Rows whose time column is not ISO-8601 at all (another country's date order, epoch numbers) are said in
 * one problem naming the form seen and the forms read, and listed by row up to this many: a file of them
 * gave a thousand "not an ISO-8601 timestamp" lines and never said what would be read.
 */
export const UNREADABLE_TIMESTAMPS_LISTED = 5;

/** luxon's (grid.ts) reason for text that is no ISO-8601 at all, as opposed to a DST gap or an impossible day. */
const NOT_ISO = 'not an ISO-8601 timestamp';

/** A time column's text the ingestion could not read as a timestamp of any accepted form. */
interface UnreadableTimestamp {
  row: number;
  text: string;
  clock: ZoneClock;
}

const DAY_MONTH_YEAR = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:(?:[ T]|,\s*)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?$/;
const YEAR_SLASH_MONTH_DAY = /^(\d{4})[./](\d{1,2})[./](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const EPOCH_SECONDS = /^\d{9,10}(\.\d+)?$/;
const EPOCH_MILLISECONDS = /^\d{12,13}$/;
/** Days since 1899-12-30 with a fraction of a day: a spreadsheet cell formatted as a number (45627.5 is 2024-12-01 12:00). */
const SPREADSHEET_SERIAL = /^\d{5}(\.\d+)?$/;

const pad2 = (n: number | string): string => String(n).padStart(2, '0');

/** "Y-M-D HH:mm[:ss]" from parts, the hour from a 12-hour clock when `meridiem` is AM/PM. */
function isoWallTime(year: string, month: string, day: string, hour?: string, minute?: string, second?: string, meridiem?: string): string {
  const date = `${year}-${pad2(month)}-${pad2(day)}`;
  if (hour === undefined) return `${date} 00:00`;
  let h = Number(hour);
  if (meridiem) h = (h % 12) + (meridiem[0].toLowerCase() === 'p' ? 12 : 0);
  return `${date} ${pad2(h)}:${minute}${second ? `:${second}` : ''}`;
}

/**
 * What the unreadable timestamps look like, as a message says it: the form seen in the first of them,
 * and that first one written in a form the ingestion reads. Slash dates tell their order by a part over
 * 12 in any row (13/01 is day first, 01/13 month first), else by AM/PM (the US writes MM/DD with a
 * 12-hour clock), else the message gives both readings. Undefined for a form not recognised.
 */
export function foreignTimestampForm(texts: readonly string[], clock: ZoneClock): string | undefined {
  const first = texts[0];
  const dmy = DAY_MONTH_YEAR.exec(first);
  if (dmy) {
    const [, a, separator, b, year, hour, minute, second, meridiem] = dmy;
    const ss = second === undefined ? '' : ':ss';
    const clockPart = hour === undefined ? '' : meridiem ? ` hh:mm${ss} AM/PM (a 12-hour clock)` : ` HH:mm${ss}`;
    if (separator === '.') return `DD.MM.YYYY${clockPart}, day first: "${first}" is ${isoWallTime(year, b, a, hour, minute, second, meridiem)}`;
    let dayFirst = false;
    let monthFirst = false;
    for (const text of texts) {
      const m = DAY_MONTH_YEAR.exec(text);
      if (!m) continue;
      if (Number(m[1]) > 12) dayFirst = true;
      if (Number(m[3]) > 12) monthFirst = true;
    }
    const s = separator;
    if (monthFirst && !dayFirst) return `MM${s}DD${s}YYYY${clockPart}, month first (US): "${first}" is ${isoWallTime(year, a, b, hour, minute, second, meridiem)}`;
    if (dayFirst && !monthFirst) return `DD${s}MM${s}YYYY${clockPart}, day first: "${first}" is ${isoWallTime(year, b, a, hour, minute, second, meridiem)}`;
    if (meridiem && !dayFirst) return `MM${s}DD${s}YYYY${clockPart}, month first as US dates with AM/PM are: "${first}" is ${isoWallTime(year, a, b, hour, minute, second, meridiem)}`;
    return `DD${s}MM${s}YYYY or MM${s}DD${s}YYYY${clockPart} (no row tells which comes first): "${first}" is ${isoWallTime(year, b, a, hour, minute, second, meridiem)} if the day comes first, ${isoWallTime(year, a, b, hour, minute, second, meridiem)} if the month does`;
  }
  const ymd = YEAR_SLASH_MONTH_DAY.exec(first);
  if (ymd) {
    const [, year, month, day, hour, minute, second] = ymd;
    return `YYYY${first[4]}MM${first[4]}DD: "${first}" is ${isoWallTime(year, month, day, hour, minute, second)}`;
  }
  if (EPOCH_SECONDS.test(first)) return `Unix epoch seconds: ${first} is ${clock.format(Math.round(Number(first) * 1000))}`;
  if (EPOCH_MILLISECONDS.test(first)) return `Unix epoch milliseconds: ${first} is ${clock.format(Number(first))}`;
  if (SPREADSHEET_SERIAL.test(first)) {
    const wall = new Date(Date.UTC(1899, 11, 30) + Math.round(Number(first) * 1440) * MINUTE_MS).toISOString();
    return `a spreadsheet day number (the cell formatted as a number, not a date): ${first} is ${wall.slice(0, 10)} ${wall.slice(11, 16)}`;
  }
  return undefined;
}

/**
 * The problems of rows whose `column` is not a timestamp of an accepted form: one at the first row saying
 * how many, the form they look like and the forms read, then the next few rows by name (an upload's
 * answer must still point at rows), the rest counted.
 */
function unreadableTimestampProblems(unreadable: readonly UnreadableTimestamp[], rowsTotal: number, column: string, locate: Locate, problems: Problems): void {
  if (unreadable.length === 0) return;
  const [first] = unreadable;
  const n = unreadable.length;
  const form = foreignTimestampForm(unreadable.map((u) => u.text), first.clock);
  const listed = Math.min(n, UNREADABLE_TIMESTAMPS_LISTED);
  const message =
    `${NOT_ISO}: "${first.text}"` +
    (n > 1 ? `, and neither are ${n - 1} more rows' ${column} (${n} of ${rowsTotal} rows)` : '') +
    (form ? `; ${n > 1 ? 'they look like' : 'it looks like'} ${form}` : '') +
    `. Accepted: ISO-8601 with a UTC offset, e.g. 2024-12-01T00:00:00+01:00 (Z for UTC), or a local time without one, e.g. 2024-12-01 00:00 (a T or a space between date and time), ` +
    `read on the skill group's clock (${first.clock.zoneName}; --tz on the command line)` +
    (n > listed ? `; the first ${listed} such rows are listed, ${n - listed} more are not` : '');
  problems.add(first.row, locate(first.row, column), message);
  for (const u of unreadable.slice(1, listed)) problems.add(u.row, locate(u.row, column), `${NOT_ISO}: "${u.text}" (see the first such row)`);
}

// ---------------------------------------------------------------------------------------------------
// The ingestion

/** Divisors of the interval, largest first: the candidate row granularities. */
export function divisorsDescending(intervalMinutes: number): number[] {
  const out: number[] = [];
  for (let d = intervalMinutes; d >= 1; d--) if (intervalMinutes % d === 0) out.push(d);
  return out;
}

/** Below this many rows a batch may be on a coarse grid by chance (one row, a sparse queue's hour). */
const COARSE_CHECK_MIN_ROWS = 24;

/**
 * The grid of a batch whose rows are all coarser than the interval (hourly counts for a 30-minute
 * group), or undefined. Read as intervals they would put each hour's calls in its first half hour.
 */
function coarserSpacing(rows: readonly ParsedRow[], intervalMinutes: number): number | undefined {
  if (rows.length < COARSE_CHECK_MIN_ROWS) return undefined;
  let spacing = 0;
  for (const r of rows) {
    spacing = greatestCommonDivisor(spacing, r.minuteOfDay);
    if (spacing !== 0 && spacing <= intervalMinutes) return undefined;
  }
  if (spacing === 0) spacing = 24 * 60; // every row at midnight: daily counts
  return spacing % intervalMinutes === 0 ? spacing : undefined;
}

/**
 * Rows finer than the interval are read as parts of it, and an upload replaces every interval it
 * touches: rows that never share an interval (one stray 08:07 row, say) would each replace a whole
 * interval of stored history with one part of it. Finer rows that really are finer data share intervals.
 */
function someIntervalHoldsTwoRows(rows: readonly ParsedRow[], intervalOf: (epochMs: number) => number): boolean {
  const seen = new Map<number, number>();
  for (const r of rows) {
    const interval = intervalOf(r.epochMs);
    const first = seen.get(interval);
    if (first !== undefined && first !== r.epochMs) return true;
    seen.set(interval, r.epochMs);
  }
  return false;
}

export function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The rows' grid: the longest of `steps` (longest first: the divisors of a group's interval for an
 * upload, of the day for `wfm forecast`) that at least GRANULARITY_ALIGNED_SHARE of the rows' minutes of
 * day sit on; 1 when none. Not the step every row sits on: one stray row at 15:37 would make half-hour
 * data 1-minute data; read at the rows' grid, the stray row is refused by name.
 */
export function alignedGrid(minutesOfDay: readonly number[], steps: readonly number[]): number {
  return steps.find((step) => alignedShare(minutesOfDay, step) >= GRANULARITY_ALIGNED_SHARE) ?? 1;
}

function alignedShare(minutesOfDay: readonly number[], step: number): number {
  let aligned = 0;
  for (const m of minutesOfDay) if (m % step === 0) aligned++;
  return minutesOfDay.length ? aligned / minutesOfDay.length : 1;
}

/**
 * A coarser grid that holds far more of the rows than `granularity`-minute rows would put on it by chance
 * (about granularity / d of them), or undefined. 90 % of the rows on the half hours and 10 % at other
 * minutes is a file of 30-minute totals with finer rows mixed in, not 1-minute data: read as 1-minute
 * counts, each half hour's total would be summed with the finer rows of the same calls.
 */
function mixedGrid(minutesOfDay: readonly number[], granularity: number, intervalMinutes: number): { minutes: number; share: number } | undefined {
  if (minutesOfDay.length < COARSE_CHECK_MIN_ROWS) return undefined;
  for (const d of divisorsDescending(intervalMinutes)) {
    if (d <= granularity || d % granularity !== 0) continue;
    const share = alignedShare(minutesOfDay, d);
    if (share >= MIXED_GRID_SHARE && share >= MIXED_GRID_EXCESS * (granularity / d)) return { minutes: d, share };
  }
  return undefined;
}

export function ingestHistory(
  batch: HistoryBatch,
  skillGroups: ReadonlyMap<string, SkillGroup>,
  options: IngestOptions = {},
): IngestResult {
  const problems = new Problems(options.maxProblems ?? MAX_PROBLEMS);
  const locate = !('csv' in batch) && options.jsonPointer !== undefined ? pointerLocation(options.jsonPointer) : fileLocation;
  const root = options.jsonPointer || '/';

  let raw: RawRow[];
  if ('csv' in batch) raw = rowsFromCsv(batch.csv, problems);
  else if ('json' in batch) {
    let value: unknown;
    try {
      value = JSON.parse(batch.json);
    } catch (err) {
      problems.add(undefined, 'file', `not valid JSON: ${(err as Error).message}`);
      value = [];
    }
    raw = rowsFromJson(value, problems, locate, root);
  } else raw = rowsFromJson(batch.rows, problems, locate, root);

  if (raw.length === 0 && !problems.any) {
    // An empty upload is almost always a wrong file or an export that failed: say so instead of storing nothing.
    problems.add(undefined, 'file', 'no data rows');
  }

  const explicit = options.granularityMinutes;
  if (explicit !== undefined && !(Number.isInteger(explicit) && explicit > 0)) {
    problems.add(undefined, 'granularity', `granularity must be a positive whole number of minutes, got ${explicit}`);
  }

  // Fields of every row.
  const clocks = new ZoneClocks();
  const groups = new Map<string, GroupState>();
  const repeatedRows = new Map<string, { group: GroupState; row: number; text: string; earlier: number; later: number; volume: number; aht: number | undefined }[]>();
  const perCall = raw.length > 0 && historyColumns(Object.keys(raw[0].fields)).perCall;
  /** time-column text in no accepted form: said together after the rows are read (unreadableTimestampProblems) */
  const unreadable: UnreadableTimestamp[] = [];
  /** A JSON number in a time column is an epoch, not a missing value: its text is judged as the CSV's would be. */
  const timeText = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');
  /** One call of a per-call log, counted into the interval it arrived in. */
  const readCall = (row: number, fields: Record<string, unknown>, group: GroupState | undefined): void => {
    const handle = numberField(fields.handle_seconds);
    const handleOk = handle === undefined || (Number.isFinite(handle) && handle >= 0);
    if (!handleOk) problems.add(row, locate(row, 'handle_seconds'), `handle_seconds must be a number of seconds (0 or more) when present, got ${quotedCell(fields.handle_seconds)}`);
    const text = timeText(fields.arrival);
    if (text === '') {
      problems.add(row, locate(row, 'arrival'), 'arrival is missing');
      return;
    }
    if (!group) return; // the zone is unknown without the group: the row is already rejected
    let epochMs: number;
    const parsed = parseInstant(text, group.clock);
    if (parsed.ok) epochMs = parsed.epochMs;
    else {
      // a call log's order does not tell the passes of a repeated hour apart (calls of both are many)
      const repeated = repeatedWallTime(text, group.clock);
      if (repeated && options.singleAmbiguousWallTime === 'first-pass') epochMs = repeated.earlier;
      else if (!repeated && parsed.reason.startsWith(NOT_ISO)) {
        unreadable.push({ row, text, clock: group.clock });
        return;
      } else {
        problems.add(row, locate(row, 'arrival'), repeated ? `local time ${text} occurs twice in ${group.skillGroup.timeZone} (DST fall-back): give the arrivals their UTC offset` : parsed.reason);
        return;
      }
    }
    if (options.notAfterMs !== undefined && epochMs > options.notAfterMs) {
      const clockReads = group.clock.format(Math.floor(options.notAfterMs / MINUTE_MS) * MINUTE_MS);
      problems.add(row, locate(row, 'arrival'), `${text} has not happened yet (the service clock reads ${clockReads}): history holds past calls only`);
      return;
    }
    if (!handleOk) return;
    const start = group.clock.intervalStartOf(epochMs, group.skillGroup.intervalMinutes);
    const calls = (group.calls ??= new Map());
    let cell = calls.get(start);
    if (!cell) calls.set(start, (cell = { row, calls: 0, handleSum: 0, handled: 0 }));
    cell.calls++;
    // a handle time of 0 is a call not handled (abandoned), as a call log without one
    if (handle !== undefined && handle > 0) {
      cell.handleSum += handle;
      cell.handled++;
    }
  };
  const secondsRows: { row: number; text: string }[] = [];
  let timestampsRead = 0;
  for (const { row, fields } of raw) {
    const groupId = typeof fields.skill_group === 'string' ? fields.skill_group.trim() : fields.skill_group;
    let group: GroupState | undefined;
    if (groupId === undefined || groupId === null || groupId === '') {
      problems.add(row, locate(row, 'skill_group'), 'skill_group is missing');
    } else if (typeof groupId !== 'string') {
      problems.add(row, locate(row, 'skill_group'), `skill_group must be text, got ${JSON.stringify(groupId)}`);
    } else {
      group = groups.get(groupId);
      if (!group) {
        const skillGroup = skillGroups.get(groupId);
        if (skillGroup) {
          group = { skillGroup, clock: clocks.get(skillGroup.timeZone), rows: [] };
          groups.set(groupId, group);
        } else problems.add(row, locate(row, 'skill_group'), `unknown skill group "${groupId}"`);
      }
    }
    if (perCall) {
      readCall(row, fields, group);
      continue;
    }

    const volume = numberField(fields.volume);
    let volumeOk = false;
    if (volume === undefined) problems.add(row, locate(row, 'volume'), 'volume is missing');
    else if (!Number.isFinite(volume)) problems.add(row, locate(row, 'volume'), `volume is not a finite number: ${quotedCell(fields.volume)}`);
    else if (volume < 0) problems.add(row, locate(row, 'volume'), `volume is negative: ${volume}`);
    else if (volume > MAX_INTERVAL_VOLUME) problems.add(row, locate(row, 'volume'), `volume ${volume} is more than ${MAX_INTERVAL_VOLUME.toLocaleString('en')} contacts in one interval: a unit or column mistake`);
    else volumeOk = true;

    const aht = numberField(fields.aht_seconds);
    let ahtOk = true;
    if (aht !== undefined && !(Number.isFinite(aht) && aht > 0)) {
      problems.add(row, locate(row, 'aht_seconds'), `aht_seconds must be a positive number when present, got ${quotedCell(fields.aht_seconds)}`);
      ahtOk = false;
    }

    const text = timeText(fields.interval_start);
    if (text === '') {
      problems.add(row, locate(row, 'interval_start'), 'interval_start is missing');
      continue;
    }
    if (!group) continue; // the zone is unknown without the group: the row is already rejected
    const parsed = parseInstant(text, group.clock);
    if (!parsed.ok) {
      const repeated = repeatedWallTime(text, group.clock);
      if (repeated && volumeOk && ahtOk) {
        const key = `${groupId}\u0000${repeated.wallAsUtc}`;
        const list = repeatedRows.get(key) ?? [];
        list.push({ group, row, text, earlier: repeated.earlier, later: repeated.later, volume: volume!, aht });
        repeatedRows.set(key, list);
      } else if (!repeated && parsed.reason.startsWith(NOT_ISO)) unreadable.push({ row, text, clock: group.clock });
      else problems.add(row, locate(row, 'interval_start'), parsed.reason);
      continue;
    }
    timestampsRead++;
    if (parsed.epochMs % MINUTE_MS !== 0) {
      secondsRows.push({ row, text }); // refused below: one by one, or as a per-call log named as such
      continue;
    }
    if (options.notAfterMs !== undefined && parsed.epochMs > options.notAfterMs) {
      const clockReads = group.clock.format(Math.floor(options.notAfterMs / MINUTE_MS) * MINUTE_MS);
      problems.add(row, locate(row, 'interval_start'), `${text} has not happened yet (the service clock reads ${clockReads}): history holds past intervals only`);
      continue;
    }
    if (volumeOk && ahtOk) {
      group.rows.push({ row, epochMs: parsed.epochMs, minuteOfDay: group.clock.minuteOfDay(parsed.epochMs), volume: volume!, aht });
    }
  }

  unreadableTimestampProblems(unreadable, raw.length, perCall ? 'arrival' : 'interval_start', locate, problems);

  // Seconds in the first rows and many more: each row is a call, not an interval. One problem says so
  // (a call log of 60,000 rows gave 1,000 "has seconds" lines and nothing on what to do).
  const firstRowsHaveSeconds = secondsRows.length >= PER_CALL_HINT_ROWS && secondsRows[PER_CALL_HINT_ROWS - 1].row === raw[PER_CALL_HINT_ROWS - 1]?.row;
  if (firstRowsHaveSeconds) {
    const first = secondsRows[0];
    problems.add(
      first.row,
      'interval_start',
      `${secondsRows.length} of ${timestampsRead} rows have seconds in interval_start (row ${first.row}: ${first.text}): this looks like one row per call — ` +
        'name that column "arrival" (a per-call log: arrival,skill_group[,handle_seconds], without volume) and each row is counted as one call in the interval it arrived in; interval totals start on whole minutes',
    );
  } else for (const r of secondsRows) problems.add(r.row, locate(r.row, 'interval_start'), `${r.text} has seconds: interval starts are whole minutes`);

  // A per-call log's intervals, one row each: the calls counted, the mean handle time of those with one.
  for (const group of groups.values()) {
    for (const [start, c] of group.calls ?? []) {
      group.rows.push({ row: c.row, epochMs: start, minuteOfDay: group.clock.minuteOfDay(start), volume: c.calls, aht: c.handled > 0 ? c.handleSum / c.handled : undefined, ahtWeight: c.handled });
    }
    // every interval of the span is written (0 without calls): one year typed wrong (1899) would make that a century of zeros
    if (group.calls && group.calls.size > 0) {
      const [firstCall, lastCall] = extentOf(group.calls.keys());
      if (lastCall - firstCall > MAX_PER_CALL_SPAN_MS) {
        const row = group.calls.get(firstCall)!.row;
        problems.add(row, locate(row, 'arrival'), `skill group "${group.skillGroup.id}": calls from ${group.clock.format(firstCall)} to ${group.clock.format(lastCall)} (intervals of the first and last): a per-call log covers at most ${MAX_PER_CALL_SPAN_YEARS} years — a year typed wrong? (the log's span is written whole, 0 where no call came)`);
      }
    }
  }

  // Wall times of the repeated fall-back hour, by order of the rows: the first is the first pass.
  for (const list of repeatedRows.values()) {
    const readAs = list.length === 2 ? [list[0].earlier, list[1].later] : list.length === 1 && options.singleAmbiguousWallTime === 'first-pass' ? [list[0].earlier] : undefined;
    if (!readAs) {
      for (const r of list) {
        problems.add(r.row, locate(r.row, 'interval_start'), `local time ${r.text} occurs twice in ${r.group.skillGroup.timeZone} (DST fall-back) and ${list.length === 1 ? 'no other row holds it' : `${list.length} rows hold it`}: give an offset, or one row per pass in time order`);
      }
      continue;
    }
    list.forEach((r, k) => r.group.rows.push({ row: r.row, epochMs: readAs[k], minuteOfDay: r.group.clock.minuteOfDay(readAs[k]), volume: r.volume, aht: r.aht }));
  }
  if (repeatedRows.size > 0) for (const group of groups.values()) group.rows.sort((a, b) => a.row - b.row);

  // Granularity and grid per group; duplicates.
  const granularity = new Map<GroupState, number>();
  for (const group of groups.values()) {
    const intervalMinutes = group.skillGroup.intervalMinutes;
    if (perCall) {
      granularity.set(group, intervalMinutes); // counted into their intervals as they were read
      continue;
    }
    if (firstRowsHaveSeconds) continue; // calls read as intervals: a grid judged from them would only add noise
    // A row's place on the grid: its minute of the day, except that an interval start the group's clock
    // knows is on every grid — on Lord Howe's spring day the hour after the 30-minute jump starts at
    // 02:30+11:00 (../time/grid.ts), a whole hour's row that the minute of the day would put off it.
    const gridPhase = (r: ParsedRow) => (r.minuteOfDay % intervalMinutes !== 0 && group.clock.intervalStartOf(r.epochMs, intervalMinutes) === r.epochMs ? 0 : r.minuteOfDay);
    let g: number;
    if (explicit !== undefined) {
      g = explicit;
      if (intervalMinutes % explicit !== 0) {
        problems.add(undefined, 'granularity', `${explicit} minutes does not divide the ${intervalMinutes}-minute interval of skill group "${group.skillGroup.id}"`);
        continue;
      }
    } else {
      const minutesOfDay = group.rows.map(gridPhase);
      g = alignedGrid(minutesOfDay, divisorsDescending(intervalMinutes));
      const mixed = mixedGrid(minutesOfDay, g, intervalMinutes);
      if (mixed) {
        for (const r of group.rows) {
          if (gridPhase(r) % mixed.minutes === 0) continue;
          problems.add(
            r.row,
            locate(r.row, 'interval_start'),
            `${group.clock.wallTime(r.epochMs)} is off the ${mixed.minutes}-minute grid that ${Math.round(mixed.share * 100)} % of skill group "${group.skillGroup.id}"'s rows are on: ` +
              `${mixed.minutes}-minute totals mixed with finer rows would count the same calls twice — fix these rows, or give granularity=${g} if every row is a ${g}-minute count`,
          );
        }
        continue;
      }
      if (g < intervalMinutes && !someIntervalHoldsTwoRows(group.rows, (t) => group.clock.intervalStartOf(t, intervalMinutes))) {
        problems.add(
          undefined,
          'interval_start',
          `skill group "${group.skillGroup.id}": no ${intervalMinutes}-minute interval holds more than one row, and the rows are off its grid (first at ${group.clock.format(group.rows[0].epochMs)}): ` +
            `as ${g}-minute counts each row would replace its whole interval — send every row of an interval together, or give granularity=${g} if these single rows are the whole count`,
        );
        continue;
      }
      const spacing = coarserSpacing(group.rows, intervalMinutes);
      if (spacing !== undefined) {
        problems.add(
          undefined,
          'interval_start',
          `every row of skill group "${group.skillGroup.id}" starts on a ${spacing}-minute grid, but its intervals are ${intervalMinutes} minutes: each row would fill one interval and leave the others missing — upload ${intervalMinutes}-minute (or finer) rows, or give the group ${spacing}-minute intervals`,
        );
        continue;
      }
    }
    granularity.set(group, g);
    const seen = new Map<number, ParsedRow>();
    const unique: ParsedRow[] = [];
    for (const r of group.rows) {
      if (gridPhase(r) % g !== 0) {
        problems.add(r.row, locate(r.row, 'interval_start'), `${group.clock.wallTime(r.epochMs)} is not on the ${g}-minute grid of this batch (skill group "${group.skillGroup.id}")`);
        continue;
      }
      const earlier = seen.get(r.epochMs);
      if (earlier) {
        if (earlier.volume !== r.volume || earlier.aht !== r.aht) {
          problems.add(r.row, locate(r.row), `duplicates row ${earlier.row} (${group.skillGroup.id} at ${group.clock.format(r.epochMs)}) with different values`);
        } else group.repeated = (group.repeated ?? 0) + 1;
        // An identical duplicate is counted once: concatenated exports that overlap (a month exported
        // twice, a re-run appended) repeat whole rows, and summing them would double those intervals.
        // Counted and said in the summary's notes, as a per-call export cut to the minute looks the same.
        continue;
      }
      seen.set(r.epochMs, r);
      unique.push(r);
    }
    group.rows = unique;
  }

  if (problems.any) {
    problems.list.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return { ok: false, problems: problems.list, truncated: problems.truncated };
  }

  // Aggregation into the groups' intervals.
  const intervals: IntervalVolume[] = [];
  const summary: SkillGroupSummary[] = [];
  const ordered = [...groups.values()].sort((a, b) => (a.skillGroup.id < b.skillGroup.id ? -1 : a.skillGroup.id > b.skillGroup.id ? 1 : 0));
  for (const group of ordered) {
    const { skillGroup, clock } = group;
    const cells = new Map<number, { volume: number; ahtWeighted: number; ahtVolume: number }>();
    let ahtWeighted = 0;
    let ahtVolume = 0;
    let totalVolume = 0;
    for (const r of group.rows) {
      const start = clock.intervalStartOf(r.epochMs, skillGroup.intervalMinutes);
      let cell = cells.get(start);
      if (!cell) {
        cell = { volume: 0, ahtWeighted: 0, ahtVolume: 0 };
        cells.set(start, cell);
      }
      cell.volume += r.volume;
      totalVolume += r.volume;
      if (r.aht !== undefined) {
        const weight = r.ahtWeight ?? r.volume;
        cell.ahtWeighted += r.aht * weight;
        cell.ahtVolume += weight;
        ahtWeighted += r.aht * weight;
        ahtVolume += weight;
      }
    }
    const withCalls = cells.size;
    // A per-call log is a complete record of the span it covers: an interval between its first and last
    // call without a call had none, and is written as 0 — a stale total from an earlier upload of the same
    // day (an interval export, a wrong file) would otherwise stay where the log says no call came.
    if (perCall) {
      const [spanFirst, spanLast] = extentOf(cells.keys());
      for (let s = spanFirst; s < spanLast; s = clock.nextIntervalStart(s, skillGroup.intervalMinutes)) {
        if (!cells.has(s)) cells.set(s, { volume: 0, ahtWeighted: 0, ahtVolume: 0 });
      }
    }
    const starts = [...cells.keys()].sort((a, b) => a - b);
    for (const start of starts) {
      const cell = cells.get(start)!;
      const interval: IntervalVolume = { skillGroupId: skillGroup.id, start, volume: cell.volume };
      // An AHT weighted by zero volume is undefined: an interval whose AHT rows all had no calls has none.
      if (cell.ahtVolume > 0) interval.ahtSeconds = cell.ahtWeighted / cell.ahtVolume;
      intervals.push(interval);
    }
    const firstMs = starts[0];
    const lastMs = starts[starts.length - 1];
    const rows = perCall ? totalVolume : group.rows.length;
    const notes: string[] = [];
    if (perCall) {
      const minutes = skillGroup.intervalMinutes;
      const quiet = starts.length - withCalls;
      notes.push(
        `read as a per-call log (an arrival column, one row per call): ${plural(rows, 'call')} counted into ${plural(withCalls, `${minutes}-minute interval`)}, ` +
          (ahtVolume > 0 ? `aht_seconds the mean handle time of the ${plural(ahtVolume, 'call')} with one` : 'no handle times'),
        `a per-call log is the complete record of the ${plural(starts.length, 'interval')} from its first call's to its last call's (${clock.format(firstMs)} to ${clock.format(lastMs)})` +
          (quiet > 0 ? `: the ${plural(quiet, 'interval')} without a call ${quiet === 1 ? 'is' : 'are'} written as 0` : '') +
          `; an upload replaces ${starts.length === 1 ? 'that interval' : 'its first and last intervals'} whole with this file's calls — cut exports at interval boundaries, or send the parts in one file`,
      );
    }
    if (group.repeated) {
      notes.push(
        `${group.repeated} of ${rows + group.repeated} rows repeated another row exactly (same interval start and values) and were counted once, as rows of overlapping exports are; ` +
          'if each row is one call (a per-call export cut to the minute), name the time column "arrival" and leave out volume: a per-call log counts every row',
      );
    }
    const entry: SkillGroupSummary = {
      skillGroupId: skillGroup.id,
      rows,
      ...(group.repeated ? { repeatedRows: group.repeated } : {}),
      intervals: starts.length,
      first: clock.format(firstMs),
      last: clock.format(lastMs),
      firstMs,
      lastMs,
      // fractional volumes summed in binary: 438695.3999999887 is shown as the 438695.4 it is
      totalVolume: Math.round(totalVolume * 1e6) / 1e6,
      rowGranularityMinutes: granularity.get(group)!,
      // a mean of 180.5 s rows summed in binary is 180.49999999999966: shown to the hundredth of a second
      ...(ahtVolume > 0 ? { meanAhtSeconds: Math.round((ahtWeighted / ahtVolume) * 100) / 100 } : {}),
      ...(notes.length ? { notes } : {}),
    };
    // a call log has no row for an interval without calls: an open interval without one is quiet, not missing
    if (skillGroup.openingHours && skillGroup.openingHours.length > 0 && !perCall) {
      const missing = missingOpenIntervals(cells, firstMs, lastMs, skillGroup, clock);
      entry.missingIntervals = missing.count;
      entry.missingSample = missing.sample.map((ms) => clock.format(ms));
    }
    summary.push(entry);
  }
  return { ok: true, intervals, summary };
}

/** The earliest and latest of the instants (a loop: spreading 100k into Math.min overflows the stack). */
function extentOf(instants: Iterable<number>): [number, number] {
  let first = Infinity;
  let last = -Infinity;
  for (const t of instants) (first = Math.min(first, t)), (last = Math.max(last, t));
  return [first, last];
}

function missingOpenIntervals(
  present: ReadonlyMap<number, unknown>,
  firstMs: number,
  lastMs: number,
  skillGroup: SkillGroup,
  clock: ZoneClock,
): { count: number; sample: number[] } {
  const windows = skillGroup.openingHours!;
  let count = 0;
  const sample: number[] = [];
  for (let s = firstMs; s <= lastMs; s = clock.nextIntervalStart(s, skillGroup.intervalMinutes)) {
    if (present.has(s)) continue;
    if (!inWeeklyWindows(windows, clock.isoWeekday(s) as 1 | 2 | 3 | 4 | 5 | 6 | 7, clock.minuteOfDay(s))) continue;
    count++;
    if (sample.length < 10) sample.push(s);
  }
  return { count, sample };
}

/** The intervals of an accepted batch, or a WfmError('validation') listing every problem. */
export function ingestHistoryOrThrow(
  batch: HistoryBatch,
  skillGroups: ReadonlyMap<string, SkillGroup>,
  options: IngestOptions = {},
): { intervals: IntervalVolume[]; summary: SkillGroupSummary[] } {
  const result = ingestHistory(batch, skillGroups, options);
  if (!result.ok) {
    const more = result.truncated ? ' (list truncated)' : '';
    throw invalid(`history batch rejected: ${result.problems.length} problem(s)${more}`, result.problems);
  }
  return { intervals: result.intervals, summary: result.summary };
}

/** Skill groups by id, the shape ingestHistory takes. */
export function skillGroupsById(skillGroups: readonly SkillGroup[]): Map<string, SkillGroup> {
  return new Map(skillGroups.map((g) => [g.id, g]));
}
