import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startService } from '../../src/main';
import { deleteKeys, testEnv, KEYS, type TestService } from '../support/service';
import { storeFor } from './rosters-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('forecasting over REST', () => {
  let t: TestService;
  let modelDir: string;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };

  beforeAll(async () => {
    modelDir = mkdtempSync(path.join(os.tmpdir(), 'wfm-models-'));
    // The business clock stands on the replayed Monday (the history is February 1999): ingest takes
    // realtime minutes only within the retention before now and at most a clock skew ahead.
    const prefix = `test-${randomUUID()}`;
    const service = await startService(testEnv(prefix, { MODEL_DIR: modelDir }), { now: () => Date.parse('1999-03-01T11:10:00+02:00'), validateResponses: true });
    t = { service, prefix, http: request(service.server!), stop: async () => (await service.shutdown('test finished'), await deleteKeys(prefix)) };
    const groups = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/skill-groups.json'), 'utf8'));
    await t.http.post('/skill-groups').set(admin).send(groups).expect(200);
    const csv = readFileSync(path.resolve(__dirname, '../../fixtures/history-30min.csv'), 'utf8');
    const rows = csv.split('\n').filter((l, i) => i === 0 || (l.includes(',PS,') && l.startsWith('1999-0')));
    await t.http.post('/history').set(admin).type('text/csv').send(rows.join('\n')).expect(200);
  });
  afterAll(async () => {
    await t.stop();
    rmSync(modelDir, { recursive: true, force: true });
  });

  test('when a planner requests training, then a job trains, registers a live version and refreshes the forecast', async () => {
    const res = await t.http.post('/skill-groups/PS/training').set(planner).send({ horizons: ['two-week'] });
    expect(res.status).toBe(202);
    const { jobId, status } = res.body.jobs[0];
    // one job (one horizon asked): Location is its status
    expect(res.headers.location).toBe(status);
    let job;
    for (let i = 0; i < 240; i++) {
      job = (await t.http.get(status).set(planner).expect(200)).body;
      if (job.state === 'completed' || job.state === 'failed') break;
      await sleep(250);
    }
    expect(job.id).toBe(jobId);
    expect(job.state).toBe('completed');
    expect(job.result.status).toBe('live');
    expect(job.progress).toEqual(expect.objectContaining({ percent: 100 }));

    const versions = (await t.http.get('/skill-groups/PS/models/two-week').set(planner).expect(200)).body;
    expect(versions).toHaveLength(1);
    expect(versions[0].status).toBe('live');
    const backtest = (await t.http.get('/skill-groups/PS/backtest').set(planner).expect(200)).body;
    expect(backtest.metrics.wape).toBeGreaterThan(0);

    let forecast;
    for (let i = 0; i < 80; i++) {
      forecast = await t.http.get('/skill-groups/PS/forecast').set(planner);
      if (forecast.status === 200) break;
      await sleep(250);
    }
    expect(forecast!.status).toBe(200);
    expect(forecast!.body.points.length).toBeGreaterThan(100);
    for (const p of forecast!.body.points.slice(0, 50)) {
      expect(p.p10).toBeLessThanOrEqual(p.p50);
      expect(p.p50).toBeLessThanOrEqual(p.p90);
    }
  });

  test('when the realtime forecast is read inside an interval, then that interval is forecast from the events before it, its reported minutes counted and the rest forecast', async () => {
    // Monday 1999-03-01, the day after the history: 5 calls a minute from 08:00, none yet in the 11:00 interval.
    const events = [];
    for (let m = 8 * 60; m < 11 * 60 + 10; m++) {
      const hh = String(Math.floor(m / 60)).padStart(2, '0');
      const mm = String(m % 60).padStart(2, '0');
      events.push({ skill_group: 'PS', minute: `1999-03-01T${hh}:${mm}:00+02:00`, arrivals: m < 11 * 60 ? 5 : 0 });
    }
    await t.http.post('/realtime/events').set({ 'X-API-Key': KEYS.ingest }).send(events).expect(200);
    const read = async (at: string) => (await t.http.get('/skill-groups/PS/forecast').query({ horizon: 'realtime', at }).set(planner).expect(200)).body;

    const atTen = await read('1999-03-01T11:10:00+02:00');
    const onTheHour = await read('1999-03-01T11:00:00+02:00');

    expect(atTen.points.map((p: { interval_start: string }) => p.interval_start)).toEqual(['1999-03-01T11:00:00+02:00']);
    expect(atTen.totalMinutes).toBe(30);
    // 11:00–11:09 reported, without a call: the interval is those 0 calls plus the 20 minutes still to come
    // (the band of those 20 minutes is the interval's scaled, or the Poisson noise of their count when wider)
    expect(atTen.points[0].p50).toBeCloseTo((20 / 30) * onTheHour.points[0].p50, 6);
    expect(atTen.points[0].p10).toBeLessThanOrEqual((20 / 30) * onTheHour.points[0].p10 + 1e-9);
    expect(atTen.points[0].p90).toBeGreaterThanOrEqual((20 / 30) * onTheHour.points[0].p90 - 1e-9);
    expect(atTen.observedToExpected).toBe(onTheHour.observedToExpected);
    // the answer echoes the moment, what was counted and how fresh the feed is, and gives the 30 minutes from `at`
    expect(atTen).toMatchObject({ at: '1999-03-01T11:10:00+02:00', callsSoFar: 0, minutesCounted: 10, lastEventAt: '1999-03-01T11:09:00+02:00', feedStale: false, signalsRead: [] });
    expect(atTen.next30Minutes.window).toEqual({ from: '1999-03-01T11:10:00+02:00', to: '1999-03-01T11:40:00+02:00' });
    expect(atTen.next30Minutes.granularity).toBe('minute');
    expect(atTen.next30Minutes.points).toHaveLength(30);
    expect(atTen.next30Minutes.points[29]).toMatchObject({ start: '1999-03-01T11:39:00+02:00', end: '1999-03-01T11:40:00+02:00' });
    expect(atTen.next30Minutes.total.p50).toBeGreaterThan(0);
    expect(atTen.observedToExpectedRaw).toBeGreaterThan(1);
    // The morning's events do count: 150 calls a half hour is above what a February Monday morning brought.
    expect(atTen.observedToExpected).toBeGreaterThan(1);
  });

  test('when `at` lies outside what the history reaches, or comes with the two-week horizon, then 422 names /query/at (a refresh from before the history: /body/from)', async () => {
    const ask = (query: Record<string, string>) => t.http.get('/skill-groups/PS/forecast').query(query).set(planner);
    for (const at of ['1990-01-01T10:00:00Z', '2031-01-01T00:00:00Z']) {
      const res = await ask({ horizon: 'realtime', at });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([expect.objectContaining({ where: '/query/at' })]);
      expect(res.body.detail ?? res.body.title).toMatch(/the history of PS runs from 1999-01-01T00:00:00\+02:00 to 1999-02-28T23:30:00\+02:00/);
    }
    const refresh = await t.http.post('/skill-groups/PS/forecast/refresh').set(planner).send({ from: '1900-01-01T00:00:00Z' });
    expect(refresh.status).toBe(422);
    expect(refresh.body.errors).toEqual([{ where: '/body/from', message: 'before the first interval of history' }]);
    const twoWeek = await ask({ horizon: 'two-week', at: '1999-03-01T11:10:00+02:00' });
    expect(twoWeek.status).toBe(422);
    expect(twoWeek.body.errors).toEqual([{ where: '/query/at', message: expect.stringContaining('from/to') }]);
  });

  test('when leading signals are named like JavaScript object properties (constructor, toString, __proto__), then they are kept like any name and the realtime forecast still answers', async () => {
    const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];
    const events = [8, 9, 10].map((h) => ({ skill_group: 'PS', minute: `1999-03-01T${String(h).padStart(2, '0')}:05:00+02:00`, arrivals: 5, signals: Object.fromEntries(names.map((n, i) => [n, 10 + i])) }));
    await t.http.post('/realtime/events').set({ 'X-API-Key': KEYS.ingest }).send(events).expect(200);
    const res = await t.http.get('/skill-groups/PS/forecast').query({ horizon: 'realtime', at: '1999-03-01T11:10:00+02:00' }).set(planner);
    expect(res.status).toBe(200);
    expect(res.body.points.length).toBeGreaterThan(0);
    const { store, close } = storeFor(t.prefix);
    try {
      const read = await store.realtime.read('PS', Date.parse('1999-03-01T08:00:00+02:00'), Date.parse('1999-03-01T11:00:00+02:00'));
      const withSignals = read.filter((e) => e.signals);
      expect(withSignals).toHaveLength(3);
      for (const e of withSignals) expect(Object.keys(e.signals!).sort()).toEqual([...names].sort());
      expect(withSignals[0].signals!.__proto__).toBe(14);
    } finally {
      close();
    }
  });

  /** Polls a job's status until it finishes. */
  async function finished(status: string) {
    let job;
    for (let i = 0; i < 240; i++) {
      job = (await t.http.get(status).set(planner).expect(200)).body;
      if (job.state === 'completed' || job.state === 'failed') break;
      await sleep(250);
    }
    return job;
  }

  /** Waits until the stored forecast of `group` passes `check` (the service's clock stands still: createdAt does not move). */
  async function storedForecastWhere(group: string, check: (forecast: { modelVersion?: string; points: Array<{ interval_start: string; p50: number }> }) => boolean) {
    for (let i = 0; i < 120; i++) {
      const res = await t.http.get(`/skill-groups/${group}/forecast`).set(planner);
      if (res.status === 200 && check(res.body)) return res.body;
      await sleep(250);
    }
    throw new Error(`the stored forecast of ${group} did not change as expected`);
  }

  test('when a model is rolled back, then versions list newest first and the served forecast is recomputed with the rolled-back one', async () => {
    const first = (await t.http.get('/skill-groups/PS/models/two-week').set(planner).expect(200)).body[0].version;
    const trained = await t.http.post('/skill-groups/PS/training').set(planner).send({ horizons: ['two-week'] }).expect(202);
    expect((await finished(trained.body.jobs[0].status)).state).toBe('completed');
    const versions = (await t.http.get('/skill-groups/PS/models/two-week').set(planner).expect(200)).body;
    expect(versions).toHaveLength(2);
    expect(versions[1].version).toBe(first);
    expect(versions[0].version > versions[1].version).toBe(true);
    if (versions[0].status === 'live') await storedForecastWhere('PS', (f) => f.modelVersion === versions[0].version);

    const unknown = await t.http.post('/skill-groups/PS/models/two-week/rollback').set(admin).send({ version: '1999-01-01T00-00-00-000Z' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ where: '/body/version' })]);
    await t.http.post('/skill-groups/PS/models/two-week/rollback').set(admin).send({ version: versions[0].status === 'live' ? first : versions[0].version }).expect(200);
    const live = (await t.http.get('/skill-groups/PS/models/two-week').set(planner).expect(200)).body.find((v: { status: string }) => v.status === 'live').version;
    expect((await storedForecastWhere('PS', (f) => f.modelVersion === live)).modelVersion).toBe(live);
  });

  test('when special days change, then the stored forecast is recomputed; a date twice or an impossible date is refused', async () => {
    const dayTotal = (f: { points: Array<{ interval_start: string; p50: number }> }) => f.points.filter((p) => p.interval_start.startsWith('1999-03-03')).reduce((a, p) => a + p.p50, 0);
    const before = dayTotal((await t.http.get('/skill-groups/PS/forecast').set(planner).expect(200)).body);
    expect(before).toBeGreaterThan(0);
    await t.http.put('/skill-groups/PS/special-days').set(planner).send([{ date: '1999-03-03', label: 'billing run', uplift: 1.5 }]).expect(200);
    await storedForecastWhere('PS', (f) => dayTotal(f) > 1.3 * before);
    // the read says why the day is higher: its calendar
    const days = (await t.http.get('/skill-groups/PS/forecast').set(planner).expect(200)).body.days as Array<{ date: string; kind: string }>;
    expect(days).toContainEqual({ date: '1999-03-03', kind: 'special', specialDay: 'billing run', uplift: 1.5 });
    expect(days.length).toBeGreaterThanOrEqual(14);

    const twice = await t.http.put('/skill-groups/PS/special-days').set(planner).send([{ date: '1999-03-04', label: 'x', uplift: 2 }, { date: '1999-03-04', label: 'y', uplift: 0.5 }]);
    expect(twice.status).toBe(422);
    expect(twice.body.errors).toEqual([{ where: '/body/1/date', message: expect.stringContaining('/body/0') }]);
    const impossible = await t.http.put('/skill-groups/PS/special-days').set(planner).send([{ date: '1999-02-30', label: 'x' }]);
    expect(impossible.status).toBe(400);
    expect(impossible.body.errors[0].where).toBe('/body/0/date');
    expect((await t.http.get('/skill-groups/PS/special-days').set(planner)).body.map((d: { date: string }) => d.date)).toEqual(['1999-03-03']);

    await t.http.delete('/skill-groups/PS/special-days/1999-03-03').set(planner).expect(204);
    await storedForecastWhere('PS', (f) => Math.abs(dayTotal(f) - before) < 1e-6 * before);
  });

  test('when the history ends on an earlier day, then the refreshed forecast covers the fourteen days after it', async () => {
    const csv = readFileSync(path.resolve(__dirname, '../../fixtures/history-30min.csv'), 'utf8');
    const rows = csv.split('\n').filter((l, i) => i === 0 || (l.includes(',NE,') && l >= '1999-01' && l < '1999-02-21'));
    await t.http.post('/history').set(admin).type('text/csv').send(rows.join('\n')).expect(200);
    const job = await t.http.post('/skill-groups/NE/forecast/refresh').set(planner).send({}).expect(202);
    expect(job.headers.location).toBe(job.body.status);
    expect((await finished(job.body.status)).state).toBe('completed');
    const forecast = (await t.http.get('/skill-groups/NE/forecast').set(planner).expect(200)).body;
    const days = [...new Set(forecast.points.map((p: { interval_start: string }) => p.interval_start.slice(0, 10)))];
    expect(days[0]).toBe('1999-02-21');
    expect(days[days.length - 1]).toBe('1999-03-06');
  });

  test('when special days and realtime events are posted, then they are stored; bad events are rejected whole', async () => {
    await t.http.put('/skill-groups/PS/special-days').set(planner).send([{ date: '1999-03-01', label: 'billing run', uplift: 1.4 }]).expect(200);
    expect((await t.http.get('/skill-groups/PS/special-days').set(planner)).body).toEqual([{ date: '1999-03-01', label: 'billing run', uplift: 1.4 }]);
    const ok = await t.http.post('/realtime/events').set({ 'X-API-Key': KEYS.ingest }).send([{ skill_group: 'PS', minute: '1999-03-01T10:01:00+02:00', arrivals: 7, queue_length: 3 }]);
    expect(ok.body).toEqual({ stored: 1 });
    const bad = await t.http.post('/realtime/events').set({ 'X-API-Key': KEYS.ingest }).send([{ skill_group: 'XX', minute: '1999-03-01T10:01:30+02:00' }]);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].where).toBe('/body/0/skill_group');
  });
});
