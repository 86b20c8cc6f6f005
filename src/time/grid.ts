/**
 * The interval grid: every interval of a skill group starts on its zone's wall clock (09:00, 09:30, …).
 * Instants are epoch milliseconds everywhere in the core; luxon is used only to map them to wall time.
 *
 * DST: an interval is one wall-clock cell of the grid under one UTC offset. In a spring-forward gap the
 * missing local times have no interval; in a fall-back overlap the repeated hour has two sets of
 * intervals, told apart by their UTC offset. Flooring keeps the offset of the instant being floored,
 * which is what makes the repeated hour come out right, but never reaches back past the offset change:
 * before it the wall clock read other times, so a cell cut by a change starts at the change. With a
 * change of a whole interval (Berlin, hourly) that is the same thing; with a shift that is not
 * (Lord Howe's 30 minutes, Chatham's change at 02:45) the cut cell simply lasts fewer real minutes and
 * its start reads off the hour on the new offset, e.g. 2026-10-04 02:00–03:00 in Lord Howe, hourly,
 * starts at the jump, 02:30+11:00 (= 02:00+10:30), and lasts 30 minutes.
 *
 * intervalStartOf, isOnGrid, nextIntervalStart and intervalStarts all follow from this one definition.
 * It assumes the offset changes at most once within one interval, which holds for every real zone.
 */
import { DateTime, IANAZone } from 'luxon';
import type { IsoWeekday, WeeklyWindow } from '../domain/types';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The wall-clock view of an instant in a zone. */
export function wallClock(epochMs: number, zone: string): DateTime {
  return DateTime.fromMillis(epochMs, { zone });
}

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/** UTC offset of the zone at an instant, in minutes (IANAZone caches the zone per name). */
function offsetAt(epochMs: number, zone: string): number {
  return IANAZone.create(zone).offset(epochMs);
}

/**
 * The instant in (from, to] at which the zone's offset changes from `offsetAtFrom`, found by bisection
 * (to the millisecond: about 22 look-ups for an hour). Callers know there is one change in between.
 */
function offsetChangeIn(fromMs: number, offsetAtFrom: number, toMs: number, zone: string): number {
  let lo = fromMs;
  let hi = toMs;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(mid, zone) === offsetAtFrom) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The start of the instant's wall-clock cell reckoned back on the given offset (the instant's own).
 * Subtracting in absolute time keeps the offset, which is what tells the two passes of a repeated hour
 * apart. The wall clock comes from the offset alone, as luxon computes it, without building a DateTime:
 * intervalStarts runs this once per interval, over weeks of 15-minute intervals.
 */
function floorOnOffset(epochMs: number, offset: number, intervalMinutes: number): number {
  const msIntoDay = mod(epochMs + Math.round(offset * MINUTE_MS), DAY_MS);
  return epochMs - (Math.floor(msIntoDay / MINUTE_MS) % intervalMinutes) * MINUTE_MS - (msIntoDay % MINUTE_MS);
}

/** Start of the grid interval that contains `epochMs`. */
export function intervalStartOf(epochMs: number, zone: string, intervalMinutes: number): number {
  const offset = offsetAt(epochMs, zone);
  const floored = floorOnOffset(epochMs, offset, intervalMinutes);
  if (floored === epochMs || Number.isNaN(floored)) return floored; // NaN: unknown zone, as luxon answers
  // Another offset at the floored instant means the wall clock never read the cell's first minutes on
  // this offset (they were skipped, or read on the old offset): the interval starts at the change.
  const flooredOffset = offsetAt(floored, zone);
  return flooredOffset === offset ? floored : offsetChangeIn(floored, flooredOffset, epochMs, zone);
}

export function isOnGrid(epochMs: number, zone: string, intervalMinutes: number): boolean {
  return intervalStartOf(epochMs, zone, intervalMinutes) === epochMs;
}

/**
 * The first grid start after `epochMs` (whose offset is `offset`) and the offset there: the end of its
 * wall-clock cell on its offset, or the offset change if that comes first (the cell is cut there).
 */
