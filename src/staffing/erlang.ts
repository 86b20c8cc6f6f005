/**
 * Queueing formulas for one interval of one skill group: Erlang C (M/M/N, callers wait forever) and
 * Erlang A (M/M/N+M, callers abandon after an exponential patience), in both directions:
 * scheduled agents → predicted service level / ASA / abandonment, and a target → required agents.
 *
 * Numerical stability: nothing here forms a factorial or a power of the traffic. The Erlang B blocking
 * probability comes from its recursion in log space, and the Erlang A series (the function A(x, y) of
 * Mandelbaum & Zeltyn) is summed in log space, so results hold from 1 agent to tens of thousands.
 * The series needs about (λ − Nμ)·patience terms, so for a very long patience (10⁹ s and more) it is
 * replaced by the equal one-dimensional integral, evaluated by quadrature around its peak: the cost no
 * longer grows with the patience.
 *
 * Chat concurrency c: one agent works c conversations at once, each lasting the handle time, so N agents
 * are N·c servers. Occupancy is the busy fraction of those servers.
 *
 * Service level = P(a call is answered within T) over all offered calls. In Erlang C every call is
 * answered; in Erlang A a call that abandons never counts as answered (the conservative definition).
 * ASA = mean wait of the calls that are answered.
 */
import type { ServiceLevelTarget } from '../domain/types';
import { invalid } from '../errors/wfm-error';

export interface QueueInput {
  /** arrivals in the interval (may be fractional: a forecast) */
  callsPerInterval: number;
  intervalSeconds: number;
  ahtSeconds: number;
  /** agents on the phone; a non-negative integer */
  agents: number;
  answerWithinSeconds: number;
  /** mean patience for Erlang A; ignored by erlangC */
  patienceSeconds?: number;
  /** conversations one agent handles at once (chat); default 1 */
  concurrency?: number;
}

export interface QueuePerformance {
  agents: number;
  /** offered load λ·AHT in Erlangs */
  trafficErlangs: number;
  /** P(answered within T) over all offered calls, 0…1 */
  serviceLevel: number;
  /** mean wait of answered calls, seconds (Infinity when Erlang C is overloaded) */
  asaSeconds: number;
  /** busy fraction of the agents' capacity, 0…1 */
  occupancy: number;
  /** P(a call has to wait at all) */
  probWait: number;
  /** P(a call abandons); 0 in Erlang C */
  probAbandon: number;
}

export interface RequirementInput {
  callsPerInterval: number;
  intervalSeconds: number;
  ahtSeconds: number;
  serviceLevel: ServiceLevelTarget;
  /** present → Erlang A, absent → Erlang C */
  patienceSeconds?: number;
  /** fraction of paid time off the phone, 0 ≤ s < 1 */
  shrinkage: number;
  /** occupancy cap, 0 < o ≤ 1 */
  maxOccupancy: number;
  concurrency?: number;
  /**
   * Erlang A only: the largest share of callers who may hang up, 0 < m < 1. Without it a target can be met
   * below the offered load, by the callers who give up (they are never answered late).
   */
  maxAbandonment?: number;
  /** the search gives up beyond this many agents (default a million); a server answering requests passes less */
  maxAgents?: number;
}

export interface Requirement {
  /** agents on the phone needed to meet both the service level and the occupancy cap */
  rawAgents: number;
  /** rawAgents grossed up for shrinkage: ceil(raw / (1 − shrinkage)) */
  agentsWithShrinkage: number;
  /** predicted performance with rawAgents on the phone */
  performance: QueuePerformance;
}

/** Beyond this many agents the search gives up: the input is surely a unit mistake. */
export const MAX_AGENTS = 1_000_000;

// ---------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------

/**
 * ln of the Erlang B blocking probability B(servers, traffic), by the recursion
 * B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), carried in log space so tiny values do not underflow.
 */
export function logErlangB(servers: number, trafficErlangs: number): number {
  if (trafficErlangs <= 0) return servers === 0 ? 0 : -Infinity;
  const logTraffic = Math.log(trafficErlangs);
  let logB = 0;
  for (let k = 1; k <= servers; k++) {
    const aB = Math.exp(logTraffic + logB);
    logB = logTraffic + logB - Math.log(k + aB);
  }
  return logB;
}

