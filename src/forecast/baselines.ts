/**
 * The one forecaster contract (fit on history, predict days, an alias) and the classic baselines every
 * learned model is scored against: the same weekday last week, the mean of the last 4 same weekdays,
 * and seasonal exponential smoothing (each weekday × interval smoothed across weeks).
 */
import type { DaySeries } from './day-series';
import { weekdayOf } from './day-series';
import type { DayCalendar } from './calendar';
import { calibrateBands, type BandCalibration, type CalibrationOptions } from './bands';
import { median } from './stats';

export interface DayForecaster {
  readonly alias: string;
  /** learns from the days of `history` (all of them are in the past) */
  fit(history: DaySeries, calendar: DayCalendar): void;
  /** point forecast per day and slot for future local dates (after the history) */
  predict(dates: string[]): number[][];
}

/**
 * A baseline that knows nothing of the calendar, with the planner's declared uplift applied on special
 * days: a sale declared ×4 is ×4 whichever model answers (the decomposition applies it itself, and a
 * combination's baseline member used to halve it).
 */
export class WithDeclaredUplift implements DayForecaster {
  readonly alias: string;
  private calendar!: DayCalendar;
  constructor(private readonly inner: DayForecaster) {
    this.alias = inner.alias;
  }
  fit(history: DaySeries, calendar: DayCalendar): void {
    this.calendar = calendar;
    this.inner.fit(history, calendar);
  }
  predict(dates: string[]): number[][] {
    return this.inner.predict(dates).map((row, i) => {
      const uplift = this.calendar.special.get(dates[i])?.uplift;
      return uplift !== undefined && uplift > 0 ? row.map((v) => v * uplift) : row;
    });
  }
}

/** A day is usable as a reference when it has data and no missing open interval. */
export function isCompleteDay(series: DaySeries, day: number): boolean {
  if (!series.present[day]) return false;
  const open = series.open[series.weekdays[day] - 1];
  return series.values[day].every((v, s) => !open[s] || Number.isFinite(v));
}

/** Indices of the last `count` complete days with the given weekday, most recent first. */
export function lastSameWeekdays(series: DaySeries, weekday: number, count: number, exclude?: Set<string>): number[] {
  const found: number[] = [];
  for (let d = series.dates.length - 1; d >= 0 && found.length < count; d--) {
    if (series.weekdays[d] === weekday && isCompleteDay(series, d) && !exclude?.has(series.dates[d])) found.push(d);
  }
  return found;
}

function closedMask(series: DaySeries, date: string, row: number[]): number[] {
  const open = series.open[weekdayOf(date) - 1];
  return row.map((v, s) => (open[s] ? v : 0));
}

export class SameWeekdayLastWeek implements DayForecaster {
  readonly alias = 'naive-last-week';
  private history!: DaySeries;
  fit(history: DaySeries): void {
    this.history = history;
  }
  predict(dates: string[]): number[][] {
    return dates.map((date) => {
      const [day] = lastSameWeekdays(this.history, weekdayOf(date), 1);
      const row = day === undefined ? new Array<number>(this.history.slotsPerDay).fill(0) : this.history.values[day].map((v) => (Number.isFinite(v) ? v : 0));
      return closedMask(this.history, date, row);
    });
  }
}

export class MeanOfLastFourWeekdays implements DayForecaster {
  readonly alias = 'naive-mean-4-weeks';
  private history!: DaySeries;
  fit(history: DaySeries): void {
    this.history = history;
  }
  predict(dates: string[]): number[][] {
    return dates.map((date) => {
      const days = lastSameWeekdays(this.history, weekdayOf(date), 4);
      const row = new Array<number>(this.history.slotsPerDay).fill(0);
      for (const d of days) this.history.values[d].forEach((v, s) => (row[s] += v / days.length));
      return closedMask(this.history, date, row);
    });
  }
}

/** A day whose total lies more than this factor off the median of its weekday's recent days is an outlier… */
const OUTLYING_DAY_FACTOR = 2;
/** …judged against this many of the weekday's most recent ordinary days… */
const OUTLIER_REFERENCE_DAYS = 8;
/** …and further off it than this many Poisson standard deviations of the median (√median). */
const OUTLIER_NOISE_SIGMAS = 4;

