/**
 * The forecasting core's view of history: one row per local calendar day, one column per interval of
 * the day on the skill group's wall clock (slot = minute of day / interval length). Days are
 * consecutive from the first to the last day of history, so "the same weekday last week" is always
 * `day - 7`. Missing data is NaN (never zero); closed intervals are 0 and are never scored.
 *
 * DST: the intervals of a repeated hour fold onto the same slot (summed); the slots of a skipped hour
 * stay 0. Both happen at night, when contact centers are closed or nearly so.
 */
import { DateTime } from 'luxon';
import type { IntervalVolume, IsoWeekday, WeeklyWindow } from '../domain/types';
import { inWeeklyWindows, localDate, minuteOfDay } from '../time/grid';
import { invalid } from '../errors/wfm-error';
import { median } from './stats';

export interface DaySeries {
  skillGroupId: string;
  zone: string;
  intervalMinutes: number;
  slotsPerDay: number;
  /** consecutive local dates "YYYY-MM-DD" */
  dates: string[];
  weekdays: IsoWeekday[];
  /** volume per day and slot; NaN = missing inside opening hours; 0 outside */
  values: number[][];
  /** volume-weighted handle time per day and slot (NaN when unknown) */
  aht: number[][];
  /** whether the day had any rows at all */
  present: boolean[];
  /**
   * whether a row was given for the day and slot, even of 0 calls (series are only ever cut to their
   * first days, so day indices stay the same)
   */
  given: boolean[][];
  /** opening hours per ISO weekday (index weekday-1) and slot */
  open: boolean[][];
  /** true when `open` came from configuration, false when inferred from this history */
  openingHoursConfigured: boolean;
}

export interface DaySeriesOptions {
  skillGroupId: string;
  zone: string;
  intervalMinutes: number;
  /** configured opening hours; inferred from history when absent */
  openingHours?: WeeklyWindow[];
}

/** Share of a weekday's days with volume in a slot above which the slot counts as open. */
const OPEN_SHARE = 0.2;
/** …and whose mean volume reaches this share of the weekday's busiest slot (days held to 3× its median day: one surge does not close the rest of the day)… */
const OPEN_MIN_OF_PEAK = 0.05;
/**
 * …or this many calls an hour, whatever the peak: a 24/7 line's night (30 calls a quarter hour against
 * 1,000 at noon) is open, while a closed bank's trickle at night (callers meeting the IVR, 0–2 a half
 * hour, hanging up unanswered) is not.
 */
const OPEN_CALLS_PER_HOUR = 6;
/**
 * A slot with a row (even of 0 calls) on at least this share of the weekday's days, and calls on at
 * least GIVEN_OPEN_SHARE of them, is open too: a quiet queue (0.3 calls a half hour) has calls in a
 * slot on fewer than OPEN_SHARE of its days, but an export that writes its zeros shows it was open.
 * (An export that writes zeros round the clock has no calls at night: those slots stay closed.)
 */
const GIVEN_SHARE = 0.5;
const GIVEN_OPEN_SHARE = 0.05;
/**
 * Round the clock: when the slots the volume rules leave closed had calls answered regularly — a handle
 * time on at least OPEN_SHARE of the weekday's days, and on two of them at least — in at least
 * ROUND_THE_CLOCK_SHARE of those slots (half: a night slot at 0.3 calls a quarter hour has calls on two
 * of eight days two times in three), the weekday is open all day, whatever the night's volume. A 24/7
 * roadside line's night (0.3–0.6 calls a quarter hour against 12 at noon) is under any share of the peak
 * and under OPEN_CALLS_PER_HOUR, and the volume rules closed scattered night and quiet-evening slots; but
 * its calls were handled, night after night. A bank answers a night call now and then (the anonbank
 * export: handle times on 8 of 175 rows at midnight; one January night with five such slots), so its
 * hours stay those of its volume, and a night answered once does not become a slot to staff.
 */
const ROUND_THE_CLOCK_SHARE = 0.5;
const ANSWERED_MIN_DAYS = 2;
/** Opening hours are inferred from this many recent weeks. */
const OPENING_WEEKS = 8;
/** An absent interval in an open slot is a true zero if zero arrivals are plausible (Poisson P(0) ≥ 1%). */
const MISSING_IF_EXPECTED_ABOVE = 4.6;

const DAY_MS = 86_400_000;

/** Calendar arithmetic on local dates (plain dates: no zone, so UTC midnight is exact and fast). */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function weekdayOf(isoDate: string): IsoWeekday {
  return ((new Date(`${isoDate}T00:00:00Z`).getUTCDay() + 6) % 7 + 1) as IsoWeekday;
}

