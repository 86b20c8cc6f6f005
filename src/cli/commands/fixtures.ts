/**
 * `wfm fixtures [--out DIR]`: rebuilds the fixture files from the real Anonymous Bank data
 * (../shared/data/anonbank-1999, or ANONBANK_DIR). Deterministic: the same data gives the same bytes.
 * This file only reads and writes; the derivation is in src/history/anonbank-fixtures.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WfmError } from '../../errors/wfm-error';
import { ANONBANK_MONTHS, anonbankAvailable, anonbankDir, loadAnonbankCalls, loadAnonbankSixMinuteArrivals } from '../../datasets/anonbank-files';
import { buildFixtureSkillGroups, callsToIntervals, FIXTURE_INTERVAL_MINUTES, slotsToIntervals } from '../../history/anonbank-fixtures';
import { generateFixtureAgents } from '../../history/fixture-agents';
import { formatIntervalsCsv } from '../../history/format';

interface FixturesOptions {
  out: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('fixtures')
    .description('Rebuild the fixture files (skill groups, history, arrivals, agents) from the Anonymous Bank data (../shared/data/anonbank-1999 next to the repository, or the folder ANONBANK_DIR names)')
    .option('--out <dir>', 'output directory', 'fixtures')
    .option('--json', 'print one JSON document')
    .action((opts: FixturesOptions) => {
      if (!anonbankAvailable()) {
        throw new WfmError('not-found', `Anonymous Bank data not found in ${anonbankDir()} (set ANONBANK_DIR)`);
      }
      const calls = ANONBANK_MONTHS.flatMap((month) => loadAnonbankCalls(month));
      const history = callsToIntervals(calls, FIXTURE_INTERVAL_MINUTES);
      const { skillGroups, statistics } = buildFixtureSkillGroups({ calls, history });
      const arrivals = slotsToIntervals(loadAnonbankSixMinuteArrivals());
      const agents = generateFixtureAgents();
      const zoneOf = new Map(skillGroups.map((g) => [g.id, g.timeZone]));
      const zone = (id: string): string => zoneOf.get(id) ?? 'Asia/Jerusalem';

      const files: Record<string, string> = {
        'skill-groups.json': `${JSON.stringify(skillGroups, null, 2)}\n`,
        'history-30min.csv': formatIntervalsCsv(history, zone, { includeAht: true, ahtDecimals: 1 }),
        'arrivals-6min-1999.csv': formatIntervalsCsv(arrivals, zone, { includeAht: false }),
        'agents.json': `${JSON.stringify(agents, null, 2)}\n`,
      };
      mkdirSync(opts.out, { recursive: true });
      for (const [name, content] of Object.entries(files)) writeFileSync(path.join(opts.out, name), content);

      const written = Object.entries(files).map(([name, content]) => ({ file: path.join(opts.out, name), bytes: Buffer.byteLength(content) }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ written, statistics, historyIntervals: history.length, arrivalSlots: arrivals.length, agents: agents.length })}\n`);
        return;
      }
      for (const w of written) process.stdout.write(`wrote ${w.file} (${(w.bytes / 1024).toFixed(0)} KiB)\n`);
      process.stdout.write('\nqueue   calls  served  mean AHT s  queued  abandoned  patience s\n');
      for (const s of statistics) {
        process.stdout.write(
          `${s.queue.padEnd(5)} ${String(s.calls).padStart(7)} ${String(s.served).padStart(7)} ${s.meanServiceSeconds.toFixed(1).padStart(11)} ` +
            `${String(s.queued).padStart(7)} ${String(s.abandoned).padStart(10)} ${s.patienceSeconds.toFixed(1).padStart(11)}\n`,
        );
      }
    });
}
