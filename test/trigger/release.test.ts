import { releaseSurplus, releasable, type ReleaseInput } from '../../src/trigger/release';
import { projectCapacity } from '../../src/trigger/capacity';
import { requiredAgents } from '../../src/staffing/erlang';
import { tick } from '../../src/trigger/tick';
import { initialTriggerState, type CalloutRecord, type ScheduledShift } from '../../src/trigger/types';
import { MIN, T0, flatForecast, group, policy, realtime } from './fixtures';

const HOUR = 60 * MIN;

/** `count` partners on the phone all hour (no breaks). */
function partners(count: number): ScheduledShift[] {
  return Array.from({ length: count }, (_, k) => ({ agentId: `P${k}`, skillGroupId: 'PS', start: T0 - 2 * HOUR, end: T0 + 4 * HOUR }));
}

/** Accepted callouts logged in since `loginAt`, shifts of 2 h from then. */
function acceptedCallouts(count: number, loginAt: number, status: CalloutRecord['status'] = 'accepted'): CalloutRecord[] {
  return Array.from({ length: count }, (_, k) => ({
    id: `co_${k}`, waveId: 'PS@w', decisionId: 'PS@w', agentId: `C${k}`, skillGroupId: 'PS', requestedAt: loginAt - 15 * MIN,
    loginAt: loginAt + k * MIN, shiftEnd: loginAt + k * MIN + 2 * HOUR, status,
  }));
}

/** The surge is over: 4 calls a minute (~12 agents' work at 180 s) against 14 partners and 6 called-out agents. */
function afterTheSurge(overrides: Partial<ReleaseInput> = {}): ReleaseInput {
  const callouts = acceptedCallouts(6, T0 - 45 * MIN);
  return {
    group: group(),
    policy: policy({ confirmTicks: 1 }),
    state: { ...initialTriggerState('PS'), lastFiredAt: T0 - 60 * MIN },
    now: T0,
    forecast: () => flatForecast(4),
    roster: partners(14),
    claimedSlots: [],
    callouts,
    backlog: 0,
    loggedInNow: 20,
    ...overrides,
  };
}

