import { AgentSchedule, buildPeriodModel, describeShifts } from '../../src/roster/assignment-model';
import { chooseBandFloor, fairnessReport, tradeBandFloors, unfairDistance } from '../../src/roster/fairness';
import type { Agent } from '../../src/domain/types';
import { agent, day, PERIOD, shift } from './fixtures';

const multiplesOf8_5 = [59.5, 68, 76.5, 85];
const anyMix = [68, 72, 72.5, 76, 76.5, 80, 80.5, 85];

/** Schedules with `longs` 8.5-hour and `shorts` 4-hour shifts on distinct days. */
function schedules(plans: Array<{ agent: Agent; longs: number; shorts: number }>) {
  const model = buildPeriodModel(PERIOD);
  const planned = plans.flatMap((p, k) =>
    Array.from({ length: p.longs + p.shorts }, (_, d) => shift(day(d), d < p.longs ? '08:00' : '16:00', d < p.longs ? 8.5 : 4, { id: `${k}-${d}` })),
  );
  const infos = describeShifts(model, planned);
  let next = 0;
  const result = plans.map((p, k) => {
    const s = new AgentSchedule(p.agent, k, model);
    for (let d = 0; d < p.longs + p.shorts; d++) s.add(infos[next++], 0);
    return s;
  });
  return { model, infos, result };
}

describe('fairness rule: hours within one shortest shift where availability allows', () => {
  test('when an agent can only work 8.5-hour shifts, then only the distance its own totals force is excused', () => {
    // Band 70–74 holds no multiple of 8.5: 68 and 76.5 are as near as such an agent can get.
    expect(unfairDistance(68, multiplesOf8_5, 70, 74)).toBe(0);
    expect(unfairDistance(76.5, multiplesOf8_5, 70, 74)).toBe(0);
    expect(unfairDistance(59.5, multiplesOf8_5, 70, 74)).toBe(8.5);
    // An agent who can mix shift lengths has no excuse.
    expect(unfairDistance(68, anyMix, 70, 74)).toBe(2);
  });

  test('when most agents sit at 68–72 hours, then the band is chosen there and the one at 76.5 is outside', () => {
    expect(chooseBandFloor([68, 72, 72, 76.5], [anyMix, anyMix, anyMix, anyMix], 4)).toBe(68);
  });

  test('when a weekday-only agent has 76.5 h while colleagues have 68 and 72, then the class is unfair; at 68 h (open to it) it is fair', () => {
    const weekdays = { availability: [{ days: [1, 2, 3, 4, 5] as Array<1 | 2 | 3 | 4 | 5>, from: '07:00', to: '19:00' }] };
    const options = { possibleTotals: (a: number) => (a === 2 ? multiplesOf8_5 : anyMix), openTo: () => true };
    const report = (zLongs: number) => {
      const { model, infos, result } = schedules([
        { agent: agent('x'), longs: 8, shorts: 0 },
        { agent: agent('y'), longs: 8, shorts: 1 },
        { agent: agent('z', weekdays), longs: zLongs, shorts: 0 },
      ]);
      return fairnessReport(result, model, infos, options)[0];
    };
    const unfair = report(9);
    expect(unfair.hoursSpread).toBe(8.5);
    expect(unfair.agentsOutsideBand).toBe(1);
    expect(unfair.fairWhereAvailabilityAllows).toBe(false);
    const fair = report(8);
    expect(fair.band).toEqual({ from: 68, to: 72 });
    expect(fair.availabilityBinds).toBe(0);
    expect(fair.hoursSpreadWhereAvailabilityAllows).toBe(4);
    expect(fair.fairWhereAvailabilityAllows).toBe(true);
  });

  test('when the band holds no total a weekday-only agent can work, then its availability binds and the nearest total is fair', () => {
    const weekdays = { availability: [{ days: [1, 2, 3, 4, 5] as Array<1 | 2 | 3 | 4 | 5>, from: '07:00', to: '19:00' }] };
    const { model, infos, result } = schedules([
      { agent: agent('x'), longs: 8, shorts: 1 },
      { agent: agent('y'), longs: 8, shorts: 2 },
      { agent: agent('w'), longs: 8, shorts: 2 },
      { agent: agent('z', weekdays), longs: 9, shorts: 0 },
    ]);
    const options = { possibleTotals: (a: number) => (a === 3 ? [68, 76.5, 85] : anyMix), openTo: (a: number) => a !== 3 };
    const [report] = fairnessReport(result, model, infos, options);
    expect(report.band).toEqual({ from: 72, to: 76 });
    expect(report.availabilityBinds).toBe(1);
    expect(report.hoursSpread).toBe(4.5);
    expect(report.hoursSpreadWhereAvailabilityAllows).toBe(4);
    expect(report.fairWhereAvailabilityAllows).toBe(true);
  });
});

describe('tradeBandFloors (band-first, whole roster)', () => {
  // full-timers: 8 to 10 shifts of 8.5 or 4 h; part-timers: up to 8
  const fullTime = [68, 71.5, 72, 76, 76.5, 80.5, 85];
  const partTime = [32, 36.5, 41, 45.5, 50, 54.5];

  it('when one class is outside below its band, then its band goes one possible total up and the others one down', () => {
    const floors = tradeBandFloors([
      { floor: 76.5, possibleTotals: fullTime, outsideBelow: 4, outsideAbove: 0 },
      { floor: 46, possibleTotals: partTime, outsideBelow: 0, outsideAbove: 0 },
    ]);
    expect(floors).toEqual([80.5, 45.5]);
  });

  it('when one class is outside above its band, then the mirror: it goes down, the others up', () => {
    expect(
      tradeBandFloors([
        { floor: 76.5, possibleTotals: fullTime, outsideBelow: 0, outsideAbove: 2 },
        { floor: 46, possibleTotals: partTime, outsideBelow: 0, outsideAbove: 0 },
      ]),
    ).toEqual([76, 50]);
  });

  it('when the counts do not say which way (both sides, two classes, nobody), then no floors; a class at its last total stays', () => {
    expect(tradeBandFloors([{ floor: 76.5, possibleTotals: fullTime, outsideBelow: 1, outsideAbove: 1 }])).toBeUndefined();
    expect(
      tradeBandFloors([
        { floor: 76.5, possibleTotals: fullTime, outsideBelow: 1, outsideAbove: 0 },
        { floor: 46, possibleTotals: partTime, outsideBelow: 1, outsideAbove: 0 },
      ]),
    ).toBeUndefined();
    expect(tradeBandFloors([{ floor: 76.5, possibleTotals: fullTime, outsideBelow: 0, outsideAbove: 0 }])).toBeUndefined();
    expect(tradeBandFloors([{ floor: 85, possibleTotals: fullTime, outsideBelow: 3, outsideAbove: 0 }])).toEqual([85]);
  });
});