/**
 * The mean of the last 4 same weekdays as the service answers with it live (the flagged fallback before
 * a model is trained or with under four weeks of history, and the CLI's --baseline): past public holidays
 * and declared special days are passed over for earlier weeks (an Eid Thursday at a sixth of the volume
 * dragged every coming Thursday down), and so are outlying days, whose total lies more than ×2 off the
 * median of the weekday's last 8 ordinary days and further than 4 √median (count noise) (a storm Tuesday
 * at 20× the calls made both coming Tuesdays five times the others). With fewer than 3 such days there is no median to judge by, and
 * every one counts. MeanOfLastFourWeekdays stays the plain textbook baseline: it is the reference the
 * backtest scores every model against, and what the candidates' validation compares.
 */
export class MeanOfLastFourOrdinaryWeekdays implements DayForecaster {
  readonly alias = 'naive-mean-4-weeks';
  private history!: DaySeries;
  private notOrdinary = new Set<string>();
  fit(history: DaySeries, calendar: DayCalendar): void {
    this.history = history;
    this.notOrdinary = new Set([...calendar.holidays, ...calendar.special.keys()]);
  }
  predict(dates: string[]): number[][] {
    return dates.map((date) => {
      const weekday = weekdayOf(date);
      let days = this.withoutOutlyingDays(lastSameWeekdays(this.history, weekday, OUTLIER_REFERENCE_DAYS, this.notOrdinary)).slice(0, 4);
      if (days.length === 0) days = lastSameWeekdays(this.history, weekday, 4); // only holidays of this weekday: better than nothing
      const row = new Array<number>(this.history.slotsPerDay).fill(0);
      for (const d of days) this.history.values[d].forEach((v, s) => (row[s] += v / days.length));
      return closedMask(this.history, date, row);
    });
  }
  private withoutOutlyingDays(days: number[]): number[] {
    if (days.length < 3) return days;
    const total = (d: number) => this.history.values[d].reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
    const typical = median(days.map(total));
    if (!(typical > 0)) return days;
    // and beyond count noise: a quiet queue's 19 calls against a median of 42 are an ordinary day
    const noise = OUTLIER_NOISE_SIGMAS * Math.sqrt(typical);
    return days.filter((d) => {
      const off = Math.abs(total(d) - typical);
      return off <= noise || (total(d) <= typical * OUTLYING_DAY_FACTOR && total(d) >= typical / OUTLYING_DAY_FACTOR);
    });
  }
}

/** Simple exponential smoothing of each weekday × interval across weeks (season length one week). */
export class SeasonalExponentialSmoothing implements DayForecaster {
  readonly alias = 'seasonal-es';
  private history!: DaySeries;
  private smoothed: number[][] = [];
  constructor(private readonly alpha = 0.3) {}
  fit(history: DaySeries): void {
    this.history = history;
    this.smoothed = Array.from({ length: 7 }, () => new Array<number>(history.slotsPerDay).fill(NaN));
    for (let d = 0; d < history.dates.length; d++) {
      if (!isCompleteDay(history, d)) continue;
      const level = this.smoothed[history.weekdays[d] - 1];
      history.values[d].forEach((v, s) => {
        level[s] = Number.isFinite(level[s]) ? this.alpha * v + (1 - this.alpha) * level[s] : v;
      });
    }
  }
  predict(dates: string[]): number[][] {
    return dates.map((date) => closedMask(this.history, date, this.smoothed[weekdayOf(date) - 1].map((v) => (Number.isFinite(v) ? v : 0))));
  }
}

/** How many recent days the flagged baseline's own errors are measured on. */
const NAIVE_BAND_DAYS = 56;

/**
 * Bands for the flagged baseline answer (too little history for the learned model): the errors the
 * mean of the previous same weekdays (up to four) made on the history itself, per interval and as
 * totals over `steps` consecutive intervals. Call-center counts are over-dispersed, so a plain Poisson
 * band would be far too narrow; two weeks of history already give a few hundred residuals.
 */
