/**
 * Roster exports: the CSV the simulator and planners read (and its reader), and one iCalendar (RFC 5545)
 * feed per agent for their phone's calendar. Pure: text in, text out; the caller writes the files and passes
 * the timestamps (DTSTAMP) in.
 */
import { invalid, type ProblemDetail } from '../errors/wfm-error';
import { csvCell } from '../history/format';
import { splitCsv } from '../history/ingest';
import { HOUR_MS, MINUTE_MS, formatInstant, parseTimestamp, wallClock } from '../time/grid';
import type { AssignedShift, BreakKind } from './types';

/**
 * The six columns roster.csv had first, unchanged and in this order: readers that take the columns by
 * position (payroll scripts, spreadsheets) keep working on a file with the columns added after them.
 */
export const ROSTER_CSV_BASE_HEADER = 'agent_id,date,start,end,skill_group,breaks';

/**
 * The header rosterToCsv writes: the six base columns, then `break_kinds` — the kind of each break,
 * `meal` or `short`, `;`-separated in the order of `breaks` ("short;meal;short"). Payroll needs it: most
 * pay the short breaks and not the meal, and a break's length does not tell them apart (templates set both).
 */
export const ROSTER_CSV_HEADER = `${ROSTER_CSV_BASE_HEADER},break_kinds`;

/** The headers an exact reading accepts: the current one, and the six columns written before break_kinds. */
const EXACT_ROSTER_CSV_HEADERS = [ROSTER_CSV_HEADER, ROSTER_CSV_BASE_HEADER];

const BREAK_KINDS: ReadonlySet<string> = new Set<BreakKind>(['meal', 'short']);

/**
 * `agent_id,date,start,end,skill_group,breaks,break_kinds`, times ISO-8601 with the zone's offset, breaks
 * `start/end;…`, break_kinds `meal|short;…` aligned with breaks.
 */
