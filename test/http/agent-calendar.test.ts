import { DateTime } from 'luxon';
import { KEYS, type TestService } from '../support/service';
import { CLAIM_SECRET, FAST_RULES, FROM, ZONE, buildDraft, cloudAgents, partners, startRosterWorld, storeFor, waitForRoster } from './rosters-fixtures';

/** The UIDs of a feed's events (one per shift). */
const uids = (ics: string) => [...ics.matchAll(/^UID:(.+)$/gm)].map((m) => m[1].trim()).sort();

describe("an agent's own calendar feed across rosters", () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const period = { from: FROM, days: 5, timeZone: ZONE };
  beforeAll(async () => {
    // the clock stands a few days before the rostered week
    const now = DateTime.fromISO(FROM, { zone: ZONE }).minus({ days: 4 }).toMillis();
    t = await startRosterWorld([...partners(), ...cloudAgents(2)], { CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => now });
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

    await t.http.post(`/rosters/${draft}/publish`).set(planner).expect(200);
    expect(uids(await feed(agentId))).toEqual(mine.map((id) => `${id}.${agentId}@wfm.local`).sort());

    // P1 falls ill on the days they work: the re-plan moves those shifts, and the same address shows it
    const { store, close } = storeFor(t.prefix);
    const dates = [...new Set((await store.rosters.shifts(draft, agentId)).map((s) => s.date))].slice(0, 2);
    close();
    const replan = await t.http.post(`/rosters/${draft}/replan`).set(planner).send({ absences: [{ agentId, dates }] }).expect(202);
    expect(await waitForRoster(t.http, replan.body.id, planner)).toMatchObject({ status: 'draft' });
    await t.http.post(`/rosters/${replan.body.id}/publish`).set(planner).expect(200);
    const after = await shiftIdsOf(replan.body.id, agentId);
    expect(uids(await feed(agentId))).toEqual(after.map((id) => `${id}.${agentId}@wfm.local`).sort());
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
    await t.http.get('/me/calendar.ics').expect(401);
  });
});
