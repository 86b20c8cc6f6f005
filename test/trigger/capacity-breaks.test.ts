/**
 * agents_logged_in against the roster's scheduled capacity when agents on a scheduled break stay logged in
 * (an ACD that counts its aux states): they are not extra agents for the whole horizon.
 */
import { projectCapacity } from '../../src/trigger/capacity';
import type { ScheduledShift } from '../../src/trigger/types';
import { MIN, T0 } from './fixtures';

const shift = (agentId: string, breaks: Array<{ start: number; end: number }> = []): ScheduledShift => ({ agentId, skillGroupId: 'PS', start: T0 - 120 * MIN, end: T0 + 240 * MIN, breaks });

describe('capacity with agents on a break', () => {
  // five rostered agents, one of them on a break from 10 minutes ago until 5 minutes ahead
  const roster = [shift('a1'), shift('a2'), shift('a3'), shift('a4'), shift('a5', [{ start: T0 - 10 * MIN, end: T0 + 5 * MIN }])];
  const capacity = (loggedInNow: number | undefined) => projectCapacity({ skillGroupId: 'PS', from: T0, minutes: 30, roster, claimedSlots: [], callouts: [], acceptanceRate: 0.5, loggedInNow });

  test('when the agent on a break is counted as logged in, then it is not read as an extra agent: 4 during the break, 5 after', () => {
    const c = capacity(5);
    expect(c.adherenceOffset).toBe(0);
    expect(c.agents.slice(0, 5)).toEqual([4, 4, 4, 4, 4]);
    expect(c.agents.slice(5, 30).every((v) => v === 5)).toBe(true);
  });

  test('when the ACD logs the agent out for the break, then the roster is read as it is; an agent missing stays missing after the break', () => {
    expect(capacity(4).agents.slice(0, 5)).toEqual([4, 4, 4, 4, 4]);
    expect(capacity(4).agents[10]).toBe(5);
    expect(capacity(3).agents[0]).toBe(3);
    expect(capacity(3).agents[10]).toBe(4);
  });

  test('when more are logged in than the roster and its agents on a break, then the rest are extra over the horizon', () => {
    // 7 logged in: 4 on the phone as rostered, 1 on the break, 2 extra
    const c = capacity(7);
    expect(c.adherenceOffset).toBe(2);
    expect(c.agents[0]).toBe(6);
    expect(c.agents[10]).toBe(7);
  });
});
