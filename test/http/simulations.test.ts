import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startTestService, KEYS, type TestService } from '../support/service';
import { stationarySpec } from '../sim/fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulations over REST', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** The job behind a status URL once it has completed or failed (30 s at most). */
  async function finished(statusUrl: string) {
    let job;
    for (let i = 0; i < 120; i++) {
      job = (await t.http.get(statusUrl).set(planner).expect(200)).body;
      if (job.state === 'completed' || job.state === 'failed') break;
      await sleep(250);
    }
    return job;
  }

  test('when a planner posts a spec, then a job simulates it and the status carries the results', async () => {
    const spec = stationarySpec({ agents: 10, callsPerHour: 150, hours: 2, replications: 2, seed: 7 });
    const res = await t.http.post('/simulations').set(planner).send(spec);
    expect(res.status).toBe(202);
    const job = await finished(res.body.status);
    expect(job.state).toBe('completed');
    const offered = job.result.totals.reduce((n: number, t: { offered: { mean: number } }) => n + t.offered.mean, 0);
    expect(offered).toBeGreaterThan(100);
    expect(offered).toBeLessThan(700); // about 150 calls an hour for 2 hours, counted per group and overall
    expect(job.result.totals[0].serviceLevel.mean).toBeGreaterThan(0);
  });

  test('when the example body of openapi.yaml is posted, then it is a valid spec that simulates', async () => {
    const contract = parse(readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'));
    const example = contract.paths['/simulations'].post.requestBody.content['application/json'].example;
    const res = await t.http.post('/simulations').set(planner).send(example);
    expect(res.status).toBe(202);
    const job = await finished(res.body.status);
    expect(job.state).toBe('completed');
  });

  test('when skill groups are given by id (as POST /rosters takes them), then the 422 says a spec needs whole groups', async () => {
    const res = await t.http.post('/simulations').set(planner).send({ period: { from: '1999-11-01', days: 1 }, skillGroups: ['PS'], seed: 1 });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual({ where: '/body/skillGroups/0', message: expect.stringMatching(/^must be a whole skill-group object .*not "PS"/) });
    expect(res.body.errors.map((e: { where: string }) => e.where)).not.toContain('/body/skillGroups/0/timeZone');
  });

  test('when a rate is negative, then 422 names the field and nothing is queued', async () => {
    const spec = stationarySpec({ agents: 10, callsPerHour: 150, hours: 2, replications: 1, seed: 7 });
    if (spec.arrivals.kind !== 'forecast') throw new Error('fixture');
    spec.arrivals.rates[0] = { ...spec.arrivals.rates[0], volume: -5 };
    const res = await t.http.post('/simulations').set(planner).send(spec);
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    // a JSON pointer into the body, like every other error of the API
    expect(res.body.errors).toEqual([{ where: '/body/arrivals/rates/0/volume', message: 'negative or not a number: rates must be ≥ 0' }]);
  });

  test('when the period is longer than a month, or the result would be too large, then 422 names the period', async () => {
    const spec = stationarySpec({ agents: 10, callsPerHour: 150, hours: 2, replications: 1, seed: 7 });
    const long = { ...spec, period: { from: spec.period.from, to: spec.period.from + 400 * 86_400_000 } };
    const res = await t.http.post('/simulations').set(planner).send(long);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ where: '/body/period', message: expect.stringMatching(/covers 400\.0 days/) }]);

    // 31 days are fine for one group; 80 groups of 60-minute intervals over 31 days are not (59,520 rows)
    const groups = [spec.skillGroups[0], ...Array.from({ length: 79 }, (_, k) => ({ ...spec.skillGroups[0], id: `G${k}` }))];
    const wide = { ...spec, skillGroups: groups, period: { from: spec.period.from, to: spec.period.from + 31 * 86_400_000 } };
    const tooMany = await t.http.post('/simulations').set(planner).send(wide);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0]).toEqual({ where: '/body/period', message: expect.stringMatching(/59,520 rows/) });
  });

  test('when a spec holds more skill groups than a center has, or thousands of bad fields, then the 422 stays short', async () => {
    const spec = stationarySpec({ agents: 10, callsPerHour: 150, hours: 2, replications: 1, seed: 7 });
    const many = await t.http.post('/simulations').set(planner).send({ ...spec, skillGroups: Array.from({ length: 5000 }, () => ({})) });
    expect(many.status).toBe(422);
    expect(many.body.errors).toEqual([{ where: '/body/skillGroups', message: '5000 skill groups: at most 1000' }]);
    // 900 empty groups: four problems each, 100 listed and the rest counted
    const bad = await t.http.post('/simulations').set(planner).send({ ...spec, skillGroups: Array.from({ length: 900 }, () => ({})) });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toHaveLength(101);
    expect(bad.body.errors[100]).toEqual({ where: '/body', message: expect.stringMatching(/^… and \d+ more$/) });
  });
});
