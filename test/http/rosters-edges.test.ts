import { DateTime } from 'luxon';
import { KEYS, type TestService } from '../support/service';
import { checkRoster } from '../../src/roster/checker';
import type { Agent } from '../../src/domain/types';
import type { AssignedShift } from '../../src/roster/types';
import { buildDraft, FAST_RULES, partners, startRosterWorld, storeFor, waitForRoster, ZONE } from './rosters-fixtures';

describe('rosters next to each other over REST', () => {
  let t: TestService;
  const agents: Agent[] = partners();

  beforeAll(async () => {
    t = await startRosterWorld(agents);
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Publishes, through the store (no checks), a roster of these shifts of one group on `days` days from `from`. */
  async function publishDirectly(id: string, group: string, from: string, days: number, shifts: AssignedShift[]): Promise<void> {
    const { store, close } = storeFor(t.prefix);
    try {
      const startMs = DateTime.fromISO(from, { zone: ZONE }).toMillis();
      await store.rosters.saveDraft({
        meta: { id, createdAt: new Date().toISOString(), period: { from, days, timeZone: ZONE, startMs, endMs: startMs + days * 86_400_000 }, skillGroupIds: [group], request: {}, summary: {}, details: {} },
        shifts, uncovered: [], coverage: [], slots: [],
      });
      expect((await store.rosters.publish(id, new Date().toISOString())).ok).toBe(true);
    } finally {
      close();
    }
  }

  /** Shifts of 4 hours from `hour` on each date for each agent. */
  function shiftsOf(prefix: string, agentIds: string[], dates: string[], group: string, hour: string, kind: 'early' | 'late'): AssignedShift[] {
    const at = (date: string, h: number) => DateTime.fromISO(`${date}T${hour}`, { zone: ZONE }).plus({ hours: h }).toMillis();
    return agentIds.flatMap((agentId) => dates.map((date) => ({ id: `${prefix}-${agentId}-${date}`, agentId, skillGroupId: group, templateId: kind, kind, date, start: at(date, 0), end: at(date, 4), breaks: [] })));
  }

  test('when the roster next to a period has agents working until midnight, then the next roster starts them after their minimum rest', async () => {
    // a published roster of Friday 2030-01-11 (another group's) with every PS partner until midnight
    const late = shiftsOf('late', partners().filter((a) => a.id.startsWith('P')).map((a) => a.id), ['2030-01-11'], 'NE', '20:00', 'late');
    const fridayLate = (h: number) => DateTime.fromISO('2030-01-11T20:00', { zone: ZONE }).plus({ hours: h }).toMillis();
    await publishDirectly('friday-late', 'NE', '2030-01-11', 1, late);
    const weekend = await buildDraft(t, { period: { from: '2030-01-12', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const { store: again, close: closeAgain } = storeFor(t.prefix);
    try {
      const saturday = (await again.rosters.shifts(weekend)).filter((s) => s.date === '2030-01-12' && s.agentId.startsWith('P'));
      const elevenHoursAfter = fridayLate(4) + 11 * 3_600_000;
      for (const s of saturday) expect(s.start).toBeGreaterThanOrEqual(elevenHoursAfter);
      const commitments = late.map(({ agentId, start, end, date }) => ({ agentId, start, end, date }));
      expect(checkRoster(await again.rosters.shifts(weekend), agents, { from: '2030-01-12', days: 2, timeZone: ZONE }, { commitments })).toEqual([]);
    } finally {
      closeAgain();
    }
  });

  test('when the published roster before a period ends with agents on five days in a row, then the next roster gives them the first day off (at most 5 in a row)', async () => {
    // another group's published roster of Wed–Sun 2030-01-02..06 with P1–P3 on every morning
    const dates = ['2030-01-02', '2030-01-03', '2030-01-04', '2030-01-05', '2030-01-06'];
    const week = shiftsOf('week', ['P1', 'P2', 'P3'], dates, 'NE', '06:00', 'early');
    await publishDirectly('ne-week', 'NE', dates[0], 5, week);
    const monday = await buildDraft(t, { period: { from: '2030-01-07', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const { store: again, close: closeAgain } = storeFor(t.prefix);
    try {
      const shifts = await again.rosters.shifts(monday);
      const first = shifts.filter((s) => s.date === '2030-01-07');
      expect(first.some((s) => ['P4', 'P5', 'P6'].includes(s.agentId))).toBe(true);
      expect(first.filter((s) => ['P1', 'P2', 'P3'].includes(s.agentId))).toEqual([]);
      const commitments = week.map(({ agentId, start, end, date }) => ({ agentId, start, end, date }));
      expect(checkRoster(shifts, agents, { from: '2030-01-07', days: 2, timeZone: ZONE }, { commitments })).toEqual([]);
    } finally {
      closeAgain();
    }
  });

  test('when P1–P3 worked the last weekend in another published roster, then the next weekend\'s roster counts it towards their share and reports both fortnights', async () => {
    // ne-week (the test above) has P1–P3 on Saturday 5 and Sunday 6 January, friday-late all six on Friday 11
    const weekend = await buildDraft(t, { period: { from: '2030-01-12', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const res = await t.http.get(`/rosters/${weekend}`).set('X-API-Key', KEYS.planner).expect(200);
    const fullTime = res.body.fairness.find((f: { contractClass: string }) => f.contractClass === 'full-time');
    const { store, close } = storeFor(t.prefix);
    try {
      const shifts = await store.rosters.shifts(weekend);
      const count = (ids: string[]) => shifts.filter((s) => ids.includes(s.agentId)).length;
      // this weekend's and the previous fortnight's weekend shifts of the full-timers who worked then (all six)
      expect(fullTime.weekendShiftsWithPrevious).toMatchObject({ min: expect.any(Number), max: expect.any(Number) });
      expect(fullTime.weekendShiftsWithPrevious.max).toBeGreaterThanOrEqual(2);
      expect(count(['P1', 'P2', 'P3'])).toBeLessThanOrEqual(count(['P4', 'P5', 'P6']));
    } finally {
      close();
    }
  });

  test('when a roster published after a draft was built ends with its agents on five days in a row, then publishing the draft is a 409 naming them and the rule', async () => {
    const draft = await buildDraft(t, { period: { from: '2030-01-09', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const { store, close } = storeFor(t.prefix);
    const onThe9th = [...new Set((await store.rosters.shifts(draft)).filter((s) => s.date === '2030-01-09').map((s) => s.agentId))];
    close();
    expect(onThe9th.length).toBeGreaterThan(0);
    // the same group's previous roster, published meanwhile (the store's own publish: no check)
    const dates = ['2030-01-04', '2030-01-05', '2030-01-06', '2030-01-07', '2030-01-08'];
    await publishDirectly('ps-before', 'PS', dates[0], 5, shiftsOf('run', onThe9th, dates, 'PS', '06:00', 'early'));
    const refused = await t.http.post(`/rosters/${draft}/publish`).set('X-API-Key', KEYS.planner);
    expect(refused.status).toBe(409);
    expect(refused.type).toBe('application/problem+json');
    const named = refused.body.errors.filter((e: { message: string }) => e.message.startsWith('max-consecutive-days'));
    expect(new Set(named.map((e: { where: string }) => e.where))).toEqual(new Set(onThe9th.map((id) => `/agents/${id}`)));
  });

  test('when a re-plan takes an agent away on a day another published roster\'s night shift runs into, then the re-plan names that shift and roster', async () => {
    // another group's roster of 2030-01-09 with P1 on a night into the 10th
    const night = { id: 'night-P1', agentId: 'P1', skillGroupId: 'NE', templateId: 'night', kind: 'night' as const, date: '2030-01-09', start: DateTime.fromISO('2030-01-09T22:00', { zone: ZONE }).toMillis(), end: DateTime.fromISO('2030-01-10T06:30', { zone: ZONE }).toMillis(), breaks: [] };
    await publishDirectly('ne-night', 'NE', '2030-01-09', 1, [night]);
    const draft = await buildDraft(t, { period: { from: '2030-01-10', days: 1, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const headers = { 'X-API-Key': KEYS.planner };

    const replan = await t.http.post(`/rosters/${draft}/replan`).set(headers).send({ absences: [{ agentId: 'P1', dates: ['2030-01-10'] }] });
    expect(replan.status).toBe(202);
    expect((await waitForRoster(t.http, replan.body.id, headers)).status).toBe('draft');
    const roster = (await t.http.get(`/rosters/${replan.body.id}`).set(headers).expect(200)).body;
    expect(roster.absenceConflicts).toEqual([
      { rosterId: 'ne-night', shiftId: 'night-P1', agentId: 'P1', start: '2030-01-09T22:00:00+02:00', end: '2030-01-10T06:30:00+02:00', absentOn: '2030-01-10' },
    ]);

    // the day after a roster's period is a date its re-plan takes (its last night shifts reach it); two days after is not
    const later = await t.http.post(`/rosters/${draft}/replan`).set(headers).send({ absences: [{ agentId: 'P2', dates: ['2030-01-11', '2030-01-12'] }] });
    expect(later.status).toBe(422);
    expect(later.body.errors).toEqual([{ where: '/body/absences/0/dates/1', message: expect.stringContaining('nor the day after it') }]);
  });
});
