/**
 * A re-plan because the forecast moved keeps each agent's published top-ups (shifts the assignment
 * added for the weekly minimum, ./assign.ts) where they are still valid and needed. The new plan holds
 * no top-ups (the LP plans for the forecast, not for contracts), so the assignment used to make them
 * anew — for other agents, at other times, or not at all once other work had taken the agents' hours —
 * and an unchanged forecast listed 25 changes on this instance (38 on the fixture fortnight).
 */
import { DateTime } from 'luxon';
import { assignShifts } from '../../src/roster/assign';
import { buildRoster, replanStoredRoster, type BuildRosterInput, type BuiltRoster } from '../../src/roster/build';
import { checkRoster } from '../../src/roster/checker';
import { localDates } from '../../src/roster/lp';
import { isTopUp, replanRoster } from '../../src/roster/replan';
import { seededRandom } from '../../src/roster/synthetic';
import type { Agent, IntervalVolume, SkillGroup } from '../../src/domain/types';
import type { AssignedShift } from '../../src/roster/types';
import { skillGroup } from '../support/examples';
import { agent, day, PERIOD, shift } from './fixtures';

const ZONE = 'Asia/Jerusalem';
const period = { from: '2030-01-07', days: 10, timeZone: ZONE };
const dates = localDates(period.from, period.days, ZONE);
const groups: SkillGroup[] = [skillGroup({ id: 'PS', timeZone: ZONE }), skillGroup({ id: 'NE', timeZone: ZONE })];
// a weekly minimum the plan's shifts alone do not give everyone: top-ups
const contract = { class: 'full-time', minHoursPerWeek: 32, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
const agents: Agent[] = Array.from({ length: 16 }, (_, i) => ({
  id: `A${String(i).padStart(2, '0')}`,
  name: `Agent ${i}`,
  kind: 'partner',
  timeZone: ZONE,
  skills: i % 3 === 2 ? [{ skillGroupId: 'PS' }, { skillGroupId: 'NE' }] : [{ skillGroupId: i % 3 === 0 ? 'PS' : 'NE' }],
  contract,
}));

/** calls per half hour by local hour: open 07:00–22:00, peaks late morning and afternoon */
const PROFILE = [0, 0, 0, 0, 0, 0, 0, 5, 9, 12, 13, 12, 10, 11, 13, 12, 10, 8, 7, 6, 5, 4, 0, 0];

function forecast(): IntervalVolume[] {
  const rand = seededRandom(7);
  const rows: IntervalVolume[] = [];
  for (const g of groups) {
    for (const date of dates) {
      const midnight = DateTime.fromISO(date, { zone: ZONE });
      const weekend = midnight.weekday >= 6 ? 0.6 : 1;
      for (let k = 14; k < 44; k++) rows.push({ skillGroupId: g.id, start: midnight.plus({ minutes: 30 * k }).toMillis(), volume: Math.round(PROFILE[k >> 1] * weekend * (0.85 + 0.3 * rand()) * (g.id === 'PS' ? 1.2 : 1)) });
    }
  }
  return rows;
}

const input: BuildRosterInput = { period, skillGroups: groups, agents, forecast: forecast(), rules: { options: { ruinAndRecreateIterations: 300, seed: 3 } } };
const MOVED_DAY = dates[3];

function onMovedDay(rows: IntervalVolume[], factor: number): IntervalVolume[] {
  const from = DateTime.fromISO(MOVED_DAY, { zone: ZONE }).toMillis();
  const to = DateTime.fromISO(MOVED_DAY, { zone: ZONE }).plus({ days: 1 }).toMillis();
  return rows.map((r) => (r.start >= from && r.start < to ? { ...r, volume: r.volume * factor } : r));
}

const replan = (built: BuiltRoster, rows: IntervalVolume[], absences?: Array<{ agentId: string; dates: string[] }>) =>
  replanStoredRoster({ ...input, forecast: rows, absences, base: { shifts: built.shifts, uncovered: built.uncovered, slots: built.slots.map((s) => ({ ...s, claimedBy: [] })) }, forecastMoved: true, frozenBefore: 0 });

const work = (s: AssignedShift) => `${s.id}|${s.agentId}|${s.start}|${s.end}`;

describe('re-planning because the forecast moved, with weekly minimums (top-ups)', () => {
  const built = buildRoster(input);
  const topUps = built.shifts.filter(isTopUp);

  test('the instance is one with top-ups in the published roster, and the checker holds', () => {
    expect(topUps.length).toBeGreaterThanOrEqual(5);
    expect(checkRoster(built.shifts, agents, period)).toEqual([]);
  });

  test('when the forecast did not actually change, then every published top-up stays with its agent at its times and (almost) nothing changes', () => {
    const replanned = replan(built, input.forecast);
    expect(checkRoster(replanned.shifts, agents, period)).toEqual([]);
    const now = new Set(replanned.shifts.map(work));
    expect(topUps.filter((t) => !now.has(work(t)))).toEqual([]);
    expect(replanned.changes!.length).toBeLessThanOrEqual(2);
    expect(replanned.summary.shortfallAgentHours).toBeLessThanOrEqual(built.summary.shortfallAgentHours + 1);
  });

  test('when the forecast rises 5 % on one day, then the top-ups stay and the changes are on that day (or the night into the next)', () => {
    const replanned = replan(built, onMovedDay(input.forecast, 1.05));
    expect(checkRoster(replanned.shifts, agents, period)).toEqual([]);
    const nextDay = dates[dates.indexOf(MOVED_DAY) + 1];
    expect(replanned.changes!.filter((c) => c.date !== MOVED_DAY && c.date !== nextDay).length).toBeLessThanOrEqual(2);
    const now = new Set(replanned.shifts.map(work));
    expect(topUps.filter((t) => t.date !== MOVED_DAY && !now.has(work(t)))).toEqual([]);
  });

  test('when an agent with a top-up is absent that day, then that top-up goes (no longer valid) and the others stay', () => {
    const gone = topUps[0];
    const replanned = replan(built, input.forecast, [{ agentId: gone.agentId, dates: [gone.date] }]);
    expect(checkRoster(replanned.shifts, agents, period, { absences: [{ agentId: gone.agentId, dates: [gone.date] }] })).toEqual([]);
    expect(replanned.shifts.some((s) => s.agentId === gone.agentId && s.date === gone.date)).toBe(false);
    expect(replanned.changes!.find((c) => c.shiftId === gone.id || c.previousShiftId === gone.id)).toBeDefined();
    const now = new Set(replanned.shifts.map(work));
    expect(topUps.filter((t) => t !== gone && !now.has(work(t)))).toEqual([]);
  });
});

describe('a published top-up no longer needed', () => {
  test('when the new plan gives its agent another shift that week, then the top-up goes and no other is made', () => {
    const solo = [agent('solo', {}, { minHoursPerWeek: 32, maxHoursPerWeek: 40, maxDaysPerWeek: 5 })];
    // three 8-hour days in week 1 (a top-up lifts it to 32 h), four in week 2
    const planned = [0, 1, 2, 7, 8, 9, 10].map((d) => shift(day(d), '08:00', 8, { id: `p${d}` }));
    const published = assignShifts({ plannedShifts: planned, agents: solo, period: PERIOD }).roster;
    const topUp = published.filter(isTopUp);
    expect(topUp).toHaveLength(1);
    const freeDay = [3, 4, 5].map(day).find((d) => d !== topUp[0].date)!;
    const extra = shift(freeDay, '08:00', 8, { id: 'extra' });
    const result = replanRoster({ published, agents: solo, period: PERIOD, change: { plannedShifts: [...planned, extra] }, frozenBefore: 0 });
    expect(result.roster.find((s) => s.id === 'extra')?.agentId).toBe('solo');
    expect(result.topUps).toEqual([]);
    expect(result.changes.map((c) => `${c.kind} ${c.shiftId}`).sort()).toEqual(['added extra', `removed ${topUp[0].id}`]);
    expect(checkRoster(result.roster, solo, PERIOD)).toEqual([]);
  });
});
