/** Liveness, readiness and metrics: public, so probes and Prometheus need no key. */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Metrics } from '../metrics';
import type { WorkerState } from '../../queue/worker-pool';

export interface ReadinessSources {
  redis: Redis;
  workers: () => Record<string, WorkerState>;
  shuttingDown: () => boolean;
}

export function operationsRoutes(metrics: Metrics, sources: ReadinessSources, startedAt: number, now: () => number): Router {
  const r = Router();
  r.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((now() - startedAt) / 1000) });
  });
  r.get('/ready', async (_req, res) => {
    const redisUp = await Promise.race([
      sources.redis.ping().then(() => true, () => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
    ]);
    const workers = sources.workers();
    const ready = redisUp && !sources.shuttingDown() && Object.values(workers).every((s) => s === 'running');
    // shutting down is said as such: a load balancer's log then shows a drain, not an outage
    const status = ready ? 'ready' : sources.shuttingDown() ? 'shutting-down' : 'not-ready';
    res.status(ready ? 200 : 503).json({ status, redis: redisUp ? 'up' : 'down', workers });
  });
  r.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return r;
}