export function buildDaySeries(history: IntervalVolume[], options: DaySeriesOptions): DaySeries {
  const { zone, intervalMinutes } = options;
  if (!(intervalMinutes > 0) || 1440 % intervalMinutes !== 0) {
    throw invalid(`interval must divide a day into whole intervals, got ${intervalMinutes} minutes`);
  }
  const rows = history.filter((r) => r.skillGroupId === options.skillGroupId);
  if (rows.length === 0) throw invalid(`no history rows for skill group "${options.skillGroupId}"`);
  const slotsPerDay = 1440 / intervalMinutes;
  let first = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    first = Math.min(first, r.start);
    last = Math.max(last, r.start);
  }
  const firstDate = localDate(first, zone);
  const lastDate = localDate(last, zone);
  const dates: string[] = [];
  for (let d = firstDate; d <= lastDate; d = addDays(d, 1)) dates.push(d);
  const index = new Map(dates.map((d, i) => [d, i]));
  const values = dates.map(() => new Array<number>(slotsPerDay).fill(0));
  const ahtWeighted = dates.map(() => new Array<number>(slotsPerDay).fill(0));
  const ahtVolume = dates.map(() => new Array<number>(slotsPerDay).fill(0));
  const seen = dates.map(() => new Array<boolean>(slotsPerDay).fill(false));
  const present = dates.map(() => false);
  for (const r of rows) {
    const day = index.get(localDate(r.start, zone))!;
    const slot = Math.floor(minuteOfDay(r.start, zone) / intervalMinutes);
    values[day][slot] += r.volume;
    seen[day][slot] = true;
    present[day] = true;
    if (r.ahtSeconds !== undefined && Number.isFinite(r.ahtSeconds) && r.volume > 0) {
      ahtWeighted[day][slot] += r.ahtSeconds * r.volume;
      ahtVolume[day][slot] += r.volume;
    }
  }
  const weekdays = dates.map(weekdayOf);
  const aht = ahtWeighted.map((row, d) => row.map((w, s) => (ahtVolume[d][s] > 0 ? w / ahtVolume[d][s] : NaN)));
  const open = options.openingHours
    ? openFromWindows(options.openingHours, slotsPerDay, intervalMinutes)
    : inferOpeningHours(values, present, weekdays, slotsPerDay, seen, aht);
  for (let d = 0; d < dates.length; d++) {
    for (let s = 0; s < slotsPerDay; s++) {
      const isOpen = open[weekdays[d] - 1][s];
      if (!present[d]) values[d][s] = isOpen ? NaN : 0;
      else if (isOpen && !seen[d][s] && zeroIsImplausible(values, present, d, s)) values[d][s] = NaN;
    }
  }
  return { skillGroupId: options.skillGroupId, zone, intervalMinutes, slotsPerDay, dates, weekdays, values, aht, present, given: seen, open, openingHoursConfigured: !!options.openingHours };
}

function openFromWindows(windows: WeeklyWindow[], slotsPerDay: number, intervalMinutes: number): boolean[][] {
  return [1, 2, 3, 4, 5, 6, 7].map((w) =>
    Array.from({ length: slotsPerDay }, (_, s) => inWeeklyWindows(windows, w as IsoWeekday, s * intervalMinutes)),
  );
}

/**
 * Whether an interval without rows inside opening hours is missing data: zero arrivals must be
 * implausible on both sides in time (the same weekday in the weeks before and after), so a change of
 * opening hours is not mistaken for an outage.
 */
function zeroIsImplausible(values: number[][], present: boolean[], day: number, slot: number): boolean {
  const sideMean = (direction: 1 | -1) => {
    let total = 0;
    let n = 0;
    for (let k = 1; k <= 4; k++) {
      const d = day + 7 * k * direction;
      if (d < 0 || d >= values.length || !present[d] || !Number.isFinite(values[d][slot])) continue;
      total += values[d][slot];
      n++;
    }
    return n ? total / n : NaN;
  };
  const before = sideMean(-1);
  const after = sideMean(1);
  if (!Number.isFinite(before) && !Number.isFinite(after)) return false;
  return (!Number.isFinite(before) || before > MISSING_IF_EXPECTED_ABOVE) && (!Number.isFinite(after) || after > MISSING_IF_EXPECTED_ABOVE);
}

/**
 * Per weekday, a slot is open when it had volume on at least OPEN_SHARE of that weekday's days and its
 * mean volume is at least OPEN_MIN_OF_PEAK of the weekday's busiest slot or OPEN_CALLS_PER_HOUR (a
 * 24-hour IVR trickle at night does not make a group open; a 24/7 line's night does); a weekday whose
 * quiet slots had their calls answered night after night is open all day (ROUND_THE_CLOCK_SHARE). Short quiet gaps
 * between open slots (a lunch dip) stay open.
 */
