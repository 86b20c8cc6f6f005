/**
 * bench:lp — the staffing requirement (Erlang C / A) and the roster's LP phase, side by side with
 * HiGHS (dev dependency, benchmark only) solving exactly the same model.
 *
 * Data: the real AnonBank calls of 1–14 February 1999 (queues PS, NW, NE, 30-minute intervals, zone
 * Asia/Jerusalem) taken as a perfect forecast, with the fixture skill groups (Erlang A with each
 * queue's patience), and the same volumes ×10 for a large contact center.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IntervalVolume, SkillGroup } from '../src/domain/types';
import { loadAnonbankCalls } from '../src/datasets/anonbank-files';
import { ANONBANK_ZONE } from '../src/datasets/anonbank';
import { intervalStartOf } from '../src/time/grid';
import { erlangA, erlangC, requiredAgents } from '../src/staffing/erlang';
import { requirementPerInterval, toLpRequirement } from '../src/staffing/requirement';
import { buildSubproblem, DEFAULT_PENALTIES, localDates, planShifts, type PlanShiftsInput } from '../src/roster/lp/plan';
import { subproblemToCplexLp } from '../src/roster/lp/lp-format';
import { DEFAULT_TEMPLATES, minimumBreakShare } from '../src/roster/templates';
import type { RequirementRow } from '../src/roster/types';
import { table, writeBenchmarkSection } from './report';

const HIGHS_TIME_LIMIT_S = Number(process.env.HIGHS_TIME_LIMIT_S ?? 15);
const QUEUES = ['PS', 'NW', 'NE'];
const now = () => performance.now();
const f = (v: number, digits = 1) => v.toFixed(digits);

function timeIt<T>(fn: () => T, repeat = 1): { value: T; ms: number } {
  const t0 = now();
  let value = fn();
  for (let i = 1; i < repeat; i++) value = fn();
  return { value, ms: (now() - t0) / repeat };
}

function erlangSection(): string {
  const ref = erlangC({ callsPerInterval: 100, intervalSeconds: 1800, ahtSeconds: 180, agents: 14, answerWithinSeconds: 20 });
  const req = requiredAgents({ callsPerInterval: 100, intervalSeconds: 1800, ahtSeconds: 180, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 }, shrinkage: 0.3, maxOccupancy: 1 });
  const rows: Array<Array<string | number>> = [];
  for (const erlangs of [10, 100, 1000, 5000]) {
    const calls = (erlangs * 1800) / 180;
    const base = { callsPerInterval: calls, intervalSeconds: 1800, ahtSeconds: 180, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 }, shrinkage: 0.3, maxOccupancy: 0.9 };
    const c = timeIt(() => requiredAgents(base), erlangs >= 1000 ? 3 : 20);
    const a = timeIt(() => requiredAgents({ ...base, patienceSeconds: 120 }), erlangs >= 1000 ? 3 : 20);
    const cPerf = c.value.performance;
    const aPerf = erlangA({ callsPerInterval: calls, intervalSeconds: 1800, ahtSeconds: 180, agents: a.value.rawAgents, answerWithinSeconds: 20, patienceSeconds: 120 });
    rows.push([erlangs, c.value.rawAgents, f(cPerf.serviceLevel, 3), f(c.ms, 2), a.value.rawAgents, f(aPerf.serviceLevel, 3), f(100 * aPerf.probAbandon, 2), f(a.ms, 2)]);
  }
  return [
    `Reference case (100 calls / 30 min, AHT 180 s, 80 % in 20 s): **${req.rawAgents} agents**, SL ${f(ref.serviceLevel, 3)}, ASA ${f(ref.asaSeconds, 1)} s, occupancy ${f(ref.occupancy, 3)}; with 30 % shrinkage **${req.agentsWithShrinkage}**.`,
    '',
    'Requirement search (80 % in 20 s, max occupancy 0.9) from small to very large loads; Erlang A with 120 s mean patience:',
    '',
    table(['load (Erlangs)', 'Erlang C agents', 'SL', 'ms', 'Erlang A agents', 'SL', 'abandon %', 'ms'], rows),
  ].join('\n');
}

function anonbankForecast(scale: number): IntervalVolume[] {
  const counts = new Map<string, number>();
  for (const call of loadAnonbankCalls('02')) {
    if (!QUEUES.includes(call.type) || call.outcome === 'PHANTOM') continue;
    const key = `${call.type}|${intervalStartOf(call.arrival, ANONBANK_ZONE, 30)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, volume]) => {
    const [skillGroupId, start] = key.split('|');
    return { skillGroupId, start: Number(start), volume: volume * scale };
  });
}

async function highsSideBySide(input: PlanShiftsInput, oursPerGroup: Map<string, number>): Promise<Array<Array<string | number>>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loadHighs = require('highs') as () => Promise<{
    createModel(data: { format: 'lp'; data: string }): {
      options: { set(o: Record<string, unknown>): void };
      run(): void;
      getObjectiveValue(): number;
      getModelStatus(): unknown;
      info: { get(name: string): number | bigint };
      dispose(): void;
    };
  }>;
  const highs = await loadHighs();
  const rows: Array<Array<string | number>> = [];
  for (const group of input.skillGroups) {
    // the penalties planShifts runs with (the closed-hours one included): the same model on both sides
    const sub = buildSubproblem(group, input.requirement, input.templates, input.dates, DEFAULT_PENALTIES);
    const model = highs.createModel({ format: 'lp', data: subproblemToCplexLp(sub, { integer: true }) });
    try {
      model.options.set({ output_flag: false, time_limit: HIGHS_TIME_LIMIT_S });
      const t = timeIt(() => model.run());
      const best = model.getObjectiveValue();
      const bound = Number(model.info.get('mip_dual_bound'));
      const ours = oursPerGroup.get(group.id)!;
      rows.push([group.id, sub.options.length, f(ours, 1), f(best, 1), f(bound, 1), f(100 * (ours / best - 1), 2), f(100 * (ours / bound - 1), 2), f(t.ms / 1000, 1)]);
    } finally {
      model.dispose();
    }
  }
  return rows;
}

async function lpSection(): Promise<string> {
  const groups = (JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/skill-groups.json'), 'utf8')) as SkillGroup[]).filter((g) => QUEUES.includes(g.id));
  const dates = localDates('1999-02-01', 14, ANONBANK_ZONE);
  const parts: string[] = [];
  const summary: Array<Array<string | number>> = [];
  for (const scale of [1, 10]) {
    const horizonEnd = Date.UTC(1999, 1, 14, 22, 0); // midnight after 14 Feb in Asia/Jerusalem (UTC+2)
    const forecast = anonbankForecast(scale).filter((r) => r.start < horizonEnd);
    const req = timeIt(() => requirementPerInterval(groups, forecast));
    // Scheduled breaks are placed by the LP, so only the rest of shrinkage grosses up the requirement.
    const requirement: RequirementRow[] = toLpRequirement(req.value, groups, { shrinkageCoveredByBreaks: minimumBreakShare(DEFAULT_TEMPLATES) });
    const input: PlanShiftsInput = { skillGroups: groups, requirement, templates: DEFAULT_TEMPLATES, dates, clock: now };
    const blocks = timeIt(() => planShifts({ ...input, relaxation: 'blocks', blockDays: 7 }));
    const exact = timeIt(() => planShifts({ ...input, relaxation: 'exact' }));
    const peak = Math.max(...req.value.map((r) => r.agentsWithShrinkage));
    const requiredHours = requirement.reduce((s, r) => s + r.required * 0.5, 0);
    for (const [name, run] of [['7-day blocks', blocks], ['exact (default ≤ 14 days)', exact]] as const) {
      const r = run.value;
      summary.push([
        `×${scale}`, name, f(run.ms, 0), f(r.lowerBound.objective, 1), f(r.integer.objective, 1), f(100 * r.gap, 2),
        r.shifts.length, f(r.integer.paidHours, 0), f(requiredHours, 0), f(r.integer.shortfallAgentHours, 1), f(r.integer.overstaffAgentHours, 0),
      ]);
    }
    parts.push(`- ×${scale}: requirement for ${req.value.length} intervals in ${f(req.ms, 0)} ms, peak ${peak} agents with shrinkage.`);
    // HiGHS side by side against our default run (same model, per skill group). Our figure is the
    // objective of the final plan, after short-break staggering (which HiGHS's model does not have).
    const oursPerGroup = new Map(exact.value.subproblems.map((sp) => [sp.skillGroupId, sp.integerObjective]));
    const highsRows = await highsSideBySide(input, oursPerGroup);
    parts.push('', `HiGHS on the same integer model, ×${scale} (time limit ${HIGHS_TIME_LIMIT_S} s per skill group):`, '',
      table(['group', 'integer vars', 'ours', 'HiGHS best', 'HiGHS bound', 'ours vs best %', 'ours vs bound %', 'HiGHS s'], highsRows), '');
  }
  return [
    'Roster LP phase on AnonBank 1–14 Feb 1999 (PS, NW, NE; 30-minute intervals; actual volumes as the forecast, Erlang A with fixture patience; default templates: early/day/late 8.5 h, mid and evening 4 h part-time, night 8.5 h at 1.25 cost; break placement chosen by the LP: 5 meal offsets, or 3 short-break placements for part-time shifts). Objective = paid hours × cost + 20 per agent-hour short + 0.1 per agent-hour over, 1 more per agent-hour on the phone while the queue is closed (no forecast row: nights here); "bound" = LP relaxation (exact: one LP per skill group over the 14 days, the default; 7-day blocks: sum of block LPs, a valid but weaker bound used beyond 14 days).',
    '',
    table(['scale', 'relaxation', 'total ms', 'LP bound', 'integer', 'gap %', 'shifts', 'paid h', 'required agent-h', 'short agent-h', 'over agent-h'], summary),
    '',
    ...parts,
  ].join('\n');
}

async function main(): Promise<void> {
  const body = [erlangSection(), '', await lpSection()].join('\n');
  writeBenchmarkSection('lp', 'Staffing (Erlang C/A) and roster LP phase', 'npm run bench:lp', body);
  process.stdout.write(`${body}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
