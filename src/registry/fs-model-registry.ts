/**
 * The filesystem model registry (an adapter: the forecasting core never touches files).
 *   MODEL_DIR/<skill-group>/<horizon>/<version>/forecaster.json  the trained forecaster without weights
 *                                              /model.json + weights.bin  tfjs artifacts (learned models)
 *                                              /metrics.json  validation metrics of every candidate
 *                                              /status.json   live | kept | rejected, with the reason
 *   MODEL_DIR/<skill-group>/<horizon>/live.json  pointer to the live version and the earlier ones
 * Any process (API, any worker) reads the live version from here; writes are atomic (temp file + rename).
 * After each promotion, versions beyond the retention (`versionsKept`, MODEL_VERSIONS_KEPT) are removed.
 *   MODEL_DIR/.wfm-deployment.json  the deployment the directory belongs to (see model-dir-owner.ts)
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Horizon, ModelMetrics, TrainedForecaster } from '../forecast/index';
import type { NetArtifacts } from '../forecast/net';
import { WfmError, invalid } from '../errors/wfm-error';
import { ModelDirOwnership, type Deployment } from './model-dir-owner';

/**
 * `abandoned` is never stored: it is how a `candidate` whose training stopped (a worker killed while it
 * waited for the lock) is listed once nobody has kept it fresh for LOCK_STALE_MS.
 */
export type VersionStatus = 'candidate' | 'abandoned' | 'live' | 'kept' | 'rejected' | 'retired';

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

/**
 * A lock its holder stopped refreshing this long ago was left by a process that died holding it (kill -9):
 * it is taken over. Holders refresh it every HEARTBEAT_MS, so a long promotion is not mistaken for a dead one.
 */
const LOCK_STALE_MS = 120_000;
/** How often a lock's holder, and a training waiting to judge its candidate, show they are alive. */
const HEARTBEAT_MS = 15_000;
/** Longest wait of a training's promotion for another promotion or rollback of the same group and horizon. */
const PROMOTION_LOCK_WAIT_MS = 180_000;
/**
 * Longest wait of a rollback: it is an HTTP request, and a client that times out and asks again must get an
 * answer, not a second rollback run minutes later. A promotion holds the lock for well under a second.
 */
const ROLLBACK_LOCK_WAIT_MS = 5_000;
const ROLLBACK_RETRY_AFTER_SECONDS = 5;
/** A takeover claim older than this was left by a waiter that died in the middle of taking a stale lock over. */
const TAKEOVER_CLAIM_STALE_MS = 10_000;

/** Default of MODEL_VERSIONS_KEPT: the rollback depth, and how many other judged versions are kept besides. */
export const DEFAULT_VERSIONS_KEPT = 10;

export interface RegistryOptions {
  /**
   * Retention: the live version, the last `versionsKept` live ones before it (the rollback path) and the
   * `versionsKept` newest other judged versions (kept, rejected, retired) stay; older ones are removed.
   */
  versionsKept?: number;
  /**
   * The deployment this registry serves (the service passes it; the CLI reads and writes a directory of
   * its own): the directory is read only while no other deployment owns it, and written only once it is
   * this one's (the first write claims it).
   */
  owner?: Deployment;
}

/** A version being removed is first renamed to this (atomically: readers see all of it or nothing). */
const REMOVED_MARK = '.removed-';

const UNJUDGED_REASON = 'not yet compared with the live version';
const ABANDONED_REASON = 'the training stopped before comparing it with the live version';

/** Keeps `file`'s mtime fresh until stopped (a missing file is no error: it may have been replaced or removed). */
function heartbeat(file: string): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Removes `lock` if it is stale. Several waiters may judge the same lock stale at once; removing it by
 * name, the second would remove the lock the first had just created, and both would go on holding "the"
 * lock. So a waiter first claims the stale lock by hard-linking it to a name made of its identity (inode
 * and mtime): link() fails for every waiter but one. The claimant then checks that what it linked is the
 * lock it judged stale (not a fresh one created since), removes it, and competes for a new one like anyone.
 */
