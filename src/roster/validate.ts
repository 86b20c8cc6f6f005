/**
 * Contradictions that make a roster meaningless, caught before any search: a contract no week can
 * satisfy, or planned shifts in a skill group no partner agent has. Thrown as WfmError('infeasible')
 * (422) naming the agents and rules. Coverage that is merely short is NOT an error: the assignment
 * returns the best roster with the uncovered shifts and their reasons.
 */
import { DateTime } from 'luxon';
import type { Agent, IsoWeekday } from '../domain/types';
import { WfmError, type ProblemDetail } from '../errors/wfm-error';
import { parseLocalTime, windowRanges } from '../time/grid';
import type { PlannedShift, ShiftTemplate } from './types';

/** Days a complete week can have at most: the contract's maximum and the two-days-off rule. */
function workableDaysPerWeek(agent: Agent): number {
  return Math.max(0, Math.min(agent.contract.maxDaysPerWeek, 5, agent.contract.maxConsecutiveDays >= 5 ? 5 : weeklyDaysWithRunCap(agent.contract.maxConsecutiveDays)));
}

/** Most days in a 7-day block when runs of work are capped at `cap` days (runs separated by a day off). */
function weeklyDaysWithRunCap(cap: number): number {
  if (cap <= 0) return 0;
  // `cap` days on, one off, starting with a full run: 7 − ⌊7/(cap+1)⌋ days (cap 2: WW·WW·W = 5).
  return 7 - Math.floor(7 / (cap + 1));
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

const DAY_MINUTES = 1440;

/**
 * The agent's stretches of availability that start on `weekday`, in minutes from its midnight, a stretch
 * reaching midnight running on into the next weekday's window from 00:00 (a night shift may cross it).
 */
function availabilityRuns(agent: Agent, weekday: IsoWeekday): Array<[number, number]> {
  const windows = (day: number) => windowRanges(agent.availability ?? [], (((day - 1) % 7) + 1) as IsoWeekday).filter(([a, b]) => b > a);
  /** the union of windows of a weekday as disjoint runs */
  const runs = (day: number) => {
    const merged: Array<[number, number]> = [];
    for (const [a, b] of [...windows(day)].sort((x, y) => x[0] - y[0])) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    return merged;
  };
  const next = runs(weekday + 1);
  const carry = next[0]?.[0] === 0 ? next[0][1] : 0;
  return runs(weekday).map(([a, b]) => [a, b + (b === DAY_MINUTES ? carry : 0)]);
}

/**
 * Whether some shift of the template, starting on the weekday at an allowed start (its window, on its
 * grid), lies inside one of the agent's stretches of availability. Starts after midnight of a window
 * that wraps are taken on the same day (generous: it never refuses a shift the day could hold).
 */
function templateFitsDay(runs: Array<[number, number]>, template: ShiftTemplate): boolean {
  const from = parseLocalTime(template.startWindow.from);
  const to = parseLocalTime(template.startWindow.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return true; // template problems are reported on their own
  const starts: Array<[number, number]> = from <= to ? [[from, to]] : [[from, DAY_MINUTES - 1], [0, to]];
  const grid = template.startGridMinutes;
  return runs.some(([a, b]) =>
    starts.some(([lo, hi]) => {
      const first = Math.ceil(Math.max(a, lo) / grid) * grid;
      return first <= Math.min(b - template.lengthMinutes, hi);
    }),
  );
}

/**
 * Minimum weekly hours no complete week can reach, for the shift lengths the agent may work, their
 * availability, their maximum hours and days (a week with one of their days off owes no minimum): the
 * checker would refuse any roster, so the request is contradictory (422 naming the agent and rule)
 * rather than a build that fails at the end.
 * Generous on purpose (rest, runs across weeks and where the plan has shifts are ignored; a template
 * counts on a day when one of its allowed starts fits the availability): it must never refuse a
 * contract some roster can satisfy. Agents already flagged by contractProblems are not repeated.
 */
export function weeklyMinimumProblems(agents: Agent[], templates: ShiftTemplate[], period: { from: string; days: number; timeZone: string }, skillGroupIds: string[]): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  const start = DateTime.fromISO(period.from, { zone: 'UTC' });
  for (const agent of agents) {
    const c = agent.contract;
    if (!(c.minHoursPerWeek > 0) || !(c.maxHoursPerWeek >= c.minHoursPerWeek)) continue;
    const skills = new Set(agent.skills.map((k) => k.skillGroupId).filter((g) => skillGroupIds.includes(g)));
    const usableTemplates = templates.filter((t) => !t.skillGroupIds || t.skillGroupIds.some((g) => skills.has(g)));
    const lengths = [...new Set(usableTemplates.map((t) => t.lengthMinutes))].sort((a, b) => a - b);
    const maxDays = workableDaysPerWeek(agent);
    // availability in another zone than the period's: not narrowed (the check stays generous)
    const narrow = agent.availability !== undefined && (agent.timeZone ?? period.timeZone) === period.timeZone;
    for (let week = 0; week + 7 <= period.days; week += 7) {
      const dates = Array.from({ length: 7 }, (_, d) => start.plus({ days: week + d }));
      // a week with a day off (leave) owes no minimum: the checker excuses it, as it does an absence
      if (dates.some((date) => agent.daysOff?.includes(date.toISODate()!))) continue;
      const usable = dates.map((date) => {
        if (!narrow) return lengths;
        const runs = availabilityRuns(agent, date.weekday as IsoWeekday);
        return [...new Set(usableTemplates.filter((t) => templateFitsDay(runs, t)).map((t) => t.lengthMinutes))];
      });
      // weekly totals (minutes) reachable with k working days, k ≤ maxDays
      let reach: Array<Set<number>> = [new Set([0])];
      for (const options of usable) {
        const next = reach.map((set) => new Set(set));
        reach.forEach((set, k) => {
          if (k >= maxDays) return;
          next[k + 1] ??= new Set();
          for (const sum of set) for (const l of options) if (sum + l <= c.maxHoursPerWeek * 60 + 1e-6) next[k + 1].add(sum + l);
        });
        reach = next;
      }
      const best = Math.max(...reach.flatMap((set) => [...set]));
      if (best + 1e-6 >= c.minHoursPerWeek * 60) continue;
      const from = start.plus({ days: week }).toISODate();
      const why =
        best === 0
          ? `no shift (${lengths.map((l) => `${l / 60} h`).join(', ')}) fits ${lengths.length && lengths[0] > c.maxHoursPerWeek * 60 ? `within maxHoursPerWeek ${c.maxHoursPerWeek}` : "their availability and days off at the templates' allowed start times"}`
          : `availability, days off, maxDaysPerWeek ${c.maxDaysPerWeek} and shift lengths allow at most ${best / 60} h within maxHoursPerWeek ${c.maxHoursPerWeek}`;
      problems.push({
        where: `/agents/${agent.id}/contract`,
        message: `${agent.id}: minHoursPerWeek ${c.minHoursPerWeek} cannot be met in the week from ${from}: ${why} (rule: weekly min hours vs availability, days off and shift lengths)`,
      });
      break;
    }
  }
  return problems;
}
