/**
 * The registry's retention: every training writes a version, and a nightly (or every-2-minutes) retrain
 * must not pile them up. Versions here are stand-ins (no training): the registry stores and compares them
 * without reading them.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsModelRegistry } from '../../src/registry/fs-model-registry';
import type { ModelMetrics, TrainedForecaster } from '../../src/forecast/index';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const model = { kind: 'realtime', skillGroupId: 'G1', net: null } as unknown as TrainedForecaster;
/** A stand-in with tfjs artifacts: loading it reads three files, so a removal could land between them. */
const netModel = {
  kind: 'realtime',
  skillGroupId: 'G1',
  net: { modelTopology: {}, weightSpecs: [], weightDataBase64: Buffer.from('weights').toString('base64'), featureMean: [], featureStd: [], inputSize: 1, outputSize: 1 },
} as unknown as TrainedForecaster;
const metrics = (wape: number) => ({ horizon: 'realtime', skillGroupId: 'G1', liveAlias: 'naive', wape, candidates: {} }) as unknown as ModelMetrics;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe('model registry retention', () => {
  let root: string;
  let base: string;
  let now: number;
  const clock = () => (now += 60_000);
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'wfm-models-'));
    base = path.join(root, 'G1', 'realtime');
    now = Date.UTC(2026, 11, 2);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** The version directories on disk, oldest first (removals under way included). */
  const onDisk = () => readdirSync(base, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const pointer = () => JSON.parse(readFileSync(path.join(base, 'live.json'), 'utf8')) as { version: string; previous: string[] };

  async function promote(reg: FsModelRegistry, wape: number, m = model) {
    const v = await reg.saveVersion(m, metrics(wape));
    return reg.promoteIfBetter('G1', 'realtime', v.version);
  }

  it('when trainings go on, then the live version, the last N live ones before it and the N newest other judged versions stay, and older ones are removed', async () => {
    const reg = new FsModelRegistry(root, clock, { versionsKept: 3 });
    const live: string[] = [];
    const kept: string[] = [];
    for (let round = 0; round < 12; round++) {
      const better = await promote(reg, 0.5 - round * 0.01);
      expect(better.status).toBe('live');
      live.push(better.version);
      const worse = await promote(reg, 0.9);
      expect(worse.status).toBe('kept');
      kept.push(worse.version);
    }
    // 24 versions written: the live one, 3 to roll back to, 3 kept with their reasons
    expect(onDisk()).toEqual([...live.slice(-4), ...kept.slice(-3)].sort());
    expect(pointer()).toMatchObject({ version: live[11], previous: [live[10], live[9], live[8]] });
    const listed = await reg.listVersions('G1', 'realtime');
    expect(listed.filter((v) => v.status === 'kept').map((v) => v.reason)).toEqual(kept.slice(-3).map(() => expect.stringMatching(/^WAPE 0\.9000 worse than live/)));

    // the rollback path still works to its depth, and says so past it
    for (const back of [live[10], live[9], live[8]]) expect((await reg.rollback('G1', 'realtime')).version).toBe(back);
    await expect(reg.rollback('G1', 'realtime')).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('nothing to roll back to') });
    // a version the retention removed is a 404, as an unknown one
    await expect(reg.rollback('G1', 'realtime', live[0])).rejects.toMatchObject({ code: 'not-found', status: 404 });
  });

  it('when MODEL_VERSIONS_KEPT is left at its default, then a year of nightly trainings leaves at most 21 versions', async () => {
    const reg = new FsModelRegistry(root, clock);
    for (let night = 0; night < 30; night++) await promote(reg, night % 2 === 0 ? 0.5 - night * 0.001 : 0.9);
    const names = onDisk();
    expect(names.length).toBe(1 + 10 + 10);
    expect(names).toContain(await reg.liveVersion('G1', 'realtime'));
    expect(pointer().previous).toHaveLength(10);
  });

  it('when candidates are in the directory, then one a training may still be comparing stays, an abandoned one older than a judged version goes, and so do a dead training\'s half-written version and a removal left half-way', async () => {
    const reg = new FsModelRegistry(root, clock, { versionsKept: 1 });
    await promote(reg, 0.5);
    const abandonedOld = await reg.saveVersion(model, metrics(0.1));
    const comparing = await reg.saveVersion(model, metrics(0.1)); // its training waits for the lock, say
    utimesSync(path.join(base, abandonedOld.version, 'status.json'), minutesAgo(3), minutesAgo(3));
    // a training killed while writing (no status.json), long ago and a moment ago
    const deadWrite = path.join(base, 'v20000101T000000000Z');
    const freshWrite = path.join(base, 'v20000101T000000000Z-2');
    for (const dir of [deadWrite, freshWrite]) {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'forecaster.json'), '{}');
    }
    utimesSync(deadWrite, minutesAgo(3), minutesAgo(3));
    mkdirSync(path.join(base, '.v20000101T000000000Z-3.removed-0123'));
    // a newer candidate abandoned too, but no version after it was judged: left for a late judgement
    const judgedNext = await reg.saveVersion(model, metrics(0.4));
    const abandonedNew = await reg.saveVersion(model, metrics(0.3));
    utimesSync(path.join(base, abandonedNew.version, 'status.json'), minutesAgo(3), minutesAgo(3));

    expect((await reg.promoteIfBetter('G1', 'realtime', judgedNext.version)).status).toBe('live');
    const names = onDisk();
    expect(names).not.toContain(abandonedOld.version);
    expect(names).not.toContain(path.basename(deadWrite));
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining([comparing.version, abandonedNew.version, path.basename(freshWrite), judgedNext.version]));
    // the training that was comparing it judges it as if nothing happened
    expect((await reg.promoteIfBetter('G1', 'realtime', comparing.version)).status).toBe('live');
    expect((await reg.promoteIfBetter('G1', 'realtime', abandonedNew.version)).status).toBe('kept');
  });

  it('when a rollback asks for a version that the promotion holding the lock removes, then it answers 404 and the live version is untouched', async () => {
    const reg = new FsModelRegistry(root, clock, { versionsKept: 1 });
    const first = await promote(reg, 0.5);
    const worse = await promote(reg, 0.9);
    expect(onDisk()).toContain(worse.version);
    const newer = await reg.saveVersion(model, metrics(0.8));
    const promotion = reg.promoteIfBetter('G1', 'realtime', newer.version, undefined, () => sleep(300));
    await sleep(50);
    // asked while the promotion holds the lock; the API checked the version exists a moment before
    const rollback = new FsModelRegistry(root, clock, { versionsKept: 1 }).rollback('G1', 'realtime', worse.version).then((v) => v, (e: unknown) => e);
    expect((await promotion).status).toBe('kept');
    expect(await rollback).toMatchObject({ code: 'not-found', status: 404 });
    expect(await reg.liveVersion('G1', 'realtime')).toBe(first.version);
    await expect(reg.loadVersion('G1', 'realtime', worse.version)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('when another process reads the live version and lists versions while promotions remove old ones, then every read succeeds', async () => {
    const writer = new FsModelRegistry(root, clock, { versionsKept: 1 });
    await promote(writer, 0.9, netModel);
    const reader = new FsModelRegistry(root);
    let done = false;
    let reads = 0;
    const readLoop = (async () => {
      while (!done) {
        const live = await reader.loadLive('G1', 'realtime');
        expect(live?.model.net).not.toBeNull();
        const listed = await reader.listVersions('G1', 'realtime');
        expect(listed.filter((v) => v.status === 'live').length).toBeLessThanOrEqual(2); // a promotion mid-write
        reads++;
      }
    })();
    for (let k = 0; k < 40; k++) await promote(writer, k % 2 === 0 ? 0.8 - k * 0.01 : 0.95, netModel);
    done = true;
    await readLoop;
    expect(reads).toBeGreaterThan(0);
    expect(onDisk().length).toBeLessThanOrEqual(3);
  });
});
