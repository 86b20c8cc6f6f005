/**
 * Every 404 points at the part of the request that named the missing thing (/path/<name> or
 * /query/<name>), not at the document root, wherever in the service it was raised.
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import { GROUPS } from './rosters-fixtures';

describe('404 problems name the parameter', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const admin = { 'X-API-Key': KEYS.admin };

  beforeAll(async () => {
    t = await startTestService({});
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200); // PS among them
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a skill group, queue, special day or trigger policy does not exist, then the 404 names the path or query parameter', async () => {
    const cases: Array<[string, () => Promise<{ status: number; type: string; body: { errors: Array<{ where: string }> } }>, string]> = [
      ['training an unknown group', () => t.http.post('/skill-groups/nope/training').set(planner).send({}), '/path/skillGroupId'],
      ['an unknown queue', () => t.http.get('/jobs/nope/1').set(planner), '/path/queue'],
      ['a special day never declared', () => t.http.delete('/skill-groups/PS/special-days/2026-12-03').set(planner), '/path/date'],
      ['decisions of an unknown group', () => t.http.get('/trigger/decisions?skillGroup=NOPE').set(planner), '/query/skillGroup'],
      ['the policy of a group without one', () => t.http.get('/skill-groups/PS/trigger-policy').set(planner), '/path/skillGroupId'],
    ];
    for (const [what, request, where] of cases) {
      const res = await request();
      expect([what, res.status, res.type]).toEqual([what, 404, 'application/problem+json']);
      expect([what, res.body.errors.map((e) => e.where)]).toEqual([what, [where]]);
    }
  });

  test('when a group without history is trained or refreshed, then 422 says to upload history first; with less than 4 weeks training is refused too; then a horizon named twice is trained once', async () => {
    for (const path of ['/skill-groups/PS/training', '/skill-groups/PS/forecast/refresh']) {
      const early = await t.http.post(path).set(planner).send({});
      expect([path, early.status, early.body.errors]).toEqual([path, 422, [{ where: '/path/skillGroupId', message: 'no history' }]]);
    }
    const csv = 'interval_start,skill_group,volume,aht_seconds\n2026-01-05T09:00:00+02:00,PS,10,180\n2026-01-05T09:30:00+02:00,PS,12,180';
    await t.http.post('/history').set(admin).type('text/csv').send(csv).expect(200);
    // one day of history: a training could only fail, so it is refused now, saying the baseline answers meanwhile
    const young = await t.http.post('/skill-groups/PS/training').set(planner).send({});
    expect(young.status).toBe(422);
    expect(young.body.detail).toMatch(/need at least 28 days of history, it has 1: until then its forecasts are the flagged baseline/);
    await t.http.post('/history').set(admin).type('text/csv').send('interval_start,skill_group,volume\n2026-02-01T09:00:00+02:00,PS,11').expect(200);
    const res = await t.http.post('/skill-groups/PS/training').set(planner).send({ horizons: ['two-week', 'two-week'] });
    expect(res.status).toBe(202);
    expect(res.body.jobs.map((j: { horizon: string }) => j.horizon)).toEqual(['two-week']);
  });

  test('when the history of a group starts after the service\'s clock, then training is refused up front saying so (the job found no history only later)', async () => {
    // Uploads refuse rows after the clock, so such a history is one taken while the clock ran ahead
    // (a host clock set a year wrong, then corrected): five weeks from a year ahead.
    const start = Date.UTC(new Date().getUTCFullYear() + 1, 0, 5, 7);
    const clock = { ms: start + 40 * 86_400_000 };
    const ahead = await startTestService({}, { now: () => clock.ms });
    try {
      await ahead.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
      const rows = Array.from({ length: 35 * 4 }, (_, k) => `${new Date(start + Math.floor(k / 4) * 86_400_000 + (k % 4) * 1_800_000).toISOString().replace('.000', '')},NE,10`);
      await ahead.http.post('/history').set(admin).type('text/csv').send(`interval_start,skill_group,volume\n${rows.join('\n')}`).expect(200);
      clock.ms = Date.now();
      const res = await ahead.http.post('/skill-groups/NE/training').set(planner).send({});
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/the history of NE starts at \d{4}-01-05T\d\d:00:00[+-]\d\d:\d\d, after the service's clock \(.*\): training reads the history up to now, and finds none/);
    } finally {
      await ahead.stop();
    }
  });

  test('when a realtime forecast is asked without `at` of a history that ended years ago, then the 422 says the instant was now and to give `at`', async () => {
    await t.http.post('/history').set(admin).type('text/csv').send('interval_start,skill_group,volume\n1999-02-01T09:00:00+02:00,NE,11').expect(200);
    const res = await t.http.get('/skill-groups/NE/forecast').query({ horizon: 'realtime' }).set(planner);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ where: '/query/at', message: 'the forecast reads the 730 days before it' }]);
    expect(res.body.detail).toMatch(/^now \(\d{4}-.*; no `at` given\) is more than 730 days after the history ends: the history of NE runs from 1999-02-01T09:00:00\+02:00 .*: give `at`, an instant the history reaches$/);
  });

  test('when a path exists but not with that method, then the 405 says which methods it has (Allow)', async () => {
    const res = await t.http.patch('/skill-groups/PS').set(admin).send({});
    expect(res.status).toBe(405);
    expect(res.type).toBe('application/problem+json');
    expect(res.headers.allow.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PUT']);
  });

  test('when a GET resource is asked with HEAD, then it answers the GET\'s status and headers without a body, under the GET\'s roles', async () => {
    const get = await t.http.get('/skill-groups').set(planner).expect(200);
    const head = await t.http.head('/skill-groups').set(planner).expect(200);
    expect(head.text ?? '').toBe('');
    expect([head.headers['content-type'], head.headers.etag]).toEqual([get.headers['content-type'], get.headers.etag]);
    await t.http.head('/skill-groups').expect(401);
    await t.http.head('/skill-groups/NOPE').set(planner).expect(404);
  });

  test('when the path is not valid percent-encoding, then the 400 says so and points at the path', async () => {
    const res = await t.http.get('/skill-groups/%FF').set(planner);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ where: '/path', message: expect.stringMatching(/^\/skill-groups\/%FF is not valid percent-encoding/) }]);
  });
});
