/**
 * A sustained surge in a small queue is projected at what is arriving, not shrunk to a fraction of it,
 * while weak evidence keeps the shrinkage that guards against crying wolf.
 */
import { createRng, poisson } from '../../src/sim/rng';
import { decide } from '../../src/trigger/decide';
import { nowcast, poissonUpperTail } from '../../src/trigger/nowcast';
import { initialTriggerState } from '../../src/trigger/types';
import { group, policy, realtime, steadyCapacity, T0 } from './fixtures';

const flat = (v: number, n: number) => new Array<number>(n).fill(v);

describe('nowcast on strong evidence', () => {
  test('when a queue planned at 0.06 calls a minute takes 1.5 a minute for 15 minutes, then the nowcast projects 1.5 a minute', () => {
    const f = nowcast({ now: T0, expectedRecent: flat(0.06, 15), observedRecent: flat(1.5, 15), expectedAhead: flat(0.06, 30) });
    for (const v of f.p50) expect(v).toBeCloseTo(1.5, 6);
    expect(f.p90[0]).toBeGreaterThan(1.5);
    expect(f.source).toBe('nowcast-level, at the observed 1.5 calls/min (far beyond the plan)');
  });

  test('when the evidence is weak, then the level is shrunk toward the plan as before', () => {
    // 4 calls in 10 minutes against 0.6 expected: a tail of 0.3%, noise a day of ticks meets
    const few = nowcast({ now: T0, expectedRecent: flat(0.06, 15), observedRecent: [...flat(0, 11), 1, 1, 1, 1], expectedAhead: flat(0.06, 30) });
    expect(few.p50[0]).toBeCloseTo(0.06, 6);
    expect(few.source).toBe('nowcast-level');
    // a busy queue 1.4× its plan (level z 3.7, tail ~1e-4): shrunk by 8 pseudo-calls, (140 + 8) / (100 + 8)
    const busy = nowcast({ now: T0, expectedRecent: flat(10, 15), observedRecent: flat(14, 15), expectedAhead: flat(10, 30) });
    expect(busy.p50[0]).toBeCloseTo((10 * 148) / 108, 6);
    // fewer calls than planned are shrunk whatever the evidence (a feed of zeros is not a quiet day)
    const none = nowcast({ now: T0, expectedRecent: flat(10, 15), observedRecent: flat(0, 15), expectedAhead: flat(10, 30) });
    expect(none.p50[0]).toBeGreaterThan(0.5);
  });

  test('when the plan ahead rises or falls, then the observed rate is held flat, never multiplied into the rise, and follows the plan down', () => {
    const f = nowcast({ now: T0, expectedRecent: flat(0.06, 15), observedRecent: flat(1.5, 15), expectedAhead: [...flat(0.06, 10), ...flat(10, 10), ...flat(0, 10)] });
    expect(f.p50[0]).toBeCloseTo(1.5, 6);
    // the plan opening to 10 a minute: its own shrunk ratio (~2.7×), not 25× (250 a minute)
    expect(f.p50[15]).toBeGreaterThan(10);
    expect(f.p50[15]).toBeLessThan(30);
    expect(f.p50[25]).toBe(0);
  });

  test('when the surge in a small queue goes on with a backlog, then the decision sees the breach and the backlog is in its projection', () => {
    const brk = group({ id: 'BRK', name: 'BRK', ahtSeconds: 275 });
    const forecast = nowcast({ now: T0, expectedRecent: flat(0.06, 15), observedRecent: flat(1.5, 15), expectedAhead: flat(0.06, 30) });
    const { decision } = decide({
      group: brk,
      policy: policy({ skillGroupId: 'BRK' }),
      state: initialTriggerState('BRK'),
      realtime: { ...realtime(12, 3, 1.5), skillGroupId: 'BRK' },
      forecast,
      capacity: steadyCapacity(3),
      callouts: [],
      acceptance: { accepted: 0, refused: 0 },
      now: T0,
    });
    expect(decision.projection[0].carriedIn).toBe(12);
    expect(decision.projection[3].arrivals).toBeCloseTo(7.5, 6);
    expect(decision.reason).toBe('fired');
    expect(decision.gapAgents).toBeGreaterThan(4);
  });

  test('when a day of 1-minute ticks runs as planned, then the observed rate is held on almost no tick', () => {
    // Poisson arrivals at the plan's rate, each tick nowcast from the 15 minutes before it: the 1e-5 tail
    // passes on at most ~0.015 ticks per group-day (the two busier rates are never held: the shrinkage
    // there is mild and stays as it was); 10 days at each of four rates, 57,600 ticks
    const rng = createRng(20260302);
    let held = 0;
    let ticks = 0;
    for (const rate of [0.06, 0.5, 3, 20]) {
      for (let day = 0; day < 10; day++) {
        const calls = Array.from({ length: 1440 + 15 }, () => poisson(rng, rate));
        for (let t = 15; t < calls.length; t++) {
          const f = nowcast({ now: T0, expectedRecent: flat(rate, 15), observedRecent: calls.slice(t - 15, t), expectedAhead: flat(rate, 1) });
          if (f.source.includes('far beyond the plan')) held++;
          ticks++;
        }
      }
    }
    expect(ticks).toBe(57_600);
    expect(held).toBeLessThanOrEqual(4);
  });

  test('when the Poisson tail is computed, then it matches the sums it stands for', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(1, 0.6)).toBeCloseTo(1 - Math.exp(-0.6), 12);
    expect(poissonUpperTail(2, 5)).toBeCloseTo(1 - Math.exp(-5) * (1 + 5), 12);
    expect(poissonUpperTail(5, 0.6)).toBeCloseTo(1 - Array.from({ length: 5 }, (_, k) => Math.exp(-0.6) * 0.6 ** k / [1, 1, 2, 6, 24][k]).reduce((a, v) => a + v, 0), 12);
    // the first term dominates a far tail: e^-0.6 0.6^15 / 15!
    expect(poissonUpperTail(15, 0.6) / ((Math.exp(-0.6) * 0.6 ** 15) / 1_307_674_368_000)).toBeCloseTo(1.04, 2);
    expect(poissonUpperTail(1000, 900)).toBeGreaterThan(4e-4);
    expect(poissonUpperTail(1000, 900)).toBeLessThan(7e-4);
  });
});
