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
  readonly jobFailures = new client.Counter({
    name: 'wfm_job_failures_total',
    help: 'Failed job attempts',
    labelNames: ['queue'],
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
    new client.Gauge({
      name: 'wfm_callout_dead_letters',
      help: 'Callout messages given up on, kept within TRIGGER_RECORD_RETENTION_DAYS (read from Redis at scrape time)',
      registers: [this.registry],
      async collect() {
        await withinScrapeTimeout(count().then((n) => this.set(n)).catch(() => undefined));
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

/** Waits for a Redis read of a scrape at most QUEUE_COUNT_TIMEOUT_MS: a hanging Redis must not hang the scrape. */
async function withinScrapeTimeout(read: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([read, new Promise<void>((resolve) => (timer = setTimeout(resolve, QUEUE_COUNT_TIMEOUT_MS)))]);
  clearTimeout(timer);
}
