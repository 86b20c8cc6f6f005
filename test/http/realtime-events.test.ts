/**
 * POST /realtime/events over the running service: what ingest refuses (422 naming the field, nothing
 * stored) and the largest batches the contract allows. Real Redis, a business clock the test sets.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Redis } from 'ioredis';
import { startService, type RunningService } from '../../src/main';
import { deleteKeys, KEYS, REDIS_URL, testEnv } from '../support/service';
import { skillGroup } from '../support/examples';

const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 4, 10, 0);
const admin = { 'X-API-Key': KEYS.admin };
const ingest = { 'X-API-Key': KEYS.ingest };
const iso = (ms: number) => new Date(ms).toISOString();

describe('POST /realtime/events', () => {
  const prefix = `test-${randomUUID()}`;
  let service: RunningService;
  let http: ReturnType<typeof request>;
  let redis: Redis;

  /** every realtime key and its whole content: a refused batch must leave this exactly as it was */
  async function realtimeSnapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const key of (await redis.keys(`${prefix}:realtime:*`)).sort()) {
      out[key] = key.endsWith('signal-names') ? await redis.zrange(key, 0, -1, 'WITHSCORES') : await redis.hgetall(key);
    }
    return out;
  }

  async function refused(events: unknown[]): Promise<Array<{ where: string; message: string }>> {
    const before = await realtimeSnapshot();
    const res = await http.post('/realtime/events').set(ingest).send(events);
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(await realtimeSnapshot()).toEqual(before);
    return res.body.errors;
  }

  beforeAll(async () => {
    service = await startService(testEnv(prefix, { TRIGGER_TICK_CRON: 'off' }), { now: () => NOW, validateResponses: true });
    http = request(service.server!);
    redis = new Redis(REDIS_URL);
    await http.post('/skill-groups').set(admin).send([skillGroup({ id: 'QH', timeZone: 'UTC' }), skillGroup({ id: 'BIG', timeZone: 'UTC' }), skillGroup({ id: 'RSA', timeZone: 'UTC' })]).expect(200);
    // something stored already, so "left as it was" is not just "empty"
    await http.post('/realtime/events').set(ingest).send([{ skill_group: 'QH', minute: iso(NOW - 2 * MIN), arrivals: 3, signals: { app: 12 } }]).expect(200);
  });
  afterAll(async () => {
    redis.disconnect();
    await service.shutdown('test finished');
    await deleteKeys(prefix);
  });

  test('when a leading signal is negative, then 422 names /body/<i>/signals/<name>', async () => {
    const errors = await refused([
      { skill_group: 'QH', minute: iso(NOW - MIN), arrivals: 2 },
      { skill_group: 'QH', minute: iso(NOW - 2 * MIN), signals: { app: -5 } },
    ]);
    expect(errors).toEqual([{ where: '/body/1/signals/app', message: expect.stringMatching(/from 0 to/) }]);
  });

  test('when a count or gauge is beyond what any queue reports (1e12 arrivals), then 422 names each measure', async () => {
    const errors = await refused([{ skill_group: 'BIG', minute: iso(NOW - MIN), arrivals: 1e12, queue_length: 1e9, agents_logged_in: 4, agents_available: 100_001, handled: 100_000 }]);
    expect(errors.map((e) => e.where)).toEqual(['/body/0/arrivals', '/body/0/queue_length', '/body/0/agents_available']);
    expect(errors[0].message).toMatch(/from 0 to 100000/);
    await http.post('/realtime/events').set(ingest).send([{ skill_group: 'BIG', minute: iso(NOW - MIN), arrivals: 100_000, queue_length: 100_000, agents_logged_in: 100_000 }]).expect(200);
  });

  test('when an event has too many signals or a bad signal name (empty, with ":"), then 422 names them', async () => {
    const many = Object.fromEntries(Array.from({ length: 6_000 }, (_, k) => [`s${k}`, 1]));
    const errors = await refused([
      { skill_group: 'QH', minute: iso(NOW - MIN), signals: many },
      { skill_group: 'QH', minute: iso(NOW - 3 * MIN), signals: { '': 1, 'a:b': 2, ['x'.repeat(65)]: 3, 'ok.name-1_A': 4 } },
    ]);
    expect(errors.map((e) => e.where)).toEqual(['/body/0/signals', '/body/1/signals/', '/body/1/signals/a:b', `/body/1/signals/${'x'.repeat(65)}`]);
    expect(errors[0].message).toMatch(/at most 32 signals per event \(got 6000\)/);
    const ok = Object.fromEntries(Array.from({ length: 32 }, (_, k) => [`s${k}`, k]));
    await http.post('/realtime/events').set(ingest).send([{ skill_group: 'QH', minute: iso(NOW - 4 * MIN), signals: ok }]).expect(200);
  });

  test('when a minute is in the future beyond the clock skew or older than the retention, then 422 names /body/<i>/minute', async () => {
    const errors = await refused([
      { skill_group: 'QH', minute: iso(NOW + 3 * 60 * MIN), arrivals: 1 },
      { skill_group: 'QH', minute: '3000-01-01T00:00:00Z', arrivals: 1 },
      { skill_group: 'QH', minute: iso(NOW - 400 * DAY), arrivals: 1 },
      { skill_group: 'QH', minute: iso(NOW - 36 * DAY), arrivals: 1 },
      { skill_group: 'QH', minute: iso(NOW - 5 * MIN), arrivals: 1 },
    ]);
    expect(errors.map((e) => e.where)).toEqual(['/body/0/minute', '/body/1/minute', '/body/2/minute', '/body/3/minute']);
    expect(errors[0].message).toMatch(/180 minutes in the future \(at most 2/);
    expect(errors[2].message).toMatch(/older than the 35-day retention/);
    // a client clock a little ahead, and a day a month ago, are fine
    await http.post('/realtime/events').set(ingest).send([
      { skill_group: 'QH', minute: iso(NOW + 2 * MIN), arrivals: 1 },
      { skill_group: 'QH', minute: iso(NOW - 34 * DAY), arrivals: 1 },
    ]).expect(200);
  });

  test('when a minute near the retention limit is posted, then its day is kept until the day is past the retention, not 35 more days', async () => {
    const minute = NOW - 34 * DAY - 10 * 60 * MIN; // 2026-01-29 00:00
    await http.post('/realtime/events').set(ingest).send([{ skill_group: 'RSA', minute: iso(minute), arrivals: 1 }]).expect(200);
    const dayPastRetention = Date.UTC(2026, 0, 30) + 35 * DAY;
    const left = await redis.pttl(`${prefix}:realtime:{RSA}:2026-01-29`);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(dayPastRetention - NOW);
  });

  test('when one batch reports the same group and minute twice, then 422 names both indices', async () => {
    const errors = await refused([
      { skill_group: 'QH', minute: iso(NOW - MIN), arrivals: 1 },
      { skill_group: 'RSA', minute: iso(NOW - MIN), arrivals: 1 },
      { skill_group: 'QH', minute: iso(NOW - MIN), queue_length: 4 },
    ]);
    expect(errors).toEqual([{ where: '/body/2/minute', message: expect.stringContaining('/body/0') }]);
  });

  test('when a batch has the documented maximum of 20,000 events with every measure, then all of it is stored; one more is refused whole', async () => {
    const events = Array.from({ length: 20_001 }, (_, k) => ({
      skill_group: k % 2 ? 'RSA' : 'BIG',
      minute: iso(NOW - (1 + Math.floor(k / 2)) * MIN),
      arrivals: k % 7, queue_length: k % 5, agents_logged_in: 20, agents_available: 3, handled: k % 6,
    }));
    // a clean slate for the count (earlier tests stored minutes of these groups)
    for (const key of await redis.keys(`${prefix}:realtime:{*`)) await redis.del(key);
    const tooMany = await http.post('/realtime/events').set(ingest).send(events);
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toMatch(/20000/);
    expect(await redis.keys(`${prefix}:realtime:{RSA}:*`)).toEqual([]);
    const res = await http.post('/realtime/events').set(ingest).send(events.slice(0, 20_000));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stored: 20_000 });
    const days = await redis.keys(`${prefix}:realtime:{RSA}:*`);
    let fields = 0;
    for (const key of days) fields += await redis.hlen(key);
    expect(fields).toBe(10_000 * 5);
  }, 120_000);

  test('when a policy asks for threshold + hysteresis ≥ 1, then 422 names /body/hysteresis and nothing is stored', async () => {
    const res = await http.put('/skill-groups/RSA/trigger-policy').set(admin).send({ mode: 'predictive', serviceLevelThreshold: 0.6, hysteresis: 0.5 });
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ where: '/body/hysteresis', message: expect.stringMatching(/below 1/) }]);
    await http.get('/skill-groups/RSA/trigger-policy').set(admin).expect(404);
  });
});
