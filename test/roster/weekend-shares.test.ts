import { AssignmentEngine } from '../../src/roster/assign';
import { checkRoster } from '../../src/roster/checker';
import type { PlannedShift } from '../../src/roster/types';
import type { Agent } from '../../src/domain/types';
import { agent, day, PERIOD, shift } from './fixtures';

/**
 * Two full-timers with two consecutive days off a week (up to 7 working days in a row), 5 × 8 h each
 * week, same skill. Monday to Wednesday both work; Thursday to Sunday one of them. A works both
 * weekends (off Thursday–Friday), B none (off Saturday–Sunday). A single swap (A's Saturday for B's
 * Thursday) leaves B's days off apart; only exchanging Thursday to Sunday of a week as a whole evens
 * the weekends out (2 and 2) with both patterns intact.
 */
function instance(preferences: { A?: Agent['preferences'] } = {}) {
  const plan: Array<[string, PlannedShift]> = [];
  for (const week of [0, 7]) {
    for (const d of [0, 1, 2]) for (const who of ['A', 'B']) plan.push([who, shift(day(week + d), '08:00', 8, { id: `${who}${week + d}` })]);
    for (const d of [3, 4]) plan.push(['B', shift(day(week + d), '08:00', 8, { id: `B${week + d}` })]);
    for (const d of [5, 6]) plan.push(['A', shift(day(week + d), '08:00', 8, { id: `A${week + d}` })]);
  }
  const agents = ['A', 'B'].map((id) => agent(id, id === 'A' && preferences.A ? { preferences: preferences.A } : {}, { consecutiveDaysOff: true, maxConsecutiveDays: 7 }));
  const engine = new AssignmentEngine(agents, plan.map(([, s]) => s), PERIOD, {});
  plan.forEach(([id], k) => engine.give(k, agents.findIndex((a) => a.id === id)));
  return { engine, agents, planned: plan.map(([, s]) => s) };
}

const weekendsOf = (engine: AssignmentEngine) => Object.fromEntries(engine.schedules.map((s) => [s.agent.id, s.weekendShifts]));
const hoursOf = (engine: AssignmentEngine) => Object.fromEntries(engine.schedules.map((s) => [s.agent.id, s.totalHours]));

describe('weekend and late shares: the last polish exchanges several days at once', () => {
  test('when only exchanging a run of days keeps both agents\' days off consecutive, then the weekends are evened out and nothing else moves', () => {
    const { engine, agents, planned } = instance();
    expect(weekendsOf(engine)).toEqual({ A: 4, B: 0 });
    expect(checkRoster(engine.result().roster, agents, PERIOD)).toEqual([]);

    // The search's own balancing (single swaps, hours kept) cannot do it.
    expect(engine.balanceWeekendAndLate()).toBe(0);
    expect(weekendsOf(engine)).toEqual({ A: 4, B: 0 });

    expect(engine.evenOutShares()).toBeGreaterThan(0);
    expect(weekendsOf(engine)).toEqual({ A: 2, B: 2 });
    const after = engine.result();
    expect(after.fairness[0].weekendShiftsWhereOpen.spread).toBe(0);
    // Shifts only changed hands: the same hours each, nothing uncovered, every rule kept.
    expect(hoursOf(engine)).toEqual({ A: 80, B: 80 });
    expect(after.uncovered).toHaveLength(0);
    expect(after.roster.map((s) => s.id).sort()).toEqual(planned.map((s) => s.id).sort());
    expect(checkRoster(after.roster, agents, PERIOD)).toEqual([]);
  });

  test('when every exchange that evens the weekends costs a preference, then none is made', () => {
    // A likes Thursdays off: each exchange that gives B a weekend hands A B's Thursday
    const { engine, agents } = instance({ A: { preferredDaysOff: [4] } });
    expect(engine.evenOutShares()).toBe(0);
    expect(weekendsOf(engine)).toEqual({ A: 4, B: 0 });
    expect(engine.result().fairness[0].preferenceMisses).toBe(0);
    expect(checkRoster(engine.result().roster, agents, PERIOD)).toEqual([]);
  });
});