export function erlangB(servers: number, trafficErlangs: number): number {
  return Math.exp(logErlangB(servers, trafficErlangs));
}

/** ln(e^a + e^b) without overflow. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/**
 * Terms the series over queue positions may take beyond which the integral form is used instead:
 * summing is exact and fast below it (every ordinary patience), the quadrature costs the same at any size.
 */
const SERIES_TERM_BUDGET = 20_000;

/**
 * Rough count of the terms S(x, y) (and the ASA sum) needs: they rise up to k ≈ y − x, then fall like a
 * Gaussian of width √max(x, y) (≈ 9 widths to drop by e^−40).
 */
function seriesIsTooLong(x: number, y: number): boolean {
  return Math.max(0, y - x) + 12 * Math.sqrt(Math.max(x, y, 1)) > SERIES_TERM_BUDGET;
}

/**
 * ln S(x, y) with S(x, y) = Σ_{k≥0} y^k / ((x+1)(x+2)…(x+k)) — Mandelbaum & Zeltyn's A(x, y)
 * = x·e^y·y^(−x)·γ(x, y). The terms rise while x + k < y and then fall faster than geometrically.
 * Erlang A calls it only while that is short (seriesIsTooLong); offeredWaitByQuadrature covers the rest.
 */
export function logSeriesS(x: number, y: number): number {
  if (y <= 0) return 0;
  const logY = Math.log(y);
  let logTerm = 0;
  let logSum = 0;
  for (let k = 1; k < 50_000_000; k++) {
    logTerm += logY - Math.log(x + k);
    logSum = logAdd(logSum, logTerm);
    // Past the peak the ratio y/(x+k) < 1 and keeps shrinking: stop once the tail cannot matter.
    if (x + k > y && logTerm < logSum - 40) return logSum;
  }
  return logSum;
}

/** d − ln(1 + d) = d²/2 − d³/3 + …, without the cancellation of the direct difference for small d. */
function dMinusLog1p(d: number): number {
  if (Math.abs(d) > 0.1) return d - Math.log1p(d);
  let power = d;
  let sum = 0;
  for (let k = 2; k <= 16; k++) {
    power *= -d;
    sum -= power / k;
  }
  return sum;
}

/** d + expm1(−d) = d²/2 − d³/6 + …, without the cancellation of the direct sum for small d. */
function dPlusExpm1Minus(d: number): number {
  if (Math.abs(d) > 0.1) return d + Math.expm1(-d);
  let term = (d * d) / 2;
  let sum = term;
  for (let k = 3; k <= 12; k++) {
    term *= -d / k;
    sum += term;
  }
  return sum;
}

/** Gauss–Legendre nodes and weights on [−1, 1], by Newton's method on the Legendre polynomial P_n. */
function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
      derivative = (n * (z * p1 - p0)) / (z * z - 1);
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = z;
    weights[i] = 2 / ((1 - z * z) * derivative * derivative);
  }
  return { nodes, weights };
}

const GAUSS_LEGENDRE = gaussLegendre(12);
/** Panels per stretch of the quadrature; the density falls by e^−QUADRATURE_DROP at the ends. */
const QUADRATURE_PANELS = 24;
const QUADRATURE_DROP = 60;

/**
 * What Erlang A needs about the offered wait V of a caller who has to wait (V > 0): with w = θV its
 * density is ∝ exp(−x·w − y·e^(−w)) on w > 0 (from P(V > s | V > 0) = γ(x, y·e^(−θs)) / γ(x, y)), and
 * a caller with offered wait V is served iff V beats an exponential patience: probability e^(−w).
 */
interface OfferedWait {
  /** ln S(x, y) */
  logS: number;
  /** P(abandon | wait > 0) = E[1 − e^(−w)] */
  abandonGivenWait: number;
  /** P(served within t | wait > 0) = E[e^(−w); w ≤ θt] */
  servedWithinGivenWait: number;
  /** E[W·1{served} | wait > 0] in seconds = E[w·e^(−w)] / θ */
  servedWaitGivenWait: number;
}

