import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startService } from '../../src/main';
import { deleteKeys, testEnv, KEYS, type TestService } from '../support/service';

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
    const service = await startService(testEnv(prefix, { MODEL_DIR: modelDir }), { now: () => Date.parse('1999-03-01T11:10:00+02:00') });
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
    let job;
    for (let i = 0; i < 240; i++) {
      job = (await t.http.get(status).set(planner).expect(200)).body;
      if (job.state === 'completed' || job.state === 'failed') break;
      await sleep(250);
    }
    expect(job.id).toBe(jobId);
    expect(job.state).toBe('completed');
    expect(job.result.status).toBe('live');

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

  test('when the realtime forecast is read inside an interval, then that interval is forecast from the events before it, not from its partial count', async () => {
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
    expect(atTen.points).toEqual(onTheHour.points);
    expect(atTen.observedToExpected).toBe(onTheHour.observedToExpected);
    // The morning's events do count: 150 calls a half hour is above what a February Monday morning brought.
    expect(atTen.observedToExpected).toBeGreaterThan(1);
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
