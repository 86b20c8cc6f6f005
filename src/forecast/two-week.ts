/**
 * The two-week forecaster: a robust multiplicative decomposition (see ./decomposition.ts) whose
 * per-interval residuals a small dense net corrects from features (interval of day, weekday, horizon,
 * the last four same weekdays, seasonal smoothing, day of month, holidays with their eves and next
 * days, special days, recent trend). Training scores every candidate — the baselines, the
 * decomposition and the net — on up to 8 weekly origins with four weeks of history before each; the
 * decomposition goes live unless another candidate is clearly better there (see selectLive). The
 * learned candidates answer with medians; prediction intervals come from the live candidate's errors.
 */
import type { DaySeries } from './day-series';
import { addDays, headOf, historySpanDays, weekdayOf } from './day-series';
import type { DayCalendar } from './calendar';
import { MeanOfLastFourWeekdays, MeanOfLastFourOrdinaryWeekdays, SameWeekdayLastWeek, SeasonalExponentialSmoothing, WithDeclaredUplift, lastSameWeekdays, naiveBands, type DayForecaster } from './baselines';
import { DecompositionForecaster, fitDecomposition, decompositionForecast, calendarFactor, calendarKind, type CalendarKind, type DecompositionState } from './decomposition';
import { poissonMedian, seededRng } from './stats';
import { trainNet, loadNet, DEFAULT_NET_OPTIONS, type NetArtifacts, type NetTrainingOptions } from './net';
import { calibrateBands, applyBand, widenForUplift, type BandCalibration } from './bands';
import { CombinedForecaster } from './combination';
import { scorePoints, weeklyNaiveScale, selectLive, type ForecastMetrics, type GroupedPoint } from './metrics';
import { WfmError } from '../errors/wfm-error';

export const TWO_WEEK_DAYS = 14;
/** The learned model needs four weeks of history; less is answered with a flagged baseline. */
export const MIN_HISTORY_DAYS = 28;
const VALIDATION_ORIGINS = 8;
const TRAIN_ORIGIN_STEP_DAYS = 2;
const MAX_TRAIN_ORIGINS = 90;
const MAX_TRAIN_ROWS = 45_000;
const LOG_CLIP = 2.5;
/**
 * The net may go live only when its validation windows held data on at least this many days (a week:
 * every weekday seen once). Windows of a history that resumed a few days before its end after a long gap
 * score it on those few days only, and a net trained on the weeks before the gap won there by luck.
 */
const MIN_NET_VALIDATION_DAYS = 7;
/**
 * The net that goes live is trained again on everything, and that net was never scored: its total for the
 * next 14 days must lie within these multiples of the mean-of-4-weeks baseline's, or it does not go live.
 */
const NET_TOTAL_RANGE = { min: 0.3, max: 3 } as const;
/** Two-week bands are centred on the forecast (see ./bands.ts: few windows, one level error each). */
const TWO_WEEK_BANDS = { symmetric: true } as const;

export type TwoWeekAlias = 'naive-last-week' | 'naive-mean-4-weeks' | 'seasonal-es' | 'decomposition' | 'combination' | 'decomposition-net';

export interface TrainedTwoWeek {
  kind: 'two-week';
  skillGroupId: string;
  intervalMinutes: number;
  liveAlias: TwoWeekAlias;
  /** the trained net (used only when liveAlias is decomposition-net; kept for comparison otherwise) */
  net: NetArtifacts | null;
  bands: BandCalibration;
  /** why the trained net was not allowed to go live (whatever its validation score), when it was not */
  netNotLive?: string;
  /** validation metrics of every candidate on the same windows */
  validation: Partial<Record<TwoWeekAlias, ForecastMetrics>>;
  validationOrigins: string[];
  trainedThrough: string;
  historyDays: number;
}

/** Everything the net sees for one interval, computed the same way in training and forecasting. */
interface OriginContext {
  history: DaySeries;
  state: DecompositionState;
  es: number[][];
  mean4: number[][];
  lastWeeks: number[][][]; // per weekday-1: up to 4 most recent complete days' rows
  base: number[][];
  dates: string[];
}

