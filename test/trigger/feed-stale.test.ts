/**
 * A realtime feed that stops, runs late or is stamped by a slow ACD clock: its silence must not read as
 * no calls, an empty queue and nobody logged in (no wave on zeros, no release on a dead feed), and a
 * minute missing inside a live feed's window is not a minute of no calls.
 */
import { flatForecast as flatFromRealtime } from '../../src/trigger/decide';
import { nowcast } from '../../src/trigger/nowcast';
import { emptyRealtimeState, feedStaleness, foldEvents, observedArrivals, recentArrivals } from '../../src/trigger/realtime-state';
import { tick, type TickInput } from '../../src/trigger/tick';
import { initialTriggerState, type CalloutRecord, type RealtimeState, type TriggerState } from '../../src/trigger/types';
import { cloudAgent, flatForecast, group, MIN, policy, realtime, T0 } from './fixtures';

/** The group as its feed last showed it (10 calls a minute, queue 25, 3 agents), its last minute `lagMinutes` before T0. */
function lastSeen(lagMinutes: number): RealtimeState {
  return realtime(25, 3, 10, T0 - (lagMinutes - 1) * MIN);
}

/** Three agents called out two hours ago, accepted, with most of their shift ahead. */
function accepted(): CalloutRecord[] {
  return ['c01', 'c02', 'c03'].map((agentId) => ({
    id: `PS@w:${agentId}`, waveId: 'PS@w', decisionId: 'PS@w', agentId, skillGroupId: 'PS',
    requestedAt: T0 - 120 * MIN, loginAt: T0 - 105 * MIN, shiftEnd: T0 + 100 * MIN, status: 'accepted', respondedAt: T0 - 118 * MIN,
  }));
}

function input(rt: RealtimeState, state: TriggerState, forecastPerMinute: number, overrides: Partial<TickInput> = {}): TickInput {
  return {
    now: T0,
    groups: [{ group: group(), policy: policy(), state, realtime: rt, forecast: flatForecast(forecastPerMinute), callouts: accepted() }],
    roster: [],
    claimedSlots: [{ skillGroupId: 'PS', start: T0 - 60 * MIN, end: T0 + 120 * MIN, agents: 10 }],
    agents: Array.from({ length: 30 }, (_, k) => cloudAgent(`c${String(k).padStart(2, '0')}`)),
    weeklyHours: {},
    lastCalledAt: {},
    recentCallMinutes: 180,
    ...overrides,
  };
}

