/**
 * A MODEL_DIR belongs to one deployment. Two deployments on one Redis are kept apart by KEY_PREFIX, but
 * the model files carry no prefix (MODEL_DIR/<skill-group>/…): sharing the directory, one deployment's
 * DELETE /skill-groups/X1 removed the other's models of X1, and its retraining replaced the other's live
 * version. So the directory names its owner in a marker file, and a process of another deployment refuses
 * to start on it (and to write into it, should the marker appear while it runs). The processes of one
 * deployment (the API and any number of workers, same KEY_PREFIX) share it as before.
 *
 * Claimed by the first write of a model (or at start when it already holds models: a directory from
 * before the marker): not at the start of an empty one, so that an empty directory taken by mistake is no
 * one's until a model is written into it.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WfmError } from '../errors/wfm-error';

/** Which deployment a process belongs to. */
export interface Deployment {
  keyPrefix: string;
  /** the Redis it serves, as configured, without credentials (said, not compared: machines name one Redis differently) */
  redis: string;
}

interface OwnerMarker extends Deployment {
  claimedAt: string;
}

/** A dot file: a skill group's directory never starts with a dot, so it is no group's. */
export const OWNER_FILE = '.wfm-deployment.json';

/** REDIS_URL without user and password: what the marker and the messages may say of it. */
export function redisWithoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

async function readOwner(root: string): Promise<OwnerMarker | null> {
  const file = path.join(root, OWNER_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const marker = JSON.parse(text) as OwnerMarker;
    if (typeof marker.keyPrefix === 'string') return marker;
  } catch {
    // said below
  }
  throw new WfmError('validation', 'invalid configuration: MODEL_DIR', {
    isCatastrophic: true,
    details: [{ where: 'MODEL_DIR', message: `${file} does not say which deployment owns ${root}: restore it, or remove it if this deployment alone uses the directory` }],
  });
}

/**
 * Writes the marker unless there is one (link() of a complete temp file: never a half-written marker, and
 * of two deployments claiming at once exactly one wins). The owner after the attempt.
 */
async function claim(root: string, me: Deployment, now: () => number): Promise<OwnerMarker> {
  const file = path.join(root, OWNER_FILE);
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.mkdir(root, { recursive: true });
  await fs.writeFile(temp, `${JSON.stringify({ ...me, claimedAt: new Date(now()).toISOString() } satisfies OwnerMarker, null, 2)}\n`);
  try {
    await fs.link(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await fs.rm(temp, { force: true });
  }
  return (await readOwner(root))!;
}

function otherDeployment(root: string, owner: OwnerMarker, me: Deployment): string {
  return (
    `MODEL_DIR ${root} belongs to the deployment with KEY_PREFIX "${owner.keyPrefix}" (Redis ${owner.redis}, since ${owner.claimedAt}), ` +
    `not to this one, KEY_PREFIX "${me.keyPrefix}" (Redis ${me.redis}): the model files carry no key prefix, so a deployment deleting or retraining ` +
    `a skill group would remove or replace the other's models. Give each deployment a MODEL_DIR of its own`
  );
}

/** Whether `root` holds any skill group's models (a directory named as a group id). */
async function holdsModels(root: string): Promise<boolean> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.some((e) => e.isDirectory() && !e.name.startsWith('.'));
}

/**
 * At start (API and worker-only processes): refused, naming both deployments, when another owns `root`;
 * claimed when it holds models and no marker yet. `redisDiffers`: the owner's Redis as its marker names
 * it, when that is not how this process names its own (the same Redis reached by another name, or a
 * second deployment with the same KEY_PREFIX on another Redis: worth a warning, not a refusal).
 */
export async function checkModelDirOwner(root: string, me: Deployment, now: () => number = Date.now): Promise<{ owner: OwnerMarker | null; redisDiffers?: string }> {
  let owner = await readOwner(root);
  if (!owner && (await holdsModels(root))) owner = await claim(root, me, now);
  if (owner && owner.keyPrefix !== me.keyPrefix) {
    throw new WfmError('validation', 'invalid configuration: MODEL_DIR', { isCatastrophic: true, details: [{ where: 'MODEL_DIR', message: otherDeployment(root, owner, me) }] });
  }
  return { owner, ...(owner && owner.redis !== me.redis ? { redisDiffers: owner.redis } : {}) };
}

/**
 * The registry's check before it touches `root` (FsModelRegistry): the directory is this deployment's,
 * claimed now if it was no one's when `claimIfFree`; otherwise a conflict naming both deployments.
 * Once the marker named this deployment, it is not read again: a claim is never handed over.
 */
export class ModelDirOwnership {
  private confirmed = false;

  constructor(private readonly root: string, private readonly me: Deployment, private readonly now: () => number = Date.now) {}

  async check(claimIfFree: boolean): Promise<void> {
    if (this.confirmed) return;
    let owner = await readOwner(this.root);
    if (!owner && !claimIfFree) return;
    owner ??= await claim(this.root, this.me, this.now);
    if (owner.keyPrefix !== this.me.keyPrefix) {
      throw new WfmError('conflict', otherDeployment(this.root, owner, this.me), { details: [{ where: 'MODEL_DIR', message: `owned by the deployment with KEY_PREFIX "${owner.keyPrefix}"` }] });
    }
    this.confirmed = true;
  }
}
