import net from 'node:net';
import express from 'express';
import request from 'supertest';
import { startTestService, suiteStore, KEYS, type TestService } from '../support/service';
import { refuseWhenBacklogged } from '../../src/http/backpressure';
import { problemHandler } from '../../src/http/problem';
import { createLogger } from '../../src/log';
import type { Queues } from '../../src/queue/queues';
import { stationarySpec } from '../sim/fixtures';
import { WAITING_LIMITS } from '../../src/http/backpressure';
import { QUEUE } from '../../src/queue/names';

describe('work-starting requests while their queue is full', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  beforeAll(async () => {
    // no simulate worker in this process: every simulation stays waiting
    t = await startTestService({ TRIGGER_TICK_CRON: 'off' }, { workersOnly: ['build-roster'] });
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the simulate queue holds its most waiting jobs, then another simulation is a 429 with Retry-After and nothing is queued; a replay of an accepted one still answers', async () => {
    const spec = stationarySpec({ agents: 10, callsPerHour: 150, hours: 2, replications: 1, seed: 7 });
    const limit = WAITING_LIMITS[QUEUE.simulate];
    let first: { body: unknown } | undefined;
    for (let i = 0; i < limit; i++) {
      const res = await t.http.post('/simulations').set({ ...planner, 'Idempotency-Key': `sim-${i}` }).send(spec).expect(202);
      first ??= res;
    }
    const refused = await t.http.post('/simulations').set(planner).send(spec);
    expect(refused.status).toBe(429);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body.detail).toMatch(new RegExp(`${limit} simulate jobs are waiting already`));
    expect(await t.service.queues.get(QUEUE.simulate).getWaitingCount()).toBe(limit);
    // the same request again under its Idempotency-Key is answered as the first time, full queue or not
    const replay = await t.http.post('/simulations').set({ ...planner, 'Idempotency-Key': 'sim-0' }).send(spec).expect(202);
    expect(replay.body).toEqual(first!.body);
  });

  test('when many more ticks than the limit are asked for at the same moment, then at most the limit are queued and the rest are 429s', async () => {
    const limit = WAITING_LIMITS[QUEUE.triggerTick];
    const statuses = await simultaneously(t.service.port!, 6 * limit, `POST /trigger/ticks HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEYS.planner}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    const accepted = statuses.filter((s) => s === 202).length;
    expect(statuses.filter((s) => s !== 202)).toEqual(Array(6 * limit - accepted).fill(429));
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(limit);
    expect(await t.service.queues.get(QUEUE.triggerTick).getWaitingCount()).toBe(accepted);
    // every place taken in the burst was given back: with the queue emptied, a tick is accepted again
    await t.service.queues.get(QUEUE.triggerTick).drain();
    await t.http.post('/trigger/ticks').set(planner).expect(202);
  });
});

describe('a burst of work-starting requests, one process or several', () => {
  const store = suiteStore('backpressure');

  test('when twenty requests arrive together and each takes a while to queue its job, then no more than the limit get through, in one process or spread over two', async () => {
    const limit = WAITING_LIMITS[QUEUE.triggerTick];
    let waiting = 0;
    const queues = { get: () => ({ getWaitingCount: async () => waiting }) } as unknown as Queues;
    // two API processes: each its own app, sharing the Redis (and so the reservations)
    const apps = [0, 1].map(() => {
      const app = express();
      app.post('/work', refuseWhenBacklogged(queues, QUEUE.triggerTick, store().redis, store().keys.prefix + ':backpressure:tick'), async (_req, res) => {
        // what a route does before its job waits in the queue (reads, checks): the window a burst fell into
        await new Promise((r) => setTimeout(r, 30));
        waiting++;
        res.status(202).json({});
      });
      app.use(problemHandler(createLogger('silent')));
      return request(app);
    });
    const statuses = (await Promise.all(Array.from({ length: 20 }, (_, i) => apps[i % 2].post('/work')))).map((r) => r.status);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(limit);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 202).every((s) => s === 429)).toBe(true);
    expect(waiting).toBeLessThanOrEqual(limit);
  });
});

/**
 * Sends the request on `count` connections opened beforehand, all written in one go: they arrive
 * together, as a client's burst does (one connection after another, each request is nearly done before
 * the next comes). Resolves the answers' status codes.
 */
async function simultaneously(port: number, count: number, rawRequest: string): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    })),
  );
  const answers = sockets.map((socket) => new Promise<number>((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.once('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.once('error', reject);
  }));
  for (const socket of sockets) socket.write(rawRequest);
  return Promise.all(answers);
}
