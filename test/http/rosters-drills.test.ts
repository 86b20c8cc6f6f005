import { startTestService, KEYS, type TestService } from '../support/service';
import type { Agent } from '../../src/domain/types';
import { checkRoster } from '../../src/roster/checker';
import { CLAIM_SECRET, FAST_RULES, FROM, GROUPS, partners, seedForecastAndHistory, storeFor, waitForRoster, ZONE } from './rosters-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('drilling a stored roster in the simulator', () => {
  let t: TestService;
  let rosterId: string;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const agents: Agent[] = partners();

  async function finished(statusUrl: string) {
    for (let i = 0; i < 400; i++) {
      const job = (await t.http.get(statusUrl).set(planner).expect(200)).body;
      if (job.state === 'completed' || job.state === 'failed') return job;
      await sleep(150);
    }
    throw new Error('simulation did not finish');
  }

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send(agents).expect(200);
    await seedForecastAndHistory(t.prefix);
    const res = await t.http.post('/rosters').set(planner).send({ period: { from: FROM, days: 2, timeZone: ZONE }, skillGroups: ['PS', 'NE'], rules: FAST_RULES }).expect(202);
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
    rosterId = res.body.id;
    const { store, close } = storeFor(t.prefix);
    try {
      expect(checkRoster(await store.rosters.shifts(rosterId), agents, { from: FROM, days: 2, timeZone: ZONE })).toEqual([]);
    } finally {
      close();
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a planner drills a normal day and a storm day, then both simulate the roster and the storm answers fewer calls in time', async () => {
    const normal = await t.http.post(`/rosters/${rosterId}/drills`).set(planner).send({ scenario: 'normal-day', replications: 3, seed: 5 });
    expect(normal.status).toBe(202);
    expect(normal.headers.location).toBe(normal.body.status);
    expect(normal.body).toMatchObject({ scenario: 'normal-day', shocks: 0, period: { from: '2030-01-07T00:00:00+02:00', to: '2030-01-08T00:00:00+02:00' } });
    const storm = await t.http.post(`/rosters/${rosterId}/drills`).set(planner).send({ scenario: 'storm-day', at: '11:00', replications: 3, seed: 5 });
    expect(storm.status).toBe(202);
    expect(storm.body.shocks).toBe(2); // every group of the roster
    const [calm, stormy] = [await finished(normal.body.status), await finished(storm.body.status)];
    expect(calm.state).toBe('completed');
    expect(stormy.state).toBe('completed');
    const total = (job: { result: { totals: Array<{ skillGroupId: string; offered: { mean: number }; serviceLevel: { mean: number; halfWidth: number } }> } }, group: string) => job.result.totals.find((g) => g.skillGroupId === group)!;
    // the PS forecast is 30–50 calls per half hour from 08:00 to 18:00: ~780 a day
    expect(total(calm, 'PS').offered.mean).toBeGreaterThan(600);
    expect(total(calm, 'PS').offered.mean).toBeLessThan(1000);
    expect(total(stormy, 'PS').offered.mean).toBeGreaterThan(total(calm, 'PS').offered.mean * 1.6);
    expect(total(stormy, 'PS').serviceLevel.mean).toBeLessThan(total(calm, 'PS').serviceLevel.mean);
    // results per interval with confidence intervals
    const noon = stormy.result.intervals.find((r: { skillGroupId: string; start: number }) => r.skillGroupId === 'PS' && r.start === Date.parse('2030-01-07T12:00:00+02:00'));
    expect(noon.offered.mean).toBeGreaterThan(90); // ×3 on 50
    expect(noon.serviceLevel.halfWidth).toBeGreaterThanOrEqual(0);
  });

  test('when a flash surge hits one group, then only that group is shocked', async () => {
    const res = await t.http.post(`/rosters/${rosterId}/drills`).set(planner).send({ scenario: 'flash-surge', skillGroupId: 'NE', date: '2030-01-08', replications: 2 });
    expect(res.status).toBe(202);
    expect(res.body.shocks).toBe(1);
    const job = await finished(res.body.status);
    expect(job.state).toBe('completed');
    const ne = job.result.intervals.filter((r: { skillGroupId: string; start: number }) => r.skillGroupId === 'NE' && r.start >= Date.parse('2030-01-08T12:00:00+02:00') && r.start < Date.parse('2030-01-08T12:30:00+02:00'));
    // ×20 for 20 of the 30 minutes on a forecast of ~12 calls
    expect(ne[0].offered.mean).toBeGreaterThan(80);
  });

  test('when a drill is bad, then 422 names the field and nothing is queued', async () => {
    const post = (body: object) => t.http.post(`/rosters/${rosterId}/drills`).set(planner).send(body);
    const scenario = await post({ scenario: 'tsunami' });
    expect(scenario.status).toBe(422);
    expect(scenario.body.errors[0]).toMatchObject({ where: '/body/scenario', message: expect.stringMatching(/unknown scenario "tsunami"/) });
    expect((await post({ scenario: 'flash-surge', skillGroupId: 'XX' })).body.errors[0].where).toBe('/body/skillGroupId');
    expect((await post({ scenario: 'normal-day', date: '2031-01-01' })).body.errors[0].where).toBe('/body/date');
    const outside = await post({ scenario: 'normal-day', shocks: [{ skillGroupId: 'PS', start: '2030-01-09T10:00:00+02:00', durationMinutes: 60, factor: 2 }] });
    expect(outside.status).toBe(422);
    expect(outside.body.errors[0]).toMatchObject({ where: '/body/shocks/0/start', message: expect.stringMatching(/outside the simulated period/) });
    const negative = await post({ scenario: 'storm-day', shocks: [{ skillGroupId: 'PS', start: '2030-01-07T10:00', durationMinutes: 60, factor: -2 }] });
    expect(negative.status).toBe(422);
    expect(negative.body.errors[0].where).toBe('/body/shocks/0/factor');
    const late = await post({ scenario: 'storm-day', at: '23:00' });
    expect(late.status).toBe(422);
    expect(late.body.errors[0].where).toBe('/body/at');
    // a time that is no time is refused by the contract; normal-day has no preset shock for `at` to start
    const noTime = await post({ scenario: 'normal-day', at: '25:99' });
    expect(noTime.status).toBe(400);
    expect(noTime.body.errors[0].where).toBe('/body/at');
    const noShock = await post({ scenario: 'normal-day', at: '10:00' });
    expect(noShock.status).toBe(422);
    expect(noShock.body.errors).toEqual([{ where: '/body/at', message: expect.stringContaining('normal-day has no preset shock') }]);
    const unknownGroup = await post({ scenario: 'normal-day', shocks: [{ skillGroupId: 'ZZ', start: '2030-01-07T10:00', durationMinutes: 60, factor: 2 }] });
    expect(unknownGroup.body.errors[0].where).toBe('/body/shocks/0/skillGroupId');
    await t.http.post('/rosters/nope/drills').set(planner).send({ scenario: 'normal-day' }).expect(404);
    const waiting = await t.service.queues.get('simulate').getJobCounts('waiting', 'active', 'completed', 'failed');
    expect(waiting.waiting + waiting.active).toBe(0);
    expect(waiting.completed).toBe(3);
  });
});
