/**
 * The filesystem model registry (an adapter: the forecasting core never touches files).
 *   MODEL_DIR/<skill-group>/<horizon>/<version>/forecaster.json  the trained forecaster without weights
 *                                              /model.json + weights.bin  tfjs artifacts (learned models)
 *                                              /metrics.json  validation metrics of every candidate
 *                                              /status.json   live | kept | rejected, with the reason
 *   MODEL_DIR/<skill-group>/<horizon>/live.json  pointer to the live version and the earlier ones
 * Any process (API, any worker) reads the live version from here; writes are atomic (temp file + rename).
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Horizon, ModelMetrics, TrainedForecaster } from '../forecast/index';
import type { NetArtifacts } from '../forecast/net';
import { WfmError, invalid } from '../errors/wfm-error';

export type VersionStatus = 'candidate' | 'live' | 'kept' | 'rejected' | 'retired';

export interface VersionInfo {
  skillGroupId: string;
  horizon: Horizon;
  version: string;
  createdAt: string;
  status: VersionStatus;
  /** why it went live, or why it was kept/rejected */
  reason: string;
  metrics: ModelMetrics;
}

interface LivePointer {
  version: string;
  since: string;
  /** earlier live versions, most recent first (the rollback path) */
  previous: string[];
}

interface StoredNet extends Omit<NetArtifacts, 'modelTopology' | 'weightSpecs' | 'weightDataBase64'> {
  artifacts: 'model.json';
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  // unique per write: two writers of one process (a rollback and a finishing training) must not share it
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(temp, data);
  await fs.rename(temp, file);
}

/** A lock older than this was left by a process that died holding it (kill -9): it is taken over. */
const LOCK_STALE_MS = 120_000;
/** Longest wait for another process's promotion or rollback of the same group and horizon. */
const LOCK_WAIT_MS = 180_000;

