/**
 * Roster assignment benchmark (`npm run bench:roster`):
 *   1. exact reference — the same agent-level model (hard rules as constraints, objective
 *      10 × uncovered hours + Σ per-class hours spread) solved by HiGHS (MILP, WASM) vs our greedy +
 *      local search on ~30 agents × 14 days, side by side;
 *   2. scale — 50, 200 and 1,000 partner agents × 14 days × 3 skill groups (30-minute intervals):
 *      B's LP plans the shifts, we name the agents; times, memory, total scheduled hours against the
 *      LP relaxation's bound, checker violations, fairness spreads per contract class. Where the plan
 *      is above 1.05 × that bound, HiGHS finds the fewest paid hours any integer plan needs for the same
 *      coverage (what separates the two is integrality, not our rounding).
 */
import { DateTime } from 'luxon';
import loadHighs from 'highs';
import { assignShifts, AssignmentEngine, UNCOVERED_HOUR_WEIGHT, type AssignmentResult } from '../src/roster/assign';
import { checkRoster } from '../src/roster/checker';
import { planShifts, localDates, buildSubproblem } from '../src/roster/lp/plan';
import { DEFAULT_TEMPLATES } from '../src/roster/templates';
import { syntheticRosterInstance } from '../src/roster/synthetic';
import { cloudSlots } from '../src/roster/slots';
import type { Agent } from '../src/domain/types';
import type { PlannedShift } from '../src/roster/types';
import type { PlanningPeriod } from '../src/roster/assignment-model';
import { table, writeBenchmarkSection } from './report';

const PERIOD: PlanningPeriod = { from: '1999-02-01', days: 14, timeZone: 'Asia/Jerusalem' };
const HIGHS_TIME_LIMIT_S = Number(process.env.HIGHS_TIME_LIMIT ?? 120);
const fmt = (x: number, d = 1) => x.toFixed(d);
/** a ratio as a percentage, without the "-0.00" of a difference below the last digit shown */
const percent = (ratio: number, d: number) => fmt(Math.abs(100 * ratio) < 0.5 * 10 ** -d ? 0 : 100 * ratio, d);
/**
 * B's default templates without the 4-hour mid-day shift: with it, half the LP's shifts are 4 hours,
 * which a workforce of 60% full-timers (≥ 34 h in ≤ 5 days) cannot absorb without top-ups.
 */
const BENCH_TEMPLATES = DEFAULT_TEMPLATES.filter((t) => t.id !== 'mid-part');

function planFor(agents: number, seed: number, load?: number) {
  const instance = syntheticRosterInstance({ agents, ...PERIOD, seed, load });
  const t0 = performance.now();
  const plan = planShifts({
    skillGroups: instance.skillGroups,
    requirement: instance.requirement,
    templates: BENCH_TEMPLATES,
    dates: localDates(PERIOD.from, PERIOD.days, PERIOD.timeZone),
    clock: () => performance.now(),
  });
  return { instance, plan, lpMs: performance.now() - t0 };
}