function originContext(history: DaySeries, calendar: DayCalendar, dates: string[]): OriginContext {
  const state = fitDecomposition(history, calendar);
  const es = new SeasonalExponentialSmoothing();
  es.fit(history);
  const mean4 = new MeanOfLastFourWeekdays();
  mean4.fit(history);
  const lastWeeks = [1, 2, 3, 4, 5, 6, 7].map((w) => lastSameWeekdays(history, w, 4).map((d) => history.values[d]));
  return { history, state, es: es.predict(dates), mean4: mean4.predict(dates), lastWeeks, base: decompositionForecast(state, calendar, dates), dates };
}

const logRatio = (v: number, base: number) => Math.max(-LOG_CLIP, Math.min(LOG_CLIP, Math.log((v + 1) / (base + 1))));

function featureRow(ctx: OriginContext, calendar: DayCalendar, dayIndex: number, slot: number): number[] {
  const date = ctx.dates[dayIndex];
  const w = weekdayOf(date);
  const base = ctx.base[dayIndex][slot];
  const slots = ctx.history.slotsPerDay;
  const angle = (2 * Math.PI * slot) / slots;
  const lags = [0, 1, 2, 3].map((k) => {
    const row = ctx.lastWeeks[w - 1][k];
    return row && Number.isFinite(row[slot]) ? logRatio(row[slot], base) : 0;
  });
  const weekdayOneHot = [1, 2, 3, 4, 5, 6, 7].map((x) => (x === w ? 1 : 0));
  const dayOfMonth = Number(date.slice(8, 10));
  const kind = calendarKind(calendar, date);
  const monthLength = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate();
  return [
    Math.sin(angle), Math.cos(angle), Math.sin(2 * angle), Math.cos(2 * angle),
    ...weekdayOneHot,
    dayIndex / TWO_WEEK_DAYS,
    Math.log1p(base),
    ...lags,
    logRatio(ctx.es[dayIndex][slot], base),
    logRatio(ctx.mean4[dayIndex][slot], base),
    kind === 'holiday' ? 1 : 0,
    kind === 'special' ? 1 : 0,
    kind === 'eve' ? 1 : 0,
    kind === 'after' ? 1 : 0,
    ctx.state.olderLevel > 0 ? Math.log(Math.max(ctx.state.level, 1) / Math.max(ctx.state.olderLevel, 1)) : 0,
    Math.sin((2 * Math.PI * (dayOfMonth - 1)) / monthLength), Math.cos((2 * Math.PI * (dayOfMonth - 1)) / monthLength),
    Math.sin((4 * Math.PI * (dayOfMonth - 1)) / monthLength), Math.cos((4 * Math.PI * (dayOfMonth - 1)) / monthLength),
  ];
}

function datesFrom(first: string, days: number): string[] {
  return Array.from({ length: days }, (_, i) => addDays(first, i));
}

