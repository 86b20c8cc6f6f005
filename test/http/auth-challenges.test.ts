/**
 * Every 401 carries a WWW-Authenticate challenge for its credential (RFC 9110 §15.5.2); paths that only
 * begin like the docs or the dashboard are no such page (404 problem+json); the ingest role reads no job.
 */
import { KEYS, startTestService, type TestService } from '../support/service';
import { CLAIM_SECRET } from './rosters-fixtures';

const API = 'Bearer realm="wfm-api"';
const API_REFUSED = 'Bearer realm="wfm-api", error="invalid_token"';

describe('authentication challenges, path boundaries and job reads', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET, WEBHOOK_SECRET: 'webhook-secret-0123456789' });
  });
  afterAll(() => t.stop());

  test('when an API key is missing or unknown, then the 401 challenges for a Bearer key of the API realm (invalid_token when one was sent)', async () => {
    const cases: Array<[string, () => ReturnType<TestService['http']['get']>, string]> = [
      ['no key', () => t.http.get('/skill-groups'), API],
      ['an unknown X-API-Key', () => t.http.get('/skill-groups').set('X-API-Key', 'nope-nope-nope-nope'), API_REFUSED],
      ['an unknown Bearer key', () => t.http.post('/history').set('Authorization', 'Bearer nope-nope-nope-nope').type('text/csv').send('x'), API_REFUSED],
      ['the dashboard without a key', () => t.http.get('/admin/queues'), API],
      ['the dashboard with an unknown key', () => t.http.get('/admin/queues?key=nope-nope-nope-nope'), API_REFUSED],
    ];
    for (const [what, request, challenge] of cases) {
      const res = await request();
      expect([what, res.status, res.type, res.headers['www-authenticate']]).toEqual([what, 401, 'application/problem+json', challenge]);
    }
    // a request let in, or refused for its role, carries no challenge
    expect((await t.http.get('/skill-groups').set('X-API-Key', KEYS.planner)).headers['www-authenticate']).toBeUndefined();
    const forbidden = await t.http.get('/skill-groups').set('X-API-Key', KEYS.ingest);
    expect([forbidden.status, forbidden.headers['www-authenticate']]).toEqual([403, undefined]);
  });

  test('when a cloud agent\'s claim token is missing, forged or expired, then the 401 challenges for a Bearer claim token of its own realm', async () => {
    const missing = await t.http.get('/me/slots');
    expect([missing.status, missing.headers['www-authenticate']]).toEqual([401, 'Bearer realm="wfm-cloud-agents"']);
    for (const token of ['forged.token', KEYS.admin]) {
      const res = await t.http.get('/me/claims').set('Authorization', `Bearer ${token}`);
      expect([token, res.status, res.headers['www-authenticate']]).toEqual([token, 401, 'Bearer realm="wfm-cloud-agents", error="invalid_token"']);
    }
  });

  test('when the SMS gateway\'s signature is missing or wrong, then the 401 challenges for the signature scheme and names its header', async () => {
    for (const signature of [undefined, 't=1,v1=' + '0'.repeat(64)]) {
      const req = t.http.post('/callouts/inbound').type('application/json');
      const res = await (signature ? req.set('X-Wfm-Signature', signature) : req).send('{"calloutId":"co_1","answer":"accept"}');
      expect([signature, res.status, res.headers['www-authenticate']]).toEqual([signature, 401, 'WFM-HMAC-SHA256 realm="wfm-sms-gateway", header="X-Wfm-Signature"']);
    }
  });

  test('when a path only begins like /docs, /admin or /openapi.yaml, then a valid key gets a 404 problem+json (not express\'s HTML page); the real ones still answer', async () => {
    const admin = { 'X-API-Key': KEYS.admin };
    for (const path of ['/adminx', '/docsfoo', '/ADMINISTRATION', '/openapi.yamlx', '/admin/nothing-here']) {
      const res = await t.http.get(path).set(admin);
      expect([path, res.status, res.type]).toEqual([path, 404, 'application/problem+json']);
      expect(res.body).toMatchObject({ status: 404, title: 'Not found' });
    }
    await t.http.get('/admin/queues').set(admin).expect(200);
    expect((await t.http.get('/docs/').redirects(1)).status).toBe(200);
    expect((await t.http.get('/openapi.yaml')).text).toContain('openapi: 3.0.3');
  });

  test('when the ingest role reads a job, then 403 (it starts none, and trigger-tick ids are sequential); planners still read jobs', async () => {
    const ingest = await t.http.get('/jobs/trigger-tick/1').set('X-API-Key', KEYS.ingest);
    expect([ingest.status, ingest.type]).toEqual([403, 'application/problem+json']);
    expect(ingest.body.detail).toMatch(/needs the role planner or admin/);
    expect((await t.http.get('/jobs/trigger-tick/1').set('X-API-Key', KEYS.planner)).status).toBe(404);
  });
});
