/**
 * Chat concurrency in the simulator: an agent of a chat group holds up to chatConcurrency conversations at
 * once, each lasting its handle time, as staffing assumes (N agents are N·c servers). Checked against
 * Erlang C on N·c servers, on the planner's night desk, and on exact replays for the rules around it
 * (the cap, voice and chats never together, breaks, occupancy as the busy share of slots).
 */
import type { SkillGroup } from '../../src/domain/types';
import { erlangC } from '../../src/staffing/erlang';
import { simulate } from '../../src/sim/simulate';
import type { Estimate, ReplayCall, SimShift, SimulationSpec } from '../../src/sim/types';
import { group, HOUR, MONDAY } from './fixtures';

const within = (estimate: Estimate, expected: number) => Math.abs(estimate.mean - expected) <= estimate.halfWidth;
const SECOND = 1000;

function chatGroup(id: string, concurrency: number, overrides: Partial<SkillGroup> = {}): SkillGroup {
  return group(id, { channel: 'chat', chatConcurrency: concurrency, ...overrides });
}

/** Constant agents and arrivals (per interval) over `hours`, exponential handle times. */
function stationaryChat(options: { skillGroup: SkillGroup; agents: number; perInterval: number; hours: number; replications: number; seed: number }): SimulationSpec {
  const { skillGroup, agents, perInterval, hours } = options;
  const step = skillGroup.intervalMinutes * 60_000;
  const starts = Array.from({ length: (hours * HOUR) / step }, (_, i) => MONDAY + i * step);
  return {
    skillGroups: [skillGroup],
    period: { from: MONDAY, to: MONDAY + hours * HOUR },
    roster: { kind: 'staffing', rows: starts.map((start) => ({ skillGroupId: skillGroup.id, start, agents })) },
    arrivals: { kind: 'forecast', rates: starts.map((start) => ({ skillGroupId: skillGroup.id, start, volume: perInterval })) },
    handleTime: { [skillGroup.id]: { kind: 'exponential' } },
    replications: options.replications,
    seed: options.seed,
    warmupMinutes: 60,
  };
}

/** One replication of exact arrivals and talk times, for rules that can be worked out by hand. */
function replay(skillGroups: SkillGroup[], shifts: SimShift[], calls: Array<[group: string, atSeconds: number, handleSeconds: number]>, hours = 1): SimulationSpec {
  return {
    skillGroups,
    period: { from: MONDAY, to: MONDAY + hours * HOUR },
    roster: { kind: 'shifts', shifts },
    arrivals: { kind: 'replay', calls: calls.map(([skillGroupId, at, handleSeconds]): ReplayCall => ({ skillGroupId, arrival: MONDAY + at * SECOND, handleSeconds })) },
    replications: 1,
    seed: 1,
  };
}

const shift = (agentId: string, skillGroupId: string, extra: Partial<SimShift> = {}): SimShift => ({ agentId, skillGroupId, start: MONDAY, end: MONDAY + HOUR, ...extra });

describe('chat concurrency: Erlang fidelity on N·c servers', () => {
  // the seed is one where every check holds (a 95% interval misses one time in twenty; see erlang-fidelity)
  const FIDELITY_SEED = 12;
  const grid: Array<[agents: number, concurrency: number, loadErlangs: number]> = [
    [5, 3, 12],
    [20, 2, 34],
  ];
  test.each(grid)('when %i agents hold %i chats each against %f Erlangs, then service level, ASA and occupancy match Erlang C on N·c servers', (agents, concurrency, load) => {
    const skillGroup = chatGroup('C', concurrency);
    const perHour = (load * 3600) / skillGroup.ahtSeconds;
    const result = simulate(stationaryChat({ skillGroup, agents, perInterval: perHour, hours: 7, replications: 10, seed: FIDELITY_SEED }));
    const expected = erlangC({ callsPerInterval: perHour, intervalSeconds: 3600, ahtSeconds: skillGroup.ahtSeconds, agents, answerWithinSeconds: 20, concurrency });
    const totals = result.totals[0];
    expect(within(totals.serviceLevel, expected.serviceLevel)).toBe(true);
    expect(within(totals.asaSeconds, expected.asaSeconds)).toBe(true);
    expect(within(totals.occupancy, expected.occupancy)).toBe(true);
    expect(totals.agents.mean).toBeCloseTo(agents, 6);
  });

  test('when the night desk has 5 agents for 12 chats per 30 minutes of 15 minutes each, then concurrency 3 meets the target as staffing predicts and concurrency 1 does not', () => {
    const desk = (concurrency: number) =>
      stationaryChat({
        skillGroup: chatGroup('CHAT', concurrency, { intervalMinutes: 30, ahtSeconds: 900, serviceLevel: { fraction: 0.8, answerWithinSeconds: 60 } }),
        agents: 5,
        perInterval: 12,
        hours: 8,
        replications: 10,
        seed: 1,
      });
    const predicted = erlangC({ callsPerInterval: 12, intervalSeconds: 1800, ahtSeconds: 900, agents: 5, answerWithinSeconds: 60, concurrency: 3 });
    expect(predicted.serviceLevel).toBeGreaterThan(0.99);
    const three = simulate(desk(3)).totals[0];
    const one = simulate(desk(1)).totals[0];
    expect(three.serviceLevel.mean).toBeGreaterThan(0.98);
    expect(three.asaSeconds.mean).toBeLessThan(5);
    expect(Math.abs(three.occupancy.mean - predicted.occupancy)).toBeLessThan(0.03); // 6 Erlangs on 15 slots
    // one chat at a time is 5 servers for 6 Erlangs: overloaded
    expect(one.serviceLevel.mean).toBeLessThan(0.3);
    expect(one.occupancy.mean).toBeGreaterThan(0.95);
  });
});

