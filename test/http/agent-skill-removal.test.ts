/**
 * A cloud agent who holds a claimed slot of a skill group cannot lose that skill over REST (409 naming
 * the claims at /body/…/skills, the agent unchanged, a batch stored not at all): the claim would stay on a
 * group they are no longer skilled for. Other changes, skills added included, go ahead; once the claim is
 * released, so does the removal.
 */
import { KEYS, startTestService, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, publishSlotsWeek } from './rosters-fixtures';

const NOW = Date.parse('2030-01-03T12:00:00Z');

describe('taking a skill group away from a cloud agent who holds claims on it', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const slot: CloudSlot = { id: 'mon', skillGroupId: 'PS', date: '2030-01-07', start: Date.parse('2030-01-07T08:00:00Z'), end: Date.parse('2030-01-07T16:00:00Z'), templateId: 'day', kind: 'day', agentsNeeded: 2, shiftIds: [] };
  const [c0, c1] = cloudAgents(2);

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => NOW });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send([c0, c1]).expect(200);
    await publishSlotsWeek(t, 'wk', [slot], NOW);
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the agent holds a claim not over yet on a PS slot, then re-skilling them to NE only is a 409 naming it, and nothing is stored until the claim is released', async () => {
    const token = (await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body.token;
    const bearer = { Authorization: `Bearer ${token}` };
    await t.http.post('/me/claims/wk/mon').set(bearer).expect(201);
    const neOnly = { ...c0, skills: [{ skillGroupId: 'NE' }] };

    const put = await t.http.put('/agents/C000').set(admin).send(neOnly);
    expect(put.status).toBe(409);
    expect(put.type).toBe('application/problem+json');
    expect(put.body.errors).toEqual([
      {
        where: '/body/skills',
        message:
          'C000 holds 1 claimed slot(s) of skill group PS not over yet on published roster wk and cannot lose skill PS while they do: ' +
          'the agent releases them (DELETE /me/claims/wk/{slotId}) until 24 h before they start, or remove the skill once the last is over (2030-01-07T16:00:00Z)',
      },
    ]);
    // a batch is refused whole: the other agent's change is not stored either
    const renamed = { ...c1, name: 'Renamed' };
    const post = await t.http.post('/agents').set(admin).send([renamed, neOnly]);
    expect(post.status).toBe(409);
    expect(post.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/1/skills']);
    expect((await t.http.get('/agents/C000').set(admin).expect(200)).body.skills).toEqual([{ skillGroupId: 'PS' }]);
    expect((await t.http.get('/agents/C001').set(admin).expect(200)).body.name).toBe(c1.name);

    // what keeps the claim's skill goes ahead: another name, a skill added
    await t.http.put('/agents/C000').set(admin).send({ ...c0, name: 'Still PS', skills: [{ skillGroupId: 'PS' }, { skillGroupId: 'NE' }] }).expect(200);

    // released, the removal goes ahead
    await t.http.delete('/me/claims/wk/mon').set(bearer).expect(204);
    await t.http.put('/agents/C000').set(admin).send(neOnly).expect(200);
    expect((await t.http.get('/agents/C000').set(admin).expect(200)).body.skills).toEqual([{ skillGroupId: 'NE' }]);
  });
});