/** The series sums of Mandelbaum & Zeltyn: exact, and quick while the series is short. */
function offeredWaitBySeries(x: number, y: number, abandonRate: number, t: number): OfferedWait {
  const logS = logSeriesS(x, y);
  const logRatioR = (u: number, logScaleToY: number) =>
    // R(u) = (u/y)^(x+1) · e^(y−u) · x/(x+1) · S(x+1,u) / S(x,y)
    logScaleToY + (y - u) + Math.log(x / (x + 1)) + logSeriesS(x + 1, u) - logS;
  const servedGivenWait = Math.exp(logRatioR(y, 0));
  const uAtT = y * Math.exp(-abandonRate * t);
  const servedAfterT = uAtT > 0 ? Math.exp(logRatioR(uAtT, -abandonRate * t * (x + 1))) : 0;
  return {
    logS,
    abandonGivenWait: 1 - servedGivenWait,
    servedWithinGivenWait: servedGivenWait - servedAfterT,
    servedWaitGivenWait: servedWaitBySeries(x, y, abandonRate, logS),
  };
}

/**
 * The same expectations by quadrature over the density of w, at a cost that does not grow with x and y
 * (the series needs about y − x terms: 10⁸ and more for a patience of 10⁹ s). The log-density is
 * concave with one peak m, so the integral lives where it is within QUADRATURE_DROP of the peak. It is
 * written relative to the peak (c = y·e^(−m)) because x and y may be 10¹⁵ while the span is 10⁻⁷ wide:
 * differences of the raw terms would be rounding noise; and every expectation is a ratio over the same
 * nodes, so no large logarithms are subtracted.
 */
function offeredWaitByQuadrature(x: number, y: number, abandonRate: number, t: number): OfferedWait {
  // Peak at ln(y/x) when callers arrive faster than agents serve them (y > x), else at w = 0.
  const overloaded = y > x;
  const peak = overloaded ? Math.log(y / x) : 0;
  const c = overloaded ? x : y;
  const slopeAtPeak = x - c; // 0 inside, x − y ≥ 0 at w = 0
  const fromPeak = (d: number) => -slopeAtPeak * d - c * dPlusExpm1Minus(d);

  // hypot: (x − y)² overflows for a patience near 10³⁰⁰ s
  const width = Math.max(1 / Math.hypot(Math.sqrt(c), slopeAtPeak), Number.MIN_VALUE);
  const edge = (direction: 1 | -1): number => {
    const limit = direction === -1 ? peak : Infinity;
    let inside = 0;
    let outside = Math.min(width, limit);
    while (outside < limit && fromPeak(direction * outside) > -QUADRATURE_DROP) (inside = outside), (outside = Math.min(2 * outside, limit));
    if (fromPeak(direction * outside) > -QUADRATURE_DROP) return direction * outside;
    for (let iteration = 0; iteration < 200 && outside - inside > 1e-3 * inside; iteration++) {
      const mid = (inside + outside) / 2;
      if (fromPeak(direction * mid) > -QUADRATURE_DROP) inside = mid;
      else outside = mid;
    }
    return direction * outside;
  };
  // Stretches from the left end to the right end, cut at the peak and at w = θt (where "within t" ends).
  const left = edge(-1);
  const right = edge(1);
  const cutAtT = abandonRate * t - peak;
  const cuts = [left, 0, right];
  if (cutAtT > left && cutAtT < right && cutAtT !== 0) cuts.splice(cutAtT < 0 ? 1 : 2, 0, cutAtT);

  let mass = 0;
  let abandoned = 0;
  let servedWithin = 0;
  let servedWait = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const panel = (cuts[k + 1] - cuts[k]) / QUADRATURE_PANELS;
    if (!(panel > 0)) continue;
    const within = cuts[k + 1] <= cutAtT;
    for (let j = 0; j < QUADRATURE_PANELS; j++) {
      const centre = cuts[k] + (j + 0.5) * panel;
      for (let i = 0; i < GAUSS_LEGENDRE.nodes.length; i++) {
        const d = centre + (GAUSS_LEGENDRE.nodes[i] * panel) / 2;
        // measured in widths, so that density·w cannot underflow when the span is 10⁻²⁰⁰ wide
        const density = ((GAUSS_LEGENDRE.weights[i] * (panel / width)) / 2) * Math.exp(fromPeak(d));
        const w = peak + d;
        const served = Math.exp(-w);
        mass += density;
        abandoned += density * -Math.expm1(-w);
        if (within) servedWithin += density * served;
        servedWait += density * w * served;
      }
    }
  }
  // S(x, y) = x·e^y·∫₀^∞ exp(−x·w − y·e^(−w)) dw, and the exponent at the peak plus y is
  // y − x·ln(y/x) − x = x·(δ − ln(1 + δ)) with δ = y/x − 1 when overloaded, 0 otherwise.
  const exponentAtPeakPlusY = overloaded ? x * dMinusLog1p(y / x - 1) : 0;
  return {
    logS: Math.log(x) + exponentAtPeakPlusY + Math.log(mass) + Math.log(width),
    abandonGivenWait: abandoned / mass,
    servedWithinGivenWait: servedWithin / mass,
    servedWaitGivenWait: servedWait / mass / abandonRate,
  };
}

