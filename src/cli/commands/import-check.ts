/**
 * `wfm import-check FILE --skill-groups FILE [--granularity MIN] [--json]`: validates a history file (CSV,
 * or JSON by extension) the way an upload is validated, and prints a per-skill-group summary, or every
 * rejected row with its number and reason (exit 1). Columns other than the history's are left out with a
 * note, as the other commands read the file. Reading files is here; the rules are in src/history.
 */
import type { Command } from 'commander';
import type { IntervalVolume, SkillGroup } from '../../domain/types';
import { invalid } from '../../errors/wfm-error';
import { historyBatch, historyRowNumbering, loadSkillGroups, readText, writeIngestNotes } from '../input-files';
import { terminalSafe } from '../output-text';
import { ingestHistory, skillGroupsById, type SkillGroupSummary } from '../../history/ingest';
import { daysCoarserThan, historyGrid } from '../../history/history-grid';

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

/**
 * Groups whose configured interval is finer than the file fills (historyGrid, the rule `wfm forecast`
 * picks its interval by): accepted as an upload is, but days of 30-minute rows in a 15-minute group leave
 * every other interval empty, and a forecast learns those as quiet.
 */
function coarseGridNotes(intervals: readonly IntervalVolume[], skillGroups: ReadonlyMap<string, SkillGroup>): string[] {
  const starts = new Map<string, number[]>();
  for (const i of intervals) {
    const list = starts.get(i.skillGroupId);
    if (list) list.push(i.start);
    else starts.set(i.skillGroupId, [i.start]);
  }
  const notes: string[] = [];
  for (const [id, instants] of starts) {
    const group = skillGroups.get(id)!;
    // a few rows (under 12 a day) are on a coarse grid by chance: only days that can tell count
    const days = daysCoarserThan(instants, group.timeZone, group.intervalMinutes);
    const grid = historyGrid(instants, group.timeZone);
    if (!days || grid.intervalMinutes <= group.intervalMinutes) continue;
    notes.push(
      `skill group "${id}": ${days.count} of ${days.judged} days (${days.first} … ${days.last}) have their rows on a grid coarser than its ${group.intervalMinutes}-minute interval, which leaves intervals of those days empty ` +
        `(a forecast learns them as quiet); the file fills ${grid.intervalMinutes}-minute intervals, as wfm forecast reads it`,
    );
  }
  return notes;
}

export function register(program: Command): void {
  program
    .command('import-check')
    .description('Validate a history file (CSV or JSON) against the skill groups; summary or rejected rows')
    .argument('<file>', 'history file: CSV interval_start,skill_group,volume[,aht_seconds], a per-call log arrival,skill_group[,handle_seconds], or a JSON array of rows')
    // required: the groups' zones and intervals are what a row is judged by (an upload reads them from the store)
    .requiredOption('--skill-groups <file>', 'required: JSON array of skill groups (the zone and interval each row is judged by)')
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
      // The file judged as `wfm forecast`, `backtest` and `plan` read it: an export's other columns are
      // left out with a note, not a reason to reject a file those commands take.
      const batch = historyBatch(file, readText(file), 'the check', ', as wfm forecast, backtest and plan do; POST /history refuses other columns');
      // as the upload judges it: rows after this machine's clock have not happened
      const result = ingestHistory(batch, skillGroups, { granularityMinutes, notAfterMs: Date.now() });

      if (result.ok) {
        writeIngestNotes(file, result.summary);
        for (const note of coarseGridNotes(result.intervals, skillGroups)) process.stderr.write(`wfm: warning: ${note}\n`);
      }

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
      // a problem quotes the file's cells: escaped, so none can drive the terminal
      for (const p of result.problems) process.stdout.write(`${terminalSafe(p.where)}: ${terminalSafe(p.message)}\n`);
      const more = result.truncated ? ' (only the first ones listed)' : '';
      throw invalid(`${file}: rejected, ${result.problems.length} problem(s)${more} (${historyRowNumbering(file)})`);
    });
}
