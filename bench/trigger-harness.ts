/**
 * The surge trigger inside the simulator: the scenarios of issue 6 and one run of a policy on one seed,
 * with the per-wave trace that shows where the agent-hours go. Used by bench/trigger.bench.ts.
 */
import { simulate } from '../src/sim/simulate';
import { createRng, poisson } from '../src/sim/rng';
import { offeredCalls, replaySpecs } from '../src/sim/anonbank-replay';
import { exponentialPatienceMle } from '../src/sim/patience';
import { anonbankAvailable, loadAnonbankCalls } from '../src/datasets/anonbank-files';
import { localDate, MINUTE_MS } from '../src/time/grid';
import { requiredAgents } from '../src/staffing/erlang';
import { applyResponse } from '../src/trigger/acceptance';
import { workEnd } from '../src/trigger/callouts';
import { nowcast } from '../src/trigger/nowcast';
import { tick, type GroupTickInput } from '../src/trigger/tick';
import { emptyRealtimeState } from '../src/trigger/realtime-state';
import { DEFAULT_POLICY, initialTriggerState, type CalloutRecord, type ClaimedSlot, type Decision, type MinuteForecast, type RealtimeState, type TriggerMode, type TriggerPolicy, type TriggerState } from '../src/trigger/types';
import type { Agent, SkillGroup } from '../src/domain/types';
import type { ArrivalShock, SimulationResult, SimulationSpec } from '../src/sim/types';

export const HOUR = 3_600_000;
/** simulated cloud agents: this share accepts (1–4 minutes after the message), DECLINE_SHARE declines, the rest never answer */
export const ACCEPT_PROBABILITY = 0.6;
const DECLINE_SHARE = 0.25;

// ---------------------------------------------------------------- synthetic three-queue day
const ZONE = 'Asia/Jerusalem';
export const GROUP_IDS = ['PS', 'NW', 'NE'];
const SHARES = [0.6, 0.25, 0.15];
const CALLS_PER_DAY = 9000;
export const DAY = Date.UTC(2026, 2, 3, 22, 0); // 2026-03-04 00:00 local (+02:00)

export function syntheticGroups(): SkillGroup[] {
  return GROUP_IDS.map((id) => ({
    id, name: id, timeZone: ZONE, intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 240, patienceSeconds: 150, shrinkage: 0, maxOccupancy: 0.95, channel: 'voice', overflowTo: [], country: 'IL',
  }));
}

function profile(): number[] {
  const w = Array.from({ length: 48 }, (_, h) => {
    const hour = h / 2;
    if (hour < 7 || hour >= 21) return 0;
    return 0.3 + Math.exp(-((hour - 10) ** 2) / 4) + 0.8 * Math.exp(-((hour - 16) ** 2) / 5);
  });
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
}

export interface Setup {
  spec: SimulationSpec;
  groups: SkillGroup[];
  /** expected arrivals per minute per group over the period (no shock): what the interval forecast said */
  expectedPerMinute: Map<string, Float64Array>;
  /** the true arrival rate per minute, shocks included (a perfect forecast, for a bound); absent for replays */
  truePerMinute?: Map<string, Float64Array>;
  /** the roster as the trigger sees it */
  staffing: ClaimedSlot[];
  label: string;
  /** when the surge runs (null on a normal day): agent-hours inside it are the ones that could help */
  surge: { from: number; to: number; skillGroupIds: string[] } | null;
  /** a leading signal the client posts with each minute's events (per group, per minute of the period) */
  signal?: { name: string; perMinute: Map<string, Float64Array>; leadMinutes: number | null };
}

function surgeOf(shocks: ArrivalShock[]): Setup['surge'] {
  if (shocks.length === 0) return null;
  return {
    from: Math.min(...shocks.map((s) => s.start)),
    to: Math.max(...shocks.map((s) => s.start + s.durationMinutes * MINUTE_MS)),
    skillGroupIds: [...new Set(shocks.map((s) => s.skillGroupId))],
  };
}

