/**
 * Why do agents stay outside their class's fairness band? Runs the assignment pipeline of
 * bench/roster.bench.ts's scale part (same instances) and prints, per agent outside the band, its total,
 * the band, its possible totals, and for each of its shifts which classmates could take it and which
 * rule blocks the others, and the uncovered shifts it could work. `tsx bench/roster-fairness-diagnose.ts 200 1000`
 * (SEED=… for another synthetic instance, LEVEL=0 to leave out the band levelling pass, BAND_FIRST=1 to
 * run hoursFairness 'band-first''s joint re-planning after it).
 */
import { assignBeforeLevelling, type AssignmentEngine } from '../src/roster/assign';
import { levelIntoBands } from '../src/roster/levelling';
import type { Agent } from '../src/domain/types';
import type { PlannedShift } from '../src/roster/types';
import { planShifts, localDates } from '../src/roster/lp/plan';
import { DEFAULT_TEMPLATES } from '../src/roster/templates';
import { syntheticRosterInstance } from '../src/roster/synthetic';
import { firstRefusal, removalKeepsMinimumHours } from '../src/roster/rules';
import { chooseBandFloor, unfairDistance } from '../src/roster/fairness';
import type { PlanningPeriod } from '../src/roster/assignment-model';

const PERIOD: PlanningPeriod = { from: '1999-02-01', days: 14, timeZone: 'Asia/Jerusalem' };
const BENCH_TEMPLATES = DEFAULT_TEMPLATES.filter((t) => t.id !== 'mid-part');

for (const n of process.argv.slice(2).map(Number)) {
  const instance = syntheticRosterInstance({ agents: n, ...PERIOD, seed: Number(process.env.SEED ?? 2026) });
  const plan = planShifts({ skillGroups: instance.skillGroups, requirement: instance.requirement, templates: BENCH_TEMPLATES, dates: localDates(PERIOD.from, PERIOD.days, PERIOD.timeZone), clock: () => performance.now() });
  const t0 = performance.now();
  const engine = runPipeline(instance.agents.filter((a) => a.kind === 'partner'), plan.shifts);
  const result = engine.result();
  console.log(`${n} agents: ${((performance.now() - t0) / 1000).toFixed(1)} s, uncovered ${result.uncovered.length}, top-ups ${result.topUps.length}`);
  for (const c of result.fairness) console.log(`  ${c.contractClass}: ${c.hours.min}–${c.hours.max} band ${c.band.from}–${c.band.to} outside ${c.agentsOutsideBand}`);
  const e = engine;
  const lengths = new Map<number, number>();
  for (const i of e.infos) lengths.set(i.hours, (lengths.get(i.hours) ?? 0) + 1);
  console.log('  shift lengths', [...lengths.entries()]);
  const width = Math.min(...e.infos.map((i) => i.hours));
  const classes = [...new Set(e.agents.map((a) => a.contract.class))];
  for (const cls of classes) {
    const members = e.agents.map((_, i) => i).filter((i) => e.agents[i].contract.class === cls);
    const totals = members.map((m) => e.possibleTotals(m));
    const floor = chooseBandFloor(members.map((m) => e.schedules[m].totalHours), totals, width);
    const hist = new Map<number, number>();
    for (const m of members) hist.set(e.schedules[m].totalHours, (hist.get(e.schedules[m].totalHours) ?? 0) + 1);
    console.log(`  ${cls} histogram`, [...hist.entries()].sort((a, b) => a[0] - b[0]).map(([h, k]) => `${h}:${k}`).join(' '));
    members.forEach((x, k) => {
      const s = e.schedules[x];
      const d = unfairDistance(s.totalHours, totals[k], floor, floor + width);
      if (d <= 1e-9) return;
      const agent = e.agents[x];
      console.log(`  OUT ${agent.id} ${cls} total ${s.totalHours} band ${floor}–${floor + width} skills ${agent.skills.map((q) => q.skillGroupId)} avail ${agent.availability ? 'limited' : '-'} daysOff ${agent.daysOff ?? '-'} weeks ${Array.from(s.hoursInWeek)} possible ${totals[k].slice(0, 30).join(',')}`);
      // Uncovered shifts it could work: which rule stops it taking each one (coverage would gain).
      const open = new Map<string, number>();
      e.infos.forEach((info, t) => {
        if (e.assignedTo[t] !== -1 || !e.eligible[t].includes(x)) return;
        const key = `${info.shift.kind}/${info.hours}h:${firstRefusal(s, info, e.ctx)?.id ?? 'OK'}`;
        open.set(key, (open.get(key) ?? 0) + 1);
      });
      if (open.size) console.log(`    uncovered it is eligible for: ${[...open.entries()].map(([k, v]) => `${k}×${v}`).join(' ')}`);
      const shifts = Array.from(s.shiftOnDay).filter((t) => t >= 0);
      for (const t of shifts) {
        const info = e.ctx.shifts[t];
        const refusals = new Map<string, number>();
        let takers = 0;
        for (const b of t < e.infos.length ? e.eligible[t] : []) {
          if (b === x) continue;
          const sb = e.schedules[b];
          if (Math.abs(sb.totalHours + info.hours - (floor + width / 2)) > 100) continue;
          const r = firstRefusal(sb, info, e.ctx);
          const key = `${r?.id ?? 'OK'}${e.agents[b].contract.class === cls ? '' : '(other)'}@${sb.totalHours}`;
          refusals.set(key, (refusals.get(key) ?? 0) + 1);
          if (!r) takers++;
        }
        console.log(`    d${info.day} ${info.shift.kind} ${info.hours}h ${info.shift.skillGroupId} minKeep=${removalKeepsMinimumHours(s, info, e.model)} eligible ${t < e.infos.length ? e.eligible[t].length : 0}: ${[...refusals.entries()].sort().map(([k, v]) => `${k}×${v}`).join(' ')}`);
      }
    });
  }
}

/** assignShifts with default options, the band levelling run here (LEVEL=0 leaves it out, PER=… sets its budget), returning the engine. */
function runPipeline(agents: Agent[], planned: PlannedShift[]): AssignmentEngine {
  const { engine } = assignBeforeLevelling({ plannedShifts: planned, agents, period: PERIOD });
  console.log('  outside before the levelling pass:', engine.result().fairness.map((c) => `${c.contractClass} ${c.agentsOutsideBand}`).join(', '));
  const tl = performance.now();
  if (process.env.LEVEL !== '0') console.log('  chains', levelIntoBands(engine, process.env.PER ? { maxStepsPerOffender: Number(process.env.PER), maxSteps: 20 * Number(process.env.PER) } : {}), `${(performance.now() - tl).toFixed(0)} ms`);
  if (process.env.BAND_FIRST === '1') console.log('  band-first re-plans', engine.fitBandsJointly(), `${(performance.now() - tl).toFixed(0)} ms`);
  return engine;
}
