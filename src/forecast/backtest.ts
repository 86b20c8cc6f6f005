/**
 * Rolling-origin backtest of one skill group and horizon: at each weekly origin the forecaster is
 * trained on the history before it (exactly as the nightly job would) and scored on what followed,
 * beside the naive baselines on the same intervals. Two-week: origins a week apart, 14 days each.
 * Realtime: the model trained at each weekly origin forecasts the next 30 minutes at every interval
 * start in opening hours of the following 7 days. Origins with less than 4 weeks of history are
 * answered by the flagged baseline, as the service would. An origin whose days after it hold no scored
 * observation (a gap in the history) is no evidence: it is skipped, named in emptyOrigins, and the walk
 * goes on to earlier origins until as many windows as asked for are scored or the history runs out.
 */
import type { IntervalVolume } from '../domain/types';
import { headOf, historySpanDays, type DaySeries } from './day-series';
import type { DayCalendar } from './calendar';
import { trainTwoWeek, forecastTwoWeekDays, backtestPoints, answering, BASELINE_FACTORIES, MIN_HISTORY_DAYS, TWO_WEEK_DAYS, type TrainedTwoWeek, type TwoWeekAlias } from './two-week';
import type { NetArtifacts } from './net';
import { trainRealtime, realtimeBacktest, stepsFor } from './realtime';
import { scorePoints, weeklyNaiveScale, type ForecastMetrics, type ScoredPoint } from './metrics';
import { ensureTfBackend } from './tf-backend';
import { buildDaySeries } from './day-series';
import { calendarFor, type CalendarInput, type ForecastSubject, type Horizon } from './index';

export interface BacktestWindow {
  origin: string;
  liveAlias: string;
  baselineFallback: boolean;
  metrics: Record<string, ForecastMetrics>;
  trainingSeconds: number;
  /** the open days (by opening hours) scored after the origin, and how many of them hold data (fewer: the window is partly a gap) */
  openDays: number;
  openDaysWithData: number;
  /**
   * Two-week, with a trained model: what became of the learned net at this origin — live; its best
   * epoch was none (no epoch beat the uncorrected decomposition on its held-out rows: it kept the zero
   * correction, and forecasts as the decomposition does); not allowed live (`reason`); or it lost to the
   * live candidate on the validation weeks; not trained (too little history for its own validation).
   * Scored as the `decomposition-net` row whenever it was trained.
   */
  net?: { outcome: NetOutcome; reason?: string };
}

export type NetOutcome = 'live' | 'zero-correction' | 'not-allowed' | 'lost-on-validation' | 'not-trained';

export interface BacktestReport {
  horizon: Horizon;
  skillGroupId: string;
  /** the windows scored, oldest first: each has at least one scored observation */
  windows: BacktestWindow[];
  /** origins passed over, oldest first, because no observation after them could be scored (the history's gaps) */
  emptyOrigins: string[];
  /** pooled over all windows, per model ("live" = the model the service would have served) */
  overall: Record<string, ForecastMetrics>;
  /** the better of the two naive baselines on these windows */
  betterNaive: string;
  /** live WAPE / better naive WAPE */
  wapeRatio: number;
  /** the same pooled over the windows with enough history for the learned model only (absent if none) */
  learned?: { windows: number; overall: Record<string, ForecastMetrics>; betterNaive: string; wapeRatio: number };
}

export interface BacktestOptions extends CalendarInput {
  windows?: number;
  /** days between origins (default 7: weekly) */
  stepDays?: number;
  /** realtime: forecast only at interval starts this many minutes apart (default: every interval) */
  originEveryMinutes?: number;
  net?: Parameters<typeof trainTwoWeek>[0]['net'];
  onWindow?: (done: number, total: number) => void;
  clock?: () => number;
}

