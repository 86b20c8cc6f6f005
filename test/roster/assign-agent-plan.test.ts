import { AgentSchedule, buildPeriodModel, describeShifts, FootprintCache, type EdgeRuns, type ShiftInfo } from '../../src/roster/assignment-model';
import { DateTime } from 'luxon';
import { bestAgentPlan, type PlanCandidate } from '../../src/roster/agent-plan';
import { AvailabilityCache, canTake, weeksBelowMinimumHours, type RuleContext } from '../../src/roster/rules';
import { checkRoster } from '../../src/roster/checker';
import { seededRandom } from '../../src/roster/synthetic';
import type { Contract } from '../../src/domain/types';
import type { PlannedShift } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';

const BELOW_MINIMUM_COST = 1000;

/** Exhaustive search over every day's options with the rule functions of rules.ts: the reference. */
type Band = { from: number; to: number; costPerHour: number };
const bandCost = (hours: number, band?: Band) => (band ? band.costPerHour * Math.max(0, band.from - hours, hours - band.to) : 0);

function bruteForce(contract: Contract, infos: ShiftInfo[], values: number[], forced: ShiftInfo[], maxTotalHours = Infinity, band?: Band, edgeRuns?: EdgeRuns) {
  const model = buildPeriodModel(PERIOD);
  const ctx: RuleContext = { model, shifts: infos, footprints: new FootprintCache(), availability: new AvailabilityCache() };
  const schedule = new AgentSchedule(agent('x', {}, contract), 0, model);
  if (edgeRuns) schedule.edgeRuns = edgeRuns;
  const byDay: number[][] = Array.from({ length: PERIOD.days }, () => []);
  infos.forEach((info, i) => byDay[info.day].push(i));
  const forcedDays = new Map(forced.map((f) => [f.day, f.index]));
  let best = -Infinity;
  const search = (d: number, value: number) => {
    if (d === PERIOD.days) {
      // Shifts chosen before a forced one must also leave room for it (hours, days, rest, runs, the cap).
      if (schedule.totalHours > maxTotalHours + 1e-9) return;
      for (const f of forced) {
        schedule.remove(f, 0);
        const fits = canTake(schedule, f, ctx);
        schedule.add(f, 0);
        if (!fits) return;
      }
      const below = weeksBelowMinimumHours(schedule, model).length;
      best = Math.max(best, value - BELOW_MINIMUM_COST * below - bandCost(schedule.totalHours, band));
      return;
    }
    const pinned = forcedDays.get(d);
    if (pinned !== undefined) {
      schedule.add(infos[pinned], 0);
      search(d + 1, value);
      schedule.remove(infos[pinned], 0);
      return;
    }
    search(d + 1, value);
    for (const i of byDay[d]) {
      if (forced.some((f) => f.index === i)) continue;
      if (schedule.totalHours + infos[i].hours > maxTotalHours + 1e-9 || !canTake(schedule, infos[i], ctx)) continue;
      schedule.add(infos[i], 0);
      // Rules are checked against days already decided only, so later days re-check the earlier ones.
      search(d + 1, value + values[i]);
      schedule.remove(infos[i], 0);
    }
  };
  search(0, 0);
  return best;
}

function randomCase(seed: number) {
  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const contract: Contract = {
    class: 'c',
    minHoursPerWeek: pick([0, 16, 24, 30]),
    maxHoursPerWeek: pick([26, 34, 40, 42.5]),
    maxDaysPerWeek: pick([3, 4, 5, 6]),
    maxConsecutiveDays: pick([2, 3, 5]),
    minRestHours: pick([8, 11, 12]),
    consecutiveDaysOff: rand() < 0.5,
  };
  const shapes: Array<[string, number]> = [['06:00', 8.5], ['07:00', 8], ['09:30', 8.5], ['14:00', 8.5], ['16:00', 4], ['18:00', 6], ['22:00', 8.5]];
  const planned: PlannedShift[] = [];
  for (let d = 0; d < 14; d++) {
    const n = Math.floor(rand() * 3);
    for (let k = 0; k < n; k++) {
      const [time, hours] = pick(shapes);
      planned.push(shift(day(d), time, hours, { id: `s${d}-${k}-${time}` }));
    }
  }
  const model = buildPeriodModel(PERIOD);
  const infos = describeShifts(model, planned);
  const values = infos.map((i) => 10 * i.hours - Math.floor(rand() * 5));
  return { contract, infos, values, model, rand };
}

