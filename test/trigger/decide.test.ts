import { createRng } from '../../src/sim/rng';
import { decide } from '../../src/trigger/decide';
import { initialTriggerState } from '../../src/trigger/types';
import { projectCapacity } from '../../src/trigger/capacity';
import { acceptanceRate, agentAcceptance, applyResponse, expireUnanswered } from '../../src/trigger/acceptance';
import { foldEvents, emptyRealtimeState, recentArrivals } from '../../src/trigger/realtime-state';
import { calloutId, planCallouts } from '../../src/trigger/callouts';
import { chooseAgents } from '../../src/trigger/choose';
import { cloudAgent, flatForecast, group, MIN, policy, realtime, steadyCapacity, T0 } from './fixtures';

const base = (overrides: Record<string, unknown> = {}) => ({
  group: group(),
  policy: policy(),
  state: initialTriggerState('PS'),
  realtime: realtime(0, 36, 10),
  forecast: flatForecast(10),
  capacity: steadyCapacity(36),
  callouts: [],
  acceptance: { accepted: 0, refused: 0 },
  now: T0,
  ...overrides,
});

describe('decide', () => {
  test('when the projection stays above the threshold, then nothing fires and the record says why', () => {
    const { decision } = decide(base());
    expect(decision.fired).toBe(false);
    expect(decision.reason).toBe('no-gap');
    expect(decision.projection).toHaveLength(6);
    expect(decision.inputs.forecastNext30.p50).toBeCloseTo(300);
  });

  test('when the forecast doubles beyond the lead time, then it fires gap ÷ acceptance agents as a new wave', () => {
    const { decision, state } = decide(base({ forecast: flatForecast(20), acceptance: { accepted: 30, refused: 10 } }));
    expect(decision.fired).toBe(true);
    expect(decision.reason).toBe('fired');
    expect(decision.gapAgents).toBeGreaterThan(20);
    const rate = acceptanceRate({ accepted: 30, refused: 10 }, policy().acceptancePrior);
    expect(decision.agentsToCall).toBe(Math.min(20, Math.ceil(decision.gapAgents / rate)));
    expect(state.waveId).toBe(`PS@${T0}`);
    expect(state.wavesStarted).toBe(1);
  });

  test('when the policy caps agents per hour, then the count is capped and a second firing waits', () => {
    const first = decide(base({ forecast: flatForecast(20), policy: policy({ maxAgentsPerHour: 8, cooldownMinutes: 0 }) }));
    expect(first.decision.agentsToCall).toBe(8);
    const second = decide(base({ forecast: flatForecast(20), policy: policy({ maxAgentsPerHour: 8, cooldownMinutes: 0 }), state: first.state, now: T0 + 10 * MIN }));
    expect(second.decision.reason).toBe('hourly-cap');
    const later = decide(base({ forecast: flatForecast(20, T0 + 61 * MIN), policy: policy({ maxAgentsPerHour: 8, cooldownMinutes: 0 }), state: first.state, now: T0 + 61 * MIN, capacity: steadyCapacity(36, T0 + 61 * MIN) }));
    expect(later.decision.fired).toBe(true);
    expect(later.decision.waveId).toBe(first.decision.waveId);
  });

  test('when fired a minute ago, then the cooldown holds the next firing', () => {
    const first = decide(base({ forecast: flatForecast(20) }));
    const next = decide(base({ forecast: flatForecast(20, T0 + MIN), capacity: steadyCapacity(36, T0 + MIN), state: first.state, now: T0 + MIN }));
    expect(next.decision.reason).toBe('cooldown');
  });

  test('when a breach needs confirming, then the first breaching tick does not fire', () => {
    const p = policy({ confirmTicks: 2 });
    // 14 calls a minute on 36 agents: below the threshold on p50, not on p10 (a breach noise could make)
    const first = decide(base({ policy: p, forecast: flatForecast(14) }));
    expect(first.decision.reason).toBe('breach-unconfirmed');
    const second = decide(base({ policy: p, forecast: flatForecast(14, T0 + MIN), capacity: steadyCapacity(36, T0 + MIN), state: first.state, now: T0 + MIN }));
    expect(second.decision.fired).toBe(true);
  });

  test('when even the optimistic (p10) forecast breaches, then the breach needs no confirming ticks', () => {
    const p = policy({ confirmTicks: 3 });
    const fault = decide(base({ policy: p, forecast: flatForecast(20) }));
    expect(fault.decision.reason).toBe('fired');
    expect(fault.decision.explanation).toContain('not waiting for 3 confirming ticks (seen 1): even the optimistic p10 forecast breaches');
    // 14 calls a minute on 36 agents breaches on p50, but not on p10 (11.2 a minute): that one is confirmed first
    const marginal = decide(base({ policy: p, forecast: flatForecast(14) }));
    expect(marginal.decision.reason).toBe('breach-unconfirmed');
    expect(marginal.decision.projection.filter((b) => b.actionable).some((b) => b.serviceLevel < p.serviceLevelThreshold)).toBe(true);
  });

  test('when the forecast is the last minutes held flat (no stored forecast, no band), then even a breach at p10 waits for its confirming ticks', () => {
    const p = policy({ confirmTicks: 3 });
    const bandless = (now: number) => ({ ...flatForecast(20, now), p10: new Array(30).fill(20), p90: new Array(30).fill(20), source: 'flat-last-15-minutes', heldFlat: true });
    const first = decide(base({ policy: p, forecast: bandless(T0) }));
    expect(first.decision.reason).toBe('breach-unconfirmed');
    expect(first.decision.explanation).toMatch(/breach seen 1 of 3 ticks needed/);
    const second = decide(base({ policy: p, forecast: bandless(T0 + MIN), capacity: steadyCapacity(36, T0 + MIN), state: first.state, now: T0 + MIN }));
    expect(second.decision.reason).toBe('breach-unconfirmed');
    const third = decide(base({ policy: p, forecast: bandless(T0 + 2 * MIN), capacity: steadyCapacity(36, T0 + 2 * MIN), state: second.state, now: T0 + 2 * MIN }));
    expect(third.decision.reason).toBe('fired');
  });

  test('when the projection is short of the target but above the threshold, then the no-gap record says why nobody is called', () => {
    // 12 calls a minute on 36 agents: under the 80% target, above the 60% threshold
    const { decision } = decide(base({ forecast: flatForecast(12.5) }));
    expect(decision.reason).toBe('no-gap');
    expect(decision.gapAgents).toBeGreaterThan(0);
    expect(decision.explanation).toMatch(new RegExp(`no breach \\(${decision.gapAgents} agents short of the 80% target, but callouts start only below the threshold\\)$`));
  });

  test('when inside quiet hours, then a breach is recorded but nobody is called', () => {
    const p = policy({ quietHours: [{ days: [1], from: '09:00', to: '11:00' }] });
    const { decision } = decide(base({ policy: p, forecast: flatForecast(20) }));
    expect(decision.reason).toBe('quiet-hours');
    expect(decision.agentsToCall).toBe(0);
  });

  test('when the wave is open and the projection recovers above threshold + hysteresis, then the wave ends', () => {
    const fired = decide(base({ forecast: flatForecast(20) }));
    const between = decide(base({ capacity: steadyCapacity(31), state: fired.state, now: T0 }));
    // 31 agents: service level about 0.8 — above 0.6 but not above 0.75 + margin? then the wave stays open
    expect(['no-gap', 'wave-ended']).toContain(between.decision.reason);
    const recovered = decide(base({ state: fired.state }));
    expect(recovered.decision.reason).toBe('wave-ended');
    expect(recovered.state.waveId).toBeNull();
  });

  test('when the wave just fired and its callouts are unanswered, then it stays open though the projection (counting them at the acceptance rate) clears the band; once they expire, the top-up needs no confirming ticks', () => {
    const p = policy({ confirmTicks: 3, maxAgentsPerHour: 100 });
    const fired = decide(base({ policy: p, forecast: flatForecast(20) }));
    const waveId = fired.state.waveId!;
    const pending = Array.from({ length: 8 }, (_, k) => ({ id: `co${k}`, waveId, decisionId: waveId, agentId: `a${k}`, skillGroupId: 'PS', requestedAt: T0, loginAt: T0 + 15 * MIN, shiftEnd: T0 + 135 * MIN, answerBy: T0 + 5 * MIN, status: 'pending' as const }));
    // the projection of the next tick meets the target (the capacity counts the pending at the rate)
    const open = decide(base({ policy: p, state: fired.state, callouts: pending, now: T0 + MIN, forecast: flatForecast(10, T0 + MIN), capacity: steadyCapacity(36, T0 + MIN) }));
    expect(open.decision.reason).toBe('no-gap');
    expect(open.state.waveId).toBe(waveId);
    expect(open.decision.explanation).toMatch(new RegExp(`wave ${waveId} stays open while 8 callouts of it await an answer`));
    // they expired unanswered: the gap is back, and the replacement goes out at once (no new wave to confirm)
    const expired = pending.map((c) => ({ ...c, status: 'expired' as const, respondedAt: T0 + 5 * MIN }));
    const replaced = decide(base({ policy: p, state: open.state, callouts: expired, now: T0 + 6 * MIN, forecast: flatForecast(20, T0 + 6 * MIN), capacity: steadyCapacity(36, T0 + 6 * MIN) }));
    expect(replaced.decision.reason).toBe('fired');
    expect(replaced.decision.explanation).toContain(`top-up of wave ${waveId}`);
    // answered (here: all accepted) and recovered: now the wave is over
    const answered = pending.map((c) => ({ ...c, status: 'accepted' as const, respondedAt: T0 + 2 * MIN }));
    const over = decide(base({ policy: p, state: open.state, callouts: answered, now: T0 + 2 * MIN, forecast: flatForecast(10, T0 + 2 * MIN), capacity: steadyCapacity(36, T0 + 2 * MIN) }));
    expect(over.decision.reason).toBe('wave-ended');
    expect(over.state.waveId).toBeNull();
  });

  test('when a wave is older than one callout shift, or quiet hours begin, then it closes with a record saying why, whatever the projection', () => {
    const open = { ...initialTriggerState('PS'), waveId: 'PS@w', waveStartedAt: T0 - 120 * MIN, lastFiredAt: T0 - 100 * MIN, breachTicks: 5 };
    const aged = decide(base({ state: open, forecast: flatForecast(20) }));
    expect(aged.decision.reason).toBe('wave-ended');
    expect(aged.decision.fired).toBe(false);
    expect(aged.decision.explanation).toMatch(/wave PS@w is closed after 120 minutes, its limit of one callout shift \(120 minutes\): a surge still going on is answered by a new wave$/);
    expect(aged.state).toMatchObject({ waveId: null, waveStartedAt: null, breachTicks: 6 });
    // still breaching: the next tick starts a new wave at once (the breach was confirmed all along)
    const next = decide(base({ state: aged.state, forecast: flatForecast(20, T0 + MIN), capacity: steadyCapacity(36, T0 + MIN), now: T0 + MIN, policy: policy({ confirmTicks: 3 }) }));
    expect(next.decision.reason).toBe('fired');
    expect(next.state.waveId).toBe(`PS@${T0 + MIN}`);
    // a younger wave stays
    expect(decide(base({ state: { ...open, waveStartedAt: T0 - 119 * MIN }, forecast: flatForecast(20) })).state.waveId).toBe('PS@w');
    // quiet hours from 10:00: the wave closes at their start (the pending callouts of it do not keep it open)
    const quiet = policy({ quietHours: [{ days: [1], from: '10:00', to: '12:00' }] });
    const pending = [{ id: 'co1', waveId: 'PS@w', decisionId: 'PS@w', agentId: 'a1', skillGroupId: 'PS', requestedAt: T0 - MIN, loginAt: T0 + 14 * MIN, shiftEnd: T0 + 134 * MIN, status: 'pending' as const }];
    const night = decide(base({ policy: quiet, state: { ...open, waveStartedAt: T0 - 10 * MIN }, callouts: pending }));
    expect(night.decision.reason).toBe('wave-ended');
    expect(night.decision.explanation).toMatch(/: no breach; quiet hours have begun: wave PS@w is closed/);
  });

  test('when quiet hours begin within the answer window or before the login, then nobody is called (the agent would answer or start in them)', () => {
    // quiet from 10:10: the 15-minute login lead would end in them
    const p = policy({ quietHours: [{ days: [1], from: '10:10', to: '12:00' }] });
    const { decision } = decide(base({ policy: p, forecast: flatForecast(20) }));
    expect(decision.reason).toBe('quiet-hours');
    expect(decision.explanation).toMatch(/but quiet hours begin at 10:10 UTC, before a callout now would be answered or its agent logged in/);
    // beyond the lead: calls as usual
    expect(decide(base({ policy: policy({ quietHours: [{ days: [1], from: '10:16', to: '12:00' }] }), forecast: flatForecast(20) })).decision.reason).toBe('fired');
  });

  test('when the wave is open in reactive mode and the queue has fallen below the threshold, then the record names the reactive end rule', () => {
    const p = policy({ mode: 'reactive', queueThreshold: 20 });
    const open = { ...initialTriggerState('PS'), waveId: 'PS@w', waveStartedAt: T0 - 10 * MIN };
    const { decision } = decide(base({ policy: p, state: open, realtime: realtime(15, 36, 10) }));
    expect(decision.reason).toBe('no-gap');
    expect(decision.explanation).toMatch(/wave still open until the queue is below 10 \(half the threshold\) with no gap$/);
    const predictive = decide(base({ state: open, capacity: steadyCapacity(31) })).decision;
    if (predictive.reason === 'no-gap') expect(predictive.explanation).toMatch(/wave still open until every projected service level beyond the lead is at least 75% \(threshold \+ hysteresis\)$/);
  });

  test('when counts are 1, then the sentences say "1 agent", "1 minute"; when the hourly cap holds, then it says when calling can resume', () => {
    const first = decide(base({ forecast: flatForecast(20) }));
    const cooling = decide(base({ forecast: flatForecast(20, T0 + MIN), capacity: steadyCapacity(36, T0 + MIN), state: first.state, now: T0 + MIN }));
    expect(cooling.decision.explanation).toMatch(/the last callout was 1 minute ago/);
    const capped = { ...initialTriggerState('PS'), waveId: 'PS@w', waveStartedAt: T0 - 30 * MIN, lastFiredAt: T0 - 20 * MIN, recentFirings: [{ at: T0 - 52 * MIN, agents: 1 }, { at: T0 - 20 * MIN, agents: 1 }] };
    const full = decide(base({ forecast: flatForecast(20), state: capped, policy: policy({ maxAgentsPerHour: 2 }) }));
    expect(full.decision.reason).toBe('hourly-cap');
    // the firing of 09:08 leaves the hour at 10:08: one agent may be called from then
    expect(full.decision.explanation).toMatch(/but 2 agents were called in the last hour \(cap 2\): next possible at 10:08 UTC$/);
  });

  test('when mode is reactive, then a long queue fires and a short queue with a rising forecast does not', () => {
    const p = policy({ mode: 'reactive' });
    expect(decide(base({ policy: p, forecast: flatForecast(20) })).decision.fired).toBe(false);
    const { decision } = decide(base({ policy: p, realtime: realtime(30, 36, 14) }));
    expect(decision.fired).toBe(true);
    expect(decision.inputs.forecastSource).toBe('flat-last-15-minutes');
  });

  test('when mode is off, then nothing fires but the decision records what the predictive trigger would see, and an open wave is closed saying so', () => {
    const off = policy({ mode: 'off' });
    const { decision } = decide(base({ policy: off, forecast: flatForecast(50) }));
    expect(decision.reason).toBe('mode-off');
    expect(decision.fired).toBe(false);
    const predictive = decide(base({ forecast: flatForecast(50) })).decision;
    expect(decision.projection).toEqual(predictive.projection);
    expect(decision.gapAgents).toBe(predictive.gapAgents);
    expect(decision.gapAgents).toBeGreaterThan(0);
    expect(decision.explanation).toMatch(/record only\): lowest projected service level beyond the 15-minute lead is \d+%, \d+ more agents would reach the 80% target/);
    const open = decide(base({ policy: off, forecast: flatForecast(50), state: { ...initialTriggerState('PS'), waveId: 'PS@w', waveStartedAt: T0 - 10 * MIN } }));
    expect(open.state.waveId).toBeNull();
    expect(open.decision.explanation).toMatch(/wave PS@w closed when the trigger was switched off/);
  });

  test('when pending callouts already cover the gap, then it does not call again', () => {
    const cap = projectCapacity({
      skillGroupId: 'PS', from: T0, minutes: 30, roster: [], claimedSlots: [{ skillGroupId: 'PS', start: T0 - 60 * MIN, end: T0 + 120 * MIN, agents: 36 }],
      callouts: Array.from({ length: 60 }, (_, k) => ({ id: `c${k}`, waveId: 'w', decisionId: 'd', agentId: `a${k}`, skillGroupId: 'PS', requestedAt: T0 - 5 * MIN, loginAt: T0 + 10 * MIN, shiftEnd: T0 + 130 * MIN, status: 'pending' as const })),
      acceptanceRate: 0.5,
    });
    expect(cap.agents[0]).toBe(36);
    expect(cap.agents[15]).toBe(66);
    const { decision } = decide(base({ forecast: flatForecast(20), capacity: cap }));
    expect(decision.fired).toBe(false);
  });
});