function validateQueueInput(input: QueueInput, needPatience: boolean): void {
  const problems: Array<{ where: string; message: string }> = [];
  const finite = (v: number) => typeof v === 'number' && Number.isFinite(v);
  if (!finite(input.callsPerInterval) || input.callsPerInterval < 0) problems.push({ where: 'callsPerInterval', message: 'must be a number ≥ 0' });
  if (!finite(input.intervalSeconds) || input.intervalSeconds <= 0) problems.push({ where: 'intervalSeconds', message: 'must be > 0' });
  if (!finite(input.ahtSeconds) || input.ahtSeconds <= 0) problems.push({ where: 'ahtSeconds', message: 'must be > 0' });
  if (!Number.isInteger(input.agents) || input.agents < 0) problems.push({ where: 'agents', message: 'must be an integer ≥ 0' });
  if (!finite(input.answerWithinSeconds) || input.answerWithinSeconds < 0) problems.push({ where: 'answerWithinSeconds', message: 'must be ≥ 0' });
  if (needPatience && (!finite(input.patienceSeconds ?? NaN) || (input.patienceSeconds ?? 0) <= 0)) problems.push({ where: 'patienceSeconds', message: 'must be > 0' });
  const c = input.concurrency ?? 1;
  if (!Number.isInteger(c) || c < 1) problems.push({ where: 'concurrency', message: 'must be an integer ≥ 1' });
  if (problems.length > 0) throw invalid('invalid queue input', problems);
}

// ---------------------------------------------------------------------------------------------------
// Erlang C
// ---------------------------------------------------------------------------------------------------

export function erlangC(input: QueueInput): QueuePerformance {
  validateQueueInput(input, false);
  const concurrency = input.concurrency ?? 1;
  const servers = input.agents * concurrency;
  const arrivalRate = input.callsPerInterval / input.intervalSeconds;
  const traffic = arrivalRate * input.ahtSeconds;
  const base = { agents: input.agents, trafficErlangs: traffic, probAbandon: 0 };
  if (traffic === 0) return { ...base, serviceLevel: 1, asaSeconds: 0, occupancy: 0, probWait: 0 };
  if (servers <= traffic) return { ...base, serviceLevel: 0, asaSeconds: Infinity, occupancy: 1, probWait: 1 };

  // C = N·B / (N − a·(1 − B)), the classic identity between Erlang C and Erlang B.
  const blocking = erlangB(servers, traffic);
  const probWait = (servers * blocking) / (servers - traffic * (1 - blocking));
  const drainRate = (servers - traffic) / input.ahtSeconds; // (Nμ − λ)
  return {
    ...base,
    serviceLevel: 1 - probWait * Math.exp(-drainRate * input.answerWithinSeconds),
    asaSeconds: probWait / drainRate,
    occupancy: traffic / servers,
    probWait,
  };
}

// ---------------------------------------------------------------------------------------------------
// Erlang A (M/M/N+M), after Garnett, Mandelbaum & Reiman (2002) and Mandelbaum & Zeltyn (2004)
// ---------------------------------------------------------------------------------------------------

