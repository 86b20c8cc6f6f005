/**
 * The spare agents of a group others overflow into are split among them by need, and a decision that
 * counts them says who lends them. Scenario of the overflow exploration: BRK surging, TOW quiet and only
 * watched (`off`), both overflowing into GEN (8 agents, next to no calls).
 */
import { splitByNeed } from '../../src/trigger/projection';
import { lendingPolicy, tick, type GroupTickInput, type TickInput } from '../../src/trigger/tick';
import { initialTriggerState, type RealtimeState } from '../../src/trigger/types';
import { cloudAgent, flatForecast, group, policy, realtime, T0 } from './fixtures';

const rt = (id: string, queue: number, loggedIn: number, perMinute: number): RealtimeState => ({ ...realtime(queue, loggedIn, perMinute), skillGroupId: id });

function groupInput(id: string, mode: 'predictive' | 'off', queue: number, loggedIn: number, perMinute: number): GroupTickInput {
  return {
    group: group({ id, name: id, overflowTo: ['GEN'] }),
    policy: policy({ skillGroupId: id, mode }),
    state: initialTriggerState(id),
    realtime: rt(id, queue, loggedIn, perMinute),
    forecast: flatForecast(perMinute),
    callouts: [],
  };
}

const BRK = groupInput('BRK', 'predictive', 30, 2, 3);
const GEN: GroupTickInput = { ...groupInput('GEN', 'off', 0, 8, 0.1), group: group({ id: 'GEN', name: 'GEN' }), policy: lendingPolicy('GEN', 30) };

function world(groups: GroupTickInput[]): TickInput {
  return { now: T0, groups, lenders: [GEN], roster: [], claimedSlots: [], agents: Array.from({ length: 20 }, (_, k) => cloudAgent(`c${k}`, { skills: [{ skillGroupId: 'BRK', proficiency: 1 }] })), weeklyHours: {}, lastCalledAt: {}, recentCallMinutes: 180 };
}

describe('overflow spare split by need', () => {
  test('when a quiet group that is only watched overflows into the same group as a surging one, then the surging group is lent as much and its gap and callouts stay as they were', () => {
    const [alone] = tick(world([BRK]));
    const [withTow, tow] = tick(world([BRK, groupInput('TOW', 'off', 0, 3, 0.1)]));
    expect(alone.decision.gapAgents).toBeGreaterThan(0);
    expect(alone.decision.fired).toBe(true);
    expect(alone.decision.projection[3].overflowAgents).toBeGreaterThan(5);
    expect(withTow.decision.projection.map((b) => b.overflowAgents)).toEqual(alone.decision.projection.map((b) => b.overflowAgents));
    expect(withTow.decision.gapAgents).toBe(alone.decision.gapAgents);
    expect(withTow.decision.agentsToCall).toBe(alone.decision.agentsToCall);
    expect(withTow.newCallouts.map((c) => c.agentId)).toEqual(alone.newCallouts.map((c) => c.agentId));
    // TOW meets its target with its own 3 agents: it takes none of GEN's where BRK is short
    expect(tow.decision.projection.filter((b) => b.actionable).every((b) => b.overflowAgents === 0)).toBe(true);
    expect(tow.decision.explanation).toMatch(/is 100%, with none lent by GEN \(spare [\d.]+ of its 8, shared by need with BRK\)$/);
  });

  test('when two groups are short, then the spare is shared in proportion to their shortfalls and no agent is counted twice', () => {
    const [brk, other] = tick(world([BRK, groupInput('OTH', 'predictive', 10, 2, 1.5)]));
    const lentBrk = brk.decision.inputs.overflow!.lenders[0];
    const lentOther = other.decision.inputs.overflow!.lenders[0];
    expect(lentBrk.sharedWith).toEqual(['OTH']);
    // BRK, the needier, gets the larger share; the shares of one minute add up to GEN's spare
    const k = 3;
    expect(brk.decision.projection[k].overflowAgents).toBeGreaterThan(other.decision.projection[k].overflowAgents);
    expect(other.decision.projection[k].overflowAgents).toBeGreaterThan(0);
    expect(brk.decision.projection[k].overflowAgents + other.decision.projection[k].overflowAgents).toBeCloseTo(lentBrk.spareAgents, 0);
    expect(lentOther.spareAgents).toBe(lentBrk.spareAgents);
  });

  test('when spare agents are split, then each minute goes by shortfall, a group short of nothing takes none, and a minute nobody is short in is split equally', () => {
    const shares = splitByNeed([6, 6, 6, 4], [[4, 0, 0, 1], [2, 3, 0], [0, 0, 0, 1]]);
    expect(shares).toEqual([
      [4, 0, 2, 2],
      [2, 6, 2, 0],
      [0, 0, 2, 2],
    ]);
  });

  test('when agents of an overflow group are counted, then the explanation names the lender and its spare, and the inputs record them', () => {
    const [brk] = tick(world([BRK, groupInput('TOW', 'off', 0, 3, 0.1)]));
    const overflow = brk.decision.inputs.overflow!;
    const bucket = brk.decision.projection.find((b) => b.start === overflow.bucketStart)!;
    expect(overflow.lenders).toEqual([{ skillGroupId: 'GEN', lentAgents: bucket.overflowAgents, spareAgents: expect.any(Number), agents: 8, sharedWith: ['TOW'] }]);
    const { lentAgents, spareAgents } = overflow.lenders[0];
    expect(lentAgents).toBe(spareAgents);
    expect(brk.decision.explanation).toContain(`(threshold 60%), after ${lentAgents} agents lent by GEN (spare ${spareAgents} of its 8, shared by need with TOW); ${brk.decision.gapAgents} more agents on the phone`);
    // a group that overflows nowhere says nothing of it
    const [alone] = tick({ ...world([{ ...BRK, group: group({ id: 'BRK', name: 'BRK' }) }]), lenders: [] });
    expect(alone.decision.inputs.overflow).toBeUndefined();
    expect(alone.decision.explanation).not.toContain('lent by');
  });
});
