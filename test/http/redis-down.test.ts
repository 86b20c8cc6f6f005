import { randomUUID } from 'node:crypto';
import net from 'node:net';
import request from 'supertest';
import { startService } from '../../src/main';
import { testEnv, KEYS, REDIS_URL } from '../support/service';
import { COMMAND_TIMEOUT_MS } from '../../src/store/redis';
import { skillGroup } from '../support/examples';

describe('when Redis is unreachable', () => {
  test('then API calls fail fast with 503 problem+json and /ready says not ready', async () => {
    // nothing listens on port 1: the connection is refused at once, like a Redis that is down
    const service = await startService(testEnv(`test-${randomUUID()}`, { REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      const http = request(service.server!);
      const started = Date.now();
      const res = await http.get('/skill-groups').set('X-API-Key', KEYS.planner);
      expect(res.status).toBe(503);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.detail).toContain('Redis');
      expect(Date.now() - started).toBeLessThan(3000);

      const write = await http.put('/skill-groups/PS').set('X-API-Key', KEYS.admin).send(skillGroup());
      expect(write.status).toBe(503);

      const ready = await http.get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not-ready', redis: 'down' });
      await http.get('/health').expect(200);
    } finally {
      await service.shutdown('test finished');
    }
  });
});

describe('when Redis hangs (connected, answering nothing)', () => {
  test('then API calls answer 503 within the command timeout and /metrics still answers', async () => {
    // a proxy in front of the real Redis that stops passing bytes on, like a Redis under SIGSTOP
    let frozen = false;
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
      sockets.push(client, upstream);
      client.on('data', (d) => { if (!frozen) upstream.write(d); });
      upstream.on('data', (d) => { if (!frozen) client.write(d); });
      for (const s of [client, upstream]) s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const service = await startService(testEnv(`test-${randomUUID()}`, { REDIS_URL: `redis://127.0.0.1:${(proxy.address() as net.AddressInfo).port}` }), { jobs: [] });
    try {
      const http = request(service.server!);
      await http.get('/skill-groups').set('X-API-Key', KEYS.planner).expect(200);
      frozen = true;
      const started = Date.now();
      const res = await http.get('/skill-groups').set('X-API-Key', KEYS.planner);
      expect(res.status).toBe(503);
      expect(res.type).toBe('application/problem+json');
      expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 3000);
      const scrape = Date.now();
      await http.get('/metrics').expect(200);
      expect(Date.now() - scrape).toBeLessThan(5000);
    } finally {
      frozen = false;
      for (const s of sockets) s.destroy();
      await service.shutdown('test finished');
      proxy.close();
    }
  }, 40_000);
});