/** The agent-level MILP in CPLEX LP format, built from the same eligibility and rules. */
function agentLevelModel(agents: Agent[], planned: PlannedShift[]): string {
  const engine = new AssignmentEngine(agents, planned, PERIOD, {});
  const { infos, model } = engine;
  const x = (a: number, s: number) => `x${a}_${s}`;
  const objective: string[] = [];
  const rows: string[] = [];
  const binaries: string[] = [];
  const byAgent: Array<Map<number, number[]>> = agents.map(() => new Map());
  infos.forEach((info, s) => {
    for (const a of engine.eligible[s]) {
      binaries.push(x(a, s));
      const days = byAgent[a];
      days.set(info.day, [...(days.get(info.day) ?? []), s]);
    }
    objective.push(`${fmt(UNCOVERED_HOUR_WEIGHT * info.hours, 4)} u${s}`);
    rows.push(`cover${s}: ${[...engine.eligible[s]].map((a) => x(a, s)).concat(`u${s}`).join(' + ')} = 1`);
  });
  const classes = [...new Set(agents.map((a) => a.contract.class))];
  classes.forEach((c, k) => objective.push(`hmax${k} - hmin${k}`));
  const sum = (terms: string[]) => (terms.length ? terms.join(' + ') : '0 x_dummy');
  agents.forEach((agent, a) => {
    const c = agent.contract;
    const days = byAgent[a];
    const onDay = (d: number) => days.get(d) ?? [];
    for (const [d, list] of days) if (list.length > 1) rows.push(`day${a}_${d}: ${sum(list.map((s) => x(a, s)))} <= 1`);
    // rest: a shift and all conflicting shifts of the next two days (at most one per day, so ≤ 1 is exact per pair of days)
    for (const [d, list] of days) {
      for (const s of list) {
        for (const d2 of [d + 1, d + 2]) {
          const conflicting = onDay(d2).filter((t) => infos[t].shift.start - infos[s].shift.end < c.minRestHours * 3_600_000);
          if (conflicting.length) rows.push(`rest${a}_${s}_${d2}: ${x(a, s)} + ${sum(conflicting.map((t) => x(a, t)))} <= 1`);
        }
      }
    }
    for (let w = 0; w < model.weeks; w++) {
      const inWeek = [...days.entries()].filter(([d]) => Math.floor(d / 7) === w).flatMap(([, l]) => l);
      const hours = inWeek.map((s) => `${fmt(infos[s].hours, 4)} ${x(a, s)}`);
      rows.push(`maxh${a}_${w}: ${sum(hours)} <= ${c.maxHoursPerWeek}`);
      rows.push(`maxd${a}_${w}: ${sum(inWeek.map((s) => x(a, s)))} <= ${Math.min(c.maxDaysPerWeek, model.weekLength[w] === 7 ? 5 : 7)}`);
      if (model.weekLength[w] === 7) {
        if (c.minHoursPerWeek > 0) rows.push(`minh${a}_${w}: ${sum(hours)} >= ${c.minHoursPerWeek}`);
        if (c.consecutiveDaysOff) {
          const z = (k: number) => `z${a}_${w}_${k}`;
          rows.push(`pair${a}_${w}: ${[0, 1, 2, 3, 4, 5].map(z).join(' + ')} = 1`);
          for (let k = 0; k < 6; k++) {
            binaries.push(z(k));
            for (const d of [w * 7 + k, w * 7 + k + 1]) if (onDay(d).length) rows.push(`off${a}_${w}_${k}_${d}: ${sum(onDay(d).map((s) => x(a, s)))} + ${z(k)} <= 1`);
          }
        }
      }
    }
    for (let d0 = 0; d0 + c.maxConsecutiveDays < model.period.days; d0++) {
      const window: number[] = [];
      for (let d = d0; d <= d0 + c.maxConsecutiveDays; d++) window.push(...onDay(d));
      if (window.length) rows.push(`run${a}_${d0}: ${sum(window.map((s) => x(a, s)))} <= ${c.maxConsecutiveDays}`);
    }
    const k = classes.indexOf(c.class);
    const total = [...days.values()].flat().map((s) => `${fmt(infos[s].hours, 4)} ${x(a, s)}`);
    rows.push(`hi${a}: hmax${k} - ${total.join(' - ') || '0 x_dummy'} >= 0`);
    rows.push(`lo${a}: ${total.join(' + ') || '0 x_dummy'} - hmin${k} >= 0`);
  });
  const wrap = (text: string) => text.replace(/((?:\S+\s+){12})/g, '$1\n ');
  return [
    'Minimize',
    ` obj: ${wrap(objective.join(' + '))}`,
    'Subject To',
    ...rows.map((r) => ` ${wrap(r)}`),
    'Bounds',
    ...infos.map((_, s) => ` 0 <= u${s} <= 1`),
    ' x_dummy = 0',
    'Binary',
    ...binaries.map((b) => ` ${b}`),
    'End',
  ].join('\n');
}

/** Uncovered hours, hours spread per class and shortest shifts worked per class of a roster of planned shifts. */
function profile(roster: Array<PlannedShift & { agentId: string }>, agents: Agent[], planned: PlannedShift[]) {
  const hours = (s: PlannedShift) => (s.end - s.start) / 3_600_000;
  const shortest = Math.min(...planned.map(hours));
  const total = new Map(agents.map((a) => [a.id, 0]));
  const shortByClass = new Map<string, number>();
  const classOf = new Map(agents.map((a) => [a.id, a.contract.class]));
  for (const s of roster) {
    total.set(s.agentId, total.get(s.agentId)! + hours(s));
    if (hours(s) <= shortest + 1e-9) shortByClass.set(classOf.get(s.agentId)!, (shortByClass.get(classOf.get(s.agentId)!) ?? 0) + 1);
  }
  const classes = [...new Set(agents.map((a) => a.contract.class))].sort();
  const spread = classes.map((c) => {
    const h = agents.filter((a) => a.contract.class === c).map((a) => total.get(a.id)!);
    return `${c} ${Math.min(...h)}–${Math.max(...h)}`;
  });
  const uncovered = planned.reduce((t, s) => t + hours(s), 0) - roster.reduce((t, s) => t + hours(s), 0);
  return { uncovered, spread: spread.join(', '), short: classes.map((c) => `${c} ${shortByClass.get(c) ?? 0}`).join(', ') };
}

