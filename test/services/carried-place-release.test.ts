/**
 * A place a re-plan's publish made for a claim (a slot the re-plan dropped, carried over with a place per
 * claim; a slot it sized below its claims, enlarged) exists for that claim only: released, the place
 * closes — no forecast asked for that work, so no other cloud agent may take it as new paid work. The slot
 * drops back towards the places the re-plan planned, never below; one it had not planned at all drops to
 * none and is no longer offered. Its shifts (the slot's shiftIds, the uncovered list a re-plan plans from)
 * and the summary's counts follow. Also: a draft re-plan's claimsMovingAtPublish is read at the request.
 */
import type { Store } from '../../src/store/store';
import type { AssignedShift, PlannedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import { loadConfig } from '../../src/config/config';
import { claimSlot, publishRoster, releaseSlot, rosterShifts, rosterSlots, rosterView, slotsForAgent, type ClaimsMovingAtPublish, type RosterContext } from '../../src/services/rosters';
import { openTestStore, testEnv } from '../support/service';
import { skillGroup } from '../support/examples';
import { NOW, WED, cloud, openShift, partner, partnerShift, slot, weekRoster } from '../support/claims-week';

const NOTHING_MOVING: ClaimsMovingAtPublish = { count: 0, paidMinutes: 0, paidHours: 0, claims: [] };

// a re-plan's job stores the claims it read as moving (none here: all are made while it "builds")
const roster = (id: string, shifts: AssignedShift[], uncovered: PlannedShift[], slots: CloudSlot[], replanOf?: string) =>
  weekRoster(id, shifts, uncovered, slots, replanOf, replanOf ? { claimsMovingAtPublish: NOTHING_MOVING } : {});

describe('releasing a claim on a place a re-plan\'s publish made for it', () => {
  let store: Store;
  let ctx: RosterContext;
  let close: () => Promise<void>;
  const base = [openShift('u-wed-1', WED), openShift('u-wed-2', WED, 5), openShift('u-wed-3', WED, 3)];

  /** the slot as planners, and as a cloud agent who could claim it, are offered it: "claimed/places", or undefined when not offered */
  const offered = async (rosterId: string, agentId: string) => ({
    planner: (await rosterSlots(ctx, rosterId)).filter((s) => s.slotId === 'slot-2').map((s) => `${s.claimed}/${s.agentsNeeded}`)[0],
    agent: (await slotsForAgent(ctx, agentId)).filter((s) => s.slotId === 'slot-2').map((s) => `${s.claimed}/${s.agentsNeeded}`)[0],
  });
  const stored = async (rosterId: string) => {
    const [s] = await store.rosters.slots(rosterId);
    return {
      agentsNeeded: s.agentsNeeded,
      shiftIds: s.shiftIds,
      claimedBy: s.claimedBy,
      uncovered: (await store.rosters.uncovered(rosterId)).map((u) => u.id),
      summary: (await store.rosters.get(rosterId))!.summary,
    };
  };

  beforeEach(async () => {
    let prefix: string;
    ({ store, prefix, close } = openTestStore());
    ctx = { config: loadConfig(testEnv(prefix)), store, queues: undefined as never, registry: undefined as never, now: () => NOW };
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' })]);
    await store.agents.putAll([partner('P1'), cloud('C1'), cloud('C2'), cloud('C3'), cloud('C4')]);
    // v1 published: a slot of three places on Wednesday
    await store.rosters.saveDraft(roster('v1', [], base, [slot(WED, 3, base.map((s) => s.id))]));
    await publishRoster(ctx, 'v1');
  });
  afterEach(() => close());

  test('when a claimant of a carried slot releases, then the place closes: nobody else can claim it, and the last release leaves a slot of no places that is not offered', async () => {
    // the re-plan dropped the slot; C1 and C2 claimed it on v1 meanwhile
    await store.rosters.saveDraft(roster('v2', [partnerShift('p1-thu', 'P1', 3)], [], [], 'v1'));
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');
    expect(await publishRoster(ctx, 'v2')).toMatchObject({ carriedClaims: [{ slotId: 'slot-2', agentIds: ['C1', 'C2'], places: 2 }] });
    // what a re-plan reads of the slot carries no record of the publish: its build sizes the slot afresh
    expect(Object.keys((await store.rosters.slots('v2'))[0])).not.toContain('placesPlanned');
    const c2Breaks = (await rosterShifts(ctx, 'v2', 'C2'))[0].breaks;

    await releaseSlot(ctx, 'C1', 'v2', 'slot-2');
    expect(await stored('v2')).toMatchObject({ agentsNeeded: 1, shiftIds: ['u-wed-2'], claimedBy: ['C2'], uncovered: ['u-wed-2'], summary: { slotPlaces: 1, uncoveredShifts: 1 } });
    // C2 still works their own shift (its meal did not move)
    expect((await rosterShifts(ctx, 'v2', 'C2'))[0].breaks).toEqual(c2Breaks);
    expect(await offered('v2', 'C3')).toEqual({ planner: '1/1', agent: undefined });
    await expect(claimSlot(ctx, 'C3', 'v2', 'slot-2')).rejects.toMatchObject({ status: 409 });

    await releaseSlot(ctx, 'C2', 'v2', 'slot-2');
    expect(await stored('v2')).toMatchObject({ agentsNeeded: 0, shiftIds: [], claimedBy: [], uncovered: [], summary: { slotPlaces: 0, uncoveredShifts: 0 } });
    expect(await offered('v2', 'C3')).toEqual({ planner: undefined, agent: undefined });
    await expect(claimSlot(ctx, 'C1', 'v2', 'slot-2')).rejects.toMatchObject({ status: 409 });
  });

  test('when claimants of an enlarged slot release, then it drops back to the places the re-plan planned and no further, the others keeping their shifts', async () => {
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');
    // the job read C1's claim: one place
    await store.rosters.saveDraft(roster('v2', [], [base[0]], [slot(WED, 1, ['u-wed-1'])], 'v1'));
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');
    await claimSlot(ctx, 'C3', 'v1', 'slot-2');
    expect(await publishRoster(ctx, 'v2')).toMatchObject({ enlargedSlots: [{ slotId: 'slot-2', placesPlanned: 1, places: 3 }] });
    const c3Breaks = (await rosterShifts(ctx, 'v2', 'C3'))[0].breaks;

    await releaseSlot(ctx, 'C2', 'v2', 'slot-2');
    expect(await stored('v2')).toMatchObject({ agentsNeeded: 2, shiftIds: ['u-wed-1', 'u-wed-3'], claimedBy: ['C1', 'C3'], uncovered: ['u-wed-1', 'u-wed-3'], summary: { slotPlaces: 2, uncoveredShifts: 2 } });
    expect((await rosterShifts(ctx, 'v2', 'C3'))[0].breaks).toEqual(c3Breaks);
    await expect(claimSlot(ctx, 'C4', 'v2', 'slot-2')).rejects.toMatchObject({ status: 409 });

    await releaseSlot(ctx, 'C1', 'v2', 'slot-2');
    expect(await stored('v2')).toMatchObject({ agentsNeeded: 1, shiftIds: ['u-wed-3'], claimedBy: ['C3'], summary: { slotPlaces: 1, uncoveredShifts: 1 } });
    // the place the re-plan planned stays: released, it is open to anyone
    await releaseSlot(ctx, 'C3', 'v2', 'slot-2');
    expect(await stored('v2')).toMatchObject({ agentsNeeded: 1, shiftIds: ['u-wed-3'], claimedBy: [], summary: { slotPlaces: 1, uncoveredShifts: 1 } });
    expect(await offered('v2', 'C4')).toEqual({ planner: '0/1', agent: '0/1' });
    expect(await claimSlot(ctx, 'C4', 'v2', 'slot-2')).toMatchObject({ claimed: 1, agentsNeeded: 1 });
  });

  test('when a roster with a carried slot is re-planned, then the publish carries its claims again, and their places still close with them', async () => {
    await store.rosters.saveDraft(roster('v2', [partnerShift('p1-thu', 'P1', 3)], [], [], 'v1'));
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');
    await publishRoster(ctx, 'v2');
    await releaseSlot(ctx, 'C1', 'v2', 'slot-2');

    // v3 re-plans v2 and drops the slot again: C2's claim is carried again
    await store.rosters.saveDraft(roster('v3', [partnerShift('p1-fri', 'P1', 4)], [], [], 'v2'));
    expect(await publishRoster(ctx, 'v3')).toMatchObject({ superseded: 'v2', movedClaims: 1, carriedClaims: [{ slotId: 'slot-2', agentIds: ['C2'], places: 1 }] });
    expect(await stored('v3')).toMatchObject({ agentsNeeded: 1, claimedBy: ['C2'], summary: { slotPlaces: 1, uncoveredShifts: 1 } });
    await releaseSlot(ctx, 'C2', 'v3', 'slot-2');
    expect(await stored('v3')).toMatchObject({ agentsNeeded: 0, claimedBy: [], uncovered: [], summary: { slotPlaces: 0 } });
    expect(await offered('v3', 'C3')).toEqual({ planner: undefined, agent: undefined });
  });

  test('when claims are made while a re-plan is built, then its details answer claimsMovingAtPublish as of the request, with the slots the publish would enlarge or carry over', async () => {
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');
    // the job read no claim on Thursday's slot (it does not exist) and one place on Wednesday's, as read when C1 held it
    await store.rosters.saveDraft(roster('v2', [], [base[0]], [slot(WED, 1, ['u-wed-1'])], 'v1'));
    expect((await store.rosters.get('v2'))!.details.claimsMovingAtPublish).toEqual(NOTHING_MOVING);
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');

    const moving = (await rosterView(ctx, 'v2')).details.claimsMovingAtPublish as ClaimsMovingAtPublish;
    expect(moving).toMatchObject({ count: 2, paidMinutes: 960, enlargedSlots: [{ slotId: 'slot-2', placesPlanned: 1, places: 2, agentIds: ['C1', 'C2'] }] });
    expect(moving.carriedClaims).toBeUndefined();
    // released again: the draft says so at once
    await releaseSlot(ctx, 'C2', 'v1', 'slot-2');
    expect((await rosterView(ctx, 'v2')).details.claimsMovingAtPublish).toMatchObject({ count: 1, paidMinutes: 480 });
    expect(((await rosterView(ctx, 'v2')).details.claimsMovingAtPublish as ClaimsMovingAtPublish).enlargedSlots).toBeUndefined();

    // a draft that dropped the slot: the claims it would carry over
    await store.rosters.saveDraft(roster('v3', [partnerShift('p1-thu', 'P1', 3)], [], [], 'v1'));
    expect((await rosterView(ctx, 'v3')).details.claimsMovingAtPublish).toMatchObject({ count: 1, carriedClaims: [{ slotId: 'slot-2', agentIds: ['C1'], places: 1 }] });
    // published, the re-plan's details are as stored
    await publishRoster(ctx, 'v3');
    expect((await rosterView(ctx, 'v3')).details.claimsMovingAtPublish).toEqual(NOTHING_MOVING);
  });
});
