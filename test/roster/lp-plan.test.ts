import { localDates, paidHoursLowerBound, planShifts, type PlanShiftsResult } from '../../src/roster/lp/plan';
import { DEFAULT_TEMPLATES, allowedStartMinutes } from '../../src/roster/templates';
import type { PlannedShift, RequirementRow, ShiftTemplate } from '../../src/roster/types';
import type { SkillGroup } from '../../src/domain/types';
import { WfmError } from '../../src/errors/wfm-error';
import { intervalStarts, minuteOfDay, startOfLocalDay, DAY_MS } from '../../src/time/grid';

const ZONE = 'Europe/Berlin';

function group(id: string, timeZone = ZONE): SkillGroup {
  return {
    id, name: id, timeZone, intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 180, shrinkage: 0.3, maxOccupancy: 0.9, channel: 'voice', overflowTo: [],
  };
}

/** A flat requirement of `agents` between two local times on each date. */
function flatRequirement(groupId: string, dates: string[], from: number, to: number, agents: number, zone = ZONE): RequirementRow[] {
  return dates.flatMap((date) => {
    const midnight = startOfLocalDay(date, zone);
    return intervalStarts(midnight, midnight + DAY_MS, zone, 30)
      .filter((s) => minuteOfDay(s, zone) >= from && minuteOfDay(s, zone) < to)
      .map((s) => ({ skillGroupId: groupId, intervalStart: s, required: agents }));
  });
}

/** Coverage recomputed from the planned shifts alone (independent of the LP's own coefficients). */
function recomputeScheduled(shifts: PlannedShift[], groupId: string, intervalStart: number, intervalMs = 30 * 60_000): number {
  const end = intervalStart + intervalMs;
  const overlap = (a: number, b: number) => Math.max(0, Math.min(b, end) - Math.max(a, intervalStart));
  let worked = 0;
  for (const s of shifts.filter((x) => x.skillGroupId === groupId)) {
    worked += overlap(s.start, s.end) - s.breaks.reduce((sum, b) => sum + overlap(b.start, b.end), 0);
  }
  return worked / intervalMs;
}

function expectCoverageConsistent(result: PlanShiftsResult, intervalMs = 30 * 60_000): void {
  for (const row of result.coverage) {
    expect(row.scheduled).toBeCloseTo(recomputeScheduled(result.shifts, row.skillGroupId, row.intervalStart, intervalMs), 9);
    expect(row.shortfall).toBeCloseTo(Math.max(0, row.required - row.scheduled), 9);
  }
}