async function exactReference(): Promise<string> {
  const agentsCount = 30;
  const { instance, plan } = planFor(agentsCount, 11);
  const agents = instance.agents;
  const t0 = performance.now();
  const ours = assignShifts({ plannedShifts: plan.shifts, agents, period: PERIOD, options: { topUpToMinimumHours: false } });
  const oursMs = performance.now() - t0;
  const oursViolations = checkRoster(ours.roster, agents, PERIOD).length;
  // The search is sensitive to its seed on this instance: other seeds, for the spread of outcomes.
  const otherSeeds = [2, 3, 4, 5, 6, 7, 8].map((seed) => assignShifts({ plannedShifts: plan.shifts, agents, period: PERIOD, options: { topUpToMinimumHours: false, seed } }).objective.value);
  // Side by side: the same pipeline without joint planning (greedy construction + the long local search).
  const t2 = performance.now();
  const searchOnly = assignShifts({ plannedShifts: plan.shifts, agents, period: PERIOD, options: { topUpToMinimumHours: false, jointPlanMaxRows: 0 } });
  const searchOnlyMs = performance.now() - t2;
  const searchOnlyProfile = profile(searchOnly.roster, agents, plan.shifts);
  const searchOnlyViolations = checkRoster(searchOnly.roster, agents, PERIOD).length;

  const lp = agentLevelModel(agents, plan.shifts);
  const highs = await loadHighs();
  const t1 = performance.now();
  const exact = highs.withModel({ format: 'lp', data: lp }, (model) => {
    model.options.set({ time_limit: HIGHS_TIME_LIMIT_S, output_flag: false });
    model.run();
    const code = Number(model.getModelStatus());
    const status = Object.entries(highs.constants.modelStatus as Record<string, number>).find(([, v]) => v === code)?.[0] ?? String(code);
    const solution = model.getSolution();
    const chosen: string[] = [];
    for (let j = 0; j < solution.colValue.length; j++) {
      if (solution.colValue[j] > 0.5) chosen.push(model.getColName(j));
    }
    return {
      chosen,
      status,
      objective: model.getObjectiveValue(),
      bound: Number(model.info.get('mip_dual_bound')),
      gap: Number(model.info.get('mip_gap')),
    };
  });
  const highsMs = performance.now() - t1;
  // Cross-check that both solve the same model: HiGHS's roster must pass our independent checker too.
  const highsRoster = exact.chosen
    .map((name) => /^x(\d+)_(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ ...plan.shifts[Number(m[2])], agentId: agents[Number(m[1])].id }));
  const highsViolations = checkRoster(highsRoster, agents, PERIOD).length;
  const reference = Number.isFinite(exact.objective) ? exact.objective : NaN;
  const bound = Number.isFinite(exact.bound) ? exact.bound : reference;
  const vsOptimum = (ours.objective.value - reference) / Math.max(1e-9, reference);
  const vsBound = (ours.objective.value - bound) / Math.max(1e-9, bound);
  const columns = lp.split('\n').filter((l) => /^ x\d+_\d+$/.test(l)).length;
  const oursProfile = profile(ours.roster, agents, plan.shifts);
  const highsProfile = profile(highsRoster, agents, plan.shifts);
  console.log(`reference: ours ${ours.objective.value} in ${fmt(oursMs, 0)} ms; HiGHS ${exact.status} ${reference} (bound ${bound}) in ${fmt(highsMs, 0)} ms`);
  const seedMean = [ours.objective.value, ...otherSeeds].reduce((t, v) => t + v, 0) / (1 + otherSeeds.length);
  return [
    `Instance: ${agentsCount} partner agents (2 contract classes, mixed skills, availability limits, days off), 14 days, 3 skill groups, ` +
      `${plan.shifts.length} planned shifts from the LP (the LP's integer plan at this size is ~${fmt((100 * plan.integer.paidHours) / agents.reduce((t, a) => t + 2 * a.contract.maxHoursPerWeek, 0), 0)}% of the agents' contract maximum, so some shifts must stay uncovered); ` +
      `${columns} binary agent×shift variables. Objective (both): ${UNCOVERED_HOUR_WEIGHT} × uncovered paid hours + Σ per contract class (max − min total hours). ` +
      `Top-ups are off for this comparison (the MILP has none); the weekly minimum is a hard constraint in both.`,
    '',
    table(
      ['solver', 'objective', 'uncovered h', 'total hours per class (min–max)', '4-hour shifts worked', 'time', 'status', 'checker violations'],
      [
        ['column generation + diving, then local search (ours)', fmt(ours.objective.value, 2), fmt(ours.objective.uncoveredHours, 1), oursProfile.spread, oursProfile.short, `${fmt(oursMs, 0)} ms`, '—', oursViolations],
        ['ours without joint planning (greedy + local search + DP exchanges)', fmt(searchOnly.objective.value, 2), fmt(searchOnly.objective.uncoveredHours, 1), searchOnlyProfile.spread, searchOnlyProfile.short, `${fmt(searchOnlyMs, 0)} ms`, '—', searchOnlyViolations],
        [`HiGHS MILP (time limit ${HIGHS_TIME_LIMIT_S} s)`, fmt(reference, 2), fmt(highsProfile.uncovered, 1), highsProfile.spread, highsProfile.short, `${fmt(highsMs / 1000, 1)} s`, `${exact.status}; bound ${fmt(bound, 2)}; gap ${fmt(100 * exact.gap, 2)}%`, highsViolations],
      ],
    ),
    '',
    `Ours vs HiGHS's best solution: ${percent(vsOptimum, 2)}% · vs HiGHS's proven bound: ${percent(vsBound, 2)}% (target ≤ 3%: ${vsOptimum <= 0.03 || vsBound <= 0.03 ? 'met' : 'NOT met'}). ` +
      `Seeds 2–8 (default is 1) give ${otherSeeds.map((v) => `${fmt(v, 1)} (${percent((v - reference) / reference, 1)}%)`).join(', ')}; ` +
      `mean over seeds 1–8 ${fmt(seedMean, 1)} (${percent((seedMean - reference) / reference, 1)}%).`,
    '',
    'What it takes: the plan holds more 8.5-hour shifts than the agents can work, plus 4-hour evening shifts. A full-timer ' +
      '(5 days, 42.5 h) loses 4.5 h of capacity on every 4-hour shift, a part-timer (4 days, 26 h) can work two 8.5-hour and two 4-hour ' +
      'shifts a week (25 h) as well as three 8.5-hour ones (25.5 h). The optimum gives full-timers only 8.5-hour shifts and lets ' +
      'part-timers absorb the 4-hour ones ("4-hour shifts worked" above); getting there from a good roster means re-patterning many ' +
      'agents at once, which the local search (moves, swaps, ruin and recreate, DP exchanges of 1–4 agents) did not do. Joint planning ' +
      '(src/roster/column-generation.ts) sees all agents at once: a set-packing LP over whole schedules, priced by the exact one-agent DP ' +
      'with the LP\'s duals until no schedule improves (the LP is then an upper bound on any roster), then diving (fix the columns the LP takes whole, else the largest, ' +
      're-price) — on the revised simplex of src/roster/packing-simplex.ts with Devex pricing (javascript-lp-solver neither re-solves from a basis nor gives duals). ' +
      'It runs while planned shifts + agents ≤ 400 (dense basis inverse: rows² per pivot), so the scale rows below are unchanged; ' +
      'it is deterministic, so the seeds only move the short search after it. Until 2026-12-01 the dive fixed every column above ½ at once and landed at 2010.5 (2.5%; one full-timer kept a 4-hour shift): ' +
      'in the LP\'s degenerate optima that committed to half-chosen schedules, and which ones depended on floating-point ties (2.5–4.6% in development runs); fixing only whole columns reaches the optimum.',
  ].join('\n');
}

