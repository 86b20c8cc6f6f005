/**
 * Configuration from environment variables, validated once at start. Every bad value is reported
 * with its variable name and what was expected, all at once, so a deployment is fixed in one go.
 */
import { CronExpressionParser } from 'cron-parser';
import { WfmError, type ProblemDetail } from '../errors/wfm-error';
import { isValidZone } from '../time/grid';

export type Role = 'planner' | 'ingest' | 'admin';
export const ROLES: readonly Role[] = ['planner', 'ingest', 'admin'];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  redisUrl: string;
  /** prefix of every Redis key and BullMQ queue, so several deployments (or tests) share one Redis */
  keyPrefix: string;
  host: string;
  port: number;
  /** a worker-only process's port for /health, /ready and /metrics (none when unset) */
  workerMetricsPort?: number;
  modelDir: string;
  /** retention of trained versions per group and horizon: the rollback depth, and the other judged versions kept besides */
  modelVersionsKept: number;
  /** API key → role */
  apiKeys: Map<string, Role>;
  webhookUrl?: string;
  webhookSecret?: string;
  defaultTimeZone: string;
  logLevel: LogLevel;
  /** max request body, e.g. "20mb" (history uploads of a year of 5-minute rows are a few MB) */
  bodyLimit: string;
  /** how long a request may take to arrive, headers and body (then 408), and its headers alone */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** cron for the nightly retrain and the zone it is read in */
  retrainCron: string;
  retrainTimeZone: string;
  /** seconds to wait for active jobs on shutdown before returning them to the queue */
  shutdownGraceSeconds: number;
  /** HMAC secret of the per-agent claim tokens cloud agents use to claim slots; absent = claims disabled */
  claimTokenSecret?: string;
  /** a claimed slot may be released until this many hours before its start */
  claimReleaseCutoffHours: number;
  /** the surge trigger's service settings (policies per skill group are stored, not configured) */
  trigger: TriggerConfig;
}