describe('LP shift planning', () => {
  test('when 3 agents are needed 09:00–17:00 and an 8-hour template fits exactly, then 3 shifts cover it with no gap', () => {
    const plain: ShiftTemplate = { id: 'eight', name: '8h', kind: 'day', lengthMinutes: 480, startWindow: { from: '07:00', to: '12:00' }, startGridMinutes: 30 };
    const dates = ['2026-02-03'];

    const result = planShifts({ skillGroups: [group('A')], requirement: flatRequirement('A', dates, 540, 1020, 3), templates: [plain], dates });

    expect(result.shifts).toHaveLength(3);
    for (const s of result.shifts) expect(new Date(s.start).toISOString()).toBe('2026-02-03T08:00:00.000Z');
    expect(result.integer.shortfallAgentHours).toBe(0);
    expect(result.integer.paidHours).toBe(24);
    expect(result.lowerBound.objective).toBeCloseTo(24, 6);
    expect(result.gap).toBeCloseTo(0, 6);
    expectCoverageConsistent(result);
  });

  test('when every agent takes a meal break, then the LP staggers the meals so coverage never dips', () => {
    const fixedStart: ShiftTemplate = {
      id: 'day', name: 'Day', kind: 'day', lengthMinutes: 510, startWindow: { from: '08:00', to: '08:00' }, startGridMinutes: 30,
      mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 180, latestAfterMinutes: 300 },
    };
    const dates = ['2026-02-03'];

    const result = planShifts({ skillGroups: [group('A')], requirement: flatRequirement('A', dates, 480, 990, 4), templates: [fixedStart], dates });

    // 4 on the phone through 5 meal slots needs a fifth agent, each meal in a different slot.
    expect(result.shifts).toHaveLength(5);
    const mealStarts = result.shifts.map((s) => s.breaks.find((b) => b.kind === 'meal')!.start);
    expect(new Set(mealStarts).size).toBe(5);
    expect(result.integer.shortfallAgentHours).toBeCloseTo(0, 9);
    expectCoverageConsistent(result);
  });

  test('when the line opens at 07:00 and templates may start at 06:00, then no shift starts before opening (same paid hours and coverage)', () => {
    const zone = 'Asia/Shanghai';
    const dates = ['2026-12-05', '2026-12-06'];
    // open 07:00–24:00: a morning and an evening peak
    const rows = flatRequirement('A', dates, 420, 1440, 0, zone).map((r) => {
      const h = minuteOfDay(r.intervalStart, zone) / 60;
      return { ...r, required: Math.round(4 + 6 * Math.exp(-((h - 10) ** 2) / 4) + 5 * Math.exp(-((h - 20) ** 2) / 3)) };
    });
    const plan = (closedPerAgentHour?: number) =>
      planShifts({ skillGroups: [group('A', zone)], requirement: rows, templates: DEFAULT_TEMPLATES, dates, penalties: closedPerAgentHour === undefined ? {} : { closedPerAgentHour } });
    const beforeOpening = (result: PlanShiftsResult) => result.shifts.filter((s) => minuteOfDay(s.start, zone) < 420 && minuteOfDay(s.start, zone) >= 180).length;
    const blind = plan(0);
    const planned = plan();
    expect(beforeOpening(blind)).toBeGreaterThan(0); // the closed hours cost nothing: a tie broken either way
    expect(beforeOpening(planned)).toBe(0);
    expect(planned.integer.paidHours).toBe(blind.integer.paidHours);
    expect(planned.integer.shortfallAgentHours).toBeCloseTo(blind.integer.shortfallAgentHours, 6);
  });

  test('when under-staffing is cheaper than a shift, then the LP leaves a lone spike uncovered and reports the shortfall', () => {
    const plain: ShiftTemplate = { id: 'eight', name: '8h', kind: 'day', lengthMinutes: 480, startWindow: { from: '08:00', to: '12:00' }, startGridMinutes: 30 };
    const dates = ['2026-02-03'];
    // open 08:00–20:00 (rows of 0 around the spike, as the forecast gives every open interval)
    const spike = [...flatRequirement('A', dates, 480, 600, 0), ...flatRequirement('A', dates, 600, 630, 1), ...flatRequirement('A', dates, 630, 1200, 0)];

    const cheap = planShifts({ skillGroups: [group('A')], requirement: spike, templates: [plain], dates, penalties: { underPerAgentHour: 2 } });
    const dear = planShifts({ skillGroups: [group('A')], requirement: spike, templates: [plain], dates, penalties: { underPerAgentHour: 20 } });

    expect(cheap.shifts).toHaveLength(0);
    expect(cheap.integer.shortfallAgentHours).toBeCloseTo(0.5, 9);
    expect(cheap.coverage.find((c) => c.required > 0)!.shortfall).toBe(1);
    expect(dear.shifts).toHaveLength(1);
  });

  test('when three skill groups are planned over 14 days, then coverage is consistent, starts are in their windows and integer ≥ bound', () => {
    const groups = [group('PS', 'Asia/Jerusalem'), group('NW', 'Asia/Jerusalem'), group('NE', 'Asia/Jerusalem')];
    const dates = localDates('1999-02-01', 14, 'Asia/Jerusalem');
    // a daily double hump like the bank's (10:00 and 16:00 peaks), different sizes per group
    const requirement: RequirementRow[] = groups.flatMap((g, gi) =>
      dates.flatMap((date) => {
        const midnight = startOfLocalDay(date, g.timeZone);
        return intervalStarts(midnight, midnight + DAY_MS, g.timeZone, 30).map((s) => {
          const hour = minuteOfDay(s, g.timeZone) / 60;
          const load = 7 <= hour && hour < 23 ? 2 + 8 * Math.exp(-((hour - 10) ** 2) / 4) + 6 * Math.exp(-((hour - 16) ** 2) / 5) : 1;
          return { skillGroupId: g.id, intervalStart: s, required: (3 * load) / (gi + 1) };
        });
      }),
    );

    const result = planShifts({ skillGroups: groups, requirement, templates: DEFAULT_TEMPLATES, dates });

    expect(result.coverage).toHaveLength(3 * 14 * 48);
    expectCoverageConsistent(result);
    expect(result.integer.objective).toBeGreaterThanOrEqual(result.lowerBound.objective - 1e-6);
    expect(result.gap).toBeLessThan(0.1);
    const requiredHours = requirement.reduce((sum, r) => sum + r.required * 0.5, 0);
    expect(result.integer.shortfallAgentHours).toBeLessThan(0.02 * requiredHours);
    const templates = new Map(DEFAULT_TEMPLATES.map((t) => [t.id, t]));
    for (const s of result.shifts) {
      expect(allowedStartMinutes(templates.get(s.templateId)!)).toContain(minuteOfDay(s.start, 'Asia/Jerusalem'));
      expect(dates).toContain(s.date);
      for (const b of s.breaks) {
        expect(b.start).toBeGreaterThan(s.start);
        expect(b.end).toBeLessThan(s.end);
      }
    }
    expect(new Set(result.shifts.map((s) => s.id)).size).toBe(result.shifts.length);
  });

  test('when the relaxation is cut into 2-day blocks, then its bound is valid (≤ the exact LP) and nearly as tight', () => {
    const dates = localDates('2026-02-02', 6, ZONE);
    const requirement = [...flatRequirement('A', dates, 420, 1380, 5), ...flatRequirement('A', dates, 600, 720, 4)];
    const common = { skillGroups: [group('A')], requirement, templates: DEFAULT_TEMPLATES, dates };

    const exact = planShifts({ ...common, relaxation: 'exact' });
    const blocks = planShifts({ ...common, relaxation: 'blocks', blockDays: 2 });

    expect(exact.subproblems[0].relaxationKind).toBe('exact');
    expect(blocks.subproblems[0].relaxationKind).toBe('blocks');
    expect(blocks.lowerBound.objective).toBeLessThanOrEqual(exact.lowerBound.objective + 1e-6);
    expect(blocks.lowerBound.objective).toBeGreaterThan(0.98 * exact.lowerBound.objective);
    expect(exact.integer.objective).toBeGreaterThanOrEqual(exact.lowerBound.objective - 1e-6);
    expect(blocks.integer.objective).toBeLessThan(1.1 * exact.lowerBound.objective);
  });

  test('when a finished plan is re-costed for the same coverage, then the paid-hours bound lies at or below its paid hours', () => {
    const dates = localDates('2026-02-02', 3, ZONE);
    const requirement = flatRequirement('A', dates, 420, 1380, 6);
    const plan = planShifts({ skillGroups: [group('A')], requirement, templates: DEFAULT_TEMPLATES, dates });
    const sameCoverage = plan.coverage.map((c) => ({ skillGroupId: c.skillGroupId, intervalStart: c.intervalStart, required: Math.min(c.required, c.scheduled) }));

    const bound = paidHoursLowerBound({ skillGroups: [group('A')], templates: DEFAULT_TEMPLATES, dates, target: sameCoverage });

    expect(bound).toBeGreaterThan(0.8 * plan.integer.paidHours);
    expect(bound).toBeLessThanOrEqual(plan.integer.paidHours + 1e-6);
  });

  test('when a skill group uses 15-minute intervals and a 15-minute start grid, then short breaks take whole intervals', () => {
    const quarter: SkillGroup = { ...group('Q'), intervalMinutes: 15 };
    const template: ShiftTemplate = {
      id: 'six', name: '6h', kind: 'day', lengthMinutes: 360, startWindow: { from: '08:00', to: '10:00' }, startGridMinutes: 15,
      shortBreaks: { count: 2, lengthMinutes: 15 },
    };
    const dates = ['2026-02-03'];
    const midnight = startOfLocalDay(dates[0], ZONE);
    const requirement = intervalStarts(midnight, midnight + DAY_MS, ZONE, 15)
      .filter((s) => minuteOfDay(s, ZONE) >= 480 && minuteOfDay(s, ZONE) < 960)
      .map((s) => ({ skillGroupId: 'Q', intervalStart: s, required: 3 }));

    const result = planShifts({ skillGroups: [quarter], requirement, templates: [template], dates });

    expect(result.coverage).toHaveLength(96);
    expectCoverageConsistent(result, 15 * 60_000);
    for (const row of result.coverage) expect(Number.isInteger(Math.round(row.scheduled * 1e9) / 1e9)).toBe(true);
    expect(result.integer.shortfallAgentHours).toBeCloseTo(0, 9);
  });

  test('when the plan crosses the spring-forward night, then the shorter day has 46 intervals and coverage still matches', () => {
    const dates = ['2026-03-28', '2026-03-29'];
    const requirement = flatRequirement('A', dates, 0, 1440, 2);

    const result = planShifts({ skillGroups: [group('A')], requirement, templates: DEFAULT_TEMPLATES, dates });

    const onSunday = result.coverage.filter((c) => c.intervalStart >= startOfLocalDay('2026-03-29', ZONE));
    expect(onSunday).toHaveLength(46);
    expectCoverageConsistent(result);
    for (const s of result.shifts) expect(s.end - s.start).toBe(DEFAULT_TEMPLATES.find((t) => t.id === s.templateId)!.lengthMinutes * 60_000);
  });

  test('when a requirement names an unknown skill group or a group has no template, then a validation error says so', () => {
    const onlyForB: ShiftTemplate = { ...DEFAULT_TEMPLATES[0], skillGroupIds: ['B'] };
    const act = () =>
      planShifts({
        skillGroups: [group('A')],
        requirement: [{ skillGroupId: 'Z', intervalStart: 0, required: 1 }],
        templates: [onlyForB],
        dates: ['2026-02-03'],
      });

    expect(act).toThrow(WfmError);
    try {
      act();
    } catch (e) {
      const messages = (e as WfmError).details.map((d) => d.message).join(' | ');
      expect(messages).toContain('unknown skill group "Z"');
      expect(messages).toContain('no shift template may be used for skill group "A"');
    }
  });
});