describe('capacity', () => {
  test('when agents are on break or missing now, then the projection follows breaks and the adherence offset', () => {
    const roster = [
      { agentId: 'a', skillGroupId: 'PS', start: T0 - 60 * MIN, end: T0 + 60 * MIN, breaks: [{ start: T0 + 10 * MIN, end: T0 + 20 * MIN }] },
      { agentId: 'b', skillGroupId: 'PS', start: T0 - 60 * MIN, end: T0 + 5 * MIN },
      { agentId: 'c', skillGroupId: 'NW', start: T0 - 60 * MIN, end: T0 + 60 * MIN },
    ];
    const cap = projectCapacity({ skillGroupId: 'PS', from: T0, minutes: 30, roster, claimedSlots: [], callouts: [], acceptanceRate: 0.5 });
    expect(cap.agents.slice(0, 5)).toEqual([2, 2, 2, 2, 2]);
    expect(cap.agents[5]).toBe(1);
    expect(cap.agents[12]).toBe(0);
    const absent = projectCapacity({ skillGroupId: 'PS', from: T0, minutes: 30, roster, claimedSlots: [], callouts: [], acceptanceRate: 0.5, loggedInNow: 1 });
    expect(absent.adherenceOffset).toBe(-1);
    expect(absent.agents[0]).toBe(1);
  });

  test('when shifts start, end and break at any millisecond, then each minute counts the shifts on the phone at its middle', () => {
    const rng = createRng(5);
    const at = (ms: number) => T0 - 90 * MIN + Math.floor(rng.uniform() * ms);
    const roster = Array.from({ length: 300 }, (_, k) => {
      const start = at(150 * MIN);
      const end = start + Math.floor(rng.uniform() * 120 * MIN);
      const b = start + Math.floor(rng.uniform() * (end - start));
      const breaks = k % 3 === 0 ? [] : [{ start: b, end: b + Math.floor(rng.uniform() * 20 * MIN) }, { start: b + 5 * MIN, end: b + 25 * MIN }];
      return { agentId: `a${k}`, skillGroupId: k % 7 === 0 ? 'NW' : 'PS', start, end, breaks };
    });
    const cap = projectCapacity({ skillGroupId: 'PS', from: T0, minutes: 30, roster, claimedSlots: [], callouts: [], acceptanceRate: 0.5 });
    const onPhone = (t: number) =>
      roster.filter((s) => s.skillGroupId === 'PS' && t >= s.start && t < s.end && !s.breaks.some((x) => t >= x.start && t < x.end)).length;
    expect(cap.scheduled).toEqual(Array.from({ length: 30 }, (_, k) => onPhone(T0 + k * MIN + MIN / 2)));
    expect(cap.scheduled.some((n) => n > 0)).toBe(true);
  });
});

