/**
 * The multiplicative decomposition behind the two-week forecast:
 *   volume(day, slot) = level × weekdayFactor(weekday) × dayOfMonthFactor × calendarFactor(day) × profile(weekday, slot)
 * Every piece is a robust statistic (medians and trimmed means of day totals with outlying days clipped, clipped and pooled
 * intraday shares, see ./profile.ts), so one surge day or a few missing days do not distort next
 * week's forecast. Holidays, the eves before them and the days after them are left out of the
 * ordinary-day statistics and get their own multipliers, learned from the history's past occurrences.
 *
 * level × weekdayFactor assumes every weekday moves with the general level. Short days may not: a
 * bank's Friday, a retailer's Sunday or a half-staffed Saturday can keep their own volume while the
 * working days rise and fall. So each weekday's volume leans toward its own recent days as far as the
 * data shows that departure to be more than noise (see weekdayVolumes).
 */
import type { DaySeries } from './day-series';
import { weekdayOf } from './day-series';
import type { DayCalendar } from './calendar';
import { isCompleteDay, type DayForecaster } from './baselines';
import { median, mean, trimmedMean, variance } from './stats';
import { intradayProfiles, DEFAULT_PROFILE_OPTIONS, type ProfileOptions } from './profile';
import { addDays } from './day-series';

export interface DecompositionState {
  /** deseasonalised daily volume (robust over the last LEVEL_DAYS usable days) */
  level: number;
  /** the same over the usable days before those: level / olderLevel shows the trend */
  olderLevel: number;
  /** per ISO weekday (index weekday-1), mean over open weekdays = 1 */
  weekdayFactor: number[];
  /** per ISO weekday, the volume of an ordinary day (day-of-month and calendar factors apply on top) */
  weekdayVolume: number[];
  /** per weekday and slot, share of the day's volume (sums to 1 over the day, 0 when closed) */
  profile: number[][];
  /** multiplier for a public holiday learned from past holidays (NaN: none seen, then a holiday is like the quietest open weekday) */
  holidayFactor: number;
  /** multipliers for the day before and the day after a holiday (1 until the history shows one) */
  eveFactor: number;
  afterFactor: number;
  /** multiplier for a day of a holiday week between two holidays (1 until the history shows one) */
  bridgeFactor: number;
  /** per weekday and slot, typical handle time (NaN when history had none) */
  aht: number[][];
  /** multiplier per day of month (index 1..31; 1 = no effect), learned from long histories only */
  dayOfMonthFactor: number[];
}

const WEEKS_FOR_SHAPE = 8;
const LEVEL_DAYS = 28;
/** A weekday's own recent level is the mean of its last few ordinary days. */
const OWN_WEEKDAY_DAYS = 4;
/** Day-of-month effects (billing cycles, paydays) are learned only from this much history… */
const MONTH_EFFECT_MIN_DAYS = 120;
/** …and shrunk toward 1 as if this many ordinary months had been seen as well. */
const MONTH_EFFECT_PRIOR = 3;

export function dayTotal(series: DaySeries, day: number): number {
  return series.values[day].reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
}

export type CalendarKind = 'holiday' | 'eve' | 'after' | 'bridge' | 'special' | 'ordinary';

/** Two holidays at most this many days apart make the days between them a holiday week. */
const HOLIDAY_WEEK_DAYS = 7;

/**
 * How a date relates to the calendar; a holiday wins over the eve of the next one. A day between two
 * holidays less than a week apart is a 'bridge' day: Christmas to New Year, the intermediate days of
 * Passover or Sukkot — schools closed, many on leave, neither a holiday nor an ordinary day.
 */
export function calendarKind(calendar: DayCalendar, date: string): CalendarKind {
  // Asked for every day of the history at every fit and for every interval of the net's rows (a backtest
  // of a 24/7 line: millions of calls, each up to seven date additions): remembered per calendar and date.
  let known = kindsByCalendar.get(calendar);
  if (!known || known.holidays !== calendar.holidays.size || known.special !== calendar.special.size) {
    known = { holidays: calendar.holidays.size, special: calendar.special.size, kinds: new Map() };
    kindsByCalendar.set(calendar, known);
  }
  let kind = known.kinds.get(date);
  if (kind === undefined) {
    kind = kindOf(calendar, date);
    known.kinds.set(date, kind);
  }
  return kind;
}

