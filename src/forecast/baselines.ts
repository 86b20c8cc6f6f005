/**
 * The one forecaster contract (fit on history, predict days, an alias) and the classic baselines every
 * learned model is scored against: the same weekday last week, the mean of the last 4 same weekdays,
 * and seasonal exponential smoothing (each weekday × interval smoothed across weeks).
 */
import type { DaySeries } from './day-series';
import { weekdayOf } from './day-series';
import type { DayCalendar } from './calendar';
import { calibrateBands, type BandCalibration, type CalibrationOptions } from './bands';

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
