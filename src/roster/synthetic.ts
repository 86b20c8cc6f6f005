/**
 * Synthetic but realistic roster instances for tests, benchmarks and demos: skill groups with a
 * contact-center day profile (morning and afternoon peaks, quiet nights, lighter weekends), a staffing
 * requirement per 30-minute interval sized to the workforce, and partner agents with two contract
 * classes, mixed skills, some availability limits, days off and preferences. Deterministic from a seed.
 */
import type { Agent, IsoWeekday, SkillGroup } from '../domain/types';
import { intervalStarts, startOfLocalDay, wallClock } from '../time/grid';
import type { RequirementRow } from './types';

/** The seeded PRNG of the roster search and synthetic instances. */
export { mulberry32 as seededRandom } from '../domain/seeded-random';
import { mulberry32 as seededRandom } from '../domain/seeded-random';

export const FULL_TIME = { class: 'full-time', minHoursPerWeek: 34, maxHoursPerWeek: 42.5, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11, consecutiveDaysOff: true };
export const PART_TIME = { class: 'part-time', minHoursPerWeek: 16, maxHoursPerWeek: 26, maxDaysPerWeek: 4, maxConsecutiveDays: 3, minRestHours: 11 };

export interface SyntheticOptions {
  agents: number;
  from: string;
  days: number;
  timeZone: string;
  seed: number;
  skillGroups?: number;
  /** planned paid hours as a fraction of the agents' summed weekly maximum (default 0.85) */
  load?: number;
  /** share of full-time agents (default 0.6; the rest part-time) */
  fullTimeShare?: number;
  /** share of agents with availability windows (weekdays 07:00–19:00), default 0.15 */
  restrictedShare?: number;
}

export interface SyntheticInstance {
  skillGroups: SkillGroup[];
  requirement: RequirementRow[];
  agents: Agent[];
}

/** Relative demand by local hour (0–23): quiet nights, peaks late morning and mid-afternoon. */
const HOURLY_PROFILE = [0.15, 0.1, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.0, 1.0, 0.95, 0.85, 0.9, 1.0, 0.95, 0.85, 0.7, 0.55, 0.45, 0.4, 0.35, 0.25, 0.2];
const WEEKDAY_FACTOR: Record<IsoWeekday, number> = { 1: 1.1, 2: 1.0, 3: 1.0, 4: 1.0, 5: 0.95, 6: 0.6, 7: 0.55 };
/** paid hours per required on-phone hour that the LP typically needs (breaks, shift granularity) */
const PAID_PER_REQUIRED_HOUR = 1.25;

export function syntheticRosterInstance(options: SyntheticOptions): SyntheticInstance {
  const rand = seededRandom(options.seed);
  const groupCount = options.skillGroups ?? 3;
  const skillGroups: SkillGroup[] = Array.from({ length: groupCount }, (_, g) => ({
    id: ['PS', 'NE', 'NW', 'IN', 'TT'][g] ?? `G${g}`,
    name: `Queue ${g + 1}`,
    timeZone: options.timeZone,
    intervalMinutes: 30,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 180,
    shrinkage: 0.3,
    maxOccupancy: 0.9,
    channel: 'voice',
    overflowTo: [],
  }));

  const agents: Agent[] = [];
  const restrictedShare = options.restrictedShare ?? 0.15;
  const periodDates = Array.from({ length: options.days }, (_, d) => wallClock(startOfLocalDay(options.from, options.timeZone), options.timeZone).plus({ days: d }).toISODate()!);
  for (let i = 0; i < options.agents; i++) {
    const fullTime = rand() < (options.fullTimeShare ?? 0.6);
    const primary = Math.floor(rand() * groupCount);
    const skills = [{ skillGroupId: skillGroups[primary].id }];
    if (rand() < 0.3 && groupCount > 1) skills.push({ skillGroupId: skillGroups[(primary + 1 + Math.floor(rand() * (groupCount - 1))) % groupCount].id });
    const agent: Agent = {
      id: `A${String(i + 1).padStart(4, '0')}`,
      name: `Agent ${i + 1}`,
      kind: 'partner',
      skills,
      contract: { ...(fullTime ? FULL_TIME : PART_TIME) },
    };
    if (rand() < restrictedShare) agent.availability = [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }];
    if (rand() < 0.1) agent.daysOff = [periodDates[Math.floor(rand() * periodDates.length)]];
    const p = rand();
    if (p < 0.15) agent.preferences = { preferredShiftKinds: ['early', 'day'] };
    else if (p < 0.25) agent.preferences = { preferredShiftKinds: ['late'] };
    else if (p < 0.4) agent.preferences = { avoidWeekends: true };
    agents.push(agent);
  }

  // Size the requirement so planned paid hours ≈ load × Σ weekly max hours, split by skill holders.
  const load = options.load ?? 0.85;
  const weeks = options.days / 7;
  const holders = skillGroups.map((g) => agents.filter((a) => a.skills.some((s) => s.skillGroupId === g.id)).length);
  const totalHolders = holders.reduce((a, b) => a + b, 0);
  const paidHoursTotal = load * weeks * agents.reduce((sum, a) => sum + a.contract.maxHoursPerWeek, 0);
  const requirement: RequirementRow[] = [];
  skillGroups.forEach((group, g) => {
    const requiredHours = (paidHoursTotal * holders[g]) / totalHolders / PAID_PER_REQUIRED_HOUR;
    const start = startOfLocalDay(options.from, options.timeZone);
    const end = startOfLocalDay(wallClock(start, options.timeZone).plus({ days: options.days }).toISODate()!, options.timeZone);
    const slots = intervalStarts(start, end, options.timeZone, 30);
    const shape = slots.map((s) => {
      const local = wallClock(s, options.timeZone);
      return HOURLY_PROFILE[local.hour] * WEEKDAY_FACTOR[local.weekday as IsoWeekday] * (0.9 + 0.2 * rand());
    });
    const shapeHours = shape.reduce((a, b) => a + b, 0) * 0.5;
    slots.forEach((s, k) => requirement.push({ skillGroupId: group.id, intervalStart: s, required: Math.round(((shape[k] * requiredHours) / shapeHours) * 10) / 10 }));
  });
  return { skillGroups, requirement, agents };
}
