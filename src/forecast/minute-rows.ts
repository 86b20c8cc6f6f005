/**
 * Per-minute realtime arrivals as interval rows on the skill group's own grid, for the realtime forecast
 * to read beside (or after) the interval history.
 */
import type { IntervalVolume } from '../domain/types';
import { MINUTE_MS, intervalStartOf, nextIntervalStart } from '../time/grid';

/**
 * Sums minutes into the group's intervals on its zone's clock (an hour in Asia/Kolkata starts at :30
 * UTC: a UTC-aligned bucket put 13:00–13:09 IST into the 12:00 interval).
 *
 * A finished interval whose minutes were not all reported (a connector gap, a feed that started or
 * resumed inside it) is partially observed, not quiet: its count is the calls of the minutes reported
 * scaled to the whole interval. With fewer than half its minutes reported that estimate is mostly
 * noise (one busy minute ×30), so the interval is left out, as a gap in the history is. The interval
 * under way (ending after `now`) is left as counted: the forecast forecasts the rest of it.
 */
export function intervalRowsFromMinutes(
  minutes: ReadonlyArray<{ minute: number; arrivals: number }>,
  group: { id: string; timeZone: string; intervalMinutes: number },
  now: number,
): IntervalVolume[] {
  const byInterval = new Map<number, { calls: number; reported: number }>();
  for (const { minute, arrivals } of minutes) {
    const start = intervalStartOf(minute, group.timeZone, group.intervalMinutes);
    const sum = byInterval.get(start) ?? byInterval.set(start, { calls: 0, reported: 0 }).get(start)!;
    sum.calls += arrivals;
    sum.reported += 1;
  }
  const rows: IntervalVolume[] = [];
  for (const [start, { calls, reported }] of byInterval) {
    const end = nextIntervalStart(start, group.timeZone, group.intervalMinutes);
    // the interval's own length: a clock change can shorten it (a 30-minute shift inside an hour)
    const length = (end - start) / MINUTE_MS;
    if (end > now || reported >= length) rows.push({ skillGroupId: group.id, start, volume: calls });
    else if (2 * reported >= length) rows.push({ skillGroupId: group.id, start, volume: (calls * length) / reported });
  }
  return rows.sort((a, b) => a.start - b.start);
}
