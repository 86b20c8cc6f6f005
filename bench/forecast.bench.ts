/**
 * `npm run bench:forecast`: the live model (trained at every weekly origin on the history before it),
 * the naive baselines and a library peer (MSTL + AutoETS from @bsull/augurs) on the same rolling
 * windows of the real Anonymous Bank 1999 data, 30-minute intervals, opening hours only.
 * Periods: the whole-year 6-minute file (total, last 8 weeks); January+February per queue and total
 * (contiguous, so treated as one period of 8.4 weeks: only origins with ≥ 4 weeks of history get the
 * learned model, the others the flagged baseline); October alone has < 4 weeks before any origin.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeBenchmarkSection, table } from './report';
import { buildDaySeries, headOf, type DaySeries } from '../src/forecast/day-series';
import { buildCalendar } from '../src/forecast/calendar';
import { backtestSeries, type BacktestReport } from '../src/forecast/backtest';
import { trainForecaster } from '../src/forecast/index';
import { scorePoints, type ScoredPoint } from '../src/forecast/metrics';
import { loadYearIntervals, loadMonthIntervals, ANONBANK_ZONE } from '../test/forecast/anonbank-fixture';

process.env.WFM_TF_QUIET = '1';
const ZONE = ANONBANK_ZONE;
const calendar = buildCalendar({ country: 'IL', fromYear: 1999, toYear: 2000 });
const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');

/** MSTL(day, week) + AutoETS trend on the last 12 weeks, refit at each origin, 14 days ahead. */
async function mstlPeer(series: DaySeries, origins: string[]): Promise<ScoredPoint[] | string> {
  try {
    const mstl = await import('@bsull/augurs/mstl');
    const wasm = readFileSync(path.resolve(__dirname, '../node_modules/@bsull/augurs/mstl_bg.wasm'));
    mstl.initSync({ module: wasm });
    const points: ScoredPoint[] = [];
    const S = series.slotsPerDay;
    for (const date of origins) {
      const o = series.dates.indexOf(date);
      const history = headOf(series, o);
      const from = Math.max(0, o - 84);
      const y: number[] = [];
      for (let d = from; d < o; d++) for (let s = 0; s < S; s++) {
        const v = series.values[d][s];
        y.push(Number.isFinite(v) ? v : d - 7 >= 0 && Number.isFinite(series.values[d - 7][s]) ? series.values[d - 7][s] : 0);
      }
      const model = mstl.MSTL.ets([S, 7 * S]);
      model.fit(y);
      const forecast = model.predict(14 * S, 0.8) as { point: number[]; intervals?: { lower: number[]; upper: number[] } };
      model.free();
      for (let i = 0; i < 14 && o + i < series.dates.length; i++) {
        const open = history.open[series.weekdays[o + i] - 1];
        for (let s = 0; s < S; s++) {
          if (!open[s]) continue;
          const k = i * S + s;
          points.push({ actual: series.values[o + i][s], p50: Math.max(0, forecast.point[k]), p10: forecast.intervals ? Math.max(0, forecast.intervals.lower[k]) : undefined, p90: forecast.intervals?.upper[k] });
        }
      }
    }
    return points;
  } catch (err) {
    return `peer failed: ${(err as Error).message}`;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const year = buildDaySeries(loadYearIntervals(30), { skillGroupId: 'TOTAL', zone: ZONE, intervalMinutes: 30 });
  const janFebRows = loadMonthIntervals(['01', '02'], 30, ['PS', 'NW', 'NE', 'IN', 'TT', 'PE']);
  const octRows = loadMonthIntervals(['10'], 30, ['PS', 'NW', 'NE', 'IN', 'TT', 'PE']);
  const series: Array<{ label: string; s: DaySeries }> = [{ label: 'year total', s: year }];
  for (const q of ['TOTAL', 'PS', 'NW', 'NE', 'IN', 'TT', 'PE']) series.push({ label: `Jan–Feb ${q}`, s: buildDaySeries(janFebRows, { skillGroupId: q, zone: ZONE, intervalMinutes: 30 }) });
  for (const q of ['TOTAL', 'PS']) series.push({ label: `Oct ${q}`, s: buildDaySeries(octRows, { skillGroupId: q, zone: ZONE, intervalMinutes: 30 }) });

  const rows: Array<Array<string | number>> = [];
  const rtRows: Array<Array<string | number>> = [];
  let peerLine = '';
  for (const { label, s } of series) {
    const two: BacktestReport = await backtestSeries(s, calendar, 'two-week', { windows: 8 });
    const o = two.overall;
    const better = Math.min(o['naive-last-week'].wape, o['naive-mean-4-weeks'].wape);
    let peer = '–';
    if (label === 'year total' || label === 'Jan–Feb TOTAL' || label === 'Jan–Feb PS') {
      const p = await mstlPeer(s, two.windows.map((w) => w.origin));
      if (typeof p === 'string') peerLine += `\n- ${label}: ${p}`;
      else peer = `${f(scorePoints(p, 1).wape)} (${f(scorePoints(p, 1).wape / better)}×)`;
    }
    rows.push([label, two.windows.length, two.windows.filter((w) => w.baselineFallback).length, f(o.live.wape), f(o['naive-last-week'].wape), f(o['naive-mean-4-weeks'].wape), f(o['seasonal-es'].wape), f(o.decomposition.wape), peer, `**${f(two.wapeRatio)}**`, f(o.live.mase), pct(o.live.bias), pct(o.live.coverage)]);
    const rt = await backtestSeries(s, calendar, 'realtime', { windows: 8 });
    const r = rt.overall;
    rtRows.push([label, rt.windows.length, rt.windows.filter((w) => w.baselineFallback).length, r.live.n, f(r.live.wape), f(r['naive-last-week'].wape), f(r['naive-mean-4-weeks'].wape), f(r['ratio-adjusted'].wape), `**${f(rt.wapeRatio)}**`, f(r['ratio-adjusted'].wape / Math.min(r['naive-last-week'].wape, r['naive-mean-4-weeks'].wape)), pct(r.live.bias), pct(r.live.coverage)]);
    process.stderr.write(`${label}: two-week ${f(two.wapeRatio)}, realtime ${f(rt.wapeRatio)}\n`);
  }
  // Training time: one skill group, a whole year of 30-minute history.
  const yearRows = loadYearIntervals(30);
  const t0 = performance.now();
  const trained = await trainForecaster({ history: yearRows, skillGroup: { id: 'TOTAL', timeZone: ZONE, intervalMinutes: 30, country: 'IL' }, horizon: 'two-week' });
  const twoWeekSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await trainForecaster({ history: yearRows, skillGroup: { id: 'TOTAL', timeZone: ZONE, intervalMinutes: 30, country: 'IL' }, horizon: 'realtime' });
  const realtimeSeconds = (performance.now() - t1) / 1000;

  const body = [
    'Rolling origins a week apart (the last 8 weeks of each period; two-week: 14 days per origin; realtime: every open interval start of the 7 days after each origin, next-30-minute total). The live model is retrained at each origin on the history before it. Ratio = live WAPE / better naive WAPE (targets: two-week ≤ 0.90, realtime ≤ 0.70). "fallback" = origins with < 4 weeks of history (flagged baseline answers).',
    '',
    '### Two-week',
    table(['series', 'windows', 'fallback', 'live WAPE', 'last week', 'mean 4 wk', 'seasonal ES', 'decomposition', 'MSTL+ETS peer', 'ratio', 'MASE', 'bias', 'p10–p90'], rows),
    '',
    '### Realtime (next 30 minutes)',
    table(['series', 'windows', 'fallback', 'origins', 'live WAPE', 'last week', 'mean 4 wk', 'ratio-scaled', 'ratio', 'ratio-scaled / naive', 'bias', 'p10–p90'], rtRows),
    '',
    `Training one skill group on a year of 30-minute history: two-week ${twoWeekSeconds.toFixed(1)} s (live: ${trained.model.liveAlias}, backend ${trained.metrics.backend}), realtime ${realtimeSeconds.toFixed(1)} s (target ≤ 60 s).`,
    peerLine ? `\nPeer notes:${peerLine}` : '',
    `\nWhole benchmark: ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  writeBenchmarkSection('forecast', 'Forecasting (anonbank 1999, 30-minute intervals)', 'npm run bench:forecast', body);
  process.stdout.write(`${body}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
