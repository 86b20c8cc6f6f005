/**
 * A skill group deleted while its training runs: the training registers nothing, leaves no files under
 * MODEL_DIR/<group>, and fails without retry; a group re-created with the id has no model. Deleted and
 * re-created with the same id and interval meanwhile, it is another group (another incarnation): nothing
 * is registered for it either. Groups stored before incarnations existed have none: that matches any, and
 * their next put gives them one. The delete is placed deterministically by wrapping the registry step it
 * lands before or after. The training itself (a worker thread) is stood in for by one trained in-process
 * once: what is tested is what happens after.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainForecaster, type TrainForecasterResult } from '../../src/forecast/index';
import { FsModelRegistry } from '../../src/registry/fs-model-registry';
import { deleteSkillGroup, putSkillGroups } from '../../src/services/configuration';
import { trainAndRegister, type ForecastingContext } from '../../src/services/forecasting';
import { isWfmError } from '../../src/errors/wfm-error';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';

let trained: TrainForecasterResult;
jest.mock('../../src/queue/thread-runner', () => ({
  runInWorkerThread: async (_module: string, _fn: string, input: { skillGroup: { id: string } }) => ({ ...trained, model: { ...trained.model, skillGroupId: input.skillGroup.id } }),
}));

const group = (id: string, name = id) => skillGroup({ id, name, timeZone: ZONE, country: undefined });
const noProgress = () => undefined;

describe('training vs. deleting (or deleting and re-creating) its skill group', () => {
  const store = suiteStore('train-vs-delete');
  let root: string;
  let registry: FsModelRegistry;
  let ctx: ForecastingContext;
  const history = (id: string) => syntheticHistory({ days: 35, skillGroupId: id });
  const incarnation = async (id: string) => (await store().redis.hget(store().keys.skillGroupIncarnations(), id)) ?? undefined;

  beforeAll(async () => {
    trained = await trainForecaster({ history: history('X'), skillGroup: group('X'), horizon: 'two-week', net: { epochs: 1 } });
  }, 120_000);
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'wfm-train-delete-'));
    registry = new FsModelRegistry(root);
    ctx = { store: store(), registry, now: () => Date.parse('2024-03-10T00:00:00Z') };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function withHistory(id: string) {
    await putSkillGroups(store(), [group(id)]);
    await store().history.upsert(history(id));
  }

  async function expectNothingKept(id: string, err: unknown) {
    expect(isWfmError(err) && { code: err.code, retryable: err.retryable }).toEqual({ code: 'conflict', retryable: false });
    expect(isWfmError(err) && err.message).toMatch(new RegExp(`two-week training of skill group ${id} was not registered: the group was deleted meanwhile`));
    expect(existsSync(path.join(root, id)) ? readdirSync(path.join(root, id), { recursive: true }) : []).toEqual([]);
    // a group re-created with the id starts without models
    await putSkillGroups(store(), [group(id)]);
    expect(await registry.liveVersion(id, 'two-week')).toBeNull();
    expect(await registry.listVersions(id, 'two-week')).toEqual([]);
  }

  async function expectReplacedAndNothingKept(id: string, err: unknown) {
    expect(isWfmError(err) && { code: err.code, retryable: err.retryable }).toEqual({ code: 'conflict', retryable: false });
    expect(isWfmError(err) && err.message).toMatch(new RegExp(`two-week training of skill group ${id} was not registered: the group was replaced meanwhile \\(deleted and re-created with the same id\\)`));
    expect(await registry.liveVersion(id, 'two-week')).toBeNull();
    expect(await registry.listVersions(id, 'two-week')).toEqual([]);
  }

  test('when the group is deleted after the training, before its version is written, then nothing is registered and the job fails without retry', async () => {
    await withHistory('D1');
    const save = registry.saveVersion.bind(registry);
    registry.saveVersion = async (...args) => {
      await deleteSkillGroup(store(), registry, 'D1');
      return save(...args);
    };
    const err = await trainAndRegister(ctx, { skillGroupId: 'D1', horizon: 'two-week' }, noProgress).catch((e: unknown) => e);
    await expectNothingKept('D1', err);
  });

  test('when the delete lands while the version is promoted (its files already removed), then the version written is removed again', async () => {
    await withHistory('D2');
    const promote = registry.promoteIfBetter.bind(registry);
    registry.promoteIfBetter = async (...args) => {
      const promoted = await promote(...args);
      // the delete's Redis script, its removal of MODEL_DIR/D2 having passed before the write landed
      expect(await store().skillGroups.delete('D2')).toBe('deleted');
      return promoted;
    };
    const err = await trainAndRegister(ctx, { skillGroupId: 'D2', horizon: 'two-week' }, noProgress).catch((e: unknown) => e);
    await expectNothingKept('D2', err);
  });

  test('when the group is deleted and re-created on another grid during the training, then nothing is registered', async () => {
    await withHistory('D3');
    const save = registry.saveVersion.bind(registry);
    registry.saveVersion = async (...args) => {
      await deleteSkillGroup(store(), registry, 'D3');
      await putSkillGroups(store(), [skillGroup({ id: 'D3', timeZone: ZONE, country: undefined, intervalMinutes: 15 })]);
      return save(...args);
    };
    const err = await trainAndRegister(ctx, { skillGroupId: 'D3', horizon: 'two-week' }, noProgress).catch((e: unknown) => e);
    expect(isWfmError(err) && err.message).toMatch(/the group was replaced meanwhile \(now on 15-minute intervals, trained on 30\)/);
    expect(await registry.listVersions('D3', 'two-week')).toEqual([]);
  });

  test('when the group stays, then the version is registered and goes live', async () => {
    await withHistory('K1');
    const info = await trainAndRegister(ctx, { skillGroupId: 'K1', horizon: 'two-week' }, noProgress);
    expect(info.status).toBe('live');
    expect(await registry.liveVersion('K1', 'two-week')).toBe(info.version);
  });

  test('when the group is deleted and re-created after the training, before its version is written, then nothing is registered for the new group', async () => {
    await withHistory('R1');
    const save = registry.saveVersion.bind(registry);
    registry.saveVersion = async (...args) => {
      await deleteSkillGroup(store(), registry, 'R1');
      await putSkillGroups(store(), [group('R1')]);
      return save(...args);
    };
    const err = await trainAndRegister(ctx, { skillGroupId: 'R1', horizon: 'two-week' }, noProgress).catch((e: unknown) => e);
    await expectReplacedAndNothingKept('R1', err);
  });

  test('when the group is deleted and re-created while the version is promoted (under the lock, before live.json), then it does not go live and is removed', async () => {
    await withHistory('R2');
    const promote = registry.promoteIfBetter.bind(registry);
    registry.promoteIfBetter = async (groupId, horizon, version, score, beforeWrite) =>
      promote(groupId, horizon, version, score, async () => {
        // the delete's Redis script and the re-create, both between the version's write and live.json
        expect(await store().skillGroups.delete('R2')).toBe('deleted');
        await putSkillGroups(store(), [group('R2')]);
        await beforeWrite?.();
      });
    const err = await trainAndRegister(ctx, { skillGroupId: 'R2', horizon: 'two-week' }, noProgress).catch((e: unknown) => e);
    await expectReplacedAndNothingKept('R2', err);
  });

  test('an update keeps the incarnation, a delete removes it, a re-create gets a new one; the group as read has none', async () => {
    await putSkillGroups(store(), [group('I1')]);
    const first = await incarnation('I1');
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    await putSkillGroups(store(), [group('I1', 'renamed')]);
    expect(await incarnation('I1')).toBe(first);
    expect(await store().skillGroups.get('I1')).toEqual(group('I1', 'renamed'));
    await deleteSkillGroup(store(), registry, 'I1');
    expect(await incarnation('I1')).toBeUndefined();
    await putSkillGroups(store(), [group('I1')]);
    expect(await incarnation('I1')).not.toBe(first);
    expect(await incarnation('I1')).toBeDefined();
  });

  test('when the group was stored before incarnations (none), then its training registers, and its next put gives it one', async () => {
    await withHistory('L1');
    await store().redis.hdel(store().keys.skillGroupIncarnations(), 'L1');
    // an update lands during the training: it gives the group its incarnation, and the training read none (any)
    const save = registry.saveVersion.bind(registry);
    registry.saveVersion = async (...args) => {
      await putSkillGroups(store(), [group('L1', 'renamed')]);
      return save(...args);
    };
    const info = await trainAndRegister(ctx, { skillGroupId: 'L1', horizon: 'two-week' }, noProgress);
    expect(info.status).toBe('live');
    expect(await registry.liveVersion('L1', 'two-week')).toBe(info.version);
    expect(await incarnation('L1')).toBeDefined();
  });

  test('when the group stays (and is only updated meanwhile), then the version is registered and goes live', async () => {
    await withHistory('K2');
    const save = registry.saveVersion.bind(registry);
    registry.saveVersion = async (...args) => {
      await putSkillGroups(store(), [group('K2', 'renamed')]);
      return save(...args);
    };
    const info = await trainAndRegister(ctx, { skillGroupId: 'K2', horizon: 'two-week' }, noProgress);
    expect(info.status).toBe('live');
    expect(await registry.liveVersion('K2', 'two-week')).toBe(info.version);
  });
});
