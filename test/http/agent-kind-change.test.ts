/**
 * A cloud agent who holds claimed slots cannot be made a partner over REST (409 naming the claims, the
 * agent unchanged): a partner's claims could not be released (every self-service route refuses a
 * partner). Once the claims are released, the change goes ahead.
 */
import { KEYS, startTestService, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, publishSlotsWeek } from './rosters-fixtures';

const NOW = Date.parse('2030-01-03T12:00:00Z');

describe('changing a cloud agent who holds claims to a partner', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const slot: CloudSlot = { id: 'mon', skillGroupId: 'PS', date: '2030-01-07', start: Date.parse('2030-01-07T08:00:00Z'), end: Date.parse('2030-01-07T16:00:00Z'), templateId: 'day', kind: 'day', agentsNeeded: 2, shiftIds: [] };

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => NOW });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send(cloudAgents(1)).expect(200);
    await publishSlotsWeek(t, 'wk', [slot], NOW);
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the agent holds a claim not over yet, then PUT and POST /agents are a 409 naming it, and the agent stays a cloud agent until the claim is released', async () => {
    const token = (await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body.token;
    const bearer = { Authorization: `Bearer ${token}` };
    await t.http.post('/me/claims/wk/mon').set(bearer).expect(201);
    const asPartner = { ...cloudAgents(1)[0], kind: 'partner', contract: { ...cloudAgents(1)[0].contract, class: 'part-time' } };

    const put = await t.http.put('/agents/C000').set(admin).send(asPartner);
    expect(put.status).toBe(409);
    expect(put.type).toBe('application/problem+json');
    expect(put.body.errors).toEqual([{ where: '/body/kind', message: expect.stringMatching(/^C000 holds 1 claimed slot\(s\) not over yet on published roster wk and cannot stop being a cloud agent while they do: the agent releases them \(DELETE \/me\/claims\/wk\/\{slotId\}\)/) }]);
    const post = await t.http.post('/agents').set(admin).send([asPartner]);
    expect(post.status).toBe(409);
    expect(post.body.errors[0].where).toBe('/body/0/kind');
    expect((await t.http.get('/agents/C000').set(admin).expect(200)).body.kind).toBe('cloud');

    // the agent can still release it, and then the change goes ahead
    await t.http.delete('/me/claims/wk/mon').set(bearer).expect(204);
    await t.http.put('/agents/C000').set(admin).send(asPartner).expect(200);
    expect((await t.http.get('/agents/C000').set(admin).expect(200)).body.kind).toBe('partner');
  });
});