/** Kinds already worked out, per calendar (its sizes kept: a calendar added to afterwards starts afresh). */
const kindsByCalendar = new WeakMap<DayCalendar, { holidays: number; special: number; kinds: Map<string, CalendarKind> }>();

function kindOf(calendar: DayCalendar, date: string): CalendarKind {
  if (calendar.holidays.has(date)) return 'holiday';
  if (calendar.special.has(date)) return 'special';
  if (calendar.holidays.has(addDays(date, 1))) return 'eve';
  if (calendar.holidays.has(addDays(date, -1))) return 'after';
  if (betweenHolidays(calendar, date)) return 'bridge';
  return 'ordinary';
}

function betweenHolidays(calendar: DayCalendar, date: string): boolean {
  for (let back = 2; back < HOLIDAY_WEEK_DAYS; back++) {
    if (!calendar.holidays.has(addDays(date, -back))) continue;
    for (let ahead = 2; back + ahead <= HOLIDAY_WEEK_DAYS; ahead++) if (calendar.holidays.has(addDays(date, ahead))) return true;
  }
  return false;
}

export function fitDecomposition(history: DaySeries, calendar: DayCalendar, profileOptions: ProfileOptions = DEFAULT_PROFILE_OPTIONS): DecompositionState {
  const slots = history.slotsPerDay;
  const kinds = history.dates.map((date) => calendarKind(calendar, date));
  const usable = (d: number) => isCompleteDay(history, d) && kinds[d] === 'ordinary';
  const recentByWeekday: number[][] = Array.from({ length: 7 }, () => []);
  for (let d = history.dates.length - 1; d >= 0; d--) {
    const w = history.weekdays[d] - 1;
    if (usable(d) && recentByWeekday[w].length < WEEKS_FOR_SHAPE) recentByWeekday[w].push(d);
  }
  const openWeekdays = history.open.map((row) => row.some(Boolean));
  const totals = history.dates.map((_, d) => dayTotal(history, d));
  let weekdayFactor = weekdayFactors(recentByWeekday, totals, openWeekdays);

  const dayOfMonthFactor = fitDayOfMonth(history, usable);
  const deseasonalise = () => {
    const values: number[] = [];
    const days: number[] = [];
    for (let d = history.dates.length - 1; d >= 0 && values.length < 2 * LEVEL_DAYS; d--) {
      const f = weekdayFactor[history.weekdays[d] - 1] * dayOfMonthFactor[Number(history.dates[d].slice(8, 10))];
      if (usable(d) && f > 0) {
        values.push(dayTotal(history, d) / f);
        days.push(d);
      }
    }
    return { values, days };
  };
  let { values: deseasonalised, days: deseasonalisedDays } = deseasonalise();
  // A trimmed mean rather than a median: as robust to one surge day, and less noisy (a median of
  // four weeks of days that differ by weekday residuals jumps between them). Days far off the median
  // are clipped first: a storm week is several surge days, which one trimmed day each side cannot hold.
  // Unless those days are the latest and a whole week of them: that is the new level (a timetable change
  // doubled the calls), and clipping it would miss every coming day by half for weeks.
  // short days (a weekend's) by the weekday factors the days were deseasonalised with
  const shortDays = (days: number[]) => days.slice(0, LEVEL_DAYS).map((d) => weekdayFactor[history.weekdays[d] - 1] < SHORT_DAY_FACTOR);
  let shift = levelShift(deseasonalised.slice(0, LEVEL_DAYS), shortDays(deseasonalisedDays));
  if (shift === 0) {
    // Weeks after a step the weekday factors, read on raw totals across it, are skewed enough (the
    // weekday with one more raised day inflated) to hide the step: one weekday's days sit under the
    // threshold. Read against each day's own week instead, they see no step; a shift found that way stands.
    const saved = weekdayFactor;
    weekdayFactor = weekdayFactorsAgainstTheirWeek(recentByWeekday, totals, openWeekdays, usable);
    const again = deseasonalise();
    const found = levelShift(again.values.slice(0, LEVEL_DAYS), shortDays(again.days));
    if (found > 0) {
      shift = found;
      ({ values: deseasonalised, days: deseasonalisedDays } = again);
    } else weekdayFactor = saved;
  }
  let level = (shift > 0 ? trimmedMean(deseasonalised.slice(0, shift)) : trimmedMean(clipOutlyingDays(deseasonalised.slice(0, LEVEL_DAYS)))) || 0;
  const older = deseasonalised.slice(shift > 0 ? shift : LEVEL_DAYS);
  const olderLevel = older.length >= 5 ? trimmedMean(clipOutlyingDays(older.slice(0, LEVEL_DAYS))) : level;
  if (shift > 0 && olderLevel > 0 && level > 0) {
    // The weekday factors were read across the step: a weekday with one more day since it (three weeks
    // after a +50 % step, Tuesday has 4 raised days of its last 8, Monday 3) came out inflated against
    // the others, and every other weekday deflated. Read again with the days before the step raised to
    // the new level, then deseasonalise and take the new level with them.
    const firstNew = deseasonalisedDays[shift - 1];
    const onNewLevel = totals.map((t, d) => (d < firstNew ? (t * level) / olderLevel : t));
    weekdayFactor = weekdayFactors(recentByWeekday, onNewLevel, openWeekdays);
    ({ values: deseasonalised, days: deseasonalisedDays } = deseasonalise());
    level = trimmedMean(deseasonalised.slice(0, shift)) || level;
  }
  // after a shift, a weekday's own departure is read on the days since (before it, every weekday was off by the shift)
  const since = shift > 0 ? deseasonalisedDays[shift - 1] : 0;
  const weekdayVolume = weekdayVolumes(history, recentByWeekday.map((days) => days.filter((d) => d >= since)), totals, level, weekdayFactor, dayOfMonthFactor);

  const profile = intradayProfiles(history, usable, totals, profileOptions);

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

  // Past holidays (and their eves and next days): actual total against an ordinary day of that weekday.
  const ratiosOf = (kind: CalendarKind) => {
    const ratios: number[] = [];
    kinds.forEach((k, d) => {
      const f = weekdayFactor[history.weekdays[d] - 1];
      if (k === kind && history.present[d] && f > 0 && level > 0) ratios.push(totals[d] / (level * f));
    });
    return ratios;
  };
  const holidayRatios = ratiosOf('holiday');
  const holidayFactor = holidayRatios.length ? median(holidayRatios) : NaN;
  const eveRatios = ratiosOf('eve');
  const afterRatios = ratiosOf('after');
  const bridgeRatios = ratiosOf('bridge');
  const eveFactor = eveRatios.length ? median(eveRatios) : 1;
  const afterFactor = afterRatios.length ? median(afterRatios) : 1;
  const bridgeFactor = bridgeRatios.length ? median(bridgeRatios) : 1;
  return { level, olderLevel, weekdayFactor, weekdayVolume, profile, holidayFactor, eveFactor, afterFactor, bridgeFactor, aht, dayOfMonthFactor };
}

