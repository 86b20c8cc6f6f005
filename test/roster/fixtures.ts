/** Hand-built roster fixtures: agents and planned shifts written in local wall time. */
import { DateTime } from 'luxon';
import type { Agent, Contract, ShiftKind } from '../../src/domain/types';
import type { PlannedShift } from '../../src/roster/types';
import type { PlanningPeriod } from '../../src/roster/assignment-model';

export const ZONE = 'Asia/Jerusalem';
/** Monday 1 February 1999, two weeks */
export const PERIOD: PlanningPeriod = { from: '1999-02-01', days: 14, timeZone: ZONE };

export const CONTRACT: Contract = { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };

export function agent(id: string, overrides: Partial<Agent> = {}, contract: Partial<Contract> = {}): Agent {
  return { id, name: id, kind: 'partner', skills: [{ skillGroupId: 'PS' }], contract: { ...CONTRACT, ...contract }, ...overrides };
}

let counter = 0;
/** A shift starting at local `date` `time` lasting `hours`, with a 30-minute meal break after 4 h when long enough. */
export function shift(date: string, time: string, hours: number, opts: { skill?: string; kind?: ShiftKind; id?: string } = {}): PlannedShift {
  const start = DateTime.fromISO(`${date}T${time}`, { zone: ZONE });
  const end = start.plus({ minutes: hours * 60 });
  const breaks = hours >= 6 ? [{ start: start.plus({ hours: 4 }).toMillis(), end: start.plus({ hours: 4, minutes: 30 }).toMillis(), kind: 'meal' as const }] : [];
  const kind = opts.kind ?? (start.hour < 9 ? 'early' : start.hour < 12 ? 'day' : start.hour < 20 ? 'late' : 'night');
  return { id: opts.id ?? `s${++counter}-${date}-${time}`, skillGroupId: opts.skill ?? 'PS', templateId: kind, kind, date, start: start.toMillis(), end: end.toMillis(), breaks };
}

/** ISO date `offset` days after 1999-02-01. */
export function day(offset: number): string {
  return DateTime.fromISO('1999-02-01', { zone: 'UTC' }).plus({ days: offset }).toISODate()!;
}