/** The simulator's shock multiplier at `t` (a linear ramp up after the start and down before the end). */
function shockMultiplier(shocks: ArrivalShock[], skillGroupId: string, t: number): number {
  let multiplier = 1;
  for (const s of shocks) {
    const end = s.start + s.durationMinutes * MINUTE_MS;
    if (s.skillGroupId !== skillGroupId || t < s.start || t >= end) continue;
    const ramp = (s.rampMinutes ?? 0) * MINUTE_MS;
    const strength = ramp > 0 ? Math.min(1, (t - s.start) / ramp, (end - t) / ramp) : 1;
    multiplier *= 1 + (s.factor - 1) * strength;
  }
  return multiplier;
}

export function syntheticSetup(label: string, shocks: ArrivalShock[], seed: number): Setup {
  const groups = syntheticGroups();
  const from = DAY + 7 * HOUR;
  const to = DAY + 21 * HOUR;
  const p = profile();
  const rates = [];
  const rows = [];
  const expectedPerMinute = new Map<string, Float64Array>();
  const truePerMinute = new Map<string, Float64Array>();
  const minutes = (to - from) / MINUTE_MS;
  for (const [k, g] of groups.entries()) {
    const perMinute = new Float64Array(minutes);
    for (let h = 14; h < 42; h++) {
      const start = DAY + (h * HOUR) / 2;
      const volume = CALLS_PER_DAY * p[h] * SHARES[k];
      rates.push({ skillGroupId: g.id, start, volume });
      const agents = requiredAgents({ callsPerInterval: volume, intervalSeconds: 1800, ahtSeconds: g.ahtSeconds, serviceLevel: g.serviceLevel, patienceSeconds: g.patienceSeconds, shrinkage: 0, maxOccupancy: g.maxOccupancy }).rawAgents;
      rows.push({ skillGroupId: g.id, start, agents });
      for (let m = 0; m < 30; m++) perMinute[(start - from) / MINUTE_MS + m] = volume / 30;
    }
    expectedPerMinute.set(g.id, perMinute);
    truePerMinute.set(g.id, perMinute.map((v, m) => v * shockMultiplier(shocks, g.id, from + (m + 0.5) * MINUTE_MS)));
  }
  return {
    label,
    surge: surgeOf(shocks),
    groups,
    expectedPerMinute,
    truePerMinute,
    staffing: rows.map((r) => ({ skillGroupId: r.skillGroupId, start: r.start, end: r.start + 30 * MINUTE_MS, agents: r.agents })),
    spec: {
      skillGroups: groups, period: { from, to }, intervalMinutes: 30,
      roster: { kind: 'staffing', rows },
      arrivals: { kind: 'forecast', rates, shocks },
      handleTime: Object.fromEntries(groups.map((g) => [g.id, { kind: 'exponential' as const }])),
      policy: 'longest-idle', replications: 1, seed,
    },
  };
}

// ---------------------------------------------------------------- a leading signal: self-service sessions
export const SIGNAL_NAME = 'selfServiceSessions';
/** sessions per expected call on an ordinary minute */
export const SESSIONS_PER_CALL = 6;
/** web traffic spikes that no call follows (a marketing e-mail, a news item), per group and day, ×2–×10 for 10–30 minutes */
export const FALSE_ALARMS_PER_GROUP_DAY = 0.5;

/**
 * The setup with self-service sessions posted every minute, from their own seeded stream (the callers
 * are the same as without the signal):
 * - ordinary minutes: SESSIONS_PER_CALL × the expected calls × a slow wander (log AR(1), sd ≈ 10%), with
 *   Poisson-like noise;
 * - false alarms on every day: FALSE_ALARMS_PER_GROUP_DAY per group (Poisson), 08:00–20:00, ×2–×10
 *   (log-uniform) for 10–30 minutes, and no call follows;
 * - with `leadMinutes`, each surge of the scenario shows in the sessions that many minutes before the
 *   calls, for as long as the surge, at its factor × a lognormal error (sd 0.3 in logs): customers meet
 *   the broken coupon on the website first.
 */