export async function backtestSeries(series: DaySeries, calendar: DayCalendar, horizon: Horizon, options: BacktestOptions = {}): Promise<BacktestReport> {
  await ensureTfBackend();
  const clock = options.clock ?? (() => performance.now());
  const windows = options.windows ?? 8;
  const n = series.dates.length;
  const step = options.stepDays ?? 7;
  const length = horizon === 'two-week' ? TWO_WEEK_DAYS : 7;
  const firstPresent = series.present.indexOf(true);
  const pooled: Record<string, ScoredPoint[]> = {};
  const pooledLearned: Record<string, ScoredPoint[]> = {};
  const out: BacktestWindow[] = [];
  const empty: number[] = [];
  const scale = weeklyNaiveScale(series.values, (d, s) => series.open[series.weekdays[d] - 1][s], horizon === 'realtime' ? stepsFor(series.intervalMinutes) : 1);
  // newest origin first, a week of history before each; an empty window does not use up one asked for
  for (let o = n - length; out.length < windows && firstPresent >= 0 && o - firstPresent >= 7; o -= step) {
    // a closed day (a Sunday of a Mon–Sat center) has no rows and lacks nothing
    let openDays = 0;
    let openDaysWithData = 0;
    for (let d = o; d < Math.min(o + length, n); d++) {
      if (!series.open[series.weekdays[d] - 1].some(Boolean)) continue;
      openDays++;
      if (series.present[d]) openDaysWithData++;
    }
    // no open day with data: nothing could be scored, and training there would be wasted
    if (openDaysWithData === 0) {
      empty.unshift(o);
      continue;
    }
    const history = headOf(series, o);
    const enough = historySpanDays(history) >= MIN_HISTORY_DAYS;
    const started = clock();
    const points: Record<string, ScoredPoint[]> = {};
    let liveAlias = 'naive-mean-4-weeks';
    let net: BacktestWindow['net'];
    if (horizon === 'two-week') {
      const model = enough ? await trainTwoWeek({ series: history, calendar, net: options.net }) : null;
      const forecast = await forecastTwoWeekDays({ history, calendar, firstDate: series.dates[o], model, days: Math.min(TWO_WEEK_DAYS, n - o) });
      liveAlias = forecast.alias;
      points.live = [];
      forecast.dates.forEach((_, d) => {
        const open = history.open[series.weekdays[o + d] - 1];
        for (let s = 0; s < series.slotsPerDay; s++) if (open[s]) points.live.push({ actual: series.values[o + d][s], p50: forecast.p50[d][s], p10: forecast.p10[d][s], p90: forecast.p90[d][s] });
      });
      // Each candidate as it would answer if live (the learned ones with the interval's median), so the
      // live row equals the row of the candidate that was live.
      for (const [alias, make] of Object.entries(BASELINE_FACTORIES)) {
        points[alias] = backtestPoints(series, [o], TWO_WEEK_DAYS, answering(alias as TwoWeekAlias, (h, dates) => { const m = make(); m.fit(h, calendar); return m.predict(dates); }));
      }
      // The learned net's own answers, live or not (trained on the weeks before its validation windows
      // when it did not go live), so its score is beside the others' rather than only in training's candidates.
      if (model?.net) {
        const asNet = model.liveAlias === 'decomposition-net' ? forecast : await forecastTwoWeekDays({ history, calendar, firstDate: series.dates[o], model: { ...model, liveAlias: 'decomposition-net' }, days: forecast.dates.length });
        points['decomposition-net'] = [];
        asNet.dates.forEach((_, d) => {
          const open = history.open[series.weekdays[o + d] - 1];
          for (let s = 0; s < series.slotsPerDay; s++) if (open[s]) points['decomposition-net'].push({ actual: series.values[o + d][s], p50: asNet.p50[d][s] });
        });
      }
      if (model) net = netOutcome(model);
    } else {
      const days = Array.from({ length: Math.min(7, n - o) }, (_, j) => o + j);
      // Too little history for the learned model: the service answers with the flagged baseline.
      const model = enough ? await trainRealtime({ series: history, calendar, net: options.net }) : null;
      const r = await realtimeBacktest(series, calendar, days, model, { originEveryMinutes: options.originEveryMinutes });
      if (model) liveAlias = model.liveAlias;
      Object.assign(points, { live: r.live, 'naive-last-week': r.naiveLastWeek, 'naive-mean-4-weeks': r.naiveMean4, 'ratio-adjusted': r.ratioAdjusted });
    }
    const metrics: Record<string, ForecastMetrics> = {};
    for (const [alias, p] of Object.entries(points)) metrics[alias] = scorePoints(p, scale);
    // days with rows, yet no open interval with an actual (every open slot of them missing)
    if (!(metrics.live?.n > 0)) {
      empty.unshift(o);
      continue;
    }
    for (const [alias, p] of Object.entries(points)) {
      (pooled[alias] ??= []).push(...p);
      if (enough) (pooledLearned[alias] ??= []).push(...p);
    }
    out.unshift({ origin: series.dates[o], liveAlias, baselineFallback: !enough, metrics, trainingSeconds: (clock() - started) / 1000, openDays, openDaysWithData, ...(net ? { net } : {}) });
    options.onWindow?.(out.length, windows);
  }
  const all = summarise(pooled, scale);
  const learnedWindows = out.filter((w) => !w.baselineFallback).length;
  return {
    horizon,
    skillGroupId: series.skillGroupId,
    windows: out,
    emptyOrigins: empty.map((o) => series.dates[o]),
    ...all,
    ...(learnedWindows > 0 ? { learned: { windows: learnedWindows, ...summarise(pooledLearned, scale) } } : {}),
  };
}

