import { mostMinutesInDays, WeekCapacity } from '../../src/roster/capacity';

const LONG = 510; // 8.5 h
const SHORT = 240; // 4 h
const FULL_TIME = { maxMinutes: 42.5 * 60, days: 5 };
const PART_TIME = { maxMinutes: 26 * 60, days: 4 };

describe('week capacity and capacity waste', () => {
  it('finds the most minutes a number of shifts can add up to within the room', () => {
    expect(mostMinutesInDays([SHORT, LONG], FULL_TIME.maxMinutes, FULL_TIME.days)).toBe(5 * LONG);
    // 26 h in 4 days: three 8.5-hour shifts (25.5 h) beat two and two 4-hour ones (25 h).
    expect(mostMinutesInDays([SHORT, LONG], PART_TIME.maxMinutes, PART_TIME.days)).toBe(3 * LONG);
    expect(mostMinutesInDays([LONG], 400, 3)).toBe(0);
    expect(mostMinutesInDays([SHORT], 1000, 2)).toBe(2 * SHORT);
  });

  it('charges a days-bound contract the hours a short shift makes unreachable, an hours-bound one little', () => {
    const capacity = new WeekCapacity();
    const id = capacity.idOf([LONG, SHORT, LONG]);
    // A full-timer's 4-hour shift uses a day worth 8.5 h: 4.5 h lost for the week.
    expect(capacity.waste(id, FULL_TIME.maxMinutes, FULL_TIME.days, SHORT, 1)).toBe(LONG - SHORT);
    expect(capacity.waste(id, FULL_TIME.maxMinutes, FULL_TIME.days, LONG, 1)).toBe(0);
    // A part-timer loses half an hour: 4 + 8.5 + 8.5 + 4 = 25 h instead of 25.5 h.
    expect(capacity.waste(id, PART_TIME.maxMinutes, PART_TIME.days, SHORT, 1)).toBe(30);
    expect(capacity.waste(id, PART_TIME.maxMinutes, PART_TIME.days, 2 * SHORT, 2)).toBe(30);
    // An agent eligible only for long shifts wastes nothing by working them.
    const longOnly = capacity.idOf([LONG]);
    expect(capacity.waste(longOnly, FULL_TIME.maxMinutes, FULL_TIME.days, 2 * LONG, 2)).toBe(0);
  });
});
