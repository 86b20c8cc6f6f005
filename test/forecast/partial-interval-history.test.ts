/**
 * The realtime forecast reads the partial count of the interval under way (the calls so far at 15:20 of
 * the 15:00 interval) only as calls so far: never as a whole interval in the history-level checks — whether
 * an absent past row at that slot was a true zero or missing data, and the inferred opening hours.
 */
import { forecastRealtime } from '../../src/forecast/index';
import { slotInstant, addDays } from '../../src/forecast/day-series';
import type { IntervalVolume } from '../../src/domain/types';

const ZONE = 'Europe/Berlin';
const TODAY = '2024-02-05'; // a Monday
const FIRST = '2024-01-01'; // a Monday, five weeks before
const local = (hhmm: string) => Date.parse(`${TODAY}T${hhmm}:00+01:00`);

/**
 * A quiet queue open 09:00–17:00 every day, 6 calls a half hour. On the Monday two weeks back the 15:00
 * row is absent, and last Monday's 15:00 had 2 calls: whether the absent row was a true zero rests on the
 * weeks around it, the later of which are last Monday and — if it were read as a whole interval — today's
 * 15:00 so far (7 or 8 calls: (2 + 7) / 2 and (2 + 8) / 2 straddle the expected-zero threshold).
 */
function history(callsSoFar: number): IntervalVolume[] {
  const rows: IntervalVolume[] = [];
  const absent = addDays(TODAY, -14);
  const quiet = addDays(TODAY, -7);
  for (let date = FIRST; date < TODAY; date = addDays(date, 1)) {
    for (let slot = 18; slot < 34; slot++) {
      if (date === absent && slot === 30) continue;
      rows.push({ skillGroupId: 'G1', start: slotInstant(date, slot, ZONE, 30)!, volume: date === quiet && slot === 30 ? 2 : 6 });
    }
  }
  for (let slot = 18; slot < 30; slot++) rows.push({ skillGroupId: 'G1', start: slotInstant(TODAY, slot, ZONE, 30)!, volume: 6 });
  rows.push({ skillGroupId: 'G1', start: local('15:00'), volume: callsSoFar });
  return rows;
}

describe('the partial interval under way in the realtime forecast', () => {
  const skillGroup = { id: 'G1', timeZone: ZONE, intervalMinutes: 30 };
  const at = local('15:20');

  test('when two forecasts at 15:20 differ only in the calls so far (7 vs 8), then the past reads the same and only the calls-so-far term differs', async () => {
    const [seven, eight] = await Promise.all([7, 8].map((calls) => forecastRealtime({ history: history(calls), skillGroup, now: at, model: null, countedUntil: at })));

    expect([seven.callsSoFar, eight.callsSoFar]).toEqual([7, 8]);
    // the model's view of the past is the same: today's ratio, the forecast of the rest of the 15:00
    // interval and of the 15:30 one, the window of calls still to come
    expect(eight.observedToExpected).toBe(seven.observedToExpected);
    expect(eight.observedToExpectedRaw).toBe(seven.observedToExpectedRaw);
    expect(eight.window).toEqual(seven.window);
    // the interval under way ends with the calls so far plus the same rest: one call more
    expect(eight.points.map((p) => p.intervalStart)).toEqual(seven.points.map((p) => p.intervalStart));
    expect(eight.points[0].p50 - seven.points[0].p50).toBeCloseTo(1, 9);
    expect(eight.total!.p50 - seven.total!.p50).toBeCloseTo(1, 9);
  });

  test('when the forecast runs at 15:20, then it reads the past as it would at 15:00 (completed intervals only)', async () => {
    const atBoundary = await forecastRealtime({ history: history(8).filter((r) => r.start < local('15:00')), skillGroup, now: local('15:00'), model: null });
    const inside = await forecastRealtime({ history: history(8), skillGroup, now: at, model: null, countedUntil: at });

    expect(inside.observedToExpected).toBe(atBoundary.observedToExpected);
    // the rest of the 15:00 interval (its last 10 minutes) is a third of the whole interval's forecast at 15:00
    expect(inside.points[0].p50 - 8).toBeCloseTo((1 / 3) * atBoundary.points[0].p50, 9);
  });
});
