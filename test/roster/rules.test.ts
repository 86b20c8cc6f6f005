import { AgentSchedule, buildPeriodModel, describeShifts, FootprintCache } from '../../src/roster/assignment-model';
import {
  AvailabilityCache,
  hasSkill,
  isAvailable,
  isFreeThatDay,
  isNotOnDayOff,
  keepsMinimumRest,
  leavesTwoDaysOff,
  removalKeepsMinimumHours,
  staysWithinConsecutiveDays,
  staysWithinDaysPerWeek,
  staysWithinWeeklyHours,
  weeksBelowMinimumHours,
  canTake,
  firstRefusal,
  RULE_LABELS,
  type RuleContext,
} from '../../src/roster/rules';
import type { Agent } from '../../src/domain/types';
import type { PlannedShift } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';

/** Describes the shifts and gives the agent the ones listed in `worked` (indices). */
function setup(a: Agent, shifts: PlannedShift[], worked: number[]) {
  const model = buildPeriodModel(PERIOD);
  const infos = describeShifts(model, shifts);
  const ctx: RuleContext = { model, shifts: infos, footprints: new FootprintCache(), availability: new AvailabilityCache() };
  const schedule = new AgentSchedule(a, 0, model);
  for (const i of worked) schedule.add(infos[i], 0);
  return { infos, ctx, schedule, model };
}

