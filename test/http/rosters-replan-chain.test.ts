/**
 * A published re-plan re-planned again: the absences the first re-plan was made for still hold. P1 has a
 * weekly minimum of 30 h and works Monday to Friday only; absent three days, the first re-plan leaves them
 * below it (excused in a week of absence). The second re-plan, for someone else's absence, must still excuse P1 and keep them off those days.
 */
import { KEYS, type TestService } from '../support/service';
import { checkRoster } from '../../src/roster/checker';
import type { Agent } from '../../src/domain/types';
import { FAST_RULES, FROM, partners, cloudAgents, startRosterWorld, storeFor, waitForRoster, ZONE } from './rosters-fixtures';

describe('re-planning a published re-plan', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  const agents: Agent[] = [...partners(), ...cloudAgents(2)].map((a) =>
    a.id === 'P1' ? { ...a, contract: { ...a.contract, minHoursPerWeek: 30 }, availability: [{ days: [1, 2, 3, 4, 5], from: '06:00', to: '24:00' }] } : a,
  );
  const period = { from: FROM, days: 7, timeZone: ZONE };

  async function shiftsOf(rosterId: string) {
    const { store, close } = storeFor(t.prefix);
    try {
      return await store.rosters.shifts(rosterId);
    } finally {
      close();
    }
  }

  async function replan(rosterId: string, absences: Array<{ agentId: string; dates: string[] }>) {
    const res = await t.http.post(`/rosters/${rosterId}/replan`).set(planner).send({ absences });
    expect(res.status).toBe(202);
    return { id: res.body.id as string, status: await waitForRoster(t.http, res.body.id, planner) };
  }

  beforeAll(async () => {
    t = await startRosterWorld(agents);
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a published re-plan is re-planned for another absence, then the new draft still honours and lists the earlier absences', async () => {
    const built = await t.http.post('/rosters').set(planner).send({ period, skillGroups: ['PS'], rules: FAST_RULES });
    expect(built.status).toBe(202);
    expect(await waitForRoster(t.http, built.body.id, planner)).toMatchObject({ status: 'draft' });
    const ra = built.body.id as string;
    expect((await t.http.get(`/rosters/${ra}`).set(planner).expect(200)).body.absences).toEqual([]);
    await t.http.post(`/rosters/${ra}/publish`).set(planner).expect(200);

    const p1Dates = [...new Set((await shiftsOf(ra)).filter((s) => s.agentId === 'P1').map((s) => s.date))].sort();
    expect(p1Dates.length).toBeGreaterThanOrEqual(4);
    const p1Absent = p1Dates.slice(0, 3);
    const first = await replan(ra, [{ agentId: 'P1', dates: p1Absent }]);
    expect(first.status).toMatchObject({ status: 'draft' });
    const rr = first.id;
    // P1 is now below their weekly minimum, excused only by the absence: a re-plan that forgot it would fail the checker
    const rrShifts = await shiftsOf(rr);
    const p1Hours = rrShifts.filter((s) => s.agentId === 'P1').reduce((h, s) => h + (s.end - s.start) / 3_600_000, 0);
    expect(p1Hours).toBeLessThan(30);
    expect((await t.http.get(`/rosters/${rr}`).set(planner).expect(200)).body.absences).toEqual([{ agentId: 'P1', dates: p1Absent }]);
    await t.http.post(`/rosters/${rr}/publish`).set(planner).expect(200);

    const other = rrShifts.find((s) => s.agentId !== 'P1' && !p1Absent.includes(s.date))!;
    // P1 again on one of the same days (deduplicated) and another agent on a new one
    const second = await replan(rr, [{ agentId: other.agentId, dates: [other.date] }, { agentId: 'P1', dates: [p1Absent[1]] }]);
    expect(second.status).toMatchObject({ status: 'draft' });
    const after = await shiftsOf(second.id);
    expect(after.some((s) => s.agentId === 'P1' && p1Absent.includes(s.date))).toBe(false);
    expect(after.some((s) => s.agentId === other.agentId && s.date === other.date)).toBe(false);
    const absences = [{ agentId: 'P1', dates: p1Absent }, { agentId: other.agentId, dates: [other.date] }];
    expect(checkRoster(after, agents, period, { absences })).toEqual([]);

    const roster = (await t.http.get(`/rosters/${second.id}`).set(planner).expect(200)).body;
    expect(roster.replanOf).toBe(rr);
    expect(roster.absences).toEqual(expect.arrayContaining(absences));
    expect(roster.absences).toHaveLength(2);
    await t.http.post(`/rosters/${second.id}/publish`).set(planner).expect(200);
  });
});
