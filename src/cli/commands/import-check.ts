/**
 * `wfm import-check FILE --skill-groups FILE [--granularity MIN] [--json]`: validates a history file (CSV,
 * or JSON by extension) the way an upload is validated, and prints a per-skill-group summary, or every
 * rejected row with its number and reason (exit 1). Reading files is here; the rules are in src/history.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { invalid } from '../../errors/wfm-error';
import { historyRowNumbering, loadSkillGroups, readText } from '../input-files';
import { ingestHistory, skillGroupsById, type HistoryBatch, type SkillGroupSummary } from '../../history/ingest';

interface ImportCheckOptions {
  skillGroups: string;
  granularity?: string;
  json?: boolean;
}

function summaryLines(summary: SkillGroupSummary[]): string[] {
  const lines = ['group    rows  intervals  first                      last                       volume  gran  mean AHT  missing'];
  for (const s of summary) {
    lines.push(
      [
        s.skillGroupId.padEnd(6),
        String(s.rows).padStart(6),
        String(s.intervals).padStart(10),
        ` ${s.first.padEnd(26)}`,
        s.last.padEnd(26),
        String(Math.round(s.totalVolume * 10) / 10).padStart(7),
        `${s.rowGranularityMinutes}m`.padStart(5),
        (s.meanAhtSeconds === undefined ? '-' : s.meanAhtSeconds.toFixed(1)).padStart(9),
        (s.missingIntervals === undefined ? '-' : String(s.missingIntervals)).padStart(8),
      ].join(' '),
    );
  }
  return lines;
}

export function register(program: Command): void {
  program
    .command('import-check')
    .description('Validate a history file (CSV or JSON) against the skill groups; summary or rejected rows')
    .argument('<file>', 'history file: CSV interval_start,skill_group,volume[,aht_seconds] or a JSON array of rows')
    .requiredOption('--skill-groups <file>', 'JSON array of skill groups')
    .option('--granularity <minutes>', 'minutes between row timestamps (default: inferred per skill group)')
    .option('--json', 'print one JSON document')
    .action((file: string, opts: ImportCheckOptions) => {
      const skillGroups = skillGroupsById(loadSkillGroups(opts.skillGroups));
      let granularityMinutes: number | undefined;
      if (opts.granularity !== undefined) {
        granularityMinutes = Number(opts.granularity);
        if (!Number.isInteger(granularityMinutes) || granularityMinutes <= 0) {
          throw invalid('--granularity must be a positive whole number of minutes', [{ where: '--granularity', message: `got "${opts.granularity}"` }]);
        }
      }
      const text = readText(file);
      const batch: HistoryBatch = path.extname(file).toLowerCase() === '.json' ? { json: text } : { csv: text };
      // as the upload judges it: rows after this machine's clock have not happened
      const result = ingestHistory(batch, skillGroups, { granularityMinutes, notAfterMs: Date.now() });

      if (opts.json) {
        const doc = result.ok
          ? { ok: true, file, intervals: result.intervals.length, summary: result.summary }
          : { ok: false, file, problems: result.problems, truncated: result.truncated };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        // main.ts owns the exit code: a thrown WfmError is what makes it 1 (the message goes to stderr).
        if (!result.ok) throw invalid(`${file}: rejected, ${result.problems.length} problem(s) (${historyRowNumbering(file)})`);
        return;
      }
      if (result.ok) {
        process.stdout.write(`${file}: accepted, ${result.intervals.length} intervals\n`);
        for (const line of summaryLines(result.summary)) process.stdout.write(`${line}\n`);
        return;
      }
      // The rows are the output here; the error only sets the exit code and says how many.
      for (const p of result.problems) process.stdout.write(`${p.where}: ${p.message}\n`);
      const more = result.truncated ? ' (only the first ones listed)' : '';
      throw invalid(`${file}: rejected, ${result.problems.length} problem(s)${more} (${historyRowNumbering(file)})`);
    });
}
