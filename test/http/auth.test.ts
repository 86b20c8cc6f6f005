import { Redis } from 'ioredis';
import { startTestService, KEYS, REDIS_URL, type TestService } from '../support/service';
import { agent, skillGroup } from '../support/examples';

describe('authentication and roles', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when no key is sent, then 401 problem+json', async () => {
    const res = await t.http.get('/skill-groups');
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  test('when an unknown key is sent, then 401', async () => {
    await t.http.get('/skill-groups').set('X-API-Key', 'nope-nope-nope-nope').expect(401);
  });

  test('when a planner writes configuration, then 403 before the body is even validated', async () => {
    const res = await t.http.put('/skill-groups/PS').set('X-API-Key', KEYS.planner).send({ not: 'a skill group' });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('admin');
  });

  test('when the ingest role reads configuration, then 403', async () => {
    await t.http.get('/skill-groups').set('X-API-Key', KEYS.ingest).expect(403);
  });

  test('when a path is written in other letter case, then the same roles hold (express and the contract route it as the lower-case path)', async () => {
    const planner = { 'X-API-Key': KEYS.planner };
    const ingest = { 'X-API-Key': KEYS.ingest };
    expect((await t.http.put('/SKILL-GROUPS/PS').set(planner).send(skillGroup())).status).toBe(403);
    expect((await t.http.post('/Skill-Groups').set(planner).send([skillGroup()])).status).toBe(403);
    expect((await t.http.put('/AGENTS/C001').set(planner).send({})).status).toBe(403);
    expect((await t.http.get('/AGENTS').set(ingest)).status).toBe(403);
    expect((await t.http.post('/ROSTERS').set(ingest).send({})).status).toBe(403);
    expect((await t.http.post('/Agents/C001/claim-token').set(ingest).send({})).status).toBe(403);
    // and an admin's request in odd case is what it would be in lower case
    await t.http.put('/Skill-Groups/PS').set('X-API-Key', KEYS.admin).send(skillGroup()).expect(200);
  });

  test('when a bearer token carries the admin key, then configuration can be written', async () => {
    await t.http.put('/skill-groups/PS').set('Authorization', `Bearer ${KEYS.admin}`).send(skillGroup()).expect(200);
  });

  test('when probes and docs are requested without a key, then they answer', async () => {
    await t.http.get('/health').expect(200);
    expect((await t.http.get('/ready')).body).toMatchObject({ status: 'ready', redis: 'up' });
    const metrics = await t.http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('wfm_http_request_duration_seconds');
    // the dead letters kept in Redis, read at scrape time: an operator alerts on it rising (a gateway down)
    expect(metrics.text).toMatch(/^wfm_callout_dead_letters 0$/m);
    const redis = new Redis(REDIS_URL);
    await redis.lpush(`${t.prefix}:trigger:dead-letters`, JSON.stringify({ calloutId: 'co_1', at: Date.now() }));
    redis.disconnect();
    expect((await t.http.get('/metrics')).text).toMatch(/^wfm_callout_dead_letters 1$/m);
    expect((await t.http.get('/docs/').redirects(1)).status).toBe(200);
  });

  test('when answers depend on the key, then no shared cache keeps them: private and revalidated (ETag, 304), agents not stored at all', async () => {
    const admin = { 'X-API-Key': KEYS.admin };
    await t.http.post('/skill-groups').set(admin).send([skillGroup({ id: 'CC' })]).expect(200);
    await t.http.post('/agents').set(admin).send([agent({ id: 'CC1', skills: [{ skillGroupId: 'CC' }], phone: '+972501234567' })]).expect(200);

    const groups = await t.http.get('/skill-groups').set(admin).expect(200);
    expect(groups.headers['cache-control']).toBe('private, no-cache');
    expect(groups.headers.vary).toMatch(/X-API-Key/i);
    expect(groups.headers.vary).toMatch(/Authorization/i);
    // the ETag it sends is the one a revalidation names (the contract's NotModified answer)
    await t.http.get('/skill-groups').set(admin).set('If-None-Match', groups.headers.etag).expect(304);
    // an admin sees the phone in clear: nobody keeps that answer
    const person = await t.http.get('/agents/CC1').set(admin).expect(200);
    expect(person.body.phone).toBe('+972501234567');
    expect(person.headers['cache-control']).toBe('no-store');
    expect((await t.http.get('/agents').set(admin).expect(200)).headers['cache-control']).toBe('no-store');
    // refusals too: a 401 is no answer to keep for the next caller either
    expect((await t.http.get('/skill-groups').expect(401)).headers['cache-control']).toBe('private, no-cache');
  });

  test('when a request carries an X-Request-Id, then the answer returns it; without one, the service makes one', async () => {
    const given = await t.http.get('/health').set('X-Request-Id', 'gw-4711');
    expect(given.headers['x-request-id']).toBe('gw-4711');
    const made = await t.http.get('/skill-groups').set('X-API-Key', KEYS.planner);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('when a planner opens the queue dashboard, then 403 and no cookie keeps their key; an admin gets it', async () => {
    await t.http.get('/admin/queues').set('X-API-Key', KEYS.planner).expect(403);
    const refused = await t.http.get(`/admin/queues?key=${KEYS.planner}`);
    expect(refused.status).toBe(403);
    expect(refused.headers['set-cookie']).toBeUndefined();
    // the refused key is not repeated in the answer
    expect(refused.text).not.toContain(KEYS.planner);
    expect(refused.body.instance).toBe('/admin/queues?key=[redacted]');
    // a percent-encoded name is the same parameter to the server, so it is redacted too
    const encoded = await t.http.get(`/admin/queues?%6Bey=${KEYS.planner}&other=1`);
    expect(encoded.status).toBe(403);
    expect(encoded.body.instance).toBe('/admin/queues?%6Bey=[redacted]&other=1');
    const res = await t.http.get(`/admin/queues?key=${KEYS.admin}`);
    expect(res.status).toBe(200);
    const cookie = res.headers['set-cookie'][0];
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Max-Age=43200$/);
    // behind a proxy that terminated HTTPS, the cookie is for HTTPS only
    expect((await t.http.get(`/admin/queues?key=${KEYS.admin}`).set('X-Forwarded-Proto', 'https')).headers['set-cookie'][0]).toMatch(/; Secure$/);
    // the cookie opens the dashboard and nothing else
    const sent = cookie.split(';')[0];
    await t.http.get('/admin/queues').set('Cookie', sent).expect(200);
    await t.http.get('/agents').set('Cookie', sent).expect(401);
    // a cookie that decodes to no key at all is no key either (it was a 500)
    await t.http.get('/admin/queues').set('Cookie', `${sent.split('=')[0]}=%E0%A4%A`).expect(401);
  });

  test('when a large batch of agents breaks the contract in every item, then the first problems are named as for a small batch and the rest counted, quickly', async () => {
    const admin = { 'X-API-Key': KEYS.admin };
    const small = await t.http.post('/agents').set(admin).send([{}, {}]);
    const large = await t.http.post('/agents').set(admin).send(Array.from({ length: 10_000 }, () => ({})));
    expect(large.status).toBe(400);
    expect(large.type).toBe('application/problem+json');
    expect(large.body.errors.slice(0, 10)).toEqual(small.body.errors.slice(0, 10));
    // every item's problems counted (five each), the first 100 listed
    expect(large.body.errors).toHaveLength(101);
    expect(large.body.errors[100]).toEqual({ where: '/body', message: '… and 49900 more' });

    // one agent with a huge nested array: its first problem is named (every error of it took ajv minutes)
    const agent = { id: 'C001', name: 'C', kind: 'cloud', skills: [{ skillGroupId: 'PS' }], contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 20, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } };
    const nested = await t.http.put('/agents/C001').set(admin).send({ ...agent, skills: Array.from({ length: 40_000 }, () => ({})) });
    expect(nested.status).toBe(400);
    expect(nested.body.errors[0]).toEqual({ where: '/body/skills', message: 'must NOT have more than 200 items' });
    expect(nested.body.errors.at(-1).message).toMatch(/checking stopped at the first problem of a large body/);
    // a large batch that keeps the contract is stored as ever
    const many = Array.from({ length: 300 }, (_, k) => ({ ...agent, id: `C${String(k).padStart(3, '0')}` }));
    await t.http.put('/skill-groups/PS').set(admin).send(skillGroup()).expect(200);
    await t.http.post('/agents').set(admin).send(many).expect(200);
  });

  test('when the body exceeds the limit, then 413 problem+json', async () => {
    const small = await startTestService({ BODY_LIMIT: '1kb' });
    try {
      const res = await small.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send(Array.from({ length: 20 }, (_, i) => skillGroup({ id: `G${i}` })));
      expect(res.status).toBe(413);
      expect(res.type).toBe('application/problem+json');
    } finally {
      await small.stop();
    }
  });

  test('when a path is not in the contract, then 404 problem+json', async () => {
    const res = await t.http.get('/nowhere').set('X-API-Key', KEYS.admin);
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
  });
});
