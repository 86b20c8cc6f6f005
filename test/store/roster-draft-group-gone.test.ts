/**
 * A roster build reads its skill groups, works for minutes, then stores the draft. A group gone by then
 * (deleted, or Redis restarted empty) must not come back as an orphan draft listed for a group that no
 * longer exists: the draft is refused in the script that writes it, as the group-guarded writes are.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Store } from '../../src/store/store';
import type { NewRoster } from '../../src/store/roster-repository';
import { isWfmError, type WfmError } from '../../src/errors/wfm-error';
import { withErrorPolicy } from '../../src/queue/worker-pool';
import { openTestStore } from '../support/service';
import { skillGroup } from '../support/examples';

const HOUR = 3_600_000;
const T0 = Date.UTC(2030, 0, 7);

function draft(id: string, groups: string[]): NewRoster {
  const start = T0 + 8 * HOUR;
  return {
    meta: { id, createdAt: new Date(T0 - 24 * HOUR).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * 24 * HOUR }, skillGroupIds: groups, request: {}, summary: {}, details: {} },
    shifts: groups.map((g, i) => ({ id: `s${i}`, agentId: `p${i}`, skillGroupId: g, templateId: 't', kind: 'day', date: '2030-01-07', start, end: start + 8 * HOUR, breaks: [] })),
    uncovered: [],
    coverage: [],
    slots: groups.map((g) => ({ id: `slot-${g}`, skillGroupId: g, date: '2030-01-07', start, end: start + 8 * HOUR, templateId: 't', kind: 'day', agentsNeeded: 1, shiftIds: [] })),
  };
}

async function refusal(call: Promise<unknown>): Promise<WfmError> {
  const err = await call.then(
    () => new Error('the draft was stored'),
    (e: unknown) => e,
  );
  if (!isWfmError(err)) throw err;
  return err;
}

describe('a build storing its draft after a skill group of it is gone', () => {
  let redis: Redis;
  let store: Store;
  let prefix: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ redis, store, prefix, close } = openTestStore());
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' }), skillGroup({ id: 'NE', name: 'NE', timeZone: 'UTC' })]);
  });
  afterEach(() => close());

  const rosterKeys = async (id: string) => redis.keys(`${prefix}:{rosters}:${id}:*`);

  test('when the group was deleted while the build ran, then the draft is a conflict naming it that the job does not retry, and nothing is written', async () => {
    expect(await store.skillGroups.delete('PS')).toBe('deleted');
    const err = await refusal(store.rosters.saveDraft(draft('r', ['PS'])));
    expect([err.status, err.code, err.retryable]).toEqual([409, 'conflict', false]);
    expect(err.message).toBe('roster r was not stored: skill group PS no longer exists (deleted meanwhile)');
    expect(err.details).toEqual([{ where: '/skill-groups/PS', message: 'deleted while this write was under way; nothing was written' }]);
    // the worker's policy: a conflict fails the build at once instead of rebuilding three times
    const processor = withErrorPolicy(async () => {
      throw err;
    });
    await expect(processor({ queueName: 'build-roster', id: 'r', attemptsMade: 0 } as Job, 'token')).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await store.rosters.get('r')).toBeUndefined();
    expect(await store.rosters.list()).toEqual([]);
    expect(await rosterKeys('r')).toEqual([]);
  });

  test('when Redis restarted empty while the build ran, then no orphan draft is listed', async () => {
    await redis.del(...(await redis.keys(`${prefix}:*`)));
    const err = await refusal(store.rosters.saveDraft(draft('r', ['PS', 'NE'])));
    expect(err.code).toBe('conflict');
    expect(err.details.map((d) => d.where)).toEqual(['/skill-groups/PS', '/skill-groups/NE']);
    expect(await store.rosters.list()).toEqual([]);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  test('when one of the roster\'s groups is gone, then only it is named, and a retried build\'s earlier draft stays as it was', async () => {
    await store.rosters.saveDraft(draft('r', ['PS', 'NE']));
    const before = (await rosterKeys('r')).sort();
    expect(await store.skillGroups.delete('NE')).toBe('deleted');
    const err = await refusal(store.rosters.saveDraft({ ...draft('r', ['PS', 'NE']), uncovered: [] }));
    expect(err.details.map((d) => d.where)).toEqual(['/skill-groups/NE']);
    expect((await rosterKeys('r')).sort()).toEqual(before);
    expect((await store.rosters.shifts('r')).map((s) => s.id)).toEqual(['s0', 's1']);
  });

  test('when every group exists, then the draft is stored', async () => {
    await store.rosters.saveDraft(draft('r', ['PS', 'NE']));
    expect(await store.rosters.get('r')).toMatchObject({ status: 'draft', skillGroupIds: ['PS', 'NE'] });
  });
});
