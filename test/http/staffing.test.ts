import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startTestService, KEYS, type TestService } from '../support/service';

describe('POST /staffing', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const reference = { volume: 100, intervalMinutes: 30, ahtSeconds: 180, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 } };
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a planner asks for the reference case with 30% shrinkage, then 14 raw and 20 with shrinkage, Erlang C with no abandonment figure', async () => {
    const res = await t.http.post('/staffing').set(planner).send({ ...reference, shrinkage: 0.3 });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model: 'erlang-c', rawAgents: 14, agentsWithShrinkage: 20, agents: 14, probAbandon: null, warnings: [] });
    expect(res.body.serviceLevel).toBeCloseTo(0.888, 3);
    expect(res.body.asaSeconds).toBeCloseTo(7.8, 1);
    expect(res.body.occupancy).toBeCloseTo(0.714, 3);
    expect(res.body.trafficErlangs).toBe(10);
  });

  test('when agents are given with a patience, then Erlang A predicts how that many do, without a target', async () => {
    const res = await t.http.post('/staffing').set(planner).send({ ...reference, serviceLevel: { answerWithinSeconds: 20 }, patienceSeconds: 120, agents: 11 });

    expect(res.status).toBe(200);
    expect(res.body.model).toBe('erlang-a');
    expect(res.body.rawAgents).toBeUndefined();
    expect(res.body.scheduled).toMatchObject({ agents: 11, trafficErlangs: 10 });
    expect(res.body.scheduled.probAbandon).toBeGreaterThan(0);
    expect(res.body.scheduled.serviceLevel).toBeLessThan(0.8);
  });

  test('when a requirement is met below the offered load because callers hang up, then a warning says how many hang up', async () => {
    const res = await t.http.post('/staffing').set(planner).send({ ...reference, volume: 50_000, patienceSeconds: 120 });

    expect(res.status).toBe(200);
    expect(res.body.rawAgents).toBe(4345);
    expect(res.body.warnings).toEqual([expect.stringMatching(/^4345 agents are fewer than the offered load of 5000\.00 Erlangs: .*80\/20.*; 13\.1 % hang up/)]);

    const capped = await t.http.post('/staffing').set(planner).send({ ...reference, volume: 50_000, patienceSeconds: 120, maxAbandonment: 0.05 });
    expect(capped.status).toBe(200);
    expect(capped.body.probAbandon).toBeLessThanOrEqual(0.05);
    expect(capped.body.rawAgents).toBeGreaterThan(4345);
    expect(capped.body.warnings).toEqual([]);
  });

  test('when values are out of range, then 422 names each field as the CLI words it', async () => {
    const res = await t.http.post('/staffing').set(planner).send({ ...reference, serviceLevel: { fraction: 1.5, answerWithinSeconds: 20 }, maxOccupancy: 0 });

    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([
      { where: '/body/serviceLevel/fraction', message: 'must be between 0 and 1 (exclusive)' },
      { where: '/body/maxOccupancy', message: 'must be 0 < o ≤ 1' },
    ]);

    const queue = await t.http.post('/staffing').set(planner).send({ ...reference, volume: -5, ahtSeconds: 0, serviceLevel: { fraction: 0.8, answerWithinSeconds: -1 } });
    expect(queue.status).toBe(422);
    expect(queue.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/serviceLevel/answerWithinSeconds']);
    const queue2 = await t.http.post('/staffing').set(planner).send({ ...reference, volume: -5, ahtSeconds: 0 });
    expect(queue2.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/volume', '/body/ahtSeconds']);

    const noTarget = await t.http.post('/staffing').set(planner).send({ ...reference, serviceLevel: { answerWithinSeconds: 20 } });
    expect(noTarget.status).toBe(422);
    expect(noTarget.body.errors[0].where).toBe('/body/serviceLevel/fraction');

    const capWithoutPatience = await t.http.post('/staffing').set(planner).send({ ...reference, maxAbandonment: 0.05 });
    expect(capWithoutPatience.status).toBe(422);
    expect(capWithoutPatience.body.errors).toEqual([{ where: '/body/maxAbandonment', message: expect.stringMatching(/needs a patience/) }]);
  });

  test('when a load or a head-count is beyond what one request computes, then 422 at the field, at once', async () => {
    const started = Date.now();
    const load = await t.http.post('/staffing').set(planner).send({ ...reference, volume: 1e6, patienceSeconds: 120 });
    expect(load.status).toBe(422);
    expect(load.body.errors).toEqual([{ where: '/body/volume', message: expect.stringMatching(/needs more than 10,000 agents/) }]);

    const agents = await t.http.post('/staffing').set(planner).send({ ...reference, agents: 500_000 });
    expect(agents.status).toBe(422);
    expect(agents.body.errors[0].where).toBe('/body/agents');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('when the body breaks the contract (a string, an unknown field), then 400; an ingest key is refused with 403', async () => {
    const typed = await t.http.post('/staffing').set(planner).send({ ...reference, volume: 'lots', extra: 1 });
    expect(typed.status).toBe(400);
    expect(typed.body.errors.map((e: { where: string }) => e.where)).toEqual(expect.arrayContaining(['/body/volume', '/body/extra']));

    const ingest = await t.http.post('/staffing').set({ 'X-API-Key': KEYS.ingest }).send(reference);
    expect(ingest.status).toBe(403);
    const admin = await t.http.post('/staffing').set({ 'X-API-Key': KEYS.admin }).send(reference);
    expect(admin.status).toBe(200);
  });

  test('when the example body of openapi.yaml is posted, then it is answered', async () => {
    const contract = parse(readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'));
    const example = contract.paths['/staffing'].post.requestBody.content['application/json'].example;
    const res = await t.http.post('/staffing').set(planner).send(example);
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('erlang-a');
  });

  test('when a skill group has a patience over a day, then it is refused by the contract (the maths would refuse it later)', async () => {
    const group = {
      id: 'LONGWAIT', name: 'Long wait', timeZone: 'UTC', intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
      ahtSeconds: 180, shrinkage: 0.3, maxOccupancy: 0.9, channel: 'voice', overflowTo: [], patienceSeconds: 1e308,
    };
    const res = await t.http.post('/skill-groups').set({ 'X-API-Key': KEYS.admin }).send([group]);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ where: '/body/0/patienceSeconds', message: expect.stringMatching(/86400/) });
  });
});
