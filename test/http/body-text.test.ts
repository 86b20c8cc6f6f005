/**
 * Every string and key of a JSON body is one line of well-formed text. A lone surrogate ("a\ud800b", a
 * name cut in the middle of an emoji) was stored as JSON.stringify writes it ("\ud800"), which Redis's
 * Lua cjson refuses: every group delete, claim and history upload touching it answered 500 from then on.
 * A control character ("a\u0000b\r\nSTOP …") went into the SMS text.
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import { skillGroup } from '../support/examples';
import { CLAIM_SECRET, cloudAgents } from './rosters-fixtures';
import { firstBodyFault } from '../../src/http/body-depth';
import { textFault } from '../../src/http/body-text';

describe('text in JSON bodies', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  beforeEach(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET });
    await t.http.post('/skill-groups').set(admin).send([skillGroup()]).expect(200);
  });
  afterEach(() => t.stop());

  test('when a skill group is named with a lone surrogate, then 400 names /body/1/name, nothing is stored, and group deletes still work', async () => {
    for (const name of ['a\ud800b', `${'x'.repeat(199)}😀`.slice(0, 200)]) {
      const res = await t.http.post('/skill-groups').set(admin).send([skillGroup({ id: 'OK' }), skillGroup({ id: 'BAD', name })]);
      expect(res.status).toBe(400);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.errors).toEqual([{ where: '/body/1/name', message: expect.stringMatching(/^is not well-formed Unicode: a lone surrogate U\+D8(00|3D) at position (1|199)/) }]);
    }
    await t.http.get('/skill-groups/BAD').set(admin).expect(404);
    await t.http.put('/skill-groups/PS').set(admin).send(skillGroup({ name: 'Cloud \ud83c' })).expect(400);
    await t.http.delete('/skill-groups/PS').set(admin).expect(204);
  });

  const [cloud] = cloudAgents(1);
  test('when an agent is named with a lone surrogate or a control character, then 400 names the field, and the group and its claims still work', async () => {
    const cases: Array<[string, string]> = [
      ['Cloud \ud83c', 'lone surrogate U+D83C at position 6'],
      ['a\u0000b\r\nSTOP', 'control character U+0000 at position 1'],
      ['Dana\tLevi', 'control character U+0009 at position 4'],
      ['Dana\u007f', 'control character U+007F at position 4'],
    ];
    for (const [name, message] of cases) {
      const res = await t.http.post('/agents').set(admin).send([{ ...cloud, name }]);
      expect([name, res.status, res.body.errors?.[0]?.where]).toEqual([name, 400, '/body/0/name']);
      expect(res.body.errors[0].message).toContain(message);
    }
    // whole characters outside the BMP (a surrogate pair) are text like any other
    await t.http.post('/agents').set(admin).send([{ ...cloud, name: 'Yoni 😀 כהן' }]).expect(200);
    await t.http.post(`/agents/${cloud.id}/claim-token`).set('X-API-Key', KEYS.planner).send({}).expect(201);
    // a group delete reads every agent (it was a 500 for any group once a bad name was stored)
    await t.http.post('/skill-groups').set(admin).send([skillGroup({ id: 'XX' })]).expect(200);
    await t.http.delete('/skill-groups/XX').set(admin).expect(204);
  });

  test('when a key of a body holds a lone surrogate or a control character, then 400 names it (its lone surrogate as U+FFFD)', async () => {
    const res = await t.http.post('/skill-groups').set(admin).send([{ ...skillGroup({ id: 'K' }), 'n\udc00/x': 1 }]);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ where: '/body/0/n\ufffd~1x', message: expect.stringMatching(/^the key is not well-formed Unicode: a lone surrogate U\+DC00 at position 1/) }]);
    const history = await t.http.post('/history').set('X-API-Key', KEYS.ingest).send([{ interval_start: '1999-02-03T13:00:00+02:00', skill_group: 'PS', volume: 1, 'a\nb': 2 }]);
    expect([history.status, history.body.errors]).toEqual([400, [{ where: '/body/0/a\nb', message: expect.stringContaining('the key holds the control character U+000A at position 1') }]]);
    await t.http.delete('/skill-groups/PS').set(admin).expect(204);
  });

  test('the check: strings and keys at any depth, the first fault only; a text body (CSV) is not looked into', () => {
    expect(textFault('Zürich 東京 😀')).toBeUndefined();
    expect(textFault('\udfff')).toMatch(/U\+DFFF at position 0/);
    expect(textFault('ok\u001f')).toMatch(/U\+001F at position 2/);
    expect(firstBodyFault({ a: [{ b: 'x' }, { 'c~': ['y', 'z\u0007'] }] }, 32, textFault)).toEqual({ kind: 'text', where: '/body/a/1/c~0/1', message: expect.stringContaining('U+0007') });
    expect(firstBodyFault('line one\nline two', 32, textFault)).toBeUndefined();
    expect(firstBodyFault({ a: 'x\ny' })).toBeUndefined(); // depth only, as tooDeep asks
  });
});
