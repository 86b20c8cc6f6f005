/**
 * Prometheus metrics: HTTP latency by route, queue depth by queue and state (read at scrape time),
 * job durations and failures. One registry per process.
 */
import client from 'prom-client';
import type { RequestHandler } from 'express';
import type { Queue } from 'bullmq';

/** A scrape waits at most this long for the queue counts (Prometheus times a scrape out at 10 s). */
const QUEUE_COUNT_TIMEOUT_MS = 2_000;

export class Metrics {
  readonly registry = new client.Registry();
  readonly httpDuration = new client.Histogram({
    name: 'wfm_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly jobDuration = new client.Histogram({
    name: 'wfm_job_duration_seconds',
    help: 'Duration of completed and failed jobs',
    labelNames: ['queue', 'outcome'],
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [this.registry],
  });
  /** `final`: no retry follows (attempts used up, or an error a retry cannot fix); `retryable`: the error was of the kind retried */
  readonly jobFailures = new client.Counter({
    name: 'wfm_job_failures_total',
    help: 'Failed job attempts run by this process; final="true": the job failed for good (no retry follows)',
    labelNames: ['queue', 'final', 'retryable'],
    registers: [this.registry],
  });
  /** the trigger's decisions committed by the ticks this process ran, by reason (a bounded set: see decisionReasonLabel) */
  readonly triggerDecisions = new client.Counter({
    name: 'wfm_trigger_decisions_total',
    help: 'Surge-trigger decisions committed by the ticks this process ran, by reason (fired, no-gap, feed-stale, no-eligible-agents, skipped-unreadable-input, ...)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  /** callout messages this process gave up on, by what is to blame (see deadLetterCause) */
  readonly calloutDeadLetters = new client.Counter({
    name: 'wfm_callout_dead_letters_total',
    help: 'Callout and release messages this process gave up on, by cause: gateway (the SMS gateway failed or refused), agent (opted out, deleted, no phone, answered meanwhile), configuration (no WEBHOOK_URL, gateway moved), expired (the answer window or shift was over)',
    labelNames: ['message', 'cause'],
    registers: [this.registry],
  });
  /** outcomes of callout messages this process sent (a dead letter is a completed job, not a failed one) */
  readonly calloutMessages = new client.Counter({
    name: 'wfm_callout_messages_total',
    help: 'Callout and release messages handled by this process, by outcome (delivered, dead-letter, skipped)',
    labelNames: ['message', 'outcome'],
    registers: [this.registry],
  });
  private readonly queues: Queue[] = [];
  private watchingDeadLetters = false;
  private watchingTrigger = false;
  private watchingModels = false;

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'wfm_' });
    const queues = this.queues;
    new client.Gauge({
      name: 'wfm_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        // Redis down or hanging: the scrape still answers (process metrics, no queue counts) within a
        // scraper's timeout, and readiness reports the outage
        const counted = Promise.all(
          queues.map(async (q) => {
            const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
            for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
          }),
        ).catch(() => undefined);
        await withinScrapeTimeout(counted);
      },
    });
  }

  watchQueues(queues: Queue[]): void {
    this.queues.push(...queues);
  }

  /** Reads the dead letters kept (the whole deployment's, from Redis) at each scrape: alert on it rising. */
  watchDeadLetters(count: () => Promise<number>): void {
    if (this.watchingDeadLetters) return;
    this.watchingDeadLetters = true;
    // Redis down or slow: no sample rather than the last one read (as wfm_queue_jobs)
    new ReadAtScrape(
      { name: 'wfm_callout_dead_letters', help: 'Callout messages given up on (every cause), kept within TRIGGER_RECORD_RETENTION_DAYS (read from Redis at scrape time); by cause: wfm_callout_dead_letters_total', registers: [this.registry] },
      count,
    );
  }

  /**
   * The trigger's last completed tick, deployment-wide (read from Redis at each scrape, so every process
   * exports the same values: aggregate with max()). A stalled trigger (no scheduler, a Redis restarted
   * empty) shows as a timestamp that stops moving, or as no series at all.
   */
  watchTrigger(lastTick: () => Promise<TickRecord | undefined>): void {
    if (this.watchingTrigger) return;
    this.watchingTrigger = true;
    // no tick recorded (none ran since Redis was emptied) or Redis away: no sample. Each gauge reads the
    // small hash itself (three HGETALLs a scrape): a shared read could serve one scrape the last one's values.
    const gauge = (name: string, help: string, value: (t: TickRecord) => number | undefined) =>
      new ReadAtScrape({ name, help, registers: [this.registry] }, () => lastTick().then((t) => (t ? value(t) : undefined)));
    gauge('wfm_trigger_last_tick_timestamp_seconds', 'When the last surge-trigger tick completed (unix seconds, deployment-wide, read from Redis): alert when it stops moving', (t) => t.at / 1000);
    gauge('wfm_trigger_groups_feed_stale', 'Skill groups the last deciding tick held because their realtime feed is stale (deployment-wide, read from Redis)', (t) => t.feedStale);
    gauge('wfm_trigger_groups_skipped', 'Skill groups the last deciding tick skipped (inputs unreadable, decision failed; deployment-wide, read from Redis)', (t) => t.skipped);
  }

  /**
   * When each skill group's models were trained: the live version's training, and the newest training
   * judged (also one that did not go live). Read from the model registry through `read` (which caches).
   */
  watchModels(read: () => Promise<ModelFreshness[]>): void {
    if (this.watchingModels) return;
    this.watchingModels = true;
    const collectInto = (gauge: client.Gauge, value: (m: ModelFreshness) => number | undefined) =>
      withinScrapeTimeout(
        read()
          .then((models) => {
            for (const m of models) {
              const v = value(m);
              if (v !== undefined) gauge.set({ skill_group: m.skillGroupId, horizon: m.horizon }, v / 1000);
            }
          })
          .catch(() => undefined),
      );
    new client.Gauge({
      name: 'wfm_model_live_trained_timestamp_seconds',
      help: 'When the live forecaster of each skill group and horizon was trained (unix seconds, from MODEL_DIR; deployment-wide)',
      labelNames: ['skill_group', 'horizon'],
      registers: [this.registry],
      async collect() {
        this.reset();
        await collectInto(this, (m) => m.liveTrainedAt);
      },
    });
    new client.Gauge({
      name: 'wfm_model_last_trained_timestamp_seconds',
      help: 'When a forecaster of each skill group and horizon was last trained, live or not (unix seconds, from MODEL_DIR; deployment-wide): a nightly retrain that ran moves it',
      labelNames: ['skill_group', 'horizon'],
      registers: [this.registry],
      async collect() {
        this.reset();
        await collectInto(this, (m) => m.lastTrainedAt);
      },
    });
  }

  /**
   * @param templateOf the API contract's path template a path falls under: one route label per
   *   operation, also for requests refused before any route ran (401, 413) and for routes express
   *   registered under several paths at once (whose route.path is the whole list)
   */
  httpMiddleware(templateOf: (path: string) => string | undefined = () => undefined): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        // the route pattern, not the raw URL, keeps label cardinality bounded
        const path = req.originalUrl.split('?')[0];
        const ownRoute = typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path}` : undefined;
        const route = templateOf(path) ?? ownRoute ?? 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}

/**
 * An unlabelled gauge read at each scrape that gives no sample when the read fails, hangs or knows no
 * value: prom-client would say 0 for it (a dead-letter count of 0 while Redis is down, a last tick in 1970).
 */
class ReadAtScrape extends client.Gauge {
  constructor(
    config: { name: string; help: string; registers: client.Registry[] },
    private readonly read: () => Promise<number | undefined>,
  ) {
    super(config);
  }

  override async get(): Promise<client.MetricObjectWithValues<client.MetricValue<string>>> {
    let value: number | undefined;
    await withinScrapeTimeout(this.read().then((v) => (value = v), () => undefined));
    const metric = await super.get();
    return { ...metric, values: value === undefined || !Number.isFinite(value) ? [] : [{ labels: {}, value }] };
  }
}

/** What the trigger's last completed tick left in Redis (TriggerRepository.lastTick). */
export interface TickRecord {
  /** when it completed, epoch ms */
  at: number;
  /** groups held for a stale feed / skipped by the last tick that decided (absent: none has yet) */
  feedStale?: number;
  skipped?: number;
}

/** When the models of one skill group and horizon were trained, epoch ms (absent: none is). */
export interface ModelFreshness {
  skillGroupId: string;
  horizon: string;
  liveTrainedAt?: number;
  lastTrainedAt?: number;
}

/** Waits for a Redis read of a scrape at most QUEUE_COUNT_TIMEOUT_MS: a hanging Redis must not hang the scrape. */
async function withinScrapeTimeout(read: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([read, new Promise<void>((resolve) => (timer = setTimeout(resolve, QUEUE_COUNT_TIMEOUT_MS)))]);
  clearTimeout(timer);
}
