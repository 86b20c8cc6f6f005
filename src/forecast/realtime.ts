/**
 * The realtime forecaster: at an interval start today, the inflow of each interval of the next 30
 * minutes (one step at 30-minute data, five at 6-minute data, thirty per-minute) and their total.
 *
 * It starts from the day's expectation (the two-week decomposition for today, fitted on the days
 * before) and updates it within the day with a Kalman filter (./intraday.ts): today's level against
 * the expectation, shrunk toward it while little of the day has been seen, plus a fading deviation
 * that carries what the last intervals said. A small dense net (tfjs) then corrects the filter's
 * forecast from the filter state, the last intervals' inflow, the time of day and optional leading
 * signals posted by the client. Candidates — the two naive baselines, the observed-to-expected
 * ratio-scaled expectation, the filter and the net — are scored on the last week of history and the
 * best goes live (the net must beat the filter clearly: one week is a small judge). Calls far beyond
 * what the live candidate can explain (a storm at many times the plan, by the trigger's Poisson tail
 * test) are followed at the pace they arrive at (observedPace).
 */
import type { DaySeries } from './day-series';
import { headOf, historySpanDays, weekdayOf } from './day-series';
import type { DayCalendar } from './calendar';
import { fitDecomposition, decompositionForecast } from './decomposition';
import { MeanOfLastFourWeekdays, SameWeekdayLastWeek, naiveBands } from './baselines';
import { trainNet, loadNet, DEFAULT_NET_OPTIONS, type NetArtifacts, type NetTrainingOptions, type LoadedNet } from './net';
import { calibrateBands, applyBand, type BandCalibration } from './bands';
import { scorePoints, selectLive, weeklyNaiveScale, type ForecastMetrics, type ScoredPoint, type GroupedPoint } from './metrics';
import { MIN_HISTORY_DAYS } from './two-week';
import { fitIntradayFilter, stateAt, stepMultipliers, type IntradayFilterParams, type FilterDay } from './intraday';
import { poissonMedian } from './stats';
import { belowPaceTail, farBeyondForecast } from './surge-evidence';
import { WfmError } from '../errors/wfm-error';
import { ownValue } from '../domain/records';

export const REALTIME_MINUTES = 30;
const VALIDATION_DAYS = 7;
/** Days before validation that train the filter and the net (recent behaviour matters most). */
const TRAINING_DAYS = 84;
const LOG_CLIP = 2.5;

export type RealtimeAlias = 'naive-last-week' | 'naive-mean-4-weeks' | 'ratio-adjusted' | 'state-space' | 'realtime-net';

export interface TrainedRealtime {
  kind: 'realtime';
  skillGroupId: string;
  intervalMinutes: number;
  steps: number;
  liveAlias: RealtimeAlias;
  net: NetArtifacts | null;
  /** the within-day filter's parameters (null only for a baseline-only model) */
  filter?: IntradayFilterParams | null;
  /** names of the leading signals the net was trained with, in feature order */
  signalNames: string[];
  stepBands: BandCalibration;
  totalBands: BandCalibration;
  /** validation metrics (next-30-minute totals) of every candidate on the same origins */
  validation: Partial<Record<RealtimeAlias, ForecastMetrics>>;
  validationDays: string[];
  trainedThrough: string;
  historyDays: number;
}

/** Leading signals per day and slot, aligned with the series' days (NaN = not posted). */
export type SignalSeries = Record<string, number[][]>;

export function stepsFor(intervalMinutes: number): number {
  return Math.max(1, Math.ceil(REALTIME_MINUTES / intervalMinutes));
}

/** What is known at the start of a day: its expected row and the two naive rows. */
export interface DayExpectation {
  expected: number[];
  lastWeek: number[];
  mean4: number[];
  open: boolean[];
}

export function dayExpectation(history: DaySeries, calendar: DayCalendar, date: string): DayExpectation {
  const state = fitDecomposition(history, calendar);
  const lastWeek = new SameWeekdayLastWeek();
  lastWeek.fit(history);
  const mean4 = new MeanOfLastFourWeekdays();
  mean4.fit(history);
  return {
    expected: decompositionForecast(state, calendar, [date])[0],
    lastWeek: lastWeek.predict([date])[0],
    mean4: mean4.predict([date])[0],
    open: history.open[weekdayOf(date) - 1],
  };
}

const logRatio = (v: number, base: number) => Math.max(-LOG_CLIP, Math.min(LOG_CLIP, Math.log((v + 1) / (base + 1))));

interface SoFar {
  observed: number;
  expected: number;
  expectedDay: number;
  /** open intervals of today before the slot with a count (observed and expected are summed over them) */
  intervals: number;
}

function soFar(day: DayExpectation, today: number[], slot: number): SoFar {
  let observed = 0;
  let expected = 0;
  let intervals = 0;
  for (let s = 0; s < slot; s++) {
    if (!day.open[s] || !Number.isFinite(today[s])) continue;
    observed += today[s];
    expected += day.expected[s];
    intervals++;
  }
  const expectedDay = day.expected.reduce((a, v, s) => a + (day.open[s] ? v : 0), 0);
  return { observed, expected, expectedDay, intervals };
}