/**
 * Weekday multipliers (mean 1 over open weekdays) from the median total of each weekday's recent
 * days, each shrunk toward the weekdays of comparable volume (see shrinkTowardAlike).
 */
function weekdayFactors(recentByWeekday: number[][], totals: number[], openWeekdays: boolean[]): number[] {
  const logTotals = recentByWeekday.map((days, w) => (openWeekdays[w] ? days.map((d) => Math.log(Math.max(totals[d], 0.5))) : []));
  const rawFactor = recentByWeekday.map((days, w) => (openWeekdays[w] && days.length ? median(days.map((d) => totals[d])) : 0));
  return normalisedOverOpen(shrinkTowardAlike(rawFactor, logTotals), openWeekdays);
}

/** Weekday factors scaled to a mean of 1 over the open weekdays. */
function normalisedOverOpen(factors: number[], openWeekdays: boolean[]): number[] {
  const open = factors.filter((f, w) => openWeekdays[w] && f > 0);
  const norm = open.length ? open.reduce((a, b) => a + b, 0) / open.length : 1;
  return factors.map((f) => (norm > 0 ? f / norm : 0));
}

/**
 * Weekday factors from each day's total against the mean of the usable days of its own week around it
 * (three days each side; the newest days, without days after them, against the week before): a level
 * step or a trend between the weeks does not enter them. Median per weekday, normalised over open weekdays.
 */
