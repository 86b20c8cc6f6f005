import { requiredAgents } from '../../src/staffing/erlang';
import { projectBuckets, requiredAgentsNear } from '../../src/trigger/projection';
import { flatForecast, group, policy, steadyCapacity, T0 } from './fixtures';

describe('requiredAgentsNear', () => {
  test('when searched from any hint, then it finds what requiredAgents finds (Erlang A and C, voice and chat, idle to overloaded)', () => {
    const cases: Array<{ calls: number; patience?: number; concurrency?: number; maxOccupancy: number; fraction: number }> = [];
    for (const calls of [0, 0.4, 3, 25, 140, 900]) {
      for (const patience of [undefined, 60, 180]) {
        for (const concurrency of [1, 3]) cases.push({ calls, patience, concurrency, maxOccupancy: 0.85, fraction: 0.8 });
      }
    }
    cases.push({ calls: 400, patience: 150, maxOccupancy: 1, fraction: 0.95 });
    for (const c of cases) {
      const queue = { callsPerInterval: c.calls, intervalSeconds: 300, ahtSeconds: 240, answerWithinSeconds: 20, patienceSeconds: c.patience, concurrency: c.concurrency };
      const target = { serviceLevel: { fraction: c.fraction, answerWithinSeconds: 20 }, maxOccupancy: c.maxOccupancy };
      const expected = requiredAgents({ ...queue, serviceLevel: target.serviceLevel, shrinkage: 0, maxOccupancy: c.maxOccupancy }).rawAgents;
      for (const hint of [0, 1, expected - 7, expected - 1, expected, expected + 1, expected + 13, 5 * expected + 50, 2.4]) {
        expect({ ...c, hint, required: requiredAgentsNear(queue, target, Math.max(0, hint)) }).toEqual({ ...c, hint, required: expected });
      }
    }
  });
});

describe('projectBuckets', () => {
  test('when callers wait now, then the backlog is carried into the next buckets, thinned by patience, and raises what they need', () => {
    const g = group();
    const p = policy();
    const calm = projectBuckets({ group: g, policy: p, now: T0, forecast: flatForecast(10), capacity: steadyCapacity(36), backlog: 0 });
    const queued = projectBuckets({ group: g, policy: p, now: T0, forecast: flatForecast(10), capacity: steadyCapacity(36), backlog: 80 });
    expect(queued[0].carriedIn).toBe(80);
    expect(queued[1].carriedIn).toBeGreaterThan(0);
    expect(queued[1].carriedIn).toBeLessThan(80);
    expect(queued[0].requiredAgents).toBeGreaterThan(calm[0].requiredAgents);
    expect(queued[0].serviceLevel).toBeLessThan(calm[0].serviceLevel);
    // only buckets that start after the login lead can still be helped by a callout
    expect(queued.map((b) => b.actionable)).toEqual([false, false, false, true, true, true]);
  });

  test('when only the service level is wanted, then it is the same and the requirement is not searched', () => {
    const args = { group: group(), policy: policy(), now: T0, forecast: flatForecast(25), capacity: steadyCapacity(20), backlog: 40 };
    const full = projectBuckets(args);
    const slOnly = projectBuckets({ ...args, withRequirement: false });
    expect(slOnly.map((b) => b.serviceLevel)).toEqual(full.map((b) => b.serviceLevel));
    expect(slOnly.every((b) => Number.isNaN(b.requiredAgents))).toBe(true);
    expect(full.every((b) => b.requiredAgents > 20)).toBe(true);
  });

  test('when the group closes (no calls expected, nobody on shift), then a queue at closing time calls nobody in', () => {
    const closing = { ...flatForecast(10), p50: [...new Array(3).fill(10), ...new Array(27).fill(0)] };
    const capacity = { ...steadyCapacity(36), agents: [...new Array(3).fill(36), ...new Array(27).fill(0)] };
    const projection = projectBuckets({ group: group(), policy: policy(), now: T0, forecast: closing, capacity, backlog: 5 });
    expect(projection.some((b) => b.actionable)).toBe(false);
  });

  test('when the load or the agents are absurdly large (stored 1e12 calls a minute, 1e12 agents), then the projection stays fast and still reads as breached / covered', () => {
    const g = group();
    const p = policy();
    const started = performance.now();
    const flooded = projectBuckets({ group: g, policy: p, now: T0, forecast: flatForecast(1e12), capacity: steadyCapacity(4), backlog: 1e9 });
    const staffed = projectBuckets({ group: g, policy: p, now: T0, forecast: flatForecast(3), capacity: steadyCapacity(1e12), backlog: 0 });
    // just past the bound, and a large but computable load just under it
    const edge = projectBuckets({ group: g, policy: p, now: T0, forecast: flatForecast(7_000), capacity: steadyCapacity(6_000), backlog: 0 });
    expect(performance.now() - started).toBeLessThan(3_000);
    for (const b of flooded) {
      expect(b.serviceLevel).toBe(0);
      expect(b.requiredAgents).toBeGreaterThan(1e9);
      expect(b.probAbandon).toBeGreaterThan(0.99);
    }
    for (const b of staffed) {
      expect(b.serviceLevel).toBeCloseTo(1, 9);
      expect(b.requiredAgents).toBeLessThan(20);
    }
    // 7,000 calls a minute of 180 s = 21,000 agents of load: the fluid limit, needing load / occupancy cap
    expect(edge[0].serviceLevel).toBe(0);
    expect(edge[0].requiredAgents).toBe(Math.ceil(21_000 / g.maxOccupancy));
  });
});
