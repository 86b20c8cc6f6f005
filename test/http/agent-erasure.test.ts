/**
 * Deleting an agent erases what was kept under their id: a new agent later given the same id is another
 * person, and must not find the old one's claims in their own views (GET /me/claims, /me/calendar.ics).
 * The claims stay on the roster (work done stays).
 */
import { KEYS, startTestService, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, storeFor } from './rosters-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** the service's clock: Thursday noon (UTC) of the running roster's week */
const NOW = Date.parse('2030-01-10T12:00:00Z');

describe('deleting a cloud agent and giving their id to a new agent', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  // Tuesday's slot: over by now
  const tuesday: CloudSlot = { id: 'tue', skillGroupId: 'PS', date: '2030-01-08', start: Date.parse('2030-01-08T08:00:00Z'), end: Date.parse('2030-01-08T16:00:00Z'), templateId: 'day', kind: 'day', agentsNeeded: 2, shiftIds: [] };
  const tokenOf = async (agentId: string) => ({ Authorization: `Bearer ${(await t.http.post(`/agents/${agentId}/claim-token`).set(planner).send({}).expect(201)).body.token}` });

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => NOW });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send(cloudAgents(1)).expect(200);
    const { store, close } = storeFor(t.prefix);
    try {
      const startMs = Date.parse('2030-01-07T00:00:00Z');
      await store.rosters.saveDraft({
        meta: { id: 'running', createdAt: new Date(NOW).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs, endMs: startMs + 7 * DAY }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
        shifts: [],
        uncovered: [],
        coverage: [],
        slots: [tuesday],
      });
      expect(await store.rosters.publish('running', new Date(NOW).toISOString())).toMatchObject({ ok: true });
      // claimed on Monday, before the slot
      const limits = { minRestMs: 11 * HOUR, maxHoursPerWeek: 40, weekStartMs: startMs, weekEndMs: startMs + 7 * DAY };
      expect(await store.rosters.claim('running', 'tue', 'C000', limits, Date.parse('2030-01-07T12:00:00Z'))).toMatchObject({ ok: true });
    } finally {
      close();
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the agent whose claimed slot is over is deleted and a new agent gets the id, then the new agent\'s claims and calendar hold none of it; the roster keeps the claim', async () => {
    const before = await tokenOf('C000');
    expect((await t.http.get('/me/claims?from=2030-01-01T00:00:00Z').set(before).expect(200)).body).toEqual([expect.objectContaining({ rosterId: 'running', slotId: 'tue' })]);
    expect((await t.http.get('/me/calendar.ics').set(before).expect(200)).text).toContain('tue-C000');

    await t.http.delete('/agents/C000').set(admin).expect(204);
    const { store, close } = storeFor(t.prefix);
    try {
      expect(await store.redis.exists(store.keys.agentClaims('C000'))).toBe(0);
      await t.http.post('/agents').set(admin).send([{ ...cloudAgents(1)[0], name: 'Brand New Person', phone: '+447000000333' }]).expect(200);

      const after = await tokenOf('C000');
      expect((await t.http.get('/me/claims?from=2030-01-01T00:00:00Z').set(after).expect(200)).body).toEqual([]);
      expect((await t.http.get('/me/calendar.ics').set(after).expect(200)).text).not.toContain('tue-C000');
      expect((await t.http.get('/agents/C000/calendar.ics').set(planner).expect(200)).text).not.toContain('tue-C000');
      // work done stays on its roster: the slot was worked by the agent then holding the id
      expect((await store.rosters.slots('running')).map((s) => s.claimedBy)).toEqual([['C000']]);
    } finally {
      close();
    }
  });
});