/**
 * With μ = 1/AHT, θ = 1/patience, x = Nμ/θ, y = λ/θ and E = Erlang B(N, λ/μ):
 *   P(wait > 0)           = S(x,y)·E / (1 + (S(x,y) − 1)·E)
 *   P(served | waits)     = R(y),   R(u) = γ(x+1, u) / (y·γ(x, y))
 *   P(served, wait ≤ t)   = 1 − P(wait>0) + P(wait>0)·(R(y) − R(y·e^(−θt)))
 * The last line follows from P(V > s | V > 0) = γ(x, y·e^(−θs)) / γ(x, y) for the offered wait V, with
 * a call served iff V < its own patience (integrate e^(−θs) against the law of V, then by parts).
 * ASA sums over the queue position j met on arrival (PASTA): a call with j ahead is served with
 * probability x/(x+j+1), and, given that, waits Σ_{m=1..j+1} 1/(θ(x+m)) on average.
 */
export function erlangA(input: QueueInput & { patienceSeconds: number }): QueuePerformance {
  validateQueueInput(input, true);
  const concurrency = input.concurrency ?? 1;
  const servers = input.agents * concurrency;
  const arrivalRate = input.callsPerInterval / input.intervalSeconds;
  const serviceRate = 1 / input.ahtSeconds;
  const abandonRate = 1 / input.patienceSeconds;
  const traffic = arrivalRate * input.ahtSeconds;
  const base = { agents: input.agents, trafficErlangs: traffic };
  if (traffic === 0) return { ...base, serviceLevel: 1, asaSeconds: 0, occupancy: 0, probWait: 0, probAbandon: 0 };
  if (servers === 0) {
    return { ...base, serviceLevel: 0, asaSeconds: Infinity, occupancy: 0, probWait: 1, probAbandon: 1 };
  }

  const x = (servers * serviceRate) / abandonRate;
  const y = arrivalRate / abandonRate;
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    // only for a patience near 10³⁰⁸ s, where even the ratios of rates overflow
    throw invalid('invalid queue input', [{ where: 'patienceSeconds', message: 'too long to compute: leave it out for Erlang C (callers who never hang up)' }]);
  }
  const t = input.answerWithinSeconds;
  const wait = seriesIsTooLong(x, y) ? offeredWaitByQuadrature(x, y, abandonRate, t) : offeredWaitBySeries(x, y, abandonRate, t);
  const logE = logErlangB(servers, traffic);
  // P(wait>0) = 1 / (1 + (1−E)/(E·S)), in logs so an overloaded queue (S astronomically large) works.
  const logOddsNoWait = Math.log1p(-Math.exp(logE)) - logE - wait.logS;
  const probWait = 1 / (1 + Math.exp(logOddsNoWait));

  const probAbandon = probWait * wait.abandonGivenWait;
  const serviceLevel = 1 - probWait + probWait * wait.servedWithinGivenWait;
  const probServed = 1 - probAbandon;
  const asaSeconds = probServed <= 0 ? Infinity : (probWait * wait.servedWaitGivenWait) / probServed;
  const occupancy = (traffic * (1 - probAbandon)) / servers;
  return {
    ...base,
    serviceLevel: clamp01(serviceLevel),
    asaSeconds,
    occupancy: clamp01(occupancy),
    probWait: clamp01(probWait),
    probAbandon: clamp01(probAbandon),
  };
}