export function rosterToCsv(roster: AssignedShift[], zoneOf: (skillGroupId: string) => string): string {
  const lines = [ROSTER_CSV_HEADER];
  const sorted = [...roster].sort((a, b) => a.start - b.start || a.agentId.localeCompare(b.agentId));
  for (const s of sorted) {
    const zone = zoneOf(s.skillGroupId);
    const breaks = s.breaks.map((b) => `${formatInstant(b.start, zone)}/${formatInstant(b.end, zone)}`).join(';');
    const breakKinds = s.breaks.map((b) => b.kind).join(';');
    lines.push([s.agentId, s.date, formatInstant(s.start, zone), formatInstant(s.end, zone), s.skillGroupId, breaks, breakKinds].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** One shift of a roster.csv as read; `line` is its line in the file (the header is line 1). */
export interface RosterCsvShift {
  line: number;
  agentId: string;
  /** the `date` column; empty when a file without one was read (options.exactHeader false) */
  date: string;
  skillGroupId: string;
  start: number;
  end: number;
  /** the start as written (its wall-clock hour tells an early shift from a late one) */
  startText: string;
  /** `kind` when the file has a break_kinds column (rosterToCsv writes one); a file without it says none */
  breaks: Array<{ start: number; end: number; kind?: BreakKind }>;
}

export interface RosterCsvOptions {
  /** the file's name in the problems: `<name>:<line>` */
  name: string;
  /** the skill groups a shift may name */
  skillGroups: ReadonlySet<string>;
  /**
   * true: the header must be ROSTER_CSV_HEADER, as rosterToCsv writes it, or the six columns before
   * break_kinds (a file written before it; wfm plan --previous); false: the columns by name in any order,
   * `date`, `breaks` and `break_kinds` optional (a roster typed by hand for wfm simulate).
   */
  exactHeader: boolean;
  /** a time without an offset is read on this zone's wall clock; without a zone every time needs its offset */
  zone?: string;
}

/** An ISO date-time with its offset ("2027-04-04T23:00:00+02:00"), as rosterToCsv writes it. */
const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$/;

/**
 * A roster.csv back into shifts: the one reader of what rosterToCsv writes, for every command that takes
 * one. Each row is checked (agent, date, times, end after start, a known skill group, breaks inside the
 * shift) and every problem names its line; a bad header throws at once.
 */
export function parseRosterCsv(text: string, options: RosterCsvOptions): { shifts: RosterCsvShift[]; problems: ProblemDetail[] } {
  const [header = [], ...records] = splitCsv(text);
  const names = header.map((h) => h.trim().toLowerCase());
  if (options.exactHeader ? !EXACT_ROSTER_CSV_HEADERS.includes(names.join(',')) : !['agent_id', 'start', 'end', 'skill_group'].every((n) => names.includes(n))) {
    const expected = options.exactHeader
      ? `the header must be ${ROSTER_CSV_HEADER} (or ${ROSTER_CSV_BASE_HEADER}, as written before break_kinds)`
      : 'the header needs the columns agent_id, start, end and skill_group (date, breaks and break_kinds are optional)';
    throw invalid(`${options.name} is not a roster.csv`, [{ where: `${options.name}:1`, message: expected }]);
  }
  const zone = options.zone;
  const instant = (cell: string | undefined): number => {
    const trimmed = (cell ?? '').trim();
    if (zone === undefined) return OFFSET_DATE_TIME.test(trimmed) ? Date.parse(trimmed) : NaN;
    const parsed = parseTimestamp(trimmed, zone);
    return parsed.ok ? parsed.epochMs : NaN;
  };
  const times = zone === undefined ? 'ISO date-times with offsets' : `ISO date-times (with an offset, or on the ${zone} clock)`;
  const shifts: RosterCsvShift[] = [];
  const problems: ProblemDetail[] = [];
  records.forEach((cells, i) => {
    if (!cells.some((cell) => cell.trim() !== '')) return;
    const line = i + 2;
    const at = (name: string) => {
      const k = names.indexOf(name);
      return k < 0 ? undefined : (cells[k] ?? '').trim();
    };
    const [agentId = '', date, skillGroupId = '', breaksText = '', kindsText] = [at('agent_id'), at('date'), at('skill_group'), at('breaks'), at('break_kinds')];
    const start = instant(at('start'));
    const end = instant(at('end'));
    // without a break_kinds column (an older file), or an empty cell, the breaks have no kind; else one kind per break
    const kinds = kindsText === undefined || kindsText === '' ? undefined : kindsText.split(';').map((k) => k.trim().toLowerCase()).filter((k) => k !== '');
    const breaks = breaksText.split(';').filter((b) => b.trim() !== '').map((pair, k) => {
      const [from, to] = pair.split('/');
      const kind = kinds?.[k];
      return { start: instant(from), end: instant(to), ...(kind !== undefined && BREAK_KINDS.has(kind) ? { kind: kind as BreakKind } : {}) };
    });
    const before = problems.length;
    const bad = (message: string) => problems.push({ where: `${options.name}:${line}`, message, row: line });
    if (!agentId) bad('agent_id is empty');
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) bad(`date "${date}" is not YYYY-MM-DD`);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) bad(`start and end must be ${times}, end after start`);
    if (!options.skillGroups.has(skillGroupId)) bad(`skill_group "${skillGroupId}" is not in the skill-groups file`);
    if (breaks.some((b) => !Number.isFinite(b.start) || !Number.isFinite(b.end) || b.end <= b.start || b.start < start || b.end > end)) bad(`breaks must be start/end pairs of ${times}, inside the shift`);
    if (kinds !== undefined && (kinds.length !== breaks.length || kinds.some((k) => !BREAK_KINDS.has(k)))) bad(`break_kinds "${kindsText}" must name meal or short for each of the ${breaks.length} break(s), in their order`);
    if (problems.length === before) shifts.push({ line, agentId, date: date ?? '', skillGroupId, start, end, startText: at('start') ?? '', breaks });
  });
  return { shifts, problems };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 5545 UTC date-time, e.g. 19990203T100000Z. */
function icalUtc(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/**
 * RFC 5545 §3.3.11 TEXT escaping. Any line break (CRLF, a lone CR or LF, U+2028/2029) becomes the escaped
 * \\n and other control characters, C1 included (NEL, U+0085, is a line break to some parsers), are dropped (TEXT allows none): a name with a bare CR would otherwise
 * start a new line, and a property of the attacker's, in calendar apps that break lines on CR.
 */
function icalText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + one space. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    const limit = parts.length === 0 ? 75 : 74;
    if (currentBytes + size > limit) {
      parts.push(current);
      current = '';
      currentBytes = 0;
    }
    current += ch;
    currentBytes += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const utcHhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

/** An offset as people read it: "UTC+02:00", "UTC−03:00" (a minus sign, not a hyphen glued to a time). */
function readableOffset(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  return `UTC${offsetMinutes < 0 ? '\u2212' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * Whether the wall time of `t` occurs twice in the zone (the hour a fall-back night repeats): another
 * instant near it, on the offset in force a few hours before or after, shows the same wall time.
 */
function ambiguousOnWallClock(t: number, zone: string): boolean {
  const offset = wallClock(t, zone).offset;
  for (const other of new Set([wallClock(t - 3 * HOUR_MS, zone).offset, wallClock(t + 3 * HOUR_MS, zone).offset])) {
    if (other !== offset && wallClock(t + (offset - other) * MINUTE_MS, zone).offset === other) return true;
  }
  return false;
}

/**
 * A break in the description, on the agent's wall clock: "meal 12:00–12:30 (Asia/Jerusalem)". A time
 * that occurs twice that night (a fall-back change), or whose offset is not the shift start's (the clocks
 * changed since the shift began), says its offset — after the range when both ends share it ("short
 * 01:30–01:45 (America/Santiago, UTC−03:00)"), else after its own time ("meal 23:45–01:15 (UTC−03:00)
 * (America/Santiago)"); other times are plain HH:mm.
 */
function breakOnWallClock(b: { kind: string; start: number; end: number }, shiftStart: number, zone: string): string {
  const startOffset = wallClock(shiftStart, zone).offset;
  const time = (t: number) => {
    const local = wallClock(t, zone);
    const marked = local.offset !== startOffset || ambiguousOnWallClock(t, zone);
    return { hhmm: local.toFormat('HH:mm'), offset: marked ? readableOffset(local.offset) : undefined };
  };
  const [from, to] = [time(b.start), time(b.end)];
  if (from.offset && from.offset === to.offset) return `${b.kind} ${from.hhmm}–${to.hhmm} (${zone}, ${from.offset})`;
  const withOffset = (x: { hhmm: string; offset?: string }) => (x.offset ? `${x.hhmm} (${x.offset})` : x.hhmm);
  return `${b.kind} ${withOffset(from)}–${withOffset(to)} (${zone})`;
}

export interface IcalOptions {
  /**
   * DTSTAMP of the events (epoch ms) that `stampOf` gives none — passed in, the core has no clock. A feed
   * calendar apps poll wants a time that changes only with the feed's content (the roster's publication),
   * not the time of the request: the same roster then gives the same bytes, ETag and 304.
   */
  generatedAt: number;
  /** an event's own DTSTAMP: when its shift became what it is (its roster's publication) */
  stampOf?: (shift: AssignedShift) => number | undefined;
  /**
   * the right-hand side of the UIDs ("<shift>.<agent>@<uidDomain>"), which RFC 5545 §3.8.4.7 wants
   * globally unique: the deployment's host (and key prefix), so two centers' feeds in one calendar app
   * do not overwrite each other's events; default "wfm.local"
   */
  uidDomain?: string;
  agentName?: string;
  /**
   * What the feed holds, as X-WR-CALDESC (the calendar's description, which calendar apps show beside its
   * name): a roster's feed names the roster it serves, which a re-plan may have put in place of the one
   * asked for ("Shifts of roster R3 (re-plan of R1)…"); none: no X-WR-CALDESC
   */
  calendarDescription?: string;
  skillGroupName?: (skillGroupId: string) => string;
  /**
   * The agent's zone: break times in the description are plain text, which a calendar app cannot
   * convert, so they are written on the agent's wall clock (default UTC, labelled so)
   */
  timeZone?: string;
}

/**
 * The component of a calendar without events. RFC 5545 §3.6 wants at least one component in a VCALENDAR
 * (strict parsers, ical4j among them, reject one without), and an agent with no shifts has no VEVENT.
 * A VTIMEZONE of UTC is valid (§3.6.5: TZID and one STANDARD with DTSTART, TZOFFSETFROM, TZOFFSETTO),
 * understood by every client, and changes nothing: the events' times are UTC anyway. An X- component would
 * also be valid, but it is one that clients are only told to ignore.
 */
const EMPTY_CALENDAR_COMPONENT = ['BEGIN:VTIMEZONE', 'TZID:UTC', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0000', 'TZOFFSETTO:+0000', 'TZNAME:UTC', 'END:STANDARD', 'END:VTIMEZONE'];

/** One VCALENDAR with a VEVENT per shift of the agent (times in UTC, breaks listed in the description). */
export function agentIcalFeed(agentId: string, roster: AssignedShift[], options: IcalOptions): string {
  const domain = options.uidDomain ?? 'wfm.local';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//wfm-service//roster//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icalText(`Shifts ${options.agentName ?? agentId}`)}`,
    ...(options.calendarDescription ? [`X-WR-CALDESC:${icalText(options.calendarDescription)}`] : []),
  ];
  const shifts = roster.filter((s) => s.agentId === agentId).sort((a, b) => a.start - b.start);
  if (!shifts.length) lines.push(...EMPTY_CALENDAR_COMPONENT);
  for (const s of shifts) {
    const group = options.skillGroupName?.(s.skillGroupId) ?? s.skillGroupId;
    const zone = options.timeZone;
    const breaks = s.breaks.map((b) => (zone ? breakOnWallClock(b, s.start, zone) : `${b.kind} ${utcHhmm(b.start)}–${utcHhmm(b.end)} UTC`)).join(', ');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icalText(`${s.id}.${agentId}@${domain}`)}`,
      `DTSTAMP:${icalUtc(options.stampOf?.(s) ?? options.generatedAt)}`,
      `DTSTART:${icalUtc(s.start)}`,
      `DTEND:${icalUtc(s.end)}`,
      `SUMMARY:${icalText(`${s.kind} shift · ${group}`)}`,
      `DESCRIPTION:${icalText(breaks ? `Breaks: ${breaks}` : 'No breaks')}`,
      'TRANSP:OPAQUE',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

/** An accepted callout as the agent's calendar shows it: from their login to the end of their work. */
export interface CalloutEvent {
  /** the callout's id: its event's UID follows from it, so an update (a release) replaces the event */
  id: string;
  skillGroupId: string;
  /** their login */
  start: number;
  /** the end of the proposed shift, or their release when that came first */
  end: number;
  /** when the event became what it is (the acceptance, or the release): its DTSTAMP */
  stampedAt: number;
  releasedAt?: number;
}

/**
 * The feed agentIcalFeed wrote for the agent, with their accepted callouts added after the shifts, one
 * VEVENT each ("Callout · <group>"). Added to the finished feed rather than passed to agentIcalFeed,
 * because the roster feed is assembled apart from the callouts (services/rosters.ts agentFeed).
 */
export function withCalloutEvents(feed: string, agentId: string, callouts: CalloutEvent[], options: Pick<IcalOptions, 'uidDomain' | 'skillGroupName' | 'timeZone'>): string {
  const END = 'END:VCALENDAR\r\n';
  if (!feed.endsWith(END)) throw new Error('not a feed agentIcalFeed wrote: it does not end with END:VCALENDAR');
  if (!callouts.length) return feed;
  const domain = options.uidDomain ?? 'wfm.local';
  const zone = options.timeZone ?? 'UTC';
  const hhmm = (t: number) => `${wallClock(t, zone).toFormat('HH:mm')} (${zone})`;
  const lines: string[] = [];
  for (const c of [...callouts].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1))) {
    const group = options.skillGroupName?.(c.skillGroupId) ?? c.skillGroupId;
    const description = c.releasedAt !== undefined && c.end === c.releasedAt ? `Callout you accepted. Released at ${hhmm(c.releasedAt)}: the surge passed.` : 'Callout you accepted.';
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icalText(`${c.id}.${agentId}@${domain}`)}`,
      `DTSTAMP:${icalUtc(c.stampedAt)}`,
      `DTSTART:${icalUtc(c.start)}`,
      `DTEND:${icalUtc(c.end)}`,
      `SUMMARY:${icalText(`Callout · ${group}`)}`,
      `DESCRIPTION:${icalText(description)}`,
      'TRANSP:OPAQUE',
      'END:VEVENT',
    );
  }
  return `${feed.slice(0, -END.length)}${lines.map(fold).join('\r\n')}\r\n${END}`;
}

/** One feed per agent who has shifts, keyed by agent id. */
export function icalFeeds(roster: AssignedShift[], options: IcalOptions): Map<string, string> {
  const feeds = new Map<string, string>();
  for (const agentId of [...new Set(roster.map((s) => s.agentId))].sort()) feeds.set(agentId, agentIcalFeed(agentId, roster, options));
  return feeds;
}
