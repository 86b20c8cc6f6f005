/**
 * Which time zone a history file is in, when the user gave none: read from the UTC offsets its
 * timestamps carry. Why it matters: the forecasters read days, weekdays and the intraday pattern on the
 * zone's wall clock. A file of a DST zone read in one fixed offset puts every summer interval an hour
 * off its winter twin (and a day starting at 23:00), which blurs the very pattern being learned.
 *
 * - one offset throughout, whole hours: the fixed-offset zone Etc/GMT∓N (the data shows no DST, so
 *   none is invented for the future);
 * - otherwise (offsets that change, or a half-hour offset Etc/GMT cannot name): an IANA zone whose
 *   offset equals the file's at every timestamp where it changes and on both sides of each change, so
 *   that zone reproduces the file exactly; the result says how many zones fit (they agree on the file's
 *   period, e.g. every EU zone of the same offset; the future may differ) so the CLI can say so;
 * - no offsets at all (wall time, or only "Z"): UTC, flagged as an assumption.
 *
 * Pure: no I/O.
 */
import { DateTime } from 'luxon';
import { invalid } from '../errors/wfm-error';
import { plural } from '../domain/plural';

export interface ZoneInference {
  zone: string;
  /** why this zone, for a note to the user */
  reason: string;
  /** true when the user had better give the zone (it is a guess, or one of several that fit) */
  assumption: boolean;
}

/** zone name regions, most familiar first */
const REGION_PREFERENCE = ['Europe', 'America', 'Asia', 'Australia', 'Pacific', 'Africa', 'Atlantic', 'Indian', 'Antarctica'];

/** instants checked against each candidate zone: the first, the last and both sides of each change (≤ 2 a year for 50 years) */
const MAX_PINS = 2 + 2 * 100;

const OFFSET_AT_END = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Minutes east of UTC written at the end of `timestamp`, or undefined when it has none. */
function writtenOffset(timestamp: string): number | undefined {
  const match = OFFSET_AT_END.exec(timestamp.trim());
  if (!match) return undefined;
  if (match[1].toUpperCase() === 'Z') return 0;
  const digits = match[1].replace(':', '');
  const sign = digits[0] === '-' ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * One offset throughout is also what a center with summer time writes for a history that ends before
 * its clock changes (a winter's -05:00 in New York): read as a fixed offset, a forecast past the change
 * would be an hour off on the center's clock. The reader cannot tell the two apart, so it says so.
 */
const NO_SUMMER_TIME = '(read as a fixed offset, without summer time: if the center\'s clock changes, forecasts past the change would be an hour off)';

/**
 * `timestamps`: the file's interval starts in file order (ISO-8601, with or without offsets).
 * `zones`: candidate IANA zones (default: the runtime's list).
 */
export function inferZoneFromOffsets(timestamps: readonly string[], zones: readonly string[] = supportedZones()): ZoneInference {
  const points: { epochMs: number; offset: number }[] = [];
  let hasZ = false;
  for (const text of timestamps) {
    const offset = writtenOffset(text);
    if (offset === undefined) continue;
    const iso = text.trim().replace(' ', 'T');
    // Date.parse reads the common shapes fast (a file may have 100k rows); luxon the rest of ISO-8601.
    let epochMs = Date.parse(iso);
    if (!Number.isFinite(epochMs)) epochMs = DateTime.fromISO(iso, { setZone: true }).toMillis();
    if (!Number.isFinite(epochMs)) continue;
    if (/z$/i.test(text.trim())) hasZ = true;
    points.push({ epochMs, offset });
  }
  if (points.length === 0) {
    return { zone: 'UTC', reason: 'the timestamps carry no UTC offset: read as wall time in UTC', assumption: true };
  }
  const offsets = [...new Set(points.map((p) => p.offset))];
  if (offsets.length === 1 && offsets[0] % 60 === 0) {
    const hours = offsets[0] / 60;
    if (hours === 0) {
      return { zone: 'UTC', reason: hasZ ? 'the timestamps are in UTC ("Z"): days and the intraday pattern are read in UTC' : `every timestamp has offset +00:00 ${NO_SUMMER_TIME}`, assumption: true };
    }
    // Etc/GMT signs are POSIX-style: Etc/GMT-2 is two hours east of UTC.
    return { zone: `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`, reason: `every timestamp has offset ${formatOffset(offsets[0])} ${NO_SUMMER_TIME}`, assumption: true };
  }
  // The instants that pin a zone down: the first, and both sides of every change of offset.
  const sorted = [...points].sort((a, b) => a.epochMs - b.epochMs);
  const pins = [sorted[0]];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].offset !== sorted[i - 1].offset) pins.push(sorted[i - 1], sorted[i]);
  }
  pins.push(sorted[sorted.length - 1]);
  // Two changes a year at most in any real zone: far more means offsets written inconsistently, which
  // no zone follows (and checking hundreds of zones at every change would take long).
  if (pins.length > MAX_PINS) {
    throw invalid(`the timestamps' UTC offsets change ${(pins.length - 2) / 2} times: name the zone`, [{ where: 'interval_start', message: 'offsets change more often than any time zone\'s do' }]);
  }
  const fitting = zones.filter((zone) => pins.every((p) => DateTime.fromMillis(p.epochMs, { zone }).offset === p.offset));
  const shown = offsets.map(formatOffset).join(' and ');
  if (fitting.length === 0) {
    throw invalid(`the timestamps' UTC offsets (${shown}) follow no time zone's rules: name the zone`, [{ where: 'interval_start', message: `offsets ${shown} change at instants no IANA zone changes at` }]);
  }
  // Any fitting zone reads the file alike; name a familiar one (Europe/… before Africa/Ceuta).
  const rank = (zone: string) => {
    const region = REGION_PREFERENCE.indexOf(zone.split('/')[0]);
    return region < 0 ? REGION_PREFERENCE.length : region;
  };
  const chosen = [...fitting].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
  const others = fitting.length - 1;
  return {
    zone: chosen,
    reason: `the timestamps' offsets (${shown}) follow ${chosen}'s rules${others > 0 ? ` (and those of ${plural(others, 'other zone')} over this period)` : ''}`,
    assumption: true,
  };
}

function supportedZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
}

/**
 * A note when the offsets written in the timestamps are not `zone`'s at those instants (a file of
 * +05:00 rows read with --tz Europe/Berlin), else undefined. The instants stay right, but days, weekdays
 * and the intraday pattern are read on `zone`'s clock, so a wrong --tz shifts the whole pattern: most
 * likely the user named the wrong zone. "Z" (UTC exports) is expected with any zone and not reported.
 */
export function offsetsOutsideZone(timestamps: readonly string[], zone: string): string | undefined {
  let mismatched = 0;
  let withOffset = 0;
  const seen = new Set<number>();
  let example: string | undefined;
  // zones change offset on the hour or half hour: one luxon lookup per half hour reads 100k rows fast
  const offsetByHalfHour = new Map<number, number>();
  const zoneOffset = (epochMs: number) => {
    const key = Math.floor(epochMs / 1_800_000);
    let value = offsetByHalfHour.get(key);
    if (value === undefined) offsetByHalfHour.set(key, (value = DateTime.fromMillis(key * 1_800_000, { zone }).offset));
    return value;
  };
  for (const text of timestamps) {
    const offset = writtenOffset(text);
    if (offset === undefined || /z$/i.test(text.trim())) continue;
    const iso = text.trim().replace(' ', 'T');
    let epochMs = Date.parse(iso);
    if (!Number.isFinite(epochMs)) epochMs = DateTime.fromISO(iso, { setZone: true }).toMillis();
    if (!Number.isFinite(epochMs)) continue;
    withOffset++;
    if (zoneOffset(epochMs) === offset) continue;
    mismatched++;
    seen.add(offset);
    example ??= text.trim();
  }
  if (mismatched === 0) return undefined;
  const shown = [...seen].slice(0, 3).map(formatOffset).join(', ') + (seen.size > 3 ? ', …' : '');
  return `${mismatched} of ${withOffset} timestamps carry an offset (${shown}) that ${zone} does not have at that instant (first: ${example}): days and the intraday pattern are read on ${zone}'s clock; check --tz`;
}
