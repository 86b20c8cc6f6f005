/**
 * The realtime forecaster: at an interval start today, the inflow of each interval of the next 30
 * minutes (one step at 30-minute data, five at 6-minute data, thirty per-minute) and their total.
 * It updates within the day: today's observed-to-expected ratio against the day's two-week-style
 * expectation (shrunk toward 1 while little of the day has been seen), the last intervals' inflow and
 * optional leading signals feed a small dense net that corrects the expectation. Candidates — the two
 * naive baselines, the ratio-scaled expectation and the net — are scored on the last week of history
 * and the best goes live.
 */
import type { DaySeries } from './day-series';
import { headOf, historySpanDays } from './day-series';
import type { DayCalendar } from './calendar';
import { fitDecomposition, decompositionForecast } from './decomposition';
import { MeanOfLastFourWeekdays, SameWeekdayLastWeek } from './baselines';
import { trainNet, loadNet, DEFAULT_NET_OPTIONS, type NetArtifacts, type NetTrainingOptions, type LoadedNet } from './net';
import { calibrateBands, applyBand, type BandCalibration } from './bands';
import { scorePoints, type ForecastMetrics, type ScoredPoint } from './metrics';
import { chooseLive, MIN_HISTORY_DAYS } from './two-week';
import { WfmError } from '../errors/wfm-error';

export const REALTIME_MINUTES = 30;
const VALIDATION_DAYS = 7;
const LOG_CLIP = 2.5;

export type RealtimeAlias = 'naive-last-week' | 'naive-mean-4-weeks' | 'ratio-adjusted' | 'realtime-net';

export interface TrainedRealtime {
  kind: 'realtime';
  skillGroupId: string;
  intervalMinutes: number;
  steps: number;
  liveAlias: RealtimeAlias;
  net: NetArtifacts | null;
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
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
  return {
    expected: decompositionForecast(state, calendar, [date])[0],
    lastWeek: lastWeek.predict([date])[0],
    mean4: mean4.predict([date])[0],
    open: history.open[weekday - 1],
  };
}

const logRatio = (v: number, base: number) => Math.max(-LOG_CLIP, Math.min(LOG_CLIP, Math.log((v + 1) / (base + 1))));

interface SoFar {
  observed: number;
  expected: number;
  expectedDay: number;
}

function soFar(day: DayExpectation, today: number[], slot: number): SoFar {
  let observed = 0;
  let expected = 0;
  for (let s = 0; s < slot; s++) {
    if (!day.open[s] || !Number.isFinite(today[s])) continue;
    observed += today[s];
    expected += day.expected[s];
  }
  const expectedDay = day.expected.reduce((a, v, s) => a + (day.open[s] ? v : 0), 0);
  return { observed, expected, expectedDay };
}

/** Today's observed-to-expected ratio, shrunk toward 1 by a prior worth 10 % of the day's volume. */
export function shrunkRatio(state: SoFar): number {
  const prior = Math.max(1, 0.1 * state.expectedDay);
  return (state.observed + prior) / (state.expected + prior);
}

function featureRow(day: DayExpectation, today: number[], slot: number, weekday: number, signals: number[][], steps: number): number[] {
  const slots = day.expected.length;
  const state = soFar(day, today, slot);
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
  let nextExpected = 0;
  let nextMean4 = 0;
  let nextLastWeek = 0;
  for (let j = 0; j < steps && slot + j < slots; j++) {
    nextExpected += day.expected[slot + j];
    nextMean4 += day.mean4[slot + j];
    nextLastWeek += day.lastWeek[slot + j];
  }
  const angle = (2 * Math.PI * slot) / slots;
  return [
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
    logRatio(nextMean4, nextExpected),
    logRatio(nextLastWeek, nextExpected),
    ...signals.map((row) => {
      const v = slot > 0 ? row[slot - 1] : NaN;
      return Number.isFinite(v) ? Math.sign(v) * Math.log1p(Math.abs(v)) : 0;
    }),
  ];
}

interface Origin {
  dayIndex: number;
  slot: number;
  features: number[];
  expectedSteps: number[];
  lastWeekSteps: number[];
  mean4Steps: number[];
  ratio: number;
  actualSteps: number[];
}