describe('best whole-period plan for one agent (DP)', () => {
  test('when compared with an exhaustive search over the rule functions, then the DP finds the same optimum on 120 random cases (some with a band on the total hours, some with working days of other rosters at the edges)', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const { contract, infos, values, model, rand } = randomCase(seed);
      const forced = rand() < 0.3 && infos.length > 0 ? [infos[Math.floor(rand() * infos.length)]] : [];
      const maxTotalHours = rand() < 0.3 ? 40 : undefined;
      // A band on the total that costs more per hour outside than an hour of shifts is worth: the
      // optimum then works fewer (or more) hours than it would without it.
      const totalHoursBand = seed % 3 === 0 ? { from: 20 + Math.floor(rand() * 20), to: 0, costPerHour: 15 + Math.floor(rand() * 20) } : undefined;
      if (totalHoursBand) totalHoursBand.to = totalHoursBand.from + 4;
      // days worked in the rosters before and after (a run that continues into the period)
      const edgeRuns = seed % 4 === 1 ? { before: Math.floor(rand() * 6), after: Math.floor(rand() * 6) } : undefined;
      const candidates: PlanCandidate[] = infos.filter((i) => !forced.includes(i)).map((info) => ({ info, value: values[info.index] }));
      const plan = bestAgentPlan({ model, contract, candidates, forced, belowMinimumCost: BELOW_MINIMUM_COST, maxTotalHours, totalHoursBand, calendar: edgeRuns && { edgeRuns, excusedWeeks: [] } });
      const expected = bruteForce(contract, infos, values, forced, maxTotalHours, totalHoursBand, edgeRuns);
      expect({ seed, value: plan?.value }).toEqual({ seed, value: expected });
      // The plan it returns is worth what it says and keeps every rule (independent checker), the
      // forced shift included: shifts chosen before it leave room for its hours, day and rest.
      const hours = plan!.shifts.reduce((sum, s) => sum + s.hours, 0);
      const worth = plan!.shifts.reduce((sum, s) => sum + (forced.includes(s) ? 0 : values[s.index]), 0) - BELOW_MINIMUM_COST * plan!.weeksBelowMinimum - bandCost(hours, totalHoursBand);
      expect(worth).toBeCloseTo(plan!.value, 9);
      const edgeDay = (offset: number) => DateTime.fromISO(PERIOD.from).plus({ days: offset }).toISODate()!;
      // far from the period's hours (rest is not what is tested here): a day's date is all a run needs
      const elsewhere = (offset: number) => ({ agentId: 'x', date: edgeDay(offset), start: 0, end: 0 });
      const commitments = [...Array.from({ length: edgeRuns?.before ?? 0 }, (_, k) => elsewhere(-1 - k)), ...Array.from({ length: edgeRuns?.after ?? 0 }, (_, k) => elsewhere(PERIOD.days + k))];
      const violations = checkRoster(plan!.shifts.map((s) => ({ ...s.shift, agentId: 'x' })), [agent('x', {}, contract)], PERIOD, { commitments });
      expect(violations.filter((v) => v.rule !== 'min-weekly-hours')).toEqual([]);
      expect(violations.length).toBe(plan!.weeksBelowMinimum);
    }
  });

  test('when the total hours have a band that costs more per hour outside than the shifts are worth, then the plan stops at the band', () => {
    const model = buildPeriodModel(PERIOD);
    const infos = describeShifts(model, [0, 1, 2, 3, 4, 7, 8, 9].map((d) => shift(day(d), '08:00', 8)));
    const contract: Contract = { class: 'c', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
    const candidates = infos.map((info) => ({ info, value: 10 * info.hours }));
    expect(bestAgentPlan({ model, contract, candidates, forced: [], belowMinimumCost: 0 })!.shifts).toHaveLength(8);
    const banded = bestAgentPlan({ model, contract, candidates, forced: [], belowMinimumCost: 0, totalHoursBand: { from: 36, to: 40, costPerHour: 30 } })!;
    expect(banded.shifts).toHaveLength(5);
    expect(banded.value).toBe(400);
  });

  test('when a late shift ends at 22:30, then the next day starts no earlier than the contract rest allows', () => {
    const model = buildPeriodModel(PERIOD);
    const infos = describeShifts(model, [shift(day(0), '14:00', 8.5), shift(day(1), '06:00', 8.5), shift(day(1), '09:30', 8.5)]);
    const contract: Contract = { class: 'c', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
    const plan = bestAgentPlan({ model, contract, candidates: infos.map((info) => ({ info, value: 10 })), forced: [], belowMinimumCost: 0 })!;
    expect(plan.shifts.map((s) => s.shift.id)).toEqual([infos[0].shift.id, infos[2].shift.id]);
  });

  test('when the weekly minimum can only be met with a short shift on a fifth day, then it takes it over a day off', () => {
    const model = buildPeriodModel(PERIOD);
    const planned = [0, 1, 2, 3].map((d) => shift(day(d), '08:00', 8)).concat([shift(day(4), '08:00', 4)]);
    const infos = describeShifts(model, planned);
    const contract: Contract = { class: 'c', minHoursPerWeek: 36, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
    // The short shift is worth nothing by itself: only the minimum makes it worth taking.
    const plan = bestAgentPlan({ model, contract, candidates: infos.map((info) => ({ info, value: info.hours === 4 ? -1 : 80 })), forced: [], belowMinimumCost: 1000 })!;
    expect(plan.shifts).toHaveLength(5);
    expect(plan.weeksBelowMinimum).toBe(1); // the second week has no shifts at all
  });
});
