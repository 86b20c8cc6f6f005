/** Conservation checks on mixed scenarios: every offered call ends answered or abandoned, exactly once. */
import { simulate } from '../../src/sim/simulate';
import { createRng } from '../../src/sim/rng';
import { POLICY_NAMES, type SimShift, type SimulationSpec } from '../../src/sim/types';
import { group, HOUR, MONDAY } from './fixtures';

function mixedScenario(seed: number): SimulationSpec {
  const rng = createRng(seed, 99);
  const ids = ['A', 'B', 'C'];
  const shifts: SimShift[] = [];
  for (let a = 0; a < 25; a++) {
    const start = MONDAY + Math.floor(rng.uniform() * 6) * HOUR;
    const end = start + (3 + Math.floor(rng.uniform() * 4)) * HOUR;
    const home = ids[a % 3];
    shifts.push({
      agentId: `a${a}`,
      skillGroupId: home,
      extraSkillGroupIds: rng.uniform() < 0.5 ? [ids[(a + 1) % 3]] : [],
      start,
      end,
      breaks: rng.uniform() < 0.7 ? [{ start: start + HOUR, end: start + HOUR + 15 * 60_000 }] : [],
    });
  }
  const starts = Array.from({ length: 8 }, (_, i) => MONDAY + i * HOUR);
  return {
    skillGroups: [group('A', { patienceSeconds: 90, overflowTo: ['B'] }), group('B', { patienceSeconds: 200 }), group('C', { overflowTo: ['A', 'B'] })],
    period: { from: MONDAY, to: MONDAY + 8 * HOUR },
    roster: { kind: 'shifts', shifts },
    addedAgents: [{ requestedAt: MONDAY + 2 * HOUR, loginDelayMinutes: 20, count: 3, skillGroupIds: ['C', 'A'], durationMinutes: 120 }],
    arrivals: {
      kind: 'forecast',
      rates: starts.flatMap((start) => ids.map((id) => ({ skillGroupId: id, start, volume: 20 + 60 * rng.uniform() }))),
      shocks: [{ skillGroupId: 'A', start: MONDAY + 3 * HOUR, durationMinutes: 90, factor: 2.5, rampMinutes: 20 }],
    },
    handleTime: { B: { kind: 'exponential' }, C: { kind: 'empirical', samplesSeconds: [30, 120, 240, 600] } },
    repeatCalls: { firstCallResolution: { A: 0.5, B: 0.7, C: 0.9 }, meanDelaySeconds: 900, sameAgentHandleFactor: 0.7 },
    policy: POLICY_NAMES[seed % POLICY_NAMES.length],
    replications: 3,
    seed,
    onMinute: (state, actions) => {
      if (state.queueLength[0] > 8 && state.agentsIdle[0] === 0) actions.addAgents({ count: 1, skillGroupIds: ['A'], loginDelayMinutes: 10, durationMinutes: 60 });
    },
  };
}

describe('simulation invariants', () => {
  test.each([1, 2, 3, 4, 5])('when a mixed scenario runs with seed %i, then offered = answered + abandoned and occupancy ≤ 1', (seed) => {
    const result = simulate(mixedScenario(seed));
    for (const totals of [...result.totals, result.overall]) {
      expect(totals.answered.mean + totals.abandoned.mean).toBeCloseTo(totals.offered.mean, 9);
      expect(totals.occupancy.mean).toBeLessThanOrEqual(1);
    }
    expect(result.overall.offered.mean).toBeGreaterThan(500);
    for (const row of result.intervals) {
      if (row.agents.mean > 0) expect(row.occupancy.mean).toBeLessThanOrEqual(1 + 1e-9);
    }
  });
});
