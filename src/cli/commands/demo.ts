/**
 * `wfm demo`: the main job on the shipped fixtures, embedded (no Redis): validates and summarises the
 * real-data history per skill group. Later capabilities extend it to forecast → staffing → roster.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { SkillGroup } from '../../domain/types';
import { ingestHistoryOrThrow, skillGroupsById } from '../../history';

const FIXTURES = path.resolve(__dirname, '../../../fixtures');

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the main job on the fixtures (real 1999 bank data), without Redis')
    .option('--json', 'print one JSON document')
    .action((opts: { json?: boolean }) => {
      const skillGroups = JSON.parse(readFileSync(path.join(FIXTURES, 'skill-groups.json'), 'utf8')) as SkillGroup[];
      const csv = readFileSync(path.join(FIXTURES, 'history-30min.csv'), 'utf8');
      const { intervals, summary } = ingestHistoryOrThrow({ csv }, skillGroupsById(skillGroups));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ intervals: intervals.length, skillGroups: summary }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`Imported fixtures/history-30min.csv: ${intervals.length} intervals in ${summary.length} skill groups\n\n`);
      process.stdout.write('group  intervals     calls  mean AHT (s)  first → last\n');
      for (const s of summary) {
        process.stdout.write(
          `${s.skillGroupId.padEnd(6)} ${String(s.intervals).padStart(9)} ${String(Math.round(s.totalVolume)).padStart(9)} ${(s.meanAhtSeconds ?? 0).toFixed(1).padStart(13)}  ${s.first} → ${s.last}\n`,
        );
      }
    });
}
