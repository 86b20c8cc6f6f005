/**
 * GET /me/claims as an app reads it: what is still to be worked by default, a range for the past, a page
 * at a time — the body an array as before, more pages in a Link header (as /rosters and /trigger/*).
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, publishSlotsWeek } from './rosters-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the claims a cloud agent lists', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  let agent: { Authorization: string };
  // a week before the roster's: the claim token (14 days) still holds when the week is worked
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const monday = Date.parse('2030-01-07T08:00:00Z');
  // four mornings of 4 h, a day apart: within the cloud contract's 20 h and 5 days a week, rest kept
  const slot = (id: string, day: number): CloudSlot => ({ id, skillGroupId: 'PS', templateId: 'day', kind: 'day', date: new Date(monday + day * DAY).toISOString().slice(0, 10), start: monday + day * DAY, end: monday + day * DAY + 4 * HOUR, agentsNeeded: 1, shiftIds: [] });
  const slots = [slot('d0', 0), slot('d1', 1), slot('d2', 2), slot('d3', 3)];
  const listed = (res: { body: Array<{ slotId: string }> }) => res.body.map((c) => c.slotId);

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => clock });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send(cloudAgents(1)).expect(200);
    agent = { Authorization: `Bearer ${(await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body.token}` };
    await publishSlotsWeek(t, 'week', slots, clock);
    // claimed out of order, before the week
    for (const id of ['d2', 'd0', 'd3', 'd1']) await t.http.post(`/me/claims/week/${id}`).set(agent).expect(201);
    // then Tuesday mid-morning: Monday's claim is over, Tuesday's being worked
    clock = monday + DAY + 2 * HOUR;
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when an agent lists their claims, then those not over yet come, soonest first, the one being worked included', async () => {
    const res = await t.http.get('/me/claims').set(agent).expect(200);
    expect(listed(res)).toEqual(['d1', 'd2', 'd3']);
    expect(res.body[0]).toMatchObject({ rosterId: 'week', slotId: 'd1', start: '2030-01-08T08:00:00Z', claimed: 1, agentsNeeded: 1 });
    expect(res.headers.link).toBeUndefined();
  });

  test('when an agent asks for a range, then the claims overlapping it come, past ones included', async () => {
    expect(listed(await t.http.get('/me/claims?from=2030-01-01T00:00:00Z').set(agent).expect(200))).toEqual(['d0', 'd1', 'd2', 'd3']);
    // `to` is exclusive; an unescaped "+" of an offset is read as one
    expect(listed(await t.http.get('/me/claims?from=2030-01-07T10:00:00+02:00&to=2030-01-09T08:00:00Z').set(agent).expect(200))).toEqual(['d0', 'd1']);
    const backwards = await t.http.get('/me/claims?from=2030-01-09T00:00:00Z&to=2030-01-08T00:00:00Z').set(agent);
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors[0]).toMatchObject({ where: '/query/to' });
    const malformed = await t.http.get('/me/claims?from=yesterday').set(agent);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].where).toBe('/query/from');
  });

  test('when an agent pages their claims, then each page is an array, the Link header leads to the next with `from` pinned, and the last has none', async () => {
    const first = await t.http.get('/me/claims?limit=2').set(agent).expect(200);
    expect(listed(first)).toEqual(['d1', 'd2']);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.link)?.[1];
    expect(next).toBeDefined();
    expect(new URL(next!, 'http://x').searchParams.get('from')).toBe(new Date(clock).toISOString());
    // Tuesday's claim ending in between changes nothing for the listing already begun
    clock += 3 * HOUR;
    const second = await t.http.get(next!).set(agent).expect(200);
    expect(listed(second)).toEqual(['d3']);
    expect(second.headers.link).toBeUndefined();
    const forged = await t.http.get('/me/claims?cursor=bm90LWEtY3Vyc29y').set(agent);
    expect(forged.status).toBe(422);
    expect(forged.body.errors[0].where).toBe('/query/cursor');
    await t.http.get('/me/claims?limit=0').set(agent).expect(400);
  });
});
