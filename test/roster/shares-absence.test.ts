/** Weekend and late shares rotate with days away in the previous fortnight credited, not paid back. */
import { assignShifts } from '../../src/roster/assign';
import { buildPeriodModel, daysAwayBefore } from '../../src/roster/assignment-model';
import { checkRoster } from '../../src/roster/checker';
import type { Commitment } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';

/** `agentId`'s shifts of the previous fortnight on these day offsets (< 0), late (13:00) on those in `late`. */
function worked(agentId: string, offsets: number[], late: number[]): Commitment[] {
  return offsets.map((d) => {
    const s = late.includes(d) ? shift(day(d), '13:00', 8) : shift(day(d), '08:00', 8);
    return { agentId, start: s.start, end: s.end, date: s.date, kind: s.kind };
  });
}

describe('late shares after an absence in the previous fortnight', () => {
  test('daysAwayBefore counts an agent\'s days off of the fortnight before the period, weekend days apart', () => {
    const model = buildPeriodModel(PERIOD);
    const agents = [agent('B', { daysOff: [day(-15), day(-14), day(-9), day(-8), day(-1), day(0), day(3)] }), agent('C')];
    // -14 is a Monday, -9 and -8 the Saturday and Sunday, -1 the Sunday before; -15 and the period's own days are outside
    expect(Object.fromEntries(daysAwayBefore(agents, model))).toEqual({ B: { days: 4, weekendDays: 3 } });
  });

  test('when B was ill a whole week of the last fortnight and worked its late shifts at A\'s rate, then this fortnight\'s late shifts are split evenly, not paid back by B', () => {
    // every day an 08:00 shift; a 13:00 (late) one on six days: 20 shifts, 10 for each agent (5 a week)
    const planned = [
      ...Array.from({ length: 14 }, (_, d) => shift(day(d), '08:00', 8, { id: `e${d}` })),
      ...[0, 2, 4, 7, 9, 11].map((d) => shift(day(d), '13:00', 8, { id: `l${d}` })),
    ];
    const ill = [-14, -13, -12, -11, -10, -9, -8].map(day);
    const agents = [agent('A'), agent('B', { daysOff: ill })];
    // A: 10 shifts, 4 late, over 14 days; B: 5 shifts, 2 late, over the 7 days it was there — the same rate
    const commitments = [...worked('A', [-14, -13, -12, -11, -10, -7, -6, -5, -4, -3], [-14, -12, -7, -5]), ...worked('B', [-7, -6, -5, -4, -3], [-6, -4])];
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD, options: { commitments } });
    expect(result.uncovered).toEqual([]);
    expect(checkRoster(result.roster, agents, PERIOD, { commitments })).toEqual([]);
    const late = (id: string) => result.roster.filter((s) => s.agentId === id && s.id.startsWith('l')).length;
    expect(late('A')).toBe(3);
    expect(late('B')).toBe(3);
    // with B's week away credited at the class's rate, both fortnights are even
    expect(result.fairness[0].lateShiftsWithPrevious!.spread).toBeLessThanOrEqual(1);
  });
});