describe('a stale realtime feed', () => {
  test('when the last arrivals minute is at most 5 minutes old, then the feed is live; a minute older, or none at all, it is stale', () => {
    expect(feedStaleness(lastSeen(5), T0)).toEqual({ stale: false, lastArrivalsMinute: T0 - 5 * MIN, minutesSince: 5 });
    expect(feedStaleness(lastSeen(6), T0 + 30_000)).toEqual({ stale: true, lastArrivalsMinute: T0 - 6 * MIN, minutesSince: 6 });
    expect(feedStaleness(emptyRealtimeState('PS'), T0)).toEqual({ stale: true, lastArrivalsMinute: null, minutesSince: null });
    // a minute holding only a signal or a gauge is not a minute whose arrivals were reported
    const signalOnly = foldEvents(lastSeen(8), [{ skillGroupId: 'PS', minute: T0 - MIN, signals: { web: 40 }, queueLength: 0 }, { skillGroupId: 'PS', minute: T0 - 2 * MIN, handled: 3 }], T0, 20);
    expect(feedStaleness(signalOnly, T0)).toMatchObject({ stale: true, lastArrivalsMinute: T0 - 8 * MIN });
    expect(observedArrivals(signalOnly, T0, 3)).toEqual([null, null, null]);
    expect(recentArrivals(signalOnly, T0, 3)).toEqual([0, 0, 0]);
    // the arrivals posted later for the same minute make it a reported minute
    expect(feedStaleness(foldEvents(signalOnly, [{ skillGroupId: 'PS', minute: T0 - MIN, arrivals: 9 }], T0, 20), T0)).toMatchObject({ stale: false, lastArrivalsMinute: T0 - MIN });
  });

  test('when the feed stopped with an open wave, then the tick holds: no callout, no release, the wave stays open and the record says why', () => {
    // What the service made of the silence before: the nowcast faded to ~0.5 a minute and the gauges dropped to 0.
    const quiet: RealtimeState = { ...emptyRealtimeState('PS'), minutes: lastSeen(7).minutes.filter((m) => m.minute >= T0 - 20 * MIN) };
    const open: TriggerState = { ...initialTriggerState('PS'), waveId: 'PS@w', waveStartedAt: T0 - 120 * MIN, lastFiredAt: T0 - 120 * MIN, breachTicks: 2, surplusTicks: 4, wavesStarted: 1 };
    const [out] = tick(input(quiet, open, 0.5));
    expect(out.decision).toMatchObject({ reason: 'feed-stale', fired: false, agentsToCall: 0, waveId: 'PS@w' });
    expect(out.decision.feed).toEqual({ stale: true, lastArrivalsMinute: T0 - 7 * MIN, minutesSince: 7, staleAfterMinutes: 5 });
    expect(out.decision.explanation).toMatch(/feed is stale \(the last minute with arrivals reported is 09:53 UTC, 7 minutes ago; limit 5\).*nobody is called or released.*wave PS@w stays open/);
    expect(out.decision.inputs.forecastSource).toBe('not read (feed stale)');
    expect(out.newCallouts).toEqual([]);
    expect(out.released).toEqual([]);
    expect(out.state).toMatchObject({ waveId: 'PS@w', waveStartedAt: T0 - 120 * MIN, lastFiredAt: T0 - 120 * MIN, breachTicks: 0, surplusTicks: 0 });
  });

  test('when no wave is open and the surplus was already confirmed, then a stale feed releases nobody (a live quiet feed would)', () => {
    const confirmed: TriggerState = { ...initialTriggerState('PS'), lastFiredAt: T0 - 120 * MIN, wavesStarted: 1, surplusTicks: 5 };
    const [live] = tick(input(realtime(0, 13, 0.5), confirmed, 0.5));
    expect(live.released.length).toBeGreaterThan(0); // the same inputs on a live feed: the surge has passed
    const dead = { ...realtime(0, 13, 0.5, T0 - 10 * MIN), gauges: { ...emptyRealtimeState('PS').gauges } };
    const [held] = tick(input(dead, confirmed, 0.5));
    expect(held.decision.reason).toBe('feed-stale');
    expect(held.released).toEqual([]);
    expect(held.decision.releasedCalloutIds).toBeUndefined();
    expect(held.callouts.every((c) => c.releasedAt === undefined)).toBe(true);
  });

  test('when a group never reported arrivals, then it is held, not decided on zeros, whatever its forecast', () => {
    const base = input(emptyRealtimeState('PS'), initialTriggerState('PS'), 40);
    const [out] = tick({ ...base, groups: [{ ...base.groups[0], callouts: [] }] });
    expect(out.decision).toMatchObject({ reason: 'feed-stale', fired: false, feed: { lastArrivalsMinute: null, minutesSince: null } });
    expect(out.decision.explanation).toMatch(/no minute with arrivals was reported/);
    expect(out.newCallouts).toEqual([]);
  });

  test('when the group a borrower overflows into has a stale feed, then it lends no agents', () => {
    const base = input(realtime(0, 10, 14), initialTriggerState('PS'), 14);
    const ps = { ...base.groups[0], group: group({ overflowTo: ['NW'] }), callouts: [] };
    const nw = { group: group({ id: 'NW', name: 'NW' }), policy: policy({ skillGroupId: 'NW' }), state: initialTriggerState('NW'), forecast: flatForecast(1), callouts: [] };
    const claimed = [...base.claimedSlots, { skillGroupId: 'NW', start: T0 - 60 * MIN, end: T0 + 120 * MIN, agents: 30 }];
    const lent = (rt: RealtimeState) => tick({ ...base, claimedSlots: claimed, groups: [ps, { ...nw, realtime: rt }] })[0].decision.projection.map((b) => b.overflowAgents);
    expect(lent({ ...realtime(0, 30, 1), skillGroupId: 'NW' }).some((v) => v > 0)).toBe(true);
    expect(lent({ ...realtime(0, 30, 1, T0 - 10 * MIN), skillGroupId: 'NW' }).every((v) => v === 0)).toBe(true);
  });
});

describe('minutes missing inside a live feed', () => {
  const flat = (v: number, n = 15) => new Array<number>(n).fill(v);

  test('when some minutes of the window were not reported, then the nowcast reads the rate over the minutes reported, not zeros', () => {
    const full = nowcast({ now: T0, expectedRecent: flat(1), observedRecent: flat(10), expectedAhead: flat(1, 30) });
    const gappy = flat(10).map((v, k) => (k % 3 === 1 || k >= 12 ? null : v)); // a third missing, the last three too
    const withGaps = nowcast({ now: T0, expectedRecent: flat(1), observedRecent: gappy, expectedAhead: flat(1, 30) });
    expect(full.source).toBe('nowcast-level');
    expect(withGaps.source).toBe('nowcast-level');
    // the 5 minutes reported of the last 10 at 10 against 1 expected, shrunk toward the plan by the 8-call prior
    expect(withGaps.p50[0]).toBeCloseTo((50 + 8) / (5 + 8), 9);
    // what reading the gaps as minutes of no calls gave: a fading surge
    const asZeros = nowcast({ now: T0, expectedRecent: flat(1), observedRecent: gappy.map((v) => v ?? 0), expectedAhead: flat(1, 30) });
    expect(asZeros.source).toBe('nowcast-fading');
    expect(asZeros.p50[0]).toBeLessThan(withGaps.p50[0] * 0.75);
    // nothing reported at all: no evidence either way, the plan stands
    const none = nowcast({ now: T0, expectedRecent: flat(1), observedRecent: flat(0).map(() => null), expectedAhead: flat(1, 30) });
    expect(none.p50[0]).toBeCloseTo(1, 9);
  });

  test('when some minutes were not reported, then the rate held flat (reactive, or no stored forecast) is over the minutes reported', () => {
    const rt = realtime(0, 10, 6);
    const gappy = { ...rt, minutes: rt.minutes.filter((_, k) => k % 2 === 0) };
    expect(flatFromRealtime(gappy, T0, 15, 30).p50[0]).toBeCloseTo(6, 9);
  });
});
