import { AssignmentEngine } from '../../src/roster/assign';
import { planJointly } from '../../src/roster/column-generation';
import { checkRoster } from '../../src/roster/checker';
import { seededRandom } from '../../src/roster/synthetic';
import type { PlannedShift } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';

const VALUE_PER_HOUR = 10;
const BELOW_MINIMUM_COST = VALUE_PER_HOUR * 7 * 24;

function plan(engine: AssignmentEngine, initial?: number[][], band?: { from: number; to: number; costPerHour: number }) {
  return planJointly({
    model: engine.model,
    shifts: engine.infos,
    agents: engine.agents,
    eligibleShifts: engine.eligibleShifts,
    value: (_, s) => VALUE_PER_HOUR * engine.infos[s].hours,
    belowMinimumCost: BELOW_MINIMUM_COST,
    totalHoursBand: band && (() => band),
    initial,
  });
}

describe('planJointly (column generation over whole schedules, then diving)', () => {
  it('finds the pattern where the full-timer works only long shifts and the part-timer the short ones', () => {
    // Each week: seven 8.5-hour shifts and two 4-hour ones. The full-timer (5 days, 42.5 h) can work
    // exactly five long ones; the part-timer (4 days, 26 h) two long + two short (25 h). Everything is
    // covered only that way: a short shift for the full-timer loses 4.5 h of its week for good.
    const shifts: PlannedShift[] = [];
    for (let d = 0; d < 14; d++) {
      shifts.push(shift(day(d), '09:00', 8.5));
      if (d % 7 < 2) shifts.push(shift(day(d), '13:00', 4));
    }
    const agents = [
      agent('ft', {}, { class: 'full-time', maxHoursPerWeek: 42.5, maxDaysPerWeek: 5 }),
      agent('pt', {}, { class: 'part-time', maxHoursPerWeek: 26, maxDaysPerWeek: 4 }),
    ];
    const engine = new AssignmentEngine(agents, shifts, PERIOD, {});
    const result = plan(engine);
    const total = engine.infos.reduce((sum, i) => sum + i.hours, 0);
    expect(result.value).toBeCloseTo(VALUE_PER_HOUR * total, 6);
    expect(result.rootProven).toBe(true);
    expect(result.lpBound).toBeGreaterThanOrEqual(result.value - 1e-4);
    const ftShifts = result.schedules[0].map((s) => engine.infos[s].hours);
    expect(ftShifts).toEqual(Array(10).fill(8.5));
  });

  it('with a band on each agent\'s total hours, splits the shifts into the band and never leaves an agent idle for being outside it', () => {
    // One 8.5-hour shift a day; two full-timers could split them 10 + 4 (85 h and 34 h). A band of
    // 55–63 h, costing more per hour outside than an hour covered is worth, asks for 7 + 7 (59.5 h each).
    const shifts: PlannedShift[] = Array.from({ length: 14 }, (_, d) => shift(day(d), '09:00', 8.5));
    const ft = (id: string) => agent(id, {}, { class: 'full-time', maxHoursPerWeek: 42.5, maxDaysPerWeek: 5 });
    const engine = new AssignmentEngine([ft('a'), ft('b')], shifts, PERIOD, {});
    // Start from the lopsided split: the band must move the LP away from it.
    const lopsided = [engine.infos.map((i) => i.index).filter((s) => engine.infos[s].day % 7 < 5), engine.infos.map((i) => i.index).filter((s) => engine.infos[s].day % 7 >= 5)];
    const banded = (band: { from: number; to: number }) => plan(engine, lopsided, { ...band, costPerHour: 1000 });
    const hours = (list: number[]) => list.reduce((sum, s) => sum + engine.infos[s].hours, 0);
    const fair = banded({ from: 55, to: 63 });
    expect(fair.schedules.map(hours)).toEqual([59.5, 59.5]);
    expect(fair.lpBound).toBeGreaterThanOrEqual(fair.value - 1e-4);
    // A band nobody can reach (at most 85 h in two weeks): each agent still works, as near to it as it can.
    const unreachable = banded({ from: 100, to: 104 });
    expect(unreachable.schedules.map(hours).sort()).toEqual([34, 85]);
    const roster = [...fair.schedules, ...unreachable.schedules].flatMap((list, k) => list.map((s) => ({ ...engine.infos[s].shift, agentId: k % 2 === 0 ? 'a' : 'b' })));
    expect(checkRoster(roster.slice(0, 14), engine.agents, PERIOD)).toEqual([]);
  });

  it('returns schedules that keep every hard rule, worth no more than its LP bound and at least its start', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const rand = seededRandom(seed);
      const shifts: PlannedShift[] = [];
      for (let d = 0; d < 14; d++) {
        for (const [time, hours] of [['07:00', 8.5], ['09:00', 8.5], ['13:00', 8.5], ['17:00', 4], ['14:00', 6]] as const) {
          const copies = Math.floor(rand() * 3);
          for (let c = 0; c < copies; c++) shifts.push(shift(day(d), time, hours, { skill: rand() < 0.7 ? 'PS' : 'NE' }));
        }
      }
      const agents = Array.from({ length: 8 }, (_, i) =>
        agent(
          `a${i}`,
          { skills: i % 3 === 0 ? [{ skillGroupId: 'PS' }, { skillGroupId: 'NE' }] : [{ skillGroupId: i % 3 === 1 ? 'PS' : 'NE' }] },
          i < 5
            ? { class: 'full-time', minHoursPerWeek: 30, maxHoursPerWeek: 42.5, maxDaysPerWeek: 5, consecutiveDaysOff: true }
            : { class: 'part-time', minHoursPerWeek: 12, maxHoursPerWeek: 26, maxDaysPerWeek: 4, maxConsecutiveDays: 3 },
        ),
      );
      // Start from the greedy construction, as the assignment does.
      const engine = new AssignmentEngine(agents, shifts, PERIOD, { jointPlanMaxRows: 0 });
      engine.construct();
      const initial = agents.map((_, a) => engine.shiftsOf(a));
      const startValue = initial.reduce((sum, list) => sum + list.reduce((v, s) => v + VALUE_PER_HOUR * engine.infos[s].hours, 0), 0);
      for (let s = 0; s < engine.infos.length; s++) if (engine.assignedTo[s] >= 0) engine.takeBack(s);

      const result = plan(engine, initial);
      expect(result.rootProven).toBe(true);
      expect(result.value).toBeLessThanOrEqual(result.lpBound + 1e-4);
      const taken = result.schedules.flat();
      expect(new Set(taken).size).toBe(taken.length);
      result.schedules.forEach((list, a) => list.forEach((s) => engine.give(s, a)));
      expect(checkRoster(engine.result().roster, agents, PERIOD)).toEqual([]);
      // Not promised by diving, but expected here (the start's value leaves out its weeks below the minimum).
      expect(result.value).toBeGreaterThanOrEqual(startValue - 1e-6);
    }
  });
});