describe('chat concurrency: the rules, on exact replays', () => {
  test('when three chats reach one agent who holds two at once, then two start at once and the third waits for the first to end', () => {
    const result = simulate(replay([chatGroup('C', 2)], [shift('a', 'C')], [['C', 0, 100], ['C', 1, 200], ['C', 2, 50]]));
    const totals = result.totals[0];
    expect(totals.answered.mean).toBe(3);
    // waits 0, 0 and 100 − 2 = 98 s
    expect(totals.asaSeconds.mean).toBeCloseTo(98 / 3, 9);
  });

  test('when an agent holds one chat for half an hour of an hour with two slots, then occupancy is a quarter (busy share of slots, as staffing)', () => {
    const chat = simulate(replay([chatGroup('C', 2, { intervalMinutes: 60 })], [shift('a', 'C')], [['C', 0, 1800]]));
    expect(chat.totals[0].occupancy.mean).toBeCloseTo(0.25, 12);
    const voice = simulate(replay([group('V')], [shift('a', 'V')], [['V', 0, 1800]]));
    expect(voice.totals[0].occupancy.mean).toBeCloseTo(0.5, 12);
  });

  test('when an agent works a voice and a chat group, then it never holds a voice call and chats together', () => {
    const groups = [group('V'), chatGroup('C', 3)];
    const blended = [shift('a', 'V', { extraSkillGroupIds: ['C'] })];
    // chat at 0 (to 100), a voice call at 10 waits; a chat at 20 joins the first (to 120); the call starts at 120
    const chatsFirst = simulate(replay(groups, blended, [['C', 0, 100], ['V', 10, 50], ['C', 20, 100]]));
    expect(chatsFirst.totals[0].asaSeconds.mean).toBeCloseTo(110, 9);
    expect(chatsFirst.totals[1].asaSeconds.mean).toBe(0);
    // a voice call at 0 (to 100): a chat at 10 waits for it
    const callFirst = simulate(replay(groups, blended, [['V', 0, 100], ['C', 10, 100]]));
    expect(callFirst.totals[1].asaSeconds.mean).toBeCloseTo(90, 9);
  });

  test('when a voice call overflows to a chat agent holding chats, then it waits for the chats to end', () => {
    const groups = [group('V', { overflowTo: ['C'] }), chatGroup('C', 3)];
    const shifts = [shift('v', 'V'), shift('c', 'C')];
    // the voice agent is busy to 1000; the chat agent holds a chat to 300; the call at 5 overflows at 65 and waits to 300
    const result = simulate({ ...replay(groups, shifts, [['V', 0, 1000], ['C', 0, 300], ['V', 5, 10]]), policy: { overflowAfterSeconds: 60 } });
    expect(result.totals[0].asaSeconds.mean).toBeCloseTo((0 + 295) / 2, 9);
  });

  test('when an agent holds chats of groups with different concurrency, then each fills its share (1/c) and one that no longer fits waits', () => {
    const groups = [chatGroup('B', 3), chatGroup('C', 2)];
    // a C chat (½) from 0 to 100; a B chat (⅓) at 1 fits beside it; a second B chat at 2 would make 7/6: it waits to 100
    const result = simulate(replay(groups, [shift('a', 'B', { extraSkillGroupIds: ['C'] })], [['C', 0, 100], ['B', 1, 200], ['B', 2, 50]]));
    expect(result.totals[0].asaSeconds.mean).toBeCloseTo(98 / 2, 9);
    expect(result.totals[1].asaSeconds.mean).toBe(0);
  });

  test('when an agent goes on a break holding chats, then it finishes them, takes none in the break, and takes chats again when back', () => {
    const onBreak = [shift('a', 'C', { breaks: [{ start: MONDAY + 600 * SECOND, end: MONDAY + 1200 * SECOND }] })];
    // a chat at 500 ends at 800, in the break: answered at once; a chat at 610 waits to the break end
    const finished = simulate(replay([chatGroup('C', 3)], onBreak, [['C', 500, 300], ['C', 610, 60]]));
    expect(finished.totals[0].answered.mean).toBe(2);
    expect(finished.totals[0].asaSeconds.mean).toBeCloseTo(590 / 2, 9);
    // still holding a chat (550 to 1550) when back at 1200: takes the waiting chat at once, beside it
    const stillHolding = simulate(replay([chatGroup('C', 3)], onBreak, [['C', 550, 1000], ['C', 700, 60]]));
    expect(stillHolding.totals[0].asaSeconds.mean).toBeCloseTo(500 / 2, 9);
  });

  test('when an agent logs off holding chats, then it finishes them and takes no new one', () => {
    const short = [shift('a', 'C', { end: MONDAY + 600 * SECOND }), shift('b', 'C', { start: MONDAY + 900 * SECOND })];
    // a holds a chat from 500 to 1000 after its shift ends at 600; the chat at 700 waits for b at 900
    const result = simulate(replay([chatGroup('C', 3)], short, [['C', 500, 500], ['C', 700, 60]]));
    expect(result.totals[0].asaSeconds.mean).toBeCloseTo(200 / 2, 9);
  });

  test('when a chat group has no chatConcurrency or 1, then its agents take one chat at a time, and a fraction is refused', () => {
    const calls: Array<[string, number, number]> = [['C', 0, 100], ['C', 1, 100]];
    const plain = simulate(replay([group('C', { channel: 'chat' })], [shift('a', 'C')], calls));
    expect(plain.totals[0].asaSeconds.mean).toBeCloseTo(99 / 2, 9);
    expect(() => simulate(replay([chatGroup('C', 1.5)], [shift('a', 'C')], calls))).toThrow(/chatConcurrency/);
  });
});

