import { isWfmError, type WfmError } from '../../src/errors/wfm-error';
import { estimate, simulate } from '../../src/sim/simulate';
import type { SimulationSpec } from '../../src/sim/types';
import { group, HOUR, MONDAY, stationarySpec } from './fixtures';

function validationError(spec: SimulationSpec): WfmError {
  try {
    simulate(spec);
  } catch (err) {
    if (isWfmError(err)) return err;
    throw err;
  }
  throw new Error('expected a validation error');
}

const base = () => stationarySpec({ agents: 10, callsPerHour: 150, hours: 4, replications: 2, seed: 3 });

describe('simulate', () => {
  test('when the same seed runs twice, then the results are identical bit for bit', () => {
    const first = simulate(base());
    const second = simulate(base());
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    const other = simulate({ ...base(), seed: 4 });
    expect(other.totals[0].asaSeconds.mean).not.toBe(first.totals[0].asaSeconds.mean);
  });

  test('when a rate names an unknown group, then a validation error names the field', () => {
    const spec = base();
    if (spec.arrivals.kind !== 'forecast') throw new Error('fixture');
    spec.arrivals.rates[1] = { ...spec.arrivals.rates[1], skillGroupId: 'NOPE' };
    const err = validationError(spec);
    expect(err.code).toBe('validation');
    expect(err.status).toBe(422);
    expect(err.details.map((d) => d.where)).toContain('arrivals.rates[1].skillGroupId');
  });

  test('when a rate is negative, then a validation error names the volume', () => {
    const spec = base();
    if (spec.arrivals.kind !== 'forecast') throw new Error('fixture');
    spec.arrivals.rates[2] = { ...spec.arrivals.rates[2], volume: -5 };
    expect(validationError(spec).details.map((d) => d.where)).toContain('arrivals.rates[2].volume');
  });

  test('when a shock starts outside the period, then a validation error names the shock', () => {
    const spec = base();
    if (spec.arrivals.kind !== 'forecast') throw new Error('fixture');
    spec.arrivals.shocks = [{ skillGroupId: 'A', start: MONDAY + 10 * HOUR, durationMinutes: 60, factor: 3 }];
    expect(validationError(spec).details.map((d) => d.where)).toContain('arrivals.shocks[0].start');
  });

  test('when the policy is unknown, then a validation error names it', () => {
    expect(validationError({ ...base(), policy: 'loudest' as never }).details[0].where).toBe('policy');
  });

  test('when a shock triples the rate for an hour, then offered calls triple in that interval only', () => {
    const spec = stationarySpec({ agents: 30, callsPerHour: 400, hours: 4, replications: 8, seed: 5 });
    if (spec.arrivals.kind !== 'forecast') throw new Error('fixture');
    spec.arrivals.shocks = [{ skillGroupId: 'A', start: MONDAY + 2 * HOUR, durationMinutes: 60, factor: 3 }];
    const result = simulate(spec);
    const offered = result.intervals.map((row) => row.offered.mean);
    expect(offered[1]).toBeGreaterThan(360);
    expect(offered[1]).toBeLessThan(440);
    expect(offered[2]).toBeGreaterThan(1120);
    expect(offered[2]).toBeLessThan(1280);
    expect(result.intervals[2].serviceLevel.mean).toBeLessThan(result.intervals[1].serviceLevel.mean);
  });

  describe('when a shock lowers the rate (an outage or a traffic drop)', () => {
    // Two groups, 400 calls/hour each; the shock hits A's third hour only.
    const offeredWith = (factor: number | null) => {
      const spec = stationarySpec({ agents: 30, callsPerHour: 400, hours: 4, replications: 8, seed: 5 });
      if (spec.arrivals.kind !== 'forecast' || spec.roster.kind !== 'staffing') throw new Error('fixture');
      spec.skillGroups.push(group('B'));
      spec.handleTime = { A: { kind: 'exponential' }, B: { kind: 'exponential' } };
      spec.roster.rows.push(...spec.roster.rows.map((row) => ({ ...row, skillGroupId: 'B' })));
      spec.arrivals.rates.push(...spec.arrivals.rates.map((rate) => ({ ...rate, skillGroupId: 'B' })));
      if (factor !== null) spec.arrivals.shocks = [{ skillGroupId: 'A', start: MONDAY + 2 * HOUR, durationMinutes: 60, factor }];
      const rows = simulate(spec).intervals;
      const of = (id: string) => rows.filter((row) => row.skillGroupId === id).map((row) => row.offered.mean);
      return { A: of('A'), B: of('B') };
    };

    test('then ×0.5 halves the shocked group\'s offered calls in the window and leaves the rest alone', () => {
      const halved = offeredWith(0.5);
      expect(halved.A[2]).toBeGreaterThan(180);
      expect(halved.A[2]).toBeLessThan(220);
      for (const hour of [0, 1, 3]) {
        expect(halved.A[hour]).toBeGreaterThan(360);
        expect(halved.A[hour]).toBeLessThan(440);
      }
      for (const offered of halved.B) {
        expect(offered).toBeGreaterThan(360);
        expect(offered).toBeLessThan(440);
      }
    });

    test('then ×0 leaves no calls in the window', () => {
      const none = offeredWith(0);
      expect(none.A[2]).toBe(0);
      expect(none.A[1]).toBeGreaterThan(360);
      expect(none.B[2]).toBeGreaterThan(360);
    });
  });

  test('when a shock ramps over 30 minutes, then the ramped hour gets fewer calls than a step', () => {
    const make = (ramp: number) => {
      const spec = stationarySpec({ agents: 30, callsPerHour: 400, hours: 4, replications: 8, seed: 5 });
      if (spec.arrivals.kind !== 'forecast') throw new Error('fixture');
      spec.arrivals.shocks = [{ skillGroupId: 'A', start: MONDAY + 1 * HOUR, durationMinutes: 120, factor: 3, rampMinutes: ramp }];
      return simulate(spec).intervals.map((row) => row.offered.mean);
    };
    const ramped = make(30);
    // 30 min ramp from ×1 to ×3 averages ×2 over its half hour: the hour expects 400·(0.5·2 + 0.5·3) = 1000.
    expect(ramped[1]).toBeGreaterThan(930);
    expect(ramped[1]).toBeLessThan(1070);
    expect(make(0)[1]).toBeGreaterThan(1130);
  });

  test('when agents follow shifts with a break, then nobody answers during the break and occupancy stays ≤ 1', () => {
    const result = simulate({
      skillGroups: [group('A', { patienceSeconds: 60 })],
      period: { from: MONDAY, to: MONDAY + 4 * HOUR },
      roster: {
        kind: 'shifts',
        shifts: [1, 2, 3].map((n) => ({
          agentId: `a${n}`,
          skillGroupId: 'A',
          start: MONDAY,
          end: MONDAY + 4 * HOUR,
          breaks: [{ start: MONDAY + 2 * HOUR, end: MONDAY + 3 * HOUR }],
        })),
      },
      arrivals: { kind: 'forecast', rates: [0, 1, 2, 3].map((i) => ({ skillGroupId: 'A', start: MONDAY + i * HOUR, volume: 40 })) },
      handleTime: { A: { kind: 'exponential', meanSeconds: 60 } },
      replications: 5,
      seed: 9,
    });
    const breakHour = result.intervals[2];
    expect(breakHour.agents.mean).toBeLessThan(0.2); // only calls in progress at the break start
    expect(breakHour.abandonRate.mean).toBeGreaterThan(0.8);
    expect(result.intervals[0].agents.mean).toBeCloseTo(3, 5);
    for (const row of result.intervals) expect(row.occupancy.mean).toBeLessThanOrEqual(1);
  });

  test('when the minute hook adds agents after a login delay, then service improves only after they log in', () => {
    const spec = stationarySpec({ agents: 5, callsPerHour: 200, hours: 4, patienceSeconds: 120, replications: 4, seed: 7 });
    const seen: number[] = [];
    let asked = false;
    const withHook = simulate({
      ...spec,
      warmupMinutes: 0,
      onMinute: (state, actions) => {
        seen.push(state.queueLength[0]);
        if (state.now === MONDAY) asked = false; // a new replication starts
        if (!asked && state.now >= MONDAY + 2 * HOUR) {
          asked = true;
          actions.addAgents({ count: 10, skillGroupIds: ['A'], loginDelayMinutes: 30, durationMinutes: 600 });
        }
      },
    });
    const without = simulate({ ...spec, warmupMinutes: 0 });
    expect(seen.length).toBe(4 * 4 * 60); // every minute of every replication
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(withHook.intervals[1].abandonRate.mean).toBeCloseTo(without.intervals[1].abandonRate.mean, 10);
    expect(withHook.intervals[2].agents.mean).toBeCloseTo(5 + 10 / 2, 6); // logged in at 02:30
    expect(withHook.intervals[3].agents.mean).toBeCloseTo(15, 6);
    expect(withHook.intervals[3].abandonRate.mean).toBeLessThan(without.intervals[3].abandonRate.mean / 3);
  });

  test('when the hook releases added agents, then those on the phone leave after their call and those not yet in never log in', () => {
    const spec = stationarySpec({ agents: 5, callsPerHour: 200, hours: 4, patienceSeconds: 120, replications: 2, seed: 7 });
    // at 01:00, 6 agents log in at once and 4 more are due at 02:30; with `release`, all 10 are sent home at 02:00
    const run = (release: boolean) => {
      let handles: number[] = [];
      return simulate({
        ...spec,
        warmupMinutes: 0,
        onMinute: (state, actions) => {
          if (state.now === MONDAY + HOUR) {
            handles = [...actions.addAgents({ count: 6, skillGroupIds: ['A'], loginDelayMinutes: 0, durationMinutes: 180 }), ...actions.addAgents({ count: 4, skillGroupIds: ['A'], loginDelayMinutes: 90, durationMinutes: 180 })];
            expect(handles).toHaveLength(10);
          }
          if (release && state.now === MONDAY + 2 * HOUR) actions.releaseAgents(handles);
        },
      }).intervals.map((r) => r.agents.mean);
    };
    const kept = run(false);
    const released = run(true);
    expect(released[1]).toBeCloseTo(11, 6);
    expect(kept[1]).toBeCloseTo(11, 6);
    // from 02:00 the 6 finish the call they are on (a few minutes) and the 4 never come
    expect(released[2]).toBeGreaterThanOrEqual(5);
    expect(released[2]).toBeLessThan(5.5);
    expect(released[3]).toBeCloseTo(5, 6);
    expect(kept[3]).toBeCloseTo(15, 6);
  });

  test('when two runs on one seed differ only in staffing, then the same callers arrive with the same patience (common random numbers)', () => {
    const thin = simulate(stationarySpec({ agents: 5, callsPerHour: 200, hours: 4, patienceSeconds: 120, replications: 3, seed: 21 }));
    const added = simulate({
      ...stationarySpec({ agents: 5, callsPerHour: 200, hours: 4, patienceSeconds: 120, replications: 3, seed: 21 }),
      onMinute: (state, actions) => {
        if (state.now === MONDAY + 2 * HOUR) actions.addAgents({ count: 10, skillGroupIds: ['A'], loginDelayMinutes: 0, durationMinutes: 60 });
      },
    });
    expect(added.intervals.map((r) => r.offered.mean)).toEqual(thin.intervals.map((r) => r.offered.mean));
    // Callers done long before the extra agents come fare exactly the same; while they work, fewer run out of patience.
    expect(added.intervals[0]).toEqual(thin.intervals[0]);
    expect(added.intervals[2].abandoned.mean).toBeLessThan(thin.intervals[2].abandoned.mean / 3);
  });

  test('when a callout is planned with a login delay, then the extra agents count from the login on', () => {
    const spec = stationarySpec({ agents: 4, callsPerHour: 100, hours: 3, patienceSeconds: 120, replications: 2, seed: 1 });
    const result = simulate({
      ...spec,
      addedAgents: [{ requestedAt: MONDAY + HOUR, loginDelayMinutes: 15, count: 4, skillGroupIds: ['A'], durationMinutes: 60 }],
    });
    const agents = result.intervals.map((row) => row.agents.mean);
    expect(agents.slice(0, 2)).toEqual([4, 4 + 4 * 0.75]);
    // logged off at 02:15, plus whatever call each was finishing (counted as logged in until it ends)
    expect(agents[2]).toBeGreaterThanOrEqual(5);
    expect(agents[2]).toBeLessThan(5.3);
  });

  test('when a group overflows to an idle group after 30 s, then its calls are answered by the other group', () => {
    const starts = [0, 1, 2].map((i) => MONDAY + i * HOUR);
    const spec = (overflowTo: string[]): SimulationSpec => ({
      skillGroups: [group('A', { overflowTo, patienceSeconds: 600 }), group('B')],
      period: { from: MONDAY, to: MONDAY + 3 * HOUR },
      roster: { kind: 'staffing', rows: starts.flatMap((start) => [{ skillGroupId: 'A', start, agents: 3 }, { skillGroupId: 'B', start, agents: 5 }]) },
      arrivals: { kind: 'forecast', rates: starts.map((start) => ({ skillGroupId: 'A', start, volume: 120 })) },
      handleTime: { A: { kind: 'exponential' } },
      policy: { overflowAfterSeconds: 30 },
      replications: 4,
      seed: 2,
    });
    const isolated = simulate(spec([]));
    const overflowing = simulate(spec(['B']));
    expect(isolated.totals[1].occupancy.mean).toBe(0);
    expect(overflowing.totals[1].occupancy.mean).toBeGreaterThan(0.2);
    expect(overflowing.totals[0].asaSeconds.mean).toBeLessThan(isolated.totals[0].asaSeconds.mean / 3);
    expect(overflowing.totals[0].asaSeconds.mean).toBeGreaterThan(5);
  });

  test('when a replay gives exact arrivals and talk times, then a single agent serves them in order with the expected waits', () => {
    const at = (seconds: number) => MONDAY + seconds * 1000;
    const result = simulate({
      skillGroups: [group('A')],
      period: { from: MONDAY, to: MONDAY + HOUR },
      roster: { kind: 'shifts', shifts: [{ agentId: 'solo', skillGroupId: 'A', start: MONDAY, end: MONDAY + HOUR }] },
      arrivals: {
        kind: 'replay',
        calls: [
          { skillGroupId: 'A', arrival: at(10), handleSeconds: 100 },
          { skillGroupId: 'A', arrival: at(20), handleSeconds: 50 },
          { skillGroupId: 'A', arrival: at(30), handleSeconds: 10, patienceSeconds: 60 },
        ],
      },
      replications: 1,
      seed: 1,
    });
    const totals = result.totals[0];
    // call 2 waits 110 - 20 = 90 s; call 3 gives up after 60 s
    expect(totals.answered.mean).toBe(2);
    expect(totals.abandoned.mean).toBe(1);
    expect(totals.asaSeconds.mean).toBe(45);
    expect(totals.abandonedMeanWaitSeconds.mean).toBe(60);
    expect(totals.meanHandleSeconds.mean).toBe(75);
  });
});

