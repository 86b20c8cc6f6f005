/**
 * A storm the forecast cannot explain: the realtime answer follows the pace the calls arrive at (the
 * minutes counted in the interval under way, or the last whole intervals), found by the trigger's Poisson
 * tail test ("far beyond the plan") — while ordinary noise around the forecast leaves the answer as it was.
 */
import { forecastRealtime, type TrainedRealtime } from '../../src/forecast/index';
import { observedPace } from '../../src/forecast/realtime';
import { calibrateBands } from '../../src/forecast/bands';
import { seededRng } from '../../src/forecast/stats';
import { farBeyondForecast } from '../../src/forecast/surge-evidence';
import { strongEvidence } from '../../src/trigger/nowcast';
import type { IntervalVolume } from '../../src/domain/types';
import { addDays, slotInstant, weekdayOf } from '../../src/forecast/day-series';
import { syntheticHistory, ZONE } from './synthetic';

const TODAY = '2024-02-05'; // a Monday, day 35 of the synthetic history
const local = (hhmm: string) => Date.parse(`${TODAY}T${hhmm}:00+01:00`);
// Opening hours configured (the synthetic 08:00–18:00, Monday to Saturday): inferred, they are read from
// the recent weeks with today's rows in them, and a busy interval under way can move them.
const subject = { id: 'G1', timeZone: ZONE, intervalMinutes: 30, openingHours: [{ days: [1, 2, 3, 4, 5, 6] as Array<1 | 2 | 3 | 4 | 5 | 6>, from: '08:00', to: '18:00' }] };

/** A quiet queue: about 70 calls a day over 20 half hours, 2–5 an interval (a tenth of a call a minute). */
function quietRowsBefore(underWay: number): IntervalVolume[] {
  const rows = syntheticHistory({ days: 36, dailyVolume: 60 }).filter((r) => r.start < underWay);
  // The quiet intervals without calls written as zeros, as a feed's minutes are: an absent one is read as
  // missing or as zero by the same slot's volume on the other days, today's interval under way included.
  const written = new Set(rows.map((r) => r.start));
  for (let d = 0; d < 36; d++) {
    const date = addDays('2024-01-01', d);
    if (weekdayOf(date) === 7) continue;
    for (let s = 16; s < 36; s++) {
      const start = slotInstant(date, s, ZONE, 30)!;
      if (start < underWay && !written.has(start)) rows.push({ skillGroupId: 'G1', start, volume: 0 });
    }
  }
  return rows;
}

/** The state-space model as the tester's group had it (its filter believes at most about 3× the plan). */
function stateSpace(): TrainedRealtime {
  const bands = calibrateBands(Array.from({ length: 400 }, (_, i) => ({ p50: 1 + (i % 8), actual: (1 + (i % 8)) * (1 + ((i % 7) - 3) / 5) })));
  return {
    kind: 'realtime', skillGroupId: 'G1', intervalMinutes: 30, steps: 1, liveAlias: 'state-space', net: null,
    filter: { dayVariance: 0.02, persistence: 0.5, innovation: 0.01, dispersion: 1.3 },
    signalNames: [], stepBands: bands, totalBands: bands, validation: {}, validationDays: [], trainedThrough: '2024-02-04', historyDays: 35,
  };
}

/** The q quantile of a Poisson count (the smallest k with P(X ≤ k) ≥ q), written out so the test does not lean on the code it checks. */
function poissonQuantile(mean: number, q: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  while (cumulative < q && k < 10_000) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}

/** Poisson draw by inversion (small means). */
const poisson = (rng: () => number, mean: number) => poissonQuantile(mean, rng());

