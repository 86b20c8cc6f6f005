/**
 * Races between rosters and the agents on them, run deterministically: the competing step is called
 * inside the store method the use case runs last (after its own checks), so it lands exactly in the gap
 * between the use case's reads and its atomic script.
 *  - an agent deleted while a draft giving them shifts is published;
 *  - a cloud agent deleted, or made a partner, while they claim a slot (and a kind change over claims);
 *  - claims made on a published roster while its re-plan was being built, then the re-plan published.
 */
import type { Store } from '../../src/store/store';
import type { ClaimLimits, NewRoster } from '../../src/store/roster-repository';
import type { AssignedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import type { Agent } from '../../src/domain/types';
import { loadConfig } from '../../src/config/config';
import { claimSlot, publishRoster, type RosterContext } from '../../src/services/rosters';
import { deleteAgent, putAgents } from '../../src/services/configuration';
import { openTestStore, testEnv } from '../support/service';
import { refusal } from '../support/refusal';
import { agent, skillGroup } from '../support/examples';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2030-01-07 00:00 UTC: the roster's week */
const T0 = Date.UTC(2030, 0, 7);
/** the service clock: the week before, so no shift or slot has started */
const NOW = T0 - 3 * DAY;
const CUTOFF_HOURS = 24;

const cloud = (id: string): Agent =>
  agent({ id, name: id, kind: 'cloud', timeZone: 'UTC', contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });
const partner = (id: string): Agent => agent({ id, name: id, timeZone: 'UTC', contract: { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });

function shift(id: string, agentId: string, day: number): AssignedShift {
  const start = T0 + day * DAY + 8 * HOUR;
  return { id, agentId, skillGroupId: 'PS', templateId: 't', kind: 'day', date: new Date(start).toISOString().slice(0, 10), start, end: start + 8 * HOUR, breaks: [] };
}

function slot(day: number, agentsNeeded: number): CloudSlot {
  const start = T0 + day * DAY + 8 * HOUR;
  return { id: `slot-${day}`, skillGroupId: 'PS', date: new Date(start).toISOString().slice(0, 10), start, end: start + 8 * HOUR, templateId: 't', kind: 'day', agentsNeeded, shiftIds: [] };
}

function roster(id: string, shifts: AssignedShift[], slots: CloudSlot[], replanOf?: string): NewRoster {
  return {
    meta: { id, createdAt: new Date(NOW).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * DAY }, skillGroupIds: ['PS'], ...(replanOf ? { replanOf } : {}), request: {}, summary: {}, details: {} },
    shifts,
    uncovered: [],
    coverage: [],
    slots,
  };
}

const limits: ClaimLimits = { minRestMs: 11 * HOUR, maxHoursPerWeek: 40, weekStartMs: T0, weekEndMs: T0 + 7 * DAY };
const rostering = { nowMs: NOW, claimReleaseCutoffHours: CUTOFF_HOURS };

describe('rosters racing the agents on them', () => {
  let store: Store;
  let ctx: RosterContext;
  let prefix: string;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, prefix, close } = openTestStore());
    // publish and claim read only the store, the clock and the cut-off
    ctx = { config: loadConfig(testEnv(prefix)), store, queues: undefined as never, registry: undefined as never, now: () => NOW };
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' })]);
  });
  afterEach(() => close());

  /** `step` runs when the use case calls the store's `method`, just before it does. */
  function before<K extends 'publish' | 'claim'>(method: K, step: () => Promise<unknown>): void {
    const original = store.rosters[method].bind(store.rosters) as (...args: unknown[]) => Promise<unknown>;
    (store.rosters as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      await step();
      return original(...args);
    };
  }

  describe('an agent deleted while a draft giving them shifts is published', () => {
    test('when the delete lands after the publish checked the agents, then the publish is a 409 naming them and the roster stays a draft', async () => {
      await store.agents.putAll([partner('P1'), partner('P2')]);
      await store.rosters.saveDraft(roster('r', [shift('r-1', 'P1', 2), shift('r-2', 'P2', 3)], []));
      let deleted: boolean | undefined;
      before('publish', async () => (deleted = await deleteAgent(store, 'P1', NOW, CUTOFF_HOURS)));

      const err = await refusal(publishRoster(ctx, 'r'));
      // the delete found no published roster holding P1, so it went ahead; the publish must not
      expect(deleted).toBe(true);
      expect(err.status).toBe(409);
      expect(err.message).toMatch(/^roster r gives shifts to 1 agent\(s\) deleted since it was built \(P1\): build the roster again/);
      expect(err.details).toEqual([{ where: '/agents/P1', message: 'deleted since the draft was built' }]);
      expect(await store.rosters.get('r')).toMatchObject({ status: 'draft' });
      expect(await store.rosters.publishedOverlapping(T0, T0 + 7 * DAY)).toEqual([]);
    });

    test('when the publish lands first, then the delete is the 409 and the agent stays', async () => {
      await store.agents.putAll([partner('P1')]);
      await store.rosters.saveDraft(roster('r', [shift('r-1', 'P1', 2)], []));
      await publishRoster(ctx, 'r');
      const err = await refusal(deleteAgent(store, 'P1', NOW, CUTOFF_HOURS));
      expect(err.status).toBe(409);
      expect(err.message).toMatch(/^agent P1 still has 1 shift\(s\) not over yet on published roster\(s\) r/);
      expect(await store.agents.get('P1')).toBeDefined();
    });
  });

  describe('a cloud agent deleted or made a partner while they claim a slot', () => {
    beforeEach(async () => {
      await store.agents.putAll([cloud('C1'), cloud('C2')]);
      await store.rosters.saveDraft(roster('r', [], [slot(2, 2)]));
      expect(await store.rosters.publish('r', new Date(NOW).toISOString())).toMatchObject({ ok: true });
    });

    test('when the store is asked to claim for an agent who is not stored, or not a cloud agent, then it refuses and writes nothing', async () => {
      await store.agents.putAll([partner('P1')]);
      expect(await store.rosters.claim('r', 'slot-2', 'P1', limits, NOW)).toEqual({ ok: false, refusal: 'not-cloud-agent' });
      expect(await store.rosters.claim('r', 'slot-2', 'nobody', limits, NOW)).toEqual({ ok: false, refusal: 'not-cloud-agent' });
      expect((await store.rosters.slots('r'))[0].claimedBy).toEqual([]);
      expect(await store.rosters.claimsOf('P1')).toEqual([]);
    });

    test('when the agent is deleted after the claim checked them, then the claim is refused (403) and holds no place', async () => {
      let deleted: boolean | undefined;
      before('claim', async () => (deleted = await deleteAgent(store, 'C1', NOW, CUTOFF_HOURS)));

      const err = await refusal(claimSlot(ctx, 'C1', 'r', 'slot-2'));
      expect(deleted).toBe(true);
      expect(err.status).toBe(403);
      expect(err.message).toBe('agent C1 is no longer a cloud agent');
      expect((await store.rosters.slots('r'))[0].claimedBy).toEqual([]);
      expect(await store.rosters.claimsOf('C1')).toEqual([]);
      // a new agent of the same id inherits nothing
      await store.agents.putAll([cloud('C1')]);
      expect(await store.rosters.claimsOf('C1')).toEqual([]);
    });

    test('when the agent is made a partner after the claim checked them, then the claim is refused (403) and holds no place', async () => {
      before('claim', () => putAgents(store, [partner('C1')], '', rostering));

      const err = await refusal(claimSlot(ctx, 'C1', 'r', 'slot-2'));
      expect(err.status).toBe(403);
      expect(await store.agents.get('C1')).toMatchObject({ kind: 'partner' });
      expect((await store.rosters.slots('r'))[0].claimedBy).toEqual([]);
      expect(await store.rosters.claimsOf('C1')).toEqual([]);
    });

    test('when the slot\'s skill is taken away after the claim checked it, then the claim is refused (422, rule: skill) and holds no place', async () => {
      await store.skillGroups.putAll([skillGroup({ id: 'OTH', timeZone: 'UTC' })]);
      before('claim', () => putAgents(store, [{ ...cloud('C1'), skills: [{ skillGroupId: 'OTH' }] }], '', rostering));

      const err = await refusal(claimSlot(ctx, 'C1', 'r', 'slot-2'));
      expect(err.status).toBe(422);
      expect(err.details).toEqual([{ where: '/path/slotId', message: 'needs skill PS (rule: skill)' }]);
      expect((await store.rosters.slots('r'))[0].claimedBy).toEqual([]);
      expect(await store.rosters.claimsOf('C1')).toEqual([]);
    });

    test('when the claim lands first, then the delete and the change to partner are the 409s, naming the claim', async () => {
      await claimSlot(ctx, 'C1', 'r', 'slot-2');
      const deleted = await refusal(deleteAgent(store, 'C1', NOW, CUTOFF_HOURS));
      expect(deleted.status).toBe(409);
      expect(deleted.message).toMatch(/^agent C1 still has 1 claimed slot\(s\) not over yet on published roster\(s\) r/);

      // a batch: C2 (no claims) would change too, but nothing of it is stored
      const changed = await refusal(putAgents(store, [partner('C2'), partner('C1')], '/body', rostering));
      expect(changed.status).toBe(409);
      expect(changed.message).toBe('1 cloud agent(s) (C1) still hold claimed slots not over yet and cannot become partners; nothing was stored (see errors)');
      expect(changed.details).toEqual([
        {
          where: '/body/1/kind',
          message: 'C1 holds 1 claimed slot(s) not over yet on published roster r and cannot stop being a cloud agent while they do: the agent releases them (DELETE /me/claims/r/{slotId}) until 24 h before they start, or change the kind once the last is over (2030-01-09T16:00:00Z)',
        },
      ]);
      expect(await store.agents.get('C1')).toMatchObject({ kind: 'cloud' });
      expect(await store.agents.get('C2')).toMatchObject({ kind: 'cloud' });
      // other changes to a cloud agent with claims are stored
      await putAgents(store, [{ ...cloud('C1'), name: 'Renamed' }], '/body', rostering);
      expect(await store.agents.get('C1')).toMatchObject({ name: 'Renamed', kind: 'cloud' });
    });

    test('when the claims are over, or released, then the agent can become a partner', async () => {
      await claimSlot(ctx, 'C1', 'r', 'slot-2');
      // at the slot's end the claim is worked: nothing holds the change back
      await putAgents(store, [partner('C1')], '', { ...rostering, nowMs: slot(2, 2).end });
      expect(await store.agents.get('C1')).toMatchObject({ kind: 'partner' });
      await claimSlot(ctx, 'C2', 'r', 'slot-2');
      expect(await store.rosters.release('r', 'slot-2', 'C2', CUTOFF_HOURS * HOUR, NOW)).toEqual({ ok: true });
      await putAgents(store, [partner('C2')], '', rostering);
      expect(await store.agents.get('C2')).toMatchObject({ kind: 'partner' });
    });
  });

  describe('claims made on a published roster while its re-plan was built', () => {
    // (was a 409 "re-plan again", which failed again whenever anyone claimed during the next build: the
    // slot is enlarged instead — test/services/publish-carries-claims.test.ts has the cases)
    test('when they no longer fit the re-plan\'s slots, then the publish enlarges the slot to hold them all, and every claim moves', async () => {
      await store.agents.putAll(['C1', 'C2', 'C3'].map(cloud));
      await store.rosters.saveDraft(roster('v1', [], [slot(2, 3)]));
      await publishRoster(ctx, 'v1');
      await claimSlot(ctx, 'C1', 'v1', 'slot-2');
      // the re-plan's job read one claim and sized the carried slot for it (no new shortfall there)
      await store.rosters.saveDraft(roster('v2', [], [slot(2, 1)], 'v1'));
      // while it ran, two more agents claimed on v1
      await claimSlot(ctx, 'C2', 'v1', 'slot-2');
      await claimSlot(ctx, 'C3', 'v1', 'slot-2');

      expect(await publishRoster(ctx, 'v2')).toMatchObject({
        status: 'published', superseded: 'v1', movedClaims: 3, carriedClaims: [],
        enlargedSlots: [{ slotId: 'slot-2', placesPlanned: 1, places: 3, agentIds: ['C1', 'C2', 'C3'] }],
      });
      const [enlarged] = await store.rosters.slots('v2');
      expect(enlarged).toMatchObject({ agentsNeeded: 3, claimedBy: ['C1', 'C2', 'C3'] });
      expect((await store.rosters.slots('v1'))[0].claimedBy).toEqual([]);
      expect((await store.rosters.claimsOf('C3')).map((c) => c.rosterId)).toEqual(['v2']);
    });

    test('when the late claims fit the places the re-plan has (a shortfall of its own there), then they move with the rest', async () => {
      await store.agents.putAll(['C1', 'C2'].map(cloud));
      await store.rosters.saveDraft(roster('v1', [], [slot(2, 3)]));
      await publishRoster(ctx, 'v1');
      await claimSlot(ctx, 'C1', 'v1', 'slot-2');
      await store.rosters.saveDraft(roster('v2', [], [slot(2, 2)], 'v1'));
      await claimSlot(ctx, 'C2', 'v1', 'slot-2');
      expect(await publishRoster(ctx, 'v2')).toMatchObject({ status: 'published', movedClaims: 2 });
      const [moved] = await store.rosters.slots('v2');
      expect(moved.claimedBy.length).toBeLessThanOrEqual(moved.agentsNeeded);
    });
  });
});
