/**
 * `npm run bench:forecast`: the live model (retrained at every weekly origin on the history before
 * it, exactly as the nightly job would), the naive baselines and a library peer (MSTL + AutoETS from
 * @bsull/augurs) on the same rolling windows of the real Anonymous Bank 1999 data, 30-minute
 * intervals, opening hours only.
 *
 * Evaluation protocol ("the last 8 weeks of each period as rolling origins"):
 * - the whole-year 6-minute file summed to 30 minutes (total of all queues): 8 weekly origins;
 * - January+February per queue and total (contiguous, one 8.4-week period): 6 two-week / 7 realtime
 *   origins, of which the first 3 have fewer than 4 weeks of history;
 * - October per queue (4.4 weeks): every origin has fewer than 4 weeks of history.
 * With fewer than 4 weeks of history the issue requires the flagged baseline answer (the mean of the
 * last same weekdays), so those windows score exactly the baseline. Every window is reported; the
 * ratio is also given over the windows where the learned model is allowed, clearly labelled.
 * Nothing else is dropped. The realtime table adds the year at its own 6-minute granularity, scored
 * like the 30-minute row on the next-30-minute total at 30-minute interval starts. A supplementary
 * row runs the year file with origins every other week from March (22 windows) so the reader can see
 * whether the last 8 weeks are typical of the year.
 * The noise-floor table says how far any forecaster could go on the same windows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeBenchmarkSection, table } from './report';
import { buildDaySeries, headOf, type DaySeries } from '../src/forecast/day-series';
import { buildCalendar, type DayCalendar } from '../src/forecast/calendar';
import { backtestSeries, type BacktestReport } from '../src/forecast/backtest';
import { fitDecomposition, decompositionForecast, dayTotal } from '../src/forecast/decomposition';
import { poissonMedian } from '../src/forecast/stats';
import { isCompleteDay } from '../src/forecast/baselines';
import { trainForecaster } from '../src/forecast/index';
import { scorePoints, type ForecastMetrics, type ScoredPoint } from '../src/forecast/metrics';
import { loadYearIntervals, loadMonthIntervals, ANONBANK_ZONE } from '../test/forecast/anonbank-fixture';
import { levelPersistence, type LevelPersistence } from './level-persistence';

process.env.WFM_TF_QUIET = '1';
const ZONE = ANONBANK_ZONE;
const QUEUES = ['PS', 'NW', 'NE', 'IN', 'TT', 'PE'];
const calendar = buildCalendar({ country: 'IL', fromYear: 1999, toYear: 2000 });
const f = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(3) : '–');
const pct = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');
const log = (message: string) => process.stderr.write(`${message}\n`);

const betterNaiveWape = (o: Record<string, ForecastMetrics>) => Math.min(o['naive-last-week'].wape, o['naive-mean-4-weeks'].wape);

/**
 * MSTL(day, week) + AutoETS trend on the last 12 weeks, refit at each origin, 14 days ahead, with its
 * own 80 % interval as p10–p90. Before two weeks of history a weekly season cannot be fitted (the
 * library refuses), so the peer runs with the daily season only there, as a user would have to.
 */
