/**
 * Is the two-week level miss predictable from the series' own past? The structural model's level (a
 * trimmed mean of the last 28 ordinary days, deseasonalised) missed the last 8 weeks' windows by
 * several percent; a planner would ask whether the last days' deviation from the structural forecast
 * carries over into the next two weeks, or whether another level window would have done better.
 *
 * This measures it on the history before the benchmark windows (origins every day whose 14 days end
 * before the first benchmark origin), then checks the benchmark windows out of sample:
 * - the autocorrelation of the one-day-ahead daily residual log(actual / structural) at lags 1–14;
 * - how well the window's miss (log of its total over the structural total) follows the last days'
 *   residual, the previous (non-overlapping) window's miss and the model's own trend (level / older level);
 * - a persistence correction: each forecast day × exp(β(k) × recent residual), k days after the last
 *   observed ordinary day, β(k) ≥ 0 fitted by least squares on the history (negative persistence is
 *   clipped to 0: shrinkage toward "no persistence");
 * - other level windows in place of the live one (trimmed means of 14 and 56 days, an exponentially
 *   weighted mean with a 28-day half-life).
 * Every WAPE is the live model's (the structural forecast answered with Poisson medians) on 30-minute
 * intervals in opening hours. Nothing here feeds the service.
 */
import { headOf, type DaySeries } from '../src/forecast/day-series';
import type { DayCalendar } from '../src/forecast/calendar';
import { fitDecomposition, decompositionForecast, dayTotal, calendarKind, type DecompositionState } from '../src/forecast/decomposition';
import { isCompleteDay } from '../src/forecast/baselines';
import { poissonMedian, trimmedMean } from '../src/forecast/stats';

/** Half-life (days) of the weights of the last ordinary days in the "recent residual". */
const RECENT_HALF_LIFE_DAYS = 1.5;
const MAX_DISTANCE = 16;

export interface LevelPersistence {
  fitOrigins: number;
  /** autocorrelation of the one-day-ahead residual at lags 1, 2, 3, 7, 14 */
  acf: Array<{ lag: number; r: number }>;
  /** correlation of the window miss with: the recent residual, the previous window's miss, the trend */
  windowCorrelation: { recent: number; previousWindow: number; trend: number };
  /** fitted β(k) at distances 1..14 */
  beta: number[];
  /** interval WAPE of the live structural forecast, and with the persistence correction: on the history (in sample) and the benchmark windows */
  persistence: { history: [number, number]; windows: [number, number] };
  /** interval WAPE with other level windows: label → [history, benchmark windows] */
  levelWindows: Array<{ label: string; history: number; windows: number }>;
}

interface OriginRow {
  origin: number;
  state: DecompositionState;
  recent: number;
  /** calendar days from the last ordinary day used in `recent` to each forecast day */
  distance: number[];
  /** per forecast day: log(actual / structural) on ordinary days, NaN otherwise */
  dayResidual: number[];
  windowMiss: number;
  forecast: number[][];
  /** opening hours as the service saw them at the origin (inferred from the history before it) */
  open: boolean[][];
  /** deseasonalised ordinary days before the origin, most recent first */
  deseasonalised: number[];
}

const rowTotal = (row: number[]) => row.reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);

function originRow(series: DaySeries, calendar: DayCalendar, o: number, ordinary: (d: number) => boolean): OriginRow {
  const before = headOf(series, o);
  const state = fitDecomposition(before, calendar);
  const back = decompositionForecast(state, calendar, series.dates.slice(o - 14, o));
  let weighted = 0;
  let weight = 0;
  let lastUsed = -1;
  for (let k = 13; k >= 0; k--) {
    const d = o - 14 + k;
    const expected = rowTotal(back[k]);
    if (!ordinary(d) || !(expected > 0)) continue;
    if (lastUsed < 0) lastUsed = d;
    // Short days (a bank's Friday) are noisier: weighted by the square root of their weekday factor.
    const w = Math.pow(0.5, (o - 1 - d) / RECENT_HALF_LIFE_DAYS) * Math.sqrt(state.weekdayFactor[series.weekdays[d] - 1]);
    weighted += w * Math.log(dayTotal(series, d) / expected);
    weight += w;
  }
  const days = Math.min(14, series.dates.length - o);
  const forecast = decompositionForecast(state, calendar, series.dates.slice(o, o + days));
  let actual = 0;
  let expected = 0;
  const dayResidual = forecast.map((row, i) => {
    const d = o + i;
    const f = rowTotal(row);
    if (!isCompleteDay(series, d)) return NaN;
    actual += dayTotal(series, d);
    expected += f;
    return ordinary(d) && f > 0 ? Math.log(dayTotal(series, d) / f) : NaN;
  });
  const deseasonalised: number[] = [];
  for (let d = o - 1; d >= 0 && deseasonalised.length < 120; d--) {
    const f = state.weekdayFactor[series.weekdays[d] - 1] * state.dayOfMonthFactor[Number(series.dates[d].slice(8, 10))];
    if (ordinary(d) && f > 0) deseasonalised.push(dayTotal(series, d) / f);
  }
  return {
    origin: o,
    state,
    recent: weight > 0 ? weighted / weight : 0,
    distance: forecast.map((_, i) => (lastUsed >= 0 ? o + i - lastUsed : Infinity)),
    dayResidual,
    windowMiss: expected > 0 && actual > 0 ? Math.log(actual / expected) : NaN,
    forecast,
    open: before.open,
    deseasonalised,
  };
}

