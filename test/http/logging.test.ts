/**
 * What the request log may hold: with the service's own logger (its redaction), no API key, claim token
 * or dashboard cookie reaches a log line, whichever header carried it.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { startService, type RunningService } from '../../src/main';
import { createLogger } from '../../src/log';
import { dashboardCookieName } from '../../src/http/auth';
import { deleteKeys, KEYS, testEnv } from '../support/service';
import { stationarySpec } from '../sim/fixtures';

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
    // named per deployment: two deployments on one host share the browser's cookies
    const cookie = dashboardCookieName(prefix);
    expect(link.headers['set-cookie']?.[0]).toMatch(new RegExp(`^${cookie}=`));
    expect(cookie).not.toBe(dashboardCookieName(`${prefix}-b`));
    // the dashboard's assets and polls carry its first address (?key=…) as their Referer
    await http.get('/admin/queues/api/queues').set('Cookie', `${cookie}=${KEYS.admin}`).set('Referer', `http://localhost/admin/queues?key=${KEYS.admin}`).expect(200);
    await http.get('/admin/queues/api/queues').set('Cookie', `${dashboardCookieName('another')}=${KEYS.admin}`).expect(401);
    // an SMS gateway's signed answer: its signature is a credential while fresh
    await http.post('/callouts/inbound').set('X-Wfm-Signature', 't=1,v1=signature-of-the-gateway').type('application/json').send('{}');

    const logged = lines.join('');
    expect(logged).toContain('request completed');
    for (const secret of [KEYS.admin, KEYS.planner, 'some-claim-token.with-a-mac', 'signature-of-the-gateway']) expect(logged).not.toContain(secret);
  });
});

describe('the latency metric', () => {
  const prefix = `test-${randomUUID()}`;
  let service: RunningService;
  beforeAll(async () => {
    service = await startService(testEnv(prefix, { TRIGGER_TICK_CRON: 'off' }), { validateResponses: true, jobs: [] });
  });
  afterAll(async () => {
    await service.shutdown('test finished');
    await deleteKeys(prefix);
  });

  test('when requests reach routes registered under several paths at once, or are refused before any route, then each is labelled with the one contract path it fell under', async () => {
    const http = request(service.server!);
    const planner = { 'X-API-Key': KEYS.planner };
    await http.post('/rosters/no-such-roster/replan').set(planner).send({});
    await http.post('/rosters/no-such-roster/drills').set(planner).send({});
    await http.get('/skill-groups/NE').expect(401);
    await http.get('/health').expect(200);
    // answered from within the middleware every work-starting POST passes (app.post([...paths])): the same key, another body
    const spec = (seed: number) => stationarySpec({ agents: 5, callsPerHour: 60, hours: 1, replications: 1, seed });
    await http.post('/simulations').set({ ...planner, 'Idempotency-Key': 'label-1' }).send(spec(1)).expect(202);
    await http.post('/simulations').set({ ...planner, 'Idempotency-Key': 'label-1' }).send(spec(2)).expect(422);
    const text = (await http.get('/metrics').expect(200)).text;
    const routes = new Set([...text.matchAll(/^wfm_http_request_duration_seconds_count\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    expect(routes).toEqual(new Set(['/rosters/{rosterId}/replan', '/rosters/{rosterId}/drills', '/skill-groups/{skillGroupId}', '/health', '/simulations']));
  });
});