describe('releasing called-out agents once the surge has passed', () => {
  test('when neither the expected nor the cautious forecast needs them, then the surplus is released, most shift ahead first, and the rest stay', () => {
    const out = releaseSurplus(afterTheSurge());
    // what stays: the staffing formula's requirement for the 80% target at the p50 (4 calls a minute, 20
    // per 5-minute bucket, no backlog), and for 75% (threshold 60% + hysteresis 15%) at the p90 (24 per
    // bucket), whichever is more; the rest of the 20 go
    const g = group();
    const need = (calls: number, fraction: number) => requiredAgents({ callsPerInterval: calls, intervalSeconds: 300, ahtSeconds: g.ahtSeconds, serviceLevel: { ...g.serviceLevel, fraction }, patienceSeconds: g.patienceSeconds, shrinkage: 0, maxOccupancy: g.maxOccupancy }).rawAgents;
    const needed = Math.max(need(20, 0.8), need(24, 0.75));
    expect(needed).toBeGreaterThan(14);
    expect(out.surplusAgents).toBe(20 - needed);
    expect(out.released).toHaveLength(20 - needed);
    // the latest logins have the most shift ahead: they go first
    const order = [...acceptedCallouts(6, T0 - 45 * MIN)].reverse().map((c) => c.id).slice(0, out.released.length);
    expect(out.released.map((c) => c.id)).toEqual(order);
    for (const c of out.released) expect(c.releasedAt).toBe(T0);
    expect(out.callouts.filter((c) => c.releasedAt !== undefined)).toHaveLength(out.released.length);
    expect(out.explanation).toMatch(/surge has passed.*releasing/);

    // what stays still does: no second release from the same world
    const again = releaseSurplus({ ...afterTheSurge(), callouts: out.callouts, loggedInNow: 20 - out.released.length, state: out.state });
    expect(again.released).toHaveLength(0);
  });

  test('when the p90 forecast still needs them (p50 quiet, p90 busy), then nobody is released', () => {
    const busy = flatForecast(4);
    const out = releaseSurplus(afterTheSurge({ forecast: () => ({ ...busy, p90: busy.p90.map(() => 7) }) }));
    expect(out.released).toHaveLength(0);
  });

  test('when the cautious forecast would miss the target but not fall to where a wave is still open, then the release goes by that, not by the full target', () => {
    // 20 agents on 4 calls a minute (20 a bucket) and a p90 of 5.6 (28 a bucket). Asking the p90 to meet the
    // 80% target kept one agent more than the firing rule could ever call back for: a wave opens under 60%
    // and counts as over from 75% (threshold + hysteresis).
    const g = group();
    const need = (calls: number, fraction: number) => requiredAgents({ callsPerInterval: calls, intervalSeconds: 300, ahtSeconds: g.ahtSeconds, serviceLevel: { ...g.serviceLevel, fraction }, patienceSeconds: g.patienceSeconds, shrinkage: 0, maxOccupancy: g.maxOccupancy }).rawAgents;
    const keep = Math.max(need(20, 0.8), need(28, 0.75));
    expect(keep).toBeLessThan(need(28, 0.8));
    const out = releaseSurplus(afterTheSurge({ forecast: () => ({ ...flatForecast(4), p90: new Array(30).fill(5.6) }) }));
    expect(out.released).toHaveLength(20 - keep);
    expect(out.explanation).toMatch(/80% target met at the p50 forecast, at least 75% at the cautious p90/);
  });

  test('when the surplus is seen for fewer ticks than confirmTicks, then it waits and counts', () => {
    const first = releaseSurplus(afterTheSurge({ policy: policy({ confirmTicks: 2 }) }));
    expect(first.released).toHaveLength(0);
    expect(first.state.surplusTicks).toBe(1);
    expect(first.explanation).toMatch(/seen 1 of 2 ticks/);
    const second = releaseSurplus(afterTheSurge({ policy: policy({ confirmTicks: 2 }), state: first.state }));
    expect(second.released.length).toBeGreaterThan(0);
    expect(second.state.surplusTicks).toBe(0);
  });

  test('when a wave is open, the last firing is recent, the mode is reactive or release is off, then nobody is released', () => {
    expect(releaseSurplus(afterTheSurge({ state: { ...initialTriggerState('PS'), waveId: 'PS@w', lastFiredAt: T0 - 60 * MIN } })).released).toHaveLength(0);
    expect(releaseSurplus(afterTheSurge({ state: { ...initialTriggerState('PS'), lastFiredAt: T0 - 20 * MIN } })).released).toHaveLength(0);
    expect(releaseSurplus(afterTheSurge({ policy: policy({ mode: 'reactive' }) })).released).toHaveLength(0);
    expect(releaseSurplus(afterTheSurge({ policy: policy({ releaseWhenSurplus: false }) })).released).toHaveLength(0);
  });

  test('when the other capacity is only pending callouts, then they do not count: the accepted agents stay', () => {
    // 12 partners + 6 accepted on the phone; 10 pending callouts would make a surplus only if they all came
    const pending = acceptedCallouts(10, T0 + 5 * MIN, 'pending').map((c) => ({ ...c, id: `pending_${c.id}`, agentId: `Q${c.agentId}` }));
    const out = releaseSurplus(afterTheSurge({ roster: partners(8), loggedInNow: 14, callouts: [...acceptedCallouts(6, T0 - 45 * MIN), ...pending] }));
    expect(out.released).toHaveLength(0);
  });

  test('when released agents are still logged in finishing their calls, then the next tick does not count them as spare and releases nobody more', () => {
    const first = releaseSurplus(afterTheSurge());
    expect(first.released.length).toBeGreaterThan(0);
    // a minute later the gauge still shows all 20 logged in: the released ones are on their last call
    const next = { ...afterTheSurge(), now: T0 + MIN, callouts: first.callouts, state: first.state, loggedInNow: 20 };
    expect(releaseSurplus(next).released).toHaveLength(0);
    // and once they have logged off, the same holds with the gauge down by their number
    expect(releaseSurplus({ ...next, loggedInNow: 20 - first.released.length }).released).toHaveLength(0);
    // after the wrap-up allowance, agents logged in beyond the schedule are capacity again (someone stayed on)
    const capacity = (loggedInNow: number, at: number) =>
      projectCapacity({ skillGroupId: 'PS', from: at, minutes: 30, roster: partners(14), claimedSlots: [], callouts: first.callouts, acceptanceRate: 0, loggedInNow });
    expect(capacity(20, T0 + MIN).adherenceOffset).toBe(0);
    expect(capacity(20, T0 + 20 * MIN).adherenceOffset).toBe(first.released.length);
  });

  test('when called-out agents logged in before their login time, then they count once, from now: the release sends home the same surplus as for agents on time, and no more a tick later', () => {
    const early = acceptedCallouts(6, T0 + 5 * MIN); // due from 10:05 on, but logged in already: the gauge shows 14 + 6
    const capacity = projectCapacity({ skillGroupId: 'PS', from: T0, minutes: 30, roster: partners(14), claimedSlots: [], callouts: early, acceptanceRate: 0, loggedInNow: 20, assumeEarlyLogins: true });
    expect(capacity.agents).toEqual(new Array(30).fill(20));
    const onTime = releaseSurplus(afterTheSurge());
    const first = releaseSurplus(afterTheSurge({ callouts: early }));
    expect(first.released).toHaveLength(onTime.released.length);
    const next = releaseSurplus({ ...afterTheSurge(), now: T0 + MIN, callouts: first.callouts, state: first.state, loggedInNow: 20 });
    expect(next.released).toHaveLength(0);
  });

  test('when an agent was released, then the capacity counts them until the release only, and they are no longer releasable', () => {
    const [c] = acceptedCallouts(1, T0 - 30 * MIN);
    const released = { ...c, releasedAt: T0 + 10 * MIN };
    const capacity = projectCapacity({ skillGroupId: 'PS', from: T0, minutes: 30, roster: [], claimedSlots: [], callouts: [released], acceptanceRate: 0.5 });
    expect(capacity.agents.slice(0, 10)).toEqual(new Array(10).fill(1));
    expect(capacity.agents.slice(10)).toEqual(new Array(20).fill(0));
    expect(releasable([released], T0)).toEqual([]);
  });

  test('when tick() finds the surplus, then its output lists the released callouts and the decision says so', () => {
    const world = afterTheSurge();
    const [out] = tick({
      now: T0,
      groups: [{ group: world.group, policy: world.policy, state: world.state, realtime: realtime(0, 20, 4), forecast: world.forecast(), callouts: world.callouts }],
      roster: world.roster,
      claimedSlots: [],
      agents: [],
      weeklyHours: {},
      lastCalledAt: {},
      recentCallMinutes: 240,
    });
    expect(out.released.length).toBeGreaterThan(0);
    expect(out.decision.releasedCalloutIds).toEqual(out.released.map((c) => c.id));
    expect(out.decision.explanation).toMatch(/releasing \d+ called-out agents?$/);
    // found by its reason, not hidden among the minutes of no-gap
    expect(out.decision.reason).toBe('released');
    expect(out.callouts.filter((c) => c.releasedAt === T0).map((c) => c.id).sort()).toEqual(out.released.map((c) => c.id).sort());
  });
});
