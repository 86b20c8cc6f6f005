/**
 * Validates a SimulationSpec (every problem named by its field, as WfmError 'validation') and compiles it
 * into the typed arrays the engine runs on. Compiling is done once and shared by all replications.
 */
import { DateTime } from 'luxon';
import type { ProblemDetail } from '../errors/wfm-error';
import { invalid } from '../errors/wfm-error';
import { intervalStarts, isValidZone, isOnGrid } from '../time/grid';
import {
  HANDLE_EMPIRICAL,
  HANDLE_EXPONENTIAL,
  HANDLE_LOGNORMAL,
  PATIENCE_EMPIRICAL,
  PATIENCE_EXPONENTIAL,
  PATIENCE_NONE,
  type CompiledScenario,
} from './engine';
import { POLICY_NAMES, type PolicyName, type RoutingPolicy, type SimulationSpec } from './types';

const DEFAULT_POLICY: RoutingPolicy = {
  agentChoice: 'longest-idle',
  returnToPreviousAgent: false,
  previousAgentMaxWaitSeconds: 0,
  overflowAfterSeconds: 60,
};

/** A named policy, or a partial one over the default (longest idle, overflow after 60 s). */
export function resolvePolicy(policy: SimulationSpec['policy']): RoutingPolicy {
  if (policy === undefined) return { ...DEFAULT_POLICY };
  if (typeof policy === 'string') {
    if (policy === 'previous-agent') return { ...DEFAULT_POLICY, agentChoice: 'fewest-answered', returnToPreviousAgent: true };
    return { ...DEFAULT_POLICY, agentChoice: policy };
  }
  return { ...DEFAULT_POLICY, ...policy };
}

const finiteNonNegative = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const finitePositive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** Conversations one agent of the group holds at once: chatConcurrency for chat (default 1, as staffing), 1 for voice. */
export function conversationsPerAgent(group: SimulationSpec['skillGroups'][number]): number {
  return group.channel === 'chat' ? group.chatConcurrency ?? 1 : 1;
}

/** The most skill groups one simulation spec may hold. */
export const MAX_SKILL_GROUPS = 1000;

