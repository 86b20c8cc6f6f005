/** Late shifts asked for are wanted, not a burden levelled away from the agent who asked. */
import { AssignmentEngine, assignShifts } from '../../src/roster/assign';
import { checkRoster } from '../../src/roster/checker';
import { agent, day, PERIOD, shift } from './fixtures';

const weekdays = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11];
/** Monday to Friday an 08:00 (early) and a 13:00 (late) shift of 8 hours. */
const planned = weekdays.flatMap((d) => [shift(day(d), '08:00', 8, { id: `e${d}` }), shift(day(d), '13:00', 8, { id: `l${d}` })]);

describe('volunteers for late shifts', () => {
  test('when one agent asks for late shifts and a colleague has no preference, then the volunteer works every late shift, hours and rules kept', () => {
    const agents = [agent('V', { preferences: { preferredShiftKinds: ['late'] } }), agent('N')];
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD });
    expect(result.uncovered).toEqual([]);
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
    const lateOf = (id: string) => result.roster.filter((s) => s.agentId === id && s.kind === 'late').length;
    expect(lateOf('V')).toBe(10);
    expect(lateOf('N')).toBe(0);
    const fairness = result.fairness[0];
    expect(fairness.preferenceMisses).toBe(0);
    expect(fairness.hours).toEqual({ min: 80, max: 80, spread: 0 });
    // the burden spread is the colleagues' who did not ask for them
    expect(fairness.lateShiftsWhereOpen).toEqual({ min: 0, max: 0, spread: 0 });
  });

  test('honourLatePreferences swaps a volunteer\'s early shift for a colleague\'s late one of the same day, not one against the colleague\'s own preference', () => {
    const agents = [agent('V', { preferences: { preferredShiftKinds: ['late', 'night'] } }), agent('N'), agent('E', { preferences: { preferredShiftKinds: ['late'] } })];
    const engine = new AssignmentEngine(agents, planned, PERIOD, {});
    // V works the early shifts, N the late ones of week 1, E (asking for late ones too) those of week 2
    planned.forEach((s, k) => engine.give(k, s.id.startsWith('e') ? 0 : Number(s.id.slice(1)) < 7 ? 1 : 2));
    expect(engine.honourLatePreferences()).toBe(5);
    const kindsOf = (a: number) => engine.shiftsOf(a).map((t) => planned[t].kind);
    expect(kindsOf(0)).toEqual([...Array(5).fill('late'), ...Array(5).fill('early')]);
    expect(kindsOf(1)).toEqual(Array(5).fill('early'));
    expect(kindsOf(2)).toEqual(Array(5).fill('late'));
  });
});
