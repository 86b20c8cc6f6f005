/**
 * A claim retried after its answer was lost (a phone between cells): with the same Idempotency-Key it gets
 * the first answer back, as the POSTs that start work do; without one the 409 says "already yours" in a
 * place an app can read apart from a full slot.
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, publishSlotsWeek } from './rosters-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('a cloud agent retrying a claim', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const tokens = new Map<string, string>();
  const as = (agentId: string) => ({ Authorization: `Bearer ${tokens.get(agentId)}` });
  const monday = Date.parse('2030-01-07T08:00:00Z');
  const slot = (id: string, day: number, agentsNeeded: number): CloudSlot => ({ id, skillGroupId: 'PS', templateId: 'day', kind: 'day', date: new Date(monday + day * DAY).toISOString().slice(0, 10), start: monday + day * DAY, end: monday + day * DAY + 4 * HOUR, agentsNeeded, shiftIds: [] });

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send(cloudAgents(3)).expect(200);
    for (const id of ['C000', 'C001', 'C002']) tokens.set(id, (await t.http.post(`/agents/${id}/claim-token`).set(planner).send({}).expect(201)).body.token);
    await publishSlotsWeek(t, 'week', [slot('mon', 0, 2), slot('tue', 1, 1), slot('wed', 2, 2)], Date.now());
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a claim is sent again with its Idempotency-Key, then the first answer comes back (201, Idempotent-Replayed) and the slot is held once', async () => {
    const key = { 'Idempotency-Key': 'tap-2f6c1e' };
    const first = await t.http.post('/me/claims/week/mon').set({ ...as('C000'), ...key }).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await t.http.post('/me/claims/week/mon').set({ ...as('C000'), ...key }).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    const held = (await t.http.get('/rosters/week/slots').set(planner).expect(200)).body.find((s: { slotId: string }) => s.slotId === 'mon');
    expect(held.claimedBy).toEqual(['C000']);
    // the same key for another slot is a mistake of the app's, not a replay
    const reused = await t.http.post('/me/claims/week/wed').set({ ...as('C000'), ...key });
    expect(reused.status).toBe(422);
    expect(reused.body.errors[0].where).toBe('/header/Idempotency-Key');
  });

  test('when another agent sends the same Idempotency-Key, then it is their own claim: keys are per agent', async () => {
    const theirs = await t.http.post('/me/claims/week/mon').set({ ...as('C001'), 'Idempotency-Key': 'tap-2f6c1e' }).expect(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body).toMatchObject({ agentId: 'C001', claimed: 2 });
  });

  test('when the agent retries with a new token of theirs, then the key still replays', async () => {
    const fresh = (await t.http.post('/agents/C000/claim-token').set(planner).send({ validDays: 2 }).expect(201)).body.token;
    const retry = await t.http.post('/me/claims/week/mon').set({ Authorization: `Bearer ${fresh}`, 'Idempotency-Key': 'tap-2f6c1e' }).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  test('when a claim is refused with 409, then errors[0] tells "already yours" apart from a full slot', async () => {
    const again = await t.http.post('/me/claims/week/mon').set(as('C000'));
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toEqual({ where: '/path/slotId', message: 'already yours' });
    await t.http.post('/me/claims/week/tue').set(as('C000')).expect(201);
    const full = await t.http.post('/me/claims/week/tue').set(as('C002'));
    expect(full.status).toBe(409);
    expect(full.body.errors[0]).toEqual({ where: '/path/slotId', message: 'every place is claimed' });
  });
});