export function withSelfServiceSignal(setup: Setup, seed: number, leadMinutes: number | null): Setup {
  const from = setup.spec.period.from;
  const minutes = (setup.spec.period.to - from) / MINUTE_MS;
  const shocks = setup.spec.arrivals.kind === 'forecast' ? (setup.spec.arrivals.shocks ?? []) : [];
  const perMinute = new Map<string, Float64Array>();
  for (const [gi, g] of setup.groups.entries()) {
    const rng = createRng(seed * 7919 + 101 + gi, 5);
    const factor = new Float64Array(minutes).fill(1);
    const spike = (start: number, duration: number, times: number) => {
      for (let m = Math.max(0, start); m < Math.min(minutes, start + duration); m++) factor[m] *= times;
    };
    const alarms = poisson(rng, FALSE_ALARMS_PER_GROUP_DAY);
    for (let a = 0; a < alarms; a++) {
      const start = 60 + Math.floor(rng.uniform() * 12 * 60);
      const duration = 10 + Math.floor(rng.uniform() * 21);
      spike(start, duration, Math.exp(Math.log(2) + rng.uniform() * Math.log(5)));
    }
    for (const shock of shocks) {
      if (shock.skillGroupId !== g.id) continue;
      const error = Math.exp(0.3 * rng.normal());
      if (leadMinutes !== null) spike((shock.start - from) / MINUTE_MS - leadMinutes, shock.durationMinutes, 1 + (shock.factor - 1) * error);
    }
    const expected = setup.expectedPerMinute.get(g.id)!;
    const sessions = new Float64Array(minutes);
    let wander = 0;
    for (let m = 0; m < minutes; m++) {
      wander = 0.97 * wander + 0.025 * rng.normal();
      const mean = SESSIONS_PER_CALL * expected[m] * Math.exp(wander) * factor[m];
      sessions[m] = Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
    }
    perMinute.set(g.id, sessions);
  }
  return { ...setup, signal: { name: SIGNAL_NAME, perMinute, leadMinutes } };
}

// ---------------------------------------------------------------- real PS spike, 1999-02-03
export function realSpikeSetup(seed: number): Setup | null {
  if (!anonbankAvailable()) return null;
  const calls = offeredCalls(loadAnonbankCalls('02'));
  const date = '1999-02-03';
  const [{ spec }] = replaySpecs(calls, { dates: [date], replications: 1, seed, intervalMinutes: 30 });
  const patience = exponentialPatienceMle(calls.map((c) => ({ waitSeconds: c.waitSeconds, abandoned: !c.answered })));
  const group: SkillGroup = { ...spec.skillGroups[0], patienceSeconds: patience };
  // Keep the working day (07:00–24:00 local): the trigger has nothing to do at night.
  const from = spec.period.from + 7 * HOUR;
  const to = spec.period.to;
  const replay = spec.arrivals.kind === 'replay' ? spec.arrivals.calls.filter((c) => c.arrival >= from && c.arrival < to) : [];
  // The forecast without the spike: the mean of the other Wednesdays of the month, per 30 minutes.
  const minutes = (to - from) / MINUTE_MS;
  const perMinute = new Float64Array(minutes);
  const others = ['1999-02-10', '1999-02-17', '1999-02-24'];
  for (const c of calls) {
    const d = localDate(c.arrival, 'Asia/Jerusalem');
    const k = others.indexOf(d);
    if (k < 0) continue;
    const dayShift = (k + 1) * 7 * 24 * HOUR;
    const m = Math.floor((c.arrival - dayShift - from) / MINUTE_MS);
    if (m >= 0 && m < minutes) perMinute[Math.floor(m / 30) * 30] += 1 / others.length / 30;
  }
  for (let m = 0; m < minutes; m++) if (m % 30 !== 0) perMinute[m] = perMinute[m - (m % 30)];
  const rows = spec.roster.kind === 'staffing' ? spec.roster.rows.filter((r) => r.start >= from - 30 * MINUTE_MS) : [];
  // The spike in the log: 10 to 16 calls a minute from 13:24 to 13:33 local against about 1.6 planned.
  const spikeFrom = from + (6 * 60 + 24) * MINUTE_MS;
  return {
    label: 'real PS spike 1999-02-03 (bank pooled, replay)',
    surge: { from: spikeFrom, to: spikeFrom + 10 * MINUTE_MS, skillGroupIds: [group.id] },
    groups: [group],
    expectedPerMinute: new Map([[group.id, perMinute]]),
    staffing: rows.map((r) => ({ skillGroupId: r.skillGroupId, start: r.start, end: r.start + 30 * MINUTE_MS, agents: Math.round(r.agents) })),
    spec: { ...spec, skillGroups: [group], period: { from, to }, arrivals: { kind: 'replay', calls: replay }, roster: { kind: 'staffing', rows } },
  };
}

