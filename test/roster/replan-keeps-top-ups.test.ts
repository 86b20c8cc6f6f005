/**
 * A re-plan because the forecast moved keeps each agent's published top-ups (shifts the assignment
 * added for the weekly minimum, ./assign.ts) where they are still valid and needed. The new plan holds
 * no top-ups (the LP plans for the forecast, not for contracts), so the assignment used to make them
 * anew — for other agents, at other times, or not at all once other work had taken the agents' hours —
 * and an unchanged forecast listed 25 changes on this instance (38 on the fixture fortnight).
 */
import { assignShifts } from '../../src/roster/assign';
import { buildRoster } from '../../src/roster/build';
import { checkRoster } from '../../src/roster/checker';
import { isTopUp, replanRoster } from '../../src/roster/replan';
import type { AssignedShift } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';
import { dates, MOVED_DAY, onMovedDay, period, replanWorld } from './replan-world';

// a weekly minimum the plan's shifts alone do not give everyone: top-ups
const { agents, input, replan } = replanWorld({ agentCount: 16, minHoursPerWeek: 32, volumeScale: 1 });

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
