import { AssignmentEngine, assignShifts } from '../../src/roster/assign';
import { checkRoster } from '../../src/roster/checker';
import type { Commitment } from '../../src/roster/types';
import { DateTime } from 'luxon';
import { agent, day, PERIOD, shift } from './fixtures';

/** A full-timer as the works council's: 36–40 h in at most 5 days a week, two consecutive days off, at most 6 days in a row. */
const FULL_TIME = { minHoursPerWeek: 36, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 6, minRestHours: 11, consecutiveDaysOff: true };

/** `agentId`'s 8-hour shifts in the previous roster on these days before the period (−1 = the Sunday before). */
function previousRoster(agentId: string, offsets: number[]): Commitment[] {
  return offsets.map((d) => {
    const s = shift(day(d), '09:00', 8);
    return { agentId, start: s.start, end: s.end, date: s.date, kind: s.kind };
  });
}

describe('top-ups to the weekly minimum across a roster\'s edge', () => {
  test('when the previous roster ends with a run of 5 days and only a different second week lets the first reach its minimum, then the top-ups re-plan both weeks and the minimum holds', () => {
    // The previous roster: Wednesday to Sunday. This one plans 8-hour shifts Monday to Friday of its
    // second week only. 36 h takes 5 days of 8 h; with 5 days already in a row the first week can only
    // be "Monday, two days off, Thursday to Sunday" or "two days off, Wednesday to Sunday" — both run on
    // into the second week's Monday, so Monday to Friday there would make 9 or 10 days in a row.
    const agents = [agent('A', {}, FULL_TIME)];
    const planned = [7, 8, 9, 10, 11].map((d) => shift(day(d), '08:00', 8, { id: `p${d}` }));
    const commitments = previousRoster('A', [-5, -4, -3, -2, -1]);
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD, options: { commitments } });
    expect(result.belowMinimum).toEqual([]);
    expect(checkRoster(result.roster, agents, PERIOD, { commitments })).toEqual([]);
    const hoursInWeek = (w: number) => result.roster.filter((s) => s.date >= day(7 * w) && s.date < day(7 * w + 7)).reduce((h, s) => h + (s.end - s.start) / 3_600_000, 0);
    expect([hoursInWeek(0), hoursInWeek(1)]).toEqual([40, 40]);
  });
});

/** Requirement rows of group PS: `required` agents every 30 minutes of [from, to) local time on these days. */
function open(days: number[], from: string, to: string, required = 1) {
  const rows: Array<{ skillGroupId: string; intervalStart: number; required: number }> = [];
  for (const d of days) {
    const first = shift(day(d), from, 0).start;
    const last = shift(day(d), to, 0).start;
    for (let t = first; t < last; t += 30 * 60_000) rows.push({ skillGroupId: 'PS', intervalStart: t, required });
  }
  return { rows, intervalMinutes: { PS: 30 } };
}

const localTime = (ms: number) => DateTime.fromMillis(ms, { zone: PERIOD.timeZone }).toFormat('HH:mm');
const weekday = (date: string) => DateTime.fromISO(date, { zone: 'UTC' }).weekday;

