/**
 * The multiplicative decomposition behind the two-week forecast:
 *   volume(day, slot) = level × weekdayFactor(weekday) × profile(weekday, slot) × calendarFactor(day)
 * Every piece is a robust statistic (medians of day totals, trimmed means of intraday shares over the
 * last weeks), so one surge day or a few missing days do not distort next week's forecast.
 */
import type { DaySeries } from './day-series';
import { weekdayOf } from './day-series';
import type { DayCalendar } from './calendar';
import { isCompleteDay, type DayForecaster } from './baselines';
import { median, trimmedMean } from './stats';

export interface DecompositionState {
  /** deseasonalised daily volume (robust over the last LEVEL_DAYS usable days) */
  level: number;
  /** the same over the usable days before those: level / olderLevel shows the trend */
  olderLevel: number;
  /** per ISO weekday (index weekday-1), mean over open weekdays = 1 */
  weekdayFactor: number[];
  /** per weekday and slot, share of the day's volume (sums to 1 over the day, 0 when closed) */
  profile: number[][];
  /** multiplier for a public holiday, learned from past holidays or assumed like the quietest weekday */
  holidayFactor: number;
  /** per weekday and slot, typical handle time (NaN when history had none) */
  aht: number[][];
  /** multiplier per day of month (index 1..31; 1 = no effect), learned from long histories only */
  dayOfMonthFactor: number[];
}

const WEEKS_FOR_SHAPE = 8;
const LEVEL_DAYS = 21;
/** Day-of-month effects (billing cycles, paydays) are learned only from this much history… */
const MONTH_EFFECT_MIN_DAYS = 120;
/** …and shrunk toward 1 as if this many ordinary months had been seen as well. */
const MONTH_EFFECT_PRIOR = 3;

export function dayTotal(series: DaySeries, day: number): number {
  return series.values[day].reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
}

export function fitDecomposition(history: DaySeries, calendar: DayCalendar): DecompositionState {
  const slots = history.slotsPerDay;
  const usable = (d: number) => isCompleteDay(history, d) && !calendar.holidays.has(history.dates[d]) && !calendar.special.has(history.dates[d]);
  const recentByWeekday: number[][] = Array.from({ length: 7 }, () => []);
  for (let d = history.dates.length - 1; d >= 0; d--) {
    const w = history.weekdays[d] - 1;
    if (usable(d) && recentByWeekday[w].length < WEEKS_FOR_SHAPE) recentByWeekday[w].push(d);
  }
  const openWeekdays = history.open.map((row) => row.some(Boolean));
  const rawFactor = recentByWeekday.map((days, w) => (openWeekdays[w] && days.length ? median(days.map((d) => dayTotal(history, d))) : 0));
  const openFactors = rawFactor.filter((f, w) => openWeekdays[w] && f > 0);
  const norm = openFactors.length ? openFactors.reduce((a, b) => a + b, 0) / openFactors.length : 1;
  const weekdayFactor = rawFactor.map((f) => (norm > 0 ? f / norm : 0));

  const dayOfMonthFactor = fitDayOfMonth(history, usable);
  const deseasonalised: number[] = [];
  for (let d = history.dates.length - 1; d >= 0 && deseasonalised.length < 2 * LEVEL_DAYS; d--) {
    const f = weekdayFactor[history.weekdays[d] - 1] * dayOfMonthFactor[Number(history.dates[d].slice(8, 10))];
    if (usable(d) && f > 0) deseasonalised.push(dayTotal(history, d) / f);
  }
  const level = median(deseasonalised.slice(0, LEVEL_DAYS)) || 0;
  const older = deseasonalised.slice(LEVEL_DAYS);
  const olderLevel = older.length >= 5 ? median(older) : level;

  const profile = recentByWeekday.map((days, w) => {
    const open = history.open[w];
    const shares = Array.from({ length: slots }, (_, s) =>
      open[s] ? trimmedMean(days.map((d) => { const t = dayTotal(history, d); return t > 0 ? history.values[d][s] / t : NaN; })) : 0,
    );
    const total = shares.reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
    return shares.map((v) => (Number.isFinite(v) && total > 0 ? v / total : 0));
  });

  const aht = recentByWeekday.map((days) =>
    Array.from({ length: slots }, (_, s) => {
      let weighted = 0;
      let volume = 0;
      for (const d of days) {
        const a = history.aht[d][s];
        const v = history.values[d][s];
        if (Number.isFinite(a) && v > 0) { weighted += a * v; volume += v; }
      }
      return volume > 0 ? weighted / volume : NaN;
    }),
  );

  // Past holidays: actual total against what an ordinary day of that weekday would have been.
  const holidayRatios: number[] = [];
  history.dates.forEach((date, d) => {
    if (!calendar.holidays.has(date) || !history.present[d]) return;
    const f = weekdayFactor[history.weekdays[d] - 1];
    if (f > 0 && level > 0) holidayRatios.push(dayTotal(history, d) / (level * f));
  });
  const quietest = Math.min(...weekdayFactor.filter((f) => f > 0));
  const holidayFactor = holidayRatios.length ? median(holidayRatios) : Number.isFinite(quietest) ? quietest : 1;
  return { level, olderLevel, weekdayFactor, profile, holidayFactor, aht, dayOfMonthFactor };
}