describe('the realtime forecast in a storm far beyond it', () => {
  test.each([
    ['the state-space model', stateSpace()],
    ['the baseline (no model trained)', null],
  ])('when a quiet queue took 170 calls from 14:30 and 84 in the 7 minutes since 15:00 (12 a minute), then %s answers the next 30 minutes at 12 a minute', async (_, model) => {
    const at = local('15:07');
    const history = [
      ...quietRowsBefore(local('14:30')),
      { skillGroupId: 'G1', start: local('14:30'), volume: 170 },
      { skillGroupId: 'G1', start: local('15:00'), volume: 84 },
    ];

    const f = await forecastRealtime({ history, skillGroup: subject, now: at, model, countedUntil: at, perMinute: true });

    expect(f.callsSoFar).toBe(84);
    expect(f.minutesCounted).toBe(7);
    expect(f.observedPace).toMatchObject({ calls: 84, minutes: 7, perMinute: 12 });
    // the 30 minutes from 15:07: the 23 left of the interval under way and 7 of the next, at 12 a minute
    const w = f.window!;
    expect(w.total.p50).toBeGreaterThan(340);
    expect(w.total.p50).toBeLessThan(380);
    expect(w.points[0].p50).toBeCloseTo(12, 0);
    expect(w.points[29].p50).toBeCloseTo(12, 0);
    // the interval under way ends with its 84 calls plus 23 minutes at 12 a minute
    expect(f.points[0].p50).toBeGreaterThan(84 + 23 * 12 - 5);
    expect(f.points[0].p50).toBeLessThan(84 + 23 * 12 + 5);
    // the band holds the pace's own uncertainty (84 calls: 12 ± 1.3 a minute), not only a count's noise
    expect(w.total.p90 - w.total.p50).toBeGreaterThan(40);
    expect(w.total.p50 - w.total.p10).toBeGreaterThan(40);
    expect(w.total.p10).toBeGreaterThan(250);
  });

  test('when the storm is read at the start of an interval after two half hours far beyond the forecast, then the last whole interval gives the pace', async () => {
    const at = local('15:00');
    const history = [...quietRowsBefore(local('14:00')), { skillGroupId: 'G1', start: local('14:00'), volume: 150 }, { skillGroupId: 'G1', start: local('14:30'), volume: 300 }];

    const f = await forecastRealtime({ history, skillGroup: subject, now: at, model: stateSpace(), perMinute: true });

    expect(f.observedPace).toMatchObject({ calls: 300, minutes: 30, perMinute: 10 });
    expect(f.points[0].p50).toBeGreaterThan(290);
    expect(f.window!.total.p50).toBeGreaterThan(290);
  });

  test('when one whole half hour spiked and the one before was ordinary, then the spike is not read as a pace (a spell needs two)', async () => {
    // on the Anonymous Bank data a half hour at five times the plan was as often followed by an ordinary one
    const at = local('15:00');
    const history = [...quietRowsBefore(local('14:30')), { skillGroupId: 'G1', start: local('14:30'), volume: 300 }];

    const f = await forecastRealtime({ history, skillGroup: subject, now: at, model: stateSpace(), perMinute: true });

    expect(f.observedPace).toBeUndefined();
    expect(f.window!.total.p50).toBeLessThan(100);
  });

  test('when only 3 minutes of a burst are counted and the last interval was ordinary, then no pace is read from them', async () => {
    const at = local('15:03');
    // 9 calls in 3 minutes (the tail alone would pass) plus an ordinary half hour: over 33 minutes, noise
    const history = [...quietRowsBefore(local('15:00')), { skillGroupId: 'G1', start: local('15:00'), volume: 9 }];

    const f = await forecastRealtime({ history, skillGroup: subject, now: at, model: stateSpace(), countedUntil: at, perMinute: true });

    expect(f.observedPace).toBeUndefined();
    expect(f.window!.total.p50).toBeLessThan(20);
  });

  test('when the calls so far are as many as Poisson noise around the forecast gives (up to its 1-in-10,000 count), then the answer is the forecast as before', async () => {
    const model = stateSpace();
    for (const hhmm of ['09:12', '11:07', '15:20', '17:05']) {
      const at = local(hhmm);
      const underWay = at - ((at / 60_000) % 30) * 60_000;
      const rows = quietRowsBefore(underWay);
      const minutes = (at - underWay) / 60_000;
      // the forecast with the calls so far at their expectation: the reference answer
      const reference = await forecastRealtime({ history: rows, skillGroup: subject, now: at, model, countedUntil: at, perMinute: true });
      // no calls counted yet: the interval under way is the rest of its forecast, whose counted share is the calls expected so far
      const wholeInterval = reference.points[0].p50 / (1 - minutes / 30);
      const expectedSoFar = (minutes / 30) * wholeInterval;
      expect(expectedSoFar).toBeGreaterThan(0.3);
      for (const q of [0.5, 0.9, 0.99, 0.999, 0.9999]) {
        const calls = poissonQuantile(expectedSoFar, q);
        const f = await forecastRealtime({ history: [...rows, { skillGroupId: 'G1', start: underWay, volume: calls }], skillGroup: subject, now: at, model, countedUntil: at, perMinute: true });
        expect(f.observedPace).toBeUndefined();
        expect(f.window!.total).toEqual(reference.window!.total);
        expect(f.window!.points).toEqual(reference.window!.points);
      }
    }
  });
});