function weekdayFactorsAgainstTheirWeek(recentByWeekday: number[][], totals: number[], openWeekdays: boolean[], usable: (d: number) => boolean): number[] {
  const weekMean = (d: number) => {
    const around = (from: number, to: number) => {
      const days: number[] = [];
      for (let e = from; e <= to; e++) if (e >= 0 && e < totals.length && usable(e)) days.push(totals[e]);
      return days;
    };
    let days = around(d - 3, d + 3);
    if (days.length < 5) days = around(d - 6, d);
    return days.length >= 5 ? mean(days) : NaN;
  };
  const raw = recentByWeekday.map((days, w) => {
    if (!openWeekdays[w]) return 0;
    const ratios = days.map((d) => totals[d] / weekMean(d)).filter((r) => Number.isFinite(r) && r > 0);
    return ratios.length ? median(ratios) : 0;
  });
  return normalisedOverOpen(raw, openWeekdays);
}

/** Weekdays whose volumes are within this ratio of each other are "alike" (a bank's Sunday–Thursday). */
const ALIKE_VOLUME_RATIO = 1.5;

/**
 * Empirical-Bayes shrinkage of each weekday's volume toward the mean of the weekdays alike in volume
 * (in log space). Eight weeks give each weekday a handful of days: their median is noisy (the sampling
 * variance of the median of n days is about π/2 × the days' variance / n, that variance taken from
 * successive differences so that a level shift inside the weeks is not counted as noise), and much of the spread
 * between, say, a Tuesday and a Wednesday is that noise. The weight is noise / (noise + signal), the
 * signal being the spread between alike weekdays that their noise does not explain: a center whose
 * Monday is truly busier keeps it, one whose working days are truly alike gets them alike.
 */
function shrinkTowardAlike(volume: number[], logDays: number[][]): number[] {
  const logVolume = volume.map((v) => (v > 0 ? Math.log(v) : NaN));
  const noise = logDays.map((xs) => (xs.length >= 2 ? ((Math.PI / 2) * successiveVariance(xs)) / xs.length : NaN));
  return volume.map((v, w) => {
    if (!(v > 0) || !Number.isFinite(noise[w])) return v;
    const alike = logVolume.map((_, u) => u).filter((u) => Number.isFinite(logVolume[u]) && Number.isFinite(noise[u]) && Math.abs(logVolume[u] - logVolume[w]) < Math.log(ALIKE_VOLUME_RATIO));
    if (alike.length < 2) return v;
    const target = mean(alike.map((u) => logVolume[u]));
    const signal = Math.max(0, variance(alike.map((u) => logVolume[u])) - mean(alike.map((u) => noise[u])));
    const shrink = noise[w] / (noise[w] + signal);
    return Math.exp(logVolume[w] - shrink * (logVolume[w] - target));
  });
}

/**
 * Each weekday's ordinary-day volume: level × weekdayFactor moved toward the mean of the weekday's own
 * last OWN_WEEKDAY_DAYS ordinary days by an empirical-Bayes weight. How far the weekdays' recent
 * means depart from the pooled product, beyond what their day-to-day scatter explains, is the signal;
 * each weekday's own scatter (Poisson noise of a quiet queue, day-to-day swings; from successive
 * differences, so a level shift is not mistaken for scatter) is its noise. A weekday that truly
 * stopped scaling with the rest moves; noise does not (a surge day widens the scatter as much as it
 * moves the mean).
 */
function weekdayVolumes(history: DaySeries, recentByWeekday: number[][], totals: number[], level: number, weekdayFactor: number[], dayOfMonthFactor: number[]): number[] {
  const pooled = weekdayFactor.map((factor) => level * factor);
  // a storm day among a weekday's last days is pulled in to that weekday's usual scatter first
  const logRatios = recentByWeekday.map((days, w) => clipOutlyingLogs(days.map((d) => Math.log(Math.max(totals[d], 0.5) / dayOfMonthFactor[Number(history.dates[d].slice(8, 10))] / pooled[w]))));
  const departure = logRatios.map((r, w) => (pooled[w] > 0 && r.length >= 2 ? Math.log(mean(r.slice(0, OWN_WEEKDAY_DAYS).map(Math.exp))) : NaN));
  const noise = logRatios.map((r, w) => (Number.isFinite(departure[w]) ? successiveVariance(r) / Math.min(OWN_WEEKDAY_DAYS, r.length) : NaN));
  const known = departure.map((_, w) => w).filter((w) => Number.isFinite(departure[w]) && Number.isFinite(noise[w]));
  const signal = known.length ? Math.max(0, mean(known.map((w) => departure[w] ** 2)) - mean(known.map((w) => noise[w]))) : 0;
  return pooled.map((p, w) => {
    if (!(p > 0)) return 0;
    if (!known.includes(w) || !(signal > 0)) return p;
    return p * Math.exp((signal / (signal + noise[w])) * departure[w]);
  });
}

