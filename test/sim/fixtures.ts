/** Small hand-built scenarios shared by the simulator tests. */
import type { SkillGroup } from '../../src/domain/types';
import type { SimulationSpec } from '../../src/sim/types';

export const MONDAY = Date.UTC(2024, 0, 8, 0, 0);
export const HOUR = 3_600_000;

export function group(id: string, overrides: Partial<SkillGroup> = {}): SkillGroup {
  return {
    id,
    name: id,
    timeZone: 'UTC',
    intervalMinutes: 60,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 180,
    shrinkage: 0,
    maxOccupancy: 1,
    channel: 'voice',
    overflowTo: [],
    ...overrides,
  };
}

/** A stationary M/M/N(+M) queue: constant agents and arrival rate for `hours` hourly intervals. */
export function stationarySpec(options: { agents: number; callsPerHour: number; hours: number; patienceSeconds?: number; replications: number; seed: number }): SimulationSpec {
  const { agents, callsPerHour, hours } = options;
  const starts = Array.from({ length: hours }, (_, i) => MONDAY + i * HOUR);
  return {
    skillGroups: [group('A', { patienceSeconds: options.patienceSeconds })],
    period: { from: MONDAY, to: MONDAY + hours * HOUR },
    roster: { kind: 'staffing', rows: starts.map((start) => ({ skillGroupId: 'A', start, agents })) },
    arrivals: { kind: 'forecast', rates: starts.map((start) => ({ skillGroupId: 'A', start, volume: callsPerHour })) },
    handleTime: { A: { kind: 'exponential' } },
    replications: options.replications,
    seed: options.seed,
    warmupMinutes: 60,
  };
}