async function mstlPeer(series: DaySeries, origins: string[]): Promise<{ points: ScoredPoint[][]; note: string } | string> {
  try {
    const mstl = await import('@bsull/augurs/mstl');
    const wasm = readFileSync(path.resolve(__dirname, '../node_modules/@bsull/augurs/mstl_bg.wasm'));
    mstl.initSync({ module: wasm });
    const S = series.slotsPerDay;
    let dailyOnly = 0;
    const points = origins.map((date) => {
      const o = series.dates.indexOf(date);
      const history = headOf(series, o);
      const from = Math.max(0, o - 84);
      const y: number[] = [];
      for (let d = from; d < o; d++) for (let s = 0; s < S; s++) {
        const v = series.values[d][s];
        y.push(Number.isFinite(v) ? v : d - 7 >= 0 && Number.isFinite(series.values[d - 7][s]) ? series.values[d - 7][s] : 0);
      }
      const weekly = o - from >= 14;
      if (!weekly) dailyOnly++;
      const model = mstl.MSTL.ets(weekly ? [S, 7 * S] : [S]);
      model.fit(y);
      const forecast = model.predict(14 * S, 0.8) as { point: number[]; intervals?: { lower: number[]; upper: number[] } };
      model.free();
      const out: ScoredPoint[] = [];
      for (let i = 0; i < 14 && o + i < series.dates.length; i++) {
        const open = history.open[series.weekdays[o + i] - 1];
        for (let s = 0; s < S; s++) {
          if (!open[s]) continue;
          const k = i * S + s;
          out.push({ actual: series.values[o + i][s], p50: Math.max(0, forecast.point[k]), p10: forecast.intervals ? Math.max(0, forecast.intervals.lower[k]) : undefined, p90: forecast.intervals?.upper[k] });
        }
      }
      return out;
    });
    return { points, note: dailyOnly ? `${dailyOnly} of ${origins.length} origins with < 2 weeks of history ran with the daily season only` : '' };
  } catch (err) {
    return `peer failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The naive baselines' WAPE on exactly the peer's windows (all, and those with ≥ 4 weeks of history). */
function peerCell(report: BacktestReport, peer: ScoredPoint[][], learnedOnly: boolean): string {
  const chosen = report.windows.map((w, i) => ({ w, p: peer[i] })).filter(({ w }) => !learnedOnly || !w.baselineFallback);
  if (chosen.length === 0) return '–';
  const wape = scorePoints(chosen.flatMap((c) => c.p), 1).wape;
  const naive = learnedOnly ? betterNaiveWape(report.learned!.overall) : betterNaiveWape(report.overall);
  return `${f(wape)} (${f(wape / naive)}×)`;
}

interface Floor {
  poisson: number;
  oracleDayTotal: number;
  /** two-week only: the structural model's day pattern, told each window's true total */
  oracleWindowLevel: number;
  /** two-week only: mean |log(true window total / structural forecast's total)| over the windows */
  windowLevelMiss: number;
  overdispersion: number;
  naive: number;
}

/**
 * How far forecasts could go on the windows of a backtest (origins with ≥ 4 weeks of history, the
 * `horizonDays` after each): the Poisson floor (Σ E|y − λ| / Σ y with λ the mean of up to two same weekdays on each
 * side), a forecaster told every day's true total in advance that spreads it with the live model's
 * intraday profile, the structural model told only each two-week window's true total (its own day
 * pattern scaled to it, answered with medians as the live model is: what a perfect two-week level
 * would leave), and the over-dispersion of interval counts (variance of same-interval differences one
 * week apart, after scaling to equal day totals, over the Poisson variance).
 */
function noiseFloor(series: DaySeries, report: BacktestReport, horizonDays: number): Floor {
  const origins = report.windows.filter((w) => !w.baselineFallback).map((w) => series.dates.indexOf(w.origin));
  let floor = 0;
  let oracleError = 0;
  let windowLevelError = 0;
  let levelMiss = 0;
  let actualTotal = 0;
  for (const o of origins) {
    const state = fitDecomposition(headOf(series, o), calendar);
    const profile = state.profile;
    const end = Math.min(series.dates.length, o + horizonDays);
    const structural = decompositionForecast(state, calendar, series.dates.slice(o, end));
    let structuralTotal = 0;
    let windowTotal = 0;
    for (let d = o; d < end; d++) {
      const open = series.open[series.weekdays[d] - 1];
      for (let s = 0; s < series.slotsPerDay; s++) if (open[s] && Number.isFinite(series.values[d][s])) { structuralTotal += structural[d - o][s]; windowTotal += series.values[d][s]; }
    }
    const toTrueLevel = structuralTotal > 0 ? windowTotal / structuralTotal : 1;
    levelMiss += Math.abs(Math.log(toTrueLevel)) / origins.length;
    for (let d = o; d < end; d++) {
      const open = series.open[series.weekdays[d] - 1];
      const total = dayTotal(series, d);
      for (let s = 0; s < series.slotsPerDay; s++) {
        const y = series.values[d][s];
        if (!open[s] || !Number.isFinite(y)) continue;
        const around = [-14, -7, 7, 14].map((k) => series.values[d + k]?.[s]).filter((v): v is number => Number.isFinite(v));
        const lambda = around.length ? around.reduce((a, b) => a + b, 0) / around.length : y;
        floor += expectedAbsPoissonDeviation(lambda);
        oracleError += Math.abs(y - profile[series.weekdays[d] - 1][s] * total);
        windowLevelError += Math.abs(y - poissonMedian(structural[d - o][s] * toTrueLevel));
        actualTotal += y;
      }
    }
  }
  let squared = 0;
  let poisson = 0;
  for (let d = 7; d < series.dates.length; d++) {
    if (!isCompleteDay(series, d) || !isCompleteDay(series, d - 7)) continue;
    const a = dayTotal(series, d);
    const b = dayTotal(series, d - 7);
    if (!(a > 0 && b > 0)) continue;
    const open = series.open[series.weekdays[d] - 1];
    for (let s = 0; s < series.slotsPerDay; s++) {
      if (!open[s]) continue;
      squared += (series.values[d][s] - (series.values[d - 7][s] * a) / b) ** 2;
      poisson += series.values[d][s] + series.values[d - 7][s] * (a / b) ** 2;
    }
  }
  return {
    poisson: floor / actualTotal,
    oracleDayTotal: oracleError / actualTotal,
    oracleWindowLevel: report.horizon === 'two-week' ? windowLevelError / actualTotal : NaN,
    windowLevelMiss: report.horizon === 'two-week' ? levelMiss : NaN,
    overdispersion: squared / poisson,
    naive: betterNaiveWape(report.learned?.overall ?? report.overall),
  };
}

/** E|X − λ| for X ~ Poisson(λ) (exact sum for small λ, the normal limit above). */
function expectedAbsPoissonDeviation(lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 200) return Math.sqrt((2 * lambda) / Math.PI);
  let p = Math.exp(-lambda);
  let total = 0;
  for (let k = 0; k < lambda * 3 + 30; k++) {
    total += p * Math.abs(k - lambda);
    p *= lambda / (k + 1);
  }
  return total;
}

interface Result {
  label: string;
  two: BacktestReport | null;
  rt: BacktestReport;
}

const verdict = (ok: boolean) => (ok ? '**met**' : '**not met**');

/** The targets of the issue against this run's figures, with the reasons where they are missed. */
function assessment(results: Result[], floors: Map<string, Floor>, supplementary: string, trainingSeconds: number, level: LevelPersistence | null): string {
  const protocol = results.filter((r) => r.label !== supplementary);
  const byLabel = (label: string) => results.find((r) => r.label === label)!;
  const both = (r: BacktestReport | null) => (r ? `${f(r.wapeRatio)} (≥ 4 wk: ${f(r.learned?.wapeRatio)})` : '–');
  const headline = ['year total', 'Jan–Feb TOTAL', 'Jan–Feb PS'];
  const twoWeekMet = headline.every((l) => byLabel(l).two!.wapeRatio <= 0.9);
  const worse = (pick: (r: BacktestReport) => number) => protocol.filter((r) => r.two && pick(r.two) > 1 + 1e-9).map((r) => `${r.label} ${f(pick(r.two!))}`);
  const realtimeMet = protocol.every((r) => r.rt.wapeRatio <= 0.7);
  const outside = (r: BacktestReport | null) => r !== null && !(r.overall.live.coverage >= 0.7 && r.overall.live.coverage <= 0.9);
  const coverageMisses = results.flatMap((r) => [outside(r.two) ? `${r.label} two-week ${pct(r.two!.overall.live.coverage)}` : '', outside(r.rt) ? `${r.label} realtime ${pct(r.rt.overall.live.coverage)}` : ''].filter(Boolean));
  const yearTwo = floors.get('year total two-week');
  const yearRt = floors.get('year total realtime');
  const supp = byLabel(supplementary);
  const lines = [
    `- Two-week ≤ 0.90 on the total and PS: ${verdict(twoWeekMet)} — year total ${both(byLabel('year total').two)}, Jan–Feb TOTAL ${both(byLabel('Jan–Feb TOTAL').two)}, Jan–Feb PS ${both(byLabel('Jan–Feb PS').two)}; over the whole year (supplementary) ${f(supp.two!.wapeRatio)}.`,
    `- No series worse than its better naive: ${verdict(worse((r) => r.wapeRatio).length === 0)} — above 1.000 over all windows: ${worse((r) => r.wapeRatio).join(', ') || 'none'}; over the windows with ≥ 4 weeks: ${worse((r) => r.learned?.wapeRatio ?? 0).join(', ') || 'none'}.`,
    `- Realtime ≤ 0.70 at every open interval start: ${verdict(realtimeMet)} — year total ${f(byLabel('year total').rt.wapeRatio)} (ratio-scaled ${f(byLabel('year total').rt.overall['ratio-adjusted'].wape / betterNaiveWape(byLabel('year total').rt.overall))}), 6-minute data ${f(byLabel('year total, 6-minute data').rt.wapeRatio)}, Jan–Feb TOTAL ≥ 4 wk ${f(byLabel('Jan–Feb TOTAL').rt.learned?.wapeRatio)}, Jan–Feb PS ≥ 4 wk ${f(byLabel('Jan–Feb PS').rt.learned?.wapeRatio)}; over the whole year (supplementary) ${f(supp.rt.wapeRatio)}.`,
    `- p10–p90 coverage 70–90 %: ${verdict(coverageMisses.length === 0)}${coverageMisses.length ? ` — outside: ${coverageMisses.join(', ')}` : ''}.`,
    `- Training a year ≤ 60 s: ${verdict(trainingSeconds <= 60)} (slowest horizon ${trainingSeconds.toFixed(1)} s).`,
  ];
  if (yearTwo && yearRt) {
    lines.push(
      '',
      `Why the year-total ratios stop where they do (last 8 weeks): the realtime target asks for ${f(0.7 * yearRt.naive)} WAPE; a forecaster told each day's true total in advance, spreading it with the live profile, gets ${f(yearRt.oracleDayTotal)} on the same windows (${f(yearRt.oracleDayTotal / yearRt.naive)}× the naive), and the live realtime model ${f(byLabel('year total').rt.wapeRatio)}×. What separates these from the Poisson floor (${f(yearRt.poisson)}) is the intraday over-dispersion (${f(yearRt.overdispersion)}× Poisson): half hours that run hot or cold on one day and not on the same weekday a week later. The realtime filter reads the part that persists from one interval to the next; the rest is in no history. Two-week carries the same profile error (${f(yearTwo.oracleDayTotal / yearTwo.naive)}× with true day totals) plus the day-level error. Told only each two-week window's true total, the structural model would reach ${f(yearTwo.oracleWindowLevel / yearTwo.naive)}× (live ${f(byLabel('year total').two!.wapeRatio)}×, target 0.90)${yearTwo.oracleWindowLevel / yearTwo.naive <= 0.9 ? ': a perfect two-week level alone would meet the target' : ': even a perfect two-week level would not meet the target'}. The structural level missed the windows' totals by ${(100 * (Math.exp(yearTwo.windowLevelMiss) - 1)).toFixed(1)} % on average — week-long spells of busy and quiet days (mid-November, mid-December) that the history before each origin does not show. Over the whole year (supplementary row), where holidays and month starts fall in the windows and the structure pays, the same model reaches ${f(supp.two!.wapeRatio)} two-week and ${f(supp.rt.wapeRatio)} realtime.`,
    );
  }
  if (level && yearTwo) {
    const toRatio = (wape: number) => f(wape / yearTwo.naive);
    const [before, after] = level.persistence.windows;
    const bestWindow = level.levelWindows.reduce((a, b) => (b.windows < a.windows ? b : a));
    const gain = 1 - Math.min(after, bestWindow.windows) / before;
    const acfAt = (lag: number) => level.acf.find((a) => a.lag === lag)?.r ?? NaN;
    const shortLived = acfAt(1) > 0.2 && acfAt(7) < 0.1;
    lines.push(
      '',
      `Is that level miss in the series' own past? Measured on the year's history before these windows (${level.fitOrigins} daily origins, see bench/level-persistence.ts): the one-day-ahead residual log(actual / structural) has autocorrelation ${level.acf.map((a) => `${f(a.r)} at lag ${a.lag}`).join(', ')}${shortLived ? ' — a busy day is followed by a few busy days, not by a busy fortnight' : ''}. The window's miss correlates ${f(level.windowCorrelation.recent)} with the last days' residual, ${f(level.windowCorrelation.previousWindow)} with the previous two weeks' miss and ${f(level.windowCorrelation.trend)} with the model's trend (level / older level). A persistence correction fitted on that history (β by days after the last observed day ${level.beta.map((b) => b.toFixed(2)).join(', ')}, negative values shrunk to 0) moves the live WAPE ${f(level.persistence.history[0])} → ${f(level.persistence.history[1])} on the history (in sample) and ${f(before)} → ${f(after)} on these windows (ratio ${toRatio(before)} → ${toRatio(after)}); other level windows in place of the 28-day trimmed mean: ${level.levelWindows.map((w) => `${w.label} ${f(w.history)} / ${f(w.windows)}`).join(', ')} (history / these windows). ${gain < 0.01 ? 'None moves these windows by 1 % or more: the two-week level is not predictable from the series\' own past here, and the service keeps the 28-day trimmed mean.' : `The best of them gains ${(100 * gain).toFixed(1)} % on these windows.`}`,
    );
  }
  const small = protocol.filter((r) => r.two?.learned && r.two.learned.wapeRatio > 1 + 1e-9);
  if (small.length) {
    const perInterval = (r: BacktestReport) => r.learned!.overall.live.actualTotal / r.learned!.overall.live.n;
    const naivePicks = (r: BacktestReport) => r.windows.filter((w) => !w.baselineFallback && w.liveAlias.startsWith('naive-')).map((w) => `${w.liveAlias} live from ${w.origin}`);
    const described = (r: Result) => [`${perInterval(r.two!).toFixed(1)} calls per open half hour`, ...naivePicks(r.two!)].join('; ');
    lines.push('', `Above 1.000 with the learned model: ${small.map((r) => `${r.label} (${described(r)})`).join(', ')} — queues with few calls and level shifts within February, judged on 1–3 validation weeks of 31–45 days of history; a naive baseline that beat every learned candidate on those days goes live (the service's promise), and a week of a quiet queue is a poor judge.`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const series: Array<{ label: string; s: DaySeries }> = [{ label: 'year total', s: buildDaySeries(loadYearIntervals(30), { skillGroupId: 'TOTAL', zone: ZONE, intervalMinutes: 30 }) }];
  const janFebRows = loadMonthIntervals(['01', '02'], 30, QUEUES);
  const octRows = loadMonthIntervals(['10'], 30, QUEUES);
  for (const q of ['TOTAL', ...QUEUES]) series.push({ label: `Jan–Feb ${q}`, s: buildDaySeries(janFebRows, { skillGroupId: q, zone: ZONE, intervalMinutes: 30 }) });
  for (const q of ['TOTAL', 'PS']) series.push({ label: `Oct ${q}`, s: buildDaySeries(octRows, { skillGroupId: q, zone: ZONE, intervalMinutes: 30 }) });
  const withPeer = new Set(['year total', 'Jan–Feb TOTAL', 'Jan–Feb PS']);

  const twoWeekRows: Array<Array<string | number>> = [];
  const realtimeRows: Array<Array<string | number>> = [];
  const floorRows: Array<Array<string | number>> = [];
  const peerNotes: string[] = [];
  const results: Result[] = [];
  const floors = new Map<string, Floor>();
  const realtimeRow = (label: string, rt: BacktestReport) => {
    const r = rt.overall;
    const L = rt.learned;
    const ratioScaled = (o: Record<string, ForecastMetrics>) => o['ratio-adjusted'].wape / betterNaiveWape(o);
    return [label, rt.windows.length, rt.windows.filter((w) => w.baselineFallback).length, r.live.n, f(r.live.wape), f(r['naive-last-week'].wape), f(r['naive-mean-4-weeks'].wape), f(r['ratio-adjusted'].wape), `**${f(rt.wapeRatio)}**`, `**${f(L?.wapeRatio)}**`, f(ratioScaled(r)), L ? f(ratioScaled(L.overall)) : '–', pct(r.live.bias), pct(r.live.coverage), pct(L?.overall.live.coverage)];
  };
  const yearWide = 'year total, every other week from March (supplementary)';
  const runs: Array<{ label: string; s: DaySeries; windows: number; stepDays: number }> = series.map(({ label, s }) => ({ label, s, windows: 8, stepDays: 7 }));
  runs.splice(1, 0, { label: yearWide, s: series[0].s, windows: 22, stepDays: 14 });
  for (const { label, s, windows, stepDays } of runs) {
    const two = await backtestSeries(s, calendar, 'two-week', { windows, stepDays });
    const o = two.overall;
    let peerAll = '–';
    let peerLearned = '–';
    if (withPeer.has(label)) {
      const peer = await mstlPeer(s, two.windows.map((w) => w.origin));
      if (typeof peer === 'string') peerNotes.push(`- ${label}: ${peer}`);
      else {
        peerAll = peerCell(two, peer.points, false);
        peerLearned = two.learned ? peerCell(two, peer.points, true) : '–';
        if (peer.note) peerNotes.push(`- ${label}: ${peer.note}`);
      }
    }
    const aliases = [...new Set(two.windows.filter((w) => !w.baselineFallback).map((w) => w.liveAlias))].join(', ') || '–';
    twoWeekRows.push([label, two.windows.length, two.windows.filter((w) => w.baselineFallback).length, f(o.live.wape), f(o['naive-last-week'].wape), f(o['naive-mean-4-weeks'].wape), f(o['seasonal-es'].wape), f(o.decomposition.wape), peerAll, peerLearned, `**${f(two.wapeRatio)}**`, `**${f(two.learned?.wapeRatio)}**`, f(o.live.mase), pct(o.live.bias), pct(o.live.coverage), pct(two.learned?.overall.live.coverage), aliases]);
    const rt = await backtestSeries(s, calendar, 'realtime', { windows, stepDays });
    realtimeRows.push(realtimeRow(label, rt));
    results.push({ label, two, rt });
    if (two.learned && (label === 'year total' || label === 'Jan–Feb TOTAL' || label === 'Jan–Feb PS')) {
      for (const [horizon, report, days] of [['two-week', two, 14], ['realtime', rt, 7]] as const) {
        const floor = noiseFloor(s, report, days);
        floors.set(`${label} ${horizon}`, floor);
        floorRows.push([label, horizon, f(floor.naive), f(floor.poisson), f(floor.poisson / floor.naive), f(floor.oracleDayTotal), f(floor.oracleDayTotal / floor.naive), f(floor.oracleWindowLevel / floor.naive), f(floor.overdispersion), f(report.learned?.wapeRatio)]);
      }
    }
    log(`${label}: two-week ${f(two.wapeRatio)} (learned windows ${f(two.learned?.wapeRatio)}), realtime ${f(rt.wapeRatio)} (learned windows ${f(rt.learned?.wapeRatio)})`);
  }
  // Whether the two-week level miss of the year total was predictable from its own past (history before the windows).
  const yearResult = results.find((r) => r.label === 'year total');
  const yearSeries = series[0].s;
  const level = yearResult?.two ? levelPersistence(yearSeries, calendar, yearResult.two.windows.map((w) => yearSeries.dates.indexOf(w.origin))) : null;
  const sixMinute = buildDaySeries(loadYearIntervals(6), { skillGroupId: 'TOTAL', zone: ZONE, intervalMinutes: 6 });
  const rt6 = await backtestSeries(sixMinute, calendar, 'realtime', { windows: 8, originEveryMinutes: 30 });
  realtimeRows.splice(2, 0, realtimeRow('year total, 6-minute data', rt6));
  results.splice(2, 0, { label: 'year total, 6-minute data', two: null, rt: rt6 });
  log(`year total at 6 minutes: realtime ${f(rt6.wapeRatio)}`);

  // Training time: one skill group, a whole year of 30-minute history, as the train-forecaster job runs it.
  const yearRows = loadYearIntervals(30);
  const subject = { id: 'TOTAL', timeZone: ZONE, intervalMinutes: 30, country: 'IL' };
  const t0 = performance.now();
  const trained = await trainForecaster({ history: yearRows, skillGroup: subject, horizon: 'two-week' });
  const twoWeekSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const trainedRealtime = await trainForecaster({ history: yearRows, skillGroup: subject, horizon: 'realtime' });
  const realtimeSeconds = (performance.now() - t1) / 1000;

  const body = [
    'Protocol: rolling origins a week apart, the last 8 weeks of each period (two-week: the 14 days after each origin; realtime: the next-30-minute total at every open interval start of the 7 days after each origin). At each origin the forecaster is trained on the history before it, as the nightly job would, and the service\'s answer is scored: with fewer than 4 weeks of history that is the flagged baseline (mean of the last same weekdays), so those windows score exactly the baseline. "ratio" = live WAPE / WAPE of the better of the two naive baselines over all windows; "ratio, ≥ 4 wk" = the same over only the windows where the learned model is allowed (Oct has none). Targets: two-week ≤ 0.90, realtime ≤ 0.70, p10–p90 coverage 70–90 %. Jan–Feb queues IN, TT and PE have 0–3 calls per interval (WAPE > 1 for every method). The supplementary row (origins every other week from March, Passover to Sukkot included) is not part of the protocol; it shows how typical the last 8 weeks are.',
    '',
    '### Two-week',
    table(['series', 'windows', 'fallback', 'live WAPE', 'last week', 'mean 4 wk', 'seasonal ES', 'decomposition', 'MSTL+ETS peer', 'peer, ≥ 4 wk', 'ratio', 'ratio, ≥ 4 wk', 'MASE', 'bias', 'p10–p90', 'p10–p90, ≥ 4 wk', 'live models'], twoWeekRows),
    '',
    '"decomposition" is the structural model\'s mean forecast; the live model answers with each interval\'s median (what WAPE rewards: for 0.6 calls expected the median is 0). "combination" (live models column) is the mean of the decomposition and the mean of 4 weeks, answered with medians: it goes live only where the decomposition lost to a naive baseline on validation and the combination did better than that baseline there. The peer\'s ratio is against the better naive on the same windows.',
    '',
    '### Realtime (next 30 minutes)',
    table(['series', 'windows', 'fallback', 'origins', 'live WAPE', 'last week', 'mean 4 wk', 'ratio-scaled', 'ratio', 'ratio, ≥ 4 wk', 'ratio-scaled / naive', 'ratio-scaled / naive, ≥ 4 wk', 'bias', 'p10–p90', 'p10–p90, ≥ 4 wk'], realtimeRows),
    '',
    '"ratio-scaled" = the day\'s expectation × today\'s observed-to-expected ratio so far (shrunk early in the day), the reference the issue names. The 6-minute row forecasts five 6-minute slots at each 30-minute start and is scored on their total.',
    '',
    '### Noise floor (windows with ≥ 4 weeks of history)',
    table(['series', 'windows', 'better naive WAPE', 'Poisson floor', 'floor / naive', 'told each day\'s true total', 'that / naive', 'told each window\'s true level, / naive', 'over-dispersion', 'live ratio'], floorRows),
    '',
    '"Poisson floor": even the true rate λ of every interval leaves Σ E|y − λ| / Σ y. "told each day\'s true total": a forecaster that knows every day\'s total in advance and spreads it with the live intraday profile — a better day-level forecast than any real one (a realtime forecaster knows less about the day\'s level, only more about the last intervals). "told each window\'s true level": the structural model\'s own two-week forecast scaled so that each window\'s total is right, answered with medians — what a perfect two-week level would leave of the error, the day pattern (weekday and day-of-month factors, day-to-day swings) being the model\'s own. "over-dispersion": interval counts vary about that many times more than Poisson around a fixed intraday profile (same interval one week apart, scaled to equal day totals); that part is day-specific and not in any history, so only its short-lived part (what the last intervals reveal) is open to the realtime filter.',
    '',
    '### Targets',
    assessment(results, floors, yearWide, Math.max(twoWeekSeconds, realtimeSeconds), level),
    '',
    `Training one skill group on a year of 30-minute history: two-week ${twoWeekSeconds.toFixed(1)} s (live: ${trained.model.liveAlias}), realtime ${realtimeSeconds.toFixed(1)} s (live: ${trainedRealtime.model.liveAlias}); tfjs backend ${trained.metrics.backend} (target ≤ 60 s).`,
    peerNotes.length ? `\nPeer notes:\n${peerNotes.join('\n')}` : '',
    `\nWhole benchmark: ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  writeBenchmarkSection('forecast', 'Forecasting (anonbank 1999, 30-minute intervals)', 'npm run bench:forecast', body);
  process.stdout.write(`${body}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
