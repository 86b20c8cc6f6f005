/** After an illness re-plan the absent agent's lost hours are its absence, not an unfair roster. */
import { assignShifts } from '../../src/roster/assign';
import { checkRoster } from '../../src/roster/checker';
import { bandDistance, chooseBandFloor } from '../../src/roster/fairness';
import { replanRoster } from '../../src/roster/replan';
import { agent, day, PERIOD, shift } from './fixtures';

describe('hours fairness after an absence', () => {
  test('bandDistance: an absent agent below the band is where its absence leaves it; above it, it is judged as anyone', () => {
    expect(bandDistance(50.5, [68, 72, 76], 72, 76, true)).toBe(0);
    expect(bandDistance(50.5, [68, 72, 76], 72, 76, false)).toBeCloseTo(21.5);
    expect(bandDistance(80, [68, 72, 76, 80], 72, 76, true)).toBe(4);
    // the absent agent does not drag the class's band down to it
    expect(chooseBandFloor([50.5, 72, 76, 76], [[72, 76], [72, 76], [72, 76], [72, 76]], 4, [true, false, false, false])).toBe(72);
  });

  test('when an agent falls ill for five days and the re-plan keeps everyone else\'s shifts, then the class is still fair, the ill agent\'s hours bound by the absence', () => {
    const planned = Array.from({ length: 14 }, (_, d) => [shift(day(d), '07:00', 8, { id: `e${d}` }), shift(day(d), '14:00', 8, { id: `l${d}` })]).flat();
    const agents = ['a', 'b', 'c'].map((id) => agent(id, {}, { minHoursPerWeek: 0, maxHoursPerWeek: 40 }));
    const published = assignShifts({ plannedShifts: planned, agents, period: PERIOD }).roster;
    const ill = published.find((s) => s.date === day(4))!.agentId;
    const illDates = [4, 5, 6, 7, 8].map(day);
    const now = new Date(`${day(3)}T00:00:00+02:00`).getTime();
    const result = replanRoster({ published, agents, period: PERIOD, change: { absences: [{ agentId: ill, dates: illDates }] }, frozenBefore: now });
    expect(checkRoster(result.roster, agents, PERIOD, { absences: [{ agentId: ill, dates: illDates }], frozenBefore: now })).toEqual([]);
    const hours = (id: string) => result.roster.filter((s) => s.agentId === id).length * 8;
    const others = agents.map((a) => a.id).filter((id) => id !== ill);
    // the ill agent is well below its colleagues…
    expect(Math.min(...others.map(hours)) - hours(ill)).toBeGreaterThan(8);
    // …and that is its absence: the class is fair, the agent counted where its availability (absence) binds
    const fairness = result.fairness[0];
    expect(fairness.agentsOutsideBand).toBe(0);
    expect(fairness.fairWhereAvailabilityAllows).toBe(true);
    expect(fairness.availabilityBinds).toBeGreaterThanOrEqual(1);
  });
});
