import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { createLogger } from '../../src/log';
import { KEYS, type TestService } from '../support/service';
import { CLAIM_SECRET, FAST_RULES, FROM, ZONE, buildDraft, cloudAgents, partners, startRosterWorld, storeFor, waitForRoster } from './rosters-fixtures';

/** The UIDs of a feed's events (one per shift). */
const uids = (ics: string) => [...ics.replace(/\r\n /g, '').matchAll(/^UID:(.+)$/gm)].map((m) => m[1].trim()).sort();

describe("an agent's own calendar feed across rosters", () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const admin = { 'X-API-Key': KEYS.admin };
  const period = { from: FROM, days: 5, timeZone: ZONE };
  // the clock stands a few days before the rostered week (a test may move it on by seconds)
  let now = DateTime.fromISO(FROM, { zone: ZONE }).minus({ days: 4 }).toMillis();
  /** the UIDs' domain: this deployment (its key prefix) at PUBLIC_BASE_URL's host */
  const uidDomain = () => `${t.prefix}.wfm.example.com`;
  /** the service's request log (its own logger, its redaction) */
  const logLines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
    t = await startRosterWorld([...partners(), ...cloudAgents(3)], { CLAIM_TOKEN_SECRET: CLAIM_SECRET, PUBLIC_BASE_URL: 'https://wfm.example.com:8443/' }, { now: () => now, log: createLogger('info', 'wfm', sink) });
  });
  afterAll(async () => {
    await t.stop();
  });

  async function shiftIdsOf(rosterId: string, agentId: string): Promise<string[]> {
    const { store, close } = storeFor(t.prefix);
    try {
      return (await store.rosters.shifts(rosterId, agentId)).map((s) => s.id);
    } finally {
      close();
    }
  }
  const feed = async (agentId: string) => (await t.http.get(`/agents/${agentId}/calendar.ics`).set(planner).expect(200)).text;

  test('when a roster is only a draft, the feed is empty; once published it holds the agent\'s shifts; a published re-plan replaces them', async () => {
    const draft = await buildDraft(t, { period, skillGroups: ['PS'], rules: FAST_RULES });
    const agentId = 'P1';
    const mine = await shiftIdsOf(draft, agentId);
    expect(mine.length).toBeGreaterThan(0);
    const before = await feed(agentId);
    expect(before.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(uids(before)).toEqual([]);
    // no event, yet one component, as RFC 5545 §3.6 asks of every calendar
    expect(before).toContain('BEGIN:VTIMEZONE\r\nTZID:UTC\r\n');

    await t.http.post(`/rosters/${draft}/publish`).set(planner).expect(200);
    expect(uids(await feed(agentId))).toEqual(mine.map((id) => `${id}.${agentId}@${uidDomain()}`).sort());
    // read again a few seconds later: the same bytes (DTSTAMP is the roster's publication, not the request's
    // time), so a calendar app revalidating its copy gets a 304
    const first = await t.http.get(`/agents/${agentId}/calendar.ics`).set(planner).expect(200);
    now += 3_000;
    const second = await t.http.get(`/agents/${agentId}/calendar.ics`).set(planner).expect(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.etag).toBe(first.headers.etag);
    await t.http.get(`/agents/${agentId}/calendar.ics`).set(planner).set('If-None-Match', first.headers.etag).expect(304);
    const published = (await t.http.get(`/rosters/${draft}`).set(planner).expect(200)).body.publishedAt as string;
    expect(first.text).toContain(`DTSTAMP:${published.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);

    // P1 falls ill on the days they work: the re-plan moves those shifts, and the same address shows it
    const { store, close } = storeFor(t.prefix);
    const dates = [...new Set((await store.rosters.shifts(draft, agentId)).map((s) => s.date))].slice(0, 2);
    close();
    const replan = await t.http.post(`/rosters/${draft}/replan`).set(planner).send({ absences: [{ agentId, dates }] }).expect(202);
    expect(await waitForRoster(t.http, replan.body.id, planner)).toMatchObject({ status: 'draft' });
    await t.http.post(`/rosters/${replan.body.id}/publish`).set(planner).expect(200);
    const after = await shiftIdsOf(replan.body.id, agentId);
    expect(uids(await feed(agentId))).toEqual(after.map((id) => `${id}.${agentId}@${uidDomain()}`).sort());
    // the shifts the re-plan kept keep their UIDs
    const kept = after.filter((id) => mine.includes(id));
    expect(kept.length).toBeGreaterThan(0);
    expect(after.length).toBeLessThan(mine.length);
  });

  test('when the agent is unknown, then 404 names the path', async () => {
    const res = await t.http.get('/agents/nobody/calendar.ics').set(planner);
    expect(res.status).toBe(404);
    expect(res.body.errors[0].where).toBe('/path/agentId');
  });

  test('when a cloud agent asks with their claim token, then they get their own feed, and without one 401', async () => {
    const { token } = (await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body;
    const own = await t.http.get('/me/calendar.ics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(own.type).toBe('text/calendar');
    expect(own.text).toContain('X-WR-CALNAME:Shifts Cloud 0');
    // a person's shifts: kept by no cache, as under /agents
    expect(own.headers['cache-control']).toBe('no-store');
    await t.http.get('/me/calendar.ics').expect(401);
  });

  test('when a planner asks for an agent\'s feed address, then calendar apps read the same feed there with no credential, until the feed is reset', async () => {
    const address = (await t.http.get('/agents/P2/calendar-feed').set(planner).expect(200)).body;
    expect(address).toEqual({ agentId: 'P2', url: expect.stringMatching(/^https:\/\/wfm\.example\.com:8443\/calendar\.ics\?token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/), webcalUrl: expect.stringMatching(/^webcal:\/\/wfm\.example\.com:8443\/calendar\.ics\?token=/) });
    // the same address each time (nothing expires)
    expect((await t.http.get('/agents/P2/calendar-feed').set(planner).expect(200)).body.url).toBe(address.url);
    const path = new URL(address.url).pathname + new URL(address.url).search;
    const subscribed = await t.http.get(path).expect(200);
    expect(subscribed.type).toBe('text/calendar');
    expect(subscribed.text).toBe(await feed('P2'));
    expect(subscribed.headers['cache-control']).toBe('no-store');
    // routed with a trailing slash too, and held to the contract there as well
    await t.http.get(path.replace('/calendar.ics', '/calendar.ics/')).expect(200);
    await t.http.get(`${path.replace('/calendar.ics', '/calendar.ics/')}&token=second`).expect(400);
    // revalidated by a calendar app: unchanged, a 304
    await t.http.get(path).set('If-None-Match', subscribed.headers.etag).expect(304);

    const renewed = (await t.http.post('/agents/P2/calendar-feed/reset').set(planner).expect(200)).body;
    expect(renewed.url).not.toBe(address.url);
    const revoked = await t.http.get(path).expect(404);
    expect(revoked.body.detail).toMatch(/reset/);
    // the token is not repeated in the answer
    expect(revoked.body.instance).toBe('/calendar.ics?token=[redacted]');
    await t.http.get(new URL(renewed.url).pathname + new URL(renewed.url).search).expect(200);
    // forged or malformed: 404 as well (missing: 400, as the contract says); the routes giving addresses need a planner's key
    await t.http.get(`${path}x`).expect(404);
    await t.http.get('/calendar.ics?token=abc').expect(404);
    await t.http.get('/calendar.ics').expect(400); // the contract requires the token
    await t.http.get('/agents/P2/calendar-feed').expect(401);
    await t.http.get('/agents/P2/calendar-feed').set({ 'X-API-Key': KEYS.ingest }).expect(403);
    await t.http.get('/agents/nobody/calendar-feed').set(planner).expect(404);
    // the address is a credential: the request log holds none of the tokens read or refused
    const logged = logLines.join('');
    expect(logged).toContain('/calendar.ics?token=[redacted]');
    for (const url of [address.url, renewed.url]) expect(logged).not.toContain(new URL(url).searchParams.get('token')!);
  });

  test('when a cloud agent asks for their own feed address with their claim token, then their phone subscribes to it; once the agent is deleted (and created again) it is gone', async () => {
    const { token } = (await t.http.post('/agents/C002/claim-token').set(planner).send({}).expect(201)).body;
    const me = { Authorization: `Bearer ${token}` };
    const own = await t.http.get('/me/calendar-feed').set(me).expect(200);
    expect(own.headers['cache-control']).toBe('no-store');
    expect(own.body.url).toBe((await t.http.get('/agents/C002/calendar-feed').set(planner).expect(200)).body.url);
    const path = (url: string) => new URL(url).pathname + new URL(url).search;
    expect((await t.http.get(path(own.body.url)).expect(200)).text).toContain('X-WR-CALNAME:Shifts Cloud 2');
    // the agent may revoke it themself
    const renewed = (await t.http.post('/me/calendar-feed/reset').set(me).expect(200)).body.url;
    await t.http.get(path(own.body.url)).expect(404);
    await t.http.get('/me/calendar-feed').expect(401);

    await t.http.get(path(renewed)).expect(200);

    // an agent whose feed was never reset (version 0, as a re-created agent's is again)
    const agent = (await t.http.get('/agents/C001').set(admin).expect(200)).body;
    const before = (await t.http.get('/agents/C001/calendar-feed').set(planner).expect(200)).body.url;
    await t.http.delete('/agents/C001').set(admin).expect(204);
    expect((await t.http.get(path(before)).expect(404)).body.detail).toMatch(/deleted/);
    // another person given the id: the old address does not show their shifts
    await t.http.post('/agents').set(admin).send([agent]).expect(200);
    await t.http.get(path(before)).expect(404);
    const theirs = (await t.http.get('/agents/C001/calendar-feed').set(planner).expect(200)).body.url;
    expect(theirs).not.toBe(before);
    await t.http.get(path(theirs)).expect(200);
  });
});