export function inferOpeningHours(values: number[][], present: boolean[], weekdays: IsoWeekday[], slotsPerDay: number, given?: boolean[][], aht?: number[][]): boolean[][] {
  return [1, 2, 3, 4, 5, 6, 7].map((w) => {
    // The most recent weeks decide: opening hours change (summer hours, a new late shift).
    const dayIndices = values.map((_, d) => d).filter((d) => present[d] && weekdays[d] === w).slice(-OPENING_WEEKS);
    const days = dayIndices.map((d) => values[d]);
    const open = new Array<boolean>(slotsPerDay).fill(false);
    if (days.length === 0) return open;
    const share = Array.from({ length: slotsPerDay }, (_, s) => days.filter((row) => row[s] > 0).length / days.length);
    const givenShare = Array.from({ length: slotsPerDay }, (_, s) => (given ? dayIndices.filter((d) => given[d]?.[s]).length / days.length : 0));
    const meanVolume = Array.from({ length: slotsPerDay }, (_, s) => days.reduce((a, row) => a + (row[s] || 0), 0) / days.length);
    const answeredDays = Array.from({ length: slotsPerDay }, (_, s) => (aht ? dayIndices.filter((d) => values[d][s] > 0 && aht[d]?.[s] > 0).length : 0));
    // The busiest slot's mean with each day held to 3× that slot's median day: one surge hour does not
    // raise the bar that closes the quiet slots of that weekday for the next eight weeks.
    const peak = Math.max(...Array.from({ length: slotsPerDay }, (_, s) => {
      const column = days.map((row) => row[s] || 0);
      const cap = 3 * median(column);
      return cap > 0 ? column.reduce((a, v) => a + Math.min(v, cap), 0) / column.length : meanVolume[s];
    }));
    const busyEnough = (OPEN_CALLS_PER_HOUR * 24) / slotsPerDay;
    for (let s = 0; s < slotsPerDay; s++) {
      const calls = share[s] >= OPEN_SHARE || (givenShare[s] >= GIVEN_SHARE && share[s] >= GIVEN_OPEN_SHARE);
      open[s] = calls && (meanVolume[s] >= OPEN_MIN_OF_PEAK * peak || meanVolume[s] >= busyEnough);
    }
    const closed = open.map((o, s) => (o ? -1 : s)).filter((s) => s >= 0);
    const answeredClosed = closed.filter((s) => answeredDays[s] >= Math.max(ANSWERED_MIN_DAYS, OPEN_SHARE * days.length)).length;
    if (closed.length > 0 && answeredClosed >= ROUND_THE_CLOCK_SHARE * closed.length) return open.fill(true);
    const maxGap = Math.max(1, Math.round(60 / (1440 / slotsPerDay)));
    let lastOpen = -1;
    for (let s = 0; s < slotsPerDay; s++) {
      if (!open[s]) continue;
      if (lastOpen >= 0 && s - lastOpen - 1 <= maxGap) for (let g = lastOpen + 1; g < s; g++) open[g] = true;
      lastOpen = s;
    }
    return open;
  });
}

/**
 * The history as it was before day index `days`: the first `days` days, with opening hours inferred
 * again from those days only (a backtest must not know future opening hours).
 */
export function headOf(series: DaySeries, days: number): DaySeries {
  const values = series.values.slice(0, days);
  const present = series.present.slice(0, days);
  const weekdays = series.weekdays.slice(0, days);
  const open = series.openingHoursConfigured ? series.open : inferOpeningHours(values, present, weekdays, series.slotsPerDay, series.given, series.aht.slice(0, days));
  return { ...series, dates: series.dates.slice(0, days), weekdays, values, aht: series.aht.slice(0, days), present, open };
}

/** Start instant of a slot on a local date, or null when that wall time does not exist (DST gap). */
export function slotInstant(isoDate: string, slot: number, zone: string, intervalMinutes: number): number | null {
  const minutes = slot * intervalMinutes;
  const dt = DateTime.fromISO(isoDate, { zone }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
  if (dt.hour * 60 + dt.minute !== minutes) return null;
  return dt.toMillis();
}

/** Number of calendar days of history (first to last day with data). */
export function historySpanDays(series: DaySeries): number {
  const first = series.present.indexOf(true);
  const last = series.present.lastIndexOf(true);
  return first < 0 ? 0 : last - first + 1;
}

