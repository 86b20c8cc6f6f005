/**
 * The simulator's entry point: validate, compile once, run the replications (each on its own PRNG
 * stream derived from the seed) and summarise per interval and per group with 95% confidence intervals
 * across replications. Pure: no I/O, no clock, no global randomness.
 */
import { createRng } from './rng';
import {
  runReplication,
  STAT_SLOTS,
  S_ABANDONED,
  S_ANSWERED,
  S_ANSWERED_WITHIN,
  S_BUSY_SECONDS,
  S_HANDLE,
  S_OFFERED,
  S_STAFFED_SECONDS,
  S_WAIT_ABANDONED,
  S_WAIT_ANSWERED,
} from './engine';
import { compileScenario, resolvePolicy, validateSimulationSpec } from './scenario';
import type { Estimate, GroupTotals, IntervalResult, SimMetrics, SimulationResult, SimulationSpec } from './types';

/** Stream numbers of the call stream (arrivals, handle times, patience); the routing stream is the replication number. */
const CALL_STREAM = 0x4000_0000;

/** Two-sided 95% Student t quantiles for 1..30 degrees of freedom; 1.96 beyond. */
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile95(degreesOfFreedom: number): number {
  return degreesOfFreedom < T95.length ? T95[degreesOfFreedom] : degreesOfFreedom < 60 ? 2.0 : 1.96;
}

/** Mean and 95% CI half-width of the defined (non-NaN) values. */
export function estimate(values: ArrayLike<number>): Estimate {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) (n++, (sum += values[i]));
  if (n === 0) return { mean: NaN, halfWidth: NaN };
  const mean = sum / n;
  // one replication says nothing of its own spread: 0 would read as certainty (NaN: null in JSON)
  if (n === 1) return { mean, halfWidth: NaN };
  let squares = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) squares += (values[i] - mean) ** 2;
  return { mean, halfWidth: tQuantile95(n - 1) * Math.sqrt(squares / (n - 1) / n) };
}

/** Metrics of one replication from summed statistics (ratios are NaN when undefined). */
function metricsOf(sum: (slot: number) => number, seconds: number): Record<keyof SimMetrics, number> {
  const offered = sum(S_OFFERED);
  const answered = sum(S_ANSWERED);
  const abandoned = sum(S_ABANDONED);
  const staffed = sum(S_STAFFED_SECONDS);
  return {
    offered,
    answered,
    abandoned,
    serviceLevel: offered > 0 ? sum(S_ANSWERED_WITHIN) / offered : NaN,
    asaSeconds: answered > 0 ? sum(S_WAIT_ANSWERED) / answered : NaN,
    meanWaitSeconds: answered + abandoned > 0 ? (sum(S_WAIT_ANSWERED) + sum(S_WAIT_ABANDONED)) / (answered + abandoned) : NaN,
    abandonRate: answered + abandoned > 0 ? abandoned / (answered + abandoned) : NaN,
    abandonedMeanWaitSeconds: abandoned > 0 ? sum(S_WAIT_ABANDONED) / abandoned : NaN,
    meanHandleSeconds: answered > 0 ? sum(S_HANDLE) / answered : NaN,
    occupancy: staffed > 0 ? sum(S_BUSY_SECONDS) / staffed : NaN,
    agents: seconds > 0 ? staffed / seconds : NaN,
  };
}

const METRIC_KEYS: Array<keyof SimMetrics> = [
  'offered', 'answered', 'abandoned', 'serviceLevel', 'asaSeconds', 'meanWaitSeconds', 'abandonRate',
  'abandonedMeanWaitSeconds', 'meanHandleSeconds', 'occupancy', 'agents',
];

function summarise(perReplication: Array<Record<keyof SimMetrics, number>>): SimMetrics {
  const out = {} as SimMetrics;
  for (const key of METRIC_KEYS) out[key] = estimate(perReplication.map((m) => m[key]));
  return out;
}

/** Runs the scenario. Throws WfmError('validation') naming the field for a bad spec. */
export function simulate(spec: SimulationSpec): SimulationResult {
  validateSimulationSpec(spec);
  const scenario = compileScenario(spec);
  const replications = spec.replications ?? 1;
  const G = scenario.groupCount;
  const I = scenario.intervalCount;
  const warmupEnd = (spec.warmupMinutes ?? 0) * 60;
  const firstCounted = Math.max(0, scenario.boundaries.findIndex((b) => b >= warmupEnd));
  const countedSeconds = scenario.periodSeconds - scenario.boundaries[firstCounted];
  const perInterval: Array<Array<Record<keyof SimMetrics, number>>> = Array.from({ length: I * G }, () => []);
  const perGroup: Array<Array<Record<keyof SimMetrics, number>>> = Array.from({ length: G }, () => []);
  const overall: Array<Record<keyof SimMetrics, number>> = [];
  let callsSimulated = 0;
  let peakCallSlots = 0;
  for (let r = 0; r < replications; r++) {
    const stats = new Float64Array(I * G * STAT_SLOTS);
    const run = runReplication(scenario, { calls: createRng(spec.seed, CALL_STREAM + r), routing: createRng(spec.seed, r) }, stats);
    callsSimulated += run.calls;
    peakCallSlots = Math.max(peakCallSlots, run.peakCallSlots);
    for (let i = 0; i < I; i++) {
      const seconds = scenario.boundaries[i + 1] - scenario.boundaries[i];
      for (let g = 0; g < G; g++) {
        const base = (i * G + g) * STAT_SLOTS;
        perInterval[i * G + g].push(metricsOf((slot) => stats[base + slot], seconds));
      }
    }
    const groupSum = (g: number) => (slot: number) => {
      let total = 0;
      for (let i = firstCounted; i < I; i++) total += stats[(i * G + g) * STAT_SLOTS + slot];
      return total;
    };
    for (let g = 0; g < G; g++) perGroup[g].push(metricsOf(groupSum(g), countedSeconds));
    overall.push(
      metricsOf((slot) => {
        let total = 0;
        for (let g = 0; g < G; g++) total += groupSum(g)(slot);
        return total;
      }, countedSeconds),
    );
    spec.onProgress?.(r + 1, replications);
  }
  const intervals: IntervalResult[] = [];
  for (let i = 0; i < I; i++) {
    for (let g = 0; g < G; g++) {
      intervals.push({ skillGroupId: scenario.groupIds[g], start: scenario.intervalStartsMs[i], ...summarise(perInterval[i * G + g]) });
    }
  }
  const totals: GroupTotals[] = scenario.groupIds.map((id, g) => ({ skillGroupId: id, ...summarise(perGroup[g]) }));
  return {
    replications,
    seed: spec.seed,
    policy: resolvePolicy(spec.policy),
    intervalMinutes: scenario.intervalMinutes,
    intervals,
    totals,
    overall: summarise(overall),
    callsSimulated,
    peakCallSlots,
  };
}
