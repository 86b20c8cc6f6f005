/** The pure steps between the store and the trigger core: forecast per tick, weekly hours, policies, archiving. */
import { policyFromBody } from '../../src/services/trigger';
import { archivable, lastArrivalMinute, realtimeStateOf, rosterCapacitySource, signalsUpToCounts, tickForecast, weeklyHoursOf } from '../../src/services/trigger-inputs';
import type { StoredCallout } from '../../src/store/trigger-repository';
import { DEFAULT_POLICY } from '../../src/trigger/types';
import { acceptanceRate } from '../../src/trigger/acceptance';
import { cloudAgent, group } from '../trigger/fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.UTC(2026, 2, 4, 10, 0);
const ps = group({ intervalMinutes: 30 });

function observed(perMinute: (m: number) => number, from: number, to: number) {
  const events = [];
  for (let m = from; m < to; m += MIN) events.push({ skillGroupId: 'PS', minute: m, arrivals: perMinute(m), queueLength: 0, agentsLoggedIn: 10 });
  return realtimeStateOf('PS', events, T);
}

/** 120 calls per 30-minute interval = 4 a minute, from an hour before to an hour after T. */
const stored = { points: [-2, -1, 0, 1, 2].map((k) => ({ intervalStart: T + k * 30 * MIN, p10: 100, p50: 120, p90: 140 })), meta: { alias: 'decomposition', skillGroupId: 'PS', createdAt: '', from: '', baselineFallback: false } };

describe('leading signals a tick reads', () => {
  test('when signals arrive ahead of the counts, then only those up to two minutes past the last counted minute are read', () => {
    const counts = [0, 1, 2, 3].map((k) => ({ skillGroupId: 'PS', minute: T - (10 - k) * MIN, arrivals: 4 }));
    const signals = Array.from({ length: 10 }, (_, k) => ({ skillGroupId: 'PS', minute: T - (10 - k) * MIN, signals: { web: 30 } }));
    const last = lastArrivalMinute([...counts, { skillGroupId: 'PS', minute: T - MIN, queueLength: 3 }]);
    expect(last).toBe(T - 7 * MIN);
    expect(signalsUpToCounts(signals, last).map((e) => (T - e.minute) / MIN)).toEqual([10, 9, 8, 7, 6, 5]);
    expect(signalsUpToCounts(signals, lastArrivalMinute([]))).toEqual([]);
    const state = realtimeStateOf('PS', [...counts, ...signalsUpToCounts(signals, last)], T);
    expect(state.minutes.filter((m) => m.signals?.web === 30)).toHaveLength(6);
  });

  test('when minutes only carry a signal so far, then the forecast still ends its observed window at the last counted minute', () => {
    const counts = Array.from({ length: 16 }, (_, k) => ({ skillGroupId: 'PS', minute: T - (20 - k) * MIN, arrivals: 4 }));
    const ahead = [4, 3, 2, 1].map((k) => ({ skillGroupId: 'PS', minute: T - k * MIN, signals: { web: 24 } }));
    const state = realtimeStateOf('PS', [...counts, ...ahead], T);
    const f = tickForecast(ps, { horizonMinutes: 30 }, stored, state, T, lastArrivalMinute(counts));
    // counted through T − 5 min at the planned 4 a minute: no drop read from the signal-only minutes
    expect(f.p50[f.p50.length - 1]).toBeCloseTo(4, 0);
    expect(f.source).toContain('nowcast-level');
  });
});