/** Every interval start in opening hours of the given days, with features and actuals. */
function originsOf(series: DaySeries, calendar: DayCalendar, days: number[], signals: SignalSeries, signalNames: string[], steps: number): Origin[] {
  const origins: Origin[] = [];
  for (const d of days) {
    if (!series.present[d]) continue;
    const history = headOf(series, d);
    const day = dayExpectation(history, calendar, series.dates[d]);
    const today = series.values[d];
    const daySignals = signalNames.map((name) => signals[name]?.[d] ?? []);
    for (let s = 0; s < series.slotsPerDay; s++) {
      if (!day.open[s]) continue;
      const idx = Array.from({ length: steps }, (_, j) => s + j).filter((x) => x < series.slotsPerDay);
      origins.push({
        dayIndex: d,
        slot: s,
        features: featureRow(day, today, s, series.weekdays[d], daySignals, steps),
        expectedSteps: idx.map((x) => (day.open[x] ? day.expected[x] : 0)),
        lastWeekSteps: idx.map((x) => (day.open[x] ? day.lastWeek[x] : 0)),
        mean4Steps: idx.map((x) => (day.open[x] ? day.mean4[x] : 0)),
        ratio: shrunkRatio(soFar(day, today, s)),
        actualSteps: idx.map((x) => (day.open[x] ? today[x] : 0)),
      });
    }
  }
  return origins;
}

type StepPredictor = (origins: Origin[]) => number[][];

const naiveLastWeek: StepPredictor = (os) => os.map((o) => o.lastWeekSteps);
const naiveMean4: StepPredictor = (os) => os.map((o) => o.mean4Steps);
const ratioAdjusted: StepPredictor = (os) => os.map((o) => o.expectedSteps.map((e) => e * o.ratio));

function netStepPredictor(net: LoadedNet, steps: number): StepPredictor {
  return (os) => {
    const corrections = net.predict(os.map((o) => o.features));
    return os.map((o, i) => o.expectedSteps.map((e, j) => (j < steps ? Math.max(0, (e + 1) * Math.exp(corrections[i][j]) - 1) : 0)));
  };
}

const total = (xs: number[]) => xs.reduce((a, v) => a + v, 0);

function totalsPoints(origins: Origin[], forecasts: number[][]): ScoredPoint[] {
  return origins.map((o, i) => ({ actual: o.actualSteps.some((v) => !Number.isFinite(v)) ? NaN : total(o.actualSteps), p50: total(forecasts[i]) }));
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
  const trainDays = Array.from({ length: Math.max(0, n - VALIDATION_DAYS - firstUsable) }, (_, i) => firstUsable + i);
  const validation = originsOf(series, calendar, validationDays, signals, signalNames, steps);
  const training = originsOf(series, calendar, trainDays, signals, signalNames, steps);
  const forecasts: Partial<Record<RealtimeAlias, number[][]>> = {
    'naive-last-week': naiveLastWeek(validation),
    'naive-mean-4-weeks': naiveMean4(validation),
    'ratio-adjusted': ratioAdjusted(validation),
  };
  let net: NetArtifacts | null = null;
  const usable = training.filter((o) => o.actualSteps.every(Number.isFinite));
  if (usable.length >= 200) {
    const weights = usable.map((o) => total(o.expectedSteps) + 1);
    const meanWeight = total(weights) / weights.length;
    net = await trainNet(
      usable.map((o) => o.features),
      usable.map((o) => Array.from({ length: steps }, (_, j) => (j < o.expectedSteps.length ? logRatio(o.actualSteps[j], o.expectedSteps[j]) : 0))),
      weights.map((w) => Math.min(5, w / meanWeight)),
      { ...DEFAULT_NET_OPTIONS, ...input.net, onEpoch: input.onEpoch },
    );
    const loaded = await loadNet(net);
    try {
      forecasts['realtime-net'] = netStepPredictor(loaded, steps)(validation);
    } finally {
      loaded.dispose();
    }
  }
  const scores: Partial<Record<RealtimeAlias, ForecastMetrics>> = {};
  for (const [alias, f] of Object.entries(forecasts) as Array<[RealtimeAlias, number[][]]>) scores[alias] = scorePoints(totalsPoints(validation, f), 1);
  const liveAlias = chooseLive(scores, betterNaive(scores));
  const live = forecasts[liveAlias]!;
  const stepPairs = validation.flatMap((o, i) => o.actualSteps.map((a, j) => ({ actual: a, p50: live[i][j] })));
  return {
    kind: 'realtime',
    skillGroupId: series.skillGroupId,
    intervalMinutes: series.intervalMinutes,
    steps,
    liveAlias,
    net,
    signalNames,
    stepBands: calibrateBands(stepPairs),
    totalBands: calibrateBands(totalsPoints(validation, live)),
    validation: scores,
    validationDays: validationDays.map((d) => series.dates[d]),
    trainedThrough: series.dates[n - 1],
    historyDays: span,
  };
}

function betterNaive(scores: Partial<Record<RealtimeAlias, ForecastMetrics>>): RealtimeAlias {
  const a = scores['naive-last-week']?.wape ?? Infinity;
  const b = scores['naive-mean-4-weeks']?.wape ?? Infinity;
  return a < b ? 'naive-last-week' : 'naive-mean-4-weeks';
}

