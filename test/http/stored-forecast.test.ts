/**
 * The stored two-week forecast as rosters and the trigger read it: recomputed when its group changes what
 * it reads, and read with the span it covers (a range beyond it is said to be, not answered as no calls).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startService } from '../../src/main';
import { QUEUE } from '../../src/queue/names';
import { deleteKeys, testEnv, KEYS, type TestService } from '../support/service';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const admin = { 'X-API-Key': KEYS.admin };
const planner = { 'X-API-Key': KEYS.planner };

interface Forecast {
  createdAt: string;
  covers: { from: string; to: string };
  warnings?: string[];
  points: Array<{ interval_start: string; p50: number }>;
}

describe('the stored two-week forecast', () => {
  let t: TestService;
  // the business clock: the replayed Monday after the history (February 1999); moved on to tell two computations apart
  let clock = Date.parse('1999-03-01T11:10:00+02:00');
  const groups = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/skill-groups.json'), 'utf8')) as Array<Record<string, unknown> & { id: string }>;
  const fixture = (id: string) => groups.find((g) => g.id === id)!;

  beforeAll(async () => {
    const prefix = `test-${randomUUID()}`;
    const service = await startService(testEnv(prefix), { now: () => clock, validateResponses: true });
    t = { service, prefix, http: request(service.server!), stop: async () => (await service.shutdown('test finished'), await deleteKeys(prefix)) };
    await t.http.post('/skill-groups').set(admin).send(groups).expect(200);
    const csv = readFileSync(path.resolve(__dirname, '../../fixtures/history-30min.csv'), 'utf8');
    const rows = csv.split('\n').filter((l, i) => i === 0 || ((l.includes(',PS,') || l.includes(',NE,')) && l.startsWith('1999-0')));
    await t.http.post('/history').set(admin).type('text/csv').send(rows.join('\n')).expect(200);
    const job = await t.http.post('/skill-groups/PS/forecast/refresh').set(planner).send({}).expect(202);
    expect((await finished(job.body.status)).state).toBe('completed');
  });
  afterAll(async () => {
    await t.stop();
  });

  async function finished(status: string) {
    let job;
    for (let i = 0; i < 240; i++) {
      job = (await t.http.get(status).set(planner).expect(200)).body;
      if (job.state === 'completed' || job.state === 'failed') break;
      await sleep(250);
    }
    return job;
  }

  /** The forecast jobs queued for a group, whatever their state. */
  async function forecastJobs(group: string) {
    const jobs = await t.service.queues.get(QUEUE.forecast).getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    return jobs.filter((j) => j.data.skillGroupId === group);
  }

  async function storedForecastWhere(group: string, check: (f: Forecast) => boolean): Promise<Forecast> {
    for (let i = 0; i < 120; i++) {
      const res = await t.http.get(`/skill-groups/${group}/forecast`).set(planner);
      if (res.status === 200 && check(res.body)) return res.body;
      await sleep(250);
    }
    throw new Error(`the stored forecast of ${group} did not change as expected`);
  }

  const ask = (query: Record<string, string>) => t.http.get('/skill-groups/PS/forecast').query(query).set(planner);

  describe('read with the span it covers', () => {
    test('when it is read without a range, then it answers its fourteen days with the span they cover and no warning', async () => {
      const f = (await ask({}).expect(200)).body as Forecast;
      expect(f.covers).toEqual({ from: '1999-03-01T00:00:00+02:00', to: '1999-03-15T00:00:00+02:00' });
      expect(f.warnings).toBeUndefined();
      expect(f.points[0].interval_start.slice(0, 10)).toBe('1999-03-01');
      expect(f.points[f.points.length - 1].interval_start.slice(0, 10)).toBe('1999-03-14');
      // a `from` inside the span, without `to`: up to its end, still no warning
      expect((await ask({ from: '1999-03-14T00:00:00+02:00' }).expect(200)).body.warnings).toBeUndefined();
    });

    test('when the range runs past the end of the forecast, then the points stop there and a warning names the end', async () => {
      const f = (await ask({ from: '1999-03-10T00:00:00+02:00', to: '1999-03-20T00:00:00+02:00' }).expect(200)).body as Forecast;
      expect(f.points.length).toBeGreaterThan(0);
      expect(f.points[f.points.length - 1].interval_start < '1999-03-15').toBe(true);
      expect(f.warnings).toEqual([expect.stringContaining('nothing from 1999-03-15T00:00:00+02:00 on was forecast')]);
    });

    test('when the range lies wholly after the forecast, then the empty answer carries the warning (not forecast, not "no calls")', async () => {
      const f = (await ask({ from: '1999-03-20T00:00:00+02:00', to: '1999-03-25T00:00:00+02:00' }).expect(200)).body as Forecast;
      expect(f.points).toEqual([]);
      expect(f.covers.to).toBe('1999-03-15T00:00:00+02:00');
      expect(f.warnings).toEqual([expect.stringContaining('the asked range runs to 1999-03-25T00:00:00+02:00')]);
      // a `from` after the end without `to`: fifteen days from it, as before, and said so
      expect((await ask({ from: '1999-03-20T00:00:00+02:00' }).expect(200)).body.warnings).toHaveLength(1);
    });

    test('when the range starts before the forecast, then a warning names its start', async () => {
      const f = (await ask({ from: '1999-02-25T00:00:00+02:00', to: '1999-03-02T00:00:00+02:00' }).expect(200)).body as Forecast;
      expect(f.points[0].interval_start.slice(0, 10)).toBe('1999-03-01');
      expect(f.warnings).toEqual([expect.stringContaining('nothing before 1999-03-01T00:00:00+02:00 was forecast')]);
    });

    test('when from/to come with the realtime horizon, then 422 names each of them (realtime is read at `at`)', async () => {
      const at = '1999-03-01T11:10:00+02:00';
      const one = await ask({ horizon: 'realtime', at, from: '1999-03-01T11:00:00+02:00' });
      expect(one.status).toBe(422);
      expect(one.body.errors).toEqual([{ where: '/query/from', message: expect.stringContaining('at') }]);
      const both = await ask({ horizon: 'realtime', from: '1999-03-01T11:00:00+02:00', to: '1999-03-01T12:00:00+02:00' });
      expect(both.status).toBe(422);
      expect(both.body.errors.map((e: { where: string }) => e.where)).toEqual(['/query/from', '/query/to']);
    });
  });

  describe('recomputed when its group changes what it reads', () => {
    test('when a group changes only what the forecast does not read (name, AHT), then no forecast job is queued', async () => {
      const before = (await forecastJobs('PS')).length;
      await t.http.put('/skill-groups/PS').set(admin).send({ ...fixture('PS'), name: 'Regular banking, renamed', ahtSeconds: 200 }).expect(200);
      await sleep(300);
      expect(await forecastJobs('PS')).toHaveLength(before);
    });

    test('when a group changes its country (holiday calendar), then its stored forecast is recomputed', async () => {
      const first = (await ask({}).expect(200)).body as Forecast;
      const before = (await forecastJobs('PS')).length;
      clock += 60_000;
      await t.http.put('/skill-groups/PS').set(admin).send({ ...fixture('PS'), country: 'FR' }).expect(200);
      expect(await forecastJobs('PS')).toHaveLength(before + 1);
      const second = await storedForecastWhere('PS', (f) => f.createdAt !== first.createdAt);
      expect(second.createdAt).toBe(new Date(clock).toISOString());
    });

    test('when a batch changes a group\'s opening hours, then the stored forecast is recomputed with them (Fridays closed: no Friday points)', async () => {
      const fridays = (f: Forecast) => f.points.filter((p) => ['1999-03-05', '1999-03-12'].includes(p.interval_start.slice(0, 10))).length;
      expect(fridays((await ask({}).expect(200)).body)).toBeGreaterThan(0);
      const hours = (fixture('PS').openingHours as Array<{ days: number[] }>).filter((w) => !w.days.includes(5));
      await t.http.post('/skill-groups').set(admin).send([{ ...fixture('PS'), country: 'FR', openingHours: hours }]).expect(200);
      await storedForecastWhere('PS', (f) => fridays(f) === 0 && f.points.length > 0);
    });

    test('when a group without a stored forecast changes its country, then nothing is queued for it', async () => {
      await t.http.put('/skill-groups/NE').set(admin).send({ ...fixture('NE'), country: 'FR' }).expect(200);
      await sleep(300);
      expect(await forecastJobs('NE')).toHaveLength(0);
    });
  });
});
