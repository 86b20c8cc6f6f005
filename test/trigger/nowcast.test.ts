import { nowcast, poissonZ, ratioTrend } from '../../src/trigger/nowcast';
import { createRng, poisson } from '../../src/sim/rng';
import { T0 } from './fixtures';

const flat = (perMinute: number, minutes = 15) => new Array<number>(minutes).fill(perMinute);

/** Poisson counts: the nowcast is judged on the noise a real queue shows. */
function poissonMinutes(rng: ReturnType<typeof createRng>, means: number[]): number[] {
  return means.map((mean) => poisson(rng, mean));
}

describe('nowcast', () => {
  test('when the last minutes run as planned, then the forecast is the plan', () => {
    const f = nowcast({ now: T0, expectedRecent: flat(10), observedRecent: flat(10), expectedAhead: flat(10, 30) });
    expect(f.source).toBe('nowcast-level');
    expect(f.p50).toEqual(flat(10, 30));
    expect(f.p10[0]).toBeLessThan(10);
    expect(f.p90[0]).toBeGreaterThan(10);
  });

  test('when a plateau runs three times the plan, then the level follows it (shrunk a little toward the plan)', () => {
    const f = nowcast({ now: T0, expectedRecent: flat(10), observedRecent: flat(30), expectedAhead: flat(10, 30) });
    expect(f.source).toBe('nowcast-level');
    expect(f.p50[29]).toBeGreaterThan(28);
    expect(f.p50[29]).toBeLessThan(30);
  });

  test('when the inflow ramps up, then the forecast rises beyond the last minutes, but only over the login lead', () => {
    const observed = Array.from({ length: 15 }, (_, k) => 10 + 3 * k); // 10 → 52 calls a minute
    const f = nowcast({ now: T0, expectedRecent: flat(10), observedRecent: observed, expectedAhead: flat(10, 30) });
    expect(f.source).toBe('nowcast-rising');
    const recentRate = (observed.slice(10).reduce((a, v) => a + v, 0) + 4) / (50 + 4) * 10;
    expect(f.p50[0]).toBeGreaterThan(recentRate);
    // carried at most over 15 minutes: flat from there on
    expect(f.p50[29]).toBeCloseTo(f.p50[13], 9);
    expect(f.p50[29]).toBeGreaterThan(f.p50[0]);
  });

  test('when a fault steps the inflow up twentyfold, then the forecast does not extrapolate the step as a ramp', () => {
    const observed = [...flat(1, 10), ...flat(20, 5)];
    const f = nowcast({ now: T0, expectedRecent: flat(1), observedRecent: observed, expectedAhead: flat(1, 30) });
    // at most one more step of the change already seen (≈ 2 × 19 on top of the old level), never the old 3 × base cap of 60
    expect(Math.max(...f.p50)).toBeLessThan(40);
    expect(f.p50[0]).toBeGreaterThan(15);
  });

  test('when the surge fades, then the forecast falls toward the plan and says so', () => {
    const observed = [...flat(90, 10), ...flat(66, 5)]; // ×3 of the plan, then ×2.2
    const f = nowcast({ now: T0, expectedRecent: flat(30), observedRecent: observed, expectedAhead: flat(30, 30) });
    expect(f.source).toBe('nowcast-fading');
    expect(f.p50[0]).toBeLessThan(66);
    expect(f.p50[15]).toBeLessThan(f.p50[0]);
    // no lower than one more step of the fall seen so far, and never below the plan
    expect(Math.min(...f.p50)).toBeGreaterThan(30);
  });

  test('when a long surge plateau is only noisy, then no trend is read into it (one minute in a thousand at most)', () => {
    const rng = createRng(17);
    let trends = 0;
    const ticks = 3000;
    for (let t = 0; t < ticks; t++) {
      const observed = poissonMinutes(rng, flat(21));
      const trend = ratioTrend(flat(7), observed);
      if (trend.slopePerMinute !== 0) trends++;
    }
    expect(trends / ticks).toBeLessThan(0.001);
  });

  test('when a quiet queue gets a few calls more than planned, then the level does not move (Anscombe, not (o − e)/√e)', () => {
    // 0.3 calls a minute planned, 9 in the last 10 minutes: (9 − 3)/√4 = 3 would have fired
    expect(poissonZ(9, 3)).toBeLessThan(3);
    const f = nowcast({ now: T0, expectedRecent: flat(0.3), observedRecent: [...flat(0.3, 5), ...flat(0.9, 10)], expectedAhead: flat(0.3, 30) });
    expect(f.p50[0]).toBeCloseTo(0.3, 9);
  });
});
