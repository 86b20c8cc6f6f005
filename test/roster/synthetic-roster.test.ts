import { assignShifts } from '../../src/roster/assign';
import { checkRoster } from '../../src/roster/checker';
import { planShifts, localDates } from '../../src/roster/lp/plan';
import { DEFAULT_TEMPLATES } from '../../src/roster/templates';
import { syntheticRosterInstance } from '../../src/roster/synthetic';
import { cloudSlots } from '../../src/roster/slots';

describe('LP plan → named roster on a realistic instance', () => {
  test('when 40 agents take the LP plan of three skill groups, then the checker finds no violation and uncovered shifts become slots', () => {
    const period = { from: '1999-02-01', days: 14, timeZone: 'Asia/Jerusalem' };
    const instance = syntheticRosterInstance({ agents: 40, ...period, seed: 7 });
    const plan = planShifts({
      skillGroups: instance.skillGroups,
      requirement: instance.requirement,
      templates: DEFAULT_TEMPLATES,
      dates: localDates(period.from, period.days, period.timeZone),
    });
    const result = assignShifts({ plannedShifts: plan.shifts, agents: instance.agents, period });
    const violations = checkRoster(result.roster, instance.agents, period);
    // The weekly minimum is the one rule that depends on the plan leaving enough hours; it is reported, not hidden.
    expect(violations.filter((v) => v.rule !== 'min-weekly-hours')).toEqual([]);
    expect(violations).toHaveLength(result.belowMinimum.length);
    expect(result.roster.length + result.uncovered.length + result.standIns.length).toBe(plan.shifts.length + result.topUps.length);
    const slots = cloudSlots(result.uncovered);
    expect(slots.reduce((n, s) => n + s.agentsNeeded, 0)).toBe(result.uncovered.length);
  });
});
