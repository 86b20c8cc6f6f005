/** Agent-choice policies and the return-to-previous-agent routing (railway-study setup, small). */
import { railwaySpec, RAILWAY_DEFAULTS } from '../../src/sim/railway-study';
import { simulate } from '../../src/sim/simulate';
import type { SimulationSpec } from '../../src/sim/types';
import { group, HOUR, MONDAY } from './fixtures';

// 12 replications: with 4, the mean wait of this small setup swings by more than the effect on some seeds.
const small = { ...RAILWAY_DEFAULTS, agents: 30, freshCallsPerHour: 190, hours: 6, replications: 12 };

describe('routing policies', () => {
  test('when unresolved callers return to their previous agent, then handle time and wait fall against fewest answered', () => {
    const baseline = simulate(railwaySpec('fewest-answered', small)).overall;
    const previous = simulate(railwaySpec('previous-agent', small)).overall;
    expect(previous.meanHandleSeconds.mean).toBeLessThan(baseline.meanHandleSeconds.mean * 0.98);
    expect(previous.meanWaitSeconds.mean).toBeLessThan(baseline.meanWaitSeconds.mean);
  });

  test('when callers wait long for a busy previous agent, then handle time falls further but waits grow', () => {
    const quick = railwaySpec('previous-agent', small);
    const patient: SimulationSpec = { ...quick, policy: { agentChoice: 'fewest-answered', returnToPreviousAgent: true, previousAgentMaxWaitSeconds: 120 } };
    const a = simulate(quick).overall;
    const b = simulate(patient).overall;
    expect(b.meanHandleSeconds.mean).toBeLessThan(a.meanHandleSeconds.mean);
    expect(b.meanWaitSeconds.mean).toBeGreaterThan(a.meanWaitSeconds.mean);
  });

  test.each(['longest-idle', 'fewest-answered', 'least-talk-time', 'random'] as const)(
    'when the agent choice is %s, then two agents with a light load share the calls and nothing is lost',
    (policy) => {
      const starts = [0, 1].map((i) => MONDAY + i * HOUR);
      const result = simulate({
        skillGroups: [group('A')],
        period: { from: MONDAY, to: MONDAY + 2 * HOUR },
        roster: { kind: 'staffing', rows: starts.map((start) => ({ skillGroupId: 'A', start, agents: 2 })) },
        arrivals: { kind: 'forecast', rates: starts.map((start) => ({ skillGroupId: 'A', start, volume: 20 })) },
        handleTime: { A: { kind: 'exponential', meanSeconds: 60 } },
        policy,
        replications: 3,
        seed: 8,
      });
      expect(result.policy.agentChoice).toBe(policy);
      expect(result.overall.abandoned.mean).toBe(0);
      expect(result.overall.answered.mean).toBe(result.overall.offered.mean);
      expect(result.overall.occupancy.mean).toBeGreaterThan(0.1);
      expect(result.overall.occupancy.mean).toBeLessThan(0.3);
    },
  );
});
