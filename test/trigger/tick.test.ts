import { lendingPolicy, tick, tickGroupsApart } from '../../src/trigger/tick';
import type { MinuteForecast } from '../../src/trigger/types';
import { initialTriggerState } from '../../src/trigger/types';
import { cloudAgent, flatForecast, group, MIN, policy, realtime, T0 } from './fixtures';

function input(withOverflow: boolean) {
  const ps = group({ overflowTo: withOverflow ? ['NW'] : [] });
  const nw = group({ id: 'NW', name: 'NW' });
  return {
    now: T0,
    groups: [
      { group: ps, policy: policy(), state: initialTriggerState('PS'), realtime: realtime(0, 36, 10), forecast: flatForecast(14), callouts: [] },
      // its feed reports (a group with none is held as stale and lends nothing): 1 call a minute, 30 agents
      { group: nw, policy: policy({ skillGroupId: 'NW' }), state: initialTriggerState('NW'), realtime: { ...realtime(0, 30, 1), skillGroupId: 'NW' }, forecast: flatForecast(1), callouts: [] },
    ],
    roster: [],
    claimedSlots: [
      { skillGroupId: 'PS', start: T0 - 60 * MIN, end: T0 + 120 * MIN, agents: 36 },
      { skillGroupId: 'NW', start: T0 - 60 * MIN, end: T0 + 120 * MIN, agents: 30 },
    ],
    agents: Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`)),
    weeklyHours: {},
    lastCalledAt: {},
    recentCallMinutes: 180,
  };
}

describe('tick', () => {
  test('when a group breaches, then it chooses agents, plans callouts with deterministic ids and the decision lists them', () => {
    const [ps, nw] = tick(input(false));
    expect(ps.decision.fired).toBe(true);
    expect(ps.newCallouts).toHaveLength(ps.decision.agentsToCall);
    expect(ps.decision.calloutIds).toEqual(ps.newCallouts.map((c) => c.id));
    expect(nw.decision.fired).toBe(false);
    // A re-run of the same tick (a worker crashed before acknowledging) plans the very same callouts.
    const [again] = tick(input(false));
    expect(again.newCallouts.map((c) => c.id)).toEqual(ps.newCallouts.map((c) => c.id));
  });

  test('when fewer agents are eligible than wanted, then the hourly cap counts only those called', () => {
    const scarce = { ...input(false), agents: input(false).agents.slice(0, 3) };
    const [ps] = tick(scarce);
    expect(ps.decision.agentsToCall).toBeGreaterThan(3);
    expect(ps.newCallouts).toHaveLength(3);
    expect(ps.decision.explanation).toMatch(/only 3 eligible cloud agents \(\d+ short\)$/);
    // when agents with the skill were left out, the explanation says why, as when nobody could be called
    const resting = { ...scarce, agents: [...scarce.agents, { ...cloudAgent('c90'), calloutOptIn: false }, { ...cloudAgent('c91'), calloutOptIn: false }] };
    expect(tick(resting)[0].decision.explanation).toMatch(/only 3 eligible cloud agents \(\d+ short; cloud agents with the skill: 2 [a-z-]+\)$/);
    expect(ps.state.recentFirings).toEqual([{ at: T0, agents: 3 }]);
  });

  test('when agents still hold an unanswered callout of an earlier wave, then a new wave calls others (they are left out as awaiting-answer)', () => {
    const base = input(false);
    const [first] = tick(base);
    const waiting = first.newCallouts.slice(0, 3); // unanswered, from a wave since closed
    const later = {
      ...base,
      now: T0 + 10 * MIN,
      lastCalledAt: {},
      // the feed has kept reporting (at T0's readings it would be 10 minutes old: stale, and held)
      groups: [{ ...base.groups[0], realtime: realtime(0, 36, 10, T0 + 10 * MIN), callouts: waiting.map((c) => ({ ...c, waveId: 'PS@earlier', answerBy: T0 + 30 * MIN })) }, base.groups[1]],
    };
    const [ps] = tick(later);
    expect(ps.decision.fired).toBe(true);
    const called = new Set(ps.newCallouts.map((c) => c.agentId));
    for (const c of waiting) expect(called.has(c.agentId)).toBe(false);
    expect(ps.choice?.excluded.filter((e) => e.reason === 'awaiting-answer').map((e) => e.agentId).sort()).toEqual(waiting.map((c) => c.agentId).sort());
    // an unanswered callout of another group keeps its agent out too (the service passes them all)
    const [other] = tick({ ...later, awaitingAnswer: ['c29'] });
    expect(other.newCallouts.map((c) => c.agentId)).not.toContain('c29');
    expect(other.choice?.excluded).toContainEqual({ agentId: 'c29', reason: 'awaiting-answer' });
  });

  test('when the overflow group has spare agents, then the gap shrinks by what it can lend', () => {
    const [alone] = tick(input(false));
    const [helped] = tick(input(true));
    expect(helped.decision.projection[5].overflowAgents).toBeGreaterThan(0);
    expect(helped.decision.gapAgents).toBeLessThan(alone.decision.gapAgents);
  });

  test('when the group it overflows into has no trigger policy, then that group still lends its spare agents (and is not decided for)', () => {
    const [, nw] = input(true).groups;
    const withoutPolicy = { ...input(true), groups: [input(true).groups[0]], lenders: [{ ...nw, policy: lendingPolicy('NW', policy().horizonMinutes) }] };
    const outputs = tick(withoutPolicy);
    expect(outputs.map((o) => o.skillGroupId)).toEqual(['PS']);
    const [withPolicy] = tick(input(true));
    expect(outputs[0].decision.projection.map((b) => b.overflowAgents)).toEqual(withPolicy.decision.projection.map((b) => b.overflowAgents));
    expect(outputs[0].decision.gapAgents).toBe(withPolicy.decision.gapAgents);
    expect(outputs[0].decision.projection[5].overflowAgents).toBeGreaterThan(0);
  });

  test('when the borrower looks further ahead than the group it overflows into, then spare agents are lent over the borrower\'s whole horizon where the target\'s forecast reaches', () => {
    const far = (nwForecastMinutes: number) => {
      const base = input(true);
      const [ps, nw] = base.groups;
      return tick({
        ...base,
        groups: [
          { ...ps, policy: policy({ horizonMinutes: 60 }), forecast: flatForecast(14, T0, 60) },
          { ...nw, forecast: flatForecast(1, T0, nwForecastMinutes) },
        ],
      })[0].decision.projection;
    };
    const reaching = far(60);
    expect(reaching).toHaveLength(12);
    expect(reaching.slice(6).every((b) => b.overflowAgents > 0)).toBe(true);
    // a target forecast of 30 minutes lends nothing beyond them: no forecast is not no calls
    const short = far(30);
    expect(short.slice(0, 6).every((b) => b.overflowAgents > 0)).toBe(true);
    expect(short.slice(6).every((b) => b.overflowAgents === 0)).toBe(true);
  });

  test('when no cloud agent is eligible, then nothing is fired, no wave or cooldown starts, and an agent added a minute later is called', () => {
    const nobody = { ...input(false), agents: [] };
    const [ps] = tick(nobody);
    expect(ps.decision.fired).toBe(false);
    expect(ps.decision.reason).toBe('no-eligible-agents');
    expect(ps.decision.agentsToCall).toBe(0);
    expect(ps.decision.calloutIds).toEqual([]);
    expect(ps.decision.waveId).toBeNull();
    expect(ps.decision.explanation).toMatch(/wanted \d+ agents but 0 cloud agents are eligible/);
    expect(ps.state).toMatchObject({ lastFiredAt: null, recentFirings: [], waveId: null, waveStartedAt: null, wavesStarted: 0 });
    expect(ps.state.breachTicks).toBe(1);

    // default cooldown is 5 minutes: had the empty firing started it, this tick would say "cooldown"
    const next = input(false);
    next.now = T0 + MIN;
    next.groups[0] = { ...next.groups[0], state: ps.state };
    next.agents = [cloudAgent('late')];
    const [again] = tick(next);
    expect(again.decision.reason).toBe('fired');
    expect(again.newCallouts.map((c) => c.agentId)).toEqual(['late']);
  });

  test('when the hourly cap cut the count and nobody is eligible, then the record keeps the cap; when one agent is, it says "1 eligible cloud agent"', () => {
    const capped = input(false);
    capped.groups[0] = { ...capped.groups[0], policy: policy({ maxAgentsPerHour: 3 }) };
    const [nobody] = tick({ ...capped, agents: [] });
    expect(nobody.decision.reason).toBe('no-eligible-agents');
    expect(nobody.decision.explanation).toMatch(/; wanted 3 agents \(capped from \d+ by the hourly limit\) but 0 cloud agents are eligible/);
    const [one] = tick({ ...capped, agents: [cloudAgent('c00')] });
    expect(one.decision.explanation).toMatch(/; only 1 eligible cloud agent \(2 short\)$/);
  });

  test('when every agent has been called in a wave and the wave has lasted a callout shift, then it closes, and the next tick calls them again in a new wave with new callout ids', () => {
    const base = input(false);
    const agents = base.agents.slice(0, 3);
    const waveId = `PS@${T0 - 130 * MIN}`;
    const state = { ...initialTriggerState('PS'), waveId, waveStartedAt: T0 - 130 * MIN, lastFiredAt: T0 - 130 * MIN, breachTicks: 9, wavesStarted: 1 };
    const called = agents.map((a) => ({ id: `old-${a.id}`, waveId, decisionId: waveId, agentId: a.id, skillGroupId: 'PS', requestedAt: T0 - 130 * MIN, loginAt: T0 - 115 * MIN, shiftEnd: T0 + 5 * MIN, answerBy: T0 - 125 * MIN, status: 'expired' as const, respondedAt: T0 - 125 * MIN }));
    const [closed] = tick({ ...base, agents, groups: [{ ...base.groups[0], state, callouts: called }] });
    expect(closed.decision.reason).toBe('wave-ended');
    expect(closed.decision.explanation).toMatch(new RegExp(`wave ${waveId} is closed after 130 minutes`));
    expect(closed.state.waveId).toBeNull();
    const later = T0 + MIN;
    const [next] = tick({ ...base, now: later, agents, groups: [{ ...base.groups[0], state: closed.state, realtime: realtime(0, 36, 10, later), forecast: flatForecast(14, later), callouts: called }] });
    expect(next.decision.reason).toBe('fired');
    expect(next.decision.waveId).toBe(`PS@${later}`);
    expect(next.newCallouts.map((c) => c.agentId).sort()).toEqual(agents.map((a) => a.id));
  });

  test('when deciding for one group throws, then tickGroupsApart skips that group with the error and decides the others, never calling one agent twice', () => {
    const both = Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`, { skills: [{ skillGroupId: 'PS' }, { skillGroupId: 'NW' }] }));
    const base = input(false);
    const bad = group({ id: 'BAD', name: 'BAD' });
    const broken = { ...base.groups[0], group: bad, policy: policy({ skillGroupId: 'BAD' }), state: initialTriggerState('BAD'), forecast: null as unknown as MinuteForecast };
    const nwBreaching = { ...base.groups[0], group: group({ id: 'NW', name: 'NW' }), policy: policy({ skillGroupId: 'NW' }), state: initialTriggerState('NW') };
    const withBroken = { ...base, agents: both, groups: [base.groups[0], broken, nwBreaching] };
    expect(() => tick(withBroken)).toThrow();

    const outputs = tickGroupsApart(withBroken);
    expect(outputs.map((o) => o.skillGroupId)).toEqual(['PS', 'BAD', 'NW']);
    expect(outputs.filter((o) => o.decision.reason === 'skipped-decision-failed').map((o) => o.skillGroupId)).toEqual(['BAD']);
    const [ps, skipped, nw] = outputs;
    expect(skipped.decision).toMatchObject({ fired: false, reason: 'skipped-decision-failed', agentsToCall: 0 });
    expect(skipped.decision.explanation).toMatch(/^skipped this tick: deciding failed \(.+\); the other groups were decided$/);
    expect(skipped.state).toEqual(initialTriggerState('BAD'));
    expect(ps.decision.fired).toBe(true);
    expect(nw.decision.fired).toBe(true);
    const psAgents = new Set(ps.newCallouts.map((c) => c.agentId));
    expect(psAgents.size).toBeGreaterThan(0);
    expect(nw.newCallouts.length).toBeGreaterThan(0);
    expect(nw.newCallouts.filter((c) => psAgents.has(c.agentId))).toEqual([]);

    // without a failing group it is tick() itself
    const healthy = { ...withBroken, groups: [base.groups[0], nwBreaching] };
    expect(tickGroupsApart(healthy)).toEqual(tick(healthy));
  });
});
