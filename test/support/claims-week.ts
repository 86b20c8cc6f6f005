/**
 * A week of one skill group (PS, UTC) for the claim and publish tests: partners and cloud agents, 8-hour
 * day shifts from 08:00 with a meal, cloud slots over them, and a stored roster of them (draft or re-plan
 * of another) whose summary counts what it holds. The partners' coverage of Wednesday is two agents
 * required an hour, nobody scheduled.
 */
import type { NewRoster, StoredCoverageRow } from '../../src/store/roster-repository';
import type { AssignedShift, PlannedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import type { Agent } from '../../src/domain/types';
import { agent } from './examples';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 2030-01-07 00:00 UTC: the roster's week */
export const T0 = Date.UTC(2030, 0, 7);
export const NOW = T0 - 3 * DAY;
export const WED = 2;

export const cloud = (id: string): Agent =>
  agent({ id, name: id, kind: 'cloud', timeZone: 'UTC', contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });
export const partner = (id: string): Agent =>
  agent({ id, name: id, timeZone: 'UTC', contract: { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });

export const startOf = (day: number) => T0 + day * DAY + 8 * HOUR;
export const dateOf = (day: number) => new Date(startOf(day)).toISOString().slice(0, 10);
/** the planned shift behind a slot place, with its meal at `mealHour` after the start */
export const openShift = (id: string, day: number, mealHour = 4): PlannedShift => ({
  id, skillGroupId: 'PS', templateId: 't', kind: 'day', date: dateOf(day), start: startOf(day), end: startOf(day) + 8 * HOUR,
  breaks: [{ kind: 'meal', start: startOf(day) + mealHour * HOUR, end: startOf(day) + (mealHour + 0.5) * HOUR }],
});
export const partnerShift = (id: string, agentId: string, day: number): AssignedShift => ({ ...openShift(id, day), agentId });
export const slot = (day: number, agentsNeeded: number, shiftIds: string[]): CloudSlot => ({
  id: `slot-${day}`, skillGroupId: 'PS', date: dateOf(day), start: startOf(day), end: startOf(day) + 8 * HOUR, templateId: 't', kind: 'day', agentsNeeded, shiftIds,
});
/** the partners' coverage of Wednesday, one row an hour: nobody scheduled, two required */
export const coverage: StoredCoverageRow[] = Array.from({ length: 8 }, (_, h) => ({
  skillGroupId: 'PS', intervalStart: startOf(WED) + h * HOUR, required: 2, scheduled: 0, shortfall: 2, volume: 20, ahtSeconds: 180, serviceLevel: 0, asaSeconds: -1, abandonment: 0.5,
}));

export function weekRoster(id: string, shifts: AssignedShift[], uncovered: PlannedShift[], slots: CloudSlot[], replanOf?: string, details: Record<string, unknown> = {}): NewRoster {
  const summary = { partnerShifts: shifts.length, uncoveredShifts: uncovered.length, slotPlaces: slots.reduce((n, s) => n + s.agentsNeeded, 0) };
  return {
    meta: { id, createdAt: new Date(NOW).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * DAY }, skillGroupIds: ['PS'], ...(replanOf ? { replanOf } : {}), request: {}, summary, details },
    shifts,
    uncovered,
    coverage,
    slots,
  };
}