// ---------------------------------------------------------------- the trigger inside the simulator
/** One firing, as the per-wave trace shows it. */
export interface Firing {
  at: number;
  skillGroupId: string;
  waveId: string;
  /** callouts made (fewer than wanted when the eligible pool runs dry) */
  called: number;
  agentsToCall: number;
  gapAgents: number;
  queueLength: number;
  /** lowest projected service level beyond the login lead (NaN when scripted) */
  lowestServiceLevel: number;
  forecastSource: string;
  forecastNext30: number;
}

function firingOf(d: Decision): Firing {
  return {
    at: d.at, skillGroupId: d.skillGroupId, waveId: d.waveId!, called: d.calloutIds?.length ?? 0, agentsToCall: d.agentsToCall, gapAgents: d.gapAgents, queueLength: d.inputs.queueLength,
    lowestServiceLevel: d.projection.filter((b) => b.actionable).reduce((m, b) => Math.min(m, b.serviceLevel), 1),
    forecastSource: d.inputs.forecastSource, forecastNext30: d.inputs.forecastNext30.p50,
  };
}

export interface RunFigures {
  result: SimulationResult;
  accepted: CalloutRecord[];
  called: number;
  waves: number;
  /** the firings, in order */
  fired: Firing[];
  /** per accepted callout id: logged-in minutes while the group had idle agents to spare (surplus) */
  idleMinutes: Map<string, number>;
  tickMs: number[];
}

export function cloudPool(groups: SkillGroup[], perGroup: number): Agent[] {
  return groups.flatMap((g) =>
    Array.from({ length: perGroup }, (_, k) => ({
      id: `${g.id}-cloud-${k}`, name: `cloud ${k}`, kind: 'cloud' as const, skills: [{ skillGroupId: g.id, proficiency: 1 }],
      contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 6, maxConsecutiveDays: 6, minRestHours: 11 },
      phone: `+9725${String(10_000_000 + k).slice(-8)}`, calloutOptIn: true,
    })),
  );
}

export const MAX_AGENTS_PER_HOUR = 40;

export function policyFor(group: SkillGroup, mode: TriggerMode, overrides: Partial<TriggerPolicy> = {}): TriggerPolicy {
  return { ...DEFAULT_POLICY, skillGroupId: group.id, mode, maxAgentsPerHour: MAX_AGENTS_PER_HOUR, acceptancePrior: { rate: 0.5, weight: 10 }, ...overrides };
}

/**
 * Agent-hours of accepted callouts: from login to the end of the proposed shift, cut at the end of the
 * simulated period (the service never releases a called agent early, so neither does the count), or
 * only the part inside [from, to) when a window is given.
 */
