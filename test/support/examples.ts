import type { Agent, SkillGroup } from '../../src/domain/types';

export function skillGroup(overrides: Partial<SkillGroup> = {}): SkillGroup {
  return {
    id: 'PS',
    name: 'Private customers',
    timeZone: 'Asia/Jerusalem',
    intervalMinutes: 30,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 180,
    patienceSeconds: 300,
    shrinkage: 0.3,
    maxOccupancy: 0.85,
    channel: 'voice',
    overflowTo: [],
    country: 'IL',
    ...overrides,
  };
}

export function agent(overrides: Partial<Agent> = {}): Agent {
  return {
    id: 'a1',
    name: 'Dana Levi',
    kind: 'partner',
    skills: [{ skillGroupId: 'PS' }],
    contract: { class: 'full-time', minHoursPerWeek: 32, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 },
    ...overrides,
  };
}
