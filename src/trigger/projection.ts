/**
 * Projected service level and abandonment for each coming bucket of the horizon: Erlang A on the
 * forecast arrivals plus the callers carried in (the queue now, then whatever the previous bucket could
 * not serve), with the agents the capacity projection expects plus the spare agents of overflow groups.
 *
 * The carry-over is a fluid approximation: what the agents cannot serve in a bucket waits into the next,
 * thinned by the callers' patience. It is what makes a long queue now matter for the next buckets, which
 * a per-bucket Erlang formula (a steady state) alone would forget.
 */
import type { SkillGroup } from '../domain/types';
import { predictPerformance, queuePerformance, type QueueInput } from '../staffing/erlang';
import { MINUTE_MS } from '../time/grid';
import type { CapacityProjection } from './capacity';
import type { MinuteForecast, ProjectedBucket, TriggerPolicy } from './types';

export interface ProjectionInput {
  group: SkillGroup;
  policy: Pick<TriggerPolicy, 'horizonMinutes' | 'stepMinutes' | 'loginLeadMinutes'> & { forecastQuantile: 'p10' | 'p50' | 'p90' };
  /** minute aligned, epoch ms */
  now: number;
  forecast: MinuteForecast;
  capacity: CapacityProjection;
  /** callers waiting now */
  backlog: number;
  /** spare agents lent by overflow groups, per coming minute (absent = none) */
  overflowSpare?: number[];
  /**
   * false = service level and abandonment only (requiredAgents left NaN): for a projection that is only
   * compared with a threshold, the search for the requirement is most of the cost. Default true.
   */
  withRequirement?: boolean;
}

const MAX_AGENTS = 1_000_000;

/**
 * Beyond this many agents' worth of offered load in one bucket the projection does not run Erlang A:
 * its series and recursions take time in proportion to the load (a stored 1e12 calls a minute took
 * minutes per evaluation and froze the tick), while at that size the queue behaves as its fluid limit —
 * served while the agents cover the load, not otherwise — to within √load agents (under 1% here). No
 * single skill group staffs 20,000 agents: such a bucket is a unit mistake or a runaway signal, and
 * whatever it asks for, the hourly cap (at most 10,000) binds long before the difference matters.
 */
export const MAX_ERLANG_LOAD_AGENTS = 20_000;
/**
 * Agents beyond twice that bound add nothing Erlang A could show for a load under it (the queue is
 * empty to double precision), so no evaluation or search starts above it.
 */
const MAX_ERLANG_AGENTS = 2 * MAX_ERLANG_LOAD_AGENTS;

/** Callers' mean patience when the group has none: only for thinning the carried queue. */
const DEFAULT_PATIENCE_SECONDS = 180;

function slice(values: number[], offset: number, count: number): number {
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const v = values[offset + k];
    if (v !== undefined && Number.isFinite(v)) sum += v;
  }
  return sum;
}

export function projectBuckets(input: ProjectionInput): ProjectedBucket[] {
  const { group, policy, now, forecast, capacity } = input;
  const step = policy.stepMinutes;
  const buckets = Math.ceil(policy.horizonMinutes / step);
  const stepSeconds = step * 60;
  const series = forecast[policy.forecastQuantile];
  const forecastOffset = Math.round((now - forecast.from) / MINUTE_MS);
  const capacityOffset = Math.round((now - capacity.from) / MINUTE_MS);
  const concurrency = group.channel === 'chat' ? group.chatConcurrency ?? 1 : 1;
  const patience = group.patienceSeconds ?? DEFAULT_PATIENCE_SECONDS;
  const withRequirement = input.withRequirement ?? true;
  const out: ProjectedBucket[] = [];
  let carried = Math.max(0, input.backlog);
  // The requirement of the previous bucket is where the next one's search starts: the load moves little
  // from one bucket to the next, while the agents on hand can be far off in a surge (and every Erlang A
  // evaluation on the way costs more the more overloaded the queue is).
  let previousRequired: number | null = null;
  for (let b = 0; b < buckets; b++) {
    const first = b * step;
    const arrivals = slice(series, forecastOffset + first, step);
    const agents = slice(capacity.agents, capacityOffset + first, step) / step;
    const overflowAgents = input.overflowSpare ? slice(input.overflowSpare, first, step) / step : 0;
    const offered = arrivals + carried;
    const queue = {
      callsPerInterval: offered,
      intervalSeconds: stepSeconds,
      ahtSeconds: group.ahtSeconds,
      answerWithinSeconds: group.serviceLevel.answerWithinSeconds,
      patienceSeconds: group.patienceSeconds,
      concurrency,
    };
    const onHand = agents + overflowAgents;
    const loadAgents = (offered * group.ahtSeconds) / (stepSeconds * concurrency);
    let performance: { serviceLevel: number; probAbandon: number };
    let required = NaN;
    if (!(loadAgents <= MAX_ERLANG_LOAD_AGENTS)) {
      performance = fluidPerformance(onHand, loadAgents);
      if (withRequirement) required = Math.ceil(loadAgents / group.maxOccupancy - 1e-9);
    } else {
      performance = predictPerformance({ ...queue, agents: Math.min(onHand, MAX_ERLANG_AGENTS) });
      // The first bucket starts from the agents on hand, or from the offered load when that is more (an
      // overloaded queue needs at least about its load in agents to meet a target).
      const hint = Math.min(MAX_ERLANG_AGENTS, previousRequired ?? Math.max(onHand, loadAgents));
      if (withRequirement) required = requiredAgentsNear(queue, group, hint);
    }
    if (withRequirement) previousRequired = required;
    out.push({
      start: now + first * MINUTE_MS,
      minutes: step,
      arrivals,
      carriedIn: carried,
      agents,
      overflowAgents,
      serviceLevel: performance.serviceLevel,
      probAbandon: performance.probAbandon,
      requiredAgents: required,
      // Beyond the login lead, and only while calls are expected: after closing, a callout would meet
      // nobody but the last few callers of the day, long gone by the time an agent logs in.
      actionable: first + step > policy.loginLeadMinutes && arrivals > 0,
    });
    const servable = ((agents + overflowAgents) * concurrency * stepSeconds) / group.ahtSeconds;
    carried = Math.max(0, offered - servable) * Math.exp(-stepSeconds / patience);
  }
  return out;
}

