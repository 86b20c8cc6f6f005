/**
 * A roster re-planned twice (A superseded by B, B by C): a re-plan or a claim on A is sent to C, the
 * roster in force, not to B (itself superseded) — also once B has been deleted and the chain is broken.
 */
import { KEYS, startTestService, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, partners, storeFor } from './rosters-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('conflicts on a roster superseded by a chain of re-plans', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  let cloudToken: string;
  // next week, so the slot has not started
  const startMs = Math.ceil(Date.now() / DAY) * DAY + 7 * DAY;
  const from = new Date(startMs).toISOString().slice(0, 10);
  const slot: CloudSlot = { id: 'evening', skillGroupId: 'PS', date: from, start: startMs + 16 * HOUR, end: startMs + 22 * HOUR, templateId: 'late', kind: 'late', agentsNeeded: 2, shiftIds: [] };

  /** Stores a draft of the week and publishes it: a re-plan's supersedes the roster it re-plans. */
  async function publishSeeded(id: string, replanOf?: string) {
    const { store, close } = storeFor(t.prefix);
    try {
      await store.rosters.saveDraft({
        meta: { id, createdAt: new Date().toISOString(), period: { from, days: 7, timeZone: 'UTC', startMs, endMs: startMs + 7 * DAY }, skillGroupIds: ['PS'], ...(replanOf ? { replanOf } : {}), request: {}, summary: {}, details: {} },
        shifts: [],
        uncovered: [],
        coverage: [],
        slots: [slot],
      });
      expect(await store.rosters.publish(id, new Date().toISOString())).toMatchObject({ ok: true, ...(replanOf ? { superseded: replanOf } : {}) });
    } finally {
      close();
    }
  }

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send([...partners(), ...cloudAgents(1)]).expect(200);
    cloudToken = (await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body.token;
    await publishSeeded('roster-a');
    await publishSeeded('roster-b', 'roster-a');
    await publishSeeded('roster-c', 'roster-b');
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the first roster of the chain is re-planned, then the 409 names the roster in force, not the superseded re-plan', async () => {
    const res = await t.http.post('/rosters/roster-a/replan').set(planner).send({ forecastMoved: true });
    expect(res.status).toBe(409);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toBe('roster roster-a was superseded by roster-b, itself superseded since: the roster in force is roster-c; re-plan that one');
    expect(res.body.errors).toEqual([{ where: '/path/rosterId', message: 'superseded by roster-b; in force: roster-c' }]);
    // one re-plan away, the roster that superseded it is the one in force
    const near = await t.http.post('/rosters/roster-b/replan').set(planner).send({ forecastMoved: true });
    expect(near.status).toBe(409);
    expect(near.body.detail).toBe('roster roster-b was superseded by roster-c; re-plan that one');
  });

  test('when a cloud agent claims on the first roster of the chain, then the 409 sends them to the roster in force', async () => {
    const res = await t.http.post(`/me/claims/roster-a/${slot.id}`).set('Authorization', `Bearer ${cloudToken}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('replaced by roster-c');
    expect(res.body.errors).toEqual([{ where: '/path/rosterId', message: 'superseded; in force: roster-c' }]);
    // where they are sent, the claim goes through
    await t.http.post(`/me/claims/roster-c/${slot.id}`).set('Authorization', `Bearer ${cloudToken}`).expect(201);
  });

  test('when a cloud agent releases their claim on a superseded roster, then the 409 says where the claim is now', async () => {
    // the previous test left C000 holding the evening slot on roster-c
    const res = await t.http.delete(`/me/claims/roster-a/${slot.id}`).set('Authorization', `Bearer ${cloudToken}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe(`the roster was replaced by roster-c (a re-plan), and claims moved with its slots: you hold 1 slot(s) there (${slot.id}): release them there (GET /me/claims lists them)`);
    expect(res.body.errors).toEqual([{ where: '/path/rosterId', message: 'superseded; in force: roster-c' }]);
    // on the roster in force the release goes through, and a second one is the plain 404
    await t.http.delete(`/me/claims/roster-c/${slot.id}`).set('Authorization', `Bearer ${cloudToken}`).expect(204);
    const again = await t.http.delete(`/me/claims/roster-c/${slot.id}`).set('Authorization', `Bearer ${cloudToken}`);
    expect(again.status).toBe(404);
    await t.http.post(`/me/claims/roster-c/${slot.id}`).set('Authorization', `Bearer ${cloudToken}`).expect(201);
  });

  test('when the middle re-plan is deleted (the chain is broken), then the roster in force is still named: the published one of the same period and group', async () => {
    await t.http.delete('/rosters/roster-b').set(planner).expect(204);
    const replan = await t.http.post('/rosters/roster-a/replan').set(planner).send({ forecastMoved: true });
    expect(replan.status).toBe(409);
    expect(replan.body.detail).toContain('the roster in force is roster-c; re-plan that one');
    const claim = await t.http.post(`/me/claims/roster-a/${slot.id}`).set('Authorization', `Bearer ${cloudToken}`);
    expect(claim.status).toBe(409);
    expect(claim.body.detail).toContain('replaced by roster-c');
  });
});
