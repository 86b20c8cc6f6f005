/**
 * Guard for tick()'s speed work: on a fixed, varied world (overflow chains, chat groups, quiet hours,
 * reactive and off policies, partner shifts with breaks, claimed slots, callouts in every status,
 * multi-skilled cloud agents with availability, days off, weekly hours and recent calls) twelve chained
 * ticks must give exactly the outputs the straightforward implementation gave. The golden digests in
 * tick-golden.json were written by that implementation (commit "tick golden digests"); a digest per
 * tick and group says which output moved when one does. UPDATE_TICK_GOLDEN=1 rewrites them — only when
 * an output is meant to change.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Agent, SkillGroup } from '../../src/domain/types';
import { createRng } from '../../src/sim/rng';
import { applyResponse } from '../../src/trigger/acceptance';
import { tick, type GroupTickInput, type TickInput } from '../../src/trigger/tick';
import { DEFAULT_POLICY, initialTriggerState, type CalloutRecord, type ClaimedSlot, type MinuteForecast, type RealtimeState, type ScheduledShift, type TriggerPolicy, type TriggerState } from '../../src/trigger/types';

const GOLDEN = path.join(__dirname, 'tick-golden.json');
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 2, 4, 9, 0); // a Wednesday morning
const GROUPS = 30;
const TICKS = 12;

interface World {
  groups: SkillGroup[];
  policies: TriggerPolicy[];
  plan: number[];
  surge: number[];
  roster: ScheduledShift[];
  claimedSlots: ClaimedSlot[];
  agents: Agent[];
  weeklyHours: Record<string, number>;
  lastCalledAt: Record<string, number>;
}

function buildWorld(): World {
  const rng = createRng(2024);
  const pick = <T>(xs: T[]) => xs[Math.floor(rng.uniform() * xs.length)];
  const groups: SkillGroup[] = Array.from({ length: GROUPS }, (_, k) => {
    const chat = k % 7 === 3;
    // Overflow: most groups lend to the head of their block of six; some to two groups, one chain.
    const head = k - (k % 6);
    const overflowTo = k % 6 === 0 ? (k === 12 ? ['G18'] : []) : k % 6 === 5 ? [`G${head}`, `G${(head + 6) % GROUPS}`] : [`G${head}`];
    return {
      id: `G${k}`, name: `Group ${k}`, timeZone: k % 3 === 0 ? 'Europe/Berlin' : 'UTC', intervalMinutes: k % 4 === 0 ? 15 : 30,
      serviceLevel: { fraction: pick([0.7, 0.8, 0.9]), answerWithinSeconds: pick([15, 20, 30]) },
      ahtSeconds: 150 + Math.floor(rng.uniform() * 250), patienceSeconds: k % 9 === 4 ? undefined : 60 + Math.floor(rng.uniform() * 240),
      shrinkage: 0.2, maxOccupancy: pick([0.85, 0.9, 0.95]), channel: chat ? 'chat' : 'voice', chatConcurrency: chat ? 2 : undefined, overflowTo,
    } as SkillGroup;
  });
  const policies = groups.map((g, k): TriggerPolicy => ({
    ...DEFAULT_POLICY, skillGroupId: g.id,
    mode: k % 10 === 7 || k === 15 ? 'reactive' : k === 23 ? 'off' : 'predictive',
    confirmTicks: 1 + (k % 3), cooldownMinutes: k % 4, maxAgentsPerHour: k === 15 ? 200 : 10 + (k % 5) * 10, queueThreshold: 5 + (k % 3) * 5,
    stepMinutes: k % 8 === 1 ? 3 : 5, horizonMinutes: k % 8 === 1 ? 45 : 30, loginLeadMinutes: k % 11 === 2 ? 10 : 15,
    forecastQuantile: k % 6 === 4 ? 'p90' : 'p50', hysteresis: 0.1 + (k % 2) * 0.05, answerWindowMinutes: 3 + (k % 3),
    quietHours: k === 9 ? [{ days: [3], from: '10:00', to: '10:06' }] : undefined,
    acceptancePrior: { rate: 0.4 + (k % 3) * 0.1, weight: 5 + (k % 4) * 5 },
  }));
  const plan = groups.map(() => 1 + rng.uniform() * 15);
  // A third of the groups run hot, two of them far beyond the plan (a fault).
  const surge = groups.map((_, k) => (k === 6 || k === 19 ? 3 : k % 3 === 0 ? 1.6 : 1));
  const roster: ScheduledShift[] = [];
  const claimedSlots: ClaimedSlot[] = [];
  groups.forEach((g, k) => {
    const staffed = Math.max(2, Math.round((plan[k] * g.ahtSeconds) / 60 / (g.chatConcurrency ?? 1)) + 1);
    for (let a = 0; a < staffed; a++) {
      const start = T0 - 4 * HOUR + Math.floor(rng.uniform() * 16) * 15 * MIN;
      const breakAt = start + (2 + Math.floor(rng.uniform() * 8) / 4) * HOUR;
      roster.push({ agentId: `${g.id}-p${a}`, skillGroupId: g.id, start, end: start + 8 * HOUR, breaks: a % 3 === 2 ? [] : [{ start: breakAt, end: breakAt + 15 * MIN * (1 + (a % 2)) }] });
    }
    if (k % 2 === 0) claimedSlots.push({ skillGroupId: g.id, start: T0 - HOUR + k * MIN, end: T0 + 2 * HOUR - k * 2 * MIN, agents: 1 + (k % 3) });
  });
  const agents: Agent[] = [];
  const weeklyHours: Record<string, number> = {};
  const lastCalledAt: Record<string, number> = {};
  groups.forEach((g, k) => {
    for (let c = 0; c < 25; c++) {
      const id = `${g.id}-c${c}`;
      const extra = rng.uniform() < 0.4 ? [{ skillGroupId: pick(groups).id, proficiency: 0.5 + rng.uniform() / 2 }] : [];
      agents.push({
        id, name: id, kind: c === 24 ? 'partner' : 'cloud', skills: [{ skillGroupId: g.id, proficiency: pick([0.7, 1]) }, ...extra],
        contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: pick([20, 30, 40]), maxDaysPerWeek: 6, maxConsecutiveDays: 6, minRestHours: 11 },
        phone: c === 21 ? undefined : `+49151${String(1_000_000 + k * 100 + c)}`, calloutOptIn: c !== 22,
        daysOff: c === 20 ? ['2026-03-04'] : undefined,
        availability: c === 19 ? [{ days: [1, 2, 3, 4, 5], from: '12:00', to: '18:00' }] : undefined,
        timeZone: c % 5 === 0 ? 'Europe/Berlin' : undefined,
      });
      if (rng.uniform() < 0.5) weeklyHours[id] = Math.floor(rng.uniform() * 32);
      if (rng.uniform() < 0.3) lastCalledAt[id] = T0 - Math.floor(rng.uniform() * 400) * MIN;
      // Some cloud agents already hold a shift today (a claimed slot): on shift or resting.
      if (c % 8 === 3) roster.push({ agentId: id, skillGroupId: g.id, start: T0 - 6 * HOUR + c * 20 * MIN, end: T0 - 2 * HOUR + c * 20 * MIN });
    }
  });
  return { groups, policies, plan, surge, roster, claimedSlots, agents, weeklyHours, lastCalledAt };
}

function realtimeOf(w: World, k: number, now: number, rng: ReturnType<typeof createRng>): RealtimeState {
  const g = w.groups[k];
  const minutes = Array.from({ length: 20 }, (_, i) => ({
    minute: now - (20 - i) * MIN,
    arrivals: Math.round(w.plan[k] * (i >= 12 ? w.surge[k] : 1) * (0.7 + 0.6 * rng.uniform())),
    handled: Math.round(w.plan[k]),
    abandoned: 0,
  }));
  const queue = w.surge[k] > 1 ? Math.round(w.plan[k] * (w.surge[k] - 1) * (2 + 4 * rng.uniform())) : Math.floor(rng.uniform() * 3);
  const onShift = w.roster.filter((s) => s.skillGroupId === g.id && s.start <= now && s.end > now).length;
  return { skillGroupId: g.id, minutes, gauges: { at: now - (k % 5 === 1 ? 4 : 1) * MIN, queueLength: queue, agentsLoggedIn: onShift + (k % 3) - 1, agentsAvailable: 0, oldestWaitSeconds: 0 } };
}

function forecastOf(w: World, k: number, now: number): MinuteForecast {
  const minutes = 50;
  const rise = w.surge[k] > 1 ? w.surge[k] : 1;
  const p50 = Array.from({ length: minutes }, (_, i) => w.plan[k] * (1 + ((rise - 1) * Math.min(i, 20)) / 20));
  // Starts two minutes before now (the last reported minute), as the service's forecasts may.
  return { from: now - 2 * MIN, p10: p50.map((v) => v * 0.8), p50, p90: p50.map((v) => v * 1.25), source: 'golden' };
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);
}

function runTicks(): { digests: Record<string, string>; reasons: Map<string, number>; newCallouts: number } {
  const w = buildWorld();
  const rng = createRng(77);
  const states = new Map<string, TriggerState>(w.groups.map((g) => [g.id, initialTriggerState(g.id)]));
  const callouts = new Map<string, CalloutRecord[]>(w.groups.map((g) => [g.id, []]));
  const lastCalledAt = { ...w.lastCalledAt };
  const digests: Record<string, string> = {};
  const reasons = new Map<string, number>();
  let newCallouts = 0;
  for (let t = 0; t < TICKS; t++) {
    const now = T0 + t * MIN + (t === 3 ? 17_000 : 0); // one tick off the minute: tick() rounds it down
    const groups: GroupTickInput[] = w.groups.map((g, k) => ({
      group: g, policy: w.policies[k], state: states.get(g.id)!, realtime: realtimeOf(w, k, now, rng), forecast: forecastOf(w, k, now), callouts: callouts.get(g.id)!,
      pastResponses: k % 4 === 0 ? { group: { accepted: 3 + k, refused: 5 }, byAgent: { [`${g.id}-c1`]: { accepted: 2, refused: 0 }, [`${g.id}-c2`]: { accepted: 0, refused: 3 } } } : undefined,
    }));
    const accepted = [...callouts.values()].flat().filter((c) => c.status === 'accepted');
    const input: TickInput = {
      now, groups, claimedSlots: w.claimedSlots, agents: w.agents, weeklyHours: w.weeklyHours, lastCalledAt: { ...lastCalledAt }, recentCallMinutes: 240,
      roster: [...w.roster, ...accepted.map((c) => ({ agentId: c.agentId, skillGroupId: `callout:${c.skillGroupId}`, start: c.loginAt, end: c.shiftEnd }))],
    };
    const outputs = tick(input);
    for (const out of outputs) {
      digests[`${t}/${out.skillGroupId}`] = digest(out);
      reasons.set(out.decision.reason, (reasons.get(out.decision.reason) ?? 0) + 1);
      newCallouts += out.newCallouts.length;
      states.set(out.skillGroupId, out.state);
      // Agents answer some of the callouts before the next tick (accept, decline or stay silent).
      const answered = out.callouts.map((c) => {
        const u = rng.uniform();
        return c.status === 'pending' && u < 0.5 ? applyResponse(c, u < 0.35 ? 'accept' : 'decline', now + MIN) : c;
      });
      callouts.set(out.skillGroupId, answered);
      for (const c of out.newCallouts) lastCalledAt[c.agentId] = now;
    }
  }
  return { digests, reasons, newCallouts };
}

describe('tick() outputs on a fixed world', () => {
  let run: ReturnType<typeof runTicks>;
  beforeAll(() => {
    run = runTicks();
  });

  test('when the world is ticked twelve minutes in a row, then every output equals the golden one', () => {
    const { digests } = run;
    if (process.env.UPDATE_TICK_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(digests, null, 1)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;
    const moved = Object.keys(golden).filter((key) => golden[key] !== digests[key]);
    expect(Object.keys(digests).sort()).toEqual(Object.keys(golden).sort());
    expect(moved).toEqual([]);
  });

  test('when the world is ticked, then it takes every decision path (the guard covers them all)', () => {
    const { reasons, newCallouts } = run;
    for (const reason of ['fired', 'no-gap', 'breach-unconfirmed', 'cooldown', 'hourly-cap', 'quiet-hours', 'mode-off', 'covered-by-pending', 'wave-ended', 'no-eligible-agents']) {
      expect(reasons.get(reason) ?? 0).toBeGreaterThan(0);
    }
    expect(newCallouts).toBeGreaterThan(50);
  });
});
