/**
 * What an operator sees of a running service: the trigger's last tick and its decisions in /metrics
 * (a stalled trigger is visible), the request id carried into the jobs a request enqueues and into the
 * worker's lines about them, job failures told apart by whether a retry follows, model freshness, and
 * error lines that carry the request id once, without made-up stacks. Real Redis, the in-process service.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { startService, type RunningService } from '../../src/main';
import { createLogger } from '../../src/log';
import { QUEUE } from '../../src/queue/names';
import { deleteKeys, KEYS, REDIS_URL, testEnv } from '../support/service';
import { Redis } from 'ioredis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const admin = { 'X-API-Key': KEYS.admin };
const planner = { 'X-API-Key': KEYS.planner };
const MIN = 60_000;

const GROUP = {
  id: 'PS', name: 'Private service', timeZone: 'UTC', intervalMinutes: 15, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
  ahtSeconds: 180, patienceSeconds: 120, shrinkage: 0.3, maxOccupancy: 0.95, channel: 'voice', overflowTo: [],
};

/** The value of one series in a Prometheus text answer (labels as written), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('observability of a running service', () => {
  const prefix = `test-${randomUUID()}`;
  const clock = { t: Math.floor(Date.UTC(2026, 2, 2, 10, 0) / MIN) * MIN };
  const lines: Array<Record<string, unknown>> = [];
  let service: RunningService;
  let http: ReturnType<typeof request>;

  async function waitForJob(queue: string, jobId: string) {
    for (let i = 0; i < 200; i++) {
      const job = (await http.get(`/jobs/${queue}/${jobId}`).set(planner).expect(200)).body;
      if ((job.state === 'completed' && job.result != null) || job.state === 'failed') return job;
      await sleep(50);
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    service = await startService(testEnv(prefix, { TRIGGER_TICK_CRON: 'off', LOG_LEVEL: 'info' }), {
      now: () => clock.t,
      log: createLogger('info', 'wfm', sink),
      validateResponses: true,
    });
    http = request(service.server!);
    await http.post('/skill-groups').set(admin).send([GROUP]).expect(200);
  });

  afterAll(async () => {
    await service.shutdown('test finished');
    await deleteKeys(prefix);
  });

  test('when no tick has run, then /metrics has no last-tick time; after a tick holding a group with no feed, then it shows the tick, the held group and the decision by reason', async () => {
    const before = (await http.get('/metrics').expect(200)).text;
    expect(before).toContain('# TYPE wfm_trigger_last_tick_timestamp_seconds gauge');
    expect(sample(before, 'wfm_trigger_last_tick_timestamp_seconds')).toBeUndefined();

    // a policy but no realtime feed at all: the group is held (feed-stale), nobody is called
    await http.put('/skill-groups/PS/trigger-policy').set(admin).send({ mode: 'predictive' }).expect(200);
    const res = await http.post('/trigger/ticks').set(planner).set('X-Request-Id', 'obs-tick-1').expect(202);
    const job = await waitForJob(QUEUE.triggerTick, res.body.jobId);
    expect(job.state).toBe('completed');

    const text = (await http.get('/metrics').expect(200)).text;
    expect(sample(text, 'wfm_trigger_last_tick_timestamp_seconds')).toBe(clock.t / 1000);
    expect(sample(text, 'wfm_trigger_groups_feed_stale')).toBe(1);
    expect(sample(text, 'wfm_trigger_groups_skipped')).toBe(0);
    expect(sample(text, 'wfm_trigger_decisions_total{reason="feed-stale"}')).toBe(1);

    // a later tick moves the time; one finding every group done this minute keeps the held count
    clock.t += MIN;
    await waitForJob(QUEUE.triggerTick, (await http.post('/trigger/ticks').set(planner).expect(202)).body.jobId);
    const later = (await http.get('/metrics').expect(200)).text;
    expect(sample(later, 'wfm_trigger_last_tick_timestamp_seconds')).toBe(clock.t / 1000);
    expect(sample(later, 'wfm_trigger_decisions_total{reason="feed-stale"}')).toBe(2);
  });

  test('when a request enqueues a job, then the job carries its request id and the worker says when the job started and completed, naming it', async () => {
    clock.t += MIN;
    const res = await http.post('/trigger/ticks').set(planner).set('X-Request-Id', 'obs-tick-2').expect(202);
    const jobId = res.body.jobId as string;
    await waitForJob(QUEUE.triggerTick, jobId);
    const stored = await service.queues.get(QUEUE.triggerTick).getJob(jobId);
    expect(stored?.data).toEqual({ requestId: 'obs-tick-2' });
    // the completion line is written after the result: wait for it
    for (let i = 0; i < 40 && !lines.some((l) => l.msg === 'job completed' && l.jobId === jobId); i++) await sleep(25);
    const ofJob = lines.filter((l) => l.jobId === jobId);
    const started = ofJob.filter((l) => l.msg === 'job started');
    const completed = ofJob.filter((l) => l.msg === 'job completed');
    expect(started).toEqual([expect.objectContaining({ level: 30, queue: QUEUE.triggerTick, requestId: 'obs-tick-2', keyPrefix: prefix })]);
    expect(completed).toEqual([expect.objectContaining({ level: 30, queue: QUEUE.triggerTick, requestId: 'obs-tick-2', durationMs: expect.any(Number) })]);
    // what the job itself logs (the held group's warning) names the request and the job too
    expect(ofJob).toContainEqual(expect.objectContaining({ level: 40, msg: 'trigger tick held a skill group: its realtime feed is stale', queue: QUEUE.triggerTick, requestId: 'obs-tick-2' }));
  });

  test('when a request fails unexpectedly (a stored value that does not read), then one line says the error with its stack and the request id, and the request line has no made-up stack', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      await redis.hset(`${prefix}:skill-groups`, 'BROKEN', '{not json');
    } finally {
      await redis.quit();
    }
    const res = await http.get('/skill-groups').set(planner).set('X-Request-Id', 'obs-broken-1');
    expect(res.status).toBe(500);
    await sleep(50);
    const ofRequest = lines.filter((l) => (l.req as { id?: string } | undefined)?.id === 'obs-broken-1' || l.requestId === 'obs-broken-1');
    const withStack = ofRequest.filter((l) => typeof (l.err as { stack?: string } | undefined)?.stack === 'string');
    expect(withStack).toHaveLength(1);
    expect(withStack[0]).toMatchObject({ level: 50, msg: 'unhandled error in request' });
    expect((withStack[0].err as { stack: string }).stack).not.toMatch(/failed with status code/);
    expect(ofRequest).toContainEqual(expect.objectContaining({ msg: 'request errored', res: expect.objectContaining({ statusCode: 500 }) }));
    await (async () => {
      const redis2 = new Redis(REDIS_URL);
      await redis2.hdel(`${prefix}:skill-groups`, 'BROKEN');
      await redis2.quit();
    })();
  });
});

describe('observability while Redis is unreachable', () => {
  test('then each 503 is one warning line with the request id and no stack, and the deployment-wide gauges say nothing rather than 0', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    // nothing listens on port 1: refused at once, like a Redis that is down
    const service = await startService(testEnv(`test-${randomUUID()}`, { REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'info' }), { jobs: [], log: createLogger('info', 'wfm', sink) });
    try {
      const http = request(service.server!);
      await http.get('/skill-groups').set(planner).set('X-Request-Id', 'obs-down-1').expect(503);
      await sleep(50);
      const ofRequest = lines.filter((l) => (l.req as { id?: string } | undefined)?.id === 'obs-down-1');
      expect(ofRequest.length).toBeGreaterThan(0);
      expect(ofRequest.every((l) => (l.level as number) <= 40)).toBe(true);
      expect(ofRequest.some((l) => l.err !== undefined)).toBe(false);
      expect(ofRequest).toContainEqual(expect.objectContaining({ level: 40, code: 'unavailable' }));

      const text = (await http.get('/metrics').expect(200)).text;
      expect(text).toContain('# TYPE wfm_callout_dead_letters gauge');
      expect(sample(text, 'wfm_callout_dead_letters')).toBeUndefined();
      expect(sample(text, 'wfm_trigger_last_tick_timestamp_seconds')).toBeUndefined();
    } finally {
      await service.shutdown('test finished');
    }
  });
});
