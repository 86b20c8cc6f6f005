import { AssignmentEngine, assignShifts } from '../../src/roster/assign';
import { buildPeriodModel, previousSharesOf } from '../../src/roster/assignment-model';
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

/** A's and B's shifts in the fortnight before the period: A worked both weekends (two of them late), B only weekdays. */
function previousFortnight() {
  const at = (agentId: string, offset: number, time: string) => {
    const s = shift(day(offset), time, 8);
    return { agentId, start: s.start, end: s.end, date: s.date, kind: s.kind };
  };
  return [
    ...[-9, -8, -2, -1].map((d) => at('A', d, d === -2 || d === -1 ? '14:00' : '08:00')),
    ...[-12, -11, -5, -4].map((d) => at('B', d, '08:00')),
  ];
}

describe('weekend and late shares rotate from one roster to the next', () => {
  test('previousSharesOf counts the fortnight before the period, by its dates, weekend days and late kinds', () => {
    const model = buildPeriodModel(PERIOD);
    const before = previousFortnight();
    const s = (agentId: string, offset: number) => ({ ...before[0], agentId, date: day(offset) });
    const shares = previousSharesOf([...before, s('C', -14), s('D', -15), s('E', 0), { agentId: 'F', start: 0, end: 1, date: day(-2) }], model);
    expect(Object.fromEntries(shares)).toEqual({
      A: { weekend: 4, late: 2 },
      B: { weekend: 0, late: 0 },
      // 14 days before the period's first day is a Monday inside the window; 15 is outside; the period's own days are not "previous"
      C: { weekend: 0, late: 0 },
      // a shift without a kind (an old roster.csv) counts as a weekend shift only
      F: { weekend: 1, late: 0 },
    });
  });

  test('when A worked the last fortnight\'s weekends and B none, then B works more of this one\'s and the two fortnights even out', () => {
    // one 8-hour day shift every day; two agents who may each work any of them (5 days a week at most)
    const planned = Array.from({ length: 14 }, (_, d) => shift(day(d), '08:00', 8, { id: `d${d}` }));
    const agents = ['A', 'B'].map((id) => agent(id));
    const weekendsBy = (roster: Array<{ agentId: string; date: string }>) => {
      const counts: Record<string, number> = { A: 0, B: 0 };
      for (const r of roster) if ([0, 6].includes(new Date(`${r.date}T12:00:00Z`).getUTCDay())) counts[r.agentId]++;
      return counts;
    };
    const alone = assignShifts({ plannedShifts: planned, agents, period: PERIOD });
    expect(alone.fairness[0].weekendShiftsWithPrevious).toBeNull();
    expect(Math.abs(weekendsBy(alone.roster).A - weekendsBy(alone.roster).B)).toBeLessThanOrEqual(1);

    const commitments = previousFortnight();
    const rotated = assignShifts({ plannedShifts: planned, agents, period: PERIOD, options: { commitments } });
    const weekends = weekendsBy(rotated.roster);
    expect(weekends.B).toBeGreaterThanOrEqual(3);
    expect(weekends.A + 4 - weekends.B).toBeLessThanOrEqual(1);
    expect(rotated.fairness[0].weekendShiftsWithPrevious!.spread).toBeLessThanOrEqual(1);
    expect(rotated.uncovered).toHaveLength(0);
    expect(checkRoster(rotated.roster, agents, PERIOD, { commitments })).toEqual([]);
  });

  test('when an agent has no shift in the previous fortnight (new, back from leave), then it counts as its class\'s mean: neither owed nor owing weekends', () => {
    const planned = Array.from({ length: 14 }, (_, d) => shift(day(d), '08:00', 8, { id: `d${d}` }));
    const agents = ['A', 'B', 'C'].map((id) => agent(id));
    // A 4 weekends before, B 0, C unknown (counted as 2): this fortnight's 4 weekend shifts go to B first, then C
    const rotated = assignShifts({ plannedShifts: planned, agents, period: PERIOD, options: { commitments: previousFortnight() } });
    const weekend = (id: string) => rotated.roster.filter((r) => r.agentId === id && [0, 6].includes(new Date(`${r.date}T12:00:00Z`).getUTCDay())).length;
    expect(weekend('A')).toBe(0);
    expect(weekend('B')).toBeGreaterThanOrEqual(weekend('C'));
    expect(weekend('B') + weekend('C')).toBe(4);
    // the report's spread over both fortnights covers the agents who worked then (A and B)
    expect(rotated.fairness[0].weekendShiftsWithPrevious).not.toBeNull();
  });

  test('when an agent who asks to avoid weekends worked none last fortnight, then it is not owed this one\'s', () => {
    // one day shift every day; A worked the last fortnight's weekends, B none, C (avoiding weekends) none either
    const planned = Array.from({ length: 14 }, (_, d) => shift(day(d), '08:00', 8, { id: `d${d}` }));
    const agents = [agent('A'), agent('B'), agent('C', { preferences: { avoidWeekends: true } })];
    const rotated = assignShifts({ plannedShifts: planned, agents, period: PERIOD, options: { commitments: previousFortnight() } });
    const weekend = (id: string) => rotated.roster.filter((r) => r.agentId === id && [0, 6].includes(new Date(`${r.date}T12:00:00Z`).getUTCDay())).length;
    expect(weekend('C')).toBe(0);
    expect(weekend('B')).toBeGreaterThanOrEqual(3);
    expect(rotated.fairness[0].preferenceMisses).toBe(0);
  });
});

describe('hours fairness of agents away', () => {
  test('when an agent is on leave the whole period (days off), then it is fair at 0 h and its class is not reported unfair', () => {
    const planned = Array.from({ length: 14 }, (_, d) => [shift(day(d), '08:00', 8, { id: `e${d}` }), shift(day(d), '14:00', 8, { id: `l${d}` })]).flat();
    const contract = { minHoursPerWeek: 32, maxHoursPerWeek: 40 };
    const away = Array.from({ length: 14 }, (_, d) => day(d));
    const agents = [agent('A', {}, contract), agent('B', {}, contract), agent('L', { daysOff: away }, contract)];
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD });
    expect(result.roster.filter((r) => r.agentId === 'L')).toEqual([]);
    const fullTime = result.fairness[0];
    expect(fullTime.agentsOutsideBand).toBe(0);
    expect(fullTime.fairWhereAvailabilityAllows).toBe(true);
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
  });
});