/** Today's observed-to-expected ratio, shrunk toward 1 by a prior worth 10 % of the day's volume. */
export function shrunkRatio(state: SoFar): number {
  const prior = Math.max(1, 0.1 * state.expectedDay);
  return (state.observed + prior) / (state.expected + prior);
}

/** Everything the candidates need at one interval start of one day. */
interface Origin {
  /** day index in the series (-1 for today in the service) */
  day: number;
  slot: number;
  features: number[];
  expectedSteps: number[];
  lastWeekSteps: number[];
  mean4Steps: number[];
  filterSteps: number[];
  ratio: number;
  actualSteps: number[];
}

function stepSlots(slot: number, steps: number, slotsPerDay: number): number[] {
  return Array.from({ length: steps }, (_, j) => slot + j).filter((x) => x < slotsPerDay);
}

function originAt(
  dayIndex: number, day: DayExpectation, today: number[], slot: number, weekday: number, signals: number[][], steps: number, filter: IntradayFilterParams | null,
  idx = stepSlots(slot, steps, day.expected.length),
): Origin {
  const slots = day.expected.length;
  const state = soFar(day, today, slot);
  const filterState = filter ? stateAt(filter, day.expected, today, day.open, slot) : null;
  const multipliers = filterState && filter ? stepMultipliers(filterState, filter, steps) : idx.map(() => 1);
  const expectedSteps = idx.map((x) => (day.open[x] ? day.expected[x] : 0));
  const filterSteps = expectedSteps.map((e, j) => e * multipliers[j]);
  const recent = [1, 2, 3].map((k) => {
    const s = slot - k;
    return s >= 0 && day.open[s] && Number.isFinite(today[s]) ? logRatio(today[s], day.expected[s]) : 0;
  });
  const recentSum = (k: number) => {
    let o = 0;
    let e = 0;
    for (let s = Math.max(0, slot - k); s < slot; s++) if (day.open[s] && Number.isFinite(today[s])) { o += today[s]; e += day.expected[s]; }
    return logRatio(o, e);
  };
  const sumOver = (row: number[]) => idx.reduce((a, x) => a + (day.open[x] ? row[x] : 0), 0);
  const nextExpected = sumOver(day.expected);
  const nextFilter = filterSteps.reduce((a, v) => a + v, 0);
  const angle = (2 * Math.PI * slot) / slots;
  const features = [
    Math.sin(angle), Math.cos(angle), Math.sin(2 * angle), Math.cos(2 * angle),
    ...[1, 2, 3, 4, 5, 6, 7].map((w) => (w === weekday ? 1 : 0)),
    state.expectedDay > 0 ? state.expected / state.expectedDay : 0,
    Math.log1p(nextExpected),
    Math.log(shrunkRatio(state)),
    logRatio(state.observed, state.expected),
    Math.log1p(state.expected),
    ...recent,
    recentSum(Math.max(2, steps)),
    recentSum(Math.max(4, 2 * steps)),
    logRatio(sumOver(day.mean4), nextExpected),
    logRatio(sumOver(day.lastWeek), nextExpected),
    logRatio(nextFilter, nextExpected),
    filterState ? filterState.level : 0,
    filterState ? filterState.deviation : 0,
    filterState ? Math.sqrt(Math.max(0, filterState.p[0])) : 0,
    ...signals.map((row) => {
      const v = slot > 0 ? row[slot - 1] : NaN;
      return Number.isFinite(v) ? Math.sign(v) * Math.log1p(Math.abs(v)) : 0;
    }),
  ];
  return {
    day: dayIndex,
    slot,
    features,
    expectedSteps,
    lastWeekSteps: idx.map((x) => (day.open[x] ? day.lastWeek[x] : 0)),
    mean4Steps: idx.map((x) => (day.open[x] ? day.mean4[x] : 0)),
    filterSteps,
    ratio: shrunkRatio(state),
    actualSteps: idx.map((x) => (day.open[x] ? today[x] : 0)),
  };
}

/** Day expectations of some days of a series, each fitted on the days before it (cached by day). */
function expectationsOf(series: DaySeries, calendar: DayCalendar, days: number[], cache = new Map<number, DayExpectation>()): Map<number, DayExpectation> {
  for (const d of days) if (!cache.has(d) && series.present[d]) cache.set(d, dayExpectation(headOf(series, d), calendar, series.dates[d]));
  return cache;
}

function filterDays(series: DaySeries, expectations: Map<number, DayExpectation>, days: number[]): FilterDay[] {
  return days.filter((d) => expectations.has(d)).map((d) => ({ expected: expectations.get(d)!.expected, actual: series.values[d], open: expectations.get(d)!.open }));
}

/** Every interval start in opening hours of the given days, with features and actuals. */
function originsOf(series: DaySeries, expectations: Map<number, DayExpectation>, days: number[], signals: SignalSeries, signalNames: string[], steps: number, filter: IntradayFilterParams | null, everySlots = 1): Origin[] {
  const origins: Origin[] = [];
  for (const d of days) {
    const day = expectations.get(d);
    if (!day) continue;
    const daySignals = signalNames.map((name) => ownValue(signals, name)?.[d] ?? []);
    for (let s = 0; s < series.slotsPerDay; s += everySlots) if (day.open[s]) origins.push(originAt(d, day, series.values[d], s, series.weekdays[d], daySignals, steps, filter));
  }
  return origins;
}

