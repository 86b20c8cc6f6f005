/**
 * A cloud agent's two kinds of work kept apart, on the real Redis: slots they claim (claimSlot, the claim
 * script) and surge callouts they accept (answerCallout), from login to the end of the shift or to their
 * release. Whichever comes second is refused when the two would overlap or leave less than the contract's
 * rest between them; a claim also counts accepted callouts in the week's hours and days, and GET /me/slots
 * (slotsForAgent) does not offer what the claim would refuse. A claim and an acceptance racing are taken
 * one after the other under the agent's answer lock: never both.
 */
import type { Store } from '../../src/store/store';
import type { NewRoster } from '../../src/store/roster-repository';
import type { GroupTickCommit, StoredCallout } from '../../src/store/trigger-repository';
import type { CloudSlot } from '../../src/roster/assignment';
import type { Agent } from '../../src/domain/types';
import { loadConfig } from '../../src/config/config';
import { isWfmError, type WfmError } from '../../src/errors/wfm-error';
import { claimSlot, slotsForAgent, type RosterContext } from '../../src/services/rosters';
import { answerCallout, refusedAsClaimClash, refusedAsOverlapping } from '../../src/services/trigger';
import { calloutId } from '../../src/trigger/callouts';
import { DEFAULT_POLICY, initialTriggerState, type Decision } from '../../src/trigger/types';
import { openTestStore, testEnv } from '../support/service';
import { refusal } from '../support/refusal';
import { cloudAgent, group } from '../trigger/fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2030-01-07 00:00 UTC: the roster's week */
const T0 = Date.UTC(2030, 0, 7);
const at = (day: number, hour: number, minute = 0) => T0 + day * DAY + hour * HOUR + minute * MIN;
/** the service clock: Tuesday 23:27, when the surge callout is sent */
const NOW = at(1, 23, 27);
/** the callout's shift: login 23:42, until 01:42 (the tester's XR2) */
const LOGIN = at(1, 23, 42);
const SHIFT_END = at(2, 1, 42);

function cloudSlot(id: string, start: number, end: number): CloudSlot {
  return { id, skillGroupId: 'PS', date: new Date(start).toISOString().slice(0, 10), start, end, templateId: 't', kind: 'day', agentsNeeded: 2, shiftIds: [] };
}

const SLOTS = {
  /** overlaps the callout */
  late: cloudSlot('late', at(2, 0), at(2, 1)),
  /** 4 h 48 min after it */
  morning: cloudSlot('morning', at(2, 6, 30), at(2, 15)),
  /** 9 h 18 min after the shift's end, 11 h 10 min after a release at 23:50 */
  eleven: cloudSlot('eleven', at(2, 11), at(2, 12)),
  /** 11 h 18 min after it: 4 h */
  afternoon: cloudSlot('afternoon', at(2, 13), at(2, 17)),
  /** the day after: 8.5 h */
  nextDay: cloudSlot('next-day', at(3, 8), at(3, 16, 30)),
};

function roster(): NewRoster {
  return {
    meta: { id: 'r', createdAt: new Date(NOW - DAY).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * DAY }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
    shifts: [],
    uncovered: [],
    coverage: [],
    slots: Object.values(SLOTS),
  };
}

