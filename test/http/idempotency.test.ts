import express from 'express';
import request from 'supertest';
import { startTestService, suiteStore, KEYS, type TestService } from '../support/service';
import { stationarySpec } from '../sim/fixtures';
import { idempotentRequests } from '../../src/http/idempotency';
import { problemHandler } from '../../src/http/problem';
import { createLogger } from '../../src/log';
import { FAST_RULES, FROM, ZONE, partners, startRosterWorld, waitForRoster } from './rosters-fixtures';

describe('Idempotency-Key on the POSTs that start work', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const spec = stationarySpec({ agents: 5, callsPerHour: 60, hours: 1, replications: 1, seed: 3 });
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a planner sends the same simulation twice with one key, then the second answer is the first one and no second job starts', async () => {
    const first = await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'sim-retry-1').send(spec).expect(202);
    const again = await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'sim-retry-1').send(spec).expect(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // the status to poll, kept with the replay
    expect(first.headers.location).toBe(first.body.status);
    expect(again.headers.location).toBe(first.body.status);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // without a key every POST is a new job
    const fresh = await t.http.post('/simulations').set(planner).send(spec).expect(202);
    expect(fresh.body.jobId).not.toBe(first.body.jobId);
  });

  test('when the same key comes with a different body, then 422 names the header and nothing starts', async () => {
    await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'sim-retry-2').send(spec).expect(202);
    const other = { ...spec, seed: 4 };
    const res = await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'sim-retry-2').send(other);
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors[0].where).toBe('/header/Idempotency-Key');
    expect(res.body.detail).toMatch(/different request/);
  });

  test('when the first request failed, then the key is free for the corrected request', async () => {
    const bad = structuredClone(spec);
    if (bad.arrivals.kind !== 'forecast') throw new Error('fixture');
    bad.arrivals.rates[0] = { ...bad.arrivals.rates[0], volume: -5 };
    await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'sim-retry-3').send(bad).expect(422);
    const fixed = await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'sim-retry-3').send(spec).expect(202);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
  });

  test('when another API key uses the same Idempotency-Key, then it gets its own job, not the other client\'s answer', async () => {
    const mine = await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'shared-key').send(spec).expect(202);
    const theirs = await t.http.post('/simulations').set({ 'X-API-Key': KEYS.admin }).set('Idempotency-Key', 'shared-key').send(spec).expect(202);
    expect(theirs.body.jobId).not.toBe(mine.body.jobId);
  });

  test('when the key is not visible ASCII or too long, then 400 from the contract names the header', async () => {
    const res = await t.http.post('/simulations').set(planner).set('Idempotency-Key', 'x'.repeat(256)).send(spec);
    expect(res.status).toBe(400);
    // one form for the header, as the reused key's 422 names it: /header/<name as the contract spells it>
    expect(res.body.errors[0].where).toBe('/header/Idempotency-Key');
  });
});

describe('Idempotency-Key on a roster request', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  beforeAll(async () => {
    t = await startRosterWorld(partners());
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a planner retries a roster request with its key, then it is the same roster, built once', async () => {
    const body = { period: { from: FROM, days: 5, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES };
    const first = await t.http.post('/rosters').set(planner).set('Idempotency-Key', 'roster-week-2').send(body).expect(202);
    const again = await t.http.post('/rosters').set(planner).set('Idempotency-Key', 'roster-week-2').send(body).expect(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(`/rosters/${first.body.id}/status`);
    expect(await waitForRoster(t.http, first.body.id, planner)).toMatchObject({ status: 'draft' });
    const rosters = (await t.http.get('/rosters').set(planner).expect(200)).body as Array<{ id: string }>;
    expect(rosters.map((r) => r.id)).toEqual([first.body.id]);
  });
});

describe('Idempotency-Key while the first request is still being answered', () => {
  const store = suiteStore('idempotency');

  test('when the same request arrives before the first is answered, then 409 with a Retry-After of a second or two; once answered, the replay', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started = 0;
    const app = express();
    app.use(express.json());
    app.post(
      '/work',
      idempotentRequests(store().redis, store().keys.idempotency, () => 'client-a'),
      async (_req, res) => {
        started++;
        await held;
        res.status(202).location('/work/1').json({ id: started });
      },
    );
    app.use(problemHandler(createLogger('silent')));
    const http = request(app);

    const first = http.post('/work').set('Idempotency-Key', 'k1').send({ a: 1 }).then((r) => r);
    await new Promise((r) => setTimeout(r, 100));
    const during = await http.post('/work').set('Idempotency-Key', 'k1').send({ a: 1 });
    expect(during.status).toBe(409);
    expect(during.body.errors[0].where).toBe('/header/Idempotency-Key');
    expect(Number(during.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(during.headers['retry-after'])).toBeLessThanOrEqual(2);
    release();
    expect((await first).status).toBe(202);
    const after = await http.post('/work').set('Idempotency-Key', 'k1').send({ a: 1 });
    expect(after.status).toBe(202);
    expect(after.headers.location).toBe('/work/1');
    expect(after.body).toEqual({ id: 1 });
    expect(started).toBe(1);
  });
});
