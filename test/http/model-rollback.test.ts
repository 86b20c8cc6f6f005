/**
 * Rollback over REST against a MODEL_DIR shared with workers: a lock a killed worker left, and versions
 * a training wrote but never judged. Versions are stand-ins written through the registry (no training);
 * the realtime horizon queues no forecast job on rollback.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startService } from '../../src/main';
import { FsModelRegistry } from '../../src/registry/fs-model-registry';
import type { ModelMetrics, TrainedForecaster } from '../../src/forecast/index';
import { deleteKeys, testEnv, KEYS, type TestService } from '../support/service';

const model = { kind: 'realtime', skillGroupId: 'PS', net: null } as unknown as TrainedForecaster;
const metrics = (wape: number) => ({ horizon: 'realtime', skillGroupId: 'PS', liveAlias: 'naive', wape, candidates: {} }) as unknown as ModelMetrics;

describe('model rollback over REST', () => {
  let t: TestService;
  let modelDir: string;
  let registry: FsModelRegistry;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const rollback = '/skill-groups/PS/models/realtime/rollback';

  beforeAll(async () => {
    modelDir = mkdtempSync(path.join(os.tmpdir(), 'wfm-models-'));
    const prefix = `test-${randomUUID()}`;
    const service = await startService(testEnv(prefix, { MODEL_DIR: modelDir }), { validateResponses: true });
    t = { service, prefix, http: request(service.server!), stop: async () => (await service.shutdown('test finished'), await deleteKeys(prefix)) };
    const groups = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/skill-groups.json'), 'utf8'));
    await t.http.post('/skill-groups').set(admin).send(groups).expect(200);
    registry = new FsModelRegistry(modelDir);
    for (const wape of [0.3, 0.2]) {
      const v = await registry.saveVersion(model, metrics(wape));
      await registry.promoteIfBetter('PS', 'realtime', v.version);
    }
  });
  afterAll(async () => {
    await t.stop();
    rmSync(modelDir, { recursive: true, force: true });
  });

  test('when a killed worker left the lock, then a rollback answers 503 with Retry-After within seconds and rolls nothing back', async () => {
    const live = await registry.liveVersion('PS', 'realtime');
    const lock = path.join(modelDir, 'PS', 'realtime', 'live.lock');
    writeFileSync(lock, '99999 x');
    try {
      const started = Date.now();
      const res = await t.http.post(rollback).set(admin).send({});
      expect(Date.now() - started).toBeLessThan(9_000);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.detail).toMatch(/locked by another promotion or rollback: nothing was rolled back/);
      expect(await registry.liveVersion('PS', 'realtime')).toBe(live);
    } finally {
      rmSync(lock, { force: true });
    }
  }, 15_000);

  test('when a version was never compared with the live one, then rolling back to it is a 409 naming /body/version, and the list shows it abandoned once its training is gone', async () => {
    const live = await registry.liveVersion('PS', 'realtime');
    const unjudged = await registry.saveVersion(model, metrics(0.01));
    const refused = await t.http.post(rollback).set(admin).send({ version: unjudged.version });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ where: '/body/version', message: expect.stringContaining('status candidate') }]);

    utimesSync(path.join(modelDir, 'PS', 'realtime', unjudged.version, 'status.json'), new Date(Date.now() - 180_000), new Date(Date.now() - 180_000));
    const versions = (await t.http.get('/skill-groups/PS/models/realtime').set(planner).expect(200)).body;
    expect(versions[0]).toMatchObject({ version: unjudged.version, status: 'abandoned', reason: 'the training stopped before comparing it with the live version' });
    const again = await t.http.post(rollback).set(admin).send({ version: unjudged.version });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ where: '/body/version', message: expect.stringContaining('abandoned') }]);
    expect(await registry.liveVersion('PS', 'realtime')).toBe(live);

    // a judged earlier version still rolls back
    const back = await t.http.post(rollback).set(admin).send({});
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('live');
  });
});