function nextStartAndOffset(epochMs: number, offset: number, zone: string, intervalMinutes: number): [number, number] {
  const cellEnd = floorOnOffset(epochMs, offset, intervalMinutes) + intervalMinutes * MINUTE_MS;
  const endOffset = offsetAt(cellEnd, zone);
  if (endOffset === offset) return [cellEnd, endOffset];
  const change = offsetChangeIn(epochMs, offset, cellEnd, zone);
  return [change, offsetAt(change, zone)];
}

/** The first grid start after `epochMs` (normally an interval start). */
export function nextIntervalStart(epochMs: number, zone: string, intervalMinutes: number): number {
  return nextStartAndOffset(epochMs, offsetAt(epochMs, zone), zone, intervalMinutes)[0];
}

/** All grid starts s with from ≤ s < to (from is snapped down to the grid first). */
export function intervalStarts(fromMs: number, toMs: number, zone: string, intervalMinutes: number): number[] {
  const starts: number[] = [];
  let s = intervalStartOf(fromMs, zone, intervalMinutes);
  // The offset is carried from one start to the next: one zone look-up per interval.
  let offset = offsetAt(s, zone);
  while (s < toMs) {
    if (s >= fromMs) starts.push(s);
    [s, offset] = nextStartAndOffset(s, offset, zone, intervalMinutes);
  }
  return starts;
}

/** Local calendar date "YYYY-MM-DD" of an instant. */
export function localDate(epochMs: number, zone: string): string {
  return wallClock(epochMs, zone).toISODate()!;
}

export function isoWeekday(epochMs: number, zone: string): IsoWeekday {
  return wallClock(epochMs, zone).weekday as IsoWeekday;
}

/** Minutes since local midnight (wall clock; in a repeated hour both passes give the same value). */
export function minuteOfDay(epochMs: number, zone: string): number {
  const local = wallClock(epochMs, zone);
  return local.hour * 60 + local.minute;
}

/** Instant of local midnight starting the given ISO date in the zone. */
export function startOfLocalDay(isoDate: string, zone: string): number {
  const dt = DateTime.fromISO(isoDate, { zone }).startOf('day');
  if (!dt.isValid) throw new RangeError(`not a date: ${isoDate}`);
  return dt.toMillis();
}

/** "HH:mm" (or "24:00") → minutes since midnight; NaN when malformed. */
export function parseLocalTime(text: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!m) return NaN;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : NaN;
}

/** Whether a wall-clock moment (weekday, minute of day) falls in any of the weekly windows. */
export function inWeeklyWindows(windows: WeeklyWindow[], weekday: IsoWeekday, minute: number): boolean {
  return windows.some(
    (w) => w.days.includes(weekday) && minute >= parseLocalTime(w.from) && minute < parseLocalTime(w.to),
  );
}

/** A span's local [fromMinute, toMinute) pieces, one per local date it touches (toMinute 1440 = midnight). */
export interface LocalPiece {
  weekday: IsoWeekday;
  from: number;
  to: number;
  date: string;
}

export function localPieces(start: number, end: number, zone: string): LocalPiece[] {
  const pieces: LocalPiece[] = [];
  let cursor = DateTime.fromMillis(start, { zone });
  const last = DateTime.fromMillis(end, { zone });
  while (cursor.toMillis() < end) {
    const nextMidnight = cursor.startOf('day').plus({ days: 1 });
    const pieceEnd = nextMidnight.toMillis() < end ? nextMidnight : last;
    const toMinute = pieceEnd.toMillis() === nextMidnight.toMillis() ? 1440 : pieceEnd.hour * 60 + pieceEnd.minute + (pieceEnd.second > 0 ? 1 : 0);
    pieces.push({ weekday: cursor.weekday as IsoWeekday, from: cursor.hour * 60 + cursor.minute, to: toMinute, date: cursor.toISODate()! });
    cursor = pieceEnd;
  }
  return pieces;
}

/** The weekly windows of `weekday` as [fromMinute, toMinute] pairs, earliest start first. */
export function windowRanges(windows: WeeklyWindow[], weekday: IsoWeekday): Array<readonly [number, number]> {
  return windows
    .filter((w) => w.days.includes(weekday))
    .map((w) => [parseLocalTime(w.from), parseLocalTime(w.to)] as const)
    .sort((a, b) => a[0] - b[0]);
}