describe("a cloud agent's claims and accepted callouts", () => {
  let store: Store;
  let ctx: RosterContext;
  let close: () => Promise<void>;

  beforeEach(async () => {
    let prefix: string;
    ({ store, prefix, close } = openTestStore());
    ctx = { config: loadConfig(testEnv(prefix)), store, queues: undefined as never, registry: undefined as never, now: () => NOW };
    await store.skillGroups.putAll([group()]);
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
    await store.rosters.saveDraft(roster());
    expect(await store.rosters.publish('r', new Date(NOW - DAY).toISOString())).toMatchObject({ ok: true });
  });
  afterEach(() => close());

  const agent = (id: string, contract: Partial<Agent['contract']> = {}) => cloudAgent(id, { timeZone: 'UTC', contract: { ...cloudAgent(id).contract, maxHoursPerWeek: 40, ...contract } });

  /** A pending callout to `agentId` for [LOGIN, SHIFT_END), stored as a tick commits it. */
  async function calledOut(agentId: string, loginAt = LOGIN, shiftEnd = SHIFT_END): Promise<string> {
    const requestedAt = NOW - MIN;
    const waveId = `PS@${loginAt}`;
    const callout: StoredCallout = {
      id: calloutId(waveId, agentId), waveId, decisionId: waveId, agentId, skillGroupId: 'PS', requestedAt, loginAt, shiftEnd, answerBy: NOW + 10 * MIN,
      status: 'pending', delivery: { state: 'delivered', attempts: 1 },
    };
    const decision = { id: waveId, skillGroupId: 'PS', at: requestedAt, fired: true, waveId } as unknown as Decision;
    const commit: GroupTickCommit = {
      skillGroupId: 'PS', expectedStateRaw: (await store.trigger.states()).get('PS')?.raw ?? '', state: { ...initialTriggerState('PS'), tickedAt: requestedAt },
      decision, updated: [], created: [callout], archived: [], decisionCutoff: 0, recordCutoff: 0,
    };
    expect((await store.trigger.commitTick([commit])).get('PS')).toBe('committed');
    return callout.id;
  }

  async function accepted(agentId: string, loginAt?: number, shiftEnd?: number): Promise<string> {
    const id = await calledOut(agentId, loginAt, shiftEnd);
    expect((await answerCallout(store, id, 'accept', 'link', NOW)).callout.status).toBe('accepted');
    return id;
  }

  const offered = async (agentId: string) => (await slotsForAgent(ctx, agentId)).map((s) => s.slotId);

  describe('a claim after an accepted callout', () => {
    test('when a slot overlaps the callout or leaves less than the rest to it, then it is not offered and its claim is refused naming the callout; one rested enough is claimed', async () => {
      await store.agents.putAll([agent('XR2')]);
      expect(await offered('XR2')).toEqual(['late', 'morning', 'eleven', 'afternoon', 'next-day']);
      const id = await accepted('XR2');

      expect(await offered('XR2')).toEqual(['afternoon', 'next-day']);
      const overlap = await refusal(claimSlot(ctx, 'XR2', 'r', 'late'));
      expect(overlap.status).toBe(422);
      expect(overlap.message).toBe('the slot overlaps a callout you accepted');
      expect(overlap.details).toEqual([{ where: '/path/slotId', message: `overlaps callout ${id} (PS) you accepted, 2030-01-08 23:42–2030-01-09 01:42 (UTC) (rule: one shift at a time)` }]);
      const rest = await refusal(claimSlot(ctx, 'XR2', 'r', 'morning'));
      expect(rest.status).toBe(422);
      expect(rest.message).toBe('the slot leaves too little rest');
      expect(rest.details).toEqual([
        { where: '/path/slotId', message: `too close to callout ${id} (PS) you accepted, 2030-01-08 23:42–2030-01-09 01:42 (UTC) (less than 11 h between them; rule: minimum rest between shifts)` },
      ]);
      expect(await store.rosters.claimsOf('XR2')).toEqual([]);

      expect(await claimSlot(ctx, 'XR2', 'r', 'afternoon')).toMatchObject({ slotId: 'afternoon', claimed: 1 });
    });

    test("when a slot would take the agent over the week's hours or days with the callout's, then the claim is refused", async () => {
      // 4 h + 8.5 h of claims fit 13 h; with the callout's 2 h they do not
      await store.agents.putAll([agent('HOURS', { maxHoursPerWeek: 13 }), agent('DAYS', { maxDaysPerWeek: 2 })]);
      await accepted('HOURS');
      await claimSlot(ctx, 'HOURS', 'r', 'afternoon');
      const hours = await refusal(claimSlot(ctx, 'HOURS', 'r', 'next-day'));
      expect(hours.status).toBe(422);
      expect(hours.details).toEqual([{ where: '/path/slotId', message: 'rule: max weekly hours of your contract (your claims and accepted callouts count)' }]);

      // the callout's Tuesday, Wednesday's slot: Thursday's would be a third day
      await accepted('DAYS');
      await claimSlot(ctx, 'DAYS', 'r', 'afternoon');
      const days = await refusal(claimSlot(ctx, 'DAYS', 'r', 'next-day'));
      expect(days.status).toBe(422);
      expect(days.details).toEqual([{ where: '/path/slotId', message: 'rule: max days per week of your contract (your claims and accepted callouts count)' }]);
    });

    test('when the agent was released from the callout, then its work ends at the release (before the login: no work at all)', async () => {
      await store.agents.putAll([agent('MID'), agent('EARLY')]);
      const mid = await accepted('MID');
      await store.trigger.updateCallout(mid, (c) => ({ next: { ...c, releasedAt: at(1, 23, 50) } }));
      // 11 h 10 min after the release: claimed; the morning is still too close
      expect(await offered('MID')).toEqual(['eleven', 'afternoon', 'next-day']);
      expect(await claimSlot(ctx, 'MID', 'r', 'eleven')).toMatchObject({ slotId: 'eleven' });

      const early = await accepted('EARLY');
      await store.trigger.updateCallout(early, (c) => ({ next: { ...c, releasedAt: at(1, 23, 30) } }));
      expect(await offered('EARLY')).toEqual(['late', 'morning', 'eleven', 'afternoon', 'next-day']);
      expect(await claimSlot(ctx, 'EARLY', 'r', 'late')).toMatchObject({ slotId: 'late' });
    });

    test('when the callout was declined or is still unanswered, then it holds nothing', async () => {
      await store.agents.putAll([agent('NO'), agent('OPEN')]);
      await answerCallout(store, await calledOut('NO'), 'decline', 'link', NOW);
      await calledOut('OPEN');
      expect(await claimSlot(ctx, 'NO', 'r', 'late')).toMatchObject({ slotId: 'late' });
      expect(await claimSlot(ctx, 'OPEN', 'r', 'morning')).toMatchObject({ slotId: 'morning' });
    });
  });

  describe('an acceptance after a claim', () => {
    test('when the callout overlaps a claimed slot or leaves less than the rest to it, then the answer is a 409 naming the claim and the callout stays open', async () => {
      await store.agents.putAll([agent('XEXP2'), agent('RESTS'), agent('FREE')]);
      await claimSlot(ctx, 'XEXP2', 'r', 'late');
      const overlapping = await calledOut('XEXP2');
      const overlap = await refusal(answerCallout(store, overlapping, 'accept', 'link', NOW));
      expect(overlap.status).toBe(409);
      expect(overlap.message).toBe(`callout ${overlapping} overlaps slot late of roster r you claimed (2030-01-09 00:00–01:00 (UTC)): the answer "accept" was not taken`);
      expect(overlap.details).toEqual([{ where: '/', message: 'claimed slot r/late for the same time' }]);
      // what the answer page reads to tell the agent why (not "too late")
      expect([refusedAsClaimClash(overlap), refusedAsOverlapping(overlap)]).toEqual([true, false]);
      expect((await store.trigger.callout(overlapping))?.value.status).toBe('pending');

      await claimSlot(ctx, 'RESTS', 'r', 'morning');
      const tooClose = await calledOut('RESTS');
      const rest = await refusal(answerCallout(store, tooClose, 'accept', 'link', NOW));
      expect(rest.status).toBe(409);
      expect(rest.message).toBe(`callout ${tooClose} leaves less than 11 h rest to slot morning of roster r you claimed (2030-01-09 06:30–15:00 (UTC)): the answer "accept" was not taken`);
      expect((await store.trigger.callout(tooClose))?.value.status).toBe('pending');
      expect(refusedAsClaimClash(rest)).toBe(true);

      // a claim a day later is rested enough
      await claimSlot(ctx, 'FREE', 'r', 'next-day');
      expect((await answerCallout(store, await calledOut('FREE'), 'accept', 'link', NOW)).callout.status).toBe('accepted');
    });
  });

  describe('a claim and an acceptance racing', () => {
    /** `step` starts when `object.method` is called, and is waited for (at most `ms`) before it runs. */
    function during<T extends object>(object: T, method: keyof T, step: () => Promise<unknown>, ms = 300): { landed: Promise<unknown> } {
      const original = (object[method] as (...args: unknown[]) => Promise<unknown>).bind(object);
      let started: Promise<unknown> | undefined;
      const out = { landed: Promise.resolve() as Promise<unknown> };
      (object as Record<string, unknown>)[method as string] = async (...args: unknown[]) => {
        if (!started) {
          started = step().then(
            (v) => v,
            (e: unknown) => e,
          );
          out.landed = started;
          await Promise.race([started, new Promise((resolve) => setTimeout(resolve, ms))]);
        }
        return original(...args);
      };
      return out;
    }

    test('when a claim comes while an acceptance is being checked, then it waits and is refused: the callout was accepted first', async () => {
      await store.agents.putAll([agent('RACE')]);
      const id = await calledOut('RACE');
      // the acceptance has read the agent's claims (none) when the claim comes
      const claim = during(store.rosters, 'claimsOf', () => claimSlot(ctx, 'RACE', 'r', 'morning'));
      expect((await answerCallout(store, id, 'accept', 'link', NOW)).callout.status).toBe('accepted');
      const claimed = await claim.landed;
      expect(isWfmError(claimed) && claimed.status).toBe(422);
      expect(await store.rosters.claimsOf('RACE')).toEqual([]);
    });

    test('when an acceptance comes while a claim is being checked, then it waits and is refused: the slot was claimed first', async () => {
      await store.agents.putAll([agent('RACE')]);
      const id = await calledOut('RACE');
      // the claim has read the agent's accepted callouts (none) when the acceptance comes
      const answer = during(store.trigger, 'acceptedCalloutsOf', () => answerCallout(store, id, 'accept', 'link', NOW));
      expect(await claimSlot(ctx, 'RACE', 'r', 'morning')).toMatchObject({ slotId: 'morning' });
      const answered = await answer.landed;
      expect(isWfmError(answered) && answered.status).toBe(409);
      expect((await store.trigger.callout(id))?.value.status).toBe('pending');
    });
  });
});