export function agentHours(accepted: CalloutRecord[], periodEnd: number, window?: { from: number; to: number }): number {
  const lo = window?.from ?? -Infinity;
  const hi = Math.min(periodEnd, window?.to ?? Infinity);
  return accepted.reduce((a, c) => a + Math.max(0, Math.min(workEnd(c), hi) - Math.max(c.loginAt, lo)) / HOUR, 0);
}

/** Callouts decided in advance (the clairvoyant bound), instead of the trigger's own decisions. */
export interface ScriptedCallout {
  at: number;
  skillGroupId: string;
  count: number;
}

/** opted-in cloud agents per group (each has that group's skill only) */
export const CLOUD_POOL_PER_GROUP = 120;

export interface RunOptions {
  overrides?: Partial<TriggerPolicy>;
  /** callouts decided in advance (bounds), instead of or beside the trigger's */
  scripted?: ScriptedCallout[];
  /**
   * the trigger's forecast is the true arrival rate (bounds on what forecasting could bring): 'ahead' =
   * all the time (a surge is seen its horizon before it starts), 'from-onset' = once the surge has started
   * (a perfect nowcast; the plan before)
   */
  perfectForecast?: 'ahead' | 'from-onset';
}

export function runWithTrigger(setup: Setup, mode: TriggerMode, seed: number, options: RunOptions = {}): RunFigures {
  const { groups, spec } = setup;
  const { overrides = {}, scripted = [], perfectForecast } = options;
  if (perfectForecast && !setup.truePerMinute) throw new Error(`${setup.label}: no true arrival rate to forecast with`);
  const agents = cloudPool(groups, CLOUD_POOL_PER_GROUP);
  const responses = createRng(seed * 7919 + 17);
  const policies = new Map(groups.map((g) => [g.id, policyFor(g, mode, overrides)]));
  const states = new Map<string, TriggerState>(groups.map((g) => [g.id, initialTriggerState(g.id)]));
  const realtime = new Map<string, RealtimeState>(groups.map((g) => [g.id, emptyRealtimeState(g.id)]));
  const callouts = new Map<string, CalloutRecord[]>(groups.map((g) => [g.id, []]));
  const answers: Array<{ at: number; id: string; answer: 'accept' | 'decline' | null }> = [];
  const lastCalledAt: Record<string, number> = {};
  const lastArrivals = new Float64Array(groups.length);
  const tickMs: number[] = [];
  const fired: Firing[] = [];
  const idleMinutes = new Map<string, number>();
  let waves = 0;
  let called = 0;
  const accepted: CalloutRecord[] = [];
  /** the simulator's handle of each accepted callout's agent, for a release */
  const handles = new Map<string, number[]>();
  const from = spec.period.from;
  /** the simulated agents' answers, drawn in calling order from the seeded response stream */
  const sendAll = (list: CalloutRecord[], now: number) => {
    for (const c of list) {
      called++;
      lastCalledAt[c.agentId] = now;
      const u = responses.uniform();
      const delay = (1 + Math.floor(responses.uniform() * 4)) * MINUTE_MS;
      answers.push({ at: now + delay, id: c.id, answer: u < ACCEPT_PROBABILITY ? 'accept' : u < ACCEPT_PROBABILITY + DECLINE_SHARE ? 'decline' : null });
    }
  };
  const result = simulate({
    ...spec,
    seed,
    replications: 1,
    onMinute: (sim, actions) => {
      const now = sim.now;
      // Surplus: called agents on the phone while their group has that many agents idle were not needed.
      groups.forEach((g, gi) => {
        const on = accepted.filter((c) => c.skillGroupId === g.id && c.loginAt <= now && workEnd(c) > now);
        let idle = Math.min(on.length, sim.agentsIdle[gi]);
        for (let k = on.length - 1; k >= 0 && idle > 0; k--, idle--) idleMinutes.set(on[k].id, (idleMinutes.get(on[k].id) ?? 0) + 1);
      });
      // Answers due by now.
      for (let i = answers.length - 1; i >= 0; i--) {
        const a = answers[i];
        if (a.at > now || a.answer === null) continue;
        answers.splice(i, 1);
        for (const [gid, list] of callouts) {
          const k = list.findIndex((c) => c.id === a.id);
          if (k < 0) continue;
          const before = list[k];
          const after = applyResponse(before, a.answer, now);
          list[k] = after;
          if (before.status === 'pending' && after.status === 'accepted') {
            accepted.push(after);
            handles.set(after.id, actions.addAgents({ loginDelayMinutes: Math.max(0, (after.loginAt - now) / MINUTE_MS), count: 1, skillGroupIds: [gid], durationMinutes: (after.shiftEnd - after.loginAt) / MINUTE_MS }));
          }
        }
      }
      const script = scripted.filter((c) => c.at === now);
      for (const c of script) {
        const policy = policies.get(c.skillGroupId)!;
        const waveId = `${c.skillGroupId}@${now}`;
        const planned = Array.from({ length: c.count }, (_, k): CalloutRecord => ({
          id: `${waveId}#${k}`, waveId, decisionId: waveId, agentId: `${c.skillGroupId}-scripted-${k}`, skillGroupId: c.skillGroupId, requestedAt: now,
          loginAt: now + policy.loginLeadMinutes * MINUTE_MS, shiftEnd: now + (policy.loginLeadMinutes + policy.calloutShiftMinutes) * MINUTE_MS, status: 'pending',
        }));
        callouts.get(c.skillGroupId)!.push(...planned);
        const queueLength = sim.queueLength[groups.findIndex((g) => g.id === c.skillGroupId)];
        fired.push({ at: now, skillGroupId: c.skillGroupId, waveId, called: c.count, agentsToCall: c.count, gapAgents: NaN, queueLength, lowestServiceLevel: NaN, forecastSource: 'scripted', forecastNext30: NaN });
        waves++;
        sendAll(planned, now);
      }
      if (mode === 'off') return;
      // Realtime events of the minute that just ended.
      const minute = now - MINUTE_MS;
      const m = Math.round((now - from) / MINUTE_MS);
      const inputs: GroupTickInput[] = groups.map((g, gi) => {
        const arrivals = sim.arrivalsSoFar[gi] - lastArrivals[gi];
        lastArrivals[gi] = sim.arrivalsSoFar[gi];
        const rt = realtime.get(g.id)!;
        const kept = rt.minutes.filter((x) => x.minute > now - 60 * MINUTE_MS);
        const signal = setup.signal ? { signals: { [setup.signal.name]: setup.signal.perMinute.get(g.id)![m - 1] } } : {};
        if (m > 0) kept.push({ minute, arrivals, handled: 0, abandoned: 0, ...signal });
        const next: RealtimeState = { skillGroupId: g.id, minutes: kept, gauges: { at: minute, queueLength: sim.queueLength[gi], agentsLoggedIn: sim.agentsLoggedIn[gi], agentsAvailable: sim.agentsIdle[gi], oldestWaitSeconds: sim.oldestWaitSeconds[gi] } };
        realtime.set(g.id, next);
        const expected = setup.expectedPerMinute.get(g.id)!;
        const recentObserved = new Array(15).fill(0);
        for (const x of kept) {
          const k = 15 - (now - x.minute) / MINUTE_MS;
          if (k >= 0 && k < 15) recentObserved[k] = x.arrivals;
        }
        const t0 = performance.now();
        const truth = setup.truePerMinute?.get(g.id);
        const knows = perfectForecast === 'ahead' || (perfectForecast === 'from-onset' && setup.surge !== null && now >= setup.surge.from);
        const forecast = knows && truth
          ? perfect(truth, m, now)
          : nowcast({
              now,
              expectedRecent: Array.from({ length: 15 }, (_, k) => expected[m - 15 + k] ?? 0),
              observedRecent: recentObserved,
              expectedAhead: Array.from({ length: 30 }, (_, k) => expected[m + k] ?? 0),
            });
        tickMs.push(performance.now() - t0);
        return { group: g, policy: policies.get(g.id)!, state: states.get(g.id)!, realtime: next, forecast, callouts: callouts.get(g.id)! };
      });
      const t0 = performance.now();
      const out = tick({ now, groups: inputs, roster: [], claimedSlots: setup.staffing, agents, weeklyHours: {}, lastCalledAt, recentCallMinutes: 180 });
      tickMs.push(performance.now() - t0);
      for (const o of out) {
        const before = states.get(o.skillGroupId)!;
        if (o.state.wavesStarted > before.wavesStarted) waves++;
        if (o.decision.fired) fired.push(firingOf(o.decision));
        states.set(o.skillGroupId, o.state);
        callouts.set(o.skillGroupId, o.callouts);
        sendAll(o.newCallouts, now);
        for (const r of o.released) {
          actions.releaseAgents(handles.get(r.id) ?? []);
          const k = accepted.findIndex((c) => c.id === r.id);
          if (k >= 0) accepted[k] = { ...accepted[k], releasedAt: r.releasedAt };
        }
      }
    },
  });
  return { result, accepted, called, waves, fired, idleMinutes, tickMs };
}

