/**
 * Deleting an agent who is still rostered: a published roster whose work of theirs is not over refuses
 * the delete (409 naming the roster, how many shifts or claims, what to do), and nothing is deleted;
 * work that is over, drafts and past rosters do not hold an agent back.
 */
import { KEYS, startTestService, type TestService } from '../support/service';
import type { AssignedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import { cloudAgents, GROUPS, partners, storeFor } from './rosters-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** the service's clock: Thursday noon (UTC) of the running roster's week */
const NOW = Date.parse('2030-01-10T12:00:00Z');

function shift(agentId: string, date: string, fromHour = 8, hours = 8): AssignedShift {
  const start = Date.parse(`${date}T00:00:00Z`) + fromHour * HOUR;
  return { id: `${agentId}-${date}`, agentId, skillGroupId: 'PS', templateId: 'day', kind: 'day', date, start, end: start + hours * HOUR, breaks: [] };
}

describe('deleting an agent who is on a published roster', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const saturdaySlot: CloudSlot = { id: 'sat', skillGroupId: 'PS', date: '2030-01-12', start: Date.parse('2030-01-12T08:00:00Z'), end: Date.parse('2030-01-12T16:00:00Z'), templateId: 'day', kind: 'day', agentsNeeded: 2, shiftIds: [] };

  /** A roster stored as a draft of `days` days from `from` (UTC), published unless told otherwise. */
  async function seed(id: string, from: string, shifts: AssignedShift[], options: { publish?: boolean; replanOf?: string; slots?: CloudSlot[] } = {}) {
    const { store, close } = storeFor(t.prefix);
    try {
      const startMs = Date.parse(`${from}T00:00:00Z`);
      await store.rosters.saveDraft({
        meta: { id, createdAt: new Date(NOW).toISOString(), period: { from, days: 7, timeZone: 'UTC', startMs, endMs: startMs + 7 * DAY }, skillGroupIds: ['PS'], ...(options.replanOf ? { replanOf: options.replanOf } : {}), request: {}, summary: {}, details: {} },
        shifts,
        uncovered: [],
        coverage: [],
        slots: options.slots ?? [],
      });
      if (options.publish !== false) expect(await store.rosters.publish(id, new Date(NOW).toISOString())).toMatchObject({ ok: true });
    } finally {
      close();
    }
  }

  beforeAll(async () => {
    t = await startTestService({}, { now: () => NOW });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send([...partners(), ...cloudAgents(2)]).expect(200);
    // last fortnight's roster, over: P1 worked in it
    await seed('past', '2029-12-24', [shift('P1', '2029-12-27')]);
    // this week's: P2 has worked Monday and works Friday and Saturday; P3's only shift (Tuesday) is over
    await seed('running', '2030-01-07', [shift('P2', '2030-01-07'), shift('P3', '2030-01-08'), shift('P2', '2030-01-11'), shift('P2', '2030-01-12')], { slots: [saturdaySlot] });
    // next week's draft, not published: P4 is only planned
    await seed('draft', '2030-01-14', [shift('P4', '2030-01-15')], { publish: false });
    const { store, close } = storeFor(t.prefix);
    try {
      const limits = { minRestMs: 11 * HOUR, maxHoursPerWeek: 40, weekStartMs: Date.parse('2030-01-07T00:00:00Z'), weekEndMs: Date.parse('2030-01-14T00:00:00Z') };
      expect(await store.rosters.claim('running', 'sat', 'C000', limits, NOW)).toMatchObject({ ok: true });
    } finally {
      close();
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the agent still has shifts on a published roster that are not over, then 409 names the roster, the count and what to do, and the agent stays', async () => {
    const res = await t.http.delete('/agents/P2').set(admin);
    expect(res.status).toBe(409);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/^agent P2 still has 2 shift\(s\) not over yet on published roster\(s\) running; nothing was deleted/);
    // Monday's shift is worked: only Friday's and Saturday's count
    expect(res.body.errors).toEqual([
      { where: '/rosters/running', message: expect.stringMatching(/^published: 2 shift\(s\) of P2 not over yet; re-plan the roster with P2 absent on those dates and publish the re-plan \(POST \/rosters\/running\/replan\), or delete the agent once the last is over \(2030-01-12T16:00:00Z\)$/) },
    ]);
    expect((await t.http.get('/agents/P2').set(admin).expect(200)).body.id).toBe('P2');
    expect((await t.http.get('/agents/P2/calendar.ics').set(planner).expect(200)).text).toContain('P2-2030-01-11');
  });

  test('when a cloud agent holds a claimed slot not over yet, then 409 names the roster and says the agent releases it', async () => {
    const res = await t.http.delete('/agents/C000').set(admin);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/^agent C000 still has 1 claimed slot\(s\) not over yet on published roster\(s\) running/);
    expect(res.body.errors).toEqual([{ where: '/rosters/running', message: expect.stringMatching(/1 claimed slot\(s\) of C000 .*DELETE \/me\/claims\/running\/\{slotId\}/) }]);
    await t.http.get('/agents/C000').set(admin).expect(200);
  });

  test('when the agent\'s work on published rosters is over, or they are only on a draft, then the delete goes ahead', async () => {
    await t.http.delete('/agents/P1').set(admin).expect(204); // a past roster only
    await t.http.delete('/agents/P3').set(admin).expect(204); // a running roster, their shift worked
    await t.http.delete('/agents/P4').set(admin).expect(204); // a draft only
    await t.http.delete('/agents/C001').set(admin).expect(204); // a cloud agent without claims
    await t.http.get('/agents/P3').set(admin).expect(404);
    await t.http.delete('/agents/P3').set(admin).expect(404);
    // the draft that gave P4 a shift cannot be published now: nobody would see that shift
    const publish = await t.http.post('/rosters/draft/publish').set(planner).send({});
    expect(publish.status).toBe(409);
    expect(publish.body.detail).toMatch(/gives shifts to 1 agent\(s\) deleted since it was built \(P4\): build the roster again/);
    expect(publish.body.errors).toEqual([{ where: '/agents/P4', message: 'deleted since the draft was built' }]);
  });

  test('when a published re-plan has taken the agent off what is left, then the delete goes ahead; the worked shift stays on the roster', async () => {
    await seed('running-replanned', '2030-01-07', [shift('P2', '2030-01-07'), shift('P3', '2030-01-08'), shift('P5', '2030-01-11'), shift('P5', '2030-01-12')], { replanOf: 'running' });
    await t.http.delete('/agents/P2').set(admin).expect(204);
    const shifts = (await t.http.get('/rosters/running-replanned/shifts').set(planner).expect(200)).body as Array<{ agentId: string; date: string }>;
    expect(shifts.filter((s) => s.agentId === 'P2').map((s) => s.date)).toEqual(['2030-01-07']);
  });
});