describe('realtime state', () => {
  test('when a batch is posted twice or out of order, then counts are replaced, gauges follow the latest minute and old minutes drop', () => {
    const events = [
      { skillGroupId: 'PS', minute: T0 - 2 * MIN, arrivals: 5, queueLength: 3, agentsLoggedIn: 10 },
      { skillGroupId: 'PS', minute: T0 - MIN, arrivals: 7, queueLength: 4 },
      { skillGroupId: 'PS', minute: T0 - 90 * MIN, arrivals: 99 },
      { skillGroupId: 'NW', minute: T0 - MIN, arrivals: 1000 },
    ];
    let state = foldEvents(emptyRealtimeState('PS'), events, T0, 60);
    state = foldEvents(state, [...events].reverse(), T0, 60);
    expect(recentArrivals(state, T0, 3)).toEqual([0, 5, 7]);
    expect(state.gauges).toMatchObject({ at: T0 - MIN, queueLength: 4, agentsLoggedIn: 10 });
    expect(state.minutes).toHaveLength(2);
  });

  test('when an event has a negative count, then validation names it', () => {
    expect(() => foldEvents(emptyRealtimeState('PS'), [{ skillGroupId: 'PS', minute: T0, arrivals: -1 }], T0, 60)).toThrow(/\/0\/arrivals/);
  });
});

