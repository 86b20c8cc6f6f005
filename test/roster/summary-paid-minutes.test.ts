/**
 * The roster summary as payroll reads it: paidHours is rounded to 0.1 h (981 h 40 min reads 981.7), so
 * the summary also gives the exact minutes, and the cloud agents' claimed shifts apart from the partners'.
 */
import { DateTime } from 'luxon';
import { buildRoster, replanStoredRoster, type BuildRosterInput } from '../../src/roster/build';
import type { Agent, IntervalVolume, SkillGroup } from '../../src/domain/types';
import { agent, skillGroup } from '../support/examples';

const ZONE = 'Asia/Jerusalem';
const period = { from: '2030-01-07', days: 3, timeZone: ZONE };
const group: SkillGroup = skillGroup({ id: 'PS', timeZone: ZONE });
const contract = { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
const agents: Agent[] = Array.from({ length: 4 }, (_, i) => agent({ id: `A${i}`, timeZone: ZONE, contract, skills: [{ skillGroupId: 'PS' }] }));

/** 40 calls per half hour from 08:00 to 18:00: more than four agents can answer, so slots are left. */
function forecast(): IntervalVolume[] {
  const rows: IntervalVolume[] = [];
  for (let d = 0; d < period.days; d++) {
    const day = DateTime.fromISO(period.from, { zone: ZONE }).plus({ days: d }).set({ hour: 8 });
    for (let k = 0; k < 20; k++) rows.push({ skillGroupId: 'PS', start: day.plus({ minutes: 30 * k }).toMillis(), volume: 40 });
  }
  return rows;
}

const input: BuildRosterInput = { period, skillGroups: [group], agents, forecast: forecast(), rules: { options: { ruinAndRecreateIterations: 200 } } };
const minutesOf = (s: { start: number; end: number }) => (s.end - s.start) / 60_000;

describe('the roster summary in minutes, claims apart', () => {
  test('when a roster is built, then paidMinutes is the partners\' exact paid span (breaks in) and paidHours that, rounded to 0.1 h; no claims yet', () => {
    const built = buildRoster(input);
    const exact = built.shifts.reduce((n, s) => n + minutesOf(s), 0);
    expect(built.summary.paidMinutes).toBe(exact);
    expect(built.summary.paidHours).toBe(Math.round(exact / 6) / 10);
    expect(built.summary).toMatchObject({ claimedShifts: 0, claimedHours: 0, claimedMinutes: 0 });
  });

  test('when a roster with a claimed slot is re-planned, then its summary counts the claimed shift apart from the partners\' paid time', () => {
    const built = buildRoster(input);
    const claimed = built.slots.find((s) => s.agentsNeeded >= 1)!;
    const base = { shifts: built.shifts, uncovered: built.uncovered, slots: built.slots.map((s) => ({ ...s, claimedBy: s.id === claimed.id ? ['C1'] : [] })) };
    const replanned = replanStoredRoster({ ...input, base, absences: [{ agentId: built.shifts[0].agentId, dates: [built.shifts[0].date] }], forecastMoved: false, frozenBefore: 0 });
    expect(replanned.summary).toMatchObject({ claimedShifts: 1, claimedMinutes: minutesOf(claimed), claimedHours: Math.round(minutesOf(claimed) / 6) / 10 });
    expect(replanned.summary.paidMinutes).toBe(replanned.shifts.reduce((n, s) => n + minutesOf(s), 0));
  });
});
