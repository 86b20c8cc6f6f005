/**
 * The interval a history is read at when nothing configures one (`wfm forecast` and `wfm backtest` read a
 * file without skill groups), and the check `wfm import-check` makes of a configured interval: one rule,
 * read on every row, so the answer does not depend on the rows' order.
 *
 * The rows' grid is the coarsest one at least 95 % of them sit on (alignedGrid: a stray 08:07 row does not
 * make half-hour data per-minute data). That grid is not always an interval the history fills: an export
 * that switched between 30-minute and 15-minute rows sits on the 15-minute grid row by row, yet its
 * 30-minute days leave every :15 and :45 interval empty, and a forecast learns those as quiet or closed
 * quarter hours. A day's rows can be summed, never split, so the interval is the finest multiple of the
 * rows' grid that at least 95 % of the days fill — a day does not fill an interval when its rows sit on a
 * coarser grid. Only days of DAY_MIN_ROWS rows or more are judged: a quiet day's few rows fall on the hour
 * by chance, twelve quarter-hour rows all on the half hours once in 4,096 days.
 */
import { GRANULARITY_ALIGNED_SHARE, alignedGrid, divisorsDescending } from './ingest';
import { ZoneClock } from './zone-clock';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_MINUTES = 1440;

/** A day with fewer rows says nothing about its grid. */
export const DAY_MIN_ROWS = 12;

export interface HistoryGrid {
  /** the coarsest divisor of the day at least 95 % of the rows sit on (1 without rows) */
  rowMinutes: number;
  /** the finest multiple of rowMinutes, a divisor of the day, that at least 95 % of the judged days fill */
  intervalMinutes: number;
  /** when intervalMinutes is coarser than rowMinutes: the days that rowMinutes would leave partly empty */
  coarseDays?: CoarseDays;
}

/** Days (of `judged`, those of DAY_MIN_ROWS rows or more) whose rows sit on a coarser grid than some interval. */
export interface CoarseDays {
  count: number;
  judged: number;
  /** the first and last of them, local dates */
  first: string;
  last: string;
}

export function historyGrid(instants: readonly number[], zone: string): HistoryGrid {
  const { minutes, days } = readDays(instants, zone);
  if (minutes.length === 0) return { rowMinutes: 1, intervalMinutes: 1 };
  const rowMinutes = alignedGrid(minutes, STEPS);
  const fills = (interval: number) => days.filter((d) => d.grid <= interval).length >= GRANULARITY_ALIGNED_SHARE * days.length;
  // STEPS is largest first: the candidates finest first end with the whole day, which every day fills
  const intervalMinutes = STEPS.filter((s) => s % rowMinutes === 0).reverse().find(fills) ?? DAY_MINUTES;
  return intervalMinutes === rowMinutes ? { rowMinutes, intervalMinutes } : { rowMinutes, intervalMinutes, coarseDays: coarseOf(days, rowMinutes) };
}

/** The days an interval of `intervalMinutes` leaves partly empty (their rows on a coarser grid), or undefined when none. */
export function daysCoarserThan(instants: readonly number[], zone: string, intervalMinutes: number): CoarseDays | undefined {
  return coarseOf(readDays(instants, zone).days, intervalMinutes);
}

const STEPS = divisorsDescending(DAY_MINUTES);

interface JudgedDay {
  /** days since 1970-01-01 on the zone's wall clock */
  day: number;
  /** the coarsest divisor of the day at least 95 % of the day's rows sit on */
  grid: number;
}

/** Every row's minute of the day, and the grid of each day with enough rows to tell. */
function readDays(instants: readonly number[], zone: string): { minutes: number[]; days: JudgedDay[] } {
  const clock = new ZoneClock(zone);
  const minutes: number[] = [];
  const byDay = new Map<number, number[]>();
  for (const t of instants) {
    const wall = t + clock.offsetMinutes(t) * MINUTE_MS;
    const day = Math.floor(wall / DAY_MS);
    const minute = Math.floor((wall - day * DAY_MS) / MINUTE_MS);
    minutes.push(minute);
    const list = byDay.get(day);
    if (list) list.push(minute);
    else byDay.set(day, [minute]);
  }
  const days = [...byDay].filter(([, m]) => m.length >= DAY_MIN_ROWS).map(([day, m]) => ({ day, grid: alignedGrid(m, STEPS) }));
  return { minutes, days };
}

function coarseOf(days: readonly JudgedDay[], intervalMinutes: number): CoarseDays | undefined {
  const coarse = days.filter((d) => d.grid > intervalMinutes).map((d) => d.day).sort((a, b) => a - b);
  if (coarse.length === 0) return undefined;
  const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  return { count: coarse.length, judged: days.length, first: date(coarse[0]), last: date(coarse[coarse.length - 1]) };
}