/** Throws WfmError('validation') listing every problem of the spec. */
export function validateSimulationSpec(spec: SimulationSpec): void {
  const problems: ProblemDetail[] = [];
  const problem = (where: string, message: string) => problems.push({ where, message });
  const groups = new Set<string>();
  if (!Array.isArray(spec.skillGroups) || spec.skillGroups.length === 0) problem('skillGroups', 'at least one skill group is needed');
  // a simulation of a contact center, not of a thousand of them: beyond that the spec is refused whole
  // (checking 400,000 groups field by field listed 1.6 million problems)
  else if (spec.skillGroups.length > MAX_SKILL_GROUPS) throw invalid('invalid simulation spec', [{ where: 'skillGroups', message: `${spec.skillGroups.length} skill groups: at most ${MAX_SKILL_GROUPS}` }]);
  (spec.skillGroups ?? []).forEach((g, i) => {
    // an id where the group belongs: said as such, not as its missing zone, handle time and target
    if (typeof g !== 'object' || g === null) {
      problem(`skillGroups[${i}]`, `must be a whole skill-group object (id, timeZone, ahtSeconds, serviceLevel…), not ${JSON.stringify(g)}: a simulation spec names no stored group`);
      return;
    }
    if (groups.has(g.id)) problem(`skillGroups[${i}].id`, `duplicate skill group "${g.id}"`);
    groups.add(g.id);
    if (!isValidZone(g.timeZone)) problem(`skillGroups[${i}].timeZone`, `unknown zone "${g.timeZone}"`);
    if (!finitePositive(g.ahtSeconds)) problem(`skillGroups[${i}].ahtSeconds`, 'must be > 0');
    if (!finiteNonNegative(g.serviceLevel?.answerWithinSeconds)) problem(`skillGroups[${i}].serviceLevel.answerWithinSeconds`, 'must be ≥ 0');
    if (g.patienceSeconds !== undefined && !finitePositive(g.patienceSeconds)) problem(`skillGroups[${i}].patienceSeconds`, 'must be > 0');
    if (g.channel === 'chat' && g.chatConcurrency !== undefined && !(Number.isInteger(g.chatConcurrency) && g.chatConcurrency >= 1)) {
      problem(`skillGroups[${i}].chatConcurrency`, 'must be an integer ≥ 1');
    }
    (g.overflowTo ?? []).forEach((target, k) => {
      if (!spec.skillGroups.some((other) => other.id === target)) problem(`skillGroups[${i}].overflowTo[${k}]`, `unknown skill group "${target}"`);
    });
  });
  const known = (id: string, where: string) => {
    if (!groups.has(id)) problem(where, `unknown skill group "${id}"`);
  };
  const first = typeof spec.skillGroups?.[0] === 'object' ? spec.skillGroups[0] : undefined;
  const intervalMinutes = spec.intervalMinutes ?? first?.intervalMinutes ?? 30;
  if (![5, 6, 10, 15, 30, 60].includes(intervalMinutes)) problem('intervalMinutes', 'must be 5, 6, 10, 15, 30 or 60');
  const { from, to } = spec.period ?? { from: NaN, to: NaN };
  const periodOk = Number.isFinite(from) && Number.isFinite(to) && to > from;
  if (!periodOk) problem('period', 'needs finite from < to (epoch ms)');
  else if (first && isValidZone(first.timeZone) && !isOnGrid(from, first.timeZone, intervalMinutes)) {
    problem('period.from', `must start a ${intervalMinutes}-minute interval in ${first.timeZone}`);
  }
  const inPeriod = (t: number) => periodOk && t >= from && t < to;

  const roster = spec.roster;
  if (!roster || (roster.kind !== 'shifts' && roster.kind !== 'staffing')) problem('roster.kind', 'must be "shifts" or "staffing"');
  else if (roster.kind === 'shifts') {
    roster.shifts.forEach((s, i) => {
      if (typeof s.agentId !== 'string' || !s.agentId) problem(`roster.shifts[${i}].agentId`, 'is required');
      known(s.skillGroupId, `roster.shifts[${i}].skillGroupId`);
      (s.extraSkillGroupIds ?? []).forEach((id, k) => known(id, `roster.shifts[${i}].extraSkillGroupIds[${k}]`));
      if (!(Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)) problem(`roster.shifts[${i}]`, 'needs start < end');
      (s.breaks ?? []).forEach((b, k) => {
        if (!(b.start >= s.start && b.end <= s.end && b.end > b.start)) problem(`roster.shifts[${i}].breaks[${k}]`, 'must lie inside the shift');
      });
    });
  } else {
    roster.rows.forEach((r, i) => {
      known(r.skillGroupId, `roster.rows[${i}].skillGroupId`);
      if (!finiteNonNegative(r.agents)) problem(`roster.rows[${i}].agents`, 'must be ≥ 0');
      if (first && isValidZone(first.timeZone) && !isOnGrid(r.start, first.timeZone, intervalMinutes)) problem(`roster.rows[${i}].start`, 'must start an interval');
    });
    (roster.extraSkillGroupIds ?? []).forEach((id, k) => known(id, `roster.extraSkillGroupIds[${k}]`));
  }
  (spec.addedAgents ?? []).forEach((a, i) => {
    a.skillGroupIds.forEach((id, k) => known(id, `addedAgents[${i}].skillGroupIds[${k}]`));
    if (a.skillGroupIds.length === 0) problem(`addedAgents[${i}].skillGroupIds`, 'at least one group');
    if (!finiteNonNegative(a.count)) problem(`addedAgents[${i}].count`, 'must be ≥ 0');
    if (!finiteNonNegative(a.loginDelayMinutes)) problem(`addedAgents[${i}].loginDelayMinutes`, 'must be ≥ 0');
    if (!finitePositive(a.durationMinutes)) problem(`addedAgents[${i}].durationMinutes`, 'must be > 0');
    if (!inPeriod(a.requestedAt)) problem(`addedAgents[${i}].requestedAt`, 'outside the simulated period');
  });

  const arrivals = spec.arrivals;
  if (!arrivals || (arrivals.kind !== 'forecast' && arrivals.kind !== 'replay')) problem('arrivals.kind', 'must be "forecast" or "replay"');
  else if (arrivals.kind === 'forecast') {
    if (arrivals.scale !== undefined && !finiteNonNegative(arrivals.scale)) problem('arrivals.scale', 'must be ≥ 0');
    arrivals.rates.forEach((r, i) => {
      known(r.skillGroupId, `arrivals.rates[${i}].skillGroupId`);
      if (!finiteNonNegative(r.volume)) problem(`arrivals.rates[${i}].volume`, 'negative or not a number: rates must be ≥ 0');
      if (first && isValidZone(first.timeZone) && !isOnGrid(r.start, first.timeZone, intervalMinutes)) problem(`arrivals.rates[${i}].start`, 'must start an interval');
    });
    (arrivals.shocks ?? []).forEach((s, i) => {
      known(s.skillGroupId, `arrivals.shocks[${i}].skillGroupId`);
      if (!inPeriod(s.start)) problem(`arrivals.shocks[${i}].start`, 'shock starts outside the simulated period');
      if (!finitePositive(s.durationMinutes)) problem(`arrivals.shocks[${i}].durationMinutes`, 'must be > 0');
      else if (periodOk && s.start + s.durationMinutes * 60_000 > to) problem(`arrivals.shocks[${i}].durationMinutes`, 'shock ends after the simulated period');
      if (!finiteNonNegative(s.factor)) problem(`arrivals.shocks[${i}].factor`, 'must be ≥ 0');
      const ramp = s.rampMinutes ?? 0;
      if (!finiteNonNegative(ramp) || 2 * ramp > s.durationMinutes) problem(`arrivals.shocks[${i}].rampMinutes`, 'must be ≥ 0 and at most half the duration');
    });
  } else {
    arrivals.calls.forEach((c, i) => {
      known(c.skillGroupId, `arrivals.calls[${i}].skillGroupId`);
      if (!inPeriod(c.arrival)) problem(`arrivals.calls[${i}].arrival`, 'outside the simulated period');
      if (c.handleSeconds !== undefined && !finiteNonNegative(c.handleSeconds)) problem(`arrivals.calls[${i}].handleSeconds`, 'must be ≥ 0');
      if (c.patienceSeconds !== undefined && !finiteNonNegative(c.patienceSeconds)) problem(`arrivals.calls[${i}].patienceSeconds`, 'must be ≥ 0');
    });
  }
  for (const [id, model] of Object.entries(spec.handleTime ?? {})) {
    known(id, `handleTime.${id}`);
    if (model.kind === 'empirical') {
      if (model.samplesSeconds.length === 0 || !model.samplesSeconds.every(finiteNonNegative)) problem(`handleTime.${id}.samplesSeconds`, 'needs samples ≥ 0');
    } else if (model.kind === 'exponential' || model.kind === 'lognormal') {
      if (model.meanSeconds !== undefined && !finitePositive(model.meanSeconds)) problem(`handleTime.${id}.meanSeconds`, 'must be > 0');
      if (model.kind === 'lognormal' && model.cv !== undefined && !finitePositive(model.cv)) problem(`handleTime.${id}.cv`, 'must be > 0');
    } else problem(`handleTime.${id}.kind`, 'must be exponential, lognormal or empirical');
  }
  for (const [id, model] of Object.entries(spec.patience ?? {})) {
    known(id, `patience.${id}`);
    if (model.kind === 'exponential' && !finitePositive(model.meanSeconds)) problem(`patience.${id}.meanSeconds`, 'must be > 0');
    if (model.kind === 'empirical') {
      const { timesSeconds, survival, tailMeanSeconds } = model.survival;
      if (timesSeconds.length !== survival.length || !finitePositive(tailMeanSeconds)) problem(`patience.${id}.survival`, 'times and survival must pair up; tail mean > 0');
    }
  }
  if (typeof spec.policy === 'string' && !(POLICY_NAMES as readonly string[]).includes(spec.policy)) {
    problem('policy', `unknown policy "${spec.policy}" (one of ${POLICY_NAMES.join(', ')})`);
  } else if (spec.policy !== undefined) {
    const p = resolvePolicy(spec.policy);
    if (!['longest-idle', 'fewest-answered', 'least-talk-time', 'random'].includes(p.agentChoice)) problem('policy.agentChoice', `unknown agent choice "${p.agentChoice}"`);
    if (!(p.overflowAfterSeconds >= 0)) problem('policy.overflowAfterSeconds', 'must be ≥ 0 (Infinity = never)');
    if (!(p.previousAgentMaxWaitSeconds >= 0)) problem('policy.previousAgentMaxWaitSeconds', 'must be ≥ 0 (Infinity = wait for ever)');
  }
  if (spec.repeatCalls) {
    const r = spec.repeatCalls;
    const fcrs = typeof r.firstCallResolution === 'number' ? { all: r.firstCallResolution } : r.firstCallResolution;
    for (const [id, p] of Object.entries(fcrs)) {
      if (id !== 'all' || typeof r.firstCallResolution !== 'number') known(id, `repeatCalls.firstCallResolution.${id}`);
      if (!(p >= 0 && p <= 1)) problem('repeatCalls.firstCallResolution', 'must be in [0, 1]');
    }
    if (!finitePositive(r.meanDelaySeconds)) problem('repeatCalls.meanDelaySeconds', 'must be > 0');
    if (!finitePositive(r.sameAgentHandleFactor)) problem('repeatCalls.sameAgentHandleFactor', 'must be > 0');
  }
  const replications = spec.replications ?? 1;
  if (!Number.isInteger(replications) || replications < 1 || replications > 1000) problem('replications', 'must be an integer in 1..1000');
  if (!Number.isInteger(spec.seed)) problem('seed', 'must be an integer');
  if (spec.warmupMinutes !== undefined && !finiteNonNegative(spec.warmupMinutes)) problem('warmupMinutes', 'must be ≥ 0');
  if (spec.hookEveryMinutes !== undefined && !finitePositive(spec.hookEveryMinutes)) problem('hookEveryMinutes', 'must be > 0');
  if (problems.length > 0) throw invalid(`invalid simulation: ${problems[0].where}: ${problems[0].message}`, problems);
}