/** Training rows of the net from origins whose whole horizon lies before `endDay`. */
function netRows(series: DaySeries, calendar: DayCalendar, endDay: number) {
  const features: number[][] = [];
  const targets: number[][] = [];
  const weights: number[] = [];
  const firstOrigin = Math.max(14, series.present.indexOf(true) + 14);
  // Origins whose two weeks lie wholly in a gap of the history give no row: they do not use up the
  // budget either, or a half-year gap would leave the net only the few origins just before the data
  // resumes (histories ending deep in the gap) and none of the weeks before it.
  const origins: number[] = [];
  for (let o = endDay - TWO_WEEK_DAYS; o >= firstOrigin && origins.length < MAX_TRAIN_ORIGINS; o -= TRAIN_ORIGIN_STEP_DAYS) {
    if (series.present.slice(o, o + TWO_WEEK_DAYS).some(Boolean)) origins.unshift(o);
  }
  // Fine or round-the-clock data (5-minute, 24/7) would give hundreds of thousands of rows: a seeded
  // sample of them keeps every origin represented and the training time bounded.
  const openSlots = series.open.reduce((a, row) => a + row.filter(Boolean).length, 0) / 7;
  const keep = Math.min(1, MAX_TRAIN_ROWS / Math.max(1, origins.length * TWO_WEEK_DAYS * openSlots));
  const rng = seededRng(DEFAULT_NET_OPTIONS.seed);
  for (const o of origins) {
    const history = headOf(series, o);
    const ctx = originContext(history, calendar, series.dates.slice(o, o + TWO_WEEK_DAYS));
    for (let i = 0; i < TWO_WEEK_DAYS; i++) {
      const day = o + i;
      const open = history.open[series.weekdays[day] - 1];
      for (let s = 0; s < series.slotsPerDay; s++) {
        const actual = series.values[day][s];
        if (!open[s] || !Number.isFinite(actual) || (keep < 1 && rng() >= keep)) continue;
        const base = ctx.base[i][s];
        features.push(featureRow(ctx, calendar, i, s));
        targets.push([logRatio(actual, base)]);
        weights.push(base + 1);
      }
    }
  }
  const meanWeight = weights.reduce((a, b) => a + b, 0) / Math.max(1, weights.length);
  return { features, targets, weights: weights.map((w) => Math.min(5, w / meanWeight)), origins: origins.length };
}

type Predictor = (history: DaySeries, dates: string[]) => number[][];

async function netPredictor(net: NetArtifacts, calendar: DayCalendar): Promise<{ predict: Predictor; dispose: () => void }> {
  const loaded = await loadNet(net);
  return {
    predict(history, dates) {
      const ctx = originContext(history, calendar, dates);
      const rows: number[][] = [];
      const where: Array<[number, number]> = [];
      dates.forEach((date, i) => {
        const open = history.open[weekdayOf(date) - 1];
        for (let s = 0; s < history.slotsPerDay; s++) if (open[s]) { rows.push(featureRow(ctx, calendar, i, s)); where.push([i, s]); }
      });
      const out = dates.map(() => new Array<number>(history.slotsPerDay).fill(0));
      const corrections = loaded.predict(rows);
      where.forEach(([i, s], r) => (out[i][s] = Math.max(0, (ctx.base[i][s] + 1) * Math.exp(corrections[r][0]) - 1)));
      return out;
    },
    dispose: () => loaded.dispose(),
  };
}

function classicPredictor(make: () => DayForecaster, calendar: DayCalendar): Predictor {
  return (history, dates) => {
    const model = make();
    model.fit(history, calendar);
    return model.predict(dates);
  };
}

/**
 * The learned candidates answer with each interval's median (what WAPE rewards: for a quiet queue
 * with 0.6 calls expected the median is 0); the reference baselines stay what they are by definition.
 */
const ANSWERS_WITH_MEDIAN: ReadonlySet<TwoWeekAlias> = new Set<TwoWeekAlias>(['decomposition', 'combination', 'decomposition-net']);

export function answering(alias: TwoWeekAlias, predict: Predictor): Predictor {
  return ANSWERS_WITH_MEDIAN.has(alias) ? (history, dates) => predict(history, dates).map((row) => row.map(poissonMedian)) : predict;
}

export const BASELINE_FACTORIES: Record<Exclude<TwoWeekAlias, 'decomposition-net'>, () => DayForecaster> = {
  'naive-last-week': () => new WithDeclaredUplift(new SameWeekdayLastWeek()),
  'naive-mean-4-weeks': () => new WithDeclaredUplift(new MeanOfLastFourWeekdays()),
  'seasonal-es': () => new WithDeclaredUplift(new SeasonalExponentialSmoothing()),
  decomposition: () => new DecompositionForecaster(),
  combination: () => new CombinedForecaster('combination', [new DecompositionForecaster(), new WithDeclaredUplift(new MeanOfLastFourWeekdays())]),
};

/** One scored interval of a backtest: the origin it was forecast from, its day and slot. */
export type OriginPoint = GroupedPoint & { origin: number; day: number; slot: number };

