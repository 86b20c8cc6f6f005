import { startTestService, KEYS, type TestService } from '../support/service';
import { skillGroup } from '../support/examples';
import { storeFor } from './rosters-fixtures';

const DAY = 86_400_000;

describe('a drill is held to the size limits of POST /simulations', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  // 40 groups of 15-minute intervals: a fortnight is 40 × 14 × 96 = 53,760 result rows
  const groups = Array.from({ length: 40 }, (_, k) => skillGroup({ id: `G${k}`, timeZone: 'UTC', intervalMinutes: 15 }));

  beforeAll(async () => {
    t = await startTestService();
    await t.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send(groups).expect(200);
    const { store, close } = storeFor(t.prefix);
    try {
      const startMs = Date.UTC(2030, 0, 7);
      await store.rosters.saveDraft({
        meta: { id: 'wide', createdAt: new Date().toISOString(), period: { from: '2030-01-07', days: 14, timeZone: 'UTC', startMs, endMs: startMs + 14 * DAY }, skillGroupIds: groups.map((g) => g.id), request: {}, summary: {}, details: {} },
        shifts: [],
        uncovered: [],
        coverage: [],
        slots: [],
      });
    } finally {
      close();
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a drill of a wide roster would produce more result rows than a simulation may, then 422 names the drilled days and nothing is queued', async () => {
    const res = await t.http.post('/rosters/wide/drills').set(planner).send({ scenario: 'normal-day', days: 14, replications: 1 });
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toBe('a simulation over REST produces at most 50,000 result rows (intervals × skill groups)');
    expect(res.body.errors).toEqual([{ where: '/body/days', message: expect.stringMatching(/^53,760 rows \(40 skill groups over 14\.0 days of 15-minute intervals\)/) }]);
    const jobs = await t.service.queues.get('simulate').getJobCounts();
    expect(Object.values(jobs).reduce((a, b) => a + b, 0)).toBe(0);

    // a shorter drill of the same roster fits
    const short = await t.http.post('/rosters/wide/drills').set(planner).send({ scenario: 'normal-day', days: 1, replications: 1 });
    expect(short.status).toBe(202);
  });
});