describe('observedPace and the shared "far beyond the plan" test', () => {
  const day = { expected: new Array<number>(48).fill(3), open: new Array<boolean>(48).fill(true) };

  test('when counts are Poisson around the forecast, then 20,000 windows of 5 to 60 minutes at quiet and busy rates never pass', () => {
    const rng = seededRng(11);
    let passed = 0;
    for (let i = 0; i < 20_000; i++) {
      const perMinute = [0.02, 0.1, 0.5, 2, 10][i % 5];
      const minutes = [5, 7, 12, 30, 60][Math.floor(i / 5) % 5];
      const expected = perMinute * minutes;
      if (farBeyondForecast({ calls: poisson(rng, expected), minutes, expected })) passed++;
    }
    expect(passed).toBe(0);
  });

  test('when the interval under way has 5 or more minutes counted, then they alone give the pace; fewer, and the last whole interval joins them if the one before it was far beyond too', () => {
    const today = new Array<number>(48).fill(NaN);
    today[28] = 3;
    today[29] = 3;
    const storm = observedPace({ day, today, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 60, minutes: 5 } });
    expect(storm).toEqual({ perMinute: 12, calls: 60, minutes: 5, expected: 0.5 });
    // 24 calls in 2 minutes and an ordinary half hour: 27 calls in 32 minutes against 3.2 is far beyond,
    // but the half hour before them was ordinary too — no spell yet
    expect(observedPace({ day, today, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 24, minutes: 2 } })).toBeNull();
    // …and after two storm half hours, at the average pace of the last one and the 2 minutes
    const spell = [...today];
    spell[28] = 200;
    spell[29] = 250;
    const early = observedPace({ day, today: spell, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 24, minutes: 2 } });
    expect(early).toMatchObject({ calls: 274, minutes: 32 });
    expect(early!.expected).toBeCloseTo(3.2, 9);
    // a gap in today's intervals ends the window: two minutes alone say nothing
    expect(observedPace({ day, today: new Array<number>(48).fill(NaN), slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 24, minutes: 2 } })).toBeNull();
    // a closed interval under way takes no calls
    expect(observedPace({ day: { ...day, open: day.open.map((_, s) => s !== 30) }, today, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 60, minutes: 5 } })).toBeNull();
  });

  test('when the interval under way has just begun, then its counted minutes say whether the storm goes on: followed at the pace when it does, dropped when it stopped', () => {
    const today = new Array<number>(48).fill(NaN);
    today[28] = 3;
    today[29] = 360; // one storm half hour, 12 a minute, after an ordinary one
    // 13:31: 12 calls in the first minute — the storm goes on across the boundary (was: no spell yet, dropped)
    expect(observedPace({ day, today, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 12, minutes: 1 } })).toMatchObject({ calls: 372, minutes: 31 });
    // …and so at the measured dispersion of a busy queue's counts
    expect(observedPace({ day, today, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 24, minutes: 2 }, dispersion: 4 })).not.toBeNull();
    // 3 calls in the first minute after it: one half hour's spike, not followed (a spell needs the one before)
    expect(observedPace({ day, today, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 3, minutes: 1 } })).toBeNull();
    // two storm half hours, then 2 calls in 3 minutes: the storm has stopped — not held at 12 a minute
    const spell = [...today];
    spell[28] = 360;
    expect(observedPace({ day, today: spell, slot: 30, intervalMinutes: 30, stepMean: 3 })).not.toBeNull();
    expect(observedPace({ day, today: spell, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 2, minutes: 3 } })).toBeNull();
    expect(observedPace({ day, today: spell, slot: 30, intervalMinutes: 30, stepMean: 3, underWay: { calls: 8, minutes: 4 }, dispersion: 4 })).toBeNull();
  });

  test('when the plan falls (closing time), then the last interval is tested against its own forecast, not the next one\'s', () => {
    const falling = { expected: [...new Array<number>(30).fill(40), ...new Array<number>(18).fill(4)], open: new Array<boolean>(48).fill(true) };
    const today = new Array<number>(48).fill(NaN);
    today[29] = 44;
    expect(observedPace({ day: falling, today, slot: 30, intervalMinutes: 30, stepMean: 4.4 })).toBeNull();
  });

  test('when the counts are over-dispersed, then the test reads them at the measured dispersion', () => {
    // 150 calls against 100 expected: far beyond Poisson noise (z ≈ 5), within the noise of counts twice as variable (z ≈ 3.5)
    expect(strongEvidence(150, 100)).toBe(true);
    expect(farBeyondForecast({ calls: 150, minutes: 30, expected: 100 }, 1)).toBe(true);
    expect(farBeyondForecast({ calls: 150, minutes: 30, expected: 100 }, 2)).toBe(false);
  });
});
