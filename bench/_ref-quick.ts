import { assignShifts } from '../src/roster/assign';
import { checkRoster } from '../src/roster/checker';
import { planShifts, localDates } from '../src/roster/lp/plan';
import { DEFAULT_TEMPLATES } from '../src/roster/templates';
import { syntheticRosterInstance } from '../src/roster/synthetic';
const PERIOD = { from: '1999-02-01', days: 14, timeZone: 'Asia/Jerusalem' };
const T = DEFAULT_TEMPLATES.filter((t) => t.id !== 'mid-part');
const instance = syntheticRosterInstance({ agents: 30, ...PERIOD, seed: 11 });
const plan = planShifts({ skillGroups: instance.skillGroups, requirement: instance.requirement, templates: T, dates: localDates(PERIOD.from, PERIOD.days, PERIOD.timeZone), clock: () => performance.now() });
const seeds = (process.env.SEEDS ?? '1,2,3,4').split(',').map(Number);
const agents = instance.agents;
for (const seed of seeds) {
  const t0 = performance.now();
  const r = assignShifts({ plannedShifts: plan.shifts, agents, period: PERIOD, options: { topUpToMinimumHours: false, seed } });
  const ms = performance.now() - t0;
  const vv = checkRoster(r.roster, agents, PERIOD); const v = vv.length; if (v) console.log(JSON.stringify(vv).slice(0, 1500));
  const hrs = (s: any) => (s.end - s.start) / 3.6e6;
  const tot = new Map<string, number>(); const short = new Map<string, number>();
  const cls = new Map(agents.map((a) => [a.id, a.contract.class]));
  for (const s of r.roster) { tot.set(s.agentId, (tot.get(s.agentId) ?? 0) + hrs(s)); if (hrs(s) < 5) short.set(cls.get(s.agentId)!, (short.get(cls.get(s.agentId)!) ?? 0) + 1); }
  const byC = (c: string) => agents.filter((a) => a.contract.class === c).map((a) => tot.get(a.id) ?? 0);
  const ft = byC('full-time'), pt = byC('part-time');
  console.log(`seed ${seed}: obj ${r.objective.value} unc ${r.objective.uncoveredHours} spread ${r.objective.hoursSpreadSum} gap ${(100 * (r.objective.value - 1961) / 1961).toFixed(1)}% ${ms.toFixed(0)} ms viol ${v} FT ${Math.min(...ft)}-${Math.max(...ft)} PT ${Math.min(...pt)}-${Math.max(...pt)} short ${JSON.stringify([...short])}`);
}
if (process.env.DETAIL) {
  const r = assignShifts({ plannedShifts: plan.shifts, agents, period: PERIOD, options: { topUpToMinimumHours: false, seed: seeds[0] } });
  const hrs = (s: any) => (s.end - s.start) / 3.6e6;
  const byDay = new Map<string, string[]>();
  for (const s of r.uncovered) byDay.set(s.date, [...(byDay.get(s.date) ?? []), `${s.skillGroupId}:${s.templateId}@${new Date(s.start).toISOString().slice(11, 16)}`]);
  console.log('uncovered by day', [...byDay].sort());
  const cls = new Map(agents.map((a) => [a.id, a]));
  for (const s of r.roster) if (hrs(s) < 5) { const a = cls.get(s.agentId)!; console.log('short', s.date, s.skillGroupId, s.templateId, a.id, a.contract.class, a.skills.map((k) => k.skillGroupId).join('+'), JSON.stringify(a.availability ?? null).slice(0, 40), a.daysOff ?? ''); }
  console.log('planned by len', plan.shifts.reduce((m: any, s) => ((m[hrs(s)] = (m[hrs(s)] ?? 0) + 1), m), {}));
  console.log('agents', agents.map((a) => `${a.id}:${a.contract.class[0]}:${a.skills.map((k) => k.skillGroupId).join('+')}${a.availability ? ':R' : ''}`).join(' '));
}
