/**
 * A history read asks Redis for the months that hold history, not for every calendar month of the range:
 * 0001 to 9999 (a planner's "everything") was ~120,000 HGETALLs in one pipeline, seconds of a stalled
 * process and Redis.
 */
import { startTestService, KEYS, openTestStore, type TestService } from '../support/service';
import { skillGroup } from '../support/examples';

const EVERYTHING = { from: '0001-01-01T00:00:00Z', to: '9999-12-31T00:00:00Z' };

describe('reading history over a range far wider than what is stored', () => {
  test('when 0001 to 9999 is read from the store, then only the months holding history are asked for, and every stored interval comes back', async () => {
    const { redis, store, close } = openTestStore();
    try {
      await store.skillGroups.putAll([skillGroup()]);
      const starts = [Date.UTC(1999, 1, 3, 11), Date.UTC(1999, 1, 28, 23, 30), Date.UTC(2023, 5, 1, 0)];
      await store.history.upsert(starts.map((start) => ({ skillGroupId: 'PS', start, volume: 4 })));
      const pipeline = redis.pipeline.bind(redis);
      let hashesRead = 0;
      jest.spyOn(redis, 'pipeline').mockImplementation((...args: Parameters<typeof redis.pipeline>) => {
        const p = pipeline(...args);
        const hgetall = p.hgetall.bind(p);
        p.hgetall = ((...a: Parameters<typeof p.hgetall>) => {
          hashesRead++;
          return hgetall(...a);
        }) as typeof p.hgetall;
        return p;
      });
      const read = await store.history.read('PS', Date.parse(EVERYTHING.from), Date.parse(EVERYTHING.to));
      expect(read.map((i) => i.start)).toEqual(starts);
      expect(hashesRead).toBe(2); // February 1999 and June 2023
      // the range's own bounds still hold inside a stored month, at both ends
      hashesRead = 0;
      expect((await store.history.read('PS', Date.UTC(1999, 1, 3, 11, 30), Date.UTC(2023, 5, 1, 0))).map((i) => i.start)).toEqual([starts[1]]);
      expect(hashesRead).toBe(1); // `to` is June's first instant, excluded: June is not read
      expect(await store.history.read('NE', Date.parse(EVERYTHING.from), Date.parse(EVERYTHING.to))).toEqual([]);
    } finally {
      jest.restoreAllMocks();
      await close();
    }
  });

  describe('over REST', () => {
    let t: TestService;
    beforeAll(async () => {
      t = await startTestService();
      await t.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send([skillGroup()]).expect(200);
      const csv = 'interval_start,skill_group,volume\n1999-02-03T13:00:00+02:00,PS,10\n2023-06-01T10:00:00+03:00,PS,7\n';
      await t.http.post('/history').set('X-API-Key', KEYS.ingest).type('text/csv').send(csv).expect(200);
    });
    afterAll(() => t.stop());

    test('when eight planners read 0001 to 9999 at once, as JSON and as CSV, then each gets everything stored, promptly', async () => {
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, k) => t.http.get('/history/PS').query({ ...EVERYTHING, format: k % 2 ? 'csv' : 'json' }).set('X-API-Key', KEYS.planner)),
      );
      // one read was seconds (health took 19 s with eight of them); now a few milliseconds each
      expect(Date.now() - started).toBeLessThan(3000);
      for (const [k, res] of answers.entries()) {
        expect(res.status).toBe(200);
        if (k % 2) {
          expect(res.text).toContain('1999-02-03T13:00:00+02:00');
          expect(res.text).toContain('2023-06-01T10:00:00+03:00');
        } else {
          expect(res.body.map((r: { interval_start: string; volume: number }) => [r.interval_start, r.volume])).toEqual([['1999-02-03T13:00:00+02:00', 10], ['2023-06-01T10:00:00+03:00', 7]]);
        }
      }
    });

    test('when to is not after from, then 422 names /query/to', async () => {
      const res = await t.http.get('/history/PS').query({ from: EVERYTHING.to, to: EVERYTHING.from }).set('X-API-Key', KEYS.planner);
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ where: '/query/to', message: 'must be after from' }]);
    });
  });
});
