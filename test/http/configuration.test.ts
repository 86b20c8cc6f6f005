import { Redis } from 'ioredis';
import { startTestService, KEYS, REDIS_URL, type TestService } from '../support/service';
import { agent, skillGroup } from '../support/examples';

describe('skill groups and agents over REST', () => {
  let t: TestService;
  beforeEach(async () => {
    t = await startTestService();
  });
  afterEach(async () => {
    await t.stop();
  });

  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };

  test('when an admin puts a skill group, then a planner reads it back', async () => {
    const put = await t.http.put('/skill-groups/PS').set(admin).send(skillGroup());
    expect(put.status).toBe(200);
    const get = await t.http.get('/skill-groups/PS').set(planner);
    expect(get.status).toBe(200);
    expect(get.body).toEqual(skillGroup());
  });

  test('when the time zone is not IANA, then 422 names the field and nothing is stored', async () => {
    const res = await t.http.post('/skill-groups').set(admin).send([skillGroup({ id: 'NW' }), skillGroup({ timeZone: 'Mars/Olympus' })]);
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ where: '/body/1/timeZone', message: expect.stringContaining('IANA') }]);
    expect((await t.http.get('/skill-groups').set(planner)).body).toEqual([]);
  });

  test('when a field has the wrong type, then 400 problem+json points at it', async () => {
    const res = await t.http.put('/skill-groups/PS').set(admin).send({ ...skillGroup(), intervalMinutes: 20 });
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors[0].where).toContain('intervalMinutes');
  });

  test('when the body id differs from the path, then 422', async () => {
    const res = await t.http.put('/skill-groups/NW').set(admin).send(skillGroup());
    expect(res.status).toBe(422);
    expect(res.body.errors[0].where).toBe('/body/id');
  });

  test('when an agent has an unknown skill, a bad phone and an impossible contract, then 422 lists all three', async () => {
    await t.http.put('/skill-groups/PS').set(admin).send(skillGroup());
    const bad = agent({
      id: 'c1',
      kind: 'cloud',
      skills: [{ skillGroupId: 'XX' }],
      phone: '+97212',
      calloutOptIn: true,
      contract: { class: 'part-time', minHoursPerWeek: 30, maxHoursPerWeek: 20, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 },
    });
    const res = await t.http.post('/agents').set(admin).send([agent(), bad]);
    expect(res.status).toBe(422);
    const wheres = res.body.errors.map((e: { where: string }) => e.where);
    expect(wheres).toEqual(expect.arrayContaining(['/body/1/skills/0/skillGroupId', '/body/1/phone', '/body/1/contract']));
    expect((await t.http.get('/agents').set(planner)).body).toEqual([]);
  });

  test('when a planner lists cloud agents, then phones are masked; an admin sees them in clear', async () => {
    await t.http.put('/skill-groups/PS').set(admin).send(skillGroup());
    const cloud = agent({ id: 'c1', kind: 'cloud', phone: '+972501234567', calloutOptIn: true });
    expect((await t.http.post('/agents').set(admin).send([agent(), cloud])).body).toEqual({ stored: 2 });
    const asPlanner = await t.http.get('/agents?kind=cloud').set(planner);
    expect(asPlanner.body).toHaveLength(1);
    expect(asPlanner.body[0].phone).toBe('+97250*****67');
    const asAdmin = await t.http.get('/agents/c1').set(admin);
    expect(asAdmin.body.phone).toBe('+972501234567');
  });

  test('when a skill group is still used by an agent, then deleting it is a 409 naming the agent', async () => {
    await t.http.put('/skill-groups/PS').set(admin).send(skillGroup());
    await t.http.put('/agents/a1').set(admin).send(agent());
    const res = await t.http.delete('/skill-groups/PS').set(admin);
    expect(res.status).toBe(409);
    expect(res.body.errors[0].where).toBe('agent a1');
    await t.http.delete('/agents/a1').set(admin).expect(204);
    await t.http.delete('/skill-groups/PS').set(admin).expect(204);
    await t.http.get('/skill-groups/PS').set(planner).expect(404);
  });

  test('when a skill group is deleted, then its history, trigger policy and trigger state go with it, and other groups keep theirs', async () => {
    const ingest = { 'X-API-Key': KEYS.ingest };
    await t.http.post('/skill-groups').set(admin).send([skillGroup(), skillGroup({ id: 'NE' })]).expect(200);
    const csv = 'interval_start,skill_group,volume,aht_seconds\n1999-02-03T13:00:00+02:00,PS,374,171.5\n1999-02-03T13:00:00+02:00,NE,12,200\n';
    await t.http.post('/history').set(ingest).set('Content-Type', 'text/csv').send(csv).expect(200);
    for (const id of ['PS', 'NE']) await t.http.put(`/skill-groups/${id}/trigger-policy`).set(admin).send({ mode: 'predictive' }).expect(200);
    const redis = new Redis(REDIS_URL);
    try {
      // a tick's memory of each group, as the trigger writes it
      await redis.hset(`${t.prefix}:trigger:states`, 'PS', '{"tickedAt":0}', 'NE', '{"tickedAt":0}');

      await t.http.delete('/skill-groups/PS').set(admin).expect(204);

      await t.http.get('/skill-groups/PS/trigger-policy').set(planner).expect(404);
      expect(await redis.hkeys(`${t.prefix}:trigger:policies`)).toEqual(['NE']);
      expect(await redis.hkeys(`${t.prefix}:trigger:states`)).toEqual(['NE']);
      expect(await redis.keys(`${t.prefix}:history:{PS}:*`)).toEqual([]);
      expect((await redis.keys(`${t.prefix}:history:{NE}:*`)).length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