/** A run of at least this many latest usable days (a working week), all off the level the same way, is a new level. */
const LEVEL_SHIFT_DAYS = 5;
/** …each beyond this many robust standard deviations of the days before the run, and at least LEVEL_SHIFT_MIN_LOG (±25 %) off their median… */
const LEVEL_SHIFT_SIGMAS = 3;
const LEVEL_SHIFT_MIN_LOG = Math.log(1.25);
/**
 * …but for one day in each full week of the run, which need only be this share of that limit off the
 * median: real days scatter (a Tuesday at ×1.2 in the first week after a +60 % step), and one such day
 * kept the step out of the level for weeks. A week of 5–6 days has no such day to spare.
 */
const LEVEL_SHIFT_LAGGING_DAY_SHARE = 0.5;
/**
 * Short days (weekday factor under this, the weekend of a weekday center) need only lie on the run's
 * side: deseasonalised by a small factor they scatter most, and a short day may keep its own volume
 * while the working days move (see weekdayVolumes). A Saturday at ×1.15 the day before the origin
 * vetoed a +60 % step a week old; a −40 % step's Saturday, lying low by the same noise, passed.
 */
const SHORT_DAY_FACTOR = 0.6;
/** …and a plateau: the run's own scatter (MAD of log volume) at most this share of its step from the level before… */
const LEVEL_SHIFT_MAX_SCATTER = 0.25;
/** …with the newest working day still at least this share of the step (a storm fading out is not a new level). */
const LEVEL_SHIFT_NEWEST_SHARE = 0.6;

/**
 * The number of latest days (newest first) that make a new level, or 0: the longest run from the newest
 * day that sits, every day of it, on the same side of the days before the run and beyond their scatter
 * (short days, flagged in `short`, only on that side; one lagging working day a week only half as far),
 * if it is a working week long or more, as many days are left before it to judge by, and it is a plateau
 * still held on the newest working day. A storm week in the middle of the window is not a shift (days
 * after it are back), nor one at the origin (it rises and fades).
 */
export function levelShift(newestFirst: number[], short: boolean[] = []): number {
  const logs = newestFirst.map((v) => Math.log(Math.max(v, 1e-9)));
  const working = (_: number, i: number) => !short[i];
  let best = 0;
  for (let run = LEVEL_SHIFT_DAYS; run <= logs.length - LEVEL_SHIFT_DAYS; run++) {
    const before = logs.slice(run);
    const center = median(before);
    const limit = Math.max(LEVEL_SHIFT_SIGMAS * 1.4826 * median(before.map((x) => Math.abs(x - center))), LEVEL_SHIFT_MIN_LOG);
    const recent = logs.slice(0, run);
    const judged = recent.filter(working);
    const lagging = Math.floor(run / 7);
    const beyond = (sign: number) =>
      recent.every((x) => sign * (x - center) > 0) &&
      judged.every((x) => sign * (x - center) > LEVEL_SHIFT_LAGGING_DAY_SHARE * limit) &&
      judged.filter((x) => !(sign * (x - center) > limit)).length <= lagging;
    // no early stop: a short run fails against days before it that are themselves past the step (16
    // days after a step, the 5 newest are judged against 11 raised days and 12 old ones, whose scatter
    // is the step itself), while the whole run, judged against the old days alone, passes
    if (beyond(1) || beyond(-1)) best = run;
  }
  if (best === 0) return 0;
  // A new level is a plateau, still there on the newest working day; a storm at the origin rises and fades
  // (×1.6, ×2.8, ×3.2, ×2.5, ×1.8, ×1.4): its days scatter widely and the newest is on its way back.
  // Both on all the run's days and on its working days alone: a storm's working days rise and fade
  // however its short days fall (×1.6, ×2.8, ×3.2, ×2.5, ×1.8 and a Saturday at ×1.4).
  const center = median(logs.slice(best));
  const run = logs.slice(0, best);
  const workingRun = run.some(working) ? run.filter(working) : run;
  const plateau = (days: number[]) => {
    const step = median(days) - center;
    return median(days.map((x) => Math.abs(x - median(days)))) <= LEVEL_SHIFT_MAX_SCATTER * Math.abs(step);
  };
  const holding = (workingRun[0] - center) / (median(run) - center) >= LEVEL_SHIFT_NEWEST_SHARE;
  return plateau(run) && plateau(workingRun) && holding ? best : 0;
}