interface ScaleRow {
  agents: number;
  shifts: number;
  lpMs: number;
  assignMs: number;
  checkMs: number;
  heapMb: number;
  rssMb: number;
  result: AssignmentResult;
  violations: number;
  /** the instance and its LP plan (the band-first run reuses them) */
  instance: ReturnType<typeof planFor>['instance'];
  plan: ReturnType<typeof planFor>['plan'];
  lowerBoundHours: number;
  integerHours: number;
  topUpHours: number;
  /** hours of planned shifts that top-ups stand in for (worked inside a top-up's span, not as planned) */
  standInHours: number;
  slots: number;
}

/** Paid hours of the roster as it will be worked: the plan, less what top-ups stand in for, plus the top-ups. */
function scheduledHours(r: ScaleRow): number {
  return r.integerHours - r.standInHours + r.topUpHours;
}

function scaleRun(agents: number): ScaleRow {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const { instance, plan, lpMs } = planFor(agents, 2026);
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  // as the build-roster job runs it: with the plan's templates (longer shifts may stand in for uncovered ones)
  const result = assignShifts({ plannedShifts: plan.shifts, agents: instance.agents, period: PERIOD, templates: BENCH_TEMPLATES });
  const assignMs = performance.now() - t0;
  const heapAfter = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  const violations = checkRoster(result.roster, instance.agents, PERIOD).length;
  const checkMs = performance.now() - t1;
  const topUpHours = result.topUps.reduce((sum, s) => sum + (s.end - s.start) / 3_600_000, 0);
  const standingIn = new Set(result.standIns.map((x) => x.plannedShiftId));
  const standInHours = plan.shifts.filter((s) => standingIn.has(s.id)).reduce((sum, s) => sum + (s.end - s.start) / 3_600_000, 0);
  const row: ScaleRow = {
    agents,
    instance,
    plan,
    shifts: plan.shifts.length,
    lpMs,
    assignMs,
    checkMs,
    heapMb: (heapAfter - heapBefore) / 2 ** 20,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    result,
    violations,
    lowerBoundHours: plan.lowerBound.paidHours,
    integerHours: plan.integer.paidHours,
    topUpHours,
    standInHours,
    slots: cloudSlots(result.uncovered).length,
  };
  console.log(`${agents} agents: assign ${fmt(assignMs, 0)} ms, check ${fmt(checkMs, 0)} ms, violations ${violations}, uncovered ${result.uncovered.length}, top-ups ${result.topUps.length}`);
  return row;
}