describe('hard rules (one named function each)', () => {
  test('when the shift is in a skill group the agent lacks, then "skill" refuses it', () => {
    const { infos } = setup(agent('a'), [shift(day(0), '08:00', 8, { skill: 'NE' }), shift(day(0), '08:00', 8)], []);
    expect(hasSkill(agent('a'), infos[0])).toBe(false);
    expect(hasSkill(agent('a'), infos[1])).toBe(true);
    expect(RULE_LABELS.skill).toMatch(/skill/);
  });

  test('when the shift runs past the end of the availability window, then "availability" refuses it', () => {
    const a = agent('a', { availability: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '17:00' }] });
    const { infos, ctx } = setup(a, [shift(day(0), '08:00', 8), shift(day(0), '09:30', 8), shift(day(5), '08:00', 8)], []);
    expect(isAvailable(a, infos[0], ctx)).toBe(true);
    expect(isAvailable(a, infos[1], ctx)).toBe(false); // ends 17:30
    expect(isAvailable(a, infos[2], ctx)).toBe(false); // Saturday
  });

  test('when a night shift ends on a requested day off, then "days off" refuses it', () => {
    const a = agent('a', { daysOff: [day(3)] });
    const { infos } = setup(a, [shift(day(2), '22:00', 8), shift(day(1), '08:00', 8)], []);
    expect(isNotOnDayOff(a, infos[0])).toBe(false);
    expect(isNotOnDayOff(a, infos[1])).toBe(true);
  });

  test('when the agent already works that day, then "one shift per day" refuses a second shift', () => {
    const { infos, schedule } = setup(agent('a'), [shift(day(0), '06:00', 4), shift(day(0), '18:00', 4), shift(day(1), '18:00', 4)], [0]);
    expect(isFreeThatDay(schedule, infos[1])).toBe(false);
    expect(isFreeThatDay(schedule, infos[2])).toBe(true);
  });

  test('when a late shift is followed by an early one 9.5 hours later, then "minimum rest" refuses it', () => {
    const { infos, schedule, ctx } = setup(agent('a'), [shift(day(0), '14:00', 8.5), shift(day(1), '08:00', 8), shift(day(1), '10:00', 8)], [0]);
    expect(keepsMinimumRest(schedule, infos[1], ctx)).toBe(false); // 22:30 → 08:00 = 9.5 h
    expect(keepsMinimumRest(schedule, infos[2], ctx)).toBe(true); // 11.5 h
  });

  test('when the week already holds 36 hours of a 40-hour contract, then "weekly max hours" refuses 8 more', () => {
    const shifts = [0, 1, 2, 3].map((d) => shift(day(d), '08:00', 9)).concat([shift(day(4), '08:00', 8), shift(day(4), '08:00', 4)]);
    const { infos, schedule } = setup(agent('a'), shifts, [0, 1, 2, 3]);
    expect(staysWithinWeeklyHours(schedule, infos[4])).toBe(false);
    expect(staysWithinWeeklyHours(schedule, infos[5])).toBe(true);
  });

  test('when the week already holds the contract\'s 3 days, then "max days per week" refuses a fourth', () => {
    const shifts = [0, 1, 2, 3, 7].map((d) => shift(day(d), '08:00', 4));
    const { infos, schedule } = setup(agent('a', {}, { maxDaysPerWeek: 3 }), shifts, [0, 1, 2]);
    expect(staysWithinDaysPerWeek(schedule, infos[3])).toBe(false);
    expect(staysWithinDaysPerWeek(schedule, infos[4])).toBe(true); // next week
  });

  test('when the shift would join two runs into 6 days in a row, then "max consecutive days" refuses it', () => {
    const shifts = [4, 5, 7, 8, 9, 6].map((d) => shift(day(d), '08:00', 4));
    const { infos, schedule } = setup(agent('a', {}, { maxConsecutiveDays: 5 }), shifts, [0, 1, 2, 3, 4]);
    expect(staysWithinConsecutiveDays(schedule, infos[5])).toBe(false);
  });

  test('when the agent worked the days before the period or works the days after it (other rosters), then "max consecutive days" counts them in runs that reach the edge', () => {
    const shifts = [0, 1, 2, 12, 13, 5].map((d) => shift(day(d), '08:00', 4));
    const { infos, schedule } = setup(agent('a', {}, { maxConsecutiveDays: 5 }), shifts, [0, 1, 3]);
    expect(staysWithinConsecutiveDays(schedule, infos[2])).toBe(true);
    schedule.edgeRuns = { before: 2, after: 4 };
    // days 0–2 after two days of the previous roster: 5 in a row, allowed; a third day before would make 6
    expect(staysWithinConsecutiveDays(schedule, infos[2])).toBe(true);
    schedule.edgeRuns = { before: 3, after: 4 };
    expect(staysWithinConsecutiveDays(schedule, infos[2])).toBe(false);
    // day 13 with day 12 worked, then 4 days of the next roster: 6
    expect(staysWithinConsecutiveDays(schedule, infos[4])).toBe(false);
    // a run that reaches neither edge is not affected
    expect(staysWithinConsecutiveDays(schedule, infos[5])).toBe(true);
  });

  test('when only two separate days stay free and the contract asks for consecutive days off, then the rule refuses', () => {
    // worked Mon, Tue, Thu, Fri; free Wed, Sat, Sun. Taking Sat leaves Wed + Sun: two days, not adjacent.
    const shifts = [0, 1, 3, 4, 5, 2].map((d) => shift(day(d), '08:00', 4));
    const consecutive = setup(agent('a', {}, { consecutiveDaysOff: true, maxDaysPerWeek: 6 }), shifts, [0, 1, 2, 3]);
    expect(leavesTwoDaysOff(consecutive.schedule, consecutive.infos[4], consecutive.ctx)).toBe(false);
    const plain = setup(agent('b', {}, { maxDaysPerWeek: 6 }), shifts, [0, 1, 2, 3]);
    expect(leavesTwoDaysOff(plain.schedule, plain.infos[4], plain.ctx)).toBe(true);
    // Wed as well would leave a single day off: refused even without the consecutive clause.
    const five = setup(agent('c', {}, { maxDaysPerWeek: 7 }), shifts, [0, 1, 2, 3, 4]);
    expect(leavesTwoDaysOff(five.schedule, five.infos[5], five.ctx)).toBe(false);
  });

  test('when a complete week has fewer hours than the contract minimum, then "weekly min hours" names that week', () => {
    const shifts = [0, 1, 7, 8, 9, 10].map((d) => shift(day(d), '08:00', 8));
    const { schedule, model, infos } = setup(agent('a', {}, { minHoursPerWeek: 24 }), shifts, [0, 1, 2, 3, 4, 5]);
    expect(weeksBelowMinimumHours(schedule, model)).toEqual([0]);
    expect(removalKeepsMinimumHours(schedule, infos[2], model)).toBe(true); // 32 → 24
  });

  test('when the diagnosis asks which rule refused a shift, then it names the rule canTake stopped at, and none exactly when canTake allows it', () => {
    // the week holds Mon–Thu 8 h (32 of 40 h, 4 of 5 days); offered: a second Tuesday shift, Fri 8 h, Fri 10 h, Sat from 02:00
    const shifts = [0, 1, 2, 3].map((d) => shift(day(d), '08:00', 8));
    shifts.push(shift(day(1), '18:00', 4), shift(day(4), '08:00', 8), shift(day(4), '08:00', 10), shift(day(5), '02:00', 8));
    const { schedule, infos, ctx } = setup(agent('a'), shifts, [0, 1, 2, 3]);
    expect(firstRefusal(schedule, infos[4], ctx)).toEqual({ id: 'one-shift-per-day', label: RULE_LABELS['one-shift-per-day'] });
    expect(firstRefusal(schedule, infos[5], ctx)).toBeUndefined();
    expect(firstRefusal(schedule, infos[6], ctx)?.id).toBe('max-weekly-hours');
    infos.forEach((info) => expect(canTake(schedule, info, ctx)).toBe(firstRefusal(schedule, info, ctx) === undefined));
  });
});
