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
  // A connection Redis refuses (a password missing or wrong) is remembered until it is ready again: its
  // commands fail only as "Stream isn't writeable", and the 503 should say why.
  redis.on('error', (err: Error) => {
    const refusal = refusalOf(err);
    // a wrong password is refused (WRONGPASS) and the commands sent meanwhile are answered NOAUTH: the
    // refusal of the password is what the operator must know
    if (refusal === 'WRONGPASS' || (refusal === 'NOAUTH' && refusedConnections.get(redis) !== 'WRONGPASS')) refusedConnections.set(redis, refusal);
  });
  redis.on('ready', () => refusedConnections.delete(redis));
  redis.on('end', () => refusedConnections.delete(redis));
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

/**
 * Seconds a 503 of the data store asks the client to wait (Retry-After). The connection retries at least
 * every 5 s (the cap of `retryStrategy` above), so a sooner retry meets the same state; the passing
 * states (a restart, a replica loading its data, a failover, a script running) are over in seconds.
 * The lasting ones (out of memory, a disk that cannot be written, a wrong password) wait for an operator,
 * and a retry every 5 s costs the store one refused command.
 */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Redis refusals that are the store's state, not the request's fault (the reply's error prefix), and how
 * a 503 names them. Fixed wording: the reply's own text is kept only as the cause, never answered.
 */
const REFUSALS = {
  OOM: 'the data store is out of memory: writes are refused',
  NOAUTH: 'the data store asks for a password it has not accepted (none given, or a wrong one)',
  WRONGPASS: 'the data store refused the password',
  LOADING: 'the data store is loading its data',
  BUSY: 'the data store is busy running a script',
  MISCONF: 'the data store cannot save to disk: writes are refused',
  READONLY: 'the data store is a read-only replica: writes are refused',
  MASTERDOWN: 'the data store (a replica) has lost its primary',
  TRYAGAIN: 'the data store is moving keys between cluster nodes',
  CLUSTERDOWN: 'the data store cluster is down',
} as const;

type Refusal = keyof typeof REFUSALS;

/** Connections Redis refused at their last connect (see createRedis), until they are ready again. */
const refusedConnections = new Map<Redis, Refusal>();

const REFUSAL_PREFIX = new RegExp(`^(?:ERR Error running script.*?: -)?(${Object.keys(REFUSALS).join('|')})\\b`);

/**
 * The refusal a Redis error reply carries: its prefix; inside a script (Redis before 7 wraps it in "ERR
 * Error running script … -OOM …"); or a queued command's, when EXEC discarded a transaction (EXECABORT).
 */
function refusalOf(err: unknown): Refusal | undefined {
  const message = String((err as Error)?.message ?? '');
  if (message.startsWith('EXECABORT')) {
    for (const queued of (err as { previousErrors?: unknown[] }).previousErrors ?? []) {
      const refusal = refusalOf(queued);
      if (refusal) return refusal;
    }
    return undefined;
  }
  return REFUSAL_PREFIX.exec(message)?.[1] as Refusal | undefined;
}

/** A failure of the connection itself: Redis down, hanging, or the connection not (yet) ready. */
export function isUnreachable(err: unknown): boolean {
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED|ETIMEDOUT|max retries per request|Stream isn't writeable|connect ETIMEDOUT|Command timed out/i.test(
    String((err as Error)?.message ?? ''),
  );
}

/**
 * Maps the data store's failures to the service's error type, answered as 503 with Retry-After: the
 * connection's (down, hanging, refused at connect) and the store's refusals (REFUSALS: out of memory,
 * loading, read-only…). Anything else (a bug: a wrong type, a script error) is returned as it is.
 */
export function asUnavailable(err: unknown): unknown {
  const options = { cause: err, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS };
  const refusal = refusalOf(err);
  if (refusal) return new WfmError('unavailable', `${REFUSALS[refusal]} (Redis ${refusal}); try again later`, options);
  if (isUnreachable(err)) {
    const atConnect = refusedConnections.values().next().value;
    return atConnect
      ? new WfmError('unavailable', `the data store (Redis) is unreachable: ${REFUSALS[atConnect].replace(/^the data store /, 'it ')} (Redis ${atConnect}); try again later`, options)
      : new WfmError('unavailable', 'the data store (Redis) is unreachable; try again shortly', options);
  }
  return err;
}

/**
 * Warns when Redis keeps nothing on disk: planners' skill groups, agents, history and rosters live there
 * and would vanish on a restart. Checks the eviction policy too (warnIfEvicting): both are settings of
 * the Redis server, read once at start.
 */
export async function warnIfNotPersistent(redis: Redis, log: Logger): Promise<boolean> {
  await warnIfEvicting(redis, log);
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

/**
 * Warns (once, at start) when Redis may evict keys: BullMQ requires `maxmemory-policy noeviction`. An
 * evicted job lock or stalled-check key runs a job twice; an evicted claim, idempotency record or roster
 * is lost without a trace. Under noeviction a full Redis refuses writes instead (503, see asUnavailable).
 * Read from INFO, which managed Redis servers answer where they refuse CONFIG. Returns the policy
 * (undefined when it cannot be read).
 */
export async function warnIfEvicting(redis: Redis, log: Logger): Promise<string | undefined> {
  try {
    const policy = /^maxmemory_policy:(\S+)/m.exec(await redis.info('memory'))?.[1];
    if (policy !== undefined && policy !== 'noeviction') {
      log.warn(
        { maxmemoryPolicy: policy },
        `Redis evicts keys when full (maxmemory-policy ${policy}): set maxmemory-policy noeviction. Evicted, a job's lock lets the job run twice, and a claim, an idempotency record or a roster is lost; with noeviction a full Redis refuses writes instead (503).`,
      );
    }
    return policy;
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not read the Redis eviction policy (INFO refused?)');
    return undefined;
  }
}

/** Runs a Redis call and turns a connection failure into WfmError('unavailable'). */
export function guarded<T>(call: Promise<T>): Promise<T> {
  return call.catch((err) => {
    throw asUnavailable(err);
  });
}