/** Compiles a validated spec. */
export function compileScenario(spec: SimulationSpec): CompiledScenario & { intervalStartsMs: number[]; intervalMinutes: number } {
  const groupIds = spec.skillGroups.map((g) => g.id);
  const G = groupIds.length;
  const index = new Map(groupIds.map((id, i) => [id, i]));
  const zone = spec.skillGroups[0].timeZone;
  const intervalMinutes = spec.intervalMinutes ?? spec.skillGroups[0].intervalMinutes;
  const { from, to } = spec.period;
  const starts = intervalStarts(from, to, zone, intervalMinutes);
  const intervalCount = starts.length;
  const periodSeconds = (to - from) / 1000;
  const boundaries = new Float64Array(intervalCount + 1);
  starts.forEach((s, i) => (boundaries[i] = (s - from) / 1000));
  boundaries[intervalCount] = periodSeconds;
  const intervalOf = new Map(starts.map((s, i) => [s, i]));
  const seconds = (epochMs: number) => (epochMs - from) / 1000;

  const overflowStart = new Int32Array(G + 1);
  const overflowTargets: number[] = [];
  spec.skillGroups.forEach((g, i) => {
    overflowStart[i] = overflowTargets.length;
    for (const t of g.overflowTo ?? []) if (t !== g.id) overflowTargets.push(index.get(t)!);
  });
  overflowStart[G] = overflowTargets.length;

  // Skill sets, with the groups overflowing into each.
  const skillsetStart: number[] = [0];
  const skillsetGroups: number[] = [];
  const skillsetOverflowStart: number[] = [0];
  const skillsetOverflowSources: number[] = [];
  const skillsetKeys = new Map<string, number>();
  const skillsetFor = (groupIndexes: number[]): number => {
    const unique = [...new Set(groupIndexes)];
    const key = unique.join(',');
    let id = skillsetKeys.get(key);
    if (id === undefined) {
      id = skillsetKeys.size;
      skillsetKeys.set(key, id);
      skillsetGroups.push(...unique);
      skillsetStart.push(skillsetGroups.length);
      for (let h = 0; h < G; h++) {
        if (unique.includes(h)) continue;
        const targets = overflowTargets.slice(overflowStart[h], overflowStart[h + 1]);
        if (targets.some((t) => unique.includes(t))) skillsetOverflowSources.push(h);
      }
      skillsetOverflowStart.push(skillsetOverflowSources.length);
    }
    return id;
  };

  // Logged-in segments.
  const segments: Array<{ agent: number; start: number; end: number; skillset: number }> = [];
  let agentCount = 0;
  // Segments are cut at the period start only: agents stay to the end of their shift, so callers who
  // arrived before the period end are still answered (the engine stops once they are all done).
  const addSegment = (agent: number, start: number, end: number, skillset: number) => {
    const s = Math.max(0, start);
    if (end > s && s < periodSeconds) segments.push({ agent, start: s, end, skillset });
  };
  if (spec.roster.kind === 'shifts') {
    const agentIndex = new Map<string, number>();
    for (const shift of spec.roster.shifts) {
      let a = agentIndex.get(shift.agentId);
      if (a === undefined) agentIndex.set(shift.agentId, (a = agentCount++));
      const skillset = skillsetFor([index.get(shift.skillGroupId)!, ...(shift.extraSkillGroupIds ?? []).map((id) => index.get(id)!)]);
      let cursor = shift.start;
      for (const b of [...(shift.breaks ?? [])].sort((x, y) => x.start - y.start)) {
        if (b.start > cursor) addSegment(a, seconds(cursor), seconds(b.start), skillset);
        cursor = Math.max(cursor, b.end);
      }
      addSegment(a, seconds(cursor), seconds(shift.end), skillset);
    }
  } else {
    const extras = (spec.roster.extraSkillGroupIds ?? []).map((id) => index.get(id)!);
    const counts = new Float64Array(intervalCount * G);
    for (const row of spec.roster.rows) {
      const i = intervalOf.get(row.start);
      if (i !== undefined) counts[i * G + index.get(row.skillGroupId)!] = Math.round(row.agents);
    }
    for (let g = 0; g < G; g++) {
      const skillset = skillsetFor([g, ...extras]);
      let most = 0;
      for (let i = 0; i < intervalCount; i++) most = Math.max(most, counts[i * G + g]);
      // Agent k of the group is logged in during every interval that needs more than k agents.
      for (let k = 0; k < most; k++) {
        const a = agentCount++;
        let openFrom = -1;
        for (let i = 0; i <= intervalCount; i++) {
          const on = i < intervalCount && counts[i * G + g] > k;
          if (on && openFrom < 0) openFrom = boundaries[i];
          if (!on && openFrom >= 0) {
            // Staffed in the last interval = stays until the queue has drained.
            addSegment(a, openFrom, i === intervalCount ? Infinity : boundaries[i], skillset);
            openFrom = -1;
          }
        }
      }
    }
  }
  for (const added of spec.addedAgents ?? []) {
    const skillset = skillsetFor(added.skillGroupIds.map((id) => index.get(id)!));
    const login = seconds(added.requestedAt) + added.loginDelayMinutes * 60;
    for (let k = 0; k < Math.round(added.count); k++) addSegment(agentCount++, login, login + added.durationMinutes * 60, skillset);
  }
  segments.sort((x, y) => x.start - y.start || x.agent - y.agent);

  // Arrivals.
  let rates: Float64Array | null = null;
  let rateBound: Float64Array | null = null;
  let shocked: Uint8Array | null = null;
  const shocksByGroup: Float64Array[] = Array.from({ length: G }, () => new Float64Array(0));
  let replay: CompiledScenario['replay'] = null;
  if (spec.arrivals.kind === 'forecast') {
    const scale = spec.arrivals.scale ?? 1;
    rates = new Float64Array(intervalCount * G);
    rateBound = new Float64Array(intervalCount * G).fill(1);
    shocked = new Uint8Array(intervalCount * G);
    for (const r of spec.arrivals.rates) {
      const i = intervalOf.get(r.start);
      if (i === undefined) continue; // forecast rows outside the period are not simulated
      const g = index.get(r.skillGroupId)!;
      rates[i * G + g] += (r.volume * scale) / (boundaries[i + 1] - boundaries[i]);
    }
    const perGroup: number[][] = Array.from({ length: G }, () => []);
    for (const s of spec.arrivals.shocks ?? []) {
      const g = index.get(s.skillGroupId)!;
      const start = seconds(s.start);
      const end = start + s.durationMinutes * 60;
      perGroup[g].push(start, end, (s.rampMinutes ?? 0) * 60, s.factor);
      // Thinning needs an upper bound of the multiplier over each interval the shock touches. A factor
      // below 1 keeps the bound at 1 (the interval's rate is already an upper bound), but the interval
      // must still be thinned, or a drop/outage would change nothing.
      for (let i = 0; i < intervalCount; i++) {
        if (boundaries[i + 1] <= start || boundaries[i] >= end) continue;
        rateBound[i * G + g] *= Math.max(1, s.factor);
        shocked[i * G + g] = 1;
      }
    }
    perGroup.forEach((list, g) => (shocksByGroup[g] = Float64Array.from(list)));
  } else {
    const calls = [...spec.arrivals.calls].sort((x, y) => x.arrival - y.arrival);
    replay = {
      arrival: Float64Array.from(calls, (c) => seconds(c.arrival)),
      group: Int32Array.from(calls, (c) => index.get(c.skillGroupId)!),
      handle: Float64Array.from(calls, (c) => c.handleSeconds ?? NaN),
      patience: Float64Array.from(calls, (c) => c.patienceSeconds ?? NaN),
    };
  }

  // Handle time and patience per group.
  const handleKind = new Int32Array(G);
  const handleA = new Float64Array(G);
  const handleB = new Float64Array(G);
  const handleSamples: Float64Array[] = Array.from({ length: G }, () => new Float64Array(0));
  const patienceKind = new Int32Array(G);
  const patienceMean = new Float64Array(G);
  const patienceTimes: Float64Array[] = Array.from({ length: G }, () => new Float64Array(0));
  const patienceSurvival: Float64Array[] = Array.from({ length: G }, () => new Float64Array(0));
  spec.skillGroups.forEach((group, g) => {
    const model = spec.handleTime?.[group.id] ?? { kind: 'lognormal' as const };
    if (model.kind === 'exponential') {
      handleKind[g] = HANDLE_EXPONENTIAL;
      handleA[g] = model.meanSeconds ?? group.ahtSeconds;
    } else if (model.kind === 'lognormal') {
      const mean = model.meanSeconds ?? group.ahtSeconds;
      const cv = model.cv ?? 1;
      const sigma2 = Math.log(1 + cv * cv);
      handleKind[g] = HANDLE_LOGNORMAL;
      handleA[g] = Math.log(mean) - sigma2 / 2;
      handleB[g] = Math.sqrt(sigma2);
    } else {
      handleKind[g] = HANDLE_EMPIRICAL;
      handleSamples[g] = Float64Array.from(model.samplesSeconds);
    }
    const patience = spec.patience?.[group.id] ??
      (group.patienceSeconds !== undefined ? { kind: 'exponential' as const, meanSeconds: group.patienceSeconds } : { kind: 'none' as const });
    if (patience.kind === 'none') patienceKind[g] = PATIENCE_NONE;
    else if (patience.kind === 'exponential') {
      patienceKind[g] = PATIENCE_EXPONENTIAL;
      patienceMean[g] = patience.meanSeconds;
    } else {
      patienceKind[g] = PATIENCE_EMPIRICAL;
      patienceMean[g] = patience.survival.tailMeanSeconds;
      patienceTimes[g] = Float64Array.from(patience.survival.timesSeconds);
      patienceSurvival[g] = Float64Array.from(patience.survival.survival);
    }
  });

  const policy = resolvePolicy(spec.policy);
  let firstCallResolution: Float64Array | null = null;
  if (spec.repeatCalls) {
    const fcr = spec.repeatCalls.firstCallResolution;
    firstCallResolution = Float64Array.from(groupIds, (id) => (typeof fcr === 'number' ? fcr : fcr[id] ?? 1));
  }

  // Local midnights, for the agent-choice policies' "today" counters.
  const dayStarts: number[] = [];
  for (let day = DateTime.fromMillis(from, { zone }).startOf('day'); day.toMillis() < to; day = day.plus({ days: 1 })) {
    dayStarts.push(seconds(day.toMillis()));
  }

  return {
    groupIds,
    groupCount: G,
    boundaries,
    intervalCount,
    periodSeconds,
    epochStart: from,
    answerWithinSeconds: Float64Array.from(spec.skillGroups, (g) => g.serviceLevel.answerWithinSeconds),
    concurrency: Int32Array.from(spec.skillGroups, conversationsPerAgent),
    overflowStart,
    overflowTargets: Int32Array.from(overflowTargets),
    rates,
    rateBound,
    shocked,
    shocksByGroup,
    replay,
    handleKind,
    handleA,
    handleB,
    handleSamples,
    patienceKind,
    patienceMean,
    patienceTimes,
    patienceSurvival,
    segmentAgent: Int32Array.from(segments, (s) => s.agent),
    segmentStart: Float64Array.from(segments, (s) => s.start),
    segmentEnd: Float64Array.from(segments, (s) => s.end),
    segmentSkillset: Int32Array.from(segments, (s) => s.skillset),
    agentCount,
    skillsetStart,
    skillsetGroups,
    skillsetOverflowStart,
    skillsetOverflowSources,
    agentChoice: policy.agentChoice,
    returnToPreviousAgent: policy.returnToPreviousAgent,
    previousAgentMaxWaitSeconds: policy.previousAgentMaxWaitSeconds,
    overflowAfterSeconds: policy.overflowAfterSeconds,
    firstCallResolution,
    repeatMeanDelaySeconds: spec.repeatCalls?.meanDelaySeconds ?? 0,
    sameAgentHandleFactor: spec.repeatCalls?.sameAgentHandleFactor ?? 1,
    dayStarts: Float64Array.from(dayStarts),
    hook: spec.onMinute ?? null,
    hookEverySeconds: (spec.hookEveryMinutes ?? 1) * 60,
    skillsetFor,
    intervalStartsMs: starts,
    intervalMinutes,
  };
}