export function naiveBands(history: DaySeries, steps = 1, calibration: CalibrationOptions = {}): { step: BandCalibration; total: BandCalibration } {
  const stepPairs: Array<{ actual: number; p50: number }> = [];
  const totalPairs: Array<{ actual: number; p50: number }> = [];
  const n = history.dates.length;
  for (let d = Math.max(0, n - NAIVE_BAND_DAYS); d < n; d++) {
    if (!isCompleteDay(history, d)) continue;
    const before = lastSameWeekdays(headOfDays(history, d), history.weekdays[d], 4);
    if (before.length === 0) continue;
    const open = history.open[history.weekdays[d] - 1];
    const forecast = history.values[d].map((_, s) => before.reduce((a, b) => a + history.values[b][s], 0) / before.length);
    for (let s = 0; s < history.slotsPerDay; s++) {
      if (!open[s]) continue;
      stepPairs.push({ actual: history.values[d][s], p50: forecast[s] });
      let actual = 0;
      let expected = 0;
      for (let j = s; j < Math.min(history.slotsPerDay, s + steps); j++) if (open[j]) { actual += history.values[d][j]; expected += forecast[j]; }
      totalPairs.push({ actual, p50: expected });
    }
  }
  const step = calibrateBands(stepPairs, calibration);
  return { step, total: steps === 1 ? step : calibrateBands(totalPairs, calibration) };
}

/** The first `days` days of a series, for lookups only (opening hours are not re-inferred). */
function headOfDays(series: DaySeries, days: number): DaySeries {
  return { ...series, dates: series.dates.slice(0, days), weekdays: series.weekdays.slice(0, days), values: series.values.slice(0, days), present: series.present.slice(0, days) };
}

/** How many ordinary same weekdays before a past special day its ratio is measured against. */
const UPLIFT_REFERENCE_DAYS = 4;

/** A special day's label as the planner means it: "Black Friday" and "black friday " are one label. */
const labelKey = (label: string) => label.trim().toLowerCase();

/**
 * Uplifts for the special days among `dates` declared without one, learned from the history's past
 * special days with the same label: the median, over those days, of a day's total against the mean of
 * the up to 4 ordinary (neither holiday nor special) complete same weekdays before it. A label the
 * history has no complete day of gets none: the day is then forecast as an ordinary one.
 */
export function learnedUplifts(history: DaySeries, calendar: DayCalendar, dates: readonly string[]): Map<string, { uplift: number; days: number }> {
  const learned = new Map<string, { uplift: number; days: number }>();
  const wanted = new Set(dates.map((date) => calendar.special.get(date)).filter((s) => s !== undefined && s.uplift === undefined).map((s) => labelKey(s!.label)));
  if (wanted.size === 0) return learned;
  const notOrdinary = (date: string) => calendar.holidays.has(date) || calendar.special.has(date);
  const total = (d: number) => history.values[d].reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
  const ratios = new Map<string, number[]>();
  history.dates.forEach((date, d) => {
    const special = calendar.special.get(date);
    if (!special || !wanted.has(labelKey(special.label)) || !isCompleteDay(history, d)) return;
    const before: number[] = [];
    for (let b = d - 7; b >= 0 && before.length < UPLIFT_REFERENCE_DAYS; b -= 7) if (isCompleteDay(history, b) && !notOrdinary(history.dates[b])) before.push(total(b));
    const ordinary = before.reduce((a, v) => a + v, 0) / before.length;
    if (ordinary > 0) ratios.set(labelKey(special.label), [...(ratios.get(labelKey(special.label)) ?? []), total(d) / ordinary]);
  });
  for (const date of dates) {
    const special = calendar.special.get(date);
    const seen = special && special.uplift === undefined ? ratios.get(labelKey(special.label)) : undefined;
    if (seen?.length && median(seen) > 0) learned.set(date, { uplift: median(seen), days: seen.length });
  }
  return learned;
}
