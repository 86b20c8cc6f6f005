/**
 * Fairness per contract class: how evenly total hours, weekend shifts and late shifts are spread,
 * and how many shifts went against an agent's stated preferences.
 */
import type { AgentSchedule, PeriodModel, ShiftInfo } from './assignment-model';

export interface Spread {
  min: number;
  max: number;
  spread: number;
}

export interface ClassFairness {
  contractClass: string;
  agents: number;
  hours: Spread;
  /** max − min total hours */
  hoursSpread: number;
  /** the same among agents with no availability limits and no days off in the period */
  hoursSpreadUnrestricted: number | null;
  /** the target: one shortest planned shift (hours) */
  shortestShiftHours: number;
  withinOneShortestShift: boolean;
  weekendShifts: Spread;
  lateShifts: Spread;
  /** assigned shifts that go against a preference (kind, preferred day off, weekend avoidance) */
  preferenceMisses: number;
}

function spreadOf(values: number[]): Spread {
  if (values.length === 0) return { min: 0, max: 0, spread: 0 };
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { min: round(min), max: round(max), spread: round(max - min) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function fairnessReport(schedules: AgentSchedule[], model: PeriodModel, shifts: ShiftInfo[]): ClassFairness[] {
  const shortest = shifts.length ? Math.min(...shifts.map((s) => s.hours)) : 0;
  const inPeriod = new Set(model.dates);
  const classes = new Map<string, AgentSchedule[]>();
  for (const s of schedules) classes.set(s.agent.contract.class, [...(classes.get(s.agent.contract.class) ?? []), s]);
  return [...classes.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([contractClass, members]) => {
      const hours = spreadOf(members.map((m) => m.totalHours));
      const unrestricted = members.filter((m) => !m.agent.availability && !(m.agent.daysOff ?? []).some((d) => inPeriod.has(d)));
      return {
        contractClass,
        agents: members.length,
        hours,
        hoursSpread: hours.spread,
        hoursSpreadUnrestricted: unrestricted.length ? spreadOf(unrestricted.map((m) => m.totalHours)).spread : null,
        shortestShiftHours: round(shortest),
        withinOneShortestShift: hours.spread <= shortest + 1e-6,
        weekendShifts: spreadOf(members.map((m) => m.weekendShifts)),
        lateShifts: spreadOf(members.map((m) => m.lateShifts)),
        preferenceMisses: members.reduce((sum, m) => sum + m.preferencePenalty, 0),
      };
    });
}
