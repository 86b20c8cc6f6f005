/**
 * `wfm staffing`: the requirement for one interval (Erlang C, or Erlang A with --patience), and with
 * --agents the other direction: predicted performance for a given number of agents on the phone.
 */
import type { Command } from 'commander';
import { invalid, isWfmError } from '../../errors/wfm-error';
import { answerStaffingQuestion, formatErlangs, staffingDocument, type PerformanceView, type StaffingModel } from '../../staffing/question';
import { renameToFlags, withFlagNames } from '../flag-names';
import { terminalSafe } from '../output-text';

/** The question's field names → the flags they come from, so a bad value is reported as the user typed it. */
const FLAG_OF_FIELD: Record<string, string> = {
  volume: '--volume',
  intervalMinutes: '--interval',
  ahtSeconds: '--aht',
  patienceSeconds: '--patience',
  concurrency: '--concurrency',
  agents: '--agents',
  'serviceLevel.fraction': '--sl',
  'serviceLevel.answerWithinSeconds': '--answer-within',
  shrinkage: '--shrinkage',
  maxOccupancy: '--max-occupancy',
  maxAbandonment: '--max-abandon',
};
const flagOf = (where: string) => FLAG_OF_FIELD[where];

interface StaffingOptions {
  volume: string;
  interval: string;
  aht: string;
  sl?: string;
  answerWithin: string;
  patience?: string;
  shrinkage: string;
  maxOccupancy: string;
  maxAbandon?: string;
  concurrency: string;
  agents?: string;
  json?: boolean;
}

function numberOption(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
    throw invalid(`--${name} must be a number`, [{ where: `--${name}`, message: `got "${text ?? ''}"` }]);
  }
  return value;
}

/** A wait past a day is a queue that only empties because callers give up: said so, not in 17 digits. */
function formatAsa(p: PerformanceView): string {
  if (p.agents === 0 && p.trafficErlangs > 0) return 'none: no call is answered (no agents on the phone)';
  if (p.asaSeconds === null) return 'unbounded (overloaded)';
  if (p.asaSeconds < 86_400) return `${p.asaSeconds.toFixed(1)} s`;
  return `${p.asaSeconds.toPrecision(3)} s (over a day: overloaded, the queue empties only as callers give up)`;
}

function formatPerformance(p: PerformanceView, model: StaffingModel): string[] {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return [
    `traffic:               ${formatErlangs(p.trafficErlangs)} Erlangs`,
    `service level:         ${pct(p.serviceLevel)} (${p.serviceLevel.toFixed(3)})`,
    `ASA:                   ${formatAsa(p)}`,
    `occupancy:             ${p.occupancy === null ? 'none (no agents on the phone)' : pct(p.occupancy)}`,
    `P(wait):               ${pct(p.probWait)}`,
    // Erlang C's callers never hang up: a 0.0% there is the model's assumption, not a prediction.
    `P(abandon):            ${model === 'erlang-a' && p.probAbandon !== null ? pct(p.probAbandon) : 'not modelled (Erlang C: nobody hangs up; give --patience for Erlang A)'}`,
  ];
}

/**
 * With --json a failure is a JSON document too, on stdout where the answer would have been (a script
 * reads one document either way): the problem details as the API answers them, with the flags named.
 * The error goes on to the CLI's handler, which prints it on stderr and sets the exit code as before.
 */