/** E[W·1{served} | wait > 0] for Erlang A by summing over the queue position met on arrival. */
function servedWaitBySeries(x: number, y: number, abandonRate: number, logS: number): number {
  const logY = Math.log(y);
  let logTerm = 0; // ln(y^j / Π_{i≤j}(x+i)); the weight of position j given a wait is term_j/S
  let meanWaitIfServed = 1 / (abandonRate * (x + 1)); // Σ_{m=1..j+1} 1/(θ(x+m)) for j = 0
  let total = 0;
  for (let j = 0; j < 50_000_000; j++) {
    if (j > 0) {
      logTerm += logY - Math.log(x + j);
      meanWaitIfServed += 1 / (abandonRate * (x + j + 1));
    }
    const weight = Math.exp(logTerm - logS);
    total += weight * (x / (x + j + 1)) * meanWaitIfServed;
    if (x + j > y && logTerm < logS - 40) break;
  }
  return total;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

// ---------------------------------------------------------------------------------------------------
// Both directions
// ---------------------------------------------------------------------------------------------------

/** Erlang A when a patience is given, Erlang C otherwise. */
export function queuePerformance(input: QueueInput): QueuePerformance {
  return input.patienceSeconds !== undefined
    ? erlangA({ ...input, patienceSeconds: input.patienceSeconds })
    : erlangC(input);
}

/**
 * Predicted performance for a possibly fractional number of agents on the phone (coverage net of
 * breaks is fractional): linear interpolation between the two neighbouring whole numbers of servers.
 * For voice a server is an agent. For chat (concurrency c > 1) an agent is c servers, and a fraction of
 * an agent stands for that fraction of its c conversation slots: 1.64 agents at c = 3 are read between 4
 * and 5 servers (4.92), not between 1 and 2 agents (3 and 6 servers), which jumped c servers at a time
 * and read a chat roster far worse than its staffing, unevenly from one interval to the next. Whole
 * agents are whole servers, so they read exactly as queuePerformance (and the requirement) reads them.
 */
export function predictPerformance(input: Omit<QueueInput, 'agents'> & { agents: number }): QueuePerformance {
  if (!Number.isFinite(input.agents) || input.agents < 0) throw invalid('invalid queue input', [{ where: 'agents', message: 'must be ≥ 0' }]);
  // Erlang's sums run over the agents: 10⁹ of them took half a minute and 10³⁰⁰ never ended. No queue
  // has more than a million agents (the requirement search stops there too): a units mistake.
  if (input.agents > MAX_AGENTS) throw invalid('invalid queue input', [{ where: 'agents', message: `must be at most ${MAX_AGENTS.toLocaleString('en')} (a units mistake?)` }]);
  const concurrency = input.concurrency ?? 1;
  // an invalid concurrency takes the agents' path, where queuePerformance refuses it
  if (Number.isInteger(concurrency) && concurrency > 1) return predictOverServers(input, concurrency);
  const lower = Math.floor(input.agents);
  const fraction = input.agents - lower;
  const low = queuePerformance({ ...input, agents: lower });
  if (fraction < 1e-9) return low;
  const high = queuePerformance({ ...input, agents: lower + 1 });
  return interpolate(low, high, fraction, input.agents);
}

/** Chat: whole servers are evaluated as single-conversation agents (the same queue: N·c servers either way). */
function predictOverServers(input: Omit<QueueInput, 'agents'> & { agents: number }, concurrency: number): QueuePerformance {
  const servers = input.agents * concurrency;
  const lower = Math.floor(servers);
  const fraction = servers - lower;
  const low = { ...queuePerformance({ ...input, agents: lower, concurrency: 1 }), agents: input.agents };
  if (fraction < 1e-9) return low;
  const high = queuePerformance({ ...input, agents: lower + 1, concurrency: 1 });
  return interpolate(low, high, fraction, input.agents);
}

/** Linear between two neighbours; an infinite ASA on one side gives way to the other only past half. */
function interpolate(low: QueuePerformance, high: QueuePerformance, fraction: number, agents: number): QueuePerformance {
  const mix = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? a + (b - a) * fraction : Number.isFinite(b) && fraction > 0.5 ? b : a);
  return {
    agents,
    trafficErlangs: low.trafficErlangs,
    serviceLevel: mix(low.serviceLevel, high.serviceLevel),
    asaSeconds: mix(low.asaSeconds, high.asaSeconds),
    occupancy: mix(low.occupancy, high.occupancy),
    probWait: mix(low.probWait, high.probWait),
    probAbandon: mix(low.probAbandon, high.probAbandon),
  };
}