/** Scores a predictor on origins (day indices) of a series: points of open intervals with actuals. */
export function backtestPoints(series: DaySeries, origins: number[], horizonDays: number, predict: Predictor): OriginPoint[] {
  const points: OriginPoint[] = [];
  for (const o of origins) {
    const history = headOf(series, o);
    const days = Math.min(horizonDays, series.dates.length - o);
    const forecast = predict(history, series.dates.slice(o, o + days));
    for (let i = 0; i < days; i++) {
      const open = history.open[series.weekdays[o + i] - 1];
      for (let s = 0; s < series.slotsPerDay; s++) if (open[s]) points.push({ actual: series.values[o + i][s], p50: forecast[i][s], origin: o, day: o + i, slot: s, group: `${o}:${i}` });
    }
  }
  return points;
}

export interface TrainTwoWeekInput {
  series: DaySeries;
  calendar: DayCalendar;
  net?: Partial<NetTrainingOptions>;
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export async function trainTwoWeek(input: TrainTwoWeekInput): Promise<TrainedTwoWeek> {
  const { series, calendar } = input;
  const span = historySpanDays(series);
  if (span < MIN_HISTORY_DAYS) {
    throw new WfmError('insufficient-history', `the learned two-week model needs at least ${MIN_HISTORY_DAYS} days of history, got ${span}`);
  }
  const n = series.dates.length;
  const first = series.present.indexOf(true);
  // Validation windows are weekly origins in the regime the model is used in (at least four weeks of
  // history before each), scored on up to 14 days after. A short history may have none: then the
  // decomposition, the robust default, answers (no evidence is better than a coin flip of one week).
  const validationOrigins = weeklyOrigins(n, first, MIN_HISTORY_DAYS);
  // …or, for information and bands only, the windows a short history has (two weeks before each).
  const shortOrigins = validationOrigins.length ? validationOrigins : weeklyOrigins(n, first, 14);
  const scale = weeklyNaiveScale(series.values, (d, s) => series.open[series.weekdays[d] - 1][s]);
  const candidates: Partial<Record<TwoWeekAlias, OriginPoint[]>> = {};
  for (const [alias, make] of Object.entries(BASELINE_FACTORIES)) {
    candidates[alias as TwoWeekAlias] = backtestPoints(series, shortOrigins, TWO_WEEK_DAYS, answering(alias as TwoWeekAlias, classicPredictor(make, calendar)));
  }
  const netOptions = { ...DEFAULT_NET_OPTIONS, ...input.net, onEpoch: input.onEpoch };
  // The net is judged by a net that never saw the validation windows; if it wins, it is trained
  // again on everything (the windows it was judged on are the most recent, most telling weeks).
  let net: NetArtifacts | null = null;
  const judgedRows = netRows(series, calendar, validationOrigins.length ? validationOrigins[0] : n);
  if (validationOrigins.length > 0 && judgedRows.origins >= 4 && judgedRows.features.length >= 200) {
    net = await trainNet(judgedRows.features, judgedRows.targets, judgedRows.weights, netOptions);
    const predictor = await netPredictor(net, calendar);
    try {
      candidates['decomposition-net'] = backtestPoints(series, validationOrigins, TWO_WEEK_DAYS, answering('decomposition-net', predictor.predict));
    } finally {
      predictor.dispose();
    }
  }
  const validation: Partial<Record<TwoWeekAlias, ForecastMetrics>> = {};
  for (const [alias, points] of Object.entries(candidates) as Array<[TwoWeekAlias, OriginPoint[]]>) validation[alias] = scorePoints(points, scale);
  // The decomposition is the robust default; another candidate (the net, a baseline) replaces it
  // only when clearly better on the validation days, and a naive baseline that did better there
  // always does (see selectLive).
  let netNotLive: string | undefined;
  const netDays = new Set((candidates['decomposition-net'] ?? []).filter((p) => Number.isFinite(p.actual)).map((p) => p.day)).size;
  if (candidates['decomposition-net'] && netDays < MIN_NET_VALIDATION_DAYS) {
    netNotLive = `its validation windows held data on ${netDays} days only (it may go live with ${MIN_NET_VALIDATION_DAYS} or more)`;
  }
  const select = (netAllowed: boolean): TwoWeekAlias => {
    if (!validationOrigins.length) return 'decomposition';
    const { 'decomposition-net': _net, ...classic } = candidates;
    const eligible = netAllowed ? candidates : classic;
    return selectLive<TwoWeekAlias>(eligible, 'decomposition', ['naive-last-week', 'naive-mean-4-weeks']);
  };
  let liveAlias = select(netNotLive === undefined);
  if (liveAlias === 'decomposition-net') {
    const allRows = netRows(series, calendar, n);
    net = await trainNet(allRows.features, allRows.targets, allRows.weights, netOptions);
    netNotLive = await netTotalOffBaseline(net, series, calendar);
    if (netNotLive) liveAlias = select(false);
  }
  // Bands from the live candidate's errors: on the validation days, or for a classic candidate on
  // the last weekly windows with two weeks of history before each (a short history's one validation week
  // would calibrate on too few days, all at short horizons). Windows wholly in a gap of the history are
  // passed over for earlier ones: taken by the calendar, a gap of eight weeks left no residual at all,
  // and the band fell back to the Poisson default, far too narrow for over-dispersed calls.
  // the net's band comes from its own validation answers; elsewhere the decomposition it corrects stands in
  const calibrationAlias = liveAlias === 'decomposition-net' ? 'decomposition' : liveAlias;
  const answersFrom = memoisedByOrigin(series, answering(calibrationAlias, classicPredictor(BASELINE_FACTORIES[calibrationAlias], calendar)));
  const bandPoints = liveAlias === 'decomposition-net'
    ? candidates[liveAlias] ?? []
    : weeklyOriginsWithData(series, n, first, 14).flatMap(answersFrom);
  const bands = calibrateBands(bandPoints, TWO_WEEK_BANDS);
  // The band's p10–p90 coverage on the validation days, out of sample and as it would have been served:
  // at each validation origin a band calibrated the same way on the windows before it (cut at the origin),
  // applied to the live candidate's answers from there (the served band is calibrated on the validation
  // days, so its coverage on them would be in-sample).
  const live = validation[liveAlias];
  if (live && validationOrigins.length > 0) {
    const earlierBands = new Map<number, BandCalibration>();
    const bandAt = (o: number) => {
      let b = earlierBands.get(o);
      if (!b) {
        b = calibrateBands(weeklyOriginsWithData(series, o, first, 14).flatMap((c) => answersFrom(c).filter((p) => p.day < o)), TWO_WEEK_BANDS);
        earlierBands.set(o, b);
      }
      return b;
    };
    const banded = (candidates[liveAlias] ?? []).map((p) => ({ ...p, ...applyBand(bandAt(p.origin), p.p50) }));
    validation[liveAlias] = { ...live, coverage: scorePoints(banded, scale).coverage };
  }
  return {
    kind: 'two-week',
    skillGroupId: series.skillGroupId,
    intervalMinutes: series.intervalMinutes,
    liveAlias,
    net,
    bands,
    ...(netNotLive ? { netNotLive } : {}),
    validation,
    validationOrigins: validationOrigins.map((o) => series.dates[o]),
    trainedThrough: series.dates[n - 1],
    historyDays: span,
  };
}

/**
 * Why the net trained on everything must not go live, or undefined: its forecast total for the 14 days
 * after the history is far off the mean-of-4-weeks baseline's (checked only where that baseline has a
 * total to compare with).
 */
export async function netTotalOffBaseline(net: NetArtifacts, series: DaySeries, calendar: DayCalendar): Promise<string | undefined> {
  const dates = datesFrom(addDays(series.dates[series.dates.length - 1], 1), TWO_WEEK_DAYS);
  const sum = (rows: number[][]) => rows.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0);
  const baseline = sum(classicPredictor(BASELINE_FACTORIES['naive-mean-4-weeks'], calendar)(series, dates));
  if (!(baseline > 0)) return undefined;
  const predictor = await netPredictor(net, calendar);
  let total: number;
  try {
    total = sum(predictor.predict(series, dates));
  } finally {
    predictor.dispose();
  }
  const ratio = total / baseline;
  if (ratio >= NET_TOTAL_RANGE.min && ratio <= NET_TOTAL_RANGE.max) return undefined;
  return `its forecast for the next ${TWO_WEEK_DAYS} days totals ${Number.isFinite(ratio) ? `${Math.round(100 * ratio)} %` : 'no number'} of the mean of the last 4 weeks' (it may go live within ${Math.round(100 * NET_TOTAL_RANGE.min)}–${Math.round(100 * NET_TOTAL_RANGE.max)} %)`;
}

