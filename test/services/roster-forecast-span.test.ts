/**
 * Whether a roster is planned on the stored two-week forecast: only when the span it covers (its fourteen
 * local days from the day it was computed from) holds the whole period. One computed late on the 13th ends
 * with the 26th: a fortnight from the 14th is forecast from history, not planned without demand on its last day.
 */
import { DateTime } from 'luxon';
import { storedForecastServes } from '../../src/services/rosters';
import { KEYS, type TestService } from '../support/service';
import { FAST_RULES, partners, startRosterWorld, storeFor, waitForRoster, ZONE } from '../http/rosters-fixtures';

const BERLIN = 'Europe/Berlin';
const local = (iso: string, zone = BERLIN) => DateTime.fromISO(iso, { zone }).toMillis();
/** [start, end) of `days` local days from `from` */
const period = (from: string, days: number, zone = BERLIN) => [local(from, zone), DateTime.fromISO(from, { zone }).plus({ days }).toMillis()] as const;

describe('whether the stored forecast serves a roster period', () => {
  const lateEvening = { from: '2026-12-13T22:30:00.001Z' }; // 23:30 in Berlin, the history's last interval

  test('when it was computed late the evening before, then it serves the thirteen days it holds, not the fortnight from the next day', () => {
    expect(storedForecastServes(lateEvening, BERLIN, ...period('2026-12-14', 14))).toBe(false);
    expect(storedForecastServes(lateEvening, BERLIN, ...period('2026-12-14', 13))).toBe(true);
    expect(storedForecastServes(lateEvening, BERLIN, ...period('2026-12-26', 2))).toBe(false);
  });

  test('when it was computed from the period\'s first midnight, then it serves the fortnight, a fall-back night in it too', () => {
    expect(storedForecastServes({ from: '2026-12-14T00:00:00+01:00' }, BERLIN, ...period('2026-12-14', 14))).toBe(true);
    // 2026-10-25 has 25 hours in Berlin: the fortnight is an hour longer than 14 × 24 h
    expect(storedForecastServes({ from: '2026-10-19T00:00:00+02:00' }, BERLIN, ...period('2026-10-19', 14))).toBe(true);
  });

  test('when it starts after the period does, or the period is read on a clock that ends later, then it does not serve', () => {
    expect(storedForecastServes({ from: '2026-12-14T08:00:00+01:00' }, BERLIN, ...period('2026-12-14', 7))).toBe(false);
    // London's midnight is Berlin's 01:00: the fortnight's last hour is not in the stored forecast
    expect(storedForecastServes({ from: '2026-12-14T00:00:00+01:00' }, BERLIN, ...period('2026-12-14', 14, 'Europe/London'))).toBe(false);
  });
});

/**
 * The roster world's NE has history up to Sunday 2030-01-06 17:30 (Jerusalem), PS none. Stored forecasts of
 * both computed from 23:30:00.001 that evening hold 2030-01-06 to 2030-01-19.
 */
describe('a roster of the days at the end of a stored forecast made late in the evening', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const post = (group: string, from: string) => t.http.post('/rosters').set(planner).send({ period: { from, days: 1, timeZone: ZONE }, skillGroups: [group], rules: FAST_RULES });

  beforeAll(async () => {
    t = await startRosterWorld(partners());
    const { store, close } = storeFor(t.prefix);
    try {
      for (const group of ['PS', 'NE']) {
        const points = [];
        for (let d = 0; d < 13; d++) {
          const day = DateTime.fromISO('2030-01-07', { zone: ZONE }).plus({ days: d });
          for (let slot = 0; slot < 20; slot++) points.push({ intervalStart: day.set({ hour: 8 }).plus({ minutes: 30 * slot }).toMillis(), p10: 10, p50: 12, p90: 14, ahtSeconds: 200 });
        }
        await store.forecasts.replace({ skillGroupId: group, createdAt: new Date().toISOString(), from: '2030-01-06T21:30:00.001Z', alias: 'decomposition', baselineFallback: false }, points);
      }
    } finally {
      close();
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the period is the day after its last and the group has history, then the period is forecast from history', async () => {
    const res = await post('NE', '2030-01-20');
    expect(res.status).toBe(202);
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
    const roster = (await t.http.get(`/rosters/${res.body.id}`).set(planner).expect(200)).body;
    expect(roster.forecastSources).toEqual([expect.objectContaining({ skillGroupId: 'NE', source: 'computed-from-history' })]);
  });

  test('when the period is the day after its last and the group has no history, then the request is a 422 saying so; its last day is accepted', async () => {
    const res = await post('PS', '2030-01-20');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ where: '/body/skillGroups/0', message: expect.stringMatching(/^no stored forecast covers the period for PS, and no history of PS/) }]);
    // accepted: planned on the stored forecast (a group without history could not be planned otherwise)
    expect((await post('PS', '2030-01-19')).status).toBe(202);
  });
});
