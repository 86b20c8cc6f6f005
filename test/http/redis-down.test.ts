import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startService } from '../../src/main';
import { testEnv, KEYS } from '../support/service';
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
