import type { Agent, SkillGroup } from '../../src/domain/types';
import { DEFAULT_POLICY, type MinuteForecast, type RealtimeState, type TriggerPolicy } from '../../src/trigger/types';

export const T0 = Date.UTC(2026, 2, 2, 10, 0); // a Monday, 10:00 UTC
export const MIN = 60_000;

export function group(overrides: Partial<SkillGroup> = {}): SkillGroup {
  return {
    id: 'PS',
    name: 'Private service',
    timeZone: 'UTC',
    intervalMinutes: 15,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 180,
    patienceSeconds: 120,
    shrinkage: 0.3,
    maxOccupancy: 0.95,
    channel: 'voice',
    overflowTo: [],
    ...overrides,
  };
}

export function policy(overrides: Partial<TriggerPolicy> = {}): TriggerPolicy {
  return { ...DEFAULT_POLICY, skillGroupId: 'PS', confirmTicks: 1, ...overrides };
}

export function flatForecast(perMinute: number, now = T0, minutes = 30): MinuteForecast {
  const p50 = new Array(minutes).fill(perMinute);
  return { from: now, p10: p50.map((v) => v * 0.8), p50, p90: p50.map((v) => v * 1.2), source: 'test' };
}

export function realtime(queueLength: number, agentsLoggedIn: number, arrivalsPerMinute = 0, now = T0): RealtimeState {
  const minutes = Array.from({ length: 15 }, (_, k) => ({ minute: now - (15 - k) * MIN, arrivals: arrivalsPerMinute, handled: 0, abandoned: 0 }));
  return { skillGroupId: 'PS', minutes, gauges: { at: now - MIN, queueLength, agentsLoggedIn, agentsAvailable: 0, oldestWaitSeconds: 0 } };
}

export function cloudAgent(id: string, overrides: Partial<Agent> = {}): Agent {
  return {
    id,
    name: id,
    kind: 'cloud',
    skills: [{ skillGroupId: 'PS', proficiency: 1 }],
    contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 6, maxConsecutiveDays: 6, minRestHours: 11 },
    phone: `+97250${id.padStart(7, '0').slice(-7)}`,
    calloutOptIn: true,
    ...overrides,
  };
}

/** Agents on shift for the whole horizon. */
export function steadyCapacity(agents: number, now = T0, minutes = 30) {
  return { from: now, agents: new Array(minutes).fill(agents), scheduled: new Array(minutes).fill(agents), adherenceOffset: 0 };
}