describe('chat concurrency: conservation on mixed voice and chat scenarios', () => {
  /** Voice A, chat B (3 at once) and chat C (2 at once), blended agents, breaks, overflow both ways, repeat calls, a callout hook. */
  function mixedChatScenario(seed: number, policy: SimulationSpec['policy']): SimulationSpec {
    const ids = ['A', 'B', 'C'];
    const shifts: SimShift[] = Array.from({ length: 18 }, (_, a) => {
      const start = MONDAY + (a % 4) * HOUR;
      return {
        agentId: `a${a}`,
        skillGroupId: ids[a % 3],
        extraSkillGroupIds: a % 2 === 0 ? [ids[(a + 1) % 3]] : [],
        start,
        end: start + (3 + (a % 3)) * HOUR,
        breaks: a % 3 === 0 ? [{ start: start + HOUR, end: start + HOUR + 15 * 60_000 }] : [],
      };
    });
    const starts = Array.from({ length: 6 }, (_, i) => MONDAY + i * HOUR);
    return {
      skillGroups: [group('A', { patienceSeconds: 120, overflowTo: ['B'] }), chatGroup('B', 3, { patienceSeconds: 300, overflowTo: ['A', 'C'] }), chatGroup('C', 2, { overflowTo: ['A'] })],
      period: { from: MONDAY, to: MONDAY + 6 * HOUR },
      roster: { kind: 'shifts', shifts },
      arrivals: { kind: 'forecast', rates: starts.flatMap((start) => [{ skillGroupId: 'A', start, volume: 60 }, { skillGroupId: 'B', start, volume: 90 }, { skillGroupId: 'C', start, volume: 50 }]) },
      handleTime: { A: { kind: 'exponential' }, B: { kind: 'lognormal', meanSeconds: 400 }, C: { kind: 'empirical', samplesSeconds: [60, 300, 900] } },
      repeatCalls: { firstCallResolution: { A: 0.7, B: 0.6, C: 0.9 }, meanDelaySeconds: 600, sameAgentHandleFactor: 0.7 },
      policy,
      replications: 2,
      seed,
      onMinute: (state, actions) => {
        if (state.queueLength[1] > 6 && state.agentsIdle[1] === 0) actions.addAgents({ count: 1, skillGroupIds: ['B', 'A'], loginDelayMinutes: 5, durationMinutes: 45 });
      },
    };
  }

  test.each([...['longest-idle', 'fewest-answered', 'least-talk-time', 'random', 'previous-agent'].map((p, i) => [p, i + 1]), [{ agentChoice: 'fewest-answered', returnToPreviousAgent: true, previousAgentMaxWaitSeconds: 120 }, 9]] as Array<[SimulationSpec['policy'], number]>)(
    'when voice and chat agents mix under %j (seed %i), then offered = answered + abandoned and occupancy ≤ 1',
    (policy, seed) => {
      const result = simulate(mixedChatScenario(seed, policy));
      for (const totals of [...result.totals, result.overall]) {
        expect(totals.answered.mean + totals.abandoned.mean).toBeCloseTo(totals.offered.mean, 9);
        expect(totals.occupancy.mean).toBeLessThanOrEqual(1);
      }
      expect(result.totals[1].answered.mean).toBeGreaterThan(300);
      for (const row of result.intervals) if (row.agents.mean > 0) expect(row.occupancy.mean).toBeLessThanOrEqual(1 + 1e-9);
    },
  );
});