async function removeIfStale(lock: string): Promise<void> {
  const held = await fs.stat(lock).catch(() => null);
  if (!held || Date.now() - held.mtimeMs <= LOCK_STALE_MS) return;
  const claim = `${lock}.takeover-${held.ino}-${Math.trunc(held.mtimeMs)}`;
  try {
    await fs.link(lock, claim);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EEXIST') throw err;
    // another waiter is taking it over; unless that waiter died doing so (link() set the claim's ctime)
    const claimed = await fs.stat(claim).catch(() => null);
    if (claimed && Date.now() - claimed.ctimeMs > TAKEOVER_CLAIM_STALE_MS) await fs.rm(claim, { force: true });
    return;
  }
  try {
    const linked = await fs.stat(claim);
    if (linked.ino === held.ino && linked.mtimeMs === held.mtimeMs) await fs.rm(lock, { force: true });
  } finally {
    await fs.rm(claim, { force: true });
  }
}

/**
 * Runs `fn` holding the lock file of a group and horizon's directory (O_EXCL create, so it works across
 * processes and machines sharing the directory). A promotion reads the live version, compares and
 * writes: two of them at once (two training jobs in two workers) would both compare against the old live
 * version and both go live, one lost from the rollback path. After `waitMs` without the lock, `busy` is
 * thrown.
 */
