/**
 * Model freshness in /metrics: when each group's live forecaster was trained, and when one last was
 * (a nightly retrain whose candidate lost still moves that one). Versions are stand-ins written through
 * the registry with its clock (no training).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startService, type RunningService } from '../../src/main';
import { FsModelRegistry } from '../../src/registry/fs-model-registry';
import type { ModelMetrics, TrainedForecaster } from '../../src/forecast/index';
import { deleteKeys, testEnv, KEYS } from '../support/service';

const model = { kind: 'realtime', skillGroupId: 'PS', net: null } as unknown as TrainedForecaster;
const metrics = (wape: number) => ({ horizon: 'realtime', skillGroupId: 'PS', liveAlias: 'naive', wape, candidates: {} }) as unknown as ModelMetrics;
const GROUP = {
  id: 'PS', name: 'Private service', timeZone: 'UTC', intervalMinutes: 15, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
  ahtSeconds: 180, patienceSeconds: 120, shrinkage: 0.3, maxOccupancy: 0.95, channel: 'voice', overflowTo: [],
};

describe('model freshness metrics', () => {
  const prefix = `test-${randomUUID()}`;
  let modelDir: string;
  let service: RunningService;

  beforeAll(async () => {
    modelDir = mkdtempSync(path.join(os.tmpdir(), 'wfm-models-'));
    service = await startService(testEnv(prefix, { MODEL_DIR: modelDir }), { jobs: [] });
  });
  afterAll(async () => {
    await service.shutdown('test finished');
    await deleteKeys(prefix);
    rmSync(modelDir, { recursive: true, force: true });
  });

  test('when a group has a live version and a later, worse one, then the live training time and the last training time are exported per group and horizon', async () => {
    await request(service.server!).post('/skill-groups').set('X-API-Key', KEYS.admin).send([GROUP]).expect(200);
    const clock = { t: Date.UTC(2026, 2, 1, 2, 0) };
    const registry = new FsModelRegistry(modelDir, () => clock.t);
    const live = await registry.saveVersion(model, metrics(0.2));
    await registry.promoteIfBetter('PS', 'realtime', live.version);
    clock.t = Date.UTC(2026, 2, 2, 2, 0);
    const worse = await registry.saveVersion(model, metrics(0.5));
    await registry.promoteIfBetter('PS', 'realtime', worse.version);

    const text = (await request(service.server!).get('/metrics').expect(200)).text;
    expect(text).toContain(`wfm_model_live_trained_timestamp_seconds{skill_group="PS",horizon="realtime"} ${Date.UTC(2026, 2, 1, 2, 0) / 1000}`);
    expect(text).toContain(`wfm_model_last_trained_timestamp_seconds{skill_group="PS",horizon="realtime"} ${Date.UTC(2026, 2, 2, 2, 0) / 1000}`);
    // no two-week model yet: no series for it (an alert on absence, or on age, sees it)
    expect(text).not.toContain('horizon="two-week"');
  });
});
