/**
 * A roster period's zone is held to the rule of every zone a planner types (skill groups, agents, `wfm plan
 * --tz`): an IANA Area/Location zone; an abbreviation is refused naming the zone the runtime reads it as.
 */
import { periodProblems } from '../../src/roster/build';
import { KEYS, type TestService } from '../support/service';
import { FAST_RULES, buildDraft, partners, startRosterWorld, storeFor } from '../http/rosters-fixtures';

const period = (timeZone: string) => ({ from: '2026-12-14', days: 14, timeZone });

describe('the zone of a roster period', () => {
  test('when it is an abbreviation or a legacy name without an area, then it is refused naming the zone it would read as', () => {
    expect(periodProblems(period('CET'))).toEqual([{ where: '/period/timeZone', message: expect.stringMatching(/"CET" is an abbreviation or a legacy name.*Area\/Location/) }]);
    expect(periodProblems(period('JST'))[0].message).toMatch(/would read as Asia\/Tokyo/);
    expect(periodProblems(period('EST'))[0].message).toMatch(/would read as America\/Panama/);
    expect(periodProblems(period('Mars/Base'))).toEqual([{ where: '/period/timeZone', message: expect.stringMatching(/"Mars\/Base" is not an IANA time zone/) }]);
  });

  test('when it is an Area/Location zone or UTC, then it holds', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'US/Eastern', 'UTC']) expect(periodProblems(period(zone))).toEqual([]);
  });
});

describe('POST /rosters with an abbreviated period.timeZone', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };

  beforeAll(async () => {
    t = await startRosterWorld(partners());
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when period.timeZone is CET, then the answer is a 422 problem naming /body/period/timeZone', async () => {
    const res = await t.http.post('/rosters').set(planner).send({ period: { from: '2030-01-07', days: 7, timeZone: 'CET' }, skillGroups: ['PS'], rules: FAST_RULES });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ where: '/body/period/timeZone', message: expect.stringMatching(/"CET" is an abbreviation.*it would read as/) }]);
  });

  // as skill groups keep it: a roster of "asia/jerusalem" beside groups of Asia/Jerusalem is on one clock, named once
  test('when period.timeZone is typed in another case or as GMT, then the roster keeps the canonical zone name', async () => {
    const typed = { 'asia/jerusalem': 'Asia/Jerusalem', GMT: 'UTC' };
    for (const [zone, canonical] of Object.entries(typed)) {
      const id = await buildDraft(t, { period: { from: '2030-01-07', days: 2, timeZone: zone }, skillGroups: ['PS'], rules: FAST_RULES });
      const { store, close } = storeFor(t.prefix);
      try {
        expect((await store.rosters.get(id))!.period.timeZone).toBe(canonical);
      } finally {
        close();
      }
      const view = await t.http.get(`/rosters/${id}`).set(planner).expect(200);
      expect(view.body.period.timeZone).toBe(canonical);
      expect(JSON.stringify(view.body)).not.toContain(`"${zone}"`);
    }
  });
});