type StepPredictor = (origins: Origin[]) => number[][];

const naiveLastWeek: StepPredictor = (os) => os.map((o) => o.lastWeekSteps);
const naiveMean4: StepPredictor = (os) => os.map((o) => o.mean4Steps);
const ratioAdjusted: StepPredictor = (os) => os.map((o) => o.expectedSteps.map((e) => e * o.ratio));
const stateSpace: StepPredictor = (os) => os.map((o) => o.filterSteps);
const CLASSIC: Record<Exclude<RealtimeAlias, 'realtime-net'>, StepPredictor> = {
  'naive-last-week': naiveLastWeek,
  'naive-mean-4-weeks': naiveMean4,
  'ratio-adjusted': ratioAdjusted,
  'state-space': stateSpace,
};

function netStepPredictor(net: LoadedNet, steps: number): StepPredictor {
  return (os) => {
    const corrections = net.predict(os.map((o) => o.features));
    return os.map((o, i) => o.filterSteps.map((e, j) => (j < steps ? Math.max(0, (e + 1) * Math.exp(corrections[i][j]) - 1) : 0)));
  };
}

async function predictWith(model: Pick<TrainedRealtime, 'liveAlias' | 'net' | 'steps'>, origins: Origin[]): Promise<number[][]> {
  if (model.liveAlias === 'realtime-net' && model.net) {
    const loaded = await loadNet(model.net);
    try {
      return netStepPredictor(loaded, model.steps)(origins);
    } finally {
      loaded.dispose();
    }
  }
  return CLASSIC[model.liveAlias as Exclude<RealtimeAlias, 'realtime-net'>](origins);
}

/** The learned candidates answer with medians (what absolute error rewards); the references stay as they are. */
const answersWithMedian = (alias: RealtimeAlias) => alias === 'state-space' || alias === 'realtime-net';

const total = (xs: number[]) => xs.reduce((a, v) => a + v, 0);

function totalsPoints(origins: Origin[], forecasts: number[][], median: boolean): GroupedPoint[] {
  return origins.map((o, i) => {
    const mean = total(forecasts[i]);
    return { actual: o.actualSteps.some((v) => !Number.isFinite(v)) ? NaN : total(o.actualSteps), p50: median ? poissonMedian(mean) : mean, group: String(o.day) };
  });
}