/** Days beyond this many robust standard deviations (MAD) of log volume from the median are clipped to it… */
const OUTLYING_DAY_SIGMAS = 3;
/** …but never closer than this in log volume (±15 %): a very regular series must not clip ordinary days. */
const OUTLYING_DAY_MIN_LIMIT = 0.15;

/**
 * Day volumes with those far off their median pulled in to the limit (in log space, from the median
 * and the median absolute deviation, which up to half the days being surge days cannot move).
 */
export function clipOutlyingDays(volumes: number[]): number[] {
  if (volumes.filter((v) => v > 0).length < 7) return volumes;
  const clipped = clipOutlyingLogs(volumes.filter((v) => v > 0).map(Math.log));
  let k = 0;
  return volumes.map((v) => (v > 0 ? Math.exp(clipped[k++]) : v));
}

/** The same on log volumes (or log ratios), any number of them from 3 on. */
function clipOutlyingLogs(logs: number[]): number[] {
  if (logs.length < 3) return logs;
  const center = median(logs);
  const limit = Math.max(OUTLYING_DAY_SIGMAS * 1.4826 * median(logs.map((x) => Math.abs(x - center))), OUTLYING_DAY_MIN_LIMIT);
  return logs.map((x) => Math.min(center + limit, Math.max(center - limit, x)));
}

/** Day-to-day variance from successive differences (von Neumann): a level shift between the days adds one difference, not a spread. */
function successiveVariance(xs: number[]): number {
  if (xs.length < 2) return NaN;
  let acc = 0;
  for (let i = 1; i < xs.length; i++) acc += (xs[i] - xs[i - 1]) ** 2;
  return acc / (2 * (xs.length - 1));
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
  // Billing cycles and paydays shift by a day or two from month to month (weekends, month lengths):
  // neighbouring days of the month share evidence through a small circular kernel, in log space.
  const logMedian = ratios.map((xs) => (xs.length ? Math.log(median(xs)) : 0));
  const kernel = [1, 0.5, 0.25];
  const kernelMass = kernel[0] + 2 * (kernel[1] + kernel[2]);
  for (let dom = 1; dom <= 31; dom++) {
    let acc = 0;
    // kernel-weighted count of days seen: the weight of the mean and the evidence the prior competes with
    let evidence = 0;
    for (let k = -kernel.length + 1; k < kernel.length; k++) {
      const other = ((dom - 1 + k + 31) % 31) + 1;
      const w = kernel[Math.abs(k)] * ratios[other].length;
      acc += w * logMedian[other];
      evidence += w;
    }
    if (evidence > 0) factors[dom] = Math.exp((acc / evidence) * (evidence / (evidence + MONTH_EFFECT_PRIOR * kernelMass)));
  }
  return factors;
}

/** Calendar multiplier of a date relative to an ordinary day of its weekday. */
export function calendarFactor(state: DecompositionState, calendar: DayCalendar, date: string): number {
  let factor = 1;
  const kind = calendarKind(calendar, date);
  if (kind === 'holiday') {
    const f = state.weekdayFactor[weekdayOf(date) - 1];
    const quietest = Math.min(...state.weekdayFactor.filter((x) => x > 0));
    factor *= Number.isFinite(state.holidayFactor) ? state.holidayFactor : f > 0 && Number.isFinite(quietest) ? Math.min(1, quietest / f) : 1;
  } else if (kind === 'eve') {
    factor *= state.eveFactor;
  } else if (kind === 'after') {
    factor *= state.afterFactor;
  } else if (kind === 'bridge') {
    factor *= state.bridgeFactor;
  }
  const special = calendar.special.get(date);
  if (special?.uplift !== undefined && special.uplift > 0) factor *= special.uplift;
  return factor;
}

export function decompositionForecast(state: DecompositionState, calendar: DayCalendar, dates: string[]): number[][] {
  return dates.map((date) => {
    const w = weekdayOf(date) - 1;
    const dayVolume = state.weekdayVolume[w] * state.dayOfMonthFactor[Number(date.slice(8, 10))] * calendarFactor(state, calendar, date);
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