/**
 * The minute of `weekday` up to which the union of its weekly windows runs on unbroken from minute `from`
 * (windows that touch or overlap joined: 22:00–24:00 reaches 1440 from 23:00); `from` itself when no
 * window holds it.
 */
export function windowsReach(windows: WeeklyWindow[], weekday: IsoWeekday, from: number): number {
  let reached = from;
  for (const [a, b] of windowRanges(windows, weekday)) {
    if (a > reached) break;
    if (b > reached) reached = b;
  }
  return reached;
}

/** Whether the union of the weekly windows of `weekday` covers the minutes [from, to) of that day. */
export function windowsCover(windows: WeeklyWindow[], weekday: IsoWeekday, from: number, to: number): boolean {
  return windowsReach(windows, weekday, from) >= to;
}

export type TimestampParse =
  | { ok: true; epochMs: number }
  | { ok: false; reason: string };

const HAS_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * "2023-02-06 06:00:00" → "2023-02-06T06:00:00": databases and spreadsheets export date-times with a
 * space (RFC 3339 allows it); luxon's ISO parser wants the T.
 */
function withDateTimeSeparator(text: string): string {
  return text.length > 11 && text[10] === ' ' && /^\d{4}-\d{2}-\d{2} \d/.test(text) ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
}

/**
 * Parses an ISO-8601 timestamp (date and time separated by "T" or a space). With an offset ("…+02:00", "…Z") it names an instant; without one it is
 * wall time in `zone`. Wall times that do not exist (spring-forward gap) or exist twice (fall-back
 * overlap) are refused with a reason, because guessing would shift a whole hour of volume.
 */
export function parseTimestamp(text: string, zone: string): TimestampParse {
  const trimmed = withDateTimeSeparator(text.trim());
  if (HAS_OFFSET.test(trimmed)) {
    const dt = DateTime.fromISO(trimmed, { setZone: true });
    if (!dt.isValid) return { ok: false, reason: `not an ISO-8601 timestamp: "${text}"` };
    return { ok: true, epochMs: dt.toMillis() };
  }
  const dt = DateTime.fromISO(trimmed, { zone });
  if (!dt.isValid) return { ok: false, reason: `not an ISO-8601 timestamp: "${text}"` };
  const asWritten = DateTime.fromISO(trimmed, { zone: 'UTC' });
  // luxon moves a wall time inside a gap forward; if the wall clock read back differs, it did not exist.
  if (dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") !== asWritten.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")) {
    return { ok: false, reason: `local time ${text} does not exist in ${zone} (DST gap)` };
  }
  const otherOffset = dt.offset === dt.plus({ hours: 1 }).offset ? dt.minus({ hours: 1 }).offset : dt.plus({ hours: 1 }).offset;
  if (otherOffset !== dt.offset) {
    const alternative = asWritten.minus({ minutes: otherOffset }).toMillis();
    if (DateTime.fromMillis(alternative, { zone }).toFormat('yyyy-MM-dd HH:mm:ss') === asWritten.toFormat('yyyy-MM-dd HH:mm:ss')) {
      return { ok: false, reason: `local time ${text} occurs twice in ${zone} (DST fall-back): give an offset` };
    }
  }
  return { ok: true, epochMs: dt.toMillis() };
}

/**
 * "HH:mm" with the zone's short name, e.g. "06:04 PST" (or "13:00 GMT+2" where the zone has no
 * abbreviation): a time in a text message must say which clock it is on. The name is English whatever
 * the server's locale, as on the answer pages: other locales give other names ("MEZ"), a U+2212 minus
 * ("UTC−5") or bidi marks (he), which a reader of the SMS would not expect and which are not GSM-7
 * (one such character makes the whole SMS UCS-2, about three times the segments).
 */
export function clockTime(epochMs: number, zone: string): string {
  const local = wallClock(epochMs, zone).setLocale('en');
  return `${local.toFormat('HH:mm')} ${local.offsetNameShort ?? local.toFormat('ZZ')}`;
}

/** ISO-8601 with the zone's offset, e.g. "1999-02-03T13:00:00+02:00". */
export function formatInstant(epochMs: number, zone: string): string {
  return wallClock(epochMs, zone).toISO({ suppressMilliseconds: true })!;
}