function correlation(a: number[], b: number[]): number {
  const pairs = a.map((x, i) => [x, b[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pairs.length < 3) return NaN;
  const ma = pairs.reduce((s, [x]) => s + x, 0) / pairs.length;
  const mb = pairs.reduce((s, [, y]) => s + y, 0) / pairs.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (const [x, y] of pairs) {
    sab += (x - ma) * (y - mb);
    saa += (x - ma) ** 2;
    sbb += (y - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Interval WAPE of the rows' structural forecasts, each day scaled by `multiplier(row, day)`. */
function intervalWape(series: DaySeries, rows: OriginRow[], multiplier: (row: OriginRow, day: number) => number): number {
  let error = 0;
  let actual = 0;
  for (const row of rows) {
    row.forecast.forEach((forecastRow, i) => {
      const d = row.origin + i;
      const open = row.open[series.weekdays[d] - 1];
      const m = multiplier(row, i);
      for (let s = 0; s < series.slotsPerDay; s++) {
        const y = series.values[d][s];
        if (!open[s] || !Number.isFinite(y)) continue;
        error += Math.abs(y - poissonMedian(forecastRow[s] * m));
        actual += y;
      }
    });
  }
  return error / actual;
}

/** `windowOrigins`: the benchmark's origins (day indices); the history is every origin whose 14 days end before the first of them. */
export function levelPersistence(series: DaySeries, calendar: DayCalendar, windowOrigins: number[]): LevelPersistence {
  const ordinary = (d: number) => isCompleteDay(series, d) && calendarKind(calendar, series.dates[d]) === 'ordinary' && dayTotal(series, d) > 0;
  const firstWindow = Math.min(...windowOrigins);
  const start = series.present.indexOf(true) + 56;
  const history: OriginRow[] = [];
  for (let o = start; o + 14 <= firstWindow; o++) history.push(originRow(series, calendar, o, ordinary));
  const windows = windowOrigins.map((o) => originRow(series, calendar, o, ordinary));

  // Daily origins: the first forecast day of each is a one-day-ahead residual series, one value a day.
  const oneDayAhead = history.map((r) => r.dayResidual[0]);
  const acf = [1, 2, 3, 7, 14].map((lag) => ({ lag, r: correlation(oneDayAhead.slice(0, -lag), oneDayAhead.slice(lag)) }));
  const byOrigin = new Map(history.map((r) => [r.origin, r.windowMiss]));
  const windowCorrelation = {
    recent: correlation(history.map((r) => r.recent), history.map((r) => r.windowMiss)),
    previousWindow: correlation(history.map((r) => byOrigin.get(r.origin - 14) ?? NaN), history.map((r) => r.windowMiss)),
    trend: correlation(history.map((r) => Math.log(r.state.level / r.state.olderLevel)), history.map((r) => r.windowMiss)),
  };

  const beta: number[] = [];
  for (let k = 1; k <= MAX_DISTANCE; k++) {
    let sxy = 0;
    let sxx = 0;
    for (const r of history) r.distance.forEach((distance, i) => {
      if (distance === k && Number.isFinite(r.dayResidual[i])) { sxy += r.recent * r.dayResidual[i]; sxx += r.recent ** 2; }
    });
    beta[k] = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  }
  const corrected = (r: OriginRow, i: number) => Math.exp((beta[r.distance[i]] ?? 0) * r.recent);
  const unchanged = () => 1;
  const persistence = {
    history: [intervalWape(series, history, unchanged), intervalWape(series, history, corrected)] as [number, number],
    windows: [intervalWape(series, windows, unchanged), intervalWape(series, windows, corrected)] as [number, number],
  };

  const ewma = (halfLife: number) => (xs: number[]) => {
    // Days above 1.5 × the live level are clipped, as the trimmed mean drops its extremes.
    const cap = 1.5 * trimmedMean(xs.slice(0, 28));
    let w = 1;
    let acc = 0;
    let mass = 0;
    for (const x of xs) { acc += w * Math.min(x, cap); mass += w; w *= Math.pow(0.5, 1 / halfLife); }
    return acc / mass;
  };
  const alternatives: Array<[string, (xs: number[]) => number]> = [
    ['trimmed mean of 14 days', (xs) => trimmedMean(xs.slice(0, 14))],
    ['trimmed mean of 56 days', (xs) => trimmedMean(xs.slice(0, 56))],
    ['exponentially weighted, half-life 28 days', ewma(28)],
  ];
  const levelWindows = alternatives.map(([label, level]) => {
    const scale = (r: OriginRow) => (r.state.level > 0 ? level(r.deseasonalised) / r.state.level : 1);
    return { label, history: intervalWape(series, history, scale), windows: intervalWape(series, windows, scale) };
  });
  return { fitOrigins: history.length, acf, windowCorrelation, beta: beta.slice(1, 15), persistence, levelWindows };
}