export interface RealtimeSlotForecast {
  /** slot index of the day */
  slot: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface RealtimeForecast {
  date: string;
  steps: RealtimeSlotForecast[];
  total: { p10: number; p50: number; p90: number };
  alias: string;
  observedToExpected: number;
  baselineFallback: boolean;
  fallbackReason?: string;
}

/**
 * The next 30 minutes from `slot` of `date`, given the history before that day and today's intervals
 * so far (`today[s]` for s < slot; NaN for unknown). Without a model (or with too little history) the
 * mean of the last 4 same weekdays answers, flagged as a baseline.
 */
export async function forecastRealtimeSlots(options: {
  history: DaySeries;
  calendar: DayCalendar;
  date: string;
  slot: number;
  today: number[];
  model: TrainedRealtime | null;
  signals?: Record<string, number[]>;
}): Promise<RealtimeForecast> {
  const { history, calendar, date, slot, model } = options;
  const steps = model?.steps ?? stepsFor(history.intervalMinutes);
  const day = dayExpectation(history, calendar, date);
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
  const today = Array.from({ length: history.slotsPerDay }, (_, s) => (s < slot && Number.isFinite(options.today[s]) ? options.today[s] : s < slot ? NaN : NaN));
  const signalRows = (model?.signalNames ?? []).map((name) => options.signals?.[name] ?? []);
  const idx = Array.from({ length: steps }, (_, j) => slot + j).filter((x) => x < history.slotsPerDay);
  const origin: Origin = {
    dayIndex: -1,
    slot,
    features: featureRow(day, today, slot, weekday, signalRows, steps),
    expectedSteps: idx.map((x) => (day.open[x] ? day.expected[x] : 0)),
    lastWeekSteps: idx.map((x) => (day.open[x] ? day.lastWeek[x] : 0)),
    mean4Steps: idx.map((x) => (day.open[x] ? day.mean4[x] : 0)),
    ratio: shrunkRatio(soFar(day, today, slot)),
    actualSteps: [],
  };
  const span = historySpanDays(history);
  let alias: RealtimeAlias = 'naive-mean-4-weeks';
  let p50: number[];
  let fallbackReason: string | undefined;
  if (!model || span < MIN_HISTORY_DAYS) {
    fallbackReason = !model ? 'no trained realtime model: baseline forecast' : `only ${span} days of history (the learned model needs ${MIN_HISTORY_DAYS}): baseline forecast`;
    p50 = naiveMean4([origin])[0];
  } else {
    alias = model.liveAlias;
    if (alias === 'realtime-net' && model.net) {
      const loaded = await loadNet(model.net);
      try {
        p50 = netStepPredictor(loaded, steps)([origin])[0];
      } finally {
        loaded.dispose();
      }
    } else {
      p50 = ({ 'naive-last-week': naiveLastWeek, 'naive-mean-4-weeks': naiveMean4, 'ratio-adjusted': ratioAdjusted } as Record<string, StepPredictor>)[alias]([origin])[0];
    }
  }
  const stepBands = model && !fallbackReason ? model.stepBands : calibrateBands([]);
  const totalBands = model && !fallbackReason ? model.totalBands : calibrateBands([]);
  const totalP50 = total(p50);
  return {
    date,
    steps: p50.map((v, j) => ({ slot: idx[j], p50: v, ...applyBand(stepBands, v) })),
    total: { p50: totalP50, ...applyBand(totalBands, totalP50) },
    alias,
    observedToExpected: origin.ratio,
    baselineFallback: fallbackReason !== undefined,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}

/** Backtest helper: the realtime forecasts of a trained model at every open interval start of some days. */
export async function realtimeBacktest(series: DaySeries, calendar: DayCalendar, days: number[], model: TrainedRealtime, signals: SignalSeries = {}) {
  const origins = originsOf(series, calendar, days, signals, model.signalNames, model.steps);
  let live: number[][];
  if (model.liveAlias === 'realtime-net' && model.net) {
    const loaded = await loadNet(model.net);
    try {
      live = netStepPredictor(loaded, model.steps)(origins);
    } finally {
      loaded.dispose();
    }
  } else {
    live = ({ 'naive-last-week': naiveLastWeek, 'naive-mean-4-weeks': naiveMean4, 'ratio-adjusted': ratioAdjusted } as Record<string, StepPredictor>)[model.liveAlias](origins);
  }
  const withBand = (f: number[][]) => totalsPoints(origins, f).map((p) => ({ ...p, ...applyBand(model.totalBands, p.p50) }));
  return {
    origins: origins.length,
    live: withBand(live),
    naiveLastWeek: totalsPoints(origins, naiveLastWeek(origins)),
    naiveMean4: totalsPoints(origins, naiveMean4(origins)),
    ratioAdjusted: totalsPoints(origins, ratioAdjusted(origins)),
  };
}
