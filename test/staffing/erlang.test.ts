import { erlangA, erlangB, erlangC, predictPerformance, queuePerformance, requiredAgents } from '../../src/staffing/erlang';
import { WfmError } from '../../src/errors/wfm-error';

const reference = { callsPerInterval: 100, intervalSeconds: 1800, ahtSeconds: 180, answerWithinSeconds: 20 };
const eightyTwenty = { fraction: 0.8, answerWithinSeconds: 20 };

/**
 * An independent numeric solution of the M/M/N+M queue: the truncated birth–death chain for the
 * stationary law, and first-step analysis plus uniformization of the tagged caller's own absorbing chain
 * (queue position → served / abandoned) for the waiting-time measures. Shares no formula with erlang.ts.
 */
function birthDeathErlangA(opts: { lambda: number; mu: number; theta: number; servers: number; t: number }) {
  const { lambda, mu, theta, servers, t } = opts;
  const maxState = servers + 2000;
  const weights: number[] = [1];
  for (let k = 1; k <= maxState; k++) {
    const death = Math.min(k, servers) * mu + Math.max(k - servers, 0) * theta;
    weights.push((weights[k - 1] * lambda) / death);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const pi = weights.map((w) => w / total);
  let probWait = 0;
  let meanQueue = 0;
  for (let k = servers; k <= maxState; k++) {
    probWait += pi[k];
    meanQueue += (k - servers) * pi[k];
  }
  const probAbandon = (theta * meanQueue) / lambda;

  // Tagged caller at queue position m (m−1 ahead) moves up at rate N·μ + (m−1)·θ and abandons at θ.
  const positions = 400;
  const moveUp = (m: number) => servers * mu + (m - 1) * theta;
  const served: number[] = [1];
  const waitIfServed: number[] = [0]; // E[wait · 1{served}]
  for (let m = 1; m <= positions; m++) {
    const out = moveUp(m) + theta;
    served.push((moveUp(m) / out) * served[m - 1]);
    waitIfServed.push(served[m] / out + (moveUp(m) / out) * waitIfServed[m - 1]);
  }
  let servedMass = 0;
  let waitMass = 0;
  for (let j = 0; j < positions; j++) {
    servedMass += pi[servers + j] * served[j + 1];
    waitMass += pi[servers + j] * waitIfServed[j + 1];
  }
  const asaSeconds = waitMass / (1 - probWait + servedMass);

  // Uniformization: probability mass over positions, absorbing "served" at position 0, within t.
  const rate = moveUp(positions) + theta;
  let vector = new Array<number>(positions + 1).fill(0);
  for (let j = 0; j < positions; j++) vector[j + 1] = pi[servers + j];
  let poisson = Math.exp(-rate * t);
  let servedWithin = 0;
  let cumulative = 0;
  for (let step = 0; step < 20000 && cumulative < 1 - 1e-13; step++) {
    servedWithin += poisson * vector[0];
    cumulative += poisson;
    const next = new Array<number>(positions + 1).fill(0);
    next[0] = vector[0];
    for (let m = 1; m <= positions; m++) {
      next[m - 1] += (vector[m] * moveUp(m)) / rate;
      next[m] += (vector[m] * (rate - moveUp(m) - theta)) / rate;
    }
    vector = next;
    poisson *= (rate * t) / (step + 1);
  }
  return { probWait, probAbandon, serviceLevel: 1 - probWait + servedWithin, asaSeconds };
}

describe('Erlang C', () => {
  test('when 100 calls per 30 min at 180 s AHT meet 14 agents, then SL 0.888, ASA 7.8 s, occupancy 0.714', () => {
    const result = erlangC({ ...reference, agents: 14 });

    expect(result.trafficErlangs).toBeCloseTo(10, 12);
    expect(result.serviceLevel).toBeCloseTo(0.888, 3);
    expect(result.asaSeconds).toBeCloseTo(7.8, 1);
    expect(result.occupancy).toBeCloseTo(0.714, 3);
    expect(result.probAbandon).toBe(0);
  });

  test('when the reference case asks for 80% in 20 s, then 14 agents, and 20 with 30% shrinkage', () => {
    const result = requiredAgents({ ...reference, serviceLevel: eightyTwenty, shrinkage: 0.3, maxOccupancy: 1 });

    expect(result.rawAgents).toBe(14);
    expect(result.agentsWithShrinkage).toBe(20);
    expect(result.performance.serviceLevel).toBeCloseTo(0.888, 3);
    expect(erlangC({ ...reference, agents: 13 }).serviceLevel).toBeLessThan(0.8);
  });

  test('when the load is a units mistake (10¹² calls a half hour), then it is refused at once, with or without patience', () => {
    // (the load in the message is said only by the check made before any evaluation)
    for (const patienceSeconds of [undefined, 120]) {
      expect(() => requiredAgents({ ...reference, callsPerInterval: 1e12, serviceLevel: eightyTwenty, shrinkage: 0, maxOccupancy: 1, patienceSeconds })).toThrow(/exceeds a million agents \(a load of 1\.00e\+11 Erlangs\)/);
    }
  });

  test('when compared with the textbook factorial formula on a small case, then they agree', () => {
    const traffic = 7.3;
    const servers = 9;
    let sum = 0;
    let factorial = 1;
    for (let k = 0; k < servers; k++) {
      if (k > 0) factorial *= k;
      sum += traffic ** k / factorial;
    }
    const top = (traffic ** servers / (factorial * servers)) * (servers / (servers - traffic));
    const textbookProbWait = top / (sum + top);

    const result = erlangC({ callsPerInterval: traffic * 10, intervalSeconds: 1000, ahtSeconds: 100, agents: servers, answerWithinSeconds: 0 });

    expect(result.probWait).toBeCloseTo(textbookProbWait, 12);
    expect(result.serviceLevel).toBeCloseTo(1 - textbookProbWait, 12);
  });

  test('when the load is several thousand Erlangs, then the requirement is finite and just meets the target', () => {
    const input = { callsPerInterval: 60_000, intervalSeconds: 1800, ahtSeconds: 180, serviceLevel: eightyTwenty, shrinkage: 0, maxOccupancy: 1 };

    const result = requiredAgents(input);

    expect(result.rawAgents).toBeGreaterThan(6000);
    expect(result.rawAgents).toBeLessThan(6100);
    expect(result.performance.serviceLevel).toBeGreaterThanOrEqual(0.8);
    const oneFewer = erlangC({ ...reference, callsPerInterval: 60_000, agents: result.rawAgents - 1 });
    expect(oneFewer.serviceLevel).toBeLessThan(0.8);
    expect(Number.isFinite(erlangB(20_000, 19_000))).toBe(true);
  });

  test('when agents do not exceed the load, then nothing is answered in time and ASA is infinite', () => {
    const result = erlangC({ ...reference, agents: 10 });

    expect(result.serviceLevel).toBe(0);
    expect(result.asaSeconds).toBe(Infinity);
    expect(result.probWait).toBe(1);
  });

  test('when an occupancy cap binds, then more agents are required than the service level alone needs', () => {
    const input = { callsPerInterval: 1000, intervalSeconds: 1800, ahtSeconds: 180, serviceLevel: { fraction: 0.5, answerWithinSeconds: 60 }, shrinkage: 0 };

    const slOnly = requiredAgents({ ...input, maxOccupancy: 1 });
    const capped = requiredAgents({ ...input, maxOccupancy: 0.85 });

    expect(slOnly.performance.occupancy).toBeGreaterThan(0.85);
    expect(capped.rawAgents).toBe(Math.ceil(100 / 0.85));
    expect(capped.performance.occupancy).toBeLessThanOrEqual(0.85);
  });

  test('when chat agents handle 3 conversations at once, then N agents behave like 3N single-channel servers', () => {
    const chat = erlangC({ ...reference, callsPerInterval: 300, agents: 12, concurrency: 3 });
    const voice = erlangC({ ...reference, callsPerInterval: 300, agents: 36 });
    const required = requiredAgents({ ...reference, callsPerInterval: 300, serviceLevel: eightyTwenty, shrinkage: 0, maxOccupancy: 1, concurrency: 3 });

    expect(chat.serviceLevel).toBeCloseTo(voice.serviceLevel, 12);
    expect(required.rawAgents).toBe(Math.ceil(requiredAgents({ ...reference, callsPerInterval: 300, serviceLevel: eightyTwenty, shrinkage: 0, maxOccupancy: 1 }).rawAgents / 3));
  });

  test('when there are no calls, then zero agents are required', () => {
    const result = requiredAgents({ ...reference, callsPerInterval: 0, serviceLevel: eightyTwenty, shrinkage: 0.3, maxOccupancy: 0.9 });

    expect(result.rawAgents).toBe(0);
    expect(result.agentsWithShrinkage).toBe(0);
  });

  test('when the input is nonsense, then a validation WfmError lists each problem', () => {
    const act = () => erlangC({ ...reference, ahtSeconds: -1, agents: 2.5 });

    expect(act).toThrow(WfmError);
    try {
      act();
    } catch (err) {
      expect((err as WfmError).details.map((d) => d.where).sort()).toEqual(['agents', 'ahtSeconds']);
    }
  });
});

describe('Erlang A', () => {
  test.each([
    { servers: 14, patience: 120, t: 20 },
    { servers: 8, patience: 120, t: 20 },
    { servers: 12, patience: 30, t: 10 },
    { servers: 11, patience: 600, t: 30 },
  ])('when $servers agents face patience $patience s, then it matches the birth–death chain', ({ servers, patience, t }) => {
    const result = erlangA({ ...reference, agents: servers, patienceSeconds: patience, answerWithinSeconds: t });
    const chain = birthDeathErlangA({ lambda: 100 / 1800, mu: 1 / 180, theta: 1 / patience, servers, t });

    expect(result.probWait).toBeCloseTo(chain.probWait, 8);
    expect(result.probAbandon).toBeCloseTo(chain.probAbandon, 8);
    expect(result.serviceLevel).toBeCloseTo(chain.serviceLevel, 7);
    expect(result.asaSeconds).toBeCloseTo(chain.asaSeconds, 5);
  });

  test('when patience is very long, then Erlang A tends to Erlang C', () => {
    const a = erlangA({ ...reference, agents: 14, patienceSeconds: 1e8 });
    const c = erlangC({ ...reference, agents: 14 });

    expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 5);
    expect(a.asaSeconds).toBeCloseTo(c.asaSeconds, 3);
    expect(a.probAbandon).toBeLessThan(1e-6);
  });

  test.each([1e9, 1e10, 1e12, 1e15])('when patience is %d s and 5 agents face 10 Erlangs, then half the calls abandon, as at 10⁶ s, within a fraction of a second', (patienceSeconds) => {
    // Long waits cannot rescue an overloaded queue: agents serve 5/180 calls a second out of 10/180, so
    // at least half abandon, whatever the patience (the series behind this used to be cut short here).
    const started = performance.now();
    const overloaded = erlangA({ ...reference, agents: 5, patienceSeconds });
    const enough = erlangA({ ...reference, agents: 14, patienceSeconds });
    const elapsedMs = performance.now() - started;
    const atMillionSeconds = erlangA({ ...reference, agents: 5, patienceSeconds: 1e6 });

    expect(overloaded.probAbandon).toBeGreaterThanOrEqual(0.5 - 1e-9);
    expect(overloaded.probAbandon).toBeCloseTo(atMillionSeconds.probAbandon, 6);
    expect(overloaded.occupancy).toBeCloseTo(1, 6);
    expect(overloaded.asaSeconds / patienceSeconds).toBeCloseTo(Math.log(2), 4); // waits of ln(λ/Nμ)/θ
    expect(enough.serviceLevel).toBeCloseTo(erlangC({ ...reference, agents: 14 }).serviceLevel, 6);
    expect(elapsedMs).toBeLessThan(250);
  });

  test('when the patience is 10⁹ s at 5000 calls a half hour, then the requirement is found well under a second', () => {
    const started = performance.now();
    const long = requiredAgents({ ...reference, callsPerInterval: 5000, serviceLevel: eightyTwenty, patienceSeconds: 1e9, shrinkage: 0, maxOccupancy: 1 });
    const elapsedMs = performance.now() - started;
    const erlangCRequirement = requiredAgents({ ...reference, callsPerInterval: 5000, serviceLevel: eightyTwenty, shrinkage: 0, maxOccupancy: 1 });

    expect(long.rawAgents).toBe(erlangCRequirement.rawAgents);
    expect(elapsedMs).toBeLessThan(1000);
  });

  test('when patience grows from 10⁴ to 10⁸ s at critical load, then abandonment falls and ASA rises smoothly', () => {
    // Crosses from summing the series to the quadrature: a seam between the two would show as a jump.
    const results = Array.from({ length: 41 }, (_, k) => erlangA({ ...reference, agents: 10, patienceSeconds: 1e4 * 10 ** (k / 10) }));
    for (let k = 1; k < results.length; k++) {
      expect(results[k].probAbandon).toBeLessThan(results[k - 1].probAbandon);
      expect(results[k].asaSeconds).toBeGreaterThan(results[k - 1].asaSeconds);
      // diffusion scaling: abandonment ∝ patience^(−1/2), so each step of 10^0.1 divides it by ≈ 1.122
      expect(results[k - 1].probAbandon / results[k].probAbandon).toBeCloseTo(10 ** 0.05, 1);
    }
  });

  test('when callers abandon, then fewer agents are needed than Erlang C says, and overload stays finite', () => {
    const withPatience = requiredAgents({ ...reference, serviceLevel: eightyTwenty, patienceSeconds: 60, shrinkage: 0, maxOccupancy: 1 });
    const overloaded = erlangA({ ...reference, callsPerInterval: 60_000, agents: 3000, patienceSeconds: 60 });

    expect(withPatience.rawAgents).toBeLessThanOrEqual(14);
    expect(withPatience.performance.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(overloaded.probAbandon).toBeGreaterThan(0.4);
    expect(overloaded.probAbandon).toBeLessThan(1);
    expect(Number.isFinite(overloaded.asaSeconds)).toBe(true);
  });
});

describe('predicting performance for scheduled agents', () => {
  test('when agents are fractional, then the prediction lies between its whole neighbours', () => {
    const low = queuePerformance({ ...reference, agents: 13, patienceSeconds: 120 });
    const high = queuePerformance({ ...reference, agents: 14, patienceSeconds: 120 });

    const mid = predictPerformance({ ...reference, agents: 13.5, patienceSeconds: 120 });

    expect(mid.serviceLevel).toBeCloseTo((low.serviceLevel + high.serviceLevel) / 2, 12);
    expect(mid.probAbandon).toBeLessThan(low.probAbandon);
    expect(mid.probAbandon).toBeGreaterThan(high.probAbandon);
  });

  test('when asked for more than a million agents on the phone, then it is refused at once (the sums run over the agents: 10⁹ took half a minute)', () => {
    const queue = { callsPerInterval: 100, intervalSeconds: 1800, ahtSeconds: 180, answerWithinSeconds: 20 };
    const started = performance.now();
    expect(() => predictPerformance({ ...queue, agents: 1e9 })).toThrow(/invalid queue input/);
    expect(() => predictPerformance({ ...queue, agents: 1e300, patienceSeconds: 120 })).toThrow(/invalid queue input/);
    expect(performance.now() - started).toBeLessThan(500);
    expect(predictPerformance({ ...queue, agents: 1_000_000 }).serviceLevel).toBeCloseTo(1, 9);
  });
});
