/**
 * A re-plan's draft and the claims cloud agents hold on the published roster it replaces: the claims move
 * to the draft only when it is published, so without being told, payroll previewing the draft reads the
 * cloud agents' claimed hours as lost. The draft's shifts, CSV and calendar show them as publishing makes
 * them, the re-plan's details list them, and nothing about the claims themselves changes.
 */
import type { Store } from '../../src/store/store';
import type { NewRoster } from '../../src/store/roster-repository';
import type { AssignedShift, PlannedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import type { Agent } from '../../src/domain/types';
import { loadConfig } from '../../src/config/config';
import { agentCalendar, claimSlot, claimsMovingOf, publishRoster, rosterCsv, rosterShifts, type RosterContext } from '../../src/services/rosters';
import { openTestStore, testEnv } from '../support/service';
import { agent, skillGroup } from '../support/examples';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2030-01-07 00:00 UTC: the roster's week */
const T0 = Date.UTC(2030, 0, 7);
const NOW = T0 - 3 * DAY;

const cloud = (id: string): Agent =>
  agent({ id, name: id, kind: 'cloud', timeZone: 'UTC', contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });
const partner = (id: string): Agent => agent({ id, name: id, timeZone: 'UTC', contract: { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });

const startOf = (day: number) => T0 + day * DAY + 8 * HOUR;
const partnerShift = (id: string, agentId: string, day: number): AssignedShift => ({
  id, agentId, skillGroupId: 'PS', templateId: 't', kind: 'day', date: new Date(startOf(day)).toISOString().slice(0, 10), start: startOf(day), end: startOf(day) + 8 * HOUR, breaks: [],
});
/** the planned shift behind a slot place, with its meal */
const openShift = (id: string, day: number): PlannedShift => ({
  id, skillGroupId: 'PS', templateId: 't', kind: 'day', date: new Date(startOf(day)).toISOString().slice(0, 10), start: startOf(day), end: startOf(day) + 8 * HOUR,
  breaks: [{ kind: 'meal', start: startOf(day) + 4 * HOUR, end: startOf(day) + 4.5 * HOUR }],
});
const slot = (day: number, agentsNeeded: number, shiftIds: string[]): CloudSlot => ({
  id: `slot-${day}`, skillGroupId: 'PS', date: new Date(startOf(day)).toISOString().slice(0, 10), start: startOf(day), end: startOf(day) + 8 * HOUR, templateId: 't', kind: 'day', agentsNeeded, shiftIds,
});

function roster(id: string, shifts: AssignedShift[], uncovered: PlannedShift[], slots: CloudSlot[], replanOf?: string): NewRoster {
  return {
    meta: { id, createdAt: new Date(NOW).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * DAY }, skillGroupIds: ['PS'], ...(replanOf ? { replanOf } : {}), request: {}, summary: {}, details: {} },
    shifts,
    uncovered,
    coverage: [],
    slots,
  };
}

describe('a re-plan draft and the claims that move to it at publish', () => {
  let store: Store;
  let ctx: RosterContext;
  let close: () => Promise<void>;

  beforeEach(async () => {
    let prefix: string;
    ({ store, prefix, close } = openTestStore());
    ctx = { config: loadConfig(testEnv(prefix)), store, queues: undefined as never, registry: undefined as never, now: () => NOW };
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' })]);
    await store.agents.putAll([partner('P1'), cloud('C1'), cloud('C2')]);
    // v1 published: P1 on Tuesday, a slot of two places on Wednesday, both claimed
    await store.rosters.saveDraft(roster('v1', [partnerShift('p1-tue', 'P1', 1)], [openShift('u-wed-1', 2), openShift('u-wed-2', 2)], [slot(2, 2, ['u-wed-1', 'u-wed-2'])]));
    await publishRoster(ctx, 'v1');
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');
    // its re-plan (P1 moved to Thursday): the claimed places carried over, their shifts listed with the uncovered
    await store.rosters.saveDraft(roster('v2', [partnerShift('p1-thu', 'P1', 3)], [openShift('u-wed-1', 2), openShift('u-wed-2', 2)], [slot(2, 2, ['u-wed-1', 'u-wed-2'])], 'v1'));
  });
  afterEach(() => close());

  test('when the draft\'s shifts and CSV are read, then they hold the claimed shifts the publish moves to it, once, before and after the publish', async () => {
    const claimed = (shifts: AssignedShift[]) => shifts.filter((s) => s.agentId.startsWith('C')).map((s) => ({ id: s.id, agentId: s.agentId, start: s.start, breaks: s.breaks.length }));
    const expected = [
      { id: 'slot-2-C1', agentId: 'C1', start: startOf(2), breaks: 1 },
      { id: 'slot-2-C2', agentId: 'C2', start: startOf(2), breaks: 1 },
    ];
    expect(claimed(await rosterShifts(ctx, 'v2'))).toEqual(expected);
    expect(claimed(await rosterShifts(ctx, 'v2', 'C1'))).toEqual([expected[0]]);
    const csv = await rosterCsv(ctx, 'v2');
    expect(csv.split('\n').filter((l) => l.startsWith('C')).map((l) => l.split(',')[0])).toEqual(['C1', 'C2']);
    expect(await agentCalendar(ctx, 'v2', 'C1')).toContain('UID:slot-2-C1.C1@');
    // the claims themselves did not move: they are the published roster's until the publish
    expect((await store.rosters.slots('v2'))[0].claimedBy).toEqual([]);
    expect((await store.rosters.claimsOf('C1')).map((c) => c.rosterId)).toEqual(['v1']);
    expect(claimed(await rosterShifts(ctx, 'v1'))).toEqual(expected);

    expect(await publishRoster(ctx, 'v2')).toMatchObject({ superseded: 'v1', movedClaims: 2 });
    expect(claimed(await rosterShifts(ctx, 'v2'))).toEqual(expected);
    expect(claimed(await rosterShifts(ctx, 'v1'))).toEqual([]);
  });

  test('when the roster a draft re-plans is no longer published, then its publish would move nothing and the draft shows no claim', async () => {
    await store.rosters.saveDraft(roster('v3', [partnerShift('p1-fri', 'P1', 4)], [openShift('u-wed-1', 2), openShift('u-wed-2', 2)], [slot(2, 2, ['u-wed-1', 'u-wed-2'])], 'v1'));
    await publishRoster(ctx, 'v3');
    expect((await rosterShifts(ctx, 'v2')).filter((s) => s.agentId.startsWith('C'))).toEqual([]);
  });

  test('when a re-plan is built, then its details list the claims that move at publish: count, exact minutes, agents and slots', async () => {
    const moving = claimsMovingOf(await store.rosters.slots('v1'), [{ id: 'slot-2', agentsNeeded: 2 }], 'Europe/Berlin');
    expect(moving).toEqual({
      count: 2,
      paidMinutes: 960,
      paidHours: 16,
      claims: ['C1', 'C2'].map((agentId) => ({ agentId, slotId: 'slot-2', skillGroupId: 'PS', date: '2030-01-09', start: '2030-01-09T09:00:00+01:00', end: '2030-01-09T17:00:00+01:00', paidMinutes: 480 })),
    });
    // a claimed slot the re-plan dropped is carried over by the publish: moving too, marked carried
    const carried = claimsMovingOf(await store.rosters.slots('v1'), [], 'UTC');
    expect([carried.count, carried.paidMinutes, carried.claims.map((c) => [c.agentId, c.carried])]).toEqual([2, 960, [['C1', true], ['C2', true]]]);
  });

  test('when the re-plan dropped the claimed slot, then its draft still shows the claimed shifts (with the breaks of the published roster\'s shifts) that the publish carries over', async () => {
    await store.rosters.saveDraft(roster('v4', [partnerShift('p1-thu', 'P1', 3)], [], [], 'v1'));
    const claimed = (shifts: AssignedShift[]) => shifts.filter((s) => s.agentId.startsWith('C')).map((s) => ({ id: s.id, agentId: s.agentId, start: s.start, breaks: s.breaks.length }));
    const expected = ['C1', 'C2'].map((agentId) => ({ id: `slot-2-${agentId}`, agentId, start: startOf(2), breaks: 1 }));
    expect(claimed(await rosterShifts(ctx, 'v4'))).toEqual(expected);
    expect(await publishRoster(ctx, 'v4')).toMatchObject({ superseded: 'v1', movedClaims: 2 });
    expect(claimed(await rosterShifts(ctx, 'v4'))).toEqual(expected);
  });
});
