/**
 * Problem `where` pointers are JSON pointers (RFC 6901): a key holding "/" or "~" is escaped ("~1",
 * "~0"), so "/body/0/a~1b~0c" names the key "a/b~c" of row 0, not a path three keys deep.
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import { skillGroup } from '../support/examples';
import { ajvProblems } from '../../src/domain/schemas';

describe('problem pointers to keys with "/" or "~"', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    await t.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send([skillGroup()]).expect(200);
  });
  afterAll(() => t.stop());

  const row = (i: number) => ({ interval_start: new Date(Date.UTC(1999, 1, 3, 0, 30 * i)).toISOString(), skill_group: 'PS', volume: 1 });

  test('when a JSON history row has an unknown key "a/b~c", then the problem points at /body/<row>/a~1b~0c, in a small body and in a large one', async () => {
    const small = [{ ...row(0), 'a/b~c': 1 }];
    // over 8 KB: checked row by row before the contract validator (large-bodies.ts)
    const large = [...Array.from({ length: 200 }, (_, i) => row(i)), { ...row(200), 'a/b~c': 1 }];
    expect(JSON.stringify(large).length).toBeGreaterThan(8 * 1024);
    for (const [body, at] of [[small, 0], [large, 200]] as const) {
      const res = await t.http.post('/history').set('X-API-Key', KEYS.ingest).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { where: string }) => e.where)).toEqual([`/body/${at}/a~1b~0c`]);
    }
  });

  test('ajvProblems escapes the key an error names (missing or unknown property)', () => {
    const errors = [
      { instancePath: '/0', keyword: 'additionalProperties', params: { additionalProperty: 'a/b~c' }, message: 'must NOT have additional properties', schemaPath: '' },
      { instancePath: '/x~1y', keyword: 'required', params: { missingProperty: '~/' }, message: "must have required property '~/'", schemaPath: '' },
    ];
    expect(ajvProblems(errors, '/body').map((p) => p.where)).toEqual(['/body/0/a~1b~0c', '/body/x~1y/~0~1']);
  });
});
