/**
 * Quiet hours inside a group's opening hours: the group is open, yet nobody can be called out then. The
 * policy PUT stores it (a planner may want it: cloud agents are not to be woken at night) but answers with
 * a warning naming the days and times; a policy whose quiet hours fall where the group is closed, or a
 * group without opening hours, gets none.
 */
import { quietHoursOpenWarnings } from '../../src/services/trigger';
import { KEYS, startTestService, type TestService } from '../support/service';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const NIGHTS = [
  { days: EVERY_DAY, from: '22:00', to: '24:00' },
  { days: EVERY_DAY, from: '00:00', to: '06:00' },
];
const groupOpen = (id: string, openingHours?: Array<{ days: number[]; from: string; to: string }>) => ({
  id, name: id, timeZone: 'Europe/Berlin', intervalMinutes: 15, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
  ahtSeconds: 180, patienceSeconds: 120, shrinkage: 0.3, maxOccupancy: 0.95, channel: 'voice', overflowTo: [],
  ...(openingHours ? { openingHours } : {}),
});

describe('the trigger policy PUT warns of quiet hours in opening hours', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };

  beforeAll(async () => {
    t = await startTestService();
    await t.http
      .post('/skill-groups')
      .set(admin)
      .send([
        groupOpen('RS', [{ days: EVERY_DAY, from: '00:00', to: '24:00' }]),
        groupOpen('OFFICE', [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }]),
        groupOpen('INFERRED'),
      ])
      .expect(200);
  });
  afterAll(() => t.stop());

  test('when a 24/7 line gets night-time quiet hours, then they are stored and the answer warns, naming the windows and days', async () => {
    const put = await t.http.put('/skill-groups/RS/trigger-policy').set(admin).send({ quietHours: NIGHTS }).expect(200);
    expect(put.body.quietHours).toEqual(NIGHTS);
    expect(put.body.warnings).toHaveLength(1);
    expect(put.body.warnings[0]).toMatch(/^quiet hours fall in the group's opening hours \(every day 00:00–06:00 and 22:00–24:00, Europe\/Berlin\): the group is open then but nobody is called out/);
    expect(put.body.warnings[0]).toContain('leave these windows out of quietHours if callouts must cover them');
    // stored as sent: the GET answers the policy alone (a body sent back from it is accepted)
    const get = await t.http.get('/skill-groups/RS/trigger-policy').set(planner).expect(200);
    expect(get.body.warnings).toBeUndefined();
    expect(get.body.quietHours).toEqual(NIGHTS);
  });

  test('when quiet hours fall where the group is closed, or the group has no opening hours, then there is no warning', async () => {
    const office = await t.http.put('/skill-groups/OFFICE/trigger-policy').set(admin).send({ quietHours: [...NIGHTS, { days: [6, 7], from: '00:00', to: '24:00' }] }).expect(200);
    expect(office.body.warnings).toBeUndefined();
    const inferred = await t.http.put('/skill-groups/INFERRED/trigger-policy').set(admin).send({ quietHours: NIGHTS }).expect(200);
    expect(inferred.body.warnings).toBeUndefined();
    const none = await t.http.put('/skill-groups/RS/trigger-policy').set(admin).send({}).expect(200);
    expect(none.body.warnings).toBeUndefined();
  });

  test('when quiet hours overlap only part of the opening hours, then only the overlap is named, days with the same overlap together', () => {
    const group = {
      timeZone: 'Europe/Berlin',
      openingHours: [
        { days: [1, 2, 3, 4, 5] as Array<1 | 2 | 3 | 4 | 5>, from: '08:00', to: '20:00' },
        { days: [6] as Array<6>, from: '09:00', to: '13:00' },
      ],
    };
    const quietHours = [
      { days: [1, 2, 3, 4, 5, 6] as Array<1 | 2 | 3 | 4 | 5 | 6>, from: '19:00', to: '24:00' },
      { days: [6] as Array<6>, from: '12:00', to: '12:30' },
      { days: [7] as Array<7>, from: '00:00', to: '24:00' },
    ];
    expect(quietHoursOpenWarnings({ quietHours }, group)).toEqual([
      expect.stringContaining("opening hours (Mon–Fri 19:00–20:00; Sat 12:00–12:30, Europe/Berlin)"),
    ]);
    // adjoining and overlapping windows are joined before they are named
    const joined = quietHoursOpenWarnings({ quietHours: [{ days: [2, 4], from: '18:00', to: '19:00' }, { days: [2, 4], from: '18:30', to: '21:00' }] }, group);
    expect(joined[0]).toContain('(Tue, Thu 18:00–20:00, Europe/Berlin)');
  });
});