describe('where top-ups go', () => {
  test('when the group opens only in the evenings after Monday, then top-ups are evening shifts, not copies of Monday\'s morning into closed hours', () => {
    // 32 h in at most 4 days: two planned shifts a week (Monday 07:00, Tuesday 15:00), two 8-hour top-ups each week
    const agents = [agent('solo', {}, { minHoursPerWeek: 32, maxHoursPerWeek: 40, maxDaysPerWeek: 4 })];
    const planned = [0, 7].flatMap((w) => [shift(day(w), '07:00', 8, { id: `m${w}` }), shift(day(w + 1), '15:00', 8, { id: `e${w + 1}` })]);
    const mornings = open([0, 7], '07:00', '15:00');
    const evenings = open([...Array(14).keys()], '15:00', '23:00');
    const demand = { rows: [...mornings.rows, ...evenings.rows], intervalMinutes: { PS: 30 } };
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD, demand });
    expect(result.belowMinimum).toEqual([]);
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
    expect(result.topUps).toHaveLength(4);
    expect(result.topUps.map((s) => localTime(s.start))).toEqual(Array(4).fill('15:00'));
  });

  test('when an agent who avoids weekends needs top-ups and weekdays can hold them, then none is on a weekend', () => {
    const agents = [agent('solo', { preferences: { avoidWeekends: true } }, { minHoursPerWeek: 40, maxHoursPerWeek: 40, maxConsecutiveDays: 7 })];
    const planned = [0, 1, 2, 7, 8, 9].map((d) => shift(day(d), '08:00', 8, { id: `p${d}` }));
    const result = assignShifts({ plannedShifts: planned, agents, period: PERIOD });
    expect(result.belowMinimum).toEqual([]);
    expect(result.topUps).toHaveLength(4);
    expect(result.topUps.filter((s) => [6, 7].includes(weekday(s.date)))).toEqual([]);
  });
});

describe('weekend shares with top-ups', () => {
  test('when one agent\'s weekend shifts are top-ups, then the last polish exchanges them like planned shifts: shares even, hours, minimums and rules kept', () => {
    // A (Monday–Wednesday planned) is 16 h short in week 0, and the group needs agents only that weekend:
    // its top-ups are Saturday and Sunday. B works Monday–Friday. A Sunday shift of week 1 that neither
    // can take (both at 40 h) makes both open to weekends.
    const contract = { minHoursPerWeek: 40, maxHoursPerWeek: 40, maxConsecutiveDays: 7 };
    const agents = [agent('A', {}, contract), agent('B', {}, contract)];
    const plan: Array<[string | undefined, ReturnType<typeof shift>]> = [
      ...[0, 1, 2, 7, 8, 9, 10, 11].map((d) => ['A', shift(day(d), '08:00', 8, { id: `A${d}` })] as [string, ReturnType<typeof shift>]),
      ...[0, 1, 2, 3, 4, 7, 8, 9, 10, 11].map((d) => ['B', shift(day(d), '08:00', 8, { id: `B${d}` })] as [string, ReturnType<typeof shift>]),
      [undefined, shift(day(13), '08:00', 8, { id: 'sunday' })],
    ];
    const planned = plan.map(([, s]) => s);
    const engine = new AssignmentEngine(agents, planned, PERIOD, {});
    plan.forEach(([id], k) => id && engine.give(k, agents.findIndex((a) => a.id === id)));
    // the requirement: what A and B work on weekdays, and one agent that weekend
    const rows = [...open([0, 1, 2, 7, 8, 9, 10, 11], '08:00', '16:00', 2).rows, ...open([3, 4, 5, 6], '08:00', '16:00', 1).rows];
    engine.useDemand({ rows, intervalMinutes: { PS: 30 } });
    engine.topUpToMinimumHours();
    const topUpsOf = () => engine.result().topUps.map((s) => `${s.agentId} ${s.date}`);
    expect(topUpsOf()).toEqual([`A ${day(5)}`, `A ${day(6)}`]);
    const weekends = () => engine.schedules.map((s) => s.weekendShifts);
    expect(weekends()).toEqual([2, 0]);

    expect(engine.evenOutShares()).toBeGreaterThan(0);
    expect(weekends()).toEqual([1, 1]);
    const after = engine.result();
    // the top-up changed hands with its name; A took B's weekday for it
    expect(after.topUps.map((s) => s.agentId).sort()).toEqual(['A', 'B']);
    expect(after.topUps.every((s) => s.id.startsWith(`topup-${s.agentId}-`))).toBe(true);
    expect(engine.schedules.map((s) => s.totalHours)).toEqual([80, 80]);
    expect(after.belowMinimum).toEqual([]);
    expect(checkRoster(after.roster, agents, PERIOD)).toEqual([]);
  });
});