/**
 * Runs `fn` holding the lock file of a group and horizon's directory (O_EXCL create, so it works across
 * processes and machines sharing the directory). A promotion reads the live version, compares and
 * writes: two of them at once (two training jobs in two workers) would both compare against the old live
 * version and both go live, one lost from the rollback path.
 */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, 'live.lock');
  const started = Date.now();
  for (;;) {
    try {
      await fs.writeFile(lock, `${process.pid} ${new Date().toISOString()}`, { flag: 'wx' });
      break;
    } catch (err) {
      // no directory: no version of this group and horizon, nothing to protect (fn says what is missing)
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fn();
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = await fs.stat(lock).catch(() => null);
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) throw new WfmError('unavailable', `the model registry ${dir} stayed locked by another promotion or rollback`);
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class FsModelRegistry {
  constructor(private readonly root: string, private readonly clock: () => number = () => Date.now()) {}

  private groupDir(skillGroupId: string): string {
    if (!SAFE_ID.test(skillGroupId)) throw invalid(`skill group id "${skillGroupId}" cannot name a model directory`);
    return path.join(this.root, skillGroupId);
  }

  private dir(skillGroupId: string, horizon: Horizon, version?: string): string {
    const group = this.groupDir(skillGroupId);
    if (horizon !== 'two-week' && horizon !== 'realtime') throw invalid(`unknown horizon "${horizon}"`);
    if (version !== undefined && !SAFE_ID.test(version)) throw invalid(`bad version "${version}"`);
    return version ? path.join(group, horizon, version) : path.join(group, horizon);
  }

  /** Removes every model of a skill group, all horizons and versions (the group itself was deleted). */
  async deleteGroup(skillGroupId: string): Promise<void> {
    await fs.rm(this.groupDir(skillGroupId), { recursive: true, force: true });
  }

  /**
   * Removes one version a training wrote for a group that was deleted meanwhile: its directory, the live
   * pointer if it names it (the group is gone: no earlier version of it stands either), and the horizon's
   * and group's directories once empty (a re-created group of the same id must not find them).
   */
  async discardVersion(skillGroupId: string, horizon: Horizon, version: string): Promise<void> {
    const base = this.dir(skillGroupId, horizon);
    await fs.rm(this.dir(skillGroupId, horizon, version), { recursive: true, force: true });
    if ((await readJson<LivePointer>(path.join(base, 'live.json')))?.version === version) await fs.rm(path.join(base, 'live.json'), { force: true });
    for (const dir of [base, this.groupDir(skillGroupId)]) {
      // only when empty: another training or a promotion's lock may still be in there
      await fs.rmdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
    }
  }

  /** Writes a new version (status "candidate"); call promoteIfBetter to decide whether it goes live. */
  async saveVersion(model: TrainedForecaster, metrics: ModelMetrics): Promise<VersionInfo> {
    const horizon: Horizon = model.kind;
    const base = this.dir(model.skillGroupId, horizon);
    await fs.mkdir(base, { recursive: true });
    const createdAt = new Date(this.clock()).toISOString();
    const stamp = createdAt.replace(/[-:]/g, '').replace('.', '');
    let version = `v${stamp}`;
    for (let k = 2; await exists(path.join(base, version)); k++) version = `v${stamp}-${k}`;
    const dir = path.join(base, version);
    await fs.mkdir(dir);
    let stored: unknown = model;
    if (model.net) {
      const { modelTopology, weightSpecs, weightDataBase64, ...rest } = model.net;
      await writeAtomic(path.join(dir, 'weights.bin'), Buffer.from(weightDataBase64, 'base64'));
      await writeAtomic(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', generatedBy: 'wfm', modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] }));
      const net: StoredNet = { ...rest, artifacts: 'model.json' };
      stored = { ...model, net };
    }
    await writeAtomic(path.join(dir, 'forecaster.json'), JSON.stringify(stored));
    await writeAtomic(path.join(dir, 'metrics.json'), JSON.stringify(metrics, null, 2));
    const info: VersionInfo = { skillGroupId: model.skillGroupId, horizon, version, createdAt, status: 'candidate', reason: 'not yet compared with the live version', metrics };
    await this.writeStatus(info);
    return info;
  }

  private async writeStatus(info: VersionInfo): Promise<void> {
    const dir = this.dir(info.skillGroupId, info.horizon, info.version);
    await writeAtomic(path.join(dir, 'status.json'), JSON.stringify({ status: info.status, reason: info.reason, createdAt: info.createdAt }, null, 2));
  }

  async listVersions(skillGroupId: string, horizon: Horizon): Promise<VersionInfo[]> {
    const base = this.dir(skillGroupId, horizon);
    let names: string[];
    try {
      names = (await fs.readdir(base, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: VersionInfo[] = [];
    for (const version of names) {
      const status = await readJson<{ status: VersionStatus; reason: string; createdAt: string }>(path.join(base, version, 'status.json'));
      const metrics = await readJson<ModelMetrics>(path.join(base, version, 'metrics.json'));
      if (status && metrics) out.push({ skillGroupId, horizon, version, createdAt: status.createdAt, status: status.status, reason: status.reason, metrics });
    }
    return out;
  }

  async loadVersion(skillGroupId: string, horizon: Horizon, version: string): Promise<TrainedForecaster> {
    const dir = this.dir(skillGroupId, horizon, version);
    const stored = await readJson<TrainedForecaster & { net: StoredNet | null }>(path.join(dir, 'forecaster.json'));
    if (!stored) throw new WfmError('not-found', `no model version ${version} for ${skillGroupId}/${horizon}`);
    if (!stored.net) return stored as TrainedForecaster;
    const manifest = await readJson<{ modelTopology: object; weightsManifest: Array<{ weights: NetArtifacts['weightSpecs'] }> }>(path.join(dir, stored.net.artifacts));
    if (!manifest) throw new WfmError('internal', `model version ${version} lacks its tfjs artifacts`, { isCatastrophic: false });
    const weights = await fs.readFile(path.join(dir, 'weights.bin'));
    const { artifacts: _artifacts, ...rest } = stored.net;
    return { ...stored, net: { ...rest, modelTopology: manifest.modelTopology, weightSpecs: manifest.weightsManifest[0].weights, weightDataBase64: weights.toString('base64') } } as TrainedForecaster;
  }

  async liveVersion(skillGroupId: string, horizon: Horizon): Promise<string | null> {
    return (await readJson<LivePointer>(path.join(this.dir(skillGroupId, horizon), 'live.json')))?.version ?? null;
  }

  async loadLive(skillGroupId: string, horizon: Horizon): Promise<{ version: string; model: TrainedForecaster } | null> {
    const version = await this.liveVersion(skillGroupId, horizon);
    return version ? { version, model: await this.loadVersion(skillGroupId, horizon, version) } : null;
  }

  /**
   * A candidate goes live only if it backtests at least as well as the live version: by `score`
   * (lower is better, e.g. WAPE of both on the same fresh windows) when given, else by the validation
   * WAPE in their metrics. Otherwise it is kept, with the reason. `beforeWrite` runs under the lock right
   * before the live pointer and statuses are written; what it throws leaves them as they were (a
   * training checks there that its skill group still exists).
   */
  async promoteIfBetter(
    skillGroupId: string,
    horizon: Horizon,
    version: string,
    score?: (model: TrainedForecaster) => Promise<number>,
    beforeWrite?: () => Promise<void>,
  ): Promise<VersionInfo> {
    return withLock(this.dir(skillGroupId, horizon), () => this.promoteLocked(skillGroupId, horizon, version, score, beforeWrite));
  }

  private async promoteLocked(
    skillGroupId: string,
    horizon: Horizon,
    version: string,
    score?: (model: TrainedForecaster) => Promise<number>,
    beforeWrite?: () => Promise<void>,
  ): Promise<VersionInfo> {
    const versions = await this.listVersions(skillGroupId, horizon);
    const candidate = versions.find((v) => v.version === version);
    if (!candidate) throw new WfmError('not-found', `no model version ${version} for ${skillGroupId}/${horizon}`);
    const liveName = await this.liveVersion(skillGroupId, horizon);
    const live = versions.find((v) => v.version === liveName);
    let candidateScore = candidate.metrics.wape;
    // Judged on the same weeks: the live version's method as the candidate's own backtest scored it on
    // its validation windows. The live version's stored WAPE was measured on older weeks: once a series
    // gets harder (a client lost, a level step), no retraining could beat that figure, and the live
    // model would stay forever. The stored figure stands in only where the candidate did not try that method.
    const sameWeeks = live ? candidate.metrics.candidates?.[live.metrics.liveAlias] : undefined;
    let liveScore = live ? (sameWeeks && sameWeeks.n > 0 && Number.isFinite(sameWeeks.wape) ? sameWeeks.wape : live.metrics.wape) : Infinity;
    let basis = sameWeeks && sameWeeks.n > 0 ? ` (its method, ${live?.metrics.liveAlias}, on the same validation weeks)` : ' (as measured at its own training)';
    if (score && live) {
      candidateScore = await score(await this.loadVersion(skillGroupId, horizon, version));
      liveScore = await score(await this.loadVersion(skillGroupId, horizon, live.version));
      basis = '';
    }
    await beforeWrite?.();
    if (!Number.isFinite(candidateScore)) {
      candidate.status = 'rejected';
      candidate.reason = 'its backtest produced no score';
    } else if (!live || candidateScore <= liveScore) {
      candidate.status = 'live';
      candidate.reason = live ? `WAPE ${candidateScore.toFixed(4)} ≤ live ${live.version} ${liveScore.toFixed(4)}${basis}` : 'first version';
      await this.setLive(skillGroupId, horizon, version, live ?? null, 'retired', `replaced by ${version}`);
    } else {
      candidate.status = 'kept';
      candidate.reason = `WAPE ${candidateScore.toFixed(4)} worse than live ${live.version} ${liveScore.toFixed(4)}${basis}`;
    }
    await this.writeStatus(candidate);
    return candidate;
  }

  private async setLive(skillGroupId: string, horizon: Horizon, version: string, old: VersionInfo | null, oldStatus: VersionStatus, oldReason: string, dropFromHistory = false): Promise<void> {
    const file = path.join(this.dir(skillGroupId, horizon), 'live.json');
    const pointer = await readJson<LivePointer>(file);
    let previous = pointer?.previous ?? [];
    if (dropFromHistory) previous = previous.filter((v) => v !== version);
    else if (pointer) previous = [pointer.version, ...previous];
    await writeAtomic(file, JSON.stringify({ version, since: new Date(this.clock()).toISOString(), previous } satisfies LivePointer, null, 2));
    if (old) {
      old.status = oldStatus;
      old.reason = oldReason;
      await this.writeStatus(old);
    }
  }

  /** Makes `toVersion` (default: the previous live version) live again; the current one is retired. */
  async rollback(skillGroupId: string, horizon: Horizon, toVersion?: string): Promise<VersionInfo> {
    return withLock(this.dir(skillGroupId, horizon), () => this.rollbackLocked(skillGroupId, horizon, toVersion));
  }

  private async rollbackLocked(skillGroupId: string, horizon: Horizon, toVersion?: string): Promise<VersionInfo> {
    const file = path.join(this.dir(skillGroupId, horizon), 'live.json');
    const pointer = await readJson<LivePointer>(file);
    const target = toVersion ?? pointer?.previous[0];
    if (!pointer || !target) throw new WfmError('conflict', `nothing to roll back to for ${skillGroupId}/${horizon}`);
    if (target === pointer.version) {
      throw new WfmError('conflict', `model version ${target} is already live for ${skillGroupId}/${horizon}`, { details: [{ where: '/body/version', message: 'already live: nothing to roll back' }] });
    }
    const versions = await this.listVersions(skillGroupId, horizon);
    const next = versions.find((v) => v.version === target);
    if (!next) throw new WfmError('not-found', `no model version ${target} for ${skillGroupId}/${horizon}`);
    const current = versions.find((v) => v.version === pointer.version) ?? null;
    await this.setLive(skillGroupId, horizon, target, current, 'retired', `rolled back to ${target}`, true);
    const remaining = (await readJson<LivePointer>(file))!;
    // The rolled-back version is not a rollback target any more.
    await writeAtomic(file, JSON.stringify({ ...remaining, previous: remaining.previous.filter((v) => v !== pointer.version) }, null, 2));
    next.status = 'live';
    next.reason = `rollback from ${pointer.version}`;
    await this.writeStatus(next);
    return next;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}