/** Origins a week apart back from the end of the series, each with at least `minHistory` days before it. */
function weeklyOrigins(n: number, first: number, minHistory: number): number[] {
  const origins: number[] = [];
  for (let k = 1; k <= VALIDATION_ORIGINS; k++) if (n - 7 * k - first >= minHistory) origins.unshift(n - 7 * k);
  return origins;
}

/**
 * Up to VALIDATION_ORIGINS origins a week apart back from day `end`, each with at least `minHistory` days
 * before it, whose window (its 14 days, cut at `end`) has an open day with data: as in the backtest, a
 * window wholly in a gap of the history is no evidence, and the walk goes on to earlier weeks.
 */
export function weeklyOriginsWithData(series: DaySeries, end: number, first: number, minHistory: number): number[] {
  const origins: number[] = [];
  for (let o = end - 7; origins.length < VALIDATION_ORIGINS && first >= 0 && o - first >= minHistory; o -= 7) {
    let withData = false;
    for (let d = o; d < Math.min(o + TWO_WEEK_DAYS, end) && !withData; d++) withData = series.present[d] && series.open[series.weekdays[d] - 1].some(Boolean);
    if (withData) origins.unshift(o);
  }
  return origins;
}

/** A predictor's backtest points per origin (14 days from it), each origin computed once. */
function memoisedByOrigin(series: DaySeries, predict: Predictor): (origin: number) => OriginPoint[] {
  const done = new Map<number, OriginPoint[]>();
  return (o) => {
    let points = done.get(o);
    if (!points) {
      points = backtestPoints(series, [o], TWO_WEEK_DAYS, predict);
      done.set(o, points);
    }
    return points;
  };
}

