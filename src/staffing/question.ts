/**
 * One interval's staffing question, as a planner asks it (`wfm staffing`, `POST /staffing`), in both
 * directions: a target → the agents required; a head-count → how it will do. One place for the checks,
 * the messages, the warnings and the document answered, so the CLI and the API say the same things.
 *
 * Field names are the question's own (volume, intervalMinutes, serviceLevel.fraction…): the CLI renames
 * them to its flags, the API to JSON pointers into the body.
 */
import { invalid, isWfmError, WfmError } from '../errors/wfm-error';
import { MAX_AGENTS, predictPerformance, requiredAgents, type QueuePerformance } from './erlang';

export interface StaffingQuestion {
  /** calls (or chats) offered in the interval */
  volume: number;
  intervalMinutes: number;
  ahtSeconds: number;
  /** the target; `fraction` may be left out when `agents` is given (then only the threshold is used) */
  serviceLevel: { fraction?: number; answerWithinSeconds: number };
  /** mean patience: Erlang A when given, Erlang C otherwise */
  patienceSeconds?: number;
  /** default 0 */
  shrinkage?: number;
  /** default 1 */
  maxOccupancy?: number;
  /** default 1 */
  concurrency?: number;
  /** Erlang A: the largest share of callers who may hang up */
  maxAbandonment?: number;
  /** agents on the phone (may be fractional): predict their performance instead of a requirement */
  agents?: number;
}

export type StaffingModel = 'erlang-c' | 'erlang-a';

/**
 * Performance as answered to people and programs. Null where there is no number to give: ASA when no call
 * is answered (no agents) or the wait has no bound (Erlang C overloaded); occupancy with no agents at all;
 * P(abandon) in Erlang C, whose callers never hang up (a 0 there would read as a prediction).
 */
export interface PerformanceView {
  agents: number;
  trafficErlangs: number;
  serviceLevel: number;
  asaSeconds: number | null;
  occupancy: number | null;
  probWait: number;
  probAbandon: number | null;
}

export interface StaffingAnswer {
  model: StaffingModel;
  /** the requirement, when a target was given */
  requirement?: { rawAgents: number; agentsWithShrinkage: number; performance: PerformanceView };
  /** the prediction for `agents` on the phone, when given */
  scheduled?: PerformanceView;
  /** what the figures do not say by themselves: a target met by callers who hang up, many abandoning, nobody answered */
  warnings: string[];
}

/** Above this share of callers hanging up, an answer says so (what planners commonly hold as acceptable). */
export const ABANDONMENT_WARNING = 0.05;

/** The core's field names → the question's. */
const QUESTION_FIELD: Record<string, string> = {
  callsPerInterval: 'volume',
  intervalSeconds: 'intervalMinutes',
  answerWithinSeconds: 'serviceLevel.answerWithinSeconds',
};

function inQuestionTerms<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!isWfmError(err)) throw err;
    const details = err.details.map((d) => ({ ...d, where: QUESTION_FIELD[d.where] ?? d.where }));
    throw new WfmError(err.code, err.message, { details, status: err.status, cause: err });
  }
}

const nobodyOnThePhone = (p: QueuePerformance) => p.agents === 0 && p.trafficErlangs > 0;

export function performanceView(p: QueuePerformance, model: StaffingModel): PerformanceView {
  return {
    agents: p.agents,
    trafficErlangs: p.trafficErlangs,
    serviceLevel: p.serviceLevel,
    asaSeconds: Number.isFinite(p.asaSeconds) && !nobodyOnThePhone(p) ? p.asaSeconds : null,
    occupancy: nobodyOnThePhone(p) ? null : p.occupancy,
    probWait: p.probWait,
    probAbandon: model === 'erlang-a' ? p.probAbandon : null,
  };
}

/** 0.001 Erlangs is not "0.00": enough significant digits for a small load, two decimals for a large one. */
export function formatErlangs(erlangs: number): string {
  if (erlangs === 0 || erlangs >= 1) return erlangs.toFixed(2);
  return String(Number(erlangs.toPrecision(3)));
}

const percent = (v: number) => `${(v * 100).toFixed(1)} %`;

/** `capToSuggest`: how the abandonment cap is named to the asker; '' when one was given (nothing to suggest). */
function requirementWarnings(p: QueuePerformance, concurrency: number, target: { fraction: number; answerWithinSeconds: number }, capToSuggest: string): string[] {
  if (p.trafficErlangs === 0) return [];
  const meets = `${Number((target.fraction * 100).toFixed(1))}/${target.answerWithinSeconds}`;
  const hint = capToSuggest ? ` (${capToSuggest} caps it)` : '';
  // below the load is said unless a cap was given: then the planner chose how many may hang up
  if (capToSuggest && p.agents * concurrency < p.trafficErlangs) {
    return [
      `${p.agents} agents are fewer than the offered load of ${formatErlangs(p.trafficErlangs)} Erlangs: they meet ${meets} only because callers who hang up are not answered late; ${percent(p.probAbandon)} hang up${hint}`,
    ];
  }
  if (p.probAbandon > ABANDONMENT_WARNING) return [`with the ${p.agents} agents required ${percent(p.probAbandon)} of callers hang up before they are answered (over ${percent(ABANDONMENT_WARNING)})${hint}`];
  return [];
}