/**
 * Day-of-month multipliers: each usable day's total against the median of the same weekday one and
 * four weeks around it (a local reference free of level and weekday effects), median per day of month,
 * shrunk toward 1. Call centers of banks, utilities and telcos have strong billing-cycle days.
 */
function fitDayOfMonth(history: DaySeries, usable: (d: number) => boolean): number[] {
  const factors = new Array<number>(32).fill(1);
  if (history.dates.length < MONTH_EFFECT_MIN_DAYS) return factors;
  const ratios: number[][] = Array.from({ length: 32 }, () => []);
  for (let d = 0; d < history.dates.length; d++) {
    if (!usable(d)) continue;
    const around = [-28, -21, -14, -7, 7, 14, 21, 28].map((k) => d + k).filter((x) => x >= 0 && x < history.dates.length && usable(x)).map((x) => dayTotal(history, x));
    if (around.length < 2) continue;
    const reference = median(around);
    if (reference > 0) ratios[Number(history.dates[d].slice(8, 10))].push(dayTotal(history, d) / reference);
  }
  for (let dom = 1; dom <= 31; dom++) {
    const xs = ratios[dom];
    if (xs.length === 0) continue;
    factors[dom] = 1 + ((median(xs) - 1) * xs.length) / (xs.length + MONTH_EFFECT_PRIOR);
  }
  return factors;
}

/** Calendar multiplier of a date relative to an ordinary day of its weekday. */
export function calendarFactor(state: DecompositionState, calendar: DayCalendar, date: string): number {
  let factor = 1;
  if (calendar.holidays.has(date)) {
    const f = state.weekdayFactor[weekdayOf(date) - 1];
    factor *= f > 0 ? Math.min(1, state.holidayFactor / f) : 1;
  }
  const special = calendar.special.get(date);
  if (special?.uplift !== undefined && special.uplift > 0) factor *= special.uplift;
  return factor;
}

export function decompositionForecast(state: DecompositionState, calendar: DayCalendar, dates: string[]): number[][] {
  return dates.map((date) => {
    const w = weekdayOf(date) - 1;
    const dayVolume = state.level * state.weekdayFactor[w] * state.dayOfMonthFactor[Number(date.slice(8, 10))] * calendarFactor(state, calendar, date);
    return state.profile[w].map((share) => dayVolume * share);
  });
}

export class DecompositionForecaster implements DayForecaster {
  readonly alias = 'decomposition';
  state!: DecompositionState;
  private calendar!: DayCalendar;
  fit(history: DaySeries, calendar: DayCalendar): void {
    this.state = fitDecomposition(history, calendar);
    this.calendar = calendar;
  }
  predict(dates: string[]): number[][] {
    return decompositionForecast(this.state, this.calendar, dates);
  }
}
