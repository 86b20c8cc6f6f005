import { contractProblems } from '../../src/roster/validate';
import { agent } from './fixtures';

describe('contractProblems: weekly minimum against the days a week can hold', () => {
  it('counts five days for runs of at most two (WW·WW·W) and refuses only what no week can reach', () => {
    const runsOfTwo = agent('r2', {}, { minHoursPerWeek: 40, maxHoursPerWeek: 42.5, maxDaysPerWeek: 5, maxConsecutiveDays: 2 });
    expect(contractProblems([runsOfTwo], 8.5)).toEqual([]);
    const runsOfOne = agent('r1', {}, { minHoursPerWeek: 35, maxHoursPerWeek: 42.5, maxDaysPerWeek: 5, maxConsecutiveDays: 1 });
    // W·W·W·W: four days × 8.5 h = 34 h < 35 h
    expect(contractProblems([runsOfOne], 8.5)).toEqual([expect.objectContaining({ where: '/agents/0/contract', message: expect.stringContaining('needs more than 4 day(s)') })]);
  });
});
