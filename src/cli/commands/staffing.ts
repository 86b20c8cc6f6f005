/**
 * `wfm staffing`: the requirement for one interval (Erlang C, or Erlang A with --patience), and with
 * --agents the other direction: predicted performance for a given number of agents on the phone.
 */
import type { Command } from 'commander';
import { invalid } from '../../errors/wfm-error';
import { predictPerformance, requiredAgents, type QueuePerformance } from '../../staffing/erlang';
import { withFlagNames } from '../flag-names';

/** The core's field names → the flags they come from, so a bad value is reported as the user typed it. */
const FLAG_OF_FIELD: Record<string, string> = {
  callsPerInterval: '--volume',
  intervalSeconds: '--interval',
  ahtSeconds: '--aht',
  patienceSeconds: '--patience',
  concurrency: '--concurrency',
  agents: '--agents',
  answerWithinSeconds: '--answer-within',
  'serviceLevel.fraction': '--sl',
  'serviceLevel.answerWithinSeconds': '--answer-within',
  shrinkage: '--shrinkage',
  maxOccupancy: '--max-occupancy',
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
function formatAsa(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unbounded (overloaded)';
  if (seconds < 86_400) return `${seconds.toFixed(1)} s`;
  return `${seconds.toPrecision(3)} s (over a day: overloaded, the queue empties only as callers give up)`;
}

function formatPerformance(p: QueuePerformance, model: 'erlang-c' | 'erlang-a'): string[] {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return [
    `traffic:               ${p.trafficErlangs.toFixed(2)} Erlangs`,
    `service level:         ${pct(p.serviceLevel)} (${p.serviceLevel.toFixed(3)})`,
    `ASA:                   ${formatAsa(p.asaSeconds)}`,
    `occupancy:             ${pct(p.occupancy)}`,
    `P(wait):               ${pct(p.probWait)}`,
    // Erlang C's callers never hang up: a 0.0% there is the model's assumption, not a prediction.
    `P(abandon):            ${model === 'erlang-a' ? pct(p.probAbandon) : 'not modelled (Erlang C: nobody hangs up; give --patience for Erlang A)'}`,
  ];
}

export function register(program: Command): void {
  program
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
    .option('--concurrency <n>', 'conversations per agent at once (chat)', '1')
    .option('--agents <n>', 'predict performance for this many agents on the phone instead')
    .option('--json', 'print one JSON document')
    .action((opts: StaffingOptions) => {
      const intervalMinutes = numberOption('interval', opts.interval);
      const common = {
        callsPerInterval: numberOption('volume', opts.volume),
        intervalSeconds: intervalMinutes * 60,
        ahtSeconds: numberOption('aht', opts.aht),
        patienceSeconds: opts.patience === undefined ? undefined : numberOption('patience', opts.patience),
        concurrency: numberOption('concurrency', opts.concurrency),
      };
      const answerWithinSeconds = numberOption('answer-within', opts.answerWithin);
      // "How do 12 agents do?" needs no target; a requirement does.
      if (opts.sl === undefined && opts.agents === undefined) {
        throw invalid('--sl is required: the service-level target to staff for (or give --agents to predict how that many agents do)', [
          { where: '--sl', message: 'missing' },
        ]);
      }
      const serviceLevel = opts.sl === undefined ? undefined : { fraction: numberOption('sl', opts.sl), answerWithinSeconds };
      const shrinkage = numberOption('shrinkage', opts.shrinkage);
      const maxOccupancy = numberOption('max-occupancy', opts.maxOccupancy);
      const model = common.patienceSeconds === undefined ? 'erlang-c' : 'erlang-a';

      const requirement = serviceLevel && withFlagNames(flagOf, () => requiredAgents({ ...common, serviceLevel, shrinkage, maxOccupancy }));
      const scheduled =
        opts.agents === undefined
          ? undefined
          : withFlagNames(flagOf, () => predictPerformance({ ...common, agents: numberOption('agents', opts.agents!), answerWithinSeconds }));

      if (opts.json) {
        const finiteOrNull = (p: QueuePerformance) => ({ ...p, asaSeconds: Number.isFinite(p.asaSeconds) ? p.asaSeconds : null });
        const doc = {
          model,
          ...(requirement
            ? { rawAgents: requirement.rawAgents, agentsWithShrinkage: requirement.agentsWithShrinkage, ...finiteOrNull(requirement.performance) }
            : {}),
          ...(scheduled ? { scheduled: finiteOrNull(scheduled) } : {}),
        };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      const lines = [`model:                 ${model === 'erlang-a' ? `Erlang A (patience ${common.patienceSeconds} s)` : 'Erlang C'}`];
      if (requirement) {
        lines.push(
          `raw agents:            ${requirement.rawAgents}`,
          `agents with shrinkage: ${requirement.agentsWithShrinkage} (shrinkage ${(shrinkage * 100).toFixed(0)}%)`,
          ...formatPerformance(requirement.performance, model),
        );
      }
      if (scheduled) lines.push(...(requirement ? [''] : []), `with ${scheduled.agents} agents on the phone:`, ...formatPerformance(scheduled, model));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
