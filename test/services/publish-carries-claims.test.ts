/**
 * Claims made on a published roster while its re-plan is being built (the job reads the claims at its
 * start and runs ~30 s): the re-plan may have dropped the claimed slot, or sized it for fewer claims.
 * Publishing the re-plan keeps every place an agent was told is theirs: a dropped slot is carried over
 * (a place per claim, the base slot's shifts and breaks), a slot too small is enlarged, and nothing stays
 * behind on the superseded roster — not in its claim sets, not in the agents' claim index. A claim that
 * cannot be carried refuses the publish, with nothing written.
 */
import type { Redis } from 'ioredis';
import type { Store } from '../../src/store/store';
import type { AssignedShift, PlannedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import { loadConfig } from '../../src/config/config';
import type { WfmError } from '../../src/errors/wfm-error';
import { agentCalendar, claimSlot, publishRoster, rosterCoverageRows, rosterShifts, type RosterContext } from '../../src/services/rosters';
import { openTestStore, testEnv } from '../support/service';
import { refusal } from '../support/refusal';
import { skillGroup } from '../support/examples';
import { DAY, HOUR, NOW, T0, WED, cloud, openShift, partner, partnerShift, slot, startOf, weekRoster } from '../support/claims-week';

const roster = (id: string, shifts: AssignedShift[], uncovered: PlannedShift[], slots: CloudSlot[], replanOf?: string) => weekRoster(id, shifts, uncovered, slots, replanOf);

describe('publishing a re-plan that has no place for claims made while it was built', () => {
  let store: Store;
  let redis: Redis;
  let ctx: RosterContext;
  let close: () => Promise<void>;
  const base = [openShift('u-wed-1', WED), openShift('u-wed-2', WED, 5), openShift('u-wed-3', WED, 3)];

  /** every claim-index field of the agents, and the claim sets of the superseded roster */
  const claimIndex = async (agents: string[]) => Object.fromEntries(await Promise.all(agents.map(async (a) => [a, Object.keys(await redis.hgetall(store.keys.agentClaims(a))).sort()])));

  beforeEach(async () => {
    let prefix: string;
    ({ store, redis, prefix, close } = openTestStore());
    ctx = { config: loadConfig(testEnv(prefix)), store, queues: undefined as never, registry: undefined as never, now: () => NOW };
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' })]);
    await store.agents.putAll([partner('P1'), cloud('C1'), cloud('C2'), cloud('C3')]);
    // v1 published: a slot of three places on Wednesday, nobody has claimed yet
    await store.rosters.saveDraft(roster('v1', [], base, [slot(WED, 3, base.map((s) => s.id))]));
    await publishRoster(ctx, 'v1');
  });
  afterEach(() => close());

  test('when the re-plan dropped the claimed slot, then the publish carries it over with a place per claim, its shifts and breaks, and the claims live on the re-plan only', async () => {
    // the re-plan (the forecast fell on Wednesday) gives one of the slot's shifts to a partner, under the same id, and drops the slot
    await store.rosters.saveDraft(roster('v2', [partnerShift('u-wed-1', 'P1', WED)], [], [], 'v1'));
    // while it was built, two agents claimed the slot on v1 (201s)
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');

    const published = await publishRoster(ctx, 'v2');
    expect(published).toEqual({ id: 'v2', status: 'published', superseded: 'v1', movedClaims: 2, carriedClaims: [{ slotId: 'slot-2', agentIds: ['C1', 'C2'], places: 2 }], enlargedSlots: [] });

    // the re-plan holds the slot, full, with the base slot's first two shifts behind it (the claimants' ones)
    const [carried] = await store.rosters.slots('v2');
    expect(carried).toMatchObject({ id: 'slot-2', skillGroupId: 'PS', start: startOf(WED), end: startOf(WED) + 8 * HOUR, agentsNeeded: 2, claimedBy: ['C1', 'C2'] });
    const uncovered = await store.rosters.uncovered('v2');
    const behind = carried.shiftIds.map((id) => uncovered.find((s) => s.id === id));
    expect(behind.map((s) => s?.breaks)).toEqual([base[0].breaks, base[1].breaks]);
    // 'u-wed-1' is the partner's shift in the re-plan: the carried place's shift gets an id of its own
    expect(carried.shiftIds[0]).not.toBe('u-wed-1');
    expect(carried.shiftIds[1]).toBe('u-wed-2');
    const ids = [...uncovered.map((s) => s.id), ...(await store.rosters.shifts('v2')).map((s) => s.id)];
    expect(new Set(ids).size).toBe(ids.length);
    // the summary's counts follow what is stored
    expect((await store.rosters.get('v2'))!.summary).toMatchObject({ slotPlaces: 2, uncoveredShifts: 2 });

    // nothing left on the superseded roster: no claim set, no index entry naming it
    expect((await store.rosters.slots('v1'))[0].claimedBy).toEqual([]);
    expect(await claimIndex(['C1', 'C2'])).toEqual({ C1: ['v2|slot-2'], C2: ['v2|slot-2'] });
    expect(await store.rosters.claimsOf('C1')).toEqual([{ rosterId: 'v2', slotId: 'slot-2', skillGroupId: 'PS', agentId: 'C1', start: startOf(WED), end: startOf(WED) + 8 * HOUR }]);

    // the claimants' calendars, the coverage and the trigger's capacity see them on the re-plan
    expect(await agentCalendar(ctx, 'v2', 'C1')).toContain('UID:slot-2-C1.C1@');
    expect((await rosterShifts(ctx, 'v2', 'C2')).map((s) => ({ id: s.id, breaks: s.breaks }))).toEqual([{ id: 'slot-2-C2', breaks: base[1].breaks }]);
    expect((await rosterCoverageRows(ctx, 'v2')).rows[0]).toMatchObject({ claimed: 2 });
    expect((await store.rosters.claimedSlotsOverlapping(T0, T0 + 7 * DAY)).map((c) => `${c.rosterId}/${c.agentId}`)).toEqual(['v2/C1', 'v2/C2']);

    // released, the carried place leaves nothing behind, and closes: it existed for that claim only
    // (test/services/carried-place-release.test.ts)
    expect(await store.rosters.release('v2', 'slot-2', 'C1', 24 * HOUR, NOW)).toEqual({ ok: true, placeClosed: true });
    expect(await claimIndex(['C1'])).toEqual({ C1: [] });
    await expect(claimSlot(ctx, 'C3', 'v2', 'slot-2')).rejects.toMatchObject({ status: 409 });
  });

  test('when the re-plan sized the slot for fewer claims than were made meanwhile, then the publish enlarges it to hold them all', async () => {
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');
    // the job read C1's claim: one place carried, the fresh plan needs none more there
    await store.rosters.saveDraft(roster('v2', [], [base[0]], [slot(WED, 1, ['u-wed-1'])], 'v1'));
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');
    await claimSlot(ctx, 'C3', 'v1', 'slot-2');

    expect(await publishRoster(ctx, 'v2')).toEqual({
      id: 'v2', status: 'published', superseded: 'v1', movedClaims: 3, carriedClaims: [],
      enlargedSlots: [{ slotId: 'slot-2', placesPlanned: 1, places: 3, agentIds: ['C1', 'C2', 'C3'] }],
    });
    const [enlarged] = await store.rosters.slots('v2');
    expect(enlarged).toMatchObject({ agentsNeeded: 3, claimedBy: ['C1', 'C2', 'C3'], shiftIds: ['u-wed-1', 'u-wed-2', 'u-wed-3'] });
    expect((await store.rosters.uncovered('v2')).map((s) => s.id)).toEqual(['u-wed-1', 'u-wed-2', 'u-wed-3']);
    expect((await store.rosters.get('v2'))!.summary).toMatchObject({ slotPlaces: 3, uncoveredShifts: 3 });
    expect(await claimIndex(['C1', 'C2', 'C3'])).toEqual({ C1: ['v2|slot-2'], C2: ['v2|slot-2'], C3: ['v2|slot-2'] });
    // full: no slot holds more claims than places
    expect(await claimSlot(ctx, 'P1', 'v2', 'slot-2').catch((e: WfmError) => e.status)).toBe(403);
    await store.agents.putAll([cloud('C4')]);
    await expect(claimSlot(ctx, 'C4', 'v2', 'slot-2')).rejects.toMatchObject({ status: 409 });
  });

  test('when a claimant could not claim the carried place now, then the publish is a 409 naming the claim, and nothing is written', async () => {
    await store.rosters.saveDraft(roster('v2', [partnerShift('p1-thu', 'P1', 3)], [], [], 'v1'));
    await claimSlot(ctx, 'C1', 'v1', 'slot-2');
    await claimSlot(ctx, 'C2', 'v1', 'slot-2');
    // C2 lost the skill behind the guard that refuses it while they hold claims (stored before it existed)
    await redis.hset(store.keys.agents(), 'C2', JSON.stringify({ ...cloud('C2'), skills: [{ skillGroupId: 'OTH' }] }));
    const before = { meta: await redis.get(store.keys.roster('v2', 'meta')), uncovered: await redis.get(store.keys.roster('v2', 'uncovered')) };

    const err = await refusal(publishRoster(ctx, 'v2'));
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/^1 claim\(s\) on roster v1 have no place in re-plan v2 and cannot be carried over to it; nothing was published/);
    expect(err.details).toEqual([{ where: '/rosters/v1/slots/slot-2', message: 'claim of C2: no longer has skill group PS' }]);
    expect(await store.rosters.get('v1')).toMatchObject({ status: 'published' });
    expect(await store.rosters.get('v2')).toMatchObject({ status: 'draft' });
    expect((await store.rosters.slots('v1'))[0].claimedBy).toEqual(['C1', 'C2']);
    expect(await store.rosters.slots('v2')).toEqual([]);
    expect({ meta: await redis.get(store.keys.roster('v2', 'meta')), uncovered: await redis.get(store.keys.roster('v2', 'uncovered')) }).toEqual(before);
    expect(await claimIndex(['C1', 'C2'])).toEqual({ C1: ['v1|slot-2'], C2: ['v1|slot-2'] });
  });
});
