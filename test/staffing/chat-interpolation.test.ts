/**
 * A chat agent is `concurrency` servers, so a fractional chat agent (coverage net of breaks) is read
 * between the neighbouring whole numbers of servers, not of agents (which jumped c servers at a time:
 * 1.64 agents at c = 3 read SL 0.79 / ASA 250 s instead of 0.91 / 37 s).
 */
import { predictPerformance, queuePerformance, requiredAgents, type QueuePerformance } from '../../src/staffing/erlang';

// a chat night: 30-minute intervals, conversations of 15 minutes, three at once per agent
const night = { intervalSeconds: 1800, ahtSeconds: 900, answerWithinSeconds: 60 };
const models = [
  { name: 'Erlang C', patienceSeconds: undefined },
  { name: 'Erlang A', patienceSeconds: 300 },
];
const measures = ['serviceLevel', 'asaSeconds', 'occupancy', 'probWait', 'probAbandon'] as const;
const withoutAgents = ({ agents: _agents, ...rest }: QueuePerformance) => rest;

describe.each(models)('chat performance for fractional agents ($name)', ({ patienceSeconds }) => {
  test('when 1.64 agents hold 3 chats each, then the prediction lies 0.92 of the way from 4 to 5 servers', () => {
    for (const callsPerInterval of [4.5, 5.75]) {
      const queue = { ...night, callsPerInterval, patienceSeconds };
      const four = queuePerformance({ ...queue, agents: 4, concurrency: 1 });
      const five = queuePerformance({ ...queue, agents: 5, concurrency: 1 });
      const p = predictPerformance({ ...queue, agents: 1.64, concurrency: 3 });
      expect(p.agents).toBe(1.64);
      for (const m of measures) expect(p[m]).toBeCloseTo(four[m] + 0.92 * (five[m] - four[m]), 9);
    }
  });

  test('when chat agents are fractional, then they read as agents × concurrency single-chat servers would', () => {
    const queue = { ...night, callsPerInterval: 5.75, patienceSeconds };
    for (let hundredths = 0; hundredths <= 400; hundredths += 7) {
      const agents = hundredths / 100;
      const chat = predictPerformance({ ...queue, agents, concurrency: 3 });
      const servers = predictPerformance({ ...queue, agents: agents * 3, concurrency: 1 });
      expect(withoutAgents(chat)).toEqual(withoutAgents(servers));
    }
  });

  test('when chat agents grow by hundredths, then the service level never falls and a finite ASA never rises', () => {
    for (const callsPerInterval of [4.5, 5.75, 12]) {
      const queue = { ...night, callsPerInterval, patienceSeconds, concurrency: 3 };
      let previous = predictPerformance({ ...queue, agents: 0 });
      for (let hundredths = 1; hundredths <= 800; hundredths++) {
        const p = predictPerformance({ ...queue, agents: hundredths / 100 });
        expect(p.serviceLevel).toBeGreaterThanOrEqual(previous.serviceLevel - 1e-12);
        if (Number.isFinite(p.asaSeconds) && Number.isFinite(previous.asaSeconds)) expect(p.asaSeconds).toBeLessThanOrEqual(previous.asaSeconds + 1e-9);
        previous = p;
      }
    }
  });

  test('when chat agents are whole, then the prediction is the whole-agent queue, and the requirement reads its figure the same', () => {
    const queue = { ...night, callsPerInterval: 12, patienceSeconds, concurrency: 3 };
    for (let agents = 0; agents <= 8; agents++) expect(predictPerformance({ ...queue, agents })).toEqual(queuePerformance({ ...queue, agents }));
    const found = requiredAgents({ ...queue, serviceLevel: { fraction: 0.8, answerWithinSeconds: 60 }, shrinkage: 0, maxOccupancy: 0.9 });
    expect(Number.isInteger(found.rawAgents)).toBe(true);
    expect(found.performance).toEqual(predictPerformance({ ...queue, agents: found.rawAgents }));
  });
});

test('when a voice group has fractional agents, then it is still read between whole agents', () => {
  const queue = { ...night, callsPerInterval: 5.75, patienceSeconds: 300 };
  const four = queuePerformance({ ...queue, agents: 4 });
  const five = queuePerformance({ ...queue, agents: 5 });
  const p = predictPerformance({ ...queue, agents: 4.25 });
  for (const m of measures) expect(p[m]).toBe(four[m] + (five[m] - four[m]) * 0.25);
});
