/**
 * The forecasting use cases, called by the CLI, the BullMQ processors and the REST routes. Inputs and
 * outputs are plain serialisable data (no class instances, no tensors), so training can run in a
 * worker thread or a sandboxed child process: `trainForecaster` is CPU-heavy, the forecasts are cheap.
 */
import type { IntervalVolume, WeeklyWindow } from '../domain/types';
import { buildDaySeries, headOf, addDays, historySpanDays, weekdayOf, type DaySeries } from './day-series';
import { buildCalendar, type SpecialDay, type DayCalendar } from './calendar';
import { trainTwoWeek, forecastTwoWeekDays, TWO_WEEK_DAYS, MIN_HISTORY_DAYS, type TrainedTwoWeek } from './two-week';
import { learnedUplifts } from './baselines';
import { calendarKind, type CalendarKind } from './decomposition';
import { trainRealtime, forecastRealtimeSlots, stepsFor, atLeastNoise, realtimeWindow, REALTIME_MINUTES, type TrainedRealtime, type SignalSeries, type RealtimeWindow, type ObservedPace } from './realtime';
import { ensureTfBackend } from './tf-backend';
import { invalid, WfmError } from '../errors/wfm-error';
import { localDate, minuteOfDay, isValidZone, intervalStartOf, intervalStarts, nextIntervalStart, startOfLocalDay } from '../time/grid';
import type { NetTrainingOptions } from './net';
import { emptyRecord } from '../domain/records';

export type Horizon = 'two-week' | 'realtime';
export type TrainedForecaster = TrainedTwoWeek | TrainedRealtime;
export type { TrainedTwoWeek, TrainedRealtime, SpecialDay };

/** What the forecaster needs to know about a skill group (a subset of SkillGroup). */
export interface ForecastSubject {
  id: string;
  timeZone: string;
  intervalMinutes: number;
  openingHours?: WeeklyWindow[];
  /** ISO 3166 country for public holidays */
  country?: string;
}

export interface CalendarInput {
  specialDays?: SpecialDay[];
  /** explicit holiday dates; replaces the country calendar when given */
  holidays?: string[];
}