/** What became of a two-week model's learned net (see BacktestWindow.net). */
function netOutcome(model: TrainedTwoWeek): { outcome: NetOutcome; reason?: string } {
  if (!model.net) return { outcome: 'not-trained' };
  if (model.liveAlias === 'decomposition-net') return { outcome: 'live' };
  if (keptZeroCorrection(model.net)) return { outcome: 'zero-correction' };
  if (model.netNotLive) return { outcome: 'not-allowed', reason: model.netNotLive };
  return { outcome: 'lost-on-validation' };
}

/**
 * Whether the net's output layer is all zeros: the untrained net, which training keeps when no epoch
 * beats it on the held-out rows (./net.ts) — its correction is zero and it forecasts the base unchanged.
 */
export function keptZeroCorrection(net: NetArtifacts): boolean {
  const bytes = Buffer.from(net.weightDataBase64, 'base64');
  const weights = new Float32Array(new Uint8Array(bytes).buffer); // copied: the decoded buffer need not be 4-byte aligned
  const sizes = net.weightSpecs.map((spec) => spec.shape.reduce((a, b) => a * b, 1));
  if (sizes.length < 2 || sizes.reduce((a, b) => a + b, 0) !== weights.length) return false;
  const outputLayer = sizes[sizes.length - 1] + sizes[sizes.length - 2]; // the last dense layer's kernel and bias
  for (let k = weights.length - outputLayer; k < weights.length; k++) if (weights[k] !== 0) return false;
  return true;
}

function summarise(pooled: Record<string, ScoredPoint[]>, scale: number): { overall: Record<string, ForecastMetrics>; betterNaive: string; wapeRatio: number } {
  const overall: Record<string, ForecastMetrics> = {};
  for (const [alias, p] of Object.entries(pooled)) overall[alias] = scorePoints(p, scale);
  const a = overall['naive-last-week']?.wape ?? Infinity;
  const b = overall['naive-mean-4-weeks']?.wape ?? Infinity;
  return { overall, betterNaive: a < b ? 'naive-last-week' : 'naive-mean-4-weeks', wapeRatio: (overall.live?.wape ?? NaN) / Math.min(a, b) };
}

/** The backtest from raw interval rows (what the CLI and the job call). */
export async function backtestForecaster(input: BacktestOptions & { history: IntervalVolume[]; skillGroup: ForecastSubject; horizon: Horizon }): Promise<BacktestReport> {
  const series = buildDaySeries(input.history, { skillGroupId: input.skillGroup.id, zone: input.skillGroup.timeZone, intervalMinutes: input.skillGroup.intervalMinutes, openingHours: input.skillGroup.openingHours });
  return backtestSeries(series, calendarFor(series, input.skillGroup, input), input.horizon, input);
}