describe('acceptance and callouts', () => {
  test('when agents with ids like "constructor" answered callouts, then their answers are counted like anyone\'s', () => {
    const [c] = planCallouts({ fired: true, waveId: 'PS@1', at: T0, id: 'PS@1', skillGroupId: 'PS' } as never, ['constructor'], policy());
    const [d] = planCallouts({ fired: true, waveId: 'PS@2', at: T0, id: 'PS@2', skillGroupId: 'PS' } as never, ['toString'], policy());
    const stats = agentAcceptance([applyResponse(c, 'accept', T0 + MIN), applyResponse(d, 'decline', T0 + MIN)]);
    expect({ ...stats }).toEqual({ constructor: { accepted: 1, refused: 0 }, toString: { accepted: 0, refused: 1 } });
  });

  test('when responses come in, then the rate moves from the prior toward the observed rate', () => {
    expect(acceptanceRate({ accepted: 0, refused: 0 }, { rate: 0.5, weight: 10 })).toBeCloseTo(0.5);
    expect(acceptanceRate({ accepted: 90, refused: 10 }, { rate: 0.5, weight: 10 })).toBeCloseTo(95 / 110);
  });

  test('when the prior weighs 0 and nobody has answered yet, then the rate is the prior rate, not NaN', () => {
    expect(acceptanceRate({ accepted: 0, refused: 0 }, { rate: 0.5, weight: 0 })).toBe(0.5);
  });

  test('when the prior weighs 0 and answers came in, then the rate is the observed rate alone', () => {
    expect(acceptanceRate({ accepted: 3, refused: 1 }, { rate: 0.5, weight: 0 })).toBeCloseTo(0.75);
  });

  test('when the prior weighs 0 and a gap opens before any answer, then it fires a whole number of agents at the prior rate', () => {
    const { decision, state } = decide(base({ policy: policy({ acceptancePrior: { rate: 0.5, weight: 0 } }), forecast: flatForecast(20) }));
    expect(decision.acceptanceRate).toBe(0.5);
    expect(decision.reason).toBe('fired');
    expect(decision.fired).toBe(true);
    expect(decision.agentsToCall).toBe(Math.min(20, Math.ceil(decision.gapAgents / 0.5)));
    expect(decision.explanation).not.toMatch(/NaN/);
    expect(state.recentFirings.map((f) => f.agents)).toEqual([decision.agentsToCall]);
  });

  test('when a callout is not answered in the window, then it expires and a late accept is ignored', () => {
    const [c] = planCallouts({ fired: true, waveId: 'PS@1', at: T0, id: 'PS@1', skillGroupId: 'PS' } as never, ['a1'], policy());
    const [expired] = expireUnanswered([c], T0 + 5 * MIN, 5);
    expect(expired.status).toBe('expired');
    expect(applyResponse(expired, 'accept', T0 + 6 * MIN).status).toBe('expired');
    const accepted = applyResponse(c, 'accept', T0 + 2 * MIN);
    expect(accepted).toMatchObject({ status: 'accepted', loginAt: T0 + 15 * MIN });
  });

  test('when the policy\'s answer window changes after a callout was sent, then the callout keeps the window its message gave', () => {
    const [c] = planCallouts({ fired: true, waveId: 'PS@1', at: T0, id: 'PS@1', skillGroupId: 'PS' } as never, ['a1'], policy({ answerWindowMinutes: 10 }));
    expect(c.answerBy).toBe(T0 + 10 * MIN);
    // the policy now says 1 minute: the agent still has the 10 their SMS promised
    expect(expireUnanswered([c], T0 + 5 * MIN, 1)[0].status).toBe('pending');
    expect(expireUnanswered([c], T0 + 10 * MIN, 1)[0].status).toBe('expired');
    // a callout stored before it kept its window counts the policy's
    const { answerBy: _answerBy, ...older } = c;
    expect(expireUnanswered([older], T0 + MIN, 1)[0].status).toBe('expired');
    // a tick that runs late in its minute gives the agent the whole window from when it runs
    const [late] = planCallouts({ fired: true, waveId: 'PS@1', at: T0, id: 'PS@1', skillGroupId: 'PS' } as never, ['a1'], policy({ answerWindowMinutes: 1 }), T0 + 57_000);
    expect(late.answerBy).toBe(T0 + 57_000 + MIN);
  });

  test('when a tick is re-run for the same wave and agent, then the callout id is the same', () => {
    expect(calloutId('PS@1', 'a1')).toBe(calloutId('PS@1', 'a1'));
    expect(calloutId('PS@1', 'a1')).not.toBe(calloutId('PS@1', 'a2'));
    expect(calloutId('PS@1', 'a1')).not.toBe(calloutId('PS@2', 'a1'));
  });

  test('when the same agent is called by two firings of one wave (the first callout pruned meanwhile), then the ids differ; the same firing planned again gives the same id', () => {
    const firing = (at: number) => ({ fired: true, waveId: `PS@${T0}`, at, id: `PS@${at}`, skillGroupId: 'PS' }) as never;
    const [first] = planCallouts(firing(T0), ['a1'], policy(), T0, { a1: 'inc1' });
    const [again] = planCallouts(firing(T0), ['a1'], policy(), T0 + 20_000, { a1: 'inc1' });
    const [later] = planCallouts(firing(T0 + 26 * 60 * MIN), ['a1'], policy(), T0 + 26 * 60 * MIN, { a1: 'inc1' });
    expect(again.id).toBe(first.id);
    expect(later.waveId).toBe(first.waveId);
    expect(later.id).not.toBe(first.id);
  });
});

