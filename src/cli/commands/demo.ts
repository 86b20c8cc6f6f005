/**
 * `wfm demo`: the main job on the shipped fixtures, embedded (no Redis): validates and summarises the
 * real-data history per skill group, then plans the two weeks after it — forecast → staffing
 * requirement → roster for the fixture agents — exactly as `wfm plan` does, writing its files to --out.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { SkillGroup } from '../../domain/types';
import { ingestHistoryOrThrow, skillGroupsById } from '../../history';
import { runPlan } from './plan';

const FIXTURES = path.resolve(__dirname, '../../../fixtures');
/** the fixture history ends on 31 October 1999: the demo plans the fortnight after it */
const DEMO_FROM = '1999-11-01';
/**
 * A shorter assignment search than the default (3,000,000 / agents = 75,000 iterations for the 40
 * fixture partners) keeps the demo around ten seconds; `wfm plan` without the option searches longer.
 */
const DEMO_SEARCH_ITERATIONS = '10000';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the main job on the fixtures (real 1999 bank data), without Redis: import the history, then plan a roster for the next two weeks')
    .option('--out <dir>', 'where the plan files go', path.join(os.tmpdir(), 'wfm-demo'))
    .option('--json', 'print one JSON document per step')
    .action(async (opts: { json?: boolean; out: string }) => {
      const skillGroups = JSON.parse(readFileSync(path.join(FIXTURES, 'skill-groups.json'), 'utf8')) as SkillGroup[];
      const csv = readFileSync(path.join(FIXTURES, 'history-30min.csv'), 'utf8');
      const { intervals, summary } = ingestHistoryOrThrow({ csv }, skillGroupsById(skillGroups));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ intervals: intervals.length, skillGroups: summary }, null, 2) + '\n');
      } else {
        process.stdout.write(`Imported fixtures/history-30min.csv: ${intervals.length} intervals in ${summary.length} skill groups\n\n`);
        process.stdout.write('group  intervals     calls  mean AHT (s)  first → last\n');
        for (const s of summary) {
          process.stdout.write(
            `${s.skillGroupId.padEnd(6)} ${String(s.intervals).padStart(9)} ${String(Math.round(s.totalVolume)).padStart(9)} ${(s.meanAhtSeconds ?? 0).toFixed(1).padStart(13)}  ${s.first} → ${s.last}\n`,
          );
        }
        process.stdout.write(`\nPlanning ${DEMO_FROM} + 14 days for the fixture agents (wfm plan)…\n\n`);
      }
      await runPlan({
        history: path.join(FIXTURES, 'history-30min.csv'),
        agents: path.join(FIXTURES, 'agents.json'),
        skillGroups: path.join(FIXTURES, 'skill-groups.json'),
        from: DEMO_FROM,
        days: '14',
        out: opts.out,
        searchIterations: DEMO_SEARCH_ITERATIONS,
        json: opts.json,
      });
    });
}
