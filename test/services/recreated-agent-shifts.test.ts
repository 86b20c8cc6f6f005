/**
 * Shifts are stored under the bare agent id. After an agent is deleted and another person is created
 * under the same id, the earlier person's shifts stay on their rosters (work done stays), but the readers
 * across rosters — the agent-wide calendar feed, the right-of-access export, the next build's credits
 * for the previous fortnight, a draft's publish — must not read them as the new person's. Rosters record
 * the incarnation of each agent they roster; rosters stored before they did are read as before.
 */
import { DateTime } from 'luxon';
import { KEYS, type TestService } from '../support/service';
import type { AssignedShift } from '../../src/roster/types';
import type { Absence } from '../../src/services/rosters';
import { buildDraft, FAST_RULES, partners, startRosterWorld, storeFor, ZONE } from '../http/rosters-fixtures';

/** the service's clock: Thursday noon, after the earlier rosters ended and before the next one */
const NOW = Date.parse('2030-01-10T12:00:00Z');

describe('an agent deleted and their id given to another person', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };

  beforeAll(async () => {
    t = await startRosterWorld(partners(), {}, { now: () => NOW });
  });
  afterAll(async () => {
    await t.stop();
  });

  /** A late shift of P1 on each date (another group's roster, so no build of PS is held back by it). */
  const lateShifts = (prefix: string, dates: string[]): AssignedShift[] =>
    dates.map((date) => {
      const at = (h: number) => DateTime.fromISO(`${date}T16:00`, { zone: ZONE }).plus({ hours: h }).toMillis();
      return { id: `${prefix}-P1-${date}`, agentId: 'P1', skillGroupId: 'NE', templateId: 'late', kind: 'late', date, start: at(0), end: at(6), breaks: [] };
    });

  /** Stores and publishes (the store's own publish: no checks) a roster of these shifts, as a build would have stored it. */
  async function publishDirectly(id: string, from: string, days: number, shifts: AssignedShift[], extra: { absences?: Absence[]; agentIncarnations?: Record<string, string> }): Promise<void> {
    const { store, close } = storeFor(t.prefix);
    try {
      const startMs = DateTime.fromISO(from, { zone: ZONE }).toMillis();
      await store.rosters.saveDraft({
        meta: {
          id,
          createdAt: new Date(NOW - 20 * 86_400_000).toISOString(),
          period: { from, days, timeZone: ZONE, startMs, endMs: startMs + days * 86_400_000 },
          skillGroupIds: ['NE'],
          request: {},
          summary: {},
          details: { absences: extra.absences ?? [] },
          ...(extra.agentIncarnations ? { agentIncarnations: extra.agentIncarnations } : {}),
        },
        shifts,
        uncovered: [],
        coverage: [],
        slots: [],
      });
      expect((await store.rosters.publish(id, new Date(NOW - 20 * 86_400_000).toISOString())).ok).toBe(true);
    } finally {
      close();
    }
  }

  test('when P1 is deleted after their rosters ended and a new P1 is created, then the new P1\'s calendar, export and next build leave the earlier P1\'s shifts out; the roster still shows them', async () => {
    const { store, close } = storeFor(t.prefix);
    try {
      const earlier = (await store.agents.incarnationsOf(['P1'])).get('P1')!;
      // the previous fortnight's weekend, late shifts, with an absence the roster was re-planned around
      await publishDirectly('earlier', '2030-01-03', 4, lateShifts('earlier', ['2030-01-05', '2030-01-06']), { absences: [{ agentId: 'P1', dates: ['2030-01-03'] }], agentIncarnations: { P1: earlier } });
      // a roster stored before rosters recorded incarnations: read as today, whoever held the id then
      await publishDirectly('unrecorded', '2029-12-20', 1, lateShifts('unrecorded', ['2029-12-20']), {});

      const feedBefore = (await t.http.get('/agents/P1/calendar.ics').set(planner).expect(200)).text;
      expect(feedBefore).toContain('earlier-P1-2030-01-05');
      expect((await t.http.get('/agents/P1/export').set(admin).expect(200)).body.rosters.map((r: { rosterId: string }) => r.rosterId).sort()).toEqual(['earlier', 'unrecorded']);

      await t.http.delete('/agents/P1').set(admin).expect(204);
      await t.http.post('/agents').set(admin).send([{ ...partners()[0], name: 'Brand New Person' }]).expect(200);
      expect((await store.agents.incarnationsOf(['P1'])).get('P1')).not.toBe(earlier);

      const feed = (await t.http.get('/agents/P1/calendar.ics').set(planner).expect(200)).text;
      expect(feed).not.toContain('earlier-P1-');
      expect(feed).toContain('unrecorded-P1-2029-12-20');

      const exported = (await t.http.get('/agents/P1/export').set(admin).expect(200)).body;
      expect(exported.profile.name).toBe('Brand New Person');
      // neither the earlier P1's shifts nor their absence
      expect(exported.rosters.map((r: { rosterId: string }) => r.rosterId)).toEqual(['unrecorded']);

      // work done stays on its roster
      const onRoster = (await t.http.get('/rosters/earlier/shifts?agentId=P1').set(planner).expect(200)).body;
      expect(JSON.stringify(onRoster)).toContain('earlier-P1-2030-01-05');

      // the next weekend: the only previous-fortnight shifts were the earlier P1's, so nobody's previous shares are known
      const next = await buildDraft(t, { period: { from: '2030-01-12', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
      const fairness = (await t.http.get(`/rosters/${next}`).set(planner).expect(200)).body.fairness as Array<{ weekendShiftsWithPrevious: unknown; lateShiftsWithPrevious: unknown }>;
      expect(fairness.length).toBeGreaterThan(0);
      for (const f of fairness) expect([f.weekendShiftsWithPrevious, f.lateShiftsWithPrevious]).toEqual([null, null]);

      // the build recorded whom it rostered, and publishing it is refused once one of them was replaced by another person
      const draft = (await store.rosters.get(next))!;
      const rostered = [...new Set((await store.rosters.shifts(next)).map((s) => s.agentId))].sort();
      expect(rostered.length).toBeGreaterThan(0);
      expect(draft.agentIncarnations).toEqual(Object.fromEntries(await store.agents.incarnationsOf(rostered)));
      const replaced = rostered[0];
      await t.http.delete(`/agents/${replaced}`).set(admin).expect(204);
      await t.http.post('/agents').set(admin).send([partners().find((a) => a.id === replaced)]).expect(200);
      const refused = await t.http.post(`/rosters/${next}/publish`).set(planner).expect(409);
      expect(refused.body.errors).toEqual([{ where: `/agents/${replaced}`, message: 'deleted since the draft was built, and the id given to another agent' }]);
    } finally {
      close();
    }
  });
});