function scheduledWarnings(p: QueuePerformance, concurrency: number, model: StaffingModel): string[] {
  if (p.trafficErlangs === 0) return [];
  const who = `with ${p.agents} agents on the phone`;
  if (nobodyOnThePhone(p)) return [`${who} no call is answered${model === 'erlang-a' ? ': every caller hangs up' : ''}`];
  if (model === 'erlang-c' && p.agents * concurrency <= p.trafficErlangs) {
    return [`${who} (no more than the offered load of ${formatErlangs(p.trafficErlangs)} Erlangs) the queue grows without bound: callers who never hang up wait for ever`];
  }
  if (p.probAbandon > ABANDONMENT_WARNING) return [`${who} ${percent(p.probAbandon)} of callers hang up before they are answered (over ${percent(ABANDONMENT_WARNING)})`];
  return [];
}

/**
 * A load that needs more agents than the limit, refused naming the volume (the core says so too, but
 * about no field: it also serves whole forecasts). Bad numbers are left to the core's checks.
 */
function refuseLoadBeyond(maxAgents: number | undefined, volume: number, intervalMinutes: number, ahtSeconds: number, concurrency: number): void {
  const limit = maxAgents ?? MAX_AGENTS;
  const servers = (volume / (intervalMinutes * 60)) * ahtSeconds / concurrency;
  const valid = [volume, intervalMinutes, ahtSeconds, concurrency].every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
  if (!valid || !(servers > limit)) return;
  const most = limit.toLocaleString('en');
  throw invalid(`staffing requirement exceeds ${most} agents`, [
    { where: 'volume', message: `an offered load of ${formatErlangs(servers * concurrency)} Erlangs needs more than ${most} agents${maxAgents === undefined ? ' (a units mistake? check the volume and AHT)' : ', the most answered here'}` },
  ]);
}

export interface StaffingLimits {
  /** the most agents a requirement may come to (and a prediction be asked for); default the core's million */
  maxAgents?: number;
  /** how the asker names the abandonment cap, for the warning that suggests it (default maxAbandonment) */
  maxAbandonmentName?: string;
}

/**
 * Answers the question: a requirement when the target's fraction is given, a prediction when `agents`
 * is, both when both are. Every bad field is a validation WfmError whose `where` names the question's field.
 */
export function answerStaffingQuestion(question: StaffingQuestion, limits: StaffingLimits = {}): StaffingAnswer {
  const q = question;
  const fraction = q.serviceLevel?.fraction;
  if (fraction === undefined && q.agents === undefined) {
    throw invalid('invalid staffing input', [
      { where: 'serviceLevel.fraction', message: 'missing: the service-level target to staff for (or give agents, to predict how that many do)' },
    ]);
  }
  const model: StaffingModel = q.patienceSeconds === undefined ? 'erlang-c' : 'erlang-a';
  const concurrency = q.concurrency ?? 1;
  const common = {
    callsPerInterval: q.volume,
    intervalSeconds: q.intervalMinutes * 60,
    ahtSeconds: q.ahtSeconds,
    patienceSeconds: q.patienceSeconds,
    concurrency,
  };
  const answerWithinSeconds = q.serviceLevel?.answerWithinSeconds;
  const warnings: string[] = [];

  let requirement: StaffingAnswer['requirement'];
  if (fraction !== undefined) {
    const target = { fraction, answerWithinSeconds };
    refuseLoadBeyond(limits.maxAgents, q.volume, q.intervalMinutes, q.ahtSeconds, concurrency);
    const found = inQuestionTerms(() =>
      requiredAgents({
        ...common,
        serviceLevel: target,
        shrinkage: q.shrinkage ?? 0,
        maxOccupancy: q.maxOccupancy ?? 1,
        maxAbandonment: q.maxAbandonment,
        maxAgents: limits.maxAgents,
      }),
    );
    requirement = { rawAgents: found.rawAgents, agentsWithShrinkage: found.agentsWithShrinkage, performance: performanceView(found.performance, model) };
    const capToSuggest = q.maxAbandonment === undefined && model === 'erlang-a' ? (limits.maxAbandonmentName ?? 'maxAbandonment') : '';
    warnings.push(...requirementWarnings(found.performance, concurrency, target, capToSuggest));
  }

  let scheduled: PerformanceView | undefined;
  if (q.agents !== undefined) {
    const agents = q.agents;
    if (limits.maxAgents !== undefined && agents > limits.maxAgents) {
      throw invalid('invalid staffing input', [{ where: 'agents', message: `must be at most ${limits.maxAgents.toLocaleString('en')}` }]);
    }
    const predicted = inQuestionTerms(() => predictPerformance({ ...common, agents, answerWithinSeconds: answerWithinSeconds as number }));
    scheduled = performanceView(predicted, model);
    warnings.push(...scheduledWarnings(predicted, concurrency, model));
  }
  return { model, ...(requirement ? { requirement } : {}), ...(scheduled ? { scheduled } : {}), warnings };
}

/**
 * The answer as one JSON document (`wfm staffing --json`, `POST /staffing`): the requirement's figures at
 * the top level, the prediction for `agents` under `scheduled`, and the warnings.
 */
export function staffingDocument(answer: StaffingAnswer): Record<string, unknown> {
  const { requirement, scheduled } = answer;
  return {
    model: answer.model,
    ...(requirement ? { rawAgents: requirement.rawAgents, agentsWithShrinkage: requirement.agentsWithShrinkage, ...requirement.performance } : {}),
    ...(scheduled ? { scheduled } : {}),
    warnings: answer.warnings,
  };
}