/**
 * A bucket too large for Erlang A (MAX_ERLANG_LOAD_AGENTS), as its fluid limit: with the agents covering
 * the load nobody waits long; short of it, everybody waits and the share the agents cannot serve gives up.
 */
function fluidPerformance(agents: number, loadAgents: number): { serviceLevel: number; probAbandon: number } {
  if (agents >= loadAgents) return { serviceLevel: 1, probAbandon: 0 };
  return { serviceLevel: 0, probAbandon: 1 - agents / loadAgents };
}

/**
 * The fewest agents on the phone that meet the group's service level with occupancy at or under its cap
 * — requiredAgents of src/staffing/erlang.ts (the same criteria and the same answer: see
 * test/trigger/projection.test.ts), but searched outward from the agents on hand, which the answer is
 * usually within a few of: a handful of Erlang A evaluations instead of a gallop from zero. A tick
 * projects 6 buckets for each of hundreds of groups every minute, so this is most of its time.
 */
export function requiredAgentsNear(queue: Omit<QueueInput, 'agents'>, group: Pick<SkillGroup, 'serviceLevel' | 'maxOccupancy'>, hint: number): number {
  const meets = (agents: number) => {
    if (agents < 0) return false;
    const p = queuePerformance({ ...queue, agents });
    return p.serviceLevel >= group.serviceLevel.fraction - 1e-12 && p.occupancy <= group.maxOccupancy + 1e-12;
  };
  if (queue.callsPerInterval <= 0) return 0;
  // Invariant once bracketed: `low` fails (−1 stands for "fewer than none"), `high` meets.
  let low: number;
  let high: number;
  const start = Math.max(0, Math.round(hint));
  if (meets(start)) {
    high = start;
    let step = 1;
    low = high - step;
    while (meets(low)) {
      high = low;
      step *= 2;
      low = Math.max(-1, high - step);
    }
  } else {
    low = start;
    let step = 1;
    high = low + step;
    // A million agents is a unit mistake upstream, not a gap to call out: stop there (the hourly cap binds anyway).
    while (!meets(high) && high < MAX_AGENTS) {
      low = high;
      step *= 2;
      high = Math.min(MAX_AGENTS, low + step);
    }
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (meets(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/** Per coming minute, what a bucket-wise quantity of a projection is, each bucket's value over its minutes. */
function perMinute(projection: ProjectedBucket[], value: (b: ProjectedBucket) => number): number[] {
  const out: number[] = [];
  for (const b of projection) {
    const v = value(b);
    for (let k = 0; k < b.minutes; k++) out.push(v);
  }
  return out;
}

/** Spare agents of a group per coming minute: what its own projection does not need. */
export function spareAgents(projection: ProjectedBucket[]): number[] {
  return perMinute(projection, (b) => Math.max(0, b.agents - b.requiredAgents));
}

/**
 * Agents a group is short of per coming minute in its projection with nothing lent: what it would ask of
 * the groups it overflows into.
 */
export function shortfallAgents(projection: ProjectedBucket[]): number[] {
  return perMinute(projection, (b) => Math.max(0, b.requiredAgents - b.agents - b.overflowAgents));
}

/**
 * One overflow group's spare agents split among the groups that overflow into it, minute by minute, in
 * proportion to what each is short of (`shortfalls`, one per-minute list per borrower; past a list's end
 * it needs nothing). That is how overflow routing hands them out: idle agents of the target take the
 * calls that wait too long in each source, so a source with twice the excess load gets about twice the
 * help — and a source that needs no help sends none and takes none (a quiet group, or one only watched,
 * leaves another group's callouts as they were). The shares add up to the spare, so no agent is counted
 * twice; a borrower may get more than its shortfall when the spare exceeds the total (its projected
 * service level then rises above the target, as the idle agents would answer its calls). A minute
 * nobody is short in is split equally (nothing depends on it: every borrower meets its target alone).
 * Serving the neediest first was not chosen: the router has no such order, and it would starve a
 * second surging group whose shortfall is a little smaller.
 */
export function splitByNeed(spare: number[], shortfalls: number[][]): number[][] {
  const shares = shortfalls.map(() => new Array<number>(spare.length).fill(0));
  for (let k = 0; k < spare.length; k++) {
    let total = 0;
    for (const need of shortfalls) total += need[k] ?? 0;
    for (let i = 0; i < shortfalls.length; i++) shares[i][k] = total > 0 ? (spare[k] * (shortfalls[i][k] ?? 0)) / total : spare[k] / shortfalls.length;
  }
  return shares;
}
