/**
 * One agent's callouts read without an index (there is none by agent): the calendar feed's bounded read
 * (TriggerRepository.calloutsOfAgentIn) and GET /trigger/callouts?agentId= (listCallouts). Both read the
 * groups' callouts newest first a page at a time and keep the agent's; what is pinned here is where they
 * stop — the feed's scan cap (in whole pages of 500) and `complete`, the listing's limit, its cursor across
 * the pages it reads and its own scan cap. Callouts are stored through a commit, on the real Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { listCallouts } from '../../src/services/trigger';
import { createStore, type Store } from '../../src/store/store';
import type { GroupTickCommit, StoredCallout } from '../../src/store/trigger-repository';
import { calloutId } from '../../src/trigger/callouts';
import { DEFAULT_POLICY, initialTriggerState, type Decision } from '../../src/trigger/types';
import { deleteKeys, REDIS_URL } from '../support/service';
import { cloudAgent, group } from '../trigger/fixtures';

const T = Date.UTC(2026, 2, 4, 10, 0);
const SEC = 1000;
const MIN = 60_000;
/** callouts of group PS: the agent's are every hundredth (k = 7, 107, …, 1107), newest first by k */
const SMALL = 1200;
/** callouts of group LARGE: more than listCallouts reads for one filtered page (50,000) */
const LARGE = 50_600;

function callout(skillGroupId: string, k: number, agentId: string, status: StoredCallout['status'] = 'pending'): StoredCallout {
  const requestedAt = T - k * SEC;
  const waveId = `${skillGroupId}@${requestedAt}`;
  return {
    id: calloutId(waveId, agentId), waveId, decisionId: waveId, agentId, skillGroupId, requestedAt, loginAt: requestedAt + 15 * MIN, shiftEnd: requestedAt + 135 * MIN,
    status, delivery: { state: 'queued', attempts: 0 },
  };
}

describe("one agent's callouts, read through every agent's", () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let store: Store;
  const small: StoredCallout[] = [];
  const large: StoredCallout[] = [];

  async function commit(skillGroupId: string, created: StoredCallout[]): Promise<void> {
    const expectedStateRaw = (await store.trigger.states()).get(skillGroupId)?.raw ?? '';
    const decision = { id: `${skillGroupId}@${T}`, skillGroupId, at: T, fired: true, waveId: `${skillGroupId}@${T}` } as unknown as Decision;
    const c: GroupTickCommit = {
      skillGroupId, expectedStateRaw, state: { ...initialTriggerState(skillGroupId), tickedAt: T }, decision, updated: [], created, archived: [], decisionCutoff: 0, recordCutoff: 0,
    };
    expect((await store.trigger.commitTick([c])).get(skillGroupId)).toBe('committed');
  }

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll([group(), group({ id: 'LARGE' })]);
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'PS' });
    await store.trigger.putPolicy({ ...DEFAULT_POLICY, skillGroupId: 'LARGE' });
    // last-called-at is kept only for an agent still stored: without it the feed reads nothing
    await store.agents.putAll(['a1', 'a2'].map((id) => cloudAgent(id)));
    for (let k = 0; k < SMALL; k++) small.push(callout('PS', k, k % 100 === 7 ? 'a1' : 'a2', k % 200 === 7 ? 'declined' : 'pending'));
    await commit('PS', small);
    // a1's: one among the newest, three among the oldest (past the first 50,000 read)
    for (let k = 0; k < LARGE; k++) large.push(callout('LARGE', k, k === 10 || k >= LARGE - 3 ? 'a1' : 'a2'));
    for (let start = 0; start < LARGE; start += 10_000) await commit('LARGE', large.slice(start, start + 10_000));
  }, 30_000);
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  const ids = (list: Array<{ id: string }>) => list.map((c) => c.id);
  const a1Small = () => small.filter((c) => c.agentId === 'a1');

  test('when the feed\'s read is capped, then it reads whole pages of 500 newest first and says whether older callouts were left unread', async () => {
    const read = (maxScanned: number) => store.trigger.calloutsOfAgentIn('a1', ['PS'], 0, T + MIN, maxScanned);
    expect(await read(5000)).toEqual({ callouts: a1Small(), complete: true });
    // two pages read (1,000 callouts): the agent's among them, and older ones left
    expect(await read(1000)).toEqual({ callouts: a1Small().slice(0, 10), complete: false });
    // a cap not a whole number of pages reads the page it falls in whole: here to the end
    expect(await read(1001)).toEqual({ callouts: a1Small(), complete: true });
    // a cap below a page reads that many
    expect(await read(108)).toEqual({ callouts: a1Small().slice(0, 2), complete: false });
    // the window bounds the read as well: its 500 callouts hold five of theirs; a cap of exactly that many is complete
    expect(await store.trigger.calloutsOfAgentIn('a1', ['PS'], T - 499 * SEC, T + MIN, 8)).toEqual({ callouts: a1Small().slice(0, 1), complete: false });
    expect(await store.trigger.calloutsOfAgentIn('a1', ['PS'], T - 499 * SEC, T + MIN, 500)).toEqual({ callouts: a1Small().slice(0, 5), complete: true });
  });

  test('when the listing is filtered by agent, then its pages go on from the last callout they returned, across the pages it reads', async () => {
    const query = { skillGroupId: 'PS', from: 0, to: T + MIN, agentId: 'a1' };
    // 7 of theirs: up to k = 607, past the first 500 read; the cursor is that callout's
    const first = await listCallouts(store, { ...query, limit: 7 });
    expect(ids(first.items)).toEqual(ids(a1Small().slice(0, 7)));
    expect(first.next).toBeDefined();
    const second = await listCallouts(store, { ...query, limit: 7, cursor: first.next });
    expect({ ids: ids(second.items), next: second.next }).toEqual({ ids: ids(a1Small().slice(7)), next: undefined });
    // a page filled by the agent's last callout still has a cursor (others' callouts follow), to an empty page
    const full = await listCallouts(store, { ...query, limit: 5, cursor: first.next });
    expect(ids(full.items)).toEqual(ids(a1Small().slice(7)));
    expect(await listCallouts(store, { ...query, limit: 5, cursor: full.next })).toEqual({ items: [] });
    // with the status: both filters hold
    const declined = await listCallouts(store, { ...query, status: 'declined', limit: 100 });
    expect({ ids: ids(declined.items), next: declined.next }).toEqual({ ids: ids(a1Small().filter((c) => c.status === 'declined')), next: undefined });
    // unfiltered, the page is the limit's and its cursor the last callout's
    const plain = await listCallouts(store, { skillGroupId: 'PS', from: 0, to: T + MIN, limit: 3 });
    expect(ids(plain.items)).toEqual(ids(small.slice(0, 3)));
    expect(ids((await listCallouts(store, { skillGroupId: 'PS', from: 0, to: T + MIN, limit: 3, cursor: plain.next })).items)).toEqual(ids(small.slice(3, 6)));
  });

  test('when the agent\'s callouts lie past the 50,000 a filtered page reads, then the page comes short with a cursor that reaches them', async () => {
    const query = { skillGroupId: 'LARGE', from: 0, to: T + MIN, agentId: 'a1', limit: 10 };
    const a1 = large.filter((c) => c.agentId === 'a1');
    const first = await listCallouts(store, query);
    expect(ids(first.items)).toEqual(ids(a1.slice(0, 1)));
    expect(first.next).toBeDefined();
    const second = await listCallouts(store, { ...query, cursor: first.next });
    expect({ ids: ids(second.items), next: second.next }).toEqual({ ids: ids(a1.slice(1)), next: undefined });
  }, 20_000);
});