/** HiGHS's time limit per skill group for the same-coverage integer optimum (PS at 50 agents: ~60 s to prove it). */
const SAME_COVERAGE_TIME_LIMIT_S = Number(process.env.SAME_COVERAGE_TIME_LIMIT ?? 120);

interface SameCoverage {
  relaxation: number;
  best: number;
  bound: number;
  proven: boolean;
  ms: number;
}

/**
 * The fewest paid hours of any integer plan with these templates that covers, in every interval, at
 * least what our plan covers there (up to the requirement): min Σ paidHours·x  s.t.  Σ a·x ≥ min(required,
 * ours), x ∈ ℤ≥0 — and its LP relaxation — per skill group, solved by HiGHS (benchmark only). Our plan is
 * feasible for it, so its optimum is at most ours.
 */
async function sameCoverageOptimum(row: ScaleRow): Promise<SameCoverage> {
  const highs = await loadHighs();
  const dates = localDates(PERIOD.from, PERIOD.days, PERIOD.timeZone);
  const out: SameCoverage = { relaxation: 0, best: 0, bound: 0, proven: true, ms: 0 };
  for (const group of row.instance.skillGroups) {
    const sub = buildSubproblem(group, row.instance.requirement, BENCH_TEMPLATES, dates, { underPerAgentHour: 20, overPerAgentHour: 0.1 });
    const covered = new Map(row.plan.coverage.filter((c) => c.skillGroupId === group.id).map((c) => [c.intervalStart, Math.min(c.required, c.scheduled)]));
    const terms = new Map<number, string[]>();
    sub.coverage.forEach((cells, o) => {
      for (const [k, a] of cells) (terms.get(k) ?? terms.set(k, []).get(k)!).push(`+ ${a} x${o}`);
    });
    const lines = ['Minimize', ` obj: ${sub.options.map((o, i) => `+ ${o.paidHours} x${i}`).join(' ')}`, 'Subject To'];
    sub.intervalStarts.forEach((start, k) => {
      // a hair below ours: the coverage fractions are printed in decimal
      const need = (covered.get(start) ?? 0) - 1e-6;
      if (need > 0 && terms.has(k)) lines.push(` c${k}: ${terms.get(k)!.join(' ')} >= ${need}`);
    });
    const relaxation = highs.withModel({ format: 'lp', data: [...lines, 'End'].join('\n') }, (model) => {
      model.options.set({ output_flag: false });
      model.run();
      return model.getObjectiveValue();
    });
    const t = performance.now();
    const integer = highs.withModel({ format: 'lp', data: [...lines, 'Generals', ...sub.options.map((_, i) => ` x${i}`), 'End'].join('\n') }, (model) => {
      model.options.set({ output_flag: false, time_limit: SAME_COVERAGE_TIME_LIMIT_S });
      model.run();
      return { best: model.getObjectiveValue(), bound: Number(model.info.get('mip_dual_bound')), gap: Number(model.info.get('mip_gap')) };
    });
    out.ms += performance.now() - t;
    out.relaxation += relaxation;
    out.best += integer.best;
    out.bound += integer.bound;
    out.proven &&= integer.gap <= 1e-4;
  }
  return out;
}