describe('the forecast a tick uses', () => {
  test('when arrivals run as planned, then the stored interval forecast is spread over its minutes', () => {
    const f = tickForecast(ps, { horizonMinutes: 30 }, stored, observed(() => 4, T - 20 * MIN, T), T);
    expect(f.from).toBe(T);
    expect(f.p50).toHaveLength(30);
    for (const v of f.p50) expect(v).toBeCloseTo(4, 6);
    expect(f.source).toBe('decomposition two-week forecast, nowcast-level');
  });

  test('when the stored forecast keeps the expected volume (a quiet queue: medians 0), then the tick reads that, not the median', () => {
    const quiet = { ...stored, points: stored.points.map((p) => ({ ...p, p10: 0, p50: 0, p90: 2, expected: 0.6 })) };
    // 0.6 calls a half hour = 0.02 a minute, as observed: no surge read, the plan kept
    const f = tickForecast(ps, { horizonMinutes: 30 }, quiet, observed((m) => (m === T - 10 * MIN ? 1 : 0), T - 20 * MIN, T), T);
    const total = f.p50.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0.3);
    expect(total).toBeLessThan(2);
  });

  test('when the last quarter hour runs at twice the plan, then the forecast rises with it', () => {
    const f = tickForecast(ps, { horizonMinutes: 30 }, stored, observed(() => 8, T - 20 * MIN, T), T);
    expect(f.p50[0]).toBeGreaterThan(6);
  });

  test('when the last minutes are not reported yet, then they are not read as a drop to zero', () => {
    const lagging = observed(() => 4, T - 20 * MIN, T - 2 * MIN);
    const f = tickForecast(ps, { horizonMinutes: 30 }, stored, lagging, T);
    expect(f.from).toBe(T - 2 * MIN); // observed up to the last reported minute; the core reads from T on
    expect(f.p50).toHaveLength(32);
    for (const v of f.p50) expect(v).toBeCloseTo(4, 6);
  });

  test('when minutes inside the window were not reported, then they are left out of the nowcast, not read as no calls', () => {
    // twice the plan, every third minute missing: the same rise as the full feed's, not a fading surge
    const full = tickForecast(ps, { horizonMinutes: 30 }, stored, observed(() => 8, T - 20 * MIN, T), T);
    const gappy = realtimeStateOf('PS', observed(() => 8, T - 20 * MIN, T).minutes.filter((m) => (m.minute / MIN) % 3 !== 0).map((m) => ({ skillGroupId: 'PS', minute: m.minute, arrivals: m.arrivals })), T);
    const f = tickForecast(ps, { horizonMinutes: 30 }, stored, gappy, T);
    expect(f.source).not.toContain('fading');
    expect(f.p50[0]).toBeGreaterThan(6);
    expect(f.p50[0]).toBeGreaterThan(full.p50[0] * 0.85);
  });

  test('when no stored forecast covers now, then the last quarter hour is held flat and the source says why', () => {
    const f = tickForecast(ps, { horizonMinutes: 30 }, { points: [] }, observed(() => 6, T - 20 * MIN, T), T);
    expect(f.p50.every((v) => v === 6)).toBe(true);
    expect(f.source).toBe('flat-last-15-minutes (no stored forecast covers now)');
  });
});

describe('the roster as capacity and weekly hours', () => {
  test('when a roster is read, then shifts keep their breaks and claims become their agent\'s shifts', async () => {
    const source = rosterCapacitySource({
      shiftsOverlapping: async () => [{ id: 's1', agentId: 'p1', skillGroupId: 'PS', templateId: 't', kind: 'day', date: '2026-03-04', start: T, end: T + 8 * HOUR, breaks: [{ start: T + 4 * HOUR, end: T + 4.5 * HOUR, kind: 'meal' }] }],
      claimedSlotsOverlapping: async () => [{ slotId: 'x', skillGroupId: 'PS', agentId: 'c1', start: T, end: T + 2 * HOUR }],
    });
    expect(await source.rosterShifts(T, T + HOUR)).toEqual([{ agentId: 'p1', skillGroupId: 'PS', start: T, end: T + 8 * HOUR, breaks: [{ start: T + 4 * HOUR, end: T + 4.5 * HOUR }] }]);
    expect(await source.claimedShifts(T, T + HOUR)).toEqual([{ agentId: 'c1', skillGroupId: 'PS', start: T, end: T + 2 * HOUR }]);
  });

  test('when shifts cross the start of the agent\'s week in its own zone, then only this week\'s part counts, accepted callouts included', () => {
    const jerusalem = cloudAgent('c1', { timeZone: 'Asia/Jerusalem' });
    // Monday 2026-03-02 00:00 in Jerusalem is Sunday 22:00 UTC: a Sunday 20:00–02:00 UTC shift has 4 hours this week.
    const mondayLocal = Date.UTC(2026, 2, 1, 22, 0);
    const hours = weeklyHoursOf(
      [jerusalem, cloudAgent('c2'), { ...cloudAgent('p1'), kind: 'partner' }],
      [
        { agentId: 'c1', skillGroupId: 'PS', start: mondayLocal - 2 * HOUR, end: mondayLocal + 4 * HOUR },
        { agentId: 'c2', skillGroupId: 'PS', start: mondayLocal - 2 * HOUR, end: mondayLocal + 4 * HOUR },
        { agentId: 'p1', skillGroupId: 'PS', start: T, end: T + 8 * HOUR },
      ],
      [{ id: 'x', waveId: 'w', decisionId: 'd', agentId: 'c2', skillGroupId: 'PS', requestedAt: T, loginAt: T, shiftEnd: T + 2 * HOUR, status: 'accepted' }],
      T,
      'UTC',
    );
    expect(hours).toEqual({ c1: 4, c2: 2 + 2 }); // c2's week starts Monday 00:00 UTC: 2 h of the shift + 2 h accepted
  });
});

