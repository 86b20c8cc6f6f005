import { decide } from '../../src/trigger/decide';
import { emptyRealtimeState, foldEvents } from '../../src/trigger/realtime-state';
import { readSignals, withLeadingSignals } from '../../src/trigger/signals';
import { createRng } from '../../src/sim/rng';
import { initialTriggerState, type RealtimeEvent, type RealtimeState } from '../../src/trigger/types';
import { flatForecast, group, MIN, policy, steadyCapacity, T0 } from './fixtures';

/** 20 minutes of 10 calls a minute and `signal(k)` self-service sessions (k = 0 oldest … 19 last). */
function state(signal: (k: number) => number, calls: (k: number) => number = () => 10): RealtimeState {
  const minutes = Array.from({ length: 20 }, (_, k) => ({ minute: T0 - (20 - k) * MIN, arrivals: calls(k), handled: 0, abandoned: 0, signals: { selfServiceSessions: signal(k) } }));
  return { skillGroupId: 'PS', minutes, gauges: { at: T0 - MIN, queueLength: 0, agentsLoggedIn: 36, agentsAvailable: 0, oldestWaitSeconds: 0 } };
}

describe('leading signals', () => {
  test('when self-service traffic jumps tenfold for the last two minutes, then the forecast expects the calls it implies', () => {
    const rt = state((k) => (k >= 18 ? 600 : 60));
    const [reading] = readSignals(rt, T0);
    expect(reading).toMatchObject({ name: 'selfServiceSessions', baseline: 60, jump: true });
    expect(reading.ratio).toBeCloseTo(10);
    expect(reading.impliedPerMinute).toBeCloseTo(100);
    // Half of it is expected (not every jump in web traffic brings calls); the band spans 25 to 100.
    const lifted = withLeadingSignals(flatForecast(10), rt, T0);
    expect(lifted.p50).toEqual(new Array(30).fill(50));
    expect(lifted.p10[0]).toBeCloseTo(25);
    expect(lifted.p90[0]).toBeCloseTo(100);
    expect(lifted.source).toMatch(/leading signal selfServiceSessions ×10\.0 implies 100\.0 calls\/min, 50\.0 expected/);
  });

  test('when only the last minute is high, or the traffic only wanders, then nothing jumps and the forecast is the same object', () => {
    const forecast = flatForecast(10);
    expect(withLeadingSignals(forecast, state((k) => (k === 19 ? 900 : 60)), T0)).toBe(forecast);
    const rng = createRng(3);
    let jumps = 0;
    for (let run = 0; run < 500; run++) {
      // Poisson-like noise around a level that drifts by ±20% over the window.
      const rt = state((k) => Math.max(0, Math.round(60 * (1 + 0.2 * Math.sin(k / 3 + run)) + Math.sqrt(60) * rng.normal())));
      if (withLeadingSignals(forecast, rt, T0) !== forecast) jumps++;
    }
    expect(jumps).toBeLessThanOrEqual(2);
  });

  test('when the calls have already risen with the signal, then the forecast is not raised twice', () => {
    // Traffic and calls both ×4 since five minutes ago; the nowcast already says 40 calls a minute.
    const rt = state((k) => (k >= 15 ? 240 : 60), (k) => (k >= 15 ? 40 : 10));
    const lifted = withLeadingSignals(flatForecast(40), rt, T0);
    expect(Math.max(...lifted.p50)).toBeLessThanOrEqual(40 * 1.05);
  });

  test('when a signal jumps before the calls, then the predictive trigger fires at once and the reactive rule waits for the queue', () => {
    const rt = state((k) => (k >= 18 ? 600 : 60));
    const base = { group: group(), state: initialTriggerState('PS'), realtime: rt, forecast: flatForecast(10), capacity: steadyCapacity(36), callouts: [], acceptance: { accepted: 0, refused: 0 }, now: T0 };
    const predictive = decide({ ...base, policy: policy({ confirmTicks: 3 }) });
    expect(predictive.decision.fired).toBe(true);
    expect(predictive.decision.inputs.forecastSource).toMatch(/leading signal/);
    expect(predictive.decision.inputs.forecastNext30.p50).toBeCloseTo(1500);
    const unsignalled = decide({ ...base, realtime: state(() => 60), policy: policy({ confirmTicks: 3 }) });
    expect(unsignalled.decision.fired).toBe(false);
    const reactive = decide({ ...base, policy: policy({ mode: 'reactive' }) });
    expect(reactive.decision.fired).toBe(false);
  });

  test('when the forecast is the last minutes held flat, then a signal that raises nothing leaves it so (a breach still waits for confirming ticks), and one that raises it does not', () => {
    const flat = { ...flatForecast(40), p10: new Array(30).fill(40), p90: new Array(30).fill(40), heldFlat: true };
    // sessions ×1.6 imply 16 calls a minute, half of it expected: below the 40 held flat
    const weak = withLeadingSignals(flat, state((k) => (k >= 18 ? 96 : 60)), T0);
    expect(weak).not.toBe(flat);
    expect(weak.heldFlat).toBe(true);
    // ×30: 300 implied, its optimistic share above the 40 held flat
    const strong = withLeadingSignals(flat, state((k) => (k >= 18 ? 1800 : 60)), T0);
    expect(strong.p10[0]).toBeGreaterThan(40);
    expect(strong.heldFlat).toBeUndefined();
  });

  test('when signals are posted twice for a minute, then the later value replaces the earlier and other names stay', () => {
    const events: RealtimeEvent[] = [
      { skillGroupId: 'PS', minute: T0 - 2 * MIN, arrivals: 4, signals: { web: 100, ivr: 7 } },
      { skillGroupId: 'PS', minute: T0 - 2 * MIN, signals: { web: 120 } },
    ];
    const folded = foldEvents(emptyRealtimeState('PS'), events, T0, 60);
    expect(folded.minutes).toEqual([{ minute: T0 - 2 * MIN, arrivals: 4, handled: 0, abandoned: 0, signals: { web: 120, ivr: 7 } }]);
    expect(() => foldEvents(emptyRealtimeState('PS'), [{ skillGroupId: 'PS', minute: T0, signals: { web: -1 } }], T0, 60)).toThrow(/\/0\/signals\/web/);
  });
});
