/**
 * Process entry. `npm start`: HTTP API + every worker in one process (the single-machine default).
 * `npm run worker -- train-forecaster forecast`: only those workers, no HTTP — run as many such processes on
 * as many machines as you like against the same Redis; BullMQ hands each job to exactly one of them.
 */
import http from 'node:http';
import { accessSync, constants as fsConstants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config/config';
import { isWfmError, WfmError } from './errors/wfm-error';
import { createLogger, setProcessLogger, type Logger } from './log';
import { checkDatabase, createRedis, waitUntilReady, warnIfNotPersistent } from './store/redis';
import { createStore } from './store/store';
import { DAY_MS, HOUR_MS } from './time/grid';
import { Queues } from './queue/queues';
import { checkQueueNames, WorkerPool } from './queue/worker-pool';
import { JOB_DEFINITIONS } from './queue/registry';
import type { JobDefinition } from './queue/definitions';
import { createApp, Metrics } from './http/app';
import { checkContract, loadOpenApi } from './http/openapi';
import { createHttpServer } from './http/server';
import type { ModelFreshness } from './http/metrics';
import type { Store } from './store/store';
import { HORIZONS } from './services/forecasting';
import { FsModelRegistry } from './registry/fs-model-registry';
import { checkModelDirOwner, redisWithoutCredentials } from './registry/model-dir-owner';
import { startSchedulers } from './queue/schedulers';
import { operationsRoutes, type ReadinessSources } from './http/routes/operations';
import express from 'express';

/** How often an API process registers the job schedulers again (an emptied Redis lost them). */
const SCHEDULER_REFRESH_MS = 5 * 60_000;

/** How long after the grace period a shutdown may still take to close connections before it stops anyway. */
const SHUTDOWN_MARGIN_MS = 5_000;

/** How long a process keeps answering after SIGTERM, /ready saying 503, before it stops listening (SHUTDOWN_DRAIN_SECONDS). */
const DEFAULT_DRAIN_SECONDS = 5;

/** How long the model freshness read from MODEL_DIR serves the scrapes (one directory listing per group and horizon). */
const MODEL_FRESHNESS_CACHE_MS = 60_000;

/**
 * SHUTDOWN_DRAIN_SECONDS: on a shutdown the listener stays open this long while /ready answers 503, so a
 * load balancer takes the process out of rotation before its connections are refused (0: at once).
 */
function drainSeconds(env: Record<string, string | undefined>): number {
  const raw = env.SHUTDOWN_DRAIN_SECONDS;
  const seconds = raw === undefined ? DEFAULT_DRAIN_SECONDS : Number(raw);
  if (raw === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new WfmError('validation', 'invalid configuration: SHUTDOWN_DRAIN_SECONDS', {
      isCatastrophic: true,
      details: [{ where: 'SHUTDOWN_DRAIN_SECONDS', message: `must be a number of seconds ≥ 0, got "${raw}"` }],
    });
  }
  return seconds;
}

/**
 * When each skill group's models were trained, read from MODEL_DIR for the metrics at most once a
 * MODEL_FRESHNESS_CACHE_MS (bounded by the groups: two horizons each). A group whose models do not read
 * is left out; the read failing as a whole (Redis down) gives no values rather than old ones.
 */
function modelFreshness(store: Store, registry: FsModelRegistry): () => Promise<ModelFreshness[]> {
  let cached: { at: number; read: Promise<ModelFreshness[]> } | undefined;
  const readAll = async (): Promise<ModelFreshness[]> => {
    const groups = await store.skillGroups.list();
    const models = await Promise.all(
      groups.flatMap((g) => HORIZONS.map((horizon) => registry.trainedAt(g.id, horizon).then((at): ModelFreshness | undefined => ({ skillGroupId: g.id, horizon, ...at }), () => undefined))),
    );
    return models.filter((m): m is ModelFreshness => m !== undefined);
  };
  return () => {
    if (cached && Date.now() - cached.at <= MODEL_FRESHNESS_CACHE_MS) return cached.read;
    const read = readAll();
    cached = { at: Date.now(), read };
    read.catch(() => {
      if (cached?.read === read) cached = undefined;
    });
    return read;
  };
}

/** /health, /ready and /metrics of a worker-only process; anything else is a 404 saying so. */
function workerOperationsApp(metrics: Metrics, sources: ReadinessSources, now: () => number): express.Express {
  const app = express();
  app.use(operationsRoutes(metrics, sources, now(), now));
  app.use((req, res) => {
    res.status(404).type('application/problem+json').json({ type: 'about:blank', title: 'Not Found', status: 404, detail: `a worker process serves /health, /ready and /metrics only, not ${req.path}`, instance: req.path });
  });
  return app;
}

export interface RunningService {
  server?: http.Server;
  port?: number;
  queues: Queues;
  workers: WorkerPool;
  /** the service's logger (its lines say the deployment's keyPrefix) */
  log: Logger;
  shutdown: (reason: string) => Promise<void>;
}

/**
 * An error nobody caught, said as one JSON line of the service's log (with its keyPrefix; an exception at fatal) so
 * log shipping and alerting see it like any other line; a plain stderr line when the logger itself fails.
 */
export function logUncaught(log: Logger, what: 'uncaught exception' | 'unhandled rejection', err: unknown, stderr: (line: string) => void = (line) => process.stderr.write(line)): void {
  try {
    // an uncaught exception stops the process; a rejection only when it is catastrophic
    if (what === 'uncaught exception') log.fatal({ err }, what);
    else log.error({ err }, what);
  } catch {
    stderr(`wfm: ${what}: ${(err as Error)?.stack ?? String(err)}\n`);
  }
}

export async function startService(env: Record<string, string | undefined>, options: {
    workersOnly?: string[] | true;
    http?: boolean;
    jobs?: JobDefinition[];
    stalledIntervalMs?: number;
    /** the business clock (tests drive the trigger's minutes with it); default Date.now */
    now?: () => number;
    /** a logger instead of the one LOG_LEVEL configures (tests read what is logged) */
    log?: Logger;
    /** how often the job schedulers are registered again (default SCHEDULER_REFRESH_MS) */
    schedulerRefreshMs?: number;
    /** hold every answer to openapi.yaml (the test suite does) */
    validateResponses?: boolean;
  } = {}): Promise<RunningService> {
  const config = loadConfig(env);
  // an API that cannot read its contract would answer 500 to every request: refused like bad configuration
  if (options.http !== false) await checkContract(loadOpenApi);
  checkModelDir(config.modelDir);
  const drainMs = drainSeconds(env) * 1000;
  const modelDir = path.resolve(config.modelDir);
  // the model files carry no key prefix: refused before anything starts when another deployment owns them
  const deployment = { keyPrefix: config.keyPrefix, redis: redisWithoutCredentials(config.redisUrl) };
  const { redisDiffers } = await checkModelDirOwner(modelDir, deployment);
  // every line says which deployment it comes from (deployments may share a Redis and a log stream)
  const log = options.log ? options.log.child({ keyPrefix: config.keyPrefix }) : createLogger(config.logLevel, 'wfm', undefined, { keyPrefix: config.keyPrefix });
  log.info({ redis: deployment.redis, modelDir }, 'starting');
  if (redisDiffers) {
    log.warn({ modelDir, ownerRedis: redisDiffers }, `MODEL_DIR was claimed by KEY_PREFIX ${config.keyPrefix} on Redis ${redisDiffers}, and this process uses ${deployment.redis}: fine if that is the same Redis by another name; if it is another Redis, two deployments share these models (give each its own MODEL_DIR)`);
  }
  // facts said once per process, whichever thread comes upon them (the tfjs backend), go to this log
  setProcessLogger(log);
  const now = options.now ?? Date.now;
  if (config.apiKeys.size === 0 && options.http !== false) log.warn('API_KEYS is not set: every API request will be refused with 401 (set role:key pairs)');
  // the answer links in every SMS point there: the default (this machine's localhost) reaches no phone
  if (config.webhookUrl && !env.PUBLIC_BASE_URL) log.warn('PUBLIC_BASE_URL is not set: the accept/decline links in callout messages point at localhost, which no phone reaches (set the address agents reach this service at)');
  // the gateway holds WEBHOOK_SECRET: with the same secret it could sign an agent's accept link
  if (config.webhookSecret && config.trigger.linkSecret === config.webhookSecret) log.warn('CALLOUT_LINK_SECRET is not set: answer links are signed with WEBHOOK_SECRET, which the SMS gateway also holds (set a secret of its own)');
  // said before waiting for Redis
  checkQueueNames(options.jobs ?? JOB_DEFINITIONS, Array.isArray(options.workersOnly) ? options.workersOnly : []);
  const redis = createRedis(config.redisUrl, 'command', 'wfm-api');
  const store = createStore(redis, config.keyPrefix, undefined, { decisionMs: config.trigger.decisionRetentionHours * HOUR_MS, recordMs: config.trigger.recordRetentionDays * DAY_MS });
  const jobs = options.jobs ?? JOB_DEFINITIONS;
  const queues = new Queues(redis, `${config.keyPrefix}:bull`, Object.fromEntries(jobs.map((d) => [d.queue, d.jobOptions])));
  for (const def of jobs) queues.get(def.queue);
  const metrics = new Metrics();
  metrics.watchQueues(queues.all());
  metrics.watchDeadLetters(() => store.trigger.deadLetterCount());

  await waitUntilReady(redis, 5000).catch((err) =>
    log.warn({ err: err.message }, options.http === false || options.workersOnly ? 'Redis not reachable at start; the workers wait for it' : 'Redis not reachable at start; the API answers 503 until it is'),
  );
  if (redis.status === 'ready') {
    await checkDatabase(redis, config.redisUrl).catch(async (err) => {
      await queues.close().catch(() => undefined);
      redis.disconnect();
      throw err;
    });
    await warnIfNotPersistent(redis, log);
  }

  const registry = new FsModelRegistry(modelDir, undefined, { versionsKept: config.modelVersionsKept, owner: deployment });
  // deployment-wide, read from Redis and MODEL_DIR: every process exports the same values
  metrics.watchTrigger(() => store.trigger.lastTick());
  metrics.watchModels(modelFreshness(store, registry));
  const ctx = { config, store, queues, registry, log, now };
  const pool = new WorkerPool(jobs, ctx, metrics, { stalledIntervalMs: options.stalledIntervalMs });
  const onlyQueues = Array.isArray(options.workersOnly) ? options.workersOnly : undefined;
  pool.start(onlyQueues);
  log.info({ queues: Object.keys(pool.status()) }, 'workers started');

  let shuttingDown = false;
  let server: http.Server | undefined;
  // A worker-only process serves its probes and metrics when given a port: its job durations and
  // failures are its own (each process counts what it runs), and an orchestrator must see it alive.
  const listenPort = options.http !== false ? config.port : config.workerMetricsPort;
  if (listenPort !== undefined) {
    const app = options.http !== false
      ? createApp({ config, log, store, queues, registry, metrics, workers: () => pool.status(), shuttingDown: () => shuttingDown, now, validateResponses: options.validateResponses })
      : workerOperationsApp(metrics, { redis, workers: () => pool.status(), shuttingDown: () => shuttingDown }, now);
    server = createHttpServer(app, config);
    // a port in use or a HOST that does not resolve: a configuration error naming both, not a stack trace
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(listenPort, config.host, () => {
        server!.off('error', reject);
        resolve();
      });
    }).catch(async (err: NodeJS.ErrnoException) => {
      // nothing left running behind the refusal: the workers and Redis connections started above
      await pool.close(0);
      await queues.close();
      redis.disconnect();
      const portVariable = options.http !== false ? 'PORT' : 'WORKER_METRICS_PORT';
      throw new WfmError('validation', `cannot listen on HOST ${config.host}, ${portVariable} ${listenPort}: ${err.code ?? err.message}`, {
        details: [{ where: err.code === 'EADDRINUSE' ? portVariable : 'HOST', message: err.message }],
        isCatastrophic: true,
      });
    });
    log.info({ port: (server.address() as { port: number }).port }, options.http !== false ? 'HTTP API listening' : 'worker probes and metrics listening');
  }

  // The schedules are shared by the whole deployment: only a process that did start registers its own
  // (one refused at start, its port taken, must not leave its RETRAIN_CRON or TRIGGER_TICK_CRON behind).
  // And only with Redis up (BullMQ would wait for the connection); a process that started during an
  // outage registers them at the next refresh below, and any other API process does too.
  const schedulers = options.http === false || redis.status !== 'ready' ? undefined : await startSchedulers(ctx).catch((err) => {
    log.warn({ err: err.message }, 'could not register every job scheduler; they are registered again within minutes');
    return undefined;
  });
  // Put back now and then where missing: a process that started while Redis was down, or a Redis
  // restarted empty, would otherwise run with no nightly retrain and no trigger tick until the next start
  // of some API process. A schedule another process registered since is left as it is (see schedulers.ts).
  const refreshSchedulers =
    options.http === false
      ? undefined
      : setInterval(() => void startSchedulers(ctx, 'restore').catch((err) => log.warn({ err: err.message }, 'could not register the job schedulers again')), options.schedulerRefreshMs ?? SCHEDULER_REFRESH_MS);
  refreshSchedulers?.unref();

  const shutdown = async (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ reason }, 'shutting down: no new requests, finishing active jobs');
    clearInterval(refreshSchedulers);
    const graceMs = config.shutdownGraceSeconds * 1000;
    // the listener stays open for the drain while /ready says 503 (shuttingDown), then stops taking connections
    const drain = server ? drainMs : 0;
    const closingServer = server
      ? new Promise<void>((resolve) => setTimeout(resolve, drain).unref()).then(
          () =>
            new Promise<void>((resolve) => {
              server!.close(() => resolve());
              server!.closeIdleConnections();
            }),
        )
      : Promise.resolve();
    // requests still open when the grace is over (a client trickling a body) are cut
    const cut = setTimeout(() => server?.closeAllConnections(), drain + graceMs);
    cut.unref();
    const steps = (async () => {
      const { forced, unfinished } = await pool.close(graceMs);
      // only workers that still ran a job are named: an idle one closed at once
      if (forced.length) log.warn({ queues: forced, jobs: unfinished }, `grace period over: unfinished jobs (${unfinished.map((j) => `${j.queue} ${j.jobId}`).join(', ')}) return to their queue when their lock lapses`);
      await closingServer;
      await schedulers?.close();
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
      return 'done' as const;
    })();
    // A Redis that hangs (not down: not answering) would hold the closing workers and connections
    // forever; the process stops anyway a little after the grace, and the jobs' locks lapse.
    const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), drain + graceMs + SHUTDOWN_MARGIN_MS).unref());
    if ((await Promise.race([steps, late])) === 'late') {
      log.warn({ graceSeconds: config.shutdownGraceSeconds }, 'shutdown overran the grace period (Redis not answering?): stopping anyway');
      redis.disconnect();
    }
    clearTimeout(cut);
    log.info('stopped');
  };

  return { server, port: server ? (server.address() as { port: number }).port : undefined, queues, workers: pool, log, shutdown };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const workersOnly = args.includes('--workers-only');
  const queueNames = args.filter((a) => !a.startsWith('--'));
  startService(process.env, { workersOnly: workersOnly ? (queueNames.length ? queueNames : true) : undefined, http: !workersOnly })
    .then((service) => {
      // One policy for errors nobody caught: log them; a catastrophic one (bad state) stops the process
      // gracefully so the orchestrator restarts it clean.
      process.on('unhandledRejection', (reason) => {
        logUncaught(service.log, 'unhandled rejection', reason);
        if (isWfmError(reason) && reason.isCatastrophic) void service.shutdown('catastrophic error').then(() => process.exit(1));
      });
      process.on('uncaughtException', (err) => {
        logUncaught(service.log, 'uncaught exception', err);
        void service.shutdown('uncaught exception').then(() => process.exit(1));
      });
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          service.shutdown(signal).then(
            () => process.exit(0),
            () => process.exit(1),
          );
        });
      }
    })
    .catch((err) => {
      if (isWfmError(err)) {
        process.stderr.write(`wfm: ${err.message}\n${err.details.map((d) => `  ${d.where}: ${d.message}\n`).join('')}`);
      } else {
        process.stderr.write(`wfm: failed to start: ${(err as Error).stack}\n`);
      }
      process.exit(1);
    });
}

/**
 * Trained forecasters are written under MODEL_DIR: a directory that cannot be created or written stops the
 * start by name, not the first training hours later.
 */
function checkModelDir(dir: string): void {
  try {
    // one level at a time: Node's recursive mkdir can spin for ever where a parent refuses (under /proc)
    const missing: string[] = [];
    let probe = path.resolve(dir);
    while (!existsSync(probe) && path.dirname(probe) !== probe) {
      missing.unshift(probe);
      probe = path.dirname(probe);
    }
    for (const level of missing) mkdirSync(level);
    accessSync(dir, fsConstants.W_OK);
  } catch (err) {
    throw new WfmError('validation', 'invalid configuration: MODEL_DIR', {
      isCatastrophic: true,
      details: [{ where: 'MODEL_DIR', message: `cannot create or write ${path.resolve(dir)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }],
    });
  }
}