export interface TriggerConfig {
  /** cron of the trigger tick ("* * * * *" = every minute), or "off" when another deployment drives the ticks */
  tickCron: string;
  /** base URL of this service as agents' phones reach it: the accept/decline links point there */
  publicBaseUrl: string;
  /** HMAC secret of the accept/decline links (defaults to WEBHOOK_SECRET) */
  linkSecret?: string;
  /** per-attempt timeout, attempts and backoff of the SMS webhook */
  delivery: { timeoutMs: number; maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /** decisions that called nobody are kept this long (there is one per group and minute) */
  decisionRetentionHours: number;
  /** fired decisions, callouts and dead letters are kept this long */
  recordRetentionDays: number;
  /** an agent is not called again within this many minutes of the last callout */
  recentCallMinutes: number;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * `API_KEYS` lists `role:key` pairs separated by commas, e.g.
 * `planner:3f9c…,ingest:a71b…,admin:0d2e…`. A role may have several keys (rotation).
 */
function parseApiKeys(text: string | undefined, problems: ProblemDetail[]): Map<string, Role> {
  const keys = new Map<string, Role>();
  if (!text) return keys;
  for (const [i, pair] of text.split(',').map((s) => s.trim()).filter(Boolean).entries()) {
    const sep = pair.indexOf(':');
    const role = pair.slice(0, sep) as Role;
    const key = pair.slice(sep + 1);
    if (sep < 0 || !ROLES.includes(role)) {
      problems.push({ where: 'API_KEYS', message: `entry ${i + 1} must be role:key with role one of ${ROLES.join(', ')}` });
    } else if (key.length < 16) {
      problems.push({ where: 'API_KEYS', message: `entry ${i + 1} (${role}): key must be at least 16 characters` });
    } else if (keys.has(key) && keys.get(key) !== role) {
      // one key, two roles: the last would silently win (an admin key turned into a planner's)
      problems.push({ where: 'API_KEYS', message: `entry ${i + 1} (${role}): the same key is already given role ${keys.get(key)}; a key has one role` });
    } else {
      keys.set(key, role);
    }
  }
  return keys;
}

/**
 * Variables where an empty value means "not set" (docker-compose's `WEBHOOK_URL=`): optional secrets and
 * URLs. Every other variable set to an empty string is refused: Number('') is 0, so `PORT=` would
 * listen on a random port and `TRIGGER_RECENT_CALL_MINUTES=` switch off the protection it sets.
 */
const EMPTY_MEANS_UNSET = new Set(['WEBHOOK_URL', 'WEBHOOK_SECRET', 'CLAIM_TOKEN_SECRET', 'CALLOUT_LINK_SECRET', 'API_KEYS']);
const VARIABLES = [
  'REDIS_URL', 'KEY_PREFIX', 'PORT', 'WORKER_METRICS_PORT', 'HOST', 'MODEL_DIR', 'MODEL_VERSIONS_KEPT', 'DEFAULT_TIME_ZONE', 'LOG_LEVEL', 'BODY_LIMIT', 'REQUEST_TIMEOUT_MS', 'HEADERS_TIMEOUT_MS', 'RETRAIN_CRON', 'RETRAIN_TIME_ZONE',
  'SHUTDOWN_GRACE_SECONDS', 'CLAIM_RELEASE_CUTOFF_HOURS', 'PUBLIC_BASE_URL', 'WEBHOOK_TIMEOUT_MS', 'WEBHOOK_MAX_ATTEMPTS', 'WEBHOOK_BACKOFF_MS',
  'WEBHOOK_MAX_BACKOFF_MS', 'TRIGGER_TICK_CRON', 'TRIGGER_DECISION_RETENTION_HOURS', 'TRIGGER_RECORD_RETENTION_DAYS', 'TRIGGER_RECENT_CALL_MINUTES',
];

/** Whether BullMQ's own cron parser (cron-parser) reads the pattern in the zone and it ever fires. */
function cronProblem(pattern: string, tz: string | undefined): string | undefined {
  try {
    CronExpressionParser.parse(pattern, { tz }).next();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: ProblemDetail[] = [];
  const need = (name: string, ok: boolean, message: string) => {
    if (!ok) problems.push({ where: name, message });
  };
  const empty = VARIABLES.filter((name) => env[name] !== undefined && env[name]!.trim() === '' && !EMPTY_MEANS_UNSET.has(name));
  for (const name of empty) need(name, false, 'is set but empty: unset it for the default');
  // read as unset from here on, so each is reported once
  if (empty.length) env = Object.fromEntries(Object.entries(env).filter(([name]) => !empty.includes(name)));

  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisProblem = redisUrlProblem(redisUrl);
  need('REDIS_URL', /^rediss?:\/\/[^\s]+$/.test(redisUrl) && redisProblem === null, `must be a redis:// or rediss:// URL${redisProblem ? ` (${redisProblem})` : ''}, got "${redisUrl}"`);

  const port = Number(env.PORT ?? '8080');
  need('PORT', Number.isInteger(port) && port >= 0 && port <= 65535, `must be an integer 0–65535, got "${env.PORT}"`);
  const workerMetricsPort = env.WORKER_METRICS_PORT === undefined ? undefined : Number(env.WORKER_METRICS_PORT);
  if (workerMetricsPort !== undefined) need('WORKER_METRICS_PORT', Number.isInteger(workerMetricsPort) && workerMetricsPort >= 0 && workerMetricsPort <= 65535, `must be an integer 0–65535, got "${env.WORKER_METRICS_PORT}"`);

  const defaultTimeZone = env.DEFAULT_TIME_ZONE ?? 'UTC';
  need('DEFAULT_TIME_ZONE', isValidZone(defaultTimeZone), `must be an IANA time zone such as Europe/Berlin, got "${defaultTimeZone}"`);

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  need('LOG_LEVEL', LOG_LEVELS.includes(logLevel), `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);

  const webhookUrl = env.WEBHOOK_URL || undefined;
  if (webhookUrl) need('WEBHOOK_URL', /^https?:\/\/\S+$/.test(webhookUrl), `must be an http(s) URL, got "${webhookUrl}"`);
  const webhookSecret = env.WEBHOOK_SECRET || undefined;
  if (webhookUrl) need('WEBHOOK_SECRET', (webhookSecret?.length ?? 0) >= 16, 'must be set (at least 16 characters) when WEBHOOK_URL is set');
  // unset URL or not, a secret that is set signs: the answer links fall back to it (CALLOUT_LINK_SECRET)
  else if (webhookSecret !== undefined) need('WEBHOOK_SECRET', webhookSecret.length >= 16, 'must be at least 16 characters');

  const bodyLimit = env.BODY_LIMIT ?? '20mb';
  need('BODY_LIMIT', /^\d+(b|kb|mb)$/i.test(bodyLimit), `must look like 500kb or 20mb, got "${bodyLimit}"`);
  // Node's own 5 minutes let a client trickling a body hold a connection that long; 60 s still carries a
  // 5 MB upload over a 1 Mbit/s link. Headers are a few KB: 10 s is plenty even on a poor mobile link.
  const requestTimeoutMs = Number(env.REQUEST_TIMEOUT_MS ?? '60000');
  need('REQUEST_TIMEOUT_MS', Number.isInteger(requestTimeoutMs) && requestTimeoutMs >= 1000, `must be a whole number of milliseconds ≥ 1000, got "${env.REQUEST_TIMEOUT_MS}"`);
  const headersTimeoutMs = Number(env.HEADERS_TIMEOUT_MS ?? String(requestTimeoutMs >= 1000 ? Math.min(10_000, requestTimeoutMs) : 10_000));
  need('HEADERS_TIMEOUT_MS', Number.isInteger(headersTimeoutMs) && headersTimeoutMs >= 1000 && !(headersTimeoutMs > requestTimeoutMs), `must be a whole number of milliseconds from 1000 to REQUEST_TIMEOUT_MS, got "${env.HEADERS_TIMEOUT_MS}"`);

  const retrainCron = env.RETRAIN_CRON ?? '0 2 * * *';
  const retrainTimeZone = env.RETRAIN_TIME_ZONE ?? defaultTimeZone;
  // when unset it follows DEFAULT_TIME_ZONE, whose own problem is already reported
  if (env.RETRAIN_TIME_ZONE) need('RETRAIN_TIME_ZONE', isValidZone(retrainTimeZone), `must be an IANA time zone, got "${retrainTimeZone}"`);
  // checked as the scheduler will read it: a pattern BullMQ refuses at registration would leave the
  // service running with no nightly retrain (and, registered after it, no trigger tick)
  const retrainCronProblem = retrainCron.trim().split(/\s+/).length < 5 ? 'needs 5 or 6 fields' : cronProblem(retrainCron, isValidZone(retrainTimeZone) ? retrainTimeZone : undefined);
  need('RETRAIN_CRON', !retrainCronProblem, `must be a cron expression (minute hour day month weekday) that fires, got "${retrainCron}": ${retrainCronProblem}`);

  const shutdownGraceSeconds = Number(env.SHUTDOWN_GRACE_SECONDS ?? '25');
  need('SHUTDOWN_GRACE_SECONDS', Number.isFinite(shutdownGraceSeconds) && shutdownGraceSeconds >= 0, `must be a number of seconds ≥ 0, got "${env.SHUTDOWN_GRACE_SECONDS}"`);

  // at least 1: the version a promotion just replaced stays for the processes loading it that moment
  const modelVersionsKept = Number(env.MODEL_VERSIONS_KEPT ?? '10');
  need('MODEL_VERSIONS_KEPT', Number.isInteger(modelVersionsKept) && modelVersionsKept >= 1, `must be a whole number ≥ 1, got "${env.MODEL_VERSIONS_KEPT}"`);

  const keyPrefix = env.KEY_PREFIX ?? 'wfm';
  need('KEY_PREFIX', /^[A-Za-z0-9_.-]{1,64}$/.test(keyPrefix), `must be 1–64 letters, digits, _ . or -, got "${keyPrefix}"`);

  const apiKeys = parseApiKeys(env.API_KEYS, problems);
  const trigger = parseTriggerConfig(env, port, webhookSecret, need);

  const claimTokenSecret = env.CLAIM_TOKEN_SECRET || undefined;
  if (claimTokenSecret) need('CLAIM_TOKEN_SECRET', claimTokenSecret.length >= 16, 'must be at least 16 characters');
  const claimReleaseCutoffHours = Number(env.CLAIM_RELEASE_CUTOFF_HOURS ?? '24');
  need('CLAIM_RELEASE_CUTOFF_HOURS', Number.isFinite(claimReleaseCutoffHours) && claimReleaseCutoffHours >= 0, `must be a number of hours ≥ 0, got "${env.CLAIM_RELEASE_CUTOFF_HOURS}"`);

  if (problems.length > 0) {
    throw new WfmError('validation', `invalid configuration: ${problems.map((p) => p.where).join(', ')}`, {
      details: problems,
      isCatastrophic: true,
    });
  }
  return {
    redisUrl,
    keyPrefix,
    host: env.HOST ?? '0.0.0.0',
    port,
    ...(workerMetricsPort !== undefined ? { workerMetricsPort } : {}),
    modelDir: env.MODEL_DIR ?? 'models',
    modelVersionsKept,
    apiKeys,
    webhookUrl,
    webhookSecret,
    defaultTimeZone,
    logLevel,
    bodyLimit,
    requestTimeoutMs,
    headersTimeoutMs,
    retrainCron,
    retrainTimeZone,
    shutdownGraceSeconds,
    claimTokenSecret,
    claimReleaseCutoffHours,
    trigger,
  };
}

function parseTriggerConfig(
  env: Record<string, string | undefined>,
  port: number,
  webhookSecret: string | undefined,
  need: (name: string, ok: boolean, message: string) => void,
): TriggerConfig {
  const number = (name: string, fallback: number, ok: (v: number) => boolean, expected: string) => {
    const value = Number(env[name] ?? fallback);
    need(name, Number.isFinite(value) && ok(value), `must be ${expected}, got "${env[name]}"`);
    return value;
  };
  const tickCron = env.TRIGGER_TICK_CRON ?? '* * * * *';
  const tickCronProblem = tickCron === 'off' ? undefined : tickCron.trim().split(/\s+/).length < 5 ? 'needs 5 or 6 fields' : cronProblem(tickCron, undefined);
  need('TRIGGER_TICK_CRON', !tickCronProblem, `must be a cron expression or "off", got "${tickCron}": ${tickCronProblem}`);
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  need('PUBLIC_BASE_URL', /^https?:\/\/\S+$/.test(publicBaseUrl), `must be an http(s) URL, got "${publicBaseUrl}"`);
  const linkSecret = env.CALLOUT_LINK_SECRET || webhookSecret;
  if (env.CALLOUT_LINK_SECRET) need('CALLOUT_LINK_SECRET', env.CALLOUT_LINK_SECRET.length >= 16, 'must be at least 16 characters');
  const positiveInteger = (v: number) => Number.isInteger(v) && v >= 1;
  return {
    tickCron,
    publicBaseUrl,
    linkSecret,
    delivery: {
      timeoutMs: number('WEBHOOK_TIMEOUT_MS', 5000, positiveInteger, 'a whole number of milliseconds ≥ 1'),
      maxAttempts: number('WEBHOOK_MAX_ATTEMPTS', 6, (v) => positiveInteger(v) && v <= 20, 'a whole number 1–20'),
      baseDelayMs: number('WEBHOOK_BACKOFF_MS', 500, (v) => v >= 0, 'a number of milliseconds ≥ 0'),
      maxDelayMs: number('WEBHOOK_MAX_BACKOFF_MS', 30_000, (v) => v >= Number(env.WEBHOOK_BACKOFF_MS ?? 500), 'a number of milliseconds ≥ WEBHOOK_BACKOFF_MS'),
    },
    decisionRetentionHours: number('TRIGGER_DECISION_RETENTION_HOURS', 48, (v) => v > 0, 'a number of hours > 0'),
    recordRetentionDays: number('TRIGGER_RECORD_RETENTION_DAYS', 30, (v) => v > 0, 'a number of days > 0'),
    recentCallMinutes: number('TRIGGER_RECENT_CALL_MINUTES', 240, (v) => v >= 0, 'a number of minutes ≥ 0'),
  };
}

/** What is wrong with a redis:// URL the pattern lets through (a port or database that is no number), or null. */
function redisUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL: the port must be a number 1–65535';
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) return `the database "${db}" must be a number (redis://host:6379/2)`;
  return null;
}