async function withLock<T>(dir: string, waitMs: number, busy: (lock: string) => WfmError | Promise<WfmError>, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, 'live.lock');
  const started = Date.now();
  for (;;) {
    try {
      await fs.writeFile(lock, `${process.pid} ${new Date().toISOString()} ${randomUUID()}`, { flag: 'wx' });
      break;
    } catch (err) {
      // no directory: no version of this group and horizon, nothing to protect (fn says what is missing)
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fn();
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await removeIfStale(lock);
      if (Date.now() - started > waitMs) throw await busy(lock);
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  const mine = await fs.stat(lock).catch(() => null);
  const stop = heartbeat(lock);
  try {
    return await fn();
  } finally {
    stop();
    // only our own: had we stalled past LOCK_STALE_MS, the lock there now is another holder's
    if (mine && (await fs.stat(lock).catch(() => null))?.ino === mine.ino) await fs.rm(lock, { force: true });
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
  private readonly versionsKept: number;
  private readonly ownership?: ModelDirOwnership;

  constructor(private readonly root: string, private readonly clock: () => number = () => Date.now(), options: RegistryOptions = {}) {
    this.versionsKept = options.versionsKept ?? DEFAULT_VERSIONS_KEPT;
    if (options.owner) this.ownership = new ModelDirOwnership(root, options.owner, clock);
    // 0 would remove the version just replaced while a reader that read the pointer a moment before loads it
    if (!Number.isInteger(this.versionsKept) || this.versionsKept < 1) throw invalid(`versionsKept must be a whole number ≥ 1, got ${this.versionsKept}`);
  }

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

  /** Refused (conflict) when another deployment owns the directory; `toWrite` claims it when no one does. */
  private async owned(toWrite: boolean): Promise<void> {
    await this.ownership?.check(toWrite);
  }

  /**
   * Removes every model of a skill group, all horizons and versions (the group itself was deleted). A group
   * without models changes nothing: that claims no directory.
   */
  async deleteGroup(skillGroupId: string): Promise<void> {
    const dir = this.groupDir(skillGroupId);
    if (!(await exists(dir))) return;
    await this.owned(true);
    await fs.rm(dir, { recursive: true, force: true });
  }

  /**
   * Removes one version a training wrote for a group that was deleted meanwhile: its directory, the live
   * pointer if it names it (the group is gone: no earlier version of it stands either), and the horizon's
   * and group's directories once empty (a re-created group of the same id must not find them).
   */
  async discardVersion(skillGroupId: string, horizon: Horizon, version: string): Promise<void> {
    const base = this.dir(skillGroupId, horizon);
    await this.owned(true);
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
    await this.owned(true);
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
    const info: VersionInfo = { skillGroupId: model.skillGroupId, horizon, version, createdAt, status: 'candidate', reason: UNJUDGED_REASON, metrics };
    await this.writeStatus(info);
    return info;
  }

  private async writeStatus(info: VersionInfo): Promise<void> {
    const dir = this.dir(info.skillGroupId, info.horizon, info.version);
    await writeAtomic(path.join(dir, 'status.json'), JSON.stringify({ status: info.status, reason: info.reason, createdAt: info.createdAt }, null, 2));
  }

  async listVersions(skillGroupId: string, horizon: Horizon): Promise<VersionInfo[]> {
    const base = this.dir(skillGroupId, horizon);
    await this.owned(false);
    let names: string[];
    try {
      // SAFE_ID leaves out versions being removed (renamed to a name starting with a dot)
      names = (await fs.readdir(base, { withFileTypes: true })).filter((e) => e.isDirectory() && SAFE_ID.test(e.name)).map((e) => e.name).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: VersionInfo[] = [];
    for (const version of names) {
      const status = await readJson<{ status: VersionStatus; reason: string; createdAt: string }>(path.join(base, version, 'status.json'));
      const metrics = await readJson<ModelMetrics>(path.join(base, version, 'metrics.json'));
      if (!status || !metrics) continue; // half-written: a training is still writing it, or died doing so
      const info: VersionInfo = { skillGroupId, horizon, version, createdAt: status.createdAt, status: status.status, reason: status.reason, metrics };
      if (info.status === 'candidate' && (await this.abandoned(path.join(base, version, 'status.json')))) {
        info.status = 'abandoned';
        info.reason = ABANDONED_REASON;
      }
      out.push(info);
    }
    return out;
  }

  /** A training judging its candidate keeps the candidate's status.json fresh (promoteIfBetter). */
  private async abandoned(statusFile: string): Promise<boolean> {
    const stat = await fs.stat(statusFile).catch(() => null);
    return stat !== null && Date.now() - stat.mtimeMs > LOCK_STALE_MS;
  }

  async loadVersion(skillGroupId: string, horizon: Horizon, version: string): Promise<TrainedForecaster> {
    const dir = this.dir(skillGroupId, horizon, version);
    await this.owned(false);
    const stored = await readJson<TrainedForecaster & { net: StoredNet | null }>(path.join(dir, 'forecaster.json'));
    if (!stored) throw new WfmError('not-found', `no model version ${version} for ${skillGroupId}/${horizon}`);
    if (!stored.net) return stored as TrainedForecaster;
    const manifest = await readJson<{ modelTopology: object; weightsManifest: Array<{ weights: NetArtifacts['weightSpecs'] }> }>(path.join(dir, stored.net.artifacts));
    const weights = await fs.readFile(path.join(dir, 'weights.bin')).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (!manifest || !weights) {
      // removed by the retention while it was read (never the live version, nor the one it just replaced)
      if (!(await exists(path.join(dir, 'forecaster.json')))) throw new WfmError('not-found', `model version ${version} of ${skillGroupId}/${horizon} was removed (retention)`);
      throw new WfmError('internal', `model version ${version} lacks its tfjs artifacts`, { isCatastrophic: false });
    }
    const { artifacts: _artifacts, ...rest } = stored.net;
    return { ...stored, net: { ...rest, modelTopology: manifest.modelTopology, weightSpecs: manifest.weightsManifest[0].weights, weightDataBase64: weights.toString('base64') } } as TrainedForecaster;
  }

  async liveVersion(skillGroupId: string, horizon: Horizon): Promise<string | null> {
    await this.owned(false);
    return (await readJson<LivePointer>(path.join(this.dir(skillGroupId, horizon), 'live.json')))?.version ?? null;
  }

  /**
   * When the live version was trained, and when the newest version was (live or not: a nightly retrain
   * whose candidate lost to the live one still ran), epoch ms; absent where there is none. Reads two or
   * three small files and one directory listing: the metrics ask it for every group (and cache it).
   */
  async trainedAt(skillGroupId: string, horizon: Horizon): Promise<{ liveTrainedAt?: number; lastTrainedAt?: number }> {
    const base = this.dir(skillGroupId, horizon);
    await this.owned(false);
    const createdAt = async (version: string) => {
      const at = Date.parse((await readJson<{ createdAt?: string }>(path.join(base, version, 'status.json')))?.createdAt ?? '');
      return Number.isFinite(at) ? at : undefined;
    };
    const live = (await readJson<LivePointer>(path.join(base, 'live.json')))?.version;
    const liveTrainedAt = live && SAFE_ID.test(live) ? await createdAt(live) : undefined;
    let names: string[] = [];
    try {
      names = (await fs.readdir(base, { withFileTypes: true })).filter((e) => e.isDirectory() && SAFE_ID.test(e.name)).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // named by the time they were saved (v<stamp>): the newest first; one still being written has no status yet
    let lastTrainedAt: number | undefined;
    for (const version of names.sort().reverse()) {
      lastTrainedAt = await createdAt(version);
      if (lastTrainedAt !== undefined) break;
    }
    return { ...(liveTrainedAt !== undefined ? { liveTrainedAt } : {}), ...(lastTrainedAt !== undefined ? { lastTrainedAt } : {}) };
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
    const dir = this.dir(skillGroupId, horizon);
    const busy = (lock: string) => new WfmError('unavailable', `the model registry ${dir} stayed locked by another promotion or rollback (${lock})`);
    await this.owned(true);
    // While this training waits for the lock (up to minutes), its candidate must not look abandoned.
    const stop = heartbeat(path.join(this.dir(skillGroupId, horizon, version), 'status.json'));
    try {
      return await withLock(dir, PROMOTION_LOCK_WAIT_MS, busy, () => this.promoteLocked(skillGroupId, horizon, version, score, beforeWrite));
    } finally {
      stop();
    }
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
    // Retention failing leaves versions for the next promotion to remove: the decision above stands.
    await this.prune(skillGroupId, horizon).catch(() => undefined);
    return candidate;
  }

  /**
   * Removes the versions beyond the retention; runs under the lock, after a promotion has written its
   * decision. Kept: the live version, the rollback path (the last `versionsKept` live ones, which includes
   * the version just replaced: a process that read the pointer a moment ago may be loading it), the
   * `versionsKept` newest other judged versions (kept, rejected, retired: their reasons stay readable) and
   * every candidate a training may still be comparing. An abandoned candidate goes once a newer version
   * was judged, as does a directory a training died writing (no status for LOCK_STALE_MS). Each removal
   * renames the directory away first, so a reader finds the whole version or none (not-found, 404).
   */
  private async prune(skillGroupId: string, horizon: Horizon): Promise<void> {
    const base = this.dir(skillGroupId, horizon);
    const entries = await fs.readdir(base, { withFileTypes: true });
    // left by a removal that died half-way
    for (const e of entries) if (e.isDirectory() && e.name.startsWith('.') && e.name.includes(REMOVED_MARK)) await fs.rm(path.join(base, e.name), { recursive: true, force: true });
    const pointer = await readJson<LivePointer>(path.join(base, 'live.json'));
    const versions = await this.listVersions(skillGroupId, horizon);
    const judged = (v: VersionInfo) => v.status !== 'candidate' && v.status !== 'abandoned';
    const newestJudged = versions.filter(judged).at(-1)?.version;
    const keep = new Set<string>(pointer ? [pointer.version, ...pointer.previous.slice(0, this.versionsKept)] : []);
    for (const v of versions) {
      if (v.status === 'live' || v.status === 'candidate') keep.add(v.version);
      if (v.status === 'abandoned' && (newestJudged === undefined || v.version > newestJudged)) keep.add(v.version);
    }
    for (const v of versions.filter((v) => judged(v) && !keep.has(v.version)).slice(-this.versionsKept)) keep.add(v.version);
    const doomed = versions.filter((v) => !keep.has(v.version)).map((v) => v.version);
    // half-written: not listed, nothing written into it for LOCK_STALE_MS, older than a judged version
    const listed = new Set(versions.map((v) => v.version));
    for (const e of entries) {
      if (!e.isDirectory() || !SAFE_ID.test(e.name) || listed.has(e.name) || newestJudged === undefined || e.name > newestJudged) continue;
      const stat = await fs.stat(path.join(base, e.name)).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS && !(await exists(path.join(base, e.name, 'status.json')))) doomed.push(e.name);
    }
    for (const version of doomed) await removeVersionDir(base, version);
    if (pointer && pointer.previous.length > this.versionsKept) {
      // a path written before the retention (or with a larger MODEL_VERSIONS_KEPT): cut to the depth kept
      await writeAtomic(path.join(base, 'live.json'), JSON.stringify({ ...pointer, previous: pointer.previous.slice(0, this.versionsKept) } satisfies LivePointer, null, 2));
    }
  }

  private async setLive(skillGroupId: string, horizon: Horizon, version: string, old: VersionInfo | null, oldStatus: VersionStatus, oldReason: string, dropFromHistory = false): Promise<void> {
    const file = path.join(this.dir(skillGroupId, horizon), 'live.json');
    const pointer = await readJson<LivePointer>(file);
    let previous = pointer?.previous ?? [];
    if (dropFromHistory) previous = previous.filter((v) => v !== version);
    else if (pointer) previous = [pointer.version, ...previous].slice(0, this.versionsKept);
    await writeAtomic(file, JSON.stringify({ version, since: new Date(this.clock()).toISOString(), previous } satisfies LivePointer, null, 2));
    if (old) {
      old.status = oldStatus;
      old.reason = oldReason;
      await this.writeStatus(old);
    }
  }

  /**
   * Makes `toVersion` (default: the previous live version) live again; the current one is retired.
   * What is rolled back is fixed when it is asked: the live version then. Should another promotion or
   * rollback change it while this one waits for the lock, nothing is done (409): a client that asks again
   * after a timeout, or a training finishing meanwhile, must not make it roll back a version nobody meant.
   * A lock that stays held beyond a few seconds answers 503 with Retry-After rather than a wait of minutes.
   */
  async rollback(skillGroupId: string, horizon: Horizon, toVersion?: string): Promise<VersionInfo> {
    const dir = this.dir(skillGroupId, horizon);
    await this.owned(true);
    const asked = await readJson<LivePointer>(path.join(dir, 'live.json'));
    const busy = async (lock: string) => {
      const since = (await fs.stat(lock).catch(() => null))?.mtimeMs;
      const takenOver = since === undefined ? '' : `; a lock left by a process that died is taken over ${LOCK_STALE_MS / 1000} s after its holder last refreshed it, at ${new Date(since + LOCK_STALE_MS).toISOString()}`;
      return new WfmError('unavailable', `the models of ${skillGroupId}/${horizon} are locked by another promotion or rollback: nothing was rolled back, try again shortly${takenOver}`, {
        retryAfterSeconds: ROLLBACK_RETRY_AFTER_SECONDS,
      });
    };
    return withLock(dir, ROLLBACK_LOCK_WAIT_MS, busy, () => this.rollbackLocked(skillGroupId, horizon, asked, toVersion));
  }

  private async rollbackLocked(skillGroupId: string, horizon: Horizon, asked: LivePointer | null, toVersion?: string): Promise<VersionInfo> {
    const file = path.join(this.dir(skillGroupId, horizon), 'live.json');
    const pointer = await readJson<LivePointer>(file);
    if ((pointer?.version ?? null) !== (asked?.version ?? null)) {
      throw new WfmError('conflict', `the live version of ${skillGroupId}/${horizon} changed meanwhile: ${asked?.version ?? 'none'} when the rollback was asked, ${pointer?.version ?? 'none'} now; nothing was rolled back (GET /skill-groups/${skillGroupId}/models/${horizon} lists the versions)`);
    }
    const target = toVersion ?? asked?.previous[0];
    if (!pointer || !target) throw new WfmError('conflict', `nothing to roll back to for ${skillGroupId}/${horizon}`);
    if (target === pointer.version) {
      throw new WfmError('conflict', `model version ${target} is already live for ${skillGroupId}/${horizon}`, { details: [{ where: '/body/version', message: 'already live: nothing to roll back' }] });
    }
    const versions = await this.listVersions(skillGroupId, horizon);
    const next = versions.find((v) => v.version === target);
    if (!next) throw new WfmError('not-found', `no model version ${target} for ${skillGroupId}/${horizon}`);
    if (next.status === 'candidate' || next.status === 'abandoned') {
      // never backtested against the live version: it may forecast far worse, or not at all
      const why = next.status === 'candidate' ? 'a training is still comparing it with the live version' : ABANDONED_REASON;
      throw new WfmError('conflict', `model version ${target} of ${skillGroupId}/${horizon} was never compared with the live version (${why}): only a judged version can go live`, {
        details: [{ where: '/body/version', message: `status ${next.status}: ${why}` }],
      });
    }
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

/** Renames a version's directory away (atomic), then deletes it; one already gone is no error. */
async function removeVersionDir(base: string, version: string): Promise<void> {
  const away = path.join(base, `.${version}${REMOVED_MARK}${randomUUID()}`);
  try {
    await fs.rename(path.join(base, version), away);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await fs.rm(away, { recursive: true, force: true });
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}
