/** Top-ups and the weekly minimum in weeks of leave (days off), and never wholly in closed hours. */
import { assignShifts } from '../../src/roster/assign';
import { checkRoster } from '../../src/roster/checker';
import { agent, day, PERIOD, shift } from './fixtures';

/** Requirement rows of group PS: one agent every 30 minutes of [from, to) local time on these days. */
function open(days: number[], from: string, to: string) {
  const rows: Array<{ skillGroupId: string; intervalStart: number; required: number }> = [];
  for (const d of days) {
    const first = shift(day(d), from, 0).start;
    const last = shift(day(d), to, 0).start;
    for (let t = first; t < last; t += 30 * 60_000) rows.push({ skillGroupId: 'PS', intervalStart: t, required: 1 });
  }
  return { rows, intervalMinutes: { PS: 30 } };
}

const weekdays = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11];
const FULL_TIME = { minHoursPerWeek: 34, maxHoursPerWeek: 40, maxDaysPerWeek: 5 };

describe('a week of leave owes no minimum', () => {
  test('when an agent is on leave Monday to Friday of the second week, then nobody tops that week up (not on its closed weekend either) and it is not reported below the minimum', () => {
    // 8-hour day shifts Monday to Friday; the line is closed at weekends
    const planned = weekdays.map((d) => shift(day(d), '08:00', 8, { id: `p${d}` }));
    const leave = [7, 8, 9, 10, 11].map(day);
    const agents = [agent('L', { daysOff: leave }, FULL_TIME)];
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD, demand: open(weekdays, '08:00', '16:00') });
    expect(result.topUps).toEqual([]);
    expect(result.belowMinimum).toEqual([]);
    expect(result.roster.map((s) => s.date)).toEqual([0, 1, 2, 3, 4].map(day));
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
  });

  test('when an agent is on leave Monday and Tuesday, then the rest of that week is not topped up to the minimum', () => {
    // week 2 plans only Wednesday (4 h) to Friday for this agent's group: 20 h, below 34, yet leave excuses it
    const planned = [
      ...[0, 1, 2, 3, 4].map((d) => shift(day(d), '08:00', 8, { id: `p${d}` })),
      shift(day(9), '08:00', 4, { id: 'p9' }),
      ...[10, 11].map((d) => shift(day(d), '08:00', 8, { id: `p${d}` })),
    ];
    const agents = [agent('G', { daysOff: [day(7), day(8)] }, FULL_TIME)];
    const demand = open([...Array(14).keys()], '08:00', '16:00');
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD, demand });
    expect(result.topUps).toEqual([]);
    expect(result.belowMinimum).toEqual([]);
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
  });
});

describe('no top-up wholly in closed hours', () => {
  test('when only the closed weekend could lift a week to the minimum, then no top-up is paid there: the week is reported below the minimum instead', () => {
    // available Monday to Thursday and at weekends; the line is open Monday to Friday only
    const availability = [{ days: [1, 2, 3, 4, 6, 7] as Array<1 | 2 | 3 | 4 | 5 | 6 | 7>, from: '00:00', to: '24:00' }];
    const planned = weekdays.map((d) => shift(day(d), '08:00', 8, { id: `p${d}` }));
    const agents = [agent('W', { availability }, FULL_TIME)];
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD, demand: open(weekdays, '08:00', '16:00') });
    expect(result.topUps).toEqual([]);
    expect(result.belowMinimum.map((b) => [b.agentId, b.week, b.hours])).toEqual([['W', 0, 32], ['W', 1, 32]]);
  });

  test('when the closed weekend has an open evening, then the top-up goes there, not into the closed morning', () => {
    const availability = [{ days: [1, 2, 3, 4, 6, 7] as Array<1 | 2 | 3 | 4 | 5 | 6 | 7>, from: '00:00', to: '24:00' }];
    const planned = [...weekdays.map((d) => shift(day(d), '08:00', 8, { id: `p${d}` })), shift(day(5), '14:00', 8, { id: 'sat-late' })];
    const agents = [agent('W', { availability }, FULL_TIME), agent('X', {}, { minHoursPerWeek: 0 })];
    const demand = { rows: [...open(weekdays, '08:00', '16:00').rows, ...open([5, 12], '14:00', '22:00').rows], intervalMinutes: { PS: 30 } };
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD, demand });
    expect(result.belowMinimum).toEqual([]);
    // every top-up serves someone: some of its span lies in the group's open hours
    const serves = (t: { start: number; end: number }) => demand.rows.some((r) => r.intervalStart >= t.start && r.intervalStart < t.end);
    expect(result.topUps.length).toBeGreaterThan(0);
    expect(result.topUps.filter((t) => !serves(t))).toEqual([]);
  });
});
