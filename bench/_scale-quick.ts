import { assignShifts } from '../src/roster/assign';
import { checkRoster } from '../src/roster/checker';
import { planShifts, localDates } from '../src/roster/lp/plan';
import { DEFAULT_TEMPLATES } from '../src/roster/templates';
import { syntheticRosterInstance } from '../src/roster/synthetic';
const PERIOD = { from: '1999-02-01', days: 14, timeZone: 'Asia/Jerusalem' };
const T = DEFAULT_TEMPLATES.filter((t) => t.id !== 'mid-part');
for (const n of (process.env.SIZES ?? '50,1000').split(',').map(Number)) {
  const instance = syntheticRosterInstance({ agents: n, ...PERIOD, seed: 2026 });
  const plan = planShifts({ skillGroups: instance.skillGroups, requirement: instance.requirement, templates: T, dates: localDates(PERIOD.from, PERIOD.days, PERIOD.timeZone), clock: () => performance.now() });
  const t0 = performance.now();
  const r = assignShifts({ plannedShifts: plan.shifts, agents: instance.agents, period: PERIOD });
  const ms = performance.now() - t0;
  const v = checkRoster(r.roster, instance.agents, PERIOD).length;
  console.log(`${n}: ${ms.toFixed(0)} ms viol ${v} uncovered ${r.uncovered.length} (${r.objective.uncoveredHours} h) topups ${r.topUps.length} below ${r.belowMinimum.length} obj ${r.objective.value} fairness ${r.fairness.map((c) => `${c.contractClass} ${c.hours.min}-${c.hours.max} out ${c.agentsOutsideBand}`).join('; ')}`);
}
