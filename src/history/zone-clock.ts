/**
 * A fast wall-clock view of one IANA zone for bulk work (100k history rows).
 *
 * It gives the same answers as src/time/grid.ts (interval flooring keeps the instant's own offset, so a
 * repeated fall-back hour yields two sets of intervals, and an offset change inside an interval cuts it
 * there), but asks luxon for the zone's UTC offset only once per quarter hour of absolute time and
 * caches it: a luxon DateTime per row costs ~20 µs, which would put 100k rows well over a second. Zone
 * transitions happen on quarter-hour instants in every zone since the 1970s, so one offset per quarter
 * hour is exact for any realistic history.
 */
import { IANAZone } from 'luxon';

// Local copies of grid.ts's constants: imported bindings are property reads through the module object
// in CommonJS, which shows up in a loop run 100k times.
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 15 * MINUTE_MS;

const mod = (a: number, n: number): number => ((a % n) + n) % n;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Start of the instant's wall-clock cell reckoned back on `offset` (minutes), in absolute time. */
function floorOnOffset(epochMs: number, offset: number, intervalMinutes: number): number {
  const msIntoDay = mod(epochMs + offset * MINUTE_MS, DAY_MS);
  return epochMs - (Math.floor(msIntoDay / MINUTE_MS) % intervalMinutes) * MINUTE_MS - (msIntoDay % MINUTE_MS);
}

export type LocalResolution =
  | { kind: 'ok'; epochMs: number }
  | { kind: 'gap' }
  /** the two instants that wall time names, earlier (first pass, the summer offset) first */
  | { kind: 'ambiguous'; earlier: number; later: number };

export class ZoneClock {
  private readonly zone: IANAZone;
  private readonly offsets = new Map<number, number>();
  /** offset of a whole UTC day, NaN when it changes during that day */
  private readonly dayOffsets = new Map<number, number>();

  constructor(readonly zoneName: string) {
    this.zone = IANAZone.create(zoneName);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone: ${zoneName}`);
  }

  /**
   * UTC offset in minutes at an instant. Cached per UTC day when the offset is the same at both ends of
   * the day (no zone changes offset twice within a day and back), otherwise per quarter hour: about two
   * luxon look-ups per day of history instead of one per row.
   */
  offsetMinutes(epochMs: number): number {
    const day = Math.floor(epochMs / DAY_MS);
    let dayOffset = this.dayOffsets.get(day);
    if (dayOffset === undefined) {
      const atStart = this.zone.offset(day * DAY_MS);
      const atEnd = this.zone.offset((day + 1) * DAY_MS - 1);
      dayOffset = atStart === atEnd ? atStart : NaN;
      this.dayOffsets.set(day, dayOffset);
    }
    if (!Number.isNaN(dayOffset)) return dayOffset;
    const bucket = Math.floor(epochMs / QUARTER_HOUR_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      offset = this.zone.offset(bucket * QUARTER_HOUR_MS);
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  /** The instant shifted so that its UTC fields read as the zone's wall clock. */
  private wallMs(epochMs: number): number {
    return epochMs + this.offsetMinutes(epochMs) * MINUTE_MS;
  }

  minuteOfDay(epochMs: number): number {
    return Math.floor(mod(this.wallMs(epochMs), DAY_MS) / MINUTE_MS);
  }

  /** ISO weekday, Monday = 1 … Sunday = 7. */
  isoWeekday(epochMs: number): number {
    const day = new Date(this.wallMs(epochMs)).getUTCDay();
    return day === 0 ? 7 : day;
  }

  /**
   * Same as grid.ts intervalStartOf: floor on the wall clock on the instant's own offset (subtract in
   * absolute time), but not back past an offset change: a cell cut by the change starts at the change.
   */
  intervalStartOf(epochMs: number, intervalMinutes: number): number {
    const offset = this.offsetMinutes(epochMs);
    const floored = floorOnOffset(epochMs, offset, intervalMinutes);
    if (floored === epochMs) return floored;
    const flooredOffset = this.offsetMinutes(floored);
    return flooredOffset === offset ? floored : this.offsetChangeIn(floored, flooredOffset, epochMs);
  }

  /** Same as grid.ts nextIntervalStart: the end of the cell on its offset, or the change if that comes first. */
  nextIntervalStart(intervalStart: number, intervalMinutes: number): number {
    const offset = this.offsetMinutes(intervalStart);
    const cellEnd = floorOnOffset(intervalStart, offset, intervalMinutes) + intervalMinutes * MINUTE_MS;
    return this.offsetMinutes(cellEnd) === offset ? cellEnd : this.offsetChangeIn(intervalStart, offset, cellEnd);
  }

  /** The first instant in (from, to] off `offsetAtFrom`: changes fall on quarter hours (see above). */
  private offsetChangeIn(fromMs: number, offsetAtFrom: number, toMs: number): number {
    for (let q = Math.floor(fromMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + QUARTER_HOUR_MS; q < toMs; q += QUARTER_HOUR_MS) {
      if (this.offsetMinutes(q) !== offsetAtFrom) return q;
    }
    return toMs;
  }

  /**
   * Wall-clock fields → instant. A wall time can map to no instant (spring-forward gap) or to two
   * (fall-back overlap); both are reported instead of guessed, as parseTimestamp in grid.ts does.
   * Assumes at most one offset change within a day either side, which holds for every real zone.
   */
  resolveLocal(wallAsUtcMs: number): LocalResolution {
    const before = this.offsetMinutes(wallAsUtcMs - DAY_MS);
    const after = this.offsetMinutes(wallAsUtcMs + DAY_MS);
    const matches: number[] = [];
    for (const offset of before === after ? [before] : [before, after]) {
      const candidate = wallAsUtcMs - offset * MINUTE_MS;
      if (this.offsetMinutes(candidate) === offset) matches.push(candidate);
    }
    if (matches.length === 0) return { kind: 'gap' };
    if (matches.length > 1 && matches[0] !== matches[1]) return { kind: 'ambiguous', earlier: Math.min(matches[0], matches[1]), later: Math.max(matches[0], matches[1]) };
    return { kind: 'ok', epochMs: matches[0] };
  }

  /** "HH:mm" of the wall clock (for messages). */
  wallTime(epochMs: number): string {
    const d = new Date(this.wallMs(epochMs));
    return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  }

  /** ISO-8601 with the zone's offset, seconds shown, e.g. "1999-02-03T13:00:00+02:00" (as luxon's toISO). */
  format(epochMs: number): string {
    const offset = this.offsetMinutes(epochMs);
    const d = new Date(epochMs + offset * MINUTE_MS);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const millis = d.getUTCMilliseconds();
    const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`;
    return (
      `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
      `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${fraction}` +
      `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
    );
  }
}

/** One clock per zone name, created on first use. */
export class ZoneClocks {
  private readonly clocks = new Map<string, ZoneClock>();
  get(zoneName: string): ZoneClock {
    let clock = this.clocks.get(zoneName);
    if (!clock) {
      clock = new ZoneClock(zoneName);
      this.clocks.set(zoneName, clock);
    }
    return clock;
  }
}
