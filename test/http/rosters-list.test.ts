import { KEYS, type TestService } from '../support/service';
import { FAST_RULES, FROM, ZONE, partners, startRosterWorld, storeFor } from './rosters-fixtures';

describe('the roster list while a roster is being built', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  beforeAll(async () => {
    // no build-roster worker in this process: a requested roster stays queued
    t = await startRosterWorld(partners(), {}, { workersOnly: ['simulate'] });
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a planner has just requested a roster, then GET /rosters lists it as queued with its period and groups', async () => {
    expect((await t.http.get('/rosters').set(planner).expect(200)).body).toEqual([]);
    const period = { from: FROM, days: 5, timeZone: ZONE };
    const accepted = await t.http.post('/rosters').set(planner).send({ period, skillGroups: ['PS'], rules: FAST_RULES }).expect(202);
    const { id } = accepted.body;
    // Location is what to poll: the status (the roster itself answers once it is built)
    expect(accepted.headers.location).toBe(`/rosters/${id}/status`);
    const list = (await t.http.get('/rosters').set(planner).expect(200)).body;
    expect(list).toEqual([{ id, status: 'queued', createdAt: expect.any(String), period, skillGroupIds: ['PS'] }]);
    expect((await t.http.get(`/rosters/${id}/status`).set(planner).expect(200)).body).toMatchObject({ id, status: 'queued' });
    // reading, publishing, re-planning, drilling or deleting it now is a matter of timing (409), not of a wrong id (404)
    const building = { where: '/path/rosterId', message: `queued, not built yet: see /rosters/${id}/status` };
    const early = [
      await t.http.get(`/rosters/${id}`).set(planner),
      await t.http.get(`/rosters/${id}/shifts`).set(planner),
      await t.http.post(`/rosters/${id}/publish`).set(planner),
      await t.http.post(`/rosters/${id}/replan`).set(planner).send({ forecastMoved: true }),
      await t.http.post(`/rosters/${id}/drills`).set(planner).send({ scenario: 'normal-day' }),
      await t.http.delete(`/rosters/${id}`).set(planner),
    ];
    for (const res of early) {
      expect(res.status).toBe(409);
      expect(res.body.detail).toBe(`roster ${id} is still queued: poll /rosters/${id}/status until it says draft (or failed)`);
      expect(res.body.errors).toEqual([building]);
    }
    await t.http.post('/rosters/no-such-roster/publish').set(planner).expect(404);
    await t.http.get('/rosters/no-such-roster').set(planner).expect(404);
    await t.http.delete('/rosters/no-such-roster').set(planner).expect(404);
  });

  test('when more rosters are stored than a page holds, then each page says where the next one is (Link rel="next") until the last, and the array body stays', async () => {
    // the queued roster of the test above, then five stored drafts, two of them created in one millisecond
    const queued = ((await t.http.get('/rosters').set(planner).expect(200)).body as Array<{ id: string; status: string }>).filter((r) => r.status === 'queued').map((r) => r.id);
    expect(queued).toHaveLength(1);
    const created = ['d1', 'd2', 'd3a', 'd3b', 'd4'];
    const at = { d1: 1000, d2: 2000, d3a: 3000, d3b: 3000, d4: 4000 } as Record<string, number>;
    const { store, close } = storeFor(t.prefix);
    try {
      for (const id of created) {
        const startMs = Date.parse('2030-03-04T00:00:00Z');
        await store.rosters.saveDraft({
          meta: { id, createdAt: new Date(Date.parse('2029-12-01T00:00:00Z') + at[id]).toISOString(), period: { from: '2030-03-04', days: 7, timeZone: 'UTC', startMs, endMs: startMs + 7 * 86_400_000 }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
          shifts: [], uncovered: [], coverage: [], slots: [],
        });
      }
    } finally {
      close();
    }
    const newestFirst = ['d4', 'd3b', 'd3a', 'd2', 'd1'];
    // the default page holds them all: no Link
    const all = await t.http.get('/rosters').set(planner).expect(200);
    expect(all.body.map((r: { id: string }) => r.id)).toEqual([...queued, ...newestFirst]);
    expect(all.headers.link).toBeUndefined();

    const pages: string[][] = [];
    let next: string | undefined = '/rosters?limit=2';
    while (next) {
      const res: { body: Array<{ id: string }>; headers: Record<string, string | undefined> } = await t.http.get(next).set(planner).expect(200);
      pages.push(res.body.map((r) => r.id));
      next = /^<([^>]+)>; rel="next"$/.exec(res.headers.link ?? '')?.[1];
      if (pages.length === 1) {
        // a roster deleted between pages hides none after it
        await t.http.delete('/rosters/d3b').set(planner).expect(204);
      }
    }
    // the roster still being built on the first page only, beside its `limit` stored ones
    expect(pages).toEqual([[...queued, 'd4', 'd3b'], ['d3a', 'd2'], ['d1']]);

    const bad = await t.http.get('/rosters?cursor=bm90LWEtY3Vyc29y').set(planner);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].where).toBe('/query/cursor');
    await t.http.get('/rosters?limit=0').set(planner).expect(400);
  });
});
