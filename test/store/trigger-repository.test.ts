/** The trigger repository's guards, on the real Redis: what a commit refuses leaves nothing behind. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createStore, type Store } from '../../src/store/store';
import type { GroupTickCommit, StoredCallout } from '../../src/store/trigger-repository';
import { calloutId } from '../../src/trigger/callouts';
import { DEFAULT_POLICY, initialTriggerState, type Decision } from '../../src/trigger/types';
import { deleteKeys, REDIS_URL } from '../support/service';
import { cloudAgent, group } from '../trigger/fixtures';

const T = Date.UTC(2026, 2, 4, 10, 0);
const MIN = 60_000;
const HOURS = 3_600_000;

function decision(at: number, fired: boolean): Decision {
  return {
    id: `PS@${at}`, skillGroupId: 'PS', at, mode: 'predictive', fired, reason: fired ? 'fired' : 'no-gap', explanation: 'test', waveId: fired ? `PS@${T}` : null,
    agentsToCall: fired ? 1 : 0, gapAgents: 1, acceptanceRate: 0.5,
    inputs: { queueLength: 0, agentsLoggedIn: 0, arrivalsLast15Minutes: 0, forecastSource: 'test', forecastNext30: { p10: 0, p50: 0, p90: 0 }, pendingCallouts: 0, acceptedCallouts: 0, calledInLastHour: 0 },
    projection: [],
  };
}

function callout(agentId: string): StoredCallout {
  const waveId = `PS@${T}`;
  return {
    id: calloutId(waveId, agentId), waveId, decisionId: waveId, agentId, skillGroupId: 'PS', requestedAt: T, loginAt: T + 15 * MIN, shiftEnd: T + 135 * MIN,
    status: 'pending', delivery: { state: 'queued', attempts: 0 },
  };
}

function commit(expectedStateRaw: string, at: number, created: StoredCallout[]): GroupTickCommit {
  return {
    skillGroupId: 'PS', expectedStateRaw, state: { ...initialTriggerState('PS'), tickedAt: at }, decision: decision(at, created.length > 0),
    updated: [], created, archived: [], decisionCutoff: 0, recordCutoff: 0,
  };
}

describe('trigger repository', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let store: Store;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    // a commit writes only for a group that exists and has a policy
    await store.skillGroups.putAll([group()]);
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
    // last-called-at is kept only for an agent still stored (see the erasure of a deleted agent's)
    await store.agents.putAll(['a1', 'a2', 'a3'].map((id) => cloudAgent(id)));
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  test('when a commit was read against a state another tick has since replaced, then it writes nothing', async () => {
    expect((await store.trigger.commitTick([commit('', T, [callout('a1')])])).get('PS')).toBe('committed');
    const stateAfterFirst = (await store.trigger.states()).get('PS')!.raw;

    const stale = await store.trigger.commitTick([commit('', T, [callout('a2')])]);
    expect(stale.get('PS')).toBe('superseded');
    expect((await store.trigger.states()).get('PS')!.raw).toBe(stateAfterFirst);
    expect(await store.trigger.callout(callout('a2').id)).toBeUndefined();
    expect(await store.trigger.decisions(['PS'], 0, T + HOURS, false, 10)).toHaveLength(1);
  });

  test('when a commit would create a callout that exists for the same agent and wave, then it writes nothing', async () => {
    const current = (await store.trigger.states()).get('PS')!.raw;
    const duplicate = await store.trigger.commitTick([commit(current, T + MIN, [callout('a3'), callout('a1')])]);
    expect(duplicate.get('PS')).toBe('duplicate-callout');
    expect((await store.trigger.states()).get('PS')!.raw).toBe(current);
    expect(await store.trigger.callout(callout('a3').id)).toBeUndefined();
    expect(await store.trigger.decisions(['PS'], 0, T + HOURS, false, 10)).toHaveLength(1);
    expect(await store.trigger.lastCalledAt()).toEqual({ a1: T });
  });

  test('when callouts are changed concurrently, then compare-and-set applies each change exactly once', async () => {
    const id = callout('a1').id;
    await Promise.all(
      Array.from({ length: 20 }, () => store.trigger.updateCallout(id, (c) => ({ next: { ...c, delivery: { ...c.delivery, attempts: c.delivery.attempts + 1 } } }))),
    );
    expect((await store.trigger.callout(id))!.value.delivery.attempts).toBe(20);
  });

  test('when the group is deleted after a tick read it, then its commit is refused and writes nothing', async () => {
    const other = `test-${randomUUID()}`;
    const mine = createStore(redis, other);
    try {
      await mine.skillGroups.putAll([group()]);
      await mine.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
      await mine.skillGroups.delete('PS');
      expect((await mine.trigger.commitTick([commit('', T, [callout('a1')])])).get('PS')).toBe('group-gone');
      expect(await redis.keys(`${other}:*`)).toEqual([]);
    } finally {
      await deleteKeys(other);
    }
  });
});

describe('trigger policy delete', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let store: Store;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll([group()]);
    await store.agents.putAll([cloudAgent('a1')]);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  test('when a policy is deleted and created again, then the group starts with no trigger state (no old wave, firings or cooldown)', async () => {
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
    expect((await store.trigger.commitTick([commit('', T, [callout('a1')])])).get('PS')).toBe('committed');
    expect((await store.trigger.states()).has('PS')).toBe(true);

    expect(await store.trigger.deletePolicy('PS')).toBe(true);
    expect((await store.trigger.states()).has('PS')).toBe(false);
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
    expect((await store.trigger.states()).has('PS')).toBe(false);
    // the records stay for their retention
    expect(await store.trigger.callout(callout('a1').id)).toBeDefined();
    expect(await store.trigger.deletePolicy('PS')).toBe(true);
    expect(await store.trigger.deletePolicy('PS')).toBe(false);
  });
});

describe('trigger records when no tick prunes them', () => {
  test('when a group is ticked no more, then every record key it wrote expires with the retention on its own: decisions, callouts, answer sums, last-called, dead letters', async () => {
    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL);
    // a short retention: 1.5 s for decisions that called nobody, 2.5 s for the records
    const store = createStore(redis, prefix, undefined, { decisionMs: 1500, recordMs: 2500 });
    const k = store.keys;
    try {
      await store.skillGroups.putAll([group()]);
      await store.agents.putAll([cloudAgent('a1')]);
      await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
      const c = callout('a1');
      expect((await store.trigger.commitTick([commit('', T, [c])])).get('PS')).toBe('committed');
      const state = (await store.trigger.states()).get('PS')!.raw;
      // answered, archived into the sums; and a dead letter
      await store.trigger.updateCallout(c.id, (cur) => ({ next: { ...cur, status: 'declined', respondedAt: T + MIN }, deadLetter: { calloutId: c.id, agentId: 'a1', skillGroupId: 'PS', waveId: c.waveId, reason: 'test', attempts: 1, at: T } }));
      const archiving = { ...commit(state, T + MIN, []), archived: [{ id: c.id, agentId: 'a1', outcome: 'refused' as const }] };
      expect((await store.trigger.commitTick([archiving])).get('PS')).toBe('committed');
      // the policy goes: no tick writes or prunes this group any more
      await store.trigger.deletePolicy('PS');

      // every record key lives the retention from its last write (-1 would be: no TTL, kept for ever)
      const within = async (key: string, ms: number) => {
        const left = await redis.pttl(key);
        expect([key, left > 0 && left <= ms]).toEqual([key, true]);
      };
      await within(k.triggerDecisions('PS'), 1500);
      const records = [k.triggerFiredDecisions('PS'), k.triggerCallouts(), k.triggerResponses('PS'), k.triggerLastCalled(), k.triggerDeadLetters()];
      for (const key of records) await within(key, 2500);
      // the index of the group's callouts (ids only) a day more, so that a tick pruning the shared callouts hash still finds them
      await within(k.triggerGroupCallouts('PS'), 2500 + 24 * HOURS);
      expect(await redis.pttl(k.triggerGroupCallouts('PS'))).toBeGreaterThan(2500);

      await new Promise((resolve) => setTimeout(resolve, 2600));
      for (const key of [k.triggerDecisions('PS'), ...records]) expect([key, await redis.exists(key)]).toEqual([key, 0]);
      expect(await store.trigger.decisions(['PS'], 0, Number.MAX_SAFE_INTEGER, false, 10)).toEqual([]);
      expect(await store.trigger.listCallouts(['PS'], 0, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      expect(await store.trigger.deadLetters(10)).toEqual([]);
      expect(await store.trigger.lastCalledAt()).toEqual({});
      expect((await store.trigger.pastResponses(['PS'])).get('PS')).toEqual({ group: { accepted: 0, refused: 0 }, byAgent: {} });
    } finally {
      redis.disconnect();
      await deleteKeys(prefix);
    }
  });
});

describe('trigger repository listings', () => {
  const prefix = `test-${randomUUID()}`;
  const GROUPS = ['G0', 'G1', 'G2', 'G3', 'G4'];
  let redis: Redis;
  let store: Store;
  const ids = (page: { callouts: StoredCallout[] }) => page.callouts.map((c) => c.id);
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll(GROUPS.map((id) => group({ id, name: id })));
    for (const id of GROUPS) await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: id });
    // every group decides at T and T + 1 minute; G0's decision at T called seven agents at once
    for (const id of GROUPS) {
      let raw = '';
      for (const at of [T, T + MIN]) {
        const made = id === 'G0' && at === T ? ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((agentId) => ({ ...callout(agentId), id: calloutId(`G0@${T}`, agentId, '', `G0@${T}`), skillGroupId: 'G0' })) : [];
        const c = commit(raw, at, made);
        expect((await store.trigger.commitTick([{ ...c, skillGroupId: id, decision: { ...c.decision, id: `${id}@${at}`, skillGroupId: id }, state: { ...c.state, skillGroupId: id } }])).get(id)).toBe('committed');
        raw = (await store.trigger.states()).get(id)!.raw;
      }
    }
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  test('when many decisions share a minute, then paging with the cursor position reaches each once, newest first and by group within a minute', async () => {
    const all = await store.trigger.decisions(GROUPS, 0, T + HOURS, false, 100);
    expect(all.map((d) => d.id)).toEqual([...GROUPS.map((g) => `${g}@${T + MIN}`), ...GROUPS.map((g) => `${g}@${T}`)]);
    // a short page is the start of the full list (not some three of the minute's five)
    expect((await store.trigger.decisions([...GROUPS].reverse(), 0, T + HOURS, false, 3)).map((d) => d.id)).toEqual(all.slice(0, 3).map((d) => d.id));
    const seen: string[] = [];
    let after: { at: number; key: string } | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.trigger.decisionPage(GROUPS, 0, T + HOURS, false, 3, after);
      seen.push(...page.decisions.map((d) => d.id));
      if (!page.more) break;
      const last = page.decisions[page.decisions.length - 1];
      after = { at: last.at, key: last.skillGroupId };
    }
    expect(seen).toEqual(all.map((d) => d.id));
  });

  test('when callouts share their instant, then a short page is the start of the full list, and paging after each page\'s last reaches every callout once', async () => {
    const full = await store.trigger.calloutPage(GROUPS, 0, T + HOURS, 100);
    expect(ids(full)).toEqual([...ids(full)].sort());
    expect(ids(full)).toHaveLength(7);
    expect(full.more).toBe(false);
    expect(ids(await store.trigger.calloutPage(GROUPS, 0, T + HOURS, 2))).toEqual(ids(full).slice(0, 2));
    expect((await store.trigger.listCallouts(GROUPS, 0, T + HOURS, 2)).map((c) => c.id)).toEqual(ids(full).slice(0, 2));
    const seen: string[] = [];
    let after: { at: number; key: string } | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.trigger.calloutPage(GROUPS, 0, T + HOURS, 2, after);
      seen.push(...ids(page));
      if (!page.more) break;
      after = page.last;
    }
    expect(seen).toEqual(ids(full));
  });
});
