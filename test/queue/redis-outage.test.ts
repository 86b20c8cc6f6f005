/**
 * Workers while Redis is away: what they log, and how they stop. The outage is a TCP proxy in front of
 * the real Redis that is closed (every connection cut, new ones refused) and opened again.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { startService } from '../../src/main';
import type { JobDefinition } from '../../src/queue/definitions';
import { deleteKeys, REDIS_URL, testEnv } from '../support/service';
import { capturedLog } from '../support/log-capture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/** A proxy to the test Redis that can be taken down and brought back on the same port. */
class RedisProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async up(): Promise<void> {
    const target = new URL(REDIS_URL);
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}${new URL(REDIS_URL).pathname}`;
  }
}

const idleJob = (queue: string): JobDefinition => ({ queue, description: 'test job', concurrency: 1, processor: () => async () => ({ done: true }) });


describe('workers during a Redis outage', () => {
  const prefix = `test-${randomUUID()}`;
  afterAll(() => deleteKeys(prefix));

  test('when Redis goes away for a while and comes back, then the workers log the loss once (warn) and the recovery once (info), not every reconnect attempt', async () => {
    const proxy = new RedisProxy();
    await proxy.up();
    const { log, lines } = capturedLog();
    const service = await startService(testEnv(prefix, { REDIS_URL: proxy.url }), { jobs: [idleJob(`a-${randomUUID()}`), idleJob(`b-${randomUUID()}`)], http: false, log });
    try {
      await proxy.down();
      await sleep(2_500); // several reconnect attempts of every worker connection
      await proxy.up();
      await until('the recovery is logged', () => lines.some((l) => String(l.msg).startsWith('Redis connection back')));
      await sleep(300);
    } finally {
      await service.shutdown('test');
      await proxy.down();
    }
    expect(lines.filter((l) => String(l.msg).startsWith('Redis connection lost'))).toEqual([expect.objectContaining({ level: 40 })]);
    expect(lines.filter((l) => String(l.msg).startsWith('Redis connection back'))).toEqual([expect.objectContaining({ level: 30 })]);
    expect(lines.filter((l) => l.msg === 'worker error')).toEqual([]);
  }, 20_000);

  test('when a worker holding no job is stopped while Redis is away, then it closes at once and says nothing of unfinished jobs', async () => {
    const proxy = new RedisProxy();
    await proxy.up();
    const { log, lines } = capturedLog();
    const service = await startService(testEnv(prefix, { REDIS_URL: proxy.url, SHUTDOWN_GRACE_SECONDS: '4' }), { jobs: [idleJob(`c-${randomUUID()}`)], http: false, log });
    await proxy.down();
    await sleep(300); // the worker connections have noticed
    const started = Date.now();
    await service.shutdown('SIGTERM');
    const took = Date.now() - started;
    expect(took).toBeLessThan(1_500);
    expect(lines.filter((l) => String(l.msg).includes('unfinished jobs'))).toEqual([]);
  }, 20_000);
});
