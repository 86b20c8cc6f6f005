/**
 * A JSON body nested thousands of levels deep is a 400 naming where it nests too deep, never a 500: at
 * 5,000 levels (10 KB) JSON.stringify overflowed the stack in the large-body check.
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import { MAX_BODY_DEPTH, tooDeep } from '../../src/http/body-depth';

const nestedArrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const nestedObjects = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('deeply nested JSON bodies', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(() => t.stop());

  test('when a body nests arrays 5,000, 100,000 or 4,000 levels deep, then every JSON operation answers 400 problem+json naming the place, not 500', async () => {
    const posts: Array<[string, string]> = [
      ['/realtime/events', KEYS.ingest],
      ['/history', KEYS.ingest],
      ['/agents', KEYS.admin],
      ['/skill-groups', KEYS.admin],
      ['/simulations', KEYS.planner],
    ];
    for (const levels of [5_000, 100_000, 4_000]) {
      for (const [path, key] of posts) {
        const res = await t.http.post(path).set('X-API-Key', key).type('application/json').send(nestedArrays(levels));
        expect([path, levels, res.status, res.type]).toEqual([path, levels, 400, 'application/problem+json']);
        expect(res.body.errors).toEqual([{ where: `/body${'/0'.repeat(MAX_BODY_DEPTH)}`, message: `nested more than ${MAX_BODY_DEPTH} levels deep` }]);
      }
    }
  });

  test('when a free-form body (a simulation spec) nests objects deep inside a field, then 400 names the path down to it', async () => {
    const res = await t.http.post('/simulations').set('X-API-Key', KEYS.planner).type('application/json').send(`{"seed":7,"handleTime":${nestedObjects(6_000)}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].where).toBe(`/body/handleTime${'/a'.repeat(MAX_BODY_DEPTH - 1)}`);
  });

  test('when a body is a million levels deep, then the check itself does not overflow; the bodies the contract takes pass it', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(tooDeep(deep)).toBe(`/body${'/0'.repeat(MAX_BODY_DEPTH)}`);
    expect(tooDeep({ 'a/b': { '~': [[]] } }, 3)).toBe('/body/a~1b/~0/0');
    const agents = [{ id: 'C1', skills: [{ skillGroupId: 'PS', level: 1 }], contract: { class: 'cloud' } }];
    expect(tooDeep(agents)).toBeUndefined();
    expect(tooDeep('csv,text')).toBeUndefined();
  });
});