export interface TrainForecasterInput extends CalendarInput {
  history: IntervalVolume[];
  skillGroup: ForecastSubject;
  horizon: Horizon;
  /** leading signals for the realtime net: name → interval rows (skillGroupId ignored) */
  signals?: Record<string, IntervalVolume[]>;
  net?: Partial<NetTrainingOptions>;
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export interface TrainForecasterResult {
  model: TrainedForecaster;
  /** the metrics.json of a registry version */
  metrics: ModelMetrics;
}

export interface ModelMetrics {
  horizon: Horizon;
  skillGroupId: string;
  liveAlias: string;
  /** validation WAPE of the chosen candidate (lower is better) */
  wape: number;
  mase: number;
  bias: number;
  coverage: number;
  candidates: Record<string, { wape: number; mase: number; bias: number; n: number }>;
  trainedThrough: string;
  historyDays: number;
  backend: string;
  trainingSeconds: number;
}

function subjectSeries(history: IntervalVolume[], subject: ForecastSubject): DaySeries {
  if (!isValidZone(subject.timeZone)) throw invalid(`unknown time zone "${subject.timeZone}"`);
  return buildDaySeries(history, { skillGroupId: subject.id, zone: subject.timeZone, intervalMinutes: subject.intervalMinutes, openingHours: subject.openingHours });
}

/**
 * The holidays from the history's first year to the year after the later of its last day and `through`
 * (the forecast's last day): a forecast two years after the history ends must still know that year's
 * Carnival, and the year after holds the New Year's Day whose eve the last day of December is.
 */
export function calendarFor(series: DaySeries, subject: ForecastSubject, input: CalendarInput, through?: string): DayCalendar {
  const firstYear = Number(series.dates[0].slice(0, 4));
  const lastDate = series.dates[series.dates.length - 1];
  const lastYear = Number((through !== undefined && through > lastDate ? through : lastDate).slice(0, 4)) + 1;
  return buildCalendar({ country: subject.country, holidays: input.holidays, specialDays: input.specialDays, fromYear: firstYear, toYear: lastYear });
}

function signalSeries(series: DaySeries, signals: Record<string, IntervalVolume[]> | undefined): SignalSeries {
  const out: SignalSeries = emptyRecord();
  const index = new Map(series.dates.map((d, i) => [d, i]));
  for (const [name, rows] of Object.entries(signals ?? {})) {
    const grid = series.dates.map(() => new Array<number>(series.slotsPerDay).fill(NaN));
    for (const r of rows) {
      const d = index.get(localDate(r.start, series.zone));
      if (d === undefined) continue;
      const s = Math.floor(minuteOfDay(r.start, series.zone) / series.intervalMinutes);
      grid[d][s] = (Number.isFinite(grid[d][s]) ? grid[d][s] : 0) + r.volume;
    }
    out[name] = grid;
  }
  return out;
}

/** Trains one skill group's forecaster for one horizon; throws insufficient-history below 4 weeks. */
export async function trainForecaster(input: TrainForecasterInput, clock: () => number = () => performance.now()): Promise<TrainForecasterResult> {
  const started = clock();
  const backend = await ensureTfBackend();
  const series = subjectSeries(input.history, input.skillGroup);
  const calendar = calendarFor(series, input.skillGroup, input);
  const model: TrainedForecaster = input.horizon === 'two-week'
    ? await trainTwoWeek({ series, calendar, net: input.net, onEpoch: input.onEpoch })
    : await trainRealtime({ series, calendar, signals: signalSeries(series, input.signals), net: input.net, onEpoch: input.onEpoch });
  const live = (model.validation as Record<string, { wape: number; mase: number; bias: number; coverage: number; n: number }>)[model.liveAlias];
  const candidates: ModelMetrics['candidates'] = {};
  for (const [alias, m] of Object.entries(model.validation as Record<string, { wape: number; mase: number; bias: number; n: number }>)) candidates[alias] = { wape: m.wape, mase: m.mase, bias: m.bias, n: m.n };
  return {
    model,
    metrics: {
      horizon: input.horizon,
      skillGroupId: series.skillGroupId,
      liveAlias: model.liveAlias,
      wape: live?.wape ?? NaN,
      mase: live?.mase ?? NaN,
      bias: live?.bias ?? NaN,
      coverage: live?.coverage ?? NaN,
      candidates,
      trainedThrough: model.trainedThrough,
      historyDays: model.historyDays,
      backend,
      trainingSeconds: (clock() - started) / 1000,
    },
  };
}

export interface ForecastPoint {
  intervalStart: number;
  skillGroupId: string;
  p10: number;
  p50: number;
  p90: number;
  /** two-week: the expected volume (the model's mean), which staffing is computed from; p50 is the median */
  expected?: number;
  ahtSeconds?: number;
}

/** What the calendar says of a forecast day: why it may differ from an ordinary day of its weekday. */
export interface ForecastDay {
  date: string;
  /** holiday, eve (the day before one), after (the day after one), bridge (between two), special, ordinary */
  kind: CalendarKind;
  /** the public holiday's name (the country calendar's), on a holiday */
  holiday?: string;
  /** the special day's label, on a special day */
  specialDay?: string;
  /** the uplift applied on a special day: declared, or learned from past days with its label */
  uplift?: number;
  /** how many past special days with the label the uplift was learned from (absent: declared) */
  upliftLearnedFrom?: number;
}

/** The calendar of each forecast day (see ForecastDay). */
export function forecastDays(calendar: DayCalendar, dates: readonly string[], learned: ReadonlyMap<string, { uplift: number; days: number }> = new Map()): ForecastDay[] {
  return dates.map((date) => {
    const kind = calendarKind(calendar, date);
    const special = calendar.special.get(date);
    const holiday = kind === 'holiday' ? calendar.holidayNames?.get(date) : undefined;
    const fromPast = learned.get(date);
    return {
      date,
      kind,
      ...(holiday ? { holiday } : {}),
      ...(special ? { specialDay: special.label } : {}),
      ...(special?.uplift !== undefined ? { uplift: special.uplift } : {}),
      ...(fromPast ? { upliftLearnedFrom: fromPast.days } : {}),
    };
  });
}

export interface ForecastResult {
  horizon: Horizon;
  skillGroupId: string;
  points: ForecastPoint[];
  alias: string;
  baselineFallback: boolean;
  fallbackReason?: string;
  /** realtime only: the total over the points — the next 30 minutes from the start of the current interval */
  total?: { p10: number; p50: number; p90: number };
  /**
   * realtime only: the minutes `total` spans — 30, or more when 30 is not a whole number of intervals
   * (60-minute data: the current hour; 20-minute: two intervals), or less at closing time
   */
  totalMinutes?: number;
  /** realtime only: today's observed-to-expected ratio as the model reads it (shrunk toward 1 by a prior worth 10 % of the day's volume) */
  observedToExpected?: number;
  /** realtime only: the calls of today's whole intervals so far over their expectation; null when none was observed */
  observedToExpectedRaw?: number | null;
  /** realtime only: the calls counted in the interval under way, and over how many of its minutes */
  callsSoFar?: number;
  minutesCounted?: number;
  /** realtime only: the last minutes ran far beyond the forecast, and the forecast follows this pace (calls per minute, measured on calls over minutes) */
  observedPace?: ObservedPace;
  /** realtime only: the calls still to come in the 30 minutes from `now` (its minute), per minute or per interval piece */
  window?: RealtimeWindow;
  /** two-week only: each day's calendar (a holiday, its eve, a special day with its uplift) */
  days?: ForecastDay[];
}

/** The history strictly before a local date, as a day series (cut there so a forecast never peeks). */
function historyBefore(series: DaySeries, date: string): DaySeries {
  const cut = series.dates.indexOf(date);
  return cut < 0 ? series : headOf(series, cut);
}

/**
 * The two-week forecast from the local day of `from` (14 days, open intervals only). `model` null or
 * too little history → the mean of the last 4 same weekdays, flagged `baselineFallback`.
 */
export async function forecastTwoWeek(input: CalendarInput & { history: IntervalVolume[]; skillGroup: ForecastSubject; from: number; model: TrainedTwoWeek | null; days?: number }): Promise<ForecastResult> {
  const series = subjectSeries(input.history, input.skillGroup);
  const firstDate = localDate(input.from, series.zone);
  const history = historyBefore(series, firstDate);
  if (history.dates.length === 0) throw invalid(`no history before ${firstDate}`);
  if (input.model?.liveAlias === 'decomposition-net') await ensureTfBackend();
  const days = input.days ?? TWO_WEEK_DAYS;
  const declared = calendarFor(series, input.skillGroup, input, addDays(firstDate, days - 1));
  const dates = Array.from({ length: days }, (_, i) => addDays(firstDate, i));
  // A special day declared without an uplift takes the one its label's past days show. Not for the net:
  // it has a special-day input trained on those days over a base without their uplift, and would count it twice.
  const netAnswers = input.model?.liveAlias === 'decomposition-net' && historySpanDays(history) >= MIN_HISTORY_DAYS;
  const learned = netAnswers ? new Map<string, { uplift: number; days: number }>() : learnedUplifts(history, declared, dates);
  const calendar: DayCalendar = learned.size === 0 ? declared : { ...declared, special: new Map([...declared.special].map(([date, s]) => [date, learned.has(date) ? { ...s, uplift: learned.get(date)!.uplift } : s])) };
  const forecast = await forecastTwoWeekDays({ history, calendar, firstDate, model: input.model, days });
  const points: ForecastPoint[] = [];
  forecast.dates.forEach((date, i) => {
    const open = history.open[weekdayOf(date) - 1];
    const aht = forecast.ahtSeconds?.[i];
    // Every interval of the day on the group's grid gets the forecast of its wall-clock slot. The
    // fall-back hour happens twice, and callers call in both passes: each pass gets the slot's forecast
    // (its pattern is learnt on the other 364 days, where it happens once), so a 24/7 center staffs the
    // repeated hour too. An interval the clock change cuts short (Lord Howe's 30-minute change: hourly,
    // 02:30+11:00 on the spring day, a second 01:30+10:30 on the fall-back day) gets its slot's
    // forecast as well — the hour's rate, which is what staffing reads from an interval. A wall time in
    // the spring-forward gap has no interval.
    for (const at of intervalStarts(startOfLocalDay(date, series.zone), startOfLocalDay(addDays(date, 1), series.zone), series.zone, series.intervalMinutes)) {
      const s = Math.floor(minuteOfDay(at, series.zone) / series.intervalMinutes);
      if (at < input.from || !open[s]) continue;
      const ahtSeconds = aht?.[s];
      points.push({ intervalStart: at, skillGroupId: series.skillGroupId, p10: forecast.p10[i][s], p50: forecast.p50[i][s], p90: forecast.p90[i][s], expected: forecast.mean[i][s], ...(ahtSeconds !== undefined && Number.isFinite(ahtSeconds) ? { ahtSeconds } : {}) });
    }
  });
  points.sort((a, b) => a.intervalStart - b.intervalStart);
  return {
    horizon: 'two-week', skillGroupId: series.skillGroupId, points, alias: forecast.alias, baselineFallback: forecast.baselineFallback,
    ...(forecast.fallbackReason ? { fallbackReason: forecast.fallbackReason } : {}),
    days: forecastDays(calendar, dates, learned),
  };
}

/**
 * The next 30 minutes from `now` (snapped up to the next interval start unless on one): each interval
 * at the data's granularity plus the total. `history` holds past days and today so far (rows before
 * `now`); `signals` are leading signals posted today (name → rows), used when the model knows them.
 */
export async function forecastRealtime(
  input: CalendarInput & {
    history: IntervalVolume[];
    skillGroup: ForecastSubject;
    now: number;
    model: TrainedRealtime | null;
    signals?: Record<string, IntervalVolume[]>;
    /**
     * the end of the last minute the realtime feed has reported in the interval under way (epoch ms),
     * when its rows come from per-minute events: the minutes after it are not yet known, not zero
     */
    countedUntil?: number;
    /** the group is fed per-minute events: the window's points are per minute (else per interval piece) */
    perMinute?: boolean;
  },
): Promise<ForecastResult> {
  const rows = input.history.filter((r) => r.start < input.now);
  if (!isValidZone(input.skillGroup.timeZone)) throw invalid(`unknown time zone "${input.skillGroup.timeZone}"`);
  // The interval `now` falls in is forecast, not read: its rows so far (per-minute events summed into
  // it, or a file's row that covers the whole interval) are partial as of now. Taking them as the
  // interval's count would sink today's level (7 minutes of a half hour read as a quiet half hour) or
  // read the future; on an interval boundary this is the interval starting now. So the series — and the
  // checks that read each of its rows as a whole interval (an absent past row a true zero or missing data,
  // the inferred opening hours) — holds only the intervals completed before it, as at the interval's start:
  // 8 calls so far instead of 7 must not turn a past absent row into missing data. The calls so far are
  // read below, as such (countedSoFar).
  const underWay = intervalStartOf(input.now, input.skillGroup.timeZone, input.skillGroup.intervalMinutes);
  // (an interval length that does not divide the day has no interval start: buildDaySeries says so)
  const completed = Number.isFinite(underWay) ? rows.filter((r) => r.start < underWay) : rows;
  const ofGroup = (r: IntervalVolume) => r.skillGroupId === input.skillGroup.id;
  if (!completed.some(ofGroup) && rows.some(ofGroup)) throw new WfmError('insufficient-history', 'no history before today: cannot forecast the next 30 minutes');
  const series = subjectSeries(completed, input.skillGroup);
  const date = localDate(input.now, series.zone);
  const minute = minuteOfDay(input.now, series.zone);
  const slot = Math.floor(minute / series.intervalMinutes);
  const dayIndex = series.dates.indexOf(date);
  const history = historyBefore(series, date);
  const today = dayIndex >= 0 ? series.values[dayIndex].map((v, s) => (s < slot ? (Number.isFinite(v) ? v : NaN) : NaN)) : new Array<number>(series.slotsPerDay).fill(NaN);
  if (history.dates.length === 0) throw new WfmError('insufficient-history', 'no history before today: cannot forecast the next 30 minutes');
  if (input.model?.liveAlias === 'realtime-net') await ensureTfBackend();
  const calendar = calendarFor(series, input.skillGroup, input, date);
  const signals = emptyRecord<number[]>();
  // today's signals, whether or not today has a completed interval yet
  const grids = signalSeries({ ...series, dates: [date] }, input.signals);
  for (const [name, grid] of Object.entries(grids)) signals[name] = grid[0];
  // The coming intervals in real time, each with its slot of the day: consecutive slots except where the
  // clocks change (the repeated hour comes again, the skipped hour never comes); the window ends at midnight.
  // The model's horizon is its steps from the start of the interval under way; the 30 minutes from `now`
  // (its minute) reach further, into the interval(s) after it, which are forecast too (not in `points`).
  const windowFrom = Math.floor(input.now / 60_000) * 60_000;
  const windowTo = windowFrom + REALTIME_MINUTES * 60_000;
  const steps = input.model?.steps ?? stepsFor(series.intervalMinutes);
  const coming: Array<{ start: number; end: number; slot: number }> = [];
  for (let start = underWay, j = 0; j < steps || start < windowTo; j++) {
    if (localDate(start, series.zone) !== date) break;
    const end = nextIntervalStart(start, series.zone, series.intervalMinutes);
    coming.push({ start, end, slot: Math.floor(minuteOfDay(start, series.zone) / series.intervalMinutes) });
    start = end;
  }
  const horizon = Math.min(steps, coming.length);
  // The interval under way has its calls so far counted: it ends with those plus the rest of its
  // forecast, never below them (a surge's first minutes must show in the interval they arrive in).
  // Counted from the rows of this very interval (not its slot: in the second pass of a repeated hour the
  // slot also holds the first pass's calls).
  // What is counted covers the interval up to the last reported minute (a feed lags, or sent one minute
  // so far): the rest of the interval is forecast, not read as zero calls. A row without minutes (a
  // file's interval total) counts as of now.
  const countedSoFar = rows.reduce((sum, r) => (r.start >= underWay ? sum + r.volume : sum), 0);
  const reported = input.countedUntil !== undefined && input.countedUntil > underWay;
  const countedTo = reported ? Math.min(input.now, input.countedUntil!) : input.now;
  const elapsed = (countedTo - underWay) / (series.intervalMinutes * 60_000);
  const counting = elapsed > 0 && (reported || countedSoFar > 0);
  const minutesCounted = counting ? Math.round((countedTo - underWay) / 60_000) : 0;
  // The calls counted so far also tell the pace: far beyond the forecast (a storm), the rest of the
  // interval and the next ones follow it (observedPace in ./realtime.ts).
  const forecast = await forecastRealtimeSlots({
    history, calendar, date, slot, today, model: input.model, signals, stepSlots: coming.slice(0, horizon).map((c) => c.slot), extraSlots: coming.slice(horizon).map((c) => c.slot),
    ...(counting ? { underWay: { calls: countedSoFar, minutes: (countedTo - underWay) / 60_000 } } : {}),
  });
  const shift = { p10: 0, p50: 0, p90: 0 };
  const points: ForecastPoint[] = [];
  for (const [j, step] of forecast.steps.slice(0, horizon).entries()) {
    const start = coming[j].start;
    let { p10, p50, p90 } = step;
    if (j === 0 && counting) {
      // the rest of the interval: its forecast's share, its band no narrower than the noise of that count
      const rest = atLeastNoise({ p10: (1 - elapsed) * p10, p50: (1 - elapsed) * p50, p90: (1 - elapsed) * p90 }, (1 - elapsed) * step.mean, forecast.dispersion);
      [p10, p50, p90] = [rest.p10, rest.p50, rest.p90].map((q) => countedSoFar + q);
      shift.p10 += p10 - step.p10;
      shift.p50 += p50 - step.p50;
      shift.p90 += p90 - step.p90;
    }
    points.push({ intervalStart: start, skillGroupId: series.skillGroupId, p10, p50, p90 });
  }
  const total = forecast.total && { p10: Math.max(countedSoFar, forecast.total.p10 + shift.p10), p50: forecast.total.p50 + shift.p50, p90: forecast.total.p90 + shift.p90 };
  const window = realtimeWindow({
    from: windowFrom,
    minutes: REALTIME_MINUTES,
    intervals: coming.map((c, j) => ({ start: c.start, end: c.end, ...forecast.steps[j] })),
    perMinute: input.perMinute ?? false,
    answersMedian: forecast.answersMedian,
    dispersion: forecast.dispersion,
  });
  return {
    horizon: 'realtime',
    skillGroupId: series.skillGroupId,
    points,
    alias: forecast.alias,
    baselineFallback: forecast.baselineFallback,
    ...(forecast.fallbackReason ? { fallbackReason: forecast.fallbackReason } : {}),
    total,
    totalMinutes: points.length * series.intervalMinutes,
    observedToExpected: forecast.observedToExpected,
    observedToExpectedRaw: forecast.observedToExpectedRaw,
    callsSoFar: counting ? countedSoFar : 0,
    minutesCounted,
    ...(forecast.observedPace ? { observedPace: forecast.observedPace } : {}),
    window,
  };
}

/**
 * How much history a forecast reads before its first day: as much as training reads (two years). The
 * served forecast must learn what the validated one did: day-of-month effects need 120 days of history
 * (a window counted from a later period start lost them), a holiday's factor last year's holidays.
 */
export const FORECAST_HISTORY_DAYS = 730;
/** …of which the last days must hold some: a history that ended longer ago is too stale for a level. */
export const FORECAST_RECENT_DAYS = 120;

export { buildDaySeries, historySpanDays, addDays, stepsFor, TWO_WEEK_DAYS };
export { MIN_HISTORY_DAYS } from './two-week';
export { backtestForecaster, type BacktestReport } from './backtest';
