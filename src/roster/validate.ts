/**
 * Contradictions that make a roster meaningless, caught before any search: a contract no week can
 * satisfy, or planned shifts in a skill group no partner agent has. Thrown as WfmError('infeasible')
 * (422) naming the agents and rules. Coverage that is merely short is NOT an error: the assignment
 * returns the best roster with the uncovered shifts and their reasons.
 */
import type { Agent } from '../domain/types';
import { WfmError, type ProblemDetail } from '../errors/wfm-error';
import type { PlannedShift } from './types';

/** Days a complete week can have at most: the contract's maximum and the two-days-off rule. */
function workableDaysPerWeek(agent: Agent): number {
  return Math.max(0, Math.min(agent.contract.maxDaysPerWeek, 5, agent.contract.maxConsecutiveDays >= 5 ? 5 : weeklyDaysWithRunCap(agent.contract.maxConsecutiveDays)));
}

/** Most days in a 7-day block when runs of work are capped at `cap` days (runs separated by a day off). */
function weeklyDaysWithRunCap(cap: number): number {
  if (cap <= 0) return 0;
  // A repeating pattern of `cap` days on, one off fits ⌊7·cap/(cap+1)⌋ days in the best alignment.
  return Math.floor((7 * cap) / (cap + 1));
}

export function contractProblems(agents: Agent[], longestShiftHours: number): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  agents.forEach((agent, i) => {
    const c = agent.contract;
    const where = `/agents/${i}/contract`;
    const say = (rule: string, message: string) => problems.push({ where, message: `${agent.id}: ${message} (rule: ${rule})` });
    for (const [field, value] of Object.entries({ minHoursPerWeek: c.minHoursPerWeek, maxHoursPerWeek: c.maxHoursPerWeek, maxDaysPerWeek: c.maxDaysPerWeek, maxConsecutiveDays: c.maxConsecutiveDays, minRestHours: c.minRestHours })) {
      if (!Number.isFinite(value) || value < 0) say(field, `${field} must be a non-negative number, got ${value}`);
    }
    if (c.minHoursPerWeek > c.maxHoursPerWeek) say('weekly min/max hours', `minHoursPerWeek ${c.minHoursPerWeek} > maxHoursPerWeek ${c.maxHoursPerWeek}`);
    if (c.minHoursPerWeek > 0) {
      const days = workableDaysPerWeek(agent);
      if (days === 0) say('max days per week', `minHoursPerWeek ${c.minHoursPerWeek} but maxDaysPerWeek ${c.maxDaysPerWeek} / maxConsecutiveDays ${c.maxConsecutiveDays} allow no working day`);
      else if (longestShiftHours > 0 && days * longestShiftHours < c.minHoursPerWeek - 1e-6) {
        say('weekly min hours vs max days', `minHoursPerWeek ${c.minHoursPerWeek} needs more than ${days} day(s) × the longest shift ${longestShiftHours} h`);
      }
    }
    if (c.minRestHours > 24) say('min rest', `minRestHours ${c.minRestHours} > 24 is not supported (rest is checked between shifts of neighbouring days)`);
  });
  return problems;
}

export function validateAssignmentInput(partners: Agent[], planned: PlannedShift[]): void {
  const longest = planned.reduce((m, s) => Math.max(m, (s.end - s.start) / 3_600_000), 0);
  const problems = contractProblems(partners, longest);
  const skills = new Set(partners.flatMap((a) => a.skills.map((s) => s.skillGroupId)));
  const orphanGroups = [...new Set(planned.map((s) => s.skillGroupId))].filter((g) => !skills.has(g));
  for (const g of orphanGroups) {
    problems.push({ where: `/plannedShifts?skillGroupId=${g}`, message: `no partner agent has skill ${g} (rule: skill)` });
  }
  if (problems.length > 0) {
    throw new WfmError('infeasible', `roster input is contradictory: ${problems.length} problem(s)`, { details: problems });
  }
}
