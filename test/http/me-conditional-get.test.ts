/**
 * Conditional GETs as fetch sends them: fetch (browsers, Node's undici) adds `Cache-Control: no-cache` and
 * `Pragma: no-cache` whenever the caller sets If-None-Match, and the origin must still evaluate it
 * (RFC 9110 §13.2.1) — express's own check called every such request stale, so an app never got a 304.
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import { answerIsFresh } from '../../src/http/cache-control';
import { CLAIM_SECRET, cloudAgents, GROUPS, publishSlotsWeek } from './rosters-fixtures';

const HOUR = 3_600_000;
/** what fetch sends along with If-None-Match */
const FETCH_REVALIDATION = { 'Cache-Control': 'no-cache', Pragma: 'no-cache' };

describe('If-None-Match answered 304 whatever the request\'s Cache-Control says', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  let agent: { Authorization: string };
  // the service's clock moves between calls (the export's generatedAt with it)
  let clock = Date.parse('2029-12-01T00:00:00Z');
  const monday = Date.parse('2030-01-07T08:00:00Z');
  const slot = (id: string, startMs: number): CloudSlot => ({ id, skillGroupId: 'PS', templateId: 'day', kind: 'day', date: new Date(startMs).toISOString().slice(0, 10), start: startMs, end: startMs + 4 * HOUR, agentsNeeded: 2, shiftIds: [] });

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => clock });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send(cloudAgents(1)).expect(200);
    agent = { Authorization: `Bearer ${(await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body.token}` };
    await publishSlotsWeek(t, 'week', [slot('mon', monday), slot('wed', monday + 48 * HOUR)], clock);
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when an agent revalidates their slots with If-None-Match and no-cache, then the answer is a 304 without a body', async () => {
    const first = await t.http.get('/me/slots').set(agent).expect(200);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"/);
    const again = await t.http.get('/me/slots').set({ ...agent, ...FETCH_REVALIDATION, 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    expect(again.headers.etag).toBe(etag);
    // a tag that is not the answer's still gets the answer
    await t.http.get('/me/slots').set({ ...agent, ...FETCH_REVALIDATION, 'If-None-Match': 'W/"other"' }).expect(200);
  });

  test('when a planner revalidates a roster\'s slots or the roster list with no-cache, then 304; a changed answer is a 200 again', async () => {
    for (const path of ['/rosters/week/slots', '/rosters']) {
      const etag = (await t.http.get(path).set(planner).expect(200)).headers.etag;
      await t.http.get(path).set({ ...planner, 'Cache-Control': 'no-cache', 'If-None-Match': etag }).expect(304);
      // a list of tags, the answer's among them (weak comparison: the W/ does not matter)
      await t.http.get(path).set({ ...planner, 'Cache-Control': 'max-age=0, no-cache', 'If-None-Match': `"x", ${etag.replace(/^W\//, '')}` }).expect(304);
    }
    const before = (await t.http.get('/rosters/week/slots').set(planner).expect(200)).headers.etag;
    await t.http.post('/me/claims/week/wed').set(agent).expect(201);
    const after = await t.http.get('/rosters/week/slots').set({ ...planner, ...FETCH_REVALIDATION, 'If-None-Match': before });
    expect(after.status).toBe(200);
    expect(after.body.find((s: { slotId: string }) => s.slotId === 'wed').claimed).toBe(1);
  });

  test('when an agent revalidates their export later, then it is a 304 until something about them changes, though generatedAt moves', async () => {
    const first = await t.http.get('/me/export').set(agent).expect(200);
    clock += 60_000;
    const second = await t.http.get('/me/export').set(agent).expect(200);
    expect(second.body.generatedAt).not.toBe(first.body.generatedAt);
    expect(second.headers.etag).toBe(first.headers.etag);
    await t.http.get('/me/export').set({ ...agent, ...FETCH_REVALIDATION, 'If-None-Match': first.headers.etag }).expect(304);
    // a claim is part of the export: the tag changes with it
    await t.http.post('/me/claims/week/mon').set(agent).expect(201);
    const changed = await t.http.get('/me/export').set({ ...agent, ...FETCH_REVALIDATION, 'If-None-Match': first.headers.etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    expect(changed.body.claims.map((c: { slotId: string }) => c.slotId)).toEqual(['mon', 'wed']);
  });

  test('when a planner revalidates an agent\'s export later, then it is a 304 too, though generatedAt moves', async () => {
    const agentId = cloudAgents(1)[0].id;
    const first = await t.http.get(`/agents/${agentId}/export`).set(planner).expect(200);
    clock += 60_000;
    const second = await t.http.get(`/agents/${agentId}/export`).set(planner).expect(200);
    expect(second.body.generatedAt).not.toBe(first.body.generatedAt);
    expect(second.headers.etag).toBe(first.headers.etag);
    await t.http.get(`/agents/${agentId}/export`).set({ ...planner, ...FETCH_REVALIDATION, 'If-None-Match': first.headers.etag }).expect(304);
  });

  test('when freshness is judged, then If-None-Match wins over If-Modified-Since, "*" matches any answer, and only GETs of 2xx are fresh', () => {
    const etag = 'W/"5-abc"';
    expect(answerIsFresh('GET', 200, { ifNoneMatch: '"5-abc"' }, { etag })).toBe(true);
    expect(answerIsFresh('GET', 200, { ifNoneMatch: '*' }, { etag })).toBe(true);
    expect(answerIsFresh('GET', 200, { ifNoneMatch: 'W/"other"', ifModifiedSince: 'Tue, 01 Jan 2030 00:00:00 GMT' }, { etag, lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' })).toBe(false);
    expect(answerIsFresh('GET', 200, { ifModifiedSince: 'Tue, 01 Jan 2030 00:00:00 GMT' }, { lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' })).toBe(true);
    expect(answerIsFresh('POST', 200, { ifNoneMatch: etag }, { etag })).toBe(false);
    expect(answerIsFresh('GET', 404, { ifNoneMatch: etag }, { etag })).toBe(false);
    expect(answerIsFresh('GET', 200, {}, { etag })).toBe(false);
  });
});
