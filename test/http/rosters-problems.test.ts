/**
 * How the roster routes answer what goes wrong: a deleted roster is gone at its status too, path
 * parameters are named /path/…, a missing or non-JSON body is a 415 naming /body, and every problem
 * (404, 409, 401 included) carries an `errors` list as the README promises.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { KEYS, type TestService } from '../support/service';
import { rosterStatus, type RosterContext } from '../../src/services/rosters';
import type { StoredRoster } from '../../src/store/roster-repository';
import { FAST_RULES, FROM, partners, startRosterWorld, waitForRoster, ZONE } from './rosters-fixtures';

describe('roster problems', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const period = { from: FROM, days: 2, timeZone: ZONE };

  async function build(): Promise<string> {
    const res = await t.http.post('/rosters').set(planner).send({ period, skillGroups: ['PS'], rules: FAST_RULES });
    expect(res.status).toBe(202);
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
    return res.body.id as string;
  }

  beforeAll(async () => {
    t = await startRosterWorld(partners());
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a built draft is deleted, then its status is a 404 problem, not "building"', async () => {
    const id = await build();
    await t.http.delete(`/rosters/${id}`).set(planner).expect(204);
    const status = await t.http.get(`/rosters/${id}/status`).set(planner);
    expect(status.status).toBe(404);
    expect(status.type).toBe('application/problem+json');
    expect(status.body.detail).toMatch(/deleted/);
    expect(status.body.errors).toEqual([{ where: '/path/rosterId', message: `no roster ${id}` }]);
    await t.http.get(`/rosters/${id}`).set(planner).expect(404);
  });

  test('when the job completed while the status was read and the draft is there on a second look, then the status is the draft', async () => {
    const draft = { id: 'r1', status: 'draft' } as StoredRoster;
    let reads = 0;
    const ctx = {
      // the first read misses the draft (stored after it), the job is completed by the time its state is read
      store: { rosters: { get: async () => (reads++ === 0 ? undefined : draft) } },
      queues: { get: () => ({ getJob: async () => ({ getState: async () => 'completed', progress: { phase: 'done', percent: 100 } }) }) },
    } as unknown as RosterContext;
    expect(await rosterStatus(ctx, 'r1')).toEqual({ id: 'r1', status: 'draft', result: '/rosters/r1' });
    // and with no draft on the second look either, it was deleted
    const gone = { ...ctx, store: { rosters: { get: async () => undefined } } } as unknown as RosterContext;
    await expect(rosterStatus(gone, 'r1')).rejects.toMatchObject({ code: 'not-found', status: 404 });
  });

  test('when a path parameter breaks the contract, then the problem names it /path/<name>', async () => {
    const res = await t.http.get('/rosters/bad!id/status').set(planner);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ where: '/path/rosterId', message: expect.stringMatching(/must match pattern/) }]);
  });

  test('when a roster, re-plan or drill names a date that is not on the calendar (February 30) or a template of 25 hours, then 400 names the field, as for special days', async () => {
    const roster = await t.http.post('/rosters').set(planner).send({ period: { ...period, from: '2030-02-30' }, skillGroups: ['PS'] });
    expect(roster.status).toBe(400);
    expect(roster.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/period/from']);
    const id = await build();
    const replan = await t.http.post(`/rosters/${id}/replan`).set(planner).send({ absences: [{ agentId: 'P1', dates: ['2030-02-30'] }] });
    expect(replan.status).toBe(400);
    expect(replan.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/absences/0/dates/0']);
    const drill = await t.http.post(`/rosters/${id}/drills`).set(planner).send({ scenario: 'normal-day', date: '2030-02-30' });
    expect(drill.status).toBe(400);
    expect(drill.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/date']);
    // a shift template of 25 hours is malformed too, not a contradiction of the rules
    const template = { id: 'long', name: 'Long', kind: 'night', lengthMinutes: 1500, startWindow: { from: '22:00', to: '23:00' }, startGridMinutes: 30 };
    const long = await t.http.post('/rosters').set(planner).send({ period, skillGroups: ['PS'], rules: { templates: [template] } });
    expect(long.status).toBe(400);
    expect(long.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/rules/templates/0/lengthMinutes']);
  });

  test('when a roster runs on another clock than its group (period.timeZone UTC for a Jerusalem group), then its shifts and its CSV give the same times', async () => {
    const res = await t.http.post('/rosters').set(planner).send({ period: { ...period, timeZone: 'UTC' }, skillGroups: ['PS'], rules: FAST_RULES });
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
    const shifts = (await t.http.get(`/rosters/${res.body.id}/shifts`).set(planner).expect(200)).body as Array<{ agentId: string; start: string; end: string }>;
    const csv = (await t.http.get(`/rosters/${res.body.id}/roster.csv`).set(planner).expect(200)).text.trim().split('\n').slice(1);
    expect(csv).toHaveLength(shifts.length);
    const fromCsv = new Set(csv.map((line) => line.split(',').slice(2, 4).join(' ')));
    for (const s of shifts) expect(fromCsv.has(`${s.start} ${s.end}`)).toBe(true);
  });

  test('when rosters are listed, then each period reads as the planner gave it (no stored instants)', async () => {
    await build();
    const list = (await t.http.get('/rosters').set(planner).expect(200)).body as Array<{ period: object }>;
    expect(list.length).toBeGreaterThan(0);
    for (const r of list) expect(Object.keys(r.period).sort()).toEqual(['days', 'from', 'timeZone']);
  });

  test('when a roster or re-plan request has no body or a non-JSON one, then 415 names /body and says a JSON body is expected', async () => {
    const cases = [
      { url: '/rosters', send: (r: ReturnType<TestService['http']['post']>) => r, got: 'no body' },
      { url: '/rosters', send: (r: ReturnType<TestService['http']['post']>) => r.set('Content-Type', 'text/plain').send('period=next week'), got: 'Content-Type text/plain' },
      { url: '/rosters/some-roster/replan', send: (r: ReturnType<TestService['http']['post']>) => r, got: 'no body' },
      { url: '/rosters/some-roster/replan', send: (r: ReturnType<TestService['http']['post']>) => r.set('Content-Type', 'text/plain').send('E003 is ill'), got: 'Content-Type text/plain' },
    ];
    for (const c of cases) {
      const res = await c.send(t.http.post(c.url).set(planner));
      expect(res.status).toBe(415);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.detail).toBe(`POST ${c.url} expects a JSON body with Content-Type: application/json; the request has ${c.got}${c.got === 'no body' ? ' (no Content-Type)' : ''}`);
      expect(res.body.errors).toEqual([{ where: '/body', message: expect.stringContaining('expected a JSON body with Content-Type: application/json') }]);
    }
    // the contract says so
    const doc = parse(readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'));
    for (const op of [doc.paths['/rosters'].post, doc.paths['/rosters/{rosterId}/replan'].post, doc.paths['/rosters/{rosterId}/drills'].post]) {
      expect(op.responses['415']).toEqual({ $ref: '#/components/responses/UnsupportedMediaType' });
    }
  });

  test('when a body comes with a corrupt or unsupported Content-Encoding, then 400 or 415 names /body (not a 500)', async () => {
    const corrupt = await t.http.post('/rosters').set(planner).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('not gzip at all');
    expect(corrupt.status).toBe(400);
    expect(corrupt.type).toBe('application/problem+json');
    expect(corrupt.body.errors).toEqual([{ where: '/body', message: expect.any(String) }]);
    const unknown = await t.http.post('/rosters').set(planner).set('Content-Type', 'application/json').set('Content-Encoding', 'bogus').send('{}');
    expect(unknown.status).toBe(415);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body.detail).toMatch(/^the body could not be read: unsupported content encoding/);
    // and the public inbound webhook, which needs no key
    const inbound = await t.http.post('/callouts/inbound').set('Content-Type', 'application/json').set('Content-Encoding', 'br').send('xx');
    expect(inbound.status).toBeGreaterThanOrEqual(400);
    expect(inbound.status).toBeLessThan(500);
  });

  test('when a roster is missing, published twice or deleted while published, then 404 and 409 carry an errors list too', async () => {
    const missing = await t.http.get('/rosters/nope').set(planner);
    expect(missing.status).toBe(404);
    expect(missing.body.errors).toEqual([{ where: '/path/rosterId', message: 'no roster nope' }]);
    for (const res of [await t.http.get('/rosters/nope/status').set(planner), await t.http.post('/rosters/nope/publish').set(planner), await t.http.delete('/rosters/nope').set(planner)]) {
      expect(res.status).toBe(404);
      expect(res.body.errors).toEqual([{ where: '/path/rosterId', message: 'no roster nope' }]);
    }

    const id = await build();
    await t.http.post(`/rosters/${id}/publish`).set(planner).expect(200);
    const twice = await t.http.post(`/rosters/${id}/publish`).set(planner);
    expect(twice.status).toBe(409);
    expect(twice.body.errors).toEqual([{ where: '/path/rosterId', message: 'published, not a draft' }]);
    const deleted = await t.http.delete(`/rosters/${id}`).set(planner);
    expect(deleted.status).toBe(409);
    expect(deleted.body.errors).toEqual([{ where: '/path/rosterId', message: 'published: re-plan it instead' }]);

    // a problem about no one field says so with "/"
    const anonymous = await t.http.get('/rosters');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors).toEqual([{ where: '/', message: anonymous.body.detail }]);
  });
});
