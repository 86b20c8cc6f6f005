/**
 * What the request log may hold: with the service's own logger (its redaction), no API key, claim token
 * or dashboard cookie reaches a log line, whichever header carried it.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { startService, type RunningService } from '../../src/main';
import { createLogger } from '../../src/log';
import { DASHBOARD_COOKIE } from '../../src/http/auth';
import { deleteKeys, KEYS, testEnv } from '../support/service';

describe('request logs', () => {
  const prefix = `test-${randomUUID()}`;
  const lines: string[] = [];
  let service: RunningService;

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    service = await startService(testEnv(prefix, { LOG_LEVEL: 'info', CLAIM_TOKEN_SECRET: 'claim-secret-0123456789abcdef' }), { log: createLogger('info', 'wfm', sink), validateResponses: true });
  });
  afterAll(async () => {
    await service.shutdown('test finished');
    await deleteKeys(prefix);
  });

  test('when keys come as a header, a bearer token, a dashboard link or its cookie, or a gateway signs an answer, then no log line holds them', async () => {
    const http = request(service.server!);
    await http.get('/skill-groups').set('X-API-Key', KEYS.admin).expect(200);
    await http.get('/skill-groups').set('Authorization', `Bearer ${KEYS.planner}`).expect(200);
    await http.get('/me/slots').set('Authorization', 'Bearer some-claim-token.with-a-mac');
    const link = await http.get(`/admin/queues?key=${KEYS.admin}`);
    expect(link.headers['set-cookie']?.[0]).toContain(DASHBOARD_COOKIE);
    await http.get('/admin/queues/api/queues').set('Cookie', `${DASHBOARD_COOKIE}=${KEYS.admin}`);
    // an SMS gateway's signed answer: its signature is a credential while fresh
    await http.post('/callouts/inbound').set('X-Wfm-Signature', 't=1,v1=signature-of-the-gateway').type('application/json').send('{}');

    const logged = lines.join('');
    expect(logged).toContain('request completed');
    for (const secret of [KEYS.admin, KEYS.planner, 'some-claim-token.with-a-mac', 'signature-of-the-gateway']) expect(logged).not.toContain(secret);
  });
});
