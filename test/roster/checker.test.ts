import { checkRoster } from '../../src/roster/checker';
import type { AssignedShift } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';

const give = (agentId: string, s: ReturnType<typeof shift>): AssignedShift => ({ ...s, agentId });

describe('independent roster checker', () => {
  test('when a roster keeps every rule, then the checker finds nothing', () => {
    const a = agent('a', {}, { minHoursPerWeek: 16 });
    const roster = [0, 1, 7, 8].map((d) => give('a', shift(day(d), '08:00', 8)));
    expect(checkRoster(roster, [a], PERIOD)).toEqual([]);
  });

  test('when each hard rule is broken once, then the checker names every one of them', () => {
    const agents = [
      agent('skill'),
      agent('avail', { availability: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '12:00' }] }),
      agent('off', { daysOff: [day(2)] }),
      agent('twice'),
      agent('rest'),
      agent('hours', {}, { maxHoursPerWeek: 20 }),
      agent('days', {}, { maxDaysPerWeek: 2 }),
      agent('consec', {}, { maxConsecutiveDays: 2, maxDaysPerWeek: 7 }),
      agent('twooff', {}, { maxDaysPerWeek: 7, maxConsecutiveDays: 7 }),
      agent('adjacent', {}, { consecutiveDaysOff: true }),
      agent('min', {}, { minHoursPerWeek: 20 }),
    ];
    const roster: AssignedShift[] = [
      give('skill', shift(day(0), '08:00', 8, { skill: 'NE' })),
      give('avail', shift(day(0), '08:00', 8)),
      give('off', shift(day(2), '08:00', 8)),
      give('twice', shift(day(0), '06:00', 4)),
      give('twice', shift(day(0), '18:00', 4)),
      give('rest', shift(day(0), '14:00', 9)),
      give('rest', shift(day(1), '07:00', 8)),
      ...[0, 1, 2].map((d) => give('hours', shift(day(d), '08:00', 8))),
      ...[0, 1, 2].map((d) => give('days', shift(day(d), '08:00', 4))),
      ...[0, 1, 2].map((d) => give('consec', shift(day(d), '08:00', 4))),
      ...[0, 1, 2, 3, 4, 5].map((d) => give('twooff', shift(day(d), '08:00', 4))),
      ...[0, 2, 4, 6].map((d) => give('adjacent', shift(day(d), '08:00', 4))),
      give('min', shift(day(0), '08:00', 8)),
    ];
    const found = new Set(checkRoster(roster, agents, PERIOD).map((v) => `${v.agentId}:${v.rule}`));
    for (const expected of [
      'skill:skill',
      'avail:availability',
      'off:days-off',
      'twice:one-shift-per-day',
      'rest:min-rest',
      'hours:max-weekly-hours',
      'days:max-days-per-week',
      'consec:max-consecutive-days',
      'twooff:two-days-off-per-week',
      'adjacent:two-days-off-per-week',
      'min:min-weekly-hours',
    ]) {
      expect(found).toContain(expected);
    }
  });

  test('when an agent is absent (ill, on leave), then a shift on that date is a violation and the weekly minimum does not bind that week', () => {
    const a = agent('a', {}, { minHoursPerWeek: 32 });
    const roster = [give('a', shift(day(0), '08:00', 8)), give('a', shift(day(3), '08:00', 8))];
    const absences = [{ agentId: 'a', dates: [day(1), day(2), day(3)] }];
    const rules = checkRoster(roster, [a], PERIOD, { absences }).map((v) => `${v.rule}:${v.shiftIds.join(',')}`);
    expect(rules).toEqual([`absence:${roster[1].id}`, expect.stringMatching(/^min-weekly-hours:/)]);
    // the min-weekly-hours above is week 2 (no absence, no shifts); week 1 has the absence and only 16 h
    const minimum = checkRoster(roster.slice(0, 1), [a], PERIOD, { absences });
    expect(minimum.map((v) => v.message)).toEqual(['a works 0 h < 32 h in the week 1999-02-08 to 1999-02-14']);
  });

  test('when an agent falls ill mid-shift and a re-plan cuts at that moment, then the shift under way is excused from the absence but their later shift on an absent date is not', () => {
    const a = agent('a');
    const underWay = give('a', shift(day(2), '10:00', 8.5));
    const tomorrow = give('a', shift(day(3), '10:00', 8.5));
    const absences = [{ agentId: 'a', dates: [day(2), day(3)] }];
    const cut = underWay.start + 2 * 3_600_000;
    expect(checkRoster([underWay, tomorrow], [a], PERIOD, { absences, frozenBefore: cut }).map((v) => `${v.rule}:${v.shiftIds.join(',')}`)).toEqual([`absence:${tomorrow.id}`]);
    // a cut before the shift started excuses nothing
    expect(checkRoster([underWay], [a], PERIOD, { absences, frozenBefore: underWay.start }).map((v) => v.rule)).toEqual(['absence']);
  });

  test('when a shift is given to two agents, then the checker reports it', () => {
    const s = shift(day(0), '08:00', 8);
    const violations = checkRoster([give('a', s), give('b', s)], [agent('a'), agent('b')], PERIOD);
    expect(violations.map((v) => v.rule)).toContain('shift-assigned-once');
  });

  test('when two shifts overlap or rest is short, then the message gives both shifts\' times and calls an overlap an overlap; weeks are named by their dates', () => {
    const a = agent('a');
    const overlapping = [give('a', shift(day(0), '08:00', 8)), give('a', shift(day(0), '15:30', 4, { id: 'late' }))];
    const overlap = checkRoster(overlapping, [a], PERIOD).find((v) => v.rule === 'min-rest')!;
    expect(overlap.message).toBe('a has overlapping shifts between 1999-02-01T08:00:00+02:00 to 1999-02-01T16:00:00+02:00 and 1999-02-01T15:30:00+02:00 to 1999-02-01T19:30:00+02:00');
    const short = checkRoster([give('a', shift(day(0), '14:00', 8)), give('a', shift(day(1), '06:00', 8))], [a], PERIOD).find((v) => v.rule === 'min-rest')!;
    expect(short.message).toBe('a rests 8.00 h < 11 h between 1999-02-01T14:00:00+02:00 to 1999-02-01T22:00:00+02:00 and 1999-02-02T06:00:00+02:00 to 1999-02-02T14:00:00+02:00');
  });
});
