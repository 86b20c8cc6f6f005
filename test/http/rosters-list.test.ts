import { KEYS, type TestService } from '../support/service';
import { FAST_RULES, FROM, ZONE, partners, startRosterWorld } from './rosters-fixtures';

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
    const { id } = (await t.http.post('/rosters').set(planner).send({ period, skillGroups: ['PS'], rules: FAST_RULES }).expect(202)).body;
    const list = (await t.http.get('/rosters').set(planner).expect(200)).body;
    expect(list).toEqual([{ id, status: 'queued', createdAt: expect.any(String), period, skillGroupIds: ['PS'] }]);
    expect((await t.http.get(`/rosters/${id}/status`).set(planner).expect(200)).body).toMatchObject({ id, status: 'queued' });
    // publishing it now is a matter of timing (409), not of a wrong id (404)
    const early = await t.http.post(`/rosters/${id}/publish`).set(planner);
    expect(early.status).toBe(409);
    expect(early.body.errors).toEqual([{ where: '/path/rosterId', message: 'queued, not a draft yet' }]);
    await t.http.post('/rosters/no-such-roster/publish').set(planner).expect(404);
  });
});
