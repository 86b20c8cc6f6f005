/**
 * The one Redis connection factory. Two flavours, following BullMQ's production guide:
 * - `command`: used by the API and queue producers. No offline queue and one retry, so a request fails
 *   fast (→ 503) instead of hanging while Redis is down; and a command timeout, so it fails too when
 *   Redis hangs (stopped, swapping, a runaway script) instead of answering nothing at all.
 * - `blocking`: used by BullMQ workers. `maxRetriesPerRequest: null` keeps blocking commands alive across
 *   outages; ioredis reconnects with backoff and the worker resumes on its own.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { WfmError } from '../errors/wfm-error';
import type { Logger } from '../log';

export type ConnectionKind = 'command' | 'blocking';

/**
 * Longest a command of the `command` connection may take: well above the slowest legitimate one (the
 * one-script upsert of a year of history, the key scan of a group deletion: about a second).
 */
export const COMMAND_TIMEOUT_MS = 10_000;

export function createRedis(url: string, kind: ConnectionKind, name: string): Redis {
  const common: RedisOptions = {
    connectionName: name,
    // reconnect with capped backoff forever: a worker must come back when Redis does
    retryStrategy: (times) => Math.min(200 * times, 5000),
    lazyConnect: false,
  };
  const options: RedisOptions =
    kind === 'command'
      ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: COMMAND_TIMEOUT_MS }
      : { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
  const redis = new Redis(url, options);
  // ioredis emits 'error' on every failed reconnect; without a listener node would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitUntilReady(redis: Redis, timeoutMs = 3000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new WfmError('unavailable', `Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/**
 * The database REDIS_URL names must exist: ioredis reports a failed SELECT only as a connection error and
 * goes on in database 0, where this deployment's data would mix with another's.
 */
export async function checkDatabase(redis: Redis, url: string): Promise<void> {
  const db = new URL(url).pathname.replace(/^\//, '');
  if (db === '') return;
  try {
    await redis.select(Number(db));
  } catch (err) {
    throw new WfmError('validation', `REDIS_URL: database ${db} cannot be selected (${(err as Error).message})`, {
      isCatastrophic: true,
      details: [{ where: 'REDIS_URL', message: 'the Redis server has no such database (see its `databases` setting)' }],
    });
  }
}

/** Maps ioredis connection failures to the service's error type (answered as 503). */
export function asUnavailable(err: unknown): unknown {
  const message = (err as Error)?.message ?? '';
  if (
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|ETIMEDOUT|max retries per request|Stream isn't writeable|connect ETIMEDOUT|Command timed out/i.test(
      message,
    )
  ) {
    return new WfmError('unavailable', 'the data store (Redis) is unreachable; try again shortly', { cause: err });
  }
  return err;
}

/**
 * Warns when Redis keeps nothing on disk: planners' skill groups, agents, history and rosters live there
 * and would vanish on a restart.
 */
export async function warnIfNotPersistent(redis: Redis, log: Logger): Promise<boolean> {
  try {
    const aof = (await redis.config('GET', 'appendonly')) as string[];
    const save = (await redis.config('GET', 'save')) as string[];
    const persistent = aof[1] === 'yes' || (save[1] ?? '').trim() !== '';
    if (!persistent) {
      log.warn(
        'Redis has no persistence (appendonly no and no RDB save points): planners\' data will be lost on a Redis restart. Enable appendonly yes in production.',
      );
    }
    return persistent;
  } catch (err) {
    log.warn({ err }, 'could not read Redis persistence settings (CONFIG GET refused?)');
    return false;
  }
}

/** Runs a Redis call and turns a connection failure into WfmError('unavailable'). */
export function guarded<T>(call: Promise<T>): Promise<T> {
  return call.catch((err) => {
    throw asUnavailable(err);
  });
}
