import { AssignmentEngine } from '../../src/roster/assign';
import { levelIntoBands } from '../../src/roster/levelling';
import { checkRoster } from '../../src/roster/checker';
import type { PlannedShift } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';

/**
 * Three part-timers and two full-timers (same rules, classes apart), every shift on its own day:
 * X holds 2 × 8.5 + 2 × 4 = 25 h while its classmates hold 16.5, so X is 4.5 h over the part-time
 * band 16.5–20.5. No single move or swap brings X in without pushing someone else out (X's 4-hour
 * shift to a full-timer leaves X at 21; X's 8.5-hour one for Y's 4-hour one leaves Y at 21). Chains
 * do, e.g. X swaps 8.5 h for Y's 4 h, then Y passes a 4-hour shift to a full-timer at 17 (→ 21, in its
 * band), or Y in turn swaps with Z.
 */
function instance() {
  const long = (d: number, id: string) => shift(day(d), '08:00', 8.5, { id });
  const short = (d: number, id: string) => shift(day(d), '15:00', 4, { id });
  const plan: Array<[string, PlannedShift]> = [
    ['X', long(0, 'x0')],
    ['X', long(1, 'x1')],
    ['X', short(2, 'x2')],
    ['X', short(3, 'x3')],
    ['Y', long(4, 'y4')],
    ['Y', short(5, 'y5')],
    ['Y', short(6, 'y6')],
    ['Z', long(7, 'z7')],
    ['Z', short(8, 'z8')],
    ['Z', short(9, 'z9')],
    ['F', long(10, 'f10')],
    ['F', long(11, 'f11')],
    ['G', long(12, 'g12')],
    ['G', long(13, 'g13')],
  ];
  const agents = [
    ...['X', 'Y', 'Z'].map((id) => agent(id, {}, { class: 'part-time' })),
    ...['F', 'G'].map((id) => agent(id, {}, { class: 'full-time' })),
  ];
  const engine = new AssignmentEngine(agents, plan.map(([, s]) => s), PERIOD, {});
  plan.forEach(([id], k) => engine.give(k, agents.findIndex((a) => a.id === id)));
  return { engine, agents };
}

const hoursOf = (engine: AssignmentEngine) => Object.fromEntries(engine.schedules.map((s) => [s.agent.id, s.totalHours]));
const outside = (engine: AssignmentEngine) => engine.result().fairness.reduce((n, c) => n + c.agentsOutsideBand, 0);

describe('band levelling (chains of moves and swaps between agents outside their band and colleagues)', () => {
  test('when an agent is over its band and only a chain of two steps brings it in, then the pass finds it and coverage is kept', () => {
    const { engine, agents } = instance();
    expect(hoursOf(engine)).toEqual({ X: 25, Y: 16.5, Z: 16.5, F: 17, G: 17 });
    const before = engine.result();
    expect(before.fairness.find((c) => c.contractClass === 'part-time')!.agentsOutsideBand).toBe(1);

    expect(levelIntoBands(engine)).toBeGreaterThan(0);

    const after = engine.result();
    expect(outside(engine)).toBe(0);
    expect(after.fairness.every((c) => c.fairWhereAvailabilityAllows)).toBe(true);
    expect(hoursOf(engine).X).toBeLessThanOrEqual(20.5);
    // Shifts only changed hands: nothing uncovered, the same hours worked, every rule kept.
    expect(after.uncovered).toHaveLength(0);
    expect(after.roster).toHaveLength(before.roster.length);
    const total = (h: Record<string, number>) => Object.values(h).reduce((a, b) => a + b, 0);
    expect(total(hoursOf(engine))).toBeCloseTo(25 + 16.5 + 16.5 + 17 + 17, 9);
    expect(checkRoster(after.roster, agents, PERIOD)).toEqual([]);
  });

  test('when chains are cut to a single move or swap, then the agent stays outside (the chain is what brings it in)', () => {
    const { engine } = instance();
    expect(levelIntoBands(engine, { maxChainSteps: 1 })).toBe(0);
    expect(hoursOf(engine)).toEqual({ X: 25, Y: 16.5, Z: 16.5, F: 17, G: 17 });
    expect(outside(engine)).toBe(1);
  });

  test('when every agent is inside its band, then the pass changes nothing', () => {
    const { engine } = instance();
    levelIntoBands(engine);
    const settled = engine.result().roster.map((s) => `${s.id}:${s.agentId}`);
    expect(levelIntoBands(engine)).toBe(0);
    expect(engine.result().roster.map((s) => `${s.id}:${s.agentId}`)).toEqual(settled);
  });

  test('when it is run twice on the same roster, then it makes the same choices (no randomness)', () => {
    const first = instance();
    const second = instance();
    levelIntoBands(first.engine);
    levelIntoBands(second.engine);
    expect(second.engine.result().roster.map((s) => `${s.id}:${s.agentId}`)).toEqual(first.engine.result().roster.map((s) => `${s.id}:${s.agentId}`));
  });
});

describe('weekend and late shares after top-ups', () => {
  test('when an agent holds a top-up shift, then evening out weekend shifts leaves it alone instead of failing', () => {
    // P works every weekend day; Q one weekday a week, below its 16-hour minimum, so Q gets top-ups.
    const plan: Array<[string, PlannedShift]> = [
      ['P', shift(day(5), '08:00', 8.5, { id: 'p5' })],
      ['P', shift(day(6), '08:00', 8.5, { id: 'p6' })],
      ['P', shift(day(12), '08:00', 8.5, { id: 'p12' })],
      ['P', shift(day(13), '08:00', 8.5, { id: 'p13' })],
      ['Q', shift(day(1), '08:00', 8.5, { id: 'q1' })],
      ['Q', shift(day(8), '08:00', 8.5, { id: 'q8' })],
    ];
    const agents = ['P', 'Q'].map((id) => agent(id, {}, { minHoursPerWeek: 16 }));
    const engine = new AssignmentEngine(agents, plan.map(([, s]) => s), PERIOD, {});
    plan.forEach(([id], k) => engine.give(k, agents.findIndex((a) => a.id === id)));
    engine.topUpToMinimumHours();
    expect(engine.result().topUps.length).toBeGreaterThan(0);

    expect(() => engine.balanceWeekendAndLate()).not.toThrow();
    const after = engine.result();
    expect(after.topUps.every((t) => t.agentId === 'Q')).toBe(true);
    expect(checkRoster(after.roster, agents, PERIOD).filter((v) => v.rule !== 'min-weekly-hours')).toEqual([]);
  });
});
