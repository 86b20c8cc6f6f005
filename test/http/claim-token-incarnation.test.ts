/**
 * A claim token acts for the agent it was issued to, not for whoever later gets the same id: an agent
 * deleted and created again is another person. Updating an agent keeps their tokens working.
 */
import { Redis } from 'ioredis';
import { KEYS, REDIS_URL, startTestService, type TestService } from '../support/service';
import { signClaimToken } from '../../src/services/claim-tokens';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, publishSlotsWeek } from './rosters-fixtures';

const NOW = Date.parse('2030-01-03T12:00:00Z');
const DAY = 86_400_000;

describe('claim tokens and an agent deleted and created again with the same id', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const [sx2] = cloudAgents(1).map((a) => ({ ...a, id: 'SX2', name: 'First SX2' }));
  const slot: CloudSlot = { id: 'mon', skillGroupId: 'PS', date: '2030-01-07', start: Date.parse('2030-01-07T08:00:00Z'), end: Date.parse('2030-01-07T16:00:00Z'), templateId: 'day', kind: 'day', agentsNeeded: 2, shiftIds: [] };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => NOW });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await publishSlotsWeek(t, 'wk', [slot], NOW);
  });
  afterAll(() => t.stop());

  test('when SX2 is deleted and a new SX2 created, then the first one\'s token is refused (401) and a token issued to the new SX2 works', async () => {
    await t.http.put('/agents/SX2').set(admin).send(sx2).expect(200);
    const first = (await t.http.post('/agents/SX2/claim-token').set(planner).send({}).expect(201)).body.token;
    await t.http.get('/me/slots').set(bearer(first)).expect(200);
    // an update is the same agent: their token goes on working
    await t.http.put('/agents/SX2').set(admin).send({ ...sx2, name: 'First SX2, renamed' }).expect(200);
    await t.http.post('/agents').set(admin).send([{ ...sx2, name: 'First SX2 again' }]).expect(200);
    await t.http.get('/me/slots').set(bearer(first)).expect(200);

    await t.http.delete('/agents/SX2').set(admin).expect(204);
    expect((await t.http.get('/me/slots').set(bearer(first))).status).toBe(403); // as before: no longer a cloud agent

    await t.http.put('/agents/SX2').set(admin).send({ ...sx2, name: 'Second SX2, another person' }).expect(200);
    for (const request of [() => t.http.get('/me/slots'), () => t.http.get('/me/claims'), () => t.http.get('/me/calendar.ics'), () => t.http.post('/me/claims/wk/mon')]) {
      const res = await request().set(bearer(first));
      expect(res.status).toBe(401);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.detail).toMatch(/the agent now stored under SX2 is not the one it was issued to \(deleted and created again since, or a token of another deployment/);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="wfm-cloud-agents", error="invalid_token"');
    }
    const second = (await t.http.post('/agents/SX2/claim-token').set(planner).send({}).expect(201)).body.token;
    await t.http.post('/me/claims/wk/mon').set(bearer(second)).expect(201);
    await t.http.delete('/me/claims/wk/mon').set(bearer(second)).expect(204);
    // created again through the batch route too: a new person, and the second token stops working
    await t.http.delete('/agents/SX2').set(admin).expect(204);
    await t.http.post('/agents').set(admin).send([{ ...sx2, name: 'Third SX2' }]).expect(200);
    expect((await t.http.get('/me/slots').set(bearer(second))).status).toBe(401);
  });

  test('when an agent was stored before incarnations were, then their earlier tokens (without one) work until they are deleted and created again', async () => {
    const legacy = { ...sx2, id: 'OLD1', name: 'Stored before incarnations' };
    await t.http.put('/agents/OLD1').set(admin).send(legacy).expect(200);
    // as a store written by the previous version: no incarnation for the agent
    const redis = new Redis(REDIS_URL);
    try {
      await redis.hdel(`${t.prefix}:agent-incarnations`, 'OLD1');
    } finally {
      redis.disconnect();
    }
    const old = signClaimToken(CLAIM_SECRET, { agentId: 'OLD1', expiresAt: NOW + DAY }); // the previous version's token
    await t.http.get('/me/slots').set(bearer(old)).expect(200);
    await t.http.put('/agents/OLD1').set(admin).send({ ...legacy, name: 'updated' }).expect(200);
    await t.http.get('/me/slots').set(bearer(old)).expect(200);
    const issuedNow = (await t.http.post('/agents/OLD1/claim-token').set(planner).send({}).expect(201)).body.token;
    await t.http.get('/me/slots').set(bearer(issuedNow)).expect(200);

    await t.http.delete('/agents/OLD1').set(admin).expect(204);
    await t.http.put('/agents/OLD1').set(admin).send({ ...legacy, name: 'someone else' }).expect(200);
    await t.http.get('/me/slots').set(bearer(old)).expect(401);
    await t.http.get('/me/slots').set(bearer(issuedNow)).expect(401);
  });
});