function printedAsJson(err: unknown): unknown {
  const named = renameToFlags(err, flagOf);
  if (isWfmError(named)) {
    const doc = { error: { code: named.code, message: named.message, errors: named.details.map((d) => ({ where: d.where, message: d.message })) } };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
  return named;
}

function run(opts: StaffingOptions): void {
  const intervalMinutes = numberOption('interval', opts.interval);
  const patienceSeconds = opts.patience === undefined ? undefined : numberOption('patience', opts.patience);
  // "How do 12 agents do?" needs no target; a requirement does.
  if (opts.sl === undefined && opts.agents === undefined) {
    throw invalid('--sl is required: the service-level target to staff for (or give --agents to predict how that many agents do)', [
      { where: '--sl', message: 'missing' },
    ]);
  }
  const question = {
    volume: numberOption('volume', opts.volume),
    intervalMinutes,
    ahtSeconds: numberOption('aht', opts.aht),
    serviceLevel: {
      fraction: opts.sl === undefined ? undefined : numberOption('sl', opts.sl),
      answerWithinSeconds: numberOption('answer-within', opts.answerWithin),
    },
    patienceSeconds,
    shrinkage: numberOption('shrinkage', opts.shrinkage),
    maxOccupancy: numberOption('max-occupancy', opts.maxOccupancy),
    maxAbandonment: opts.maxAbandon === undefined ? undefined : numberOption('max-abandon', opts.maxAbandon),
    concurrency: numberOption('concurrency', opts.concurrency),
    agents: opts.agents === undefined ? undefined : numberOption('agents', opts.agents),
  };
  const answer = withFlagNames(flagOf, () => answerStaffingQuestion(question, { maxAbandonmentName: '--max-abandon' }));

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(staffingDocument(answer), null, 2)}\n`);
    return;
  }
  const { requirement, scheduled, model } = answer;
  const lines = [`model:                 ${model === 'erlang-a' ? `Erlang A (patience ${patienceSeconds} s)` : 'Erlang C'}`];
  if (requirement) {
    lines.push(
      `raw agents:            ${requirement.rawAgents}`,
      `agents with shrinkage: ${requirement.agentsWithShrinkage} (shrinkage ${(question.shrinkage * 100).toFixed(0)}%)`,
      ...formatPerformance(requirement.performance, model),
    );
  }
  if (scheduled) lines.push(...(requirement ? [''] : []), `with ${scheduled.agents} agents on the phone:`, ...formatPerformance(scheduled, model));
  process.stdout.write(`${lines.join('\n')}\n`);
  // as the CLI's other notes: on stderr, so the figures stay one block a script can read
  for (const warning of answer.warnings) process.stderr.write(`wfm: warning: ${terminalSafe(warning)}\n`);
}

export function register(program: Command): void {
  const command = program
    .command('staffing')
    .description('Agents needed for one interval (Erlang C; Erlang A with --patience), or performance for --agents')
    .requiredOption('--volume <calls>', 'calls (or chats) offered in the interval')
    .requiredOption('--interval <minutes>', 'interval length in minutes')
    .requiredOption('--aht <seconds>', 'average handle time in seconds')
    .option('--sl <fraction>', 'service-level target, e.g. 0.8 (required unless --agents is given)')
    .requiredOption('--answer-within <seconds>', 'service-level threshold in seconds, e.g. 20')
    .option('--patience <seconds>', 'mean caller patience: switches to Erlang A (abandonment)')
    .option('--shrinkage <fraction>', 'fraction of paid time off the phone', '0')
    .option('--max-occupancy <fraction>', 'occupancy cap', '1')
    .option('--max-abandon <fraction>', 'with --patience: the largest share of callers who may hang up, e.g. 0.05')
    .option('--concurrency <n>', 'conversations per agent at once (chat)', '1')
    .option('--agents <n>', 'predict performance for this many agents on the phone instead')
    .option('--json', 'print one JSON document (a failure too: {"error": …} on stdout, exit code unchanged)')
    .action((opts: StaffingOptions) => {
      try {
        run(opts);
      } catch (err) {
        throw opts.json ? printedAsJson(err) : err;
      }
    });
  // a usage error (a required flag missing, an unknown one) is commander's, before the action: with
  // --json it is a JSON document too; the exit code (2) and the text on stderr stay commander's
  command.exitOverride((err) => {
    if (err.exitCode !== 0 && (command.opts() as StaffingOptions).json) {
      const doc = { error: { code: 'usage', message: err.message.replace(/^error: /, ''), errors: [{ where: 'arguments', message: err.message.replace(/^error: /, '') }] } };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    throw err;
  });
}