export interface TrainRealtimeInput {
  series: DaySeries;
  calendar: DayCalendar;
  signals?: SignalSeries;
  net?: Partial<NetTrainingOptions>;
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export async function trainRealtime(input: TrainRealtimeInput): Promise<TrainedRealtime> {
  const { series, calendar } = input;
  const span = historySpanDays(series);
  if (span < MIN_HISTORY_DAYS) {
    throw new WfmError('insufficient-history', `the learned realtime model needs at least ${MIN_HISTORY_DAYS} days of history, got ${span}`);
  }
  const steps = stepsFor(series.intervalMinutes);
  const signals = input.signals ?? {};
  const signalNames = Object.keys(signals).sort();
  const n = series.dates.length;
  const firstUsable = series.present.indexOf(true) + 7;
  const validationDays = Array.from({ length: VALIDATION_DAYS }, (_, i) => n - VALIDATION_DAYS + i).filter((d) => d >= firstUsable);
  const trainStart = Math.max(firstUsable, n - VALIDATION_DAYS - TRAINING_DAYS);
  const trainDays = Array.from({ length: Math.max(0, n - VALIDATION_DAYS - trainStart) }, (_, i) => trainStart + i);
  const expectations = expectationsOf(series, calendar, [...trainDays, ...validationDays]);
  // The filter is fitted on the training days only, so the validation week judges it out of sample.
  const filter = fitIntradayFilter(filterDays(series, expectations, trainDays), steps);
  const validation = originsOf(series, expectations, validationDays, signals, signalNames, steps, filter);
  const training = originsOf(series, expectations, trainDays, signals, signalNames, steps, filter);
  const forecasts: Partial<Record<RealtimeAlias, number[][]>> = {};
  for (const [alias, predict] of Object.entries(CLASSIC)) forecasts[alias as RealtimeAlias] = predict(validation);
  let net: NetArtifacts | null = null;
  const usable = training.filter((o) => o.actualSteps.every(Number.isFinite));
  if (usable.length >= 200) {
    const weights = usable.map((o) => total(o.filterSteps) + 1);
    const meanWeight = total(weights) / weights.length;
    net = await trainNet(
      usable.map((o) => o.features),
      usable.map((o) => Array.from({ length: steps }, (_, j) => (j < o.filterSteps.length ? logRatio(o.actualSteps[j], o.filterSteps[j]) : 0))),
      weights.map((w) => Math.min(5, w / meanWeight)),
      { ...DEFAULT_NET_OPTIONS, ...input.net, onEpoch: input.onEpoch },
    );
    forecasts['realtime-net'] = await predictWith({ liveAlias: 'realtime-net', net, steps }, validation);
  }
  const points: Partial<Record<RealtimeAlias, GroupedPoint[]>> = {};
  const scores: Partial<Record<RealtimeAlias, ForecastMetrics>> = {};
  // MASE against the weekly naive error of the same quantity: next-30-minute totals, in the history.
  const maseScale = weeklyNaiveScale(series.values, (d, s) => series.open[series.weekdays[d] - 1][s], steps);
  for (const [alias, f] of Object.entries(forecasts) as Array<[RealtimeAlias, number[][]]>) {
    points[alias] = totalsPoints(validation, f, answersWithMedian(alias));
    scores[alias] = scorePoints(points[alias]!, maseScale);
  }
  // The filter is the default; the net or a reference replaces it only when clearly better, and a
  // naive baseline that did better on validation always does (selectLive).
  const liveAlias = selectLive<RealtimeAlias>(points, 'state-space', ['naive-last-week', 'naive-mean-4-weeks']);
  const live = forecasts[liveAlias]!;
  const median = answersWithMedian(liveAlias);
  // The band's p10–p90 coverage on the validation days, out of sample: a totals band calibrated the same
  // way on the training days' answers (the net's from the filter it corrects), applied to the live
  // candidate's validation answers (the served band is calibrated on those, so its coverage there would be in-sample).
  const calibrationAlias = liveAlias === 'realtime-net' ? 'state-space' : liveAlias;
  const trainingBands = calibrateBands(totalsPoints(training, CLASSIC[calibrationAlias](training), answersWithMedian(calibrationAlias)));
  scores[liveAlias] = { ...scores[liveAlias]!, coverage: scorePoints(points[liveAlias]!.map((p) => ({ ...p, ...applyBand(trainingBands, p.p50) })), maseScale).coverage };
  const stepPairs = validation.flatMap((o, i) => o.actualSteps.map((a, j) => ({ actual: a, p50: median ? poissonMedian(live[i][j]) : live[i][j] })));
  return {
    kind: 'realtime',
    skillGroupId: series.skillGroupId,
    intervalMinutes: series.intervalMinutes,
    steps,
    liveAlias,
    net,
    filter,
    signalNames,
    stepBands: calibrateBands(stepPairs),
    totalBands: calibrateBands(totalsPoints(validation, live, median)),
    validation: scores,
    validationDays: validationDays.map((d) => series.dates[d]),
    trainedThrough: series.dates[n - 1],
    historyDays: span,
  };
}

export interface RealtimeSlotForecast {
  /** slot index of the day */
  slot: number;
  /** the expected count (p50 is its Poisson median when the model answers medians) */
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  /** a step after the model's trained horizon (asked with `extraSlots`): forecast by the filter the net corrects, or the baseline */
  beyondHorizon?: true;
}

export interface RealtimeForecast {
  date: string;
  /** the model's steps, then the `extraSlots` asked for (not in `total`) */
  steps: RealtimeSlotForecast[];
  total: { p10: number; p50: number; p90: number };
  alias: string;
  /** today's observed-to-expected ratio as the model reads it: shrunk toward 1 by a prior worth 10 % of the day's expected volume */
  observedToExpected: number;
  /** the calls of today's whole intervals so far over what the day's expectation gave them; null when none was observed */
  observedToExpectedRaw: number | null;
  /** the model's p50 is a Poisson median of its mean (the learned candidates), else the mean itself */
  answersMedian: boolean;
  /** over-dispersion of the counts (variance = dispersion × mean): the filter's, 1 (Poisson) without one */
  dispersion: number;
  /** the last minutes ran far beyond the forecast: the steps follow this pace (see observedPace) */
  observedPace?: ObservedPace;
  baselineFallback: boolean;
  fallbackReason?: string;
}

/** z of the 90th percentile of a normal distribution */
const Z90 = 1.2815515655446004;

/**
 * The p10–p90 spread a count with this mean has from noise alone: exact Poisson quantiles (a low count is
 * skewed: a mean of 2 is 0–4), widened to the normal spread of an over-dispersed count (variance
 * dispersion × mean) when the model measured more noise than Poisson.
 */
export function countNoiseBand(mean: number, dispersion = 1): { p10: number; p90: number } {
  if (!(mean > 0)) return { p10: 0, p90: 0 };
  const sd = Math.sqrt(Math.max(1, dispersion) * mean);
  let p10 = Math.max(0, mean - Z90 * sd);
  let p90 = mean + Z90 * sd;
  if (mean <= 500) {
    let k = 0;
    let p = Math.exp(-mean);
    let cumulative = p;
    let k10 = -1;
    while (cumulative < 0.9) {
      if (k10 < 0 && cumulative >= 0.1) k10 = k;
      k++;
      p *= mean / k;
      cumulative += p;
    }
    if (k10 < 0) k10 = k;
    p10 = Math.min(p10, k10);
    p90 = Math.max(p90, k);
  }
  return { p10, p90 };
}

/**
 * A band no narrower than the noise of a count with this mean: the model's band of a part of an interval
 * scaled with it (the calls still to come late in an interval) shrinks linearly, the Poisson noise only
 * with the square root — at minute 27 of 30 a tenth of the band left almost none.
 */
export function atLeastNoise(band: { p10: number; p50: number; p90: number }, mean: number, dispersion = 1): { p10: number; p50: number; p90: number } {
  const noise = countNoiseBand(mean, dispersion);
  return { p10: Math.max(0, Math.min(band.p10, band.p50, noise.p10)), p50: band.p50, p90: Math.max(band.p90, band.p50, noise.p90) };
}

/** One interval's forecast as the 30-minute window reads it: its span and its whole count. */
export interface WindowInterval {
  start: number;
  end: number;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface RealtimeWindowPoint {
  start: number;
  end: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface RealtimeWindow {
  from: number;
  /** from + 30 minutes, or the end of the last interval forecast (midnight ends the forecast) */
  to: number;
  /** 'minute' when the group is fed per-minute events, else 'interval' (the data's own granularity) */
  granularity: 'minute' | 'interval';
  points: RealtimeWindowPoint[];
  /** the calls still to come in [from, to) */
  total: { p10: number; p50: number; p90: number };
}

/**
 * The calls still to come in the 30 minutes from `from`: each interval the window reaches gives the share
 * of its forecast that falls inside (uniform within the interval, as the trigger's per-minute forecast
 * spreads it), per minute or per interval piece. A piece's band is its interval's band scaled to the
 * share, never narrower than the noise of its expected count; the total's half-widths add up (adjacent
 * intervals' errors share the day's level, so they do not cancel) and are at least the noise of the
 * total's expected count.
 */
export function realtimeWindow(input: { from: number; minutes: number; intervals: WindowInterval[]; perMinute: boolean; answersMedian: boolean; dispersion: number }): RealtimeWindow {
  const { from, perMinute, answersMedian: median, dispersion } = input;
  const last = input.intervals[input.intervals.length - 1];
  const to = Math.min(from + input.minutes * 60_000, last ? last.end : from);
  const points: RealtimeWindowPoint[] = [];
  const piece = (iv: WindowInterval, start: number, end: number): RealtimeWindowPoint & { mean: number; below: number; above: number } => {
    const share = (end - start) / (iv.end - iv.start);
    const mean = iv.mean * share;
    const p50 = median ? poissonMedian(mean) : mean;
    const below = share * Math.max(0, iv.p50 - iv.p10);
    const above = share * Math.max(0, iv.p90 - iv.p50);
    return { start, end, mean, below, above, ...atLeastNoise({ p10: p50 - below, p50, p90: p50 + above }, mean, dispersion) };
  };
  let mean = 0;
  let below = 0;
  let above = 0;
  for (const iv of input.intervals) {
    const start = Math.max(from, iv.start);
    const end = Math.min(to, iv.end);
    if (end <= start) continue;
    const whole = piece(iv, start, end);
    mean += whole.mean;
    below += whole.below;
    above += whole.above;
    if (!perMinute) points.push({ start, end, p10: whole.p10, p50: whole.p50, p90: whole.p90 });
    else for (let m = start; m < end; m += 60_000) {
      const { p10, p50, p90 } = piece(iv, m, Math.min(end, m + 60_000));
      points.push({ start: m, end: Math.min(end, m + 60_000), p10, p50, p90 });
    }
  }
  const p50 = median ? poissonMedian(mean) : mean;
  return { from, to, granularity: perMinute ? 'minute' : 'interval', points, total: atLeastNoise({ p10: p50 - below, p50, p90: p50 + above }, mean, dispersion) };
}

/**
 * What answers, flagged, when there is no learned model or under 4 weeks of history: of the baselines
 * it is the one that uses what today has shown so far, which a new skill group needs most (its
 * same-weekday history is a few days long).
 */
const FALLBACK_ALIAS: RealtimeAlias = 'ratio-adjusted';
/** How many recent days the fallback's own errors are measured on. */
const FALLBACK_BAND_DAYS = 28;
/** fewer replayed origins than this calibrate nothing reliable */
const MIN_BAND_RESIDUALS = 100;

/**
 * Bands for the flagged baseline from its own errors: ratio-adjusted forecasts replayed at every open
 * interval start of the recent days, each day's expectation fitted on the days before it. Too few
 * days for that (a first week) → the mean-of-weekdays baseline's residuals, wider but honest.
 */
function fallbackBandsOf(history: DaySeries, calendar: DayCalendar, steps: number): { step: BandCalibration; total: BandCalibration } {
  const n = history.dates.length;
  const days: number[] = [];
  for (let d = Math.max(1, n - FALLBACK_BAND_DAYS); d < n; d++) if (history.present[d]) days.push(d);
  const origins = originsOf(history, expectationsOf(history, calendar, days), days, {}, [], steps, null);
  const predicted = ratioAdjusted(origins);
  const stepPairs = origins.flatMap((o, i) => o.actualSteps.map((actual, j) => ({ actual, p50: predicted[i][j] })));
  const totalPairs = origins.map((o, i) => ({ actual: total(o.actualSteps), p50: total(predicted[i]) }));
  if (totalPairs.filter((p) => Number.isFinite(p.actual)).length < MIN_BAND_RESIDUALS) return naiveBands(history, steps);
  return { step: calibrateBands(stepPairs), total: calibrateBands(totalPairs) };
}

/** The calls counted in the interval under way so far (a per-minute feed), and over how many of its minutes. */
export interface UnderWayCount {
  calls: number;
  minutes: number;
}

/** The fewest minutes a pace is read over: a burst in a minute or two (one caller redialling) is no storm's pace. */
const PACE_MINUTES = 5;

/**
 * The minutes counted in the interval under way against the pace of the whole intervals before it: below
 * this lower tail the storm has stopped; at or above PACE_HELD_P it is still running at that pace.
 */
const PACE_STOPPED_P = 0.01;
const PACE_HELD_P = 0.05;

/** The calls per minute the last minutes ran at, when far beyond the forecast (see observedPace). */
export interface ObservedPace {
  perMinute: number;
  /** what it was measured on: calls over minutes, beside what the forecast gave those minutes */
  calls: number;
  minutes: number;
  expected: number;
}

/**
 * The pace of the last minutes when the forecast cannot explain it. The filter believes a day up to about
 * three times the plan within a few intervals (its second regime), and the net corrects it by a bounded
 * factor; a storm at thirty times a quiet night's plan is beyond both, and the forecast of the interval under
 * way (the model's interval mean × the minutes left) went on answering the night while 12 calls a minute
 * were counted. Read over the counted minutes of the interval under way, or — fewer than PACE_MINUTES of
 * them — those and the last whole intervals back to PACE_MINUTES: the most recent minutes that can say
 * anything. Whole intervals count as a pace only in a spell: the ones before them (again PACE_MINUTES or
 * more) far beyond too. On the Anonymous Bank data a half hour at five times the plan was as often followed
 * by an ordinary one (407 calls at 13:30 on 3 Feb, 87 in the next), and following each such spike cost the
 * Jan–Feb realtime ratio 0.03. A gap or a closed interval in the window reads no pace. The forecast those minutes are tested against is
 * its level now (step 0's mean over the plan) on the plan of each: where the plan falls (closing time) the
 * last interval's count is not read as beyond the next one's forecast. Tested by the trigger's Poisson
 * tail (farBeyondForecast, at the filter's measured over-dispersion), so ordinary noise never passes: a
 * window that does not pass — a storm fading back into what the forecast expects — leaves the forecast as it is.
 */
export function observedPace(input: {
  day: Pick<DayExpectation, 'expected' | 'open'>;
  today: number[];
  /** the slot of the interval under way (today's whole intervals are the slots before it) */
  slot: number;
  intervalMinutes: number;
  /** the model's mean for the interval under way (its whole count) */
  stepMean: number;
  underWay?: UnderWayCount;
  dispersion?: number;
}): ObservedPace | null {
  const { day, today, slot, intervalMinutes, stepMean, underWay } = input;
  if (!day.open[slot] || !(stepMean > 0)) return null;
  const plan = day.expected[slot];
  // The forecast's level now against the plan; without a plan for this slot, its pace per minute throughout.
  const forecastOf = (s: number) => (plan > 0 ? (stepMean / plan) * day.expected[s] : stepMean);
  let calls = underWay && underWay.minutes > 0 ? underWay.calls : 0;
  let minutes = underWay && underWay.minutes > 0 ? Math.min(intervalMinutes, underWay.minutes) : 0;
  let expected = (stepMean * minutes) / intervalMinutes;
  const countedEnough = minutes >= PACE_MINUTES;
  let s = slot - 1;
  for (; minutes < PACE_MINUTES && s >= 0; s--) {
    if (!day.open[s] || !Number.isFinite(today[s])) return null;
    calls += today[s];
    minutes += intervalMinutes;
    expected += forecastOf(s);
  }
  if (minutes < PACE_MINUTES) return null;
  const window = { calls, minutes, expected };
  if (!farBeyondForecast(window, input.dispersion)) return null;
  if (!countedEnough) {
    const perMinute = calls / minutes;
    const counted = underWay && underWay.minutes > 0 ? { calls: underWay.calls, minutes: Math.min(intervalMinutes, underWay.minutes) } : undefined;
    if (counted) {
      // The minutes counted since the whole intervals say whether the storm goes on across the boundary:
      // well below the pace, it has stopped (not followed, however long it ran); at the pace, with the last
      // whole interval far beyond on its own, it goes on (followed without waiting for PACE_MINUTES).
      const tail = belowPaceTail(counted, perMinute, input.dispersion);
      if (tail < PACE_STOPPED_P) return null;
      const last = slot - 1;
      const lastAlone = last >= 0 && day.open[last] && Number.isFinite(today[last]) ? { calls: today[last], minutes: intervalMinutes, expected: forecastOf(last) } : undefined;
      if (tail >= PACE_HELD_P && lastAlone && farBeyondForecast(lastAlone, input.dispersion)) return { perMinute, ...window };
    }
    // Whole intervals read as a pace only when the ones before them were far beyond too: a spell, not one
    // interval's spike.
    let before = { calls: 0, minutes: 0, expected: 0 };
    for (; before.minutes < PACE_MINUTES && s >= 0; s--) {
      if (!day.open[s] || !Number.isFinite(today[s])) return null;
      before = { calls: before.calls + today[s], minutes: before.minutes + intervalMinutes, expected: before.expected + forecastOf(s) };
    }
    if (before.minutes < PACE_MINUTES || !farBeyondForecast(before, input.dispersion)) return null;
  }
  return { perMinute: calls / minutes, ...window };
}

/**
 * The means of open intervals raised to the observed pace (never lowered), with the spread of the pace's
 * own estimate per interval (Poisson on the calls it was measured on, over-dispersed as the filter
 * measured): 84 calls in 7 minutes is 12 a minute ± 1.3, ± 39 over a half hour.
 */
function atObservedPace(means: number[], slots: number[], open: boolean[], intervalMinutes: number, pace: ObservedPace, dispersion: number): { means: number[]; paceSd: number[] } {
  const rateSd = Math.sqrt(Math.max(1, pace.calls) * Math.max(1, dispersion)) / pace.minutes;
  const raised = means.map((m, j) => (open[slots[j]] && pace.perMinute * intervalMinutes > m ? pace.perMinute * intervalMinutes : m));
  return { means: raised, paceSd: raised.map((m, j) => (m !== means[j] ? rateSd * intervalMinutes : 0)) };
}

/** A band widened by an independent error of this sd (half-widths added in quadrature). */
function widened(band: { p10: number; p90: number }, p50: number, sd: number): { p10: number; p90: number } {
  if (!(sd > 0)) return band;
  return { p10: Math.max(0, p50 - Math.hypot(p50 - band.p10, Z90 * sd)), p90: p50 + Math.hypot(band.p90 - p50, Z90 * sd) };
}

/**
 * The next 30 minutes from `slot` of `date`, given the history before that day and today's intervals
 * so far (`today[s]` for s < slot; NaN for unknown). Without a model (or with too little history) the
 * ratio-adjusted baseline answers (the day's expectation × today's observed-to-expected ratio so far),
 * flagged as a baseline, with bands from that baseline's own errors in the history. Each step's p50 is that step's median; the total's p50 is the median of the
 * total (for quiet intervals it is not the sum of the steps' medians).
 */
export async function forecastRealtimeSlots(options: {
  history: DaySeries;
  calendar: DayCalendar;
  date: string;
  slot: number;
  today: number[];
  model: TrainedRealtime | null;
  signals?: Record<string, number[]>;
  /**
   * The slots of the coming steps when they are not slot, slot + 1, …: on the day the clocks go back, the
   * intervals after the first pass of the repeated hour are that hour's slots again (folded in the
   * history), and on the day they go forward the skipped hour's slots do not come at all.
   */
  stepSlots?: number[];
  /**
   * Slots after the model's steps to forecast too (not in `total`): the 30 minutes from a moment inside
   * an interval reach into the interval after the horizon. The filter forecasts any number of steps
   * ahead; the net corrects only the steps it was trained on, so beyond them the filter it corrects answers.
   */
  extraSlots?: number[];
  /** the calls counted so far in the interval under way: with today's last intervals, the pace a storm is read from (observedPace) */
  underWay?: UnderWayCount;
}): Promise<RealtimeForecast> {
  const { history, calendar, date, slot, model } = options;
  const steps = model?.steps ?? stepsFor(history.intervalMinutes);
  const day = dayExpectation(history, calendar, date);
  const today = Array.from({ length: history.slotsPerDay }, (_, s) => (s < slot && Number.isFinite(options.today[s]) ? options.today[s] : NaN));
  const signalRows = (model?.signalNames ?? []).map((name) => ownValue(options.signals, name) ?? []);
  const idx = options.stepSlots ?? stepSlots(slot, steps, history.slotsPerDay);
  const origin = originAt(-1, day, today, slot, weekdayOf(date), signalRows, steps, model?.filter ?? null, idx);
  const span = historySpanDays(history);
  let alias: RealtimeAlias = FALLBACK_ALIAS;
  let means: number[];
  let fallbackReason: string | undefined;
  if (!model || span < MIN_HISTORY_DAYS) {
    fallbackReason = !model ? 'no trained realtime model: baseline forecast' : `only ${span} days of history (the learned model needs ${MIN_HISTORY_DAYS}): baseline forecast`;
    means = ratioAdjusted([origin])[0];
  } else {
    alias = model.liveAlias;
    means = (await predictWith(model, [origin]))[0];
  }
  const dispersion = fallbackReason ? 1 : (model?.filter?.dispersion ?? 1);
  const intervalMinutes = history.intervalMinutes;
  // Calls far beyond what the forecast can explain: the coming intervals at least at the pace they arrive at.
  const pace = idx.length ? observedPace({ day, today, slot, intervalMinutes, stepMean: means[0], underWay: options.underWay, dispersion }) : null;
  let paceSd = means.map(() => 0);
  if (pace) ({ means, paceSd } = atObservedPace(means, idx, day.open, intervalMinutes, pace, dispersion));
  const median = answersWithMedian(alias);
  const fallbackBands = fallbackReason ? fallbackBandsOf(history, calendar, steps) : null;
  const stepBands = fallbackBands?.step ?? model!.stepBands;
  const totalBands = fallbackBands?.total ?? model!.totalBands;
  const p50 = means.map((v) => (median ? poissonMedian(v) : v));
  const totalP50 = median ? poissonMedian(total(means)) : total(means);
  // A closed interval takes no calls: no band either (the two-week forecast leaves it out altogether).
  const closed = (slotOfDay: number) => !day.open[slotOfDay];
  const anyOpen = idx.some((x) => !closed(x));
  const stepOf = (slotOfDay: number, mean: number, sd = 0): RealtimeSlotForecast => {
    if (closed(slotOfDay)) return { slot: slotOfDay, mean: 0, p10: 0, p50: 0, p90: 0 };
    const v = median ? poissonMedian(mean) : mean;
    return { slot: slotOfDay, mean, p50: v, ...widened(applyBand(stepBands, v), v, sd) };
  };
  const extraSlots = options.extraSlots ?? [];
  let beyond = extraSlots.length ? beyondHorizon(alias, fallbackReason !== undefined, { day, today, slot, weekday: weekdayOf(date), filter: model?.filter ?? null }, [...idx, ...extraSlots]) : [];
  let beyondSd = beyond.map(() => 0);
  if (pace && beyond.length) ({ means: beyond, paceSd: beyondSd } = atObservedPace(beyond, [...idx, ...extraSlots], day.open, intervalMinutes, pace, dispersion));
  const extra = extraSlots.map((x, j) => ({ ...stepOf(x, beyond[idx.length + j], beyondSd[idx.length + j]), beyondHorizon: true as const }));
  const seen = soFar(day, today, slot);
  // the pace's errors over the steps move together (one rate): their sds add up
  const totalPaceSd = total(paceSd);
  return {
    date,
    steps: [...p50.map((_, j) => stepOf(idx[j], means[j], paceSd[j])), ...extra],
    total: anyOpen ? { p50: totalP50, ...widened(applyBand(totalBands, totalP50), totalP50, totalPaceSd) } : { p10: 0, p50: 0, p90: 0 },
    alias,
    observedToExpected: origin.ratio,
    observedToExpectedRaw: seen.intervals > 0 && seen.expected > 0 ? seen.observed / seen.expected : null,
    answersMedian: median,
    dispersion,
    ...(pace ? { observedPace: pace } : {}),
    baselineFallback: fallbackReason !== undefined,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}

/**
 * The means of the model's steps and of slots after them, for the slots after its horizon: an origin over
 * all of them (its features unused) and the live candidate's arithmetic, the net's by the filter it corrects.
 */
function beyondHorizon(alias: RealtimeAlias, fallback: boolean, at: { day: DayExpectation; today: number[]; slot: number; weekday: number; filter: IntradayFilterParams | null }, slots: number[]): number[] {
  const origin = originAt(-1, at.day, at.today, at.slot, at.weekday, [], slots.length, at.filter, slots);
  if (fallback) return ratioAdjusted([origin])[0];
  return (alias === 'realtime-net' ? stateSpace : CLASSIC[alias])([origin])[0];
}

/**
 * Backtest helper: the realtime forecasts of a trained model (or, with `model` null, of the flagged
 * baseline the service answers with) at every open interval start of some days (or only every
 * `originEveryMinutes`, e.g. 30-minute starts of 6-minute data), beside the references.
 */
export async function realtimeBacktest(series: DaySeries, calendar: DayCalendar, days: number[], model: TrainedRealtime | null, options: { signals?: SignalSeries; originEveryMinutes?: number } = {}) {
  const steps = model?.steps ?? stepsFor(series.intervalMinutes);
  const expectations = expectationsOf(series, calendar, days);
  const everySlots = Math.max(1, Math.round((options.originEveryMinutes ?? series.intervalMinutes) / series.intervalMinutes));
  const origins = originsOf(series, expectations, days, options.signals ?? {}, model?.signalNames ?? [], steps, model?.filter ?? null, everySlots);
  const predicted = model ? await predictWith(model, origins) : ratioAdjusted(origins);
  // as served (forecastRealtimeSlots): a pace far beyond the forecast raises the steps to it
  const dispersion = model?.filter?.dispersion ?? 1;
  const live = predicted.map((means, i) => {
    const o = origins[i];
    const day = expectations.get(o.day)!;
    const pace = observedPace({ day, today: series.values[o.day], slot: o.slot, intervalMinutes: series.intervalMinutes, stepMean: means[0], dispersion });
    return pace ? atObservedPace(means, stepSlots(o.slot, steps, series.slotsPerDay), day.open, series.intervalMinutes, pace, dispersion).means : means;
  });
  const median = model ? answersWithMedian(model.liveAlias) : false;
  const bands = model ? model.totalBands : fallbackBandsOf(headOf(series, days[0]), calendar, steps).total;
  const withBand = (points: ScoredPoint[]) => points.map((p) => ({ ...p, ...applyBand(bands, p.p50) }));
  return {
    origins: origins.length,
    live: withBand(totalsPoints(origins, live, median)),
    naiveLastWeek: totalsPoints(origins, naiveLastWeek(origins), false),
    naiveMean4: totalsPoints(origins, naiveMean4(origins), false),
    ratioAdjusted: totalsPoints(origins, ratioAdjusted(origins), false),
  };
}