describe('chooseAgents', () => {
  test('when an agent is available only for part of the proposed shift, or it runs into a day off, then they are not called', () => {
    const proposedShift = { start: T0 + 15 * MIN, end: T0 + 135 * MIN }; // Monday 10:15–12:15 UTC
    const late = { start: T0 + 13 * 60 * MIN, end: T0 + 15 * 60 * MIN }; // Monday 23:00 – Tuesday 01:00
    const monday = (from: string, to: string) => ({ days: [1 as const], from, to });
    const agents = [
      cloudAgent('leaves-at-noon', { timeZone: 'UTC', availability: [monday('08:00', '12:00')] }),
      cloudAgent('two-windows', { timeZone: 'UTC', availability: [monday('08:00', '11:00'), monday('11:00', '13:00')] }),
      cloudAgent('all-day', { timeZone: 'UTC', availability: [monday('00:00', '24:00')] }),
      cloudAgent('tuesday-off', { timeZone: 'UTC', daysOff: ['2026-03-03'] }),
    ];
    const choose = (shift: { start: number; end: number }) =>
      chooseAgents({ agents, skillGroupId: 'PS', count: 5, now: T0, proposedShift: shift, shifts: [], weeklyHours: {}, lastCalledAt: {}, recentCallMinutes: 240, agentAcceptance: {} });
    const day = choose(proposedShift);
    expect(day.chosen.map((c) => c.agentId).sort()).toEqual(['all-day', 'tuesday-off', 'two-windows']);
    expect(day.excluded).toEqual([{ agentId: 'leaves-at-noon', reason: 'unavailable' }]);
    const night = choose(late);
    expect(Object.fromEntries(night.excluded.map((e) => [e.agentId, e.reason]))).toEqual({ 'leaves-at-noon': 'unavailable', 'two-windows': 'unavailable', 'all-day': 'unavailable', 'tuesday-off': 'unavailable' });
  });

  test('when agent ids read like JavaScript object properties (constructor, toString), then they are weighed like any id', () => {
    const proposedShift = { start: T0 + 15 * MIN, end: T0 + 135 * MIN };
    const agents = ['constructor', 'toString', 'valueOf', '__proto__'].map((id) => cloudAgent(id));
    const result = chooseAgents({ agents, skillGroupId: 'PS', count: 4, now: T0, proposedShift, shifts: [], weeklyHours: {}, lastCalledAt: {}, recentCallMinutes: 240, agentAcceptance: {} });
    expect(result.excluded).toEqual([]);
    expect(result.chosen.map((c) => [c.agentId, c.acceptance, c.lastCalledAt]).sort()).toEqual(agents.map((a) => [a.id, 0.5, null]).sort());
  });

  test('when agents differ in eligibility, then only eligible ones are chosen, least recently called first, then proficiency', () => {
    const proposedShift = { start: T0 + 15 * MIN, end: T0 + 135 * MIN };
    const agents = [
      cloudAgent('fresh-low', { skills: [{ skillGroupId: 'PS', proficiency: 0.5 }] }),
      cloudAgent('fresh-high', { skills: [{ skillGroupId: 'PS', proficiency: 1 }] }),
      cloudAgent('called-yesterday'),
      cloudAgent('called-just-now'),
      cloudAgent('partner', { kind: 'partner' }),
      cloudAgent('no-opt-in', { calloutOptIn: false }),
      cloudAgent('other-skill', { skills: [{ skillGroupId: 'NW' }] }),
      cloudAgent('on-shift'),
      cloudAgent('resting'),
      cloudAgent('full-week'),
    ];
    const result = chooseAgents({
      agents, skillGroupId: 'PS', count: 3, now: T0, proposedShift,
      shifts: [
        { agentId: 'on-shift', skillGroupId: 'NW', start: T0, end: T0 + 60 * MIN },
        { agentId: 'resting', skillGroupId: 'PS', start: T0 - 8 * 60 * MIN, end: T0 - 60 * MIN },
      ],
      weeklyHours: { 'full-week': 29 },
      lastCalledAt: { 'called-yesterday': T0 - 24 * 60 * MIN, 'called-just-now': T0 - 30 * MIN },
      recentCallMinutes: 240,
      agentAcceptance: {},
    });
    expect(result.chosen.map((c) => c.agentId)).toEqual(['fresh-high', 'fresh-low', 'called-yesterday']);
    expect(Object.fromEntries(result.excluded.map((e) => [e.agentId, e.reason]))).toEqual({
      'called-just-now': 'called-recently', partner: 'not-cloud', 'no-opt-in': 'not-opted-in', 'other-skill': 'no-skill',
      'on-shift': 'on-shift', resting: 'resting', 'full-week': 'weekly-hours',
    });
  });
});
