import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsModelRegistry } from '../../src/registry/fs-model-registry';
import { trainForecaster, forecastTwoWeek, type TrainedTwoWeek, type ModelMetrics } from '../../src/forecast/index';
import { slotInstant } from '../../src/forecast/day-series';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';
const subject = { id: 'G1', timeZone: ZONE, intervalMinutes: 30 };

describe('filesystem model registry', () => {
  let root: string;
  let now: number;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'wfm-models-'));
    now = Date.UTC(2024, 2, 1);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const registry = () => new FsModelRegistry(root, () => (now += 60_000));
  /**
   * A training's metrics with its chosen candidate at `wape` and, on the same validation weeks, the
   * method `liveAlias` at `liveMethodWape` (the live version's method, which the registry compares with).
   */
  const withWape = (metrics: ModelMetrics, wape: number, liveMethodWape = wape, liveAlias = metrics.liveAlias): ModelMetrics => ({
    ...metrics,
    wape,
    candidates: { ...metrics.candidates, [metrics.liveAlias]: { ...metrics.candidates[metrics.liveAlias], wape }, [liveAlias]: { wape: liveMethodWape, mase: 1, bias: 0, n: 8 } },
  });

  /** A two-week model trained on 5 weeks and registered live at `wape`, with its registry and training output. */
  async function withLiveVersion(wape: number) {
    const history = syntheticHistory({ days: 35 });
    const { model, metrics } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: { epochs: 1 } });
    const reg = registry();
    const first = await reg.saveVersion(model, withWape(metrics, wape));
    await reg.promoteIfBetter('G1', 'two-week', first.version);
    return { model, metrics, reg, first };
  }

  it('when a trained net is saved and loaded live, then tfjs artifacts are on disk and forecasts are identical', async () => {
    const history = syntheticHistory({ days: 70 });
    const { model, metrics } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: { epochs: 3 } });
    // Force the net live so the round trip covers the tfjs artifacts whichever candidate won.
    const forced: TrainedTwoWeek = { ...(model as TrainedTwoWeek), liveAlias: 'decomposition-net' };
    expect(forced.net).not.toBeNull();
    const reg = registry();
    const saved = await reg.saveVersion(forced, metrics);
    const dir = path.join(root, 'G1', 'two-week', saved.version);
    expect(JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')).liveAlias).toBe(metrics.liveAlias);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'weights.bin'))).toBe(true);
    const promoted = await reg.promoteIfBetter('G1', 'two-week', saved.version);
    expect(promoted.status).toBe('live');
    const live = await reg.loadLive('G1', 'two-week');
    expect(live?.version).toBe(saved.version);
    const from = slotInstant('2024-03-11', 0, ZONE, 30)!;
    const a = await forecastTwoWeek({ history, skillGroup: subject, from, model: forced });
    const b = await forecastTwoWeek({ history, skillGroup: subject, from, model: live!.model as TrainedTwoWeek });
    expect(b.points).toEqual(a.points);
  });

  it('when a worse version is trained, then it is kept with the reason; a better one goes live; rollback restores the previous', async () => {
    const { model, metrics, reg, first } = await withLiveVersion(0.2);
    // a training whose chosen method does worse on its validation weeks than the live version's method on the same weeks
    const worse = await reg.saveVersion(model, { ...withWape(metrics, 0.25, 0.22), liveAlias: 'naive-last-week', candidates: { ...metrics.candidates, 'naive-last-week': { wape: 0.25, mase: 1, bias: 0, n: 8 }, [metrics.liveAlias]: { wape: 0.22, mase: 1, bias: 0, n: 8 } } });
    const kept = await reg.promoteIfBetter('G1', 'two-week', worse.version);
    expect(kept.status).toBe('kept');
    expect(kept.reason).toMatch(/^WAPE 0\.2500 worse than live .* 0\.2200 \(its method, .*, on the same validation weeks\)$/);
    expect(await reg.liveVersion('G1', 'two-week')).toBe(first.version);
    const better = await reg.saveVersion(model, withWape(metrics, 0.18));
    expect((await reg.promoteIfBetter('G1', 'two-week', better.version)).status).toBe('live');
    expect(await reg.liveVersion('G1', 'two-week')).toBe(better.version);
    const restored = await reg.rollback('G1', 'two-week');
    expect(restored.version).toBe(first.version);
    expect(await reg.liveVersion('G1', 'two-week')).toBe(first.version);
    const versions = await reg.listVersions('G1', 'two-week');
    expect(versions.map((v) => v.status)).toEqual(['live', 'kept', 'retired']);
    await expect(reg.rollback('G1', 'two-week')).rejects.toMatchObject({ code: 'conflict' });
    // rolling back to the live version changes nothing and says so (its reason is not overwritten)
    await expect(reg.rollback('G1', 'two-week', first.version)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('already live') });
    expect((await reg.listVersions('G1', 'two-week')).find((v) => v.version === first.version)?.reason).toBe(restored.reason);
  });

  it('when the series gets harder, then a retraining goes live on the same weeks even though its WAPE is above the live version\'s older figure', async () => {
    const { model, metrics, reg, first } = await withLiveVersion(0.21);
    // a client lost: every method does worse on the newest weeks, the live method too (0.463)
    const harder = await reg.saveVersion(model, withWape(metrics, 0.4619, 0.463, metrics.liveAlias));
    const outcome = await reg.promoteIfBetter('G1', 'two-week', harder.version);
    expect(outcome.status).toBe('live');
    expect(outcome.reason).toMatch(/^WAPE 0\.4619 ≤ live .* 0\.4630 \(its method, .*, on the same validation weeks\)$/);
  });

  it('when two processes promote two versions at the same moment, then one decision follows the other: one live version, the other kept or in the rollback path', async () => {
    const history = syntheticHistory({ days: 35 });
    const { model, metrics } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: { epochs: 1 } });
    const scored = (value: number) => ({ ...model, testScore: value }) as unknown as typeof model;
    // scoring takes a while (backtests): both promotions read the live version before either writes
    const slowScore = async (m: typeof model) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (m as unknown as { testScore: number }).testScore;
    };
    const [a, b] = [registry(), registry()]; // two processes' registries over one directory
    const first = await a.saveVersion(scored(0.2), metrics);
    await a.promoteIfBetter('G1', 'two-week', first.version);
    const v2 = await a.saveVersion(scored(0.15), metrics);
    const v3 = await b.saveVersion(scored(0.16), metrics);
    const outcomes = await Promise.all([a.promoteIfBetter('G1', 'two-week', v2.version, slowScore), b.promoteIfBetter('G1', 'two-week', v3.version, slowScore)]);
    const versions = await a.listVersions('G1', 'two-week');
    expect(versions.filter((v) => v.status === 'live').map((v) => v.version)).toEqual([v2.version]);
    expect(await a.liveVersion('G1', 'two-week')).toBe(v2.version);
    // v3 either lost to v2 (kept) or went live first and was replaced (retired, a rollback target)
    const third = outcomes[1];
    if (third.status === 'live') expect(versions.find((v) => v.version === v3.version)!.status).toBe('retired');
    else expect(third.status).toBe('kept');
    expect(existsSync(path.join(root, 'G1', 'two-week', 'live.lock'))).toBe(false);
  });

  it('when a skill group id would escape the model directory, then it is refused', async () => {
    await expect(registry().listVersions('../etc', 'two-week')).rejects.toMatchObject({ code: 'validation' });
  });
});
