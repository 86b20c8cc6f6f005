/**
 * Two deployments on one Redis (KEY_PREFIX a and b) pointed at one MODEL_DIR: the directory is the first
 * one's once it writes a model, and the other can neither start on it nor delete, replace or read its
 * models; the processes of one deployment (same KEY_PREFIX) share it as before.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsModelRegistry } from '../../src/registry/fs-model-registry';
import { checkModelDirOwner, OWNER_FILE, redisWithoutCredentials, type Deployment } from '../../src/registry/model-dir-owner';
import type { ModelMetrics, TrainedForecaster } from '../../src/forecast/index';
import { randomUUID } from 'node:crypto';
import { startService, type RunningService } from '../../src/main';
import { deleteKeys, openTestStore, testEnv } from '../support/service';
import { deleteSkillGroup } from '../../src/services/configuration';
import { skillGroup } from '../support/examples';

const A: Deployment = { keyPrefix: 'tenant-a', redis: 'redis://127.0.0.1:6379' };
const B: Deployment = { keyPrefix: 'tenant-b', redis: 'redis://127.0.0.1:6379' };

/** What the registry stores of a forecaster is its JSON: a stand-in without tfjs is enough here. */
const model = (skillGroupId: string) => ({ kind: 'two-week', skillGroupId, net: null, liveAlias: 'seasonal-naive' }) as unknown as TrainedForecaster;
const metrics = { wape: 0.2, liveAlias: 'seasonal-naive', candidates: {} } as unknown as ModelMetrics;

describe('a MODEL_DIR belongs to one deployment', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'wfm-owner-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const registry = (owner: Deployment) => new FsModelRegistry(root, undefined, { owner });

  test('when deployment a wrote models into an empty MODEL_DIR, then b can neither start on it nor delete, replace or read them; a and its workers go on', async () => {
    // empty: no one's yet, both may start
    await expect(checkModelDirOwner(root, A)).resolves.toEqual({ owner: null });
    await expect(checkModelDirOwner(root, B)).resolves.toEqual({ owner: null });
    const a = registry(A);
    const b = registry(B);
    // b deleting a group it never had changes nothing and claims nothing
    await b.deleteGroup('X1');
    expect(existsSync(path.join(root, OWNER_FILE))).toBe(false);

    const v1 = await a.saveVersion(model('X1'), metrics);
    await a.promoteIfBetter('X1', 'two-week', v1.version);
    expect(JSON.parse(readFileSync(path.join(root, OWNER_FILE), 'utf8'))).toEqual(expect.objectContaining({ keyPrefix: 'tenant-a' }));

    const refusal = expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/belongs to the deployment with KEY_PREFIX "tenant-a".*not to this one, KEY_PREFIX "tenant-b"/) });
    await expect(b.deleteGroup('X1')).rejects.toEqual(refusal);
    await expect(b.saveVersion(model('X1'), metrics)).rejects.toEqual(refusal);
    await expect(b.loadLive('X1', 'two-week')).rejects.toEqual(refusal);
    expect(await a.liveVersion('X1', 'two-week')).toBe(v1.version);

    const start = await checkModelDirOwner(root, B).catch((e: unknown) => e);
    expect(start).toEqual(expect.objectContaining({ code: 'validation', isCatastrophic: true, details: [expect.objectContaining({ where: 'MODEL_DIR', message: expect.stringContaining('KEY_PREFIX "tenant-a"') })] }));
    expect((start as { details: Array<{ message: string }> }).details[0].message).toContain('KEY_PREFIX "tenant-b"');

    // a worker of a on another machine, naming the same Redis otherwise: starts, with a warning to give
    await expect(checkModelDirOwner(root, { ...A, redis: 'redis://redis.internal:6379' })).resolves.toEqual(expect.objectContaining({ redisDiffers: A.redis }));
    const worker = registry(A);
    const v2 = await worker.saveVersion(model('X1'), { ...metrics, wape: 0.1 } as ModelMetrics);
    expect((await worker.promoteIfBetter('X1', 'two-week', v2.version)).status).toBe('live');
    await worker.deleteGroup('X1');
    expect(existsSync(path.join(root, 'X1'))).toBe(false);
  });

  test('when b deletes its skill group X1 and a owns the MODEL_DIR, then the group goes from b\'s Redis and a\'s models of X1 stay, the 500 saying why (not "remove them by hand")', async () => {
    const a = registry(A);
    await a.saveVersion(model('X1'), metrics);
    const { store, close } = openTestStore();
    try {
      await store.skillGroups.putAll([skillGroup({ id: 'X1' })]);
      const err = await deleteSkillGroup(store, registry(B), 'X1').catch((e: unknown) => e);
      expect(err).toEqual(expect.objectContaining({ code: 'internal', message: expect.stringMatching(/^skill group X1 was deleted, and the model files under MODEL_DIR\/X1 were left alone: MODEL_DIR .* belongs to the deployment with KEY_PREFIX "tenant-a"/) }));
      expect(await store.skillGroups.get('X1')).toBeUndefined();
      expect(await a.listVersions('X1', 'two-week')).toHaveLength(1);
    } finally {
      await close();
    }
  });

  test('when a MODEL_DIR already holds models but names no owner (written before the marker), then the first deployment to start claims it', async () => {
    mkdirSync(path.join(root, 'X1', 'two-week', 'v1'), { recursive: true });
    await checkModelDirOwner(root, B);
    await expect(checkModelDirOwner(root, A)).rejects.toEqual(expect.objectContaining({ details: [expect.objectContaining({ message: expect.stringContaining('"tenant-b"') })] }));
    await expect(checkModelDirOwner(root, B)).resolves.toEqual(expect.objectContaining({ owner: expect.objectContaining({ keyPrefix: 'tenant-b' }) }));
  });

  test('when the service starts on a MODEL_DIR another deployment owns, then it is refused before connecting to anything, naming both key prefixes', async () => {
    writeFileSync(path.join(root, OWNER_FILE), JSON.stringify({ ...A, claimedAt: '2026-01-01T00:00:00.000Z' }));
    const prefix = `test-${randomUUID()}`;
    const started = await startService(testEnv(prefix, { MODEL_DIR: root }), { jobs: [], http: false }).catch((e: unknown) => e);
    // without the check it would have started: stop it and remove what it wrote
    if (started && typeof started === 'object' && 'shutdown' in started) await (started as RunningService).shutdown('test failed');
    await deleteKeys(prefix);
    expect(started).toEqual(expect.objectContaining({ message: 'invalid configuration: MODEL_DIR', details: [expect.objectContaining({ where: 'MODEL_DIR', message: expect.stringContaining(`"tenant-a"`) })] }));
    expect((started as { details: Array<{ message: string }> }).details[0].message).toContain(`KEY_PREFIX "${prefix}"`);
  });

  test('the marker names the Redis without its password', () => {
    expect(redisWithoutCredentials('redis://user:s3cret@redis.internal:6380/2')).toBe('redis://redis.internal:6380/2');
    expect(redisWithoutCredentials('rediss://:s3cret@cache.example')).toBe('rediss://cache.example');
  });
});