describe('simulate across a DST change', () => {
  test('when the clocks go forward, then the day has 23 hourly intervals and every forecast call is offered once', () => {
    const zone = 'Europe/Amsterdam';
    const from = Date.parse('2024-03-31T00:00:00+01:00');
    const to = Date.parse('2024-04-01T00:00:00+02:00');
    const starts: number[] = [];
    for (let t = from; t < to; t += HOUR) starts.push(t);
    const result = simulate({
      skillGroups: [group('A', { timeZone: zone, patienceSeconds: 120 })],
      period: { from, to },
      roster: { kind: 'staffing', rows: starts.map((start) => ({ skillGroupId: 'A', start, agents: 3 })) },
      arrivals: { kind: 'forecast', rates: starts.map((start) => ({ skillGroupId: 'A', start, volume: 30 })) },
      replications: 20,
      seed: 12,
    });
    expect(starts).toHaveLength(23);
    expect(result.intervals).toHaveLength(23);
    expect(result.intervals[2].start).toBe(Date.parse('2024-03-31T03:00:00+02:00'));
    const offered = result.totals[0].offered;
    expect(Math.abs(offered.mean - 23 * 30)).toBeLessThan(Math.max(offered.halfWidth, 15));
    expect(result.intervals[2].agents.mean).toBeCloseTo(3, 6);
  });
});

describe('estimate', () => {
  test('when there is one replication, then the half-width is unknown (NaN, null in JSON), not 0 — one run says nothing of its spread', () => {
    const one = estimate([0.8]);
    expect(one.mean).toBe(0.8);
    expect(Number.isNaN(one.halfWidth)).toBe(true);
    expect(JSON.parse(JSON.stringify(one))).toEqual({ mean: 0.8, halfWidth: null });
    expect(estimate([0.7, 0.9]).halfWidth).toBeGreaterThan(0);
  });
});