describe('trigger policies from a request body', () => {
  test('when fields are left out, then the defaults fill them', () => {
    expect(policyFromBody('PS', { mode: 'reactive' })).toEqual({ policy: { ...DEFAULT_POLICY, skillGroupId: 'PS', mode: 'reactive' }, problems: [] });
  });

  test('when fields are wrong, then every problem is named by its field', () => {
    const { problems } = policyFromBody('PS', { skillGroupId: 'NW', colour: 'red', stepMinutes: 45, horizonMinutes: 30, acceptancePrior: { rate: 0, weight: -1 }, quietHours: [{ days: [8], from: '7:00', to: '09:00' }] });
    expect(problems.map((p) => p.where)).toEqual([
      '/body/colour',
      '/body/skillGroupId',
      '/body/acceptancePrior/rate',
      '/body/acceptancePrior/weight',
      '/body/quietHours/0/days',
      '/body/quietHours/0/from',
      '/body/stepMinutes',
    ]);
  });

  test('when the acceptance prior weighs 0 (learn from answers only), then the policy is accepted and its rate before any answer is the prior rate', () => {
    const { policy, problems } = policyFromBody('PS', { acceptancePrior: { rate: 0.4, weight: 0 } });
    expect(problems).toEqual([]);
    expect(acceptanceRate({ accepted: 0, refused: 0 }, policy.acceptancePrior)).toBe(0.4);
  });

  test('when threshold + hysteresis reach 1, then the hysteresis is refused (a wave would end only at 100%), also when the default makes it so', () => {
    const sent = policyFromBody('RSA', { mode: 'predictive', serviceLevelThreshold: 0.6, hysteresis: 0.5 }).problems;
    expect(sent).toEqual([{ where: '/body/hysteresis', message: expect.stringMatching(/must stay below 1.*below 0\.4/) }]);
    const defaulted = policyFromBody('RSA', { serviceLevelThreshold: 0.9 }).problems;
    expect(defaulted).toEqual([{ where: '/body/hysteresis', message: expect.stringMatching(/0\.15 \(the default, as it was left out\)/) }]);
    expect(policyFromBody('RSA', { serviceLevelThreshold: 0.6, hysteresis: 0.39 }).problems).toEqual([]);
  });
});

describe('callouts leaving the active set', () => {
  const base: StoredCallout = { id: 'a', waveId: 'old', decisionId: 'd', agentId: 'c1', skillGroupId: 'PS', requestedAt: T - 30 * HOUR, loginAt: T - 30 * HOUR, shiftEnd: T - 28 * HOUR, status: 'accepted', delivery: { state: 'delivered', attempts: 1 } };
  test('when a callout is answered, over a day old and outside the running wave, then it is archived with its outcome; an accepted one once its shift left the commitment window', () => {
    expect(
      archivable(
        [
          base,
          { ...base, id: 'a-long-ago', requestedAt: T - 9 * 24 * HOUR, loginAt: T - 9 * 24 * HOUR, shiftEnd: T - 9 * 24 * HOUR + 2 * HOUR },
          { ...base, id: 'b', status: 'declined' },
          { ...base, id: 'c', status: 'expired' },
          { ...base, id: 'd', status: 'dead-letter' },
          { ...base, id: 'e', status: 'pending' },
          { ...base, id: 'f', requestedAt: T - 2 * HOUR },
          { ...base, id: 'g', waveId: 'running' },
          { ...base, id: 'h', shiftEnd: T + HOUR },
        ],
        'running',
        T,
      ),
    ).toEqual([
      // 'a' (accepted, its shift 28 hours ago) stays: this week's hours and rest are read from it
      { id: 'a-long-ago', agentId: 'c1', outcome: 'accepted' },
      { id: 'b', agentId: 'c1', outcome: 'refused' },
      { id: 'c', agentId: 'c1', outcome: 'refused' },
      { id: 'd', agentId: 'c1', outcome: '' },
    ]);
  });
});