/** The "scheduled ≤ 1.05 × LP bound" verdict for every size, with the integer optimum where it is not met. */
async function boundVerdict(rows: ScaleRow[]): Promise<string> {
  const ratio = (r: ScaleRow) => scheduledHours(r) / r.lowerBoundHours;
  const parts = [`Scheduled ≤ 1.05 × LP bound: ${rows.map((r) => `${r.agents} agents ${fmt(ratio(r), 3)} ${ratio(r) <= 1.05 ? 'met' : 'NOT met'}`).join(', ')}.`];
  for (const r of rows.filter((x) => ratio(x) > 1.05)) {
    const same = await sameCoverageOptimum(r);
    const scheduled = scheduledHours(r);
    console.log(`${r.agents} agents same coverage: relaxation ${fmt(same.relaxation)} integer ${fmt(same.best)} (bound ${fmt(same.bound)}) in ${fmt(same.ms, 0)} ms`);
    parts.push(
      `At ${r.agents} agents (demand of a few agents per interval, 8.5-hour shifts) the gap is integrality: the fewest paid hours of any integer plan with these templates that covers at least what ours covers in every interval ` +
        `(HiGHS, ${same.proven ? 'proven optimal' : `best ${fmt(same.best, 1)}, bound`} in ${fmt(same.ms / 1000, 0)} s) is ${fmt(same.bound, 1)} h = ${fmt(same.bound / same.relaxation, 3)} × that same coverage's LP relaxation (${fmt(same.relaxation, 1)} h); ` +
        `ours is ${fmt(scheduled, 1)} h, ${fmt(100 * (scheduled / same.bound - 1), 1)}% above it.` +
        (same.bound > 1.05 * same.relaxation ? ' So 1.05 × the relaxation is out of reach of every integer plan here.' : ''),
    );
  }
  return parts.join(' ');
}

/**
 * The 50-agent instance again with hoursFairness 'band-first' (agents outside their band re-planned
 * jointly with colleagues, then the whole roster with the bands traded; fairness before coverage),
 * beside the default run: agents outside, coverage, time.
 */
function bandFirstRun(coverageFirst: ScaleRow): string {
  const { instance, plan } = coverageFirst;
  const t0 = performance.now();
  const result = assignShifts({ plannedShifts: plan.shifts, agents: instance.agents, period: PERIOD, options: { hoursFairness: 'band-first' }, templates: BENCH_TEMPLATES });
  const ms = performance.now() - t0;
  const violations = checkRoster(result.roster, instance.agents, PERIOD).length;
  const uncoveredHours = (r: AssignmentResult) => r.uncovered.reduce((sum, u) => sum + (u.end - u.start) / 3_600_000, 0);
  const line = (mode: string, r: AssignmentResult, time: number, checked: number) => [
    mode,
    r.fairness.map((c) => `${c.contractClass} ${c.hours.min}–${c.hours.max}, band ${c.band.from}–${c.band.to}, ${c.agentsOutsideBand} of ${c.agents} outside`).join('; '),
    `${r.uncovered.length} (${fmt(uncoveredHours(r), 1)} h)`,
    r.belowMinimum.length,
    checked,
    `${fmt(time / 1000, 1)} s`,
  ];
  console.log(`${coverageFirst.agents} agents band-first: ${fmt(ms, 0)} ms, uncovered ${result.uncovered.length}, outside ${result.fairness.map((c) => c.agentsOutsideBand).join('/')}`);
  return [
    `Option \`hoursFairness\` on the ${coverageFirst.agents}-agent instance, same run:`,
    '',
    table(
      ['hoursFairness', 'hours per class (agents outside the band where availability allows)', 'uncovered shifts → cloud slots', 'below weekly min', 'checker violations', 'assignment time'],
      [line('coverage-first (default)', coverageFirst.result, coverageFirst.assignMs, coverageFirst.violations), line('band-first', result, ms, violations)],
    ),
  ].join('\n');
}

/**
 * Weekend and late shares over two fortnights: the 200-agent roster of the period, then the next
 * fortnight (same agents, its own requirement) planned once without and once with the first fortnight's
 * shifts as the previous rosters (AssignmentOptions.commitments: the shares rotate). Spreads per class
 * among the agents open to the share in both fortnights: no availability limit (the synthetic one is
 * weekdays 07:00–19:00), not asking to avoid weekends (weekend), not preferring early/day kinds only (late).
 */
