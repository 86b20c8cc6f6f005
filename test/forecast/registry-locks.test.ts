/**
 * The registry's lock and rollback under what shared MODEL_DIRs see: a lock left by a killed worker,
 * rollbacks asked while a promotion runs or twice by a retrying client, candidates never judged.
 * Versions here are stand-ins (no training): the registry stores and compares them without reading them.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsModelRegistry } from '../../src/registry/fs-model-registry';
import type { ModelMetrics, TrainedForecaster } from '../../src/forecast/index';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const model = { kind: 'realtime', skillGroupId: 'G1', net: null } as unknown as TrainedForecaster;
const metrics = (wape: number) => ({ horizon: 'realtime', skillGroupId: 'G1', liveAlias: 'naive', wape, candidates: {} }) as unknown as ModelMetrics;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe('model registry locks and rollbacks', () => {
  let root: string;
  let reg: FsModelRegistry;
  let lock: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'wfm-models-'));
    let now = Date.UTC(2026, 11, 2);
    reg = new FsModelRegistry(root, () => (now += 60_000));
    lock = path.join(root, 'G1', 'realtime', 'live.lock');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Versions v1, v2, v3 made live one after the other (v3 live, v2 then v1 the rollback path). */
  async function threeLive(): Promise<string[]> {
    const names: string[] = [];
    for (const wape of [0.3, 0.2, 0.1]) {
      const v = await reg.saveVersion(model, metrics(wape));
      expect((await reg.promoteIfBetter('G1', 'realtime', v.version)).status).toBe('live');
      names.push(v.version);
    }
    return names;
  }

  it('when a killed worker left a fresh lock, then a rollback answers unavailable with a retry time within seconds and changes nothing', async () => {
    const [, , v3] = await threeLive();
    writeFileSync(lock, '99999 x');
    const started = Date.now();
    const err = await reg.rollback('G1', 'realtime').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err).toMatchObject({ code: 'unavailable', status: 503, retryAfterSeconds: 5, message: expect.stringContaining('nothing was rolled back') });
    expect(await reg.liveVersion('G1', 'realtime')).toBe(v3);
  }, 15_000);

  it('when a retrying client asks twice while the lock is held, then one rollback runs and the other is refused naming both live versions', async () => {
    const [v1, v2, v3] = await threeLive();
    writeFileSync(lock, '99999 x'); // a promotion holding the lock for a moment
    const both = [reg.rollback('G1', 'realtime'), reg.rollback('G1', 'realtime')].map((p) => p.then((v) => v, (e: unknown) => e));
    await sleep(300);
    rmSync(lock);
    const [a, b] = await Promise.all(both);
    const outcomes = [a, b].map((o) => (o instanceof Error ? 'refused' : 'rolled back')).sort();
    expect(outcomes).toEqual(['refused', 'rolled back']);
    expect([a, b].find((o) => o instanceof Error)).toMatchObject({ code: 'conflict', message: expect.stringContaining(`changed meanwhile: ${v3} when the rollback was asked, ${v2} now`) });
    // one step back, not two
    expect(await reg.liveVersion('G1', 'realtime')).toBe(v2);
    expect((await reg.listVersions('G1', 'realtime')).find((v) => v.version === v1)?.status).toBe('retired');
  });

  it('when a training goes live while a rollback waits for the lock, then the rollback does not roll back the version that was not there when it was asked', async () => {
    const [, , v3] = await threeLive();
    const v4 = await reg.saveVersion(model, metrics(0.05));
    // the nightly training holds the lock while it checks its group (beforeWrite), then goes live
    const promotion = reg.promoteIfBetter('G1', 'realtime', v4.version, undefined, () => sleep(500));
    await sleep(100);
    const rollback = reg.rollback('G1', 'realtime').then((v) => v, (e: unknown) => e);
    expect((await promotion).status).toBe('live');
    expect(await rollback).toMatchObject({ code: 'conflict', message: expect.stringContaining(`${v3} when the rollback was asked, ${v4.version} now`) });
    expect(await reg.liveVersion('G1', 'realtime')).toBe(v4.version);
  });

  it('when several waiters find a stale lock at once, then only one of them holds the lock at a time', async () => {
    const first = await reg.saveVersion(model, metrics(0.3));
    await reg.promoteIfBetter('G1', 'realtime', first.version);
    let inside = 0;
    let most = 0;
    const held = async () => {
      most = Math.max(most, ++inside);
      await sleep(20);
      inside--;
    };
    // The race wants one waiter to remove the stale lock and create its own while another, which judged
    // the old one stale a moment earlier, is about to remove "it": waiters staggered by a millisecond or
    // so, as processes are, over several rounds of spacing.
    for (let round = 0; round < 8; round++) {
      const candidates = [];
      for (let k = 0; k < 6; k++) candidates.push(await reg.saveVersion(model, metrics(0.2)));
      writeFileSync(lock, '99999 x');
      utimesSync(lock, minutesAgo(3), minutesAgo(3));
      // separate registries: as many processes sharing the directory
      const outcomes = await Promise.all(
        candidates.map((c, k) => sleep(k * (0.5 + round * 0.4)).then(() => new FsModelRegistry(root).promoteIfBetter('G1', 'realtime', c.version, undefined, held))),
      );
      expect(outcomes.every((o) => o.status === 'live' || o.status === 'kept')).toBe(true);
      // neither the lock nor a takeover claim is left behind
      expect(readdirSync(path.dirname(lock)).filter((f) => f.startsWith('live.lock'))).toEqual([]);
    }
    expect(most).toBe(1);
  });

  it('when a version was never compared with the live one, then a rollback to it is refused naming /body/version; once its training is gone it is listed as abandoned', async () => {
    const [, , v3] = await threeLive();
    const unjudged = await reg.saveVersion(model, metrics(0.01));
    expect((await reg.listVersions('G1', 'realtime')).find((v) => v.version === unjudged.version)).toMatchObject({ status: 'candidate', reason: 'not yet compared with the live version' });
    await expect(reg.rollback('G1', 'realtime', unjudged.version)).rejects.toMatchObject({
      code: 'conflict',
      details: [{ where: '/body/version', message: expect.stringContaining('status candidate') }],
    });

    // the worker was killed waiting for the lock: nobody has kept its candidate fresh for minutes
    const status = path.join(root, 'G1', 'realtime', unjudged.version, 'status.json');
    utimesSync(status, minutesAgo(3), minutesAgo(3));
    expect((await reg.listVersions('G1', 'realtime')).find((v) => v.version === unjudged.version)).toMatchObject({
      status: 'abandoned',
      reason: 'the training stopped before comparing it with the live version',
    });
    await expect(reg.rollback('G1', 'realtime', unjudged.version)).rejects.toMatchObject({ code: 'conflict', details: [{ where: '/body/version', message: expect.stringContaining('abandoned') }] });
    expect(await reg.liveVersion('G1', 'realtime')).toBe(v3);

    // a training that judges it late (a paused worker resumed) still may: the listing is not stored
    expect((await reg.promoteIfBetter('G1', 'realtime', unjudged.version)).status).toBe('live');
  });
});
