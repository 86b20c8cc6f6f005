/**
 * The history a roster period's forecast is computed from (when no stored forecast covers the period):
 * one rule for the request check, the build job and `wfm plan`, so a request that passes the check does
 * not fail in the job for the same reason minutes later.
 */
import { FORECAST_RECENT_DAYS } from '../forecast';
import { DAY_MS, formatInstant } from '../time/grid';

/**
 * Why a group's history cannot forecast the period, or undefined when it can. `lastStart`: the start of
 * the group's last interval before the period (by interval, not by stored month: history ending on the
 * 2nd does not reach the period that a month's worth of data would), undefined when there is none.
 */
export function recentHistoryProblem(skillGroupId: string, lastStart: number | undefined, period: { from: string; timeZone: string; startMs: number }): string | undefined {
  // the window the history must reach into: [start - FORECAST_RECENT_DAYS, start)
  const fromMs = period.startMs - FORECAST_RECENT_DAYS * DAY_MS;
  const toMs = period.startMs;
  if (lastStart !== undefined && lastStart >= fromMs && lastStart < toMs) return undefined;
  const last = lastStart !== undefined && lastStart < toMs ? ` (its last interval before the period starts ${formatInstant(lastStart, period.timeZone)})` : '';
  return `no history of ${skillGroupId} in the ${FORECAST_RECENT_DAYS} days before ${period.from} to forecast the period from${last}`;
}