function rotationRun(first: ScaleRow): string {
  const from = DateTime.fromISO(PERIOD.from, { zone: 'UTC' }).plus({ days: PERIOD.days }).toISODate()!;
  const next = { ...PERIOD, from };
  const instance = syntheticRosterInstance({ agents: first.agents, ...next, seed: 2026 });
  const plan = planShifts({ skillGroups: instance.skillGroups, requirement: instance.requirement, templates: BENCH_TEMPLATES, dates: localDates(next.from, next.days, next.timeZone), clock: () => performance.now() });
  const commitments = first.result.roster.map(({ agentId, start, end, date, kind }) => ({ agentId, start, end, date, kind }));
  const alone = assignShifts({ plannedShifts: plan.shifts, agents: instance.agents, period: next, templates: BENCH_TEMPLATES });
  const rotated = assignShifts({ plannedShifts: plan.shifts, agents: instance.agents, period: next, templates: BENCH_TEMPLATES, options: { commitments } });
  const violations = checkRoster(rotated.roster, instance.agents, next, { commitments }).length;
  const counts = (roster: AssignmentResult['roster']) => {
    const weekend = new Map<string, number>();
    const late = new Map<string, number>();
    for (const s of roster) {
      const weekday = DateTime.fromISO(s.date, { zone: 'UTC' }).weekday;
      if (weekday >= 6) weekend.set(s.agentId, (weekend.get(s.agentId) ?? 0) + 1);
      if (s.kind === 'late' || s.kind === 'night') late.set(s.agentId, (late.get(s.agentId) ?? 0) + 1);
    }
    return { weekend, late };
  };
  const before = counts(first.result.roster);
  const spread = (values: number[]) => `${Math.min(...values)}–${Math.max(...values)}`;
  const rows: Array<Array<string | number>> = [];
  for (const cls of [...new Set(instance.agents.map((a) => a.contract.class))].sort()) {
    const members = instance.agents.filter((a) => a.contract.class === cls && !a.availability);
    const weekendIds = members.filter((a) => !a.preferences?.avoidWeekends).map((a) => a.id);
    const lateIds = members.filter((a) => !a.preferences?.preferredShiftKinds?.every((k) => k === 'early' || k === 'day')).map((a) => a.id);
    for (const [label, result] of [['without the first fortnight', alone], ['with it (rotating)', rotated]] as const) {
      const now = counts(result.roster);
      const of = (m: Map<string, number>, id: string) => m.get(id) ?? 0;
      rows.push([
        cls,
        label,
        spread(weekendIds.map((id) => of(now.weekend, id))),
        spread(weekendIds.map((id) => of(before.weekend, id) + of(now.weekend, id))),
        spread(lateIds.map((id) => of(now.late, id))),
        spread(lateIds.map((id) => of(before.late, id) + of(now.late, id))),
        result.uncovered.length,
      ]);
    }
  }
  console.log(`rotation: ${rows.length} rows, violations ${violations}`);
  return [
    `Rotation over two fortnights (${first.agents} agents): the roster above, then ${next.from} + ${next.days} days planned without and with it as the previous roster. Checker violations with it: ${violations}.`,
    '',
    table(['contract class', 'second fortnight planned', 'weekend shifts, 2nd fortnight', 'weekend shifts, both', 'late shifts, 2nd fortnight', 'late shifts, both', 'uncovered shifts'], rows),
  ].join('\n');
}

