import { KEYS, type TestService } from '../support/service';
import { FAST_RULES, partners, startRosterWorld, waitForRoster, ZONE } from './rosters-fixtures';

/**
 * NE has history up to Sunday 2030-01-06 (its last interval 17:30 local) and no stored forecast: a period
 * can be forecast from it while it starts within 120 days of that interval, whatever month it ends in.
 */
describe('a roster request and its build agree on the history a forecast needs', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const post = (from: string) => t.http.post('/rosters').set(planner).send({ period: { from, days: 1, timeZone: ZONE }, skillGroups: ['NE'], rules: FAST_RULES });

  beforeAll(async () => {
    t = await startRosterWorld(partners());
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the history ends early in a month and the period starts more than 120 days after its last interval, then the request is a 422, not a build that fails', async () => {
    // 2030-05-20 is 134 days after 2030-01-06, but within 120 days of 2030-02-01 (the month after the last data)
    const res = await post('2030-05-20');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        where: '/body/skillGroups/0',
        message: 'no stored forecast covers the period for NE, and no history of NE in the 120 days before 2030-05-20 to forecast the period from (its last interval before the period starts 2030-01-06T17:30:00+02:00)',
      },
    ]);
  });

  test('when the period starts within 120 days of the last interval, then the request is accepted and the build succeeds', async () => {
    const res = await post('2030-05-05');
    expect(res.status).toBe(202);
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
  });
});