export interface DayForecast {
  dates: string[];
  p10: number[][];
  p50: number[][];
  p90: number[][];
  /**
   * the expected volume (the model's mean): what staffing needs. The p50 is the median, what WAPE
   * rewards — for a quiet queue's 0.2 calls an interval the median is 0, and staffing by it would leave
   * the queue's 30 calls a week unstaffed.
   */
  mean: number[][];
  /** typical handle time per interval (seconds), when history had handle times */
  ahtSeconds: number[][] | null;
  alias: string;
  /** true when the learned model could not be used (too little history) and a baseline answered */
  baselineFallback: boolean;
  /** why the fallback was taken */
  fallbackReason?: string;
}

/**
 * The two-week forecast from `firstDate` (a local date after the history). With a trained model its
 * live candidate answers; without one (or with too little history) the mean of the last 4 same
 * weekdays answers, flagged as a baseline, with bands from that baseline's own errors in the history.
 */
export async function forecastTwoWeekDays(options: { history: DaySeries; calendar: DayCalendar; firstDate: string; model: TrainedTwoWeek | null; days?: number }): Promise<DayForecast> {
  const { history, calendar, model } = options;
  const dates = datesFrom(options.firstDate, options.days ?? TWO_WEEK_DAYS);
  const span = historySpanDays(history);
  let alias: string;
  let mean: number[][];
  let bands: BandCalibration;
  let fallbackReason: string | undefined;
  if (model && span >= MIN_HISTORY_DAYS) {
    alias = model.liveAlias;
    bands = model.bands;
    if (model.liveAlias === 'decomposition-net' && model.net) {
      const predictor = await netPredictor(model.net, calendar);
      try {
        mean = predictor.predict(history, dates);
      } finally {
        predictor.dispose();
      }
    } else {
      mean = classicPredictor(BASELINE_FACTORIES[model.liveAlias as Exclude<TwoWeekAlias, 'decomposition-net'>], calendar)(history, dates);
    }
  } else {
    alias = 'naive-mean-4-weeks';
    bands = naiveBands(history, 1, TWO_WEEK_BANDS).step;
    fallbackReason = span < MIN_HISTORY_DAYS
      ? `only ${span} days of history (the learned model needs ${MIN_HISTORY_DAYS}): baseline forecast`
      : 'no trained model: baseline forecast';
    // the live answer passes over past holidays and outlying days; the backtest's reference does not
    mean = classicPredictor(() => new WithDeclaredUplift(new MeanOfLastFourOrdinaryWeekdays()), calendar)(history, dates);
  }
  if (NAIVE_ALIASES.has(alias)) mean = withHolidayEffects(mean, history, calendar, dates);
  const p50 = answering(alias as TwoWeekAlias, () => mean)(history, dates);
  const banded = p50.map((row, i) => {
    const uplift = calendar.special.get(dates[i])?.uplift;
    return row.map((v) => (uplift !== undefined && uplift > 0 ? widenForUplift(applyBand(bands, v), v, uplift) : applyBand(bands, v)));
  });
  const p10 = banded.map((row) => row.map((b) => b.p10));
  const p90 = banded.map((row) => row.map((b) => b.p90));
  const hasAht = history.aht.some((row) => row.some(Number.isFinite));
  const ahtSeconds = hasAht ? ahtProfile(history, dates) : null;
  return { dates, p10, p50, p90, mean, ahtSeconds, alias, baselineFallback: fallbackReason !== undefined, ...(fallbackReason ? { fallbackReason } : {}) };
}