async function main(): Promise<void> {
  const reference = await exactReference();
  if (process.env.BENCH_PART === 'reference') return;
  const rows = [50, 200, 1000].map(scaleRun);
  const bandFirst = bandFirstRun(rows[0]);
  const rotation = rotationRun(rows[1]);
  const verdict = await boundVerdict(rows);
  const scaleTable = table(
    ['partner agents', 'planned shifts', 'LP (B) time', 'assignment time', 'checker time', 'heap Δ / RSS', 'uncovered shifts → slots', 'top-ups', 'below weekly min', 'checker violations', 'scheduled h / LP bound h'],
    rows.map((r) => [
      r.agents,
      r.shifts,
      `${fmt(r.lpMs / 1000, 1)} s`,
      `${fmt(r.assignMs / 1000, 2)} s`,
      `${fmt(r.checkMs / 1000, 2)} s`,
      `${fmt(r.heapMb, 0)} / ${fmt(r.rssMb, 0)} MB`,
      `${r.result.uncovered.length} → ${r.slots}`,
      `${r.result.topUps.length} (${fmt(r.topUpHours, 0)} h)`,
      r.result.belowMinimum.length,
      r.violations,
      `${fmt(scheduledHours(r), 0)} / ${fmt(r.lowerBoundHours, 0)} = ${fmt(scheduledHours(r) / r.lowerBoundHours, 3)}`,
    ]),
  );
  const fairnessTable = table(
    ['agents', 'contract class', 'n', 'total hours min–max (raw spread)', 'band', 'availability binds', 'spread where availability allows', 'within one shortest shift where availability allows', 'weekend shifts (open agents)', 'late shifts (open agents)', 'preference misses'],
    rows.flatMap((r) =>
      r.result.fairness.map((c) => [
        r.agents,
        c.contractClass,
        c.agents,
        `${c.hours.min}–${c.hours.max} (${c.hoursSpread})`,
        `${c.band.from}–${c.band.to}`,
        c.availabilityBinds,
        c.hoursSpreadWhereAvailabilityAllows ?? '—',
        c.fairWhereAvailabilityAllows ? 'yes' : `no (${c.agentsOutsideBand} agent${c.agentsOutsideBand === 1 ? '' : 's'} outside)`,
        `${c.weekendShifts.min}–${c.weekendShifts.max} (${c.weekendShiftsWhereOpen.min}–${c.weekendShiftsWhereOpen.max})`,
        `${c.lateShifts.min}–${c.lateShifts.max} (${c.lateShiftsWhereOpen.min}–${c.lateShiftsWhereOpen.max})`,
        c.preferenceMisses,
      ]),
    ),
  );
  const fairnessRule =
    'Rule ("where availability allows"): per contract class, a band one shortest planned shift wide (4 h here), placed where the ' +
    "class's agents are in total nearest to it. The totals an agent could work on its own are the sums of the lengths of the planned " +
    'shifts it is eligible for (skills, availability windows, days off), as many as its working days allow, between its weekly ' +
    'minimums and the most its own rules let it work in the period (one-agent DP, nobody competing). Its availability binds when none ' +
    'of those totals lies in the band (an agent available weekdays 07:00–19:00 only is eligible for 8.5-hour day shifts only: ' +
    'multiples of 8.5 h); such an agent is fair at its total next to the band, every other agent must be inside it. "Spread where ' +
    'availability allows" is max − min over the agents whose availability does not bind. Weekend and late shares: raw, and in ' +
    'brackets among the agents open to them (eligible for such shifts and not asking to avoid them). Preference misses: shifts of a ' +
    'kind the agent does not prefer, on a preferred day off, or at a weekend it asks to avoid.';
  const big = rows[rows.length - 1];
  const body = [
    '### Exact reference (HiGHS) vs ours',
    '',
    reference,
    '',
    '### Scale: 14 days × 3 skill groups, 30-minute intervals',
    '',
    'Synthetic instance (src/roster/synthetic.ts, seed 2026): 60% full-time (34–42.5 h/week, 5 days, consecutive days off), 40% part-time (16–26 h, 4 days, 3 in a row), ' +
      '30% with a second skill, 15% available weekdays 07:00–19:00 only, 10% with a day off, preferences; demand ≈ 85% of contract capacity. ' +
      'Shifts come from the LP phase (src/roster/lp, default templates without the 4-hour mid-day one; 4-hour evening shifts kept). "Scheduled h" = the LP’s integer plan + top-up shifts − the planned shifts top-ups stand in for (uncovered shifts go to cloud slots and still count); "LP bound h" = paid hours of the LP relaxation. ' +
      'Heap Δ is heapUsed after − before the assignment (no forced GC unless run with --expose-gc); RSS includes the LP and earlier runs in the same process.',
    '',
    scaleTable,
    '',
    `1,000 agents in ≤ 60 s: ${big.assignMs <= 60_000 ? 'met' : 'NOT met'} (${fmt(big.assignMs / 1000, 2)} s assignment; ${fmt((big.assignMs + big.lpMs) / 1000, 1)} s with the LP). ` +
      `${verdict} Zero checker violations: ${rows.every((r) => r.violations === 0) ? 'met' : 'NOT met (the violations are weekly minimum hours the heuristic could not reach, listed in `belowMinimum`)'}.`,
    '',
    '### Fairness per contract class',
    '',
    fairnessRule,
    '',
    fairnessTable,
    '',
    rotation,
    '',
    bandFirst,
    '',
    `Hours within one shortest shift where availability allows (default, coverage-first): ${rows.every((r) => r.result.fairness.every((c) => c.fairWhereAvailabilityAllows)) ? 'met in every class' : `NOT met in ${rows.flatMap((r) => r.result.fairness.filter((c) => !c.fairWhereAvailabilityAllows).map((c) => `${r.agents} agents/${c.contractClass} (${c.agentsOutsideBand} of ${c.agents} outside)`)).join(', ')}`}. ` +
      (rows[0].result.uncovered.length > 0
        ? `At ${rows[0].agents} agents the LP plan holds more shifts than the agents can work (${rows[0].result.uncovered.length} stay uncovered): an uncovered hour weighs 10 against 1 for an hour of spread, so coverage wins over equal hours there.`
        : ''),
  ].join('\n');
  writeBenchmarkSection('roster', 'Roster assignment (partner agents)', 'npm run bench:roster', body);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