function validateRequirement(input: RequirementInput): void {
  const problems: Array<{ where: string; message: string }> = [];
  const { fraction, answerWithinSeconds } = input.serviceLevel ?? ({} as ServiceLevelTarget);
  if (!(fraction > 0 && fraction < 1)) problems.push({ where: 'serviceLevel.fraction', message: 'must be between 0 and 1 (exclusive)' });
  if (!(answerWithinSeconds >= 0)) problems.push({ where: 'serviceLevel.answerWithinSeconds', message: 'must be ≥ 0' });
  if (!(input.shrinkage >= 0 && input.shrinkage < 1)) problems.push({ where: 'shrinkage', message: 'must be 0 ≤ s < 1' });
  if (!(input.maxOccupancy > 0 && input.maxOccupancy <= 1)) problems.push({ where: 'maxOccupancy', message: 'must be 0 < o ≤ 1' });
  if (input.maxAbandonment !== undefined) {
    if (!(input.maxAbandonment > 0 && input.maxAbandonment < 1)) problems.push({ where: 'maxAbandonment', message: 'must be between 0 and 1 (exclusive)' });
    else if (input.patienceSeconds === undefined) problems.push({ where: 'maxAbandonment', message: 'needs a patience (Erlang A): in Erlang C nobody hangs up' });
  }
  if (problems.length > 0) throw invalid('invalid staffing input', problems);
}

/**
 * Fewest agents on the phone that meet the service level and keep occupancy at or under the cap; the
 * service level and the occupancy constraint are both monotone in N, so a galloping + binary search
 * over N finds it in O(log N) evaluations.
 */
export function requiredAgents(input: RequirementInput): Requirement {
  validateRequirement(input);
  const concurrency = input.concurrency ?? 1;
  const maxAgents = Math.min(input.maxAgents ?? MAX_AGENTS, MAX_AGENTS);
  // the million is a units mistake's mark; a lower limit is the caller's (a server bounding a request's work)
  const beyondLimit = maxAgents === MAX_AGENTS ? 'check the units of volume and AHT' : 'the most this answers';
  const limitInWords = maxAgents === MAX_AGENTS ? 'a million' : maxAgents.toLocaleString('en');
  const evaluate = (agents: number) =>
    queuePerformance({
      callsPerInterval: input.callsPerInterval,
      intervalSeconds: input.intervalSeconds,
      ahtSeconds: input.ahtSeconds,
      agents,
      answerWithinSeconds: input.serviceLevel.answerWithinSeconds,
      patienceSeconds: input.patienceSeconds,
      concurrency,
    });
  // P(abandon) falls as agents are added, like the occupancy: the search below stays valid with the cap
  const meets = (p: QueuePerformance) =>
    p.serviceLevel >= input.serviceLevel.fraction - 1e-12 &&
    p.occupancy <= input.maxOccupancy + 1e-12 &&
    (input.maxAbandonment === undefined || p.probAbandon <= input.maxAbandonment + 1e-12);

  const zero = evaluate(0);
  if (zero.trafficErlangs === 0) return { rawAgents: 0, agentsWithShrinkage: 0, performance: zero };
  // A load of more than a million agents is a units mistake; said at once, before any evaluation near
  // that size (each one walks every server: minutes to hours at 10¹⁰ calls).
  if (zero.trafficErlangs / concurrency > maxAgents) {
    throw invalid(`staffing requirement exceeds ${limitInWords} agents (a load of ${zero.trafficErlangs.toExponential(2)} Erlangs); ${beyondLimit}`);
  }

  // Erlang C needs more servers than the load; Erlang A can meet a target below it (abandons shed load).
  let low = input.patienceSeconds === undefined ? Math.floor(zero.trafficErlangs / concurrency) : 0;
  let high = Math.max(1, low + 1);
  let highPerformance = evaluate(high);
  while (!meets(highPerformance)) {
    low = high;
    high = Math.min(maxAgents, low + Math.max(1, Math.ceil(Math.sqrt(low + 1))) * 2);
    if (low >= maxAgents) throw invalid(`staffing requirement exceeds ${limitInWords} agents; ${beyondLimit}`);
    highPerformance = evaluate(high);
  }
  // Invariant: `low` fails (the starting bound fails too: Erlang C is unstable there, and 0 agents answer
  // nothing), `high` meets.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const p = evaluate(mid);
    if (meets(p)) {
      high = mid;
      highPerformance = p;
    } else {
      low = mid;
    }
  }
  return {
    rawAgents: high,
    agentsWithShrinkage: Math.ceil(high / (1 - input.shrinkage) - 1e-9),
    performance: highPerformance,
  };
}