/** The candidates that know nothing of holidays (the planner's declared uplifts they do apply). */
const NAIVE_ALIASES: ReadonlySet<string> = new Set(['naive-last-week', 'naive-mean-4-weeks', 'seasonal-es']);

/**
 * A naive baseline that answers live (it beat the learned candidates on the validation weeks) still
 * must not forecast Thanksgiving as an ordinary Thursday: on public holidays its forecast takes the
 * decomposition's holiday factor, learned from the history's own past holidays (or, with none, the
 * quietest weekday). Eves and days after are left as the baseline has them: one factor for every eve
 * (Christmas Eve quiet, the Wednesday before Thanksgiving the year's busiest) moved them the wrong way
 * as often as not. The baselines themselves stay pure: they are the references the backtest compares with.
 */
function withHolidayEffects(mean: number[][], history: DaySeries, calendar: DayCalendar, dates: string[]): number[][] {
  if (!dates.some((date) => HOLIDAY_KINDS.has(calendarKind(calendar, date)))) return mean;
  const state = fitDecomposition(history, calendar);
  return mean.map((row, i) => {
    const date = dates[i];
    if (!HOLIDAY_KINDS.has(calendarKind(calendar, date))) return row;
    const uplift = calendar.special.get(date)?.uplift;
    // the declared uplift is in the row already (WithDeclaredUplift) and in calendarFactor: counted once
    const factor = calendarFactor(state, calendar, date) / (uplift !== undefined && uplift > 0 ? uplift : 1);
    return Number.isFinite(factor) && factor > 0 ? row.map((v) => v * factor) : row;
  });
}

const HOLIDAY_KINDS: ReadonlySet<CalendarKind> = new Set<CalendarKind>(['holiday']);

function ahtProfile(history: DaySeries, dates: string[]): number[][] {
  const state = fitDecomposition(history, { holidays: new Set(), special: new Map() });
  return dates.map((date) => state.aht[weekdayOf(date) - 1].map((v, s) => (history.open[weekdayOf(date) - 1][s] ? v : NaN)));
}