/** The true rate for the next 30 minutes as the forecast, with no band (it is right). */
function perfect(truth: Float64Array, m: number, now: number): MinuteForecast {
  const p50 = Array.from({ length: 30 }, (_, k) => truth[m + k] ?? 0);
  return { from: now, p10: p50, p50, p90: p50, source: 'perfect forecast (the true rate)' };
}

// ---------------------------------------------------------------- where the agent-hours go
const clock = (t: number, zone: string) => new Date(t).toLocaleTimeString('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' });

/** "12", or "0 of 36 wanted" when the eligible pool could not give them all */
function calledOf(firings: Firing[]): string {
  const called = firings.reduce((a, d) => a + d.called, 0);
  const wanted = firings.reduce((a, d) => a + d.agentsToCall, 0);
  return called === wanted ? String(called) : `${called} of ${wanted} wanted`;
}

/** One line per wave (and, with `firings`, one per firing): when, why, how many, and where the hours went. */
export function waveTrace(run: RunFigures, setup: Setup, firings = true): string[] {
  const zone = setup.groups[0].timeZone;
  const to = setup.spec.period.to;
  const lines: string[] = [];
  const waves = new Map<string, Firing[]>();
  for (const d of run.fired) waves.set(d.waveId, [...(waves.get(d.waveId) ?? []), d]);
  for (const [waveId, decisions] of waves) {
    const acc = run.accepted.filter((c) => c.waveId === waveId);
    const idle = acc.reduce((a, c) => a + (run.idleMinutes.get(c.id) ?? 0), 0) / 60;
    const inSurge = setup.surge ? `, ${agentHours(acc, to, setup.surge).toFixed(1)} in the surge` : '';
    lines.push(
      `${firings ? '  ' : ''}- ${decisions[0].skillGroupId} ${clock(decisions[0].at, zone)}: ${decisions.length} firing${decisions.length > 1 ? 's' : ''}, called ${calledOf(decisions)}, accepted ${acc.length}, ${agentHours(acc, to).toFixed(1)} agent-hours${inSurge}, ${idle.toFixed(1)} idle`,
    );
    if (!firings) continue;
    for (const d of decisions) {
      lines.push(`    ${clock(d.at, zone)} call ${calledOf([d])} (gap ${d.gapAgents}, queue ${d.queueLength}, lowest SL ${(100 * d.lowestServiceLevel).toFixed(0)}%, ${d.forecastSource}, next 30 min p50 ${d.forecastNext30.toFixed(0)})`);
    }
  }
  return lines;
}
