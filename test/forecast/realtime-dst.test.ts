import type { IntervalVolume } from '../../src/domain/types';
import { forecastRealtime } from '../../src/forecast/index';

// A 24/7 center on Berlin's clock: the clock changes fall inside its opening hours.
const ZONE = 'Europe/Berlin';
const MINUTE = 60_000;

/** One row per real interval from `from` up to `to`, `volume` calls each. */
function flatHistory(intervalMinutes: number, from: string, to: number, volume: number): IntervalVolume[] {
  const rows: IntervalVolume[] = [];
  for (let start = Date.parse(from); start < to; start += intervalMinutes * MINUTE) rows.push({ skillGroupId: 'RA', start, volume });
  return rows;
}

describe('realtime forecast on the days the clocks change', () => {
  it('when the repeated hour comes the second time, then the interval under way is labelled with its own offset and counts only its own calls', async () => {
    const subject = { id: 'RA', timeZone: ZONE, intervalMinutes: 30 };
    const secondPass = Date.parse('2024-10-27T01:00:00Z'); // 02:00 CET, an hour after 02:00 CEST
    const history = flatHistory(30, '2024-09-15T22:00:00Z', secondPass, 10);
    const now = secondPass + 10 * MINUTE;
    const fresh = await forecastRealtime({ history, skillGroup: subject, now: secondPass, model: null });
    const counted = await forecastRealtime({ history: [...history, { skillGroupId: 'RA', start: secondPass, volume: 4 }], skillGroup: subject, now, model: null });

    expect(fresh.points.map((p) => p.intervalStart)).toEqual([secondPass]);
    expect(counted.points.map((p) => p.intervalStart)).toEqual([secondPass]);
    // the first pass's 10 calls at 02:00 CEST are not this interval's
    expect(counted.points[0].p50).toBeCloseTo(4 + (20 / 30) * fresh.points[0].p50, 9);
  });

  it('when the hour is skipped, then the next 30 minutes of 6-minute data are five slots in real time and the total is theirs', async () => {
    const subject = { id: 'RA', timeZone: ZONE, intervalMinutes: 6 };
    const now = Date.parse('2024-03-31T00:48:00Z'); // 01:48 CET; 02:00 becomes 03:00 CEST
    const history = flatHistory(6, '2024-02-24T23:00:00Z', now, 2);
    const result = await forecastRealtime({ history, skillGroup: subject, now, model: null });

    expect(result.points.map((p) => p.intervalStart)).toEqual([0, 1, 2, 3, 4].map((k) => now + k * 6 * MINUTE));
    expect(result.totalMinutes).toBe(30);
    const sum = result.points.reduce((a, p) => a + p.p50, 0);
    expect(sum).toBeGreaterThan(7);
    expect(Math.abs(result.total!.p50 - sum)).toBeLessThanOrEqual(result.points.length + 1);
  });
});
