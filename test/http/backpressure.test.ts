import { startTestService, KEYS, type TestService } from '../support/service';
import { stationarySpec } from '../sim/fixtures';
import { WAITING_LIMITS } from '../../src/http/backpressure';
import { QUEUE } from '../../src/queue/names';

describe('work-starting requests while their queue is full', () => {
  let t: TestService;
  const planner = { 'X-API-Key': KEYS.planner };
  beforeAll(async () => {
    // no simulate worker in this process: every simulation stays waiting
    t = await startTestService({ TRIGGER_TICK_CRON: 'off' }, { workersOnly: ['build-roster'] });
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the simulate queue holds its most waiting jobs, then another simulation is a 429 with Retry-After and nothing is queued; a replay of an accepted one still answers', async () => {
    const spec = stationarySpec({ agents: 10, callsPerHour: 150, hours: 2, replications: 1, seed: 7 });
    const limit = WAITING_LIMITS[QUEUE.simulate];
    let first: { body: unknown } | undefined;
    for (let i = 0; i < limit; i++) {
      const res = await t.http.post('/simulations').set({ ...planner, 'Idempotency-Key': `sim-${i}` }).send(spec).expect(202);
      first ??= res;
    }
    const refused = await t.http.post('/simulations').set(planner).send(spec);
    expect(refused.status).toBe(429);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body.detail).toMatch(new RegExp(`${limit} simulate jobs are waiting already`));
    expect(await t.service.queues.get(QUEUE.simulate).getWaitingCount()).toBe(limit);
    // the same request again under its Idempotency-Key is answered as the first time, full queue or not
    const replay = await t.http.post('/simulations').set({ ...planner, 'Idempotency-Key': 'sim-0' }).send(spec).expect(202);
    expect(replay.body).toEqual(first!.body);
  });
});
