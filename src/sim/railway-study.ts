/**
 * A setup comparable to the published railway-hotline routing study: multi-skill agents, first-call
 * resolution below 50%, unresolved callers calling back; "send them back to the agent who served them"
 * against "the agent with the fewest calls answered today". Used by the benchmark and the tests.
 */
import type { SkillGroup } from '../domain/types';
import type { PolicyName, SimulationSpec } from './types';

export interface RailwaySetup {
  agents: number;
  /** fresh calls per hour, all groups together */
  freshCallsPerHour: number;
  hours: number;
  firstCallResolution: number;
  sameAgentHandleFactor: number;
  repeatMeanDelayMinutes: number;
  replications: number;
  seed: number;
}

export const RAILWAY_DEFAULTS: RailwaySetup = {
  agents: 60,
  freshCallsPerHour: 360,
  hours: 10,
  firstCallResolution: 0.45,
  sameAgentHandleFactor: 0.6,
  repeatMeanDelayMinutes: 30,
  replications: 10,
  seed: 2024,
};

const GROUPS = ['timetable', 'tickets', 'refunds'];

export function railwaySpec(policy: PolicyName, setup: RailwaySetup = RAILWAY_DEFAULTS): SimulationSpec {
  const from = Date.UTC(2024, 2, 4, 6, 0); // a Monday, 07:00 in Europe/Amsterdam
  const skillGroups: SkillGroup[] = GROUPS.map((id) => ({
    id,
    name: id,
    timeZone: 'Europe/Amsterdam',
    intervalMinutes: 60,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 30 },
    ahtSeconds: 240,
    patienceSeconds: 300,
    shrinkage: 0,
    maxOccupancy: 1,
    channel: 'voice',
    overflowTo: [],
  }));
  const starts = Array.from({ length: setup.hours }, (_, i) => from + i * 3_600_000);
  // Every agent has two of the three skills, rotating, so each group is covered by two thirds of them.
  const shifts = Array.from({ length: setup.agents }, (_, a) => ({
    agentId: `agent-${a}`,
    skillGroupId: GROUPS[a % 3],
    extraSkillGroupIds: [GROUPS[(a + 1) % 3]],
    start: from,
    end: from + setup.hours * 3_600_000,
  }));
  return {
    skillGroups,
    period: { from, to: from + setup.hours * 3_600_000 },
    roster: { kind: 'shifts', shifts },
    arrivals: {
      kind: 'forecast',
      rates: starts.flatMap((start) => GROUPS.map((id) => ({ skillGroupId: id, start, volume: setup.freshCallsPerHour / 3 }))),
    },
    handleTime: Object.fromEntries(GROUPS.map((id) => [id, { kind: 'lognormal' as const, cv: 1 }])),
    repeatCalls: {
      firstCallResolution: setup.firstCallResolution,
      meanDelaySeconds: setup.repeatMeanDelayMinutes * 60,
      sameAgentHandleFactor: setup.sameAgentHandleFactor,
    },
    policy,
    replications: setup.replications,
    seed: setup.seed,
    warmupMinutes: 60,
  };
}
