/**
 * The surge trigger as a running service: realtime events → tick job → callouts → delivery jobs → a flaky
 * SMS receiver → answers by link and by the gateway → the next ticks. Real Redis, the in-process service,
 * a business clock the test moves minute by minute (the minute scheduler is off: ticks run on demand).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { Queue } from 'bullmq';
import { signBody } from '../../src/callout/signing';
import { startService, type RunningService } from '../../src/main';
import { QUEUE } from '../../src/queue/names';
import { Redis } from 'ioredis';
import { createStore } from '../../src/store/store';
import { deleteKeys, KEYS, REDIS_URL, testEnv } from '../support/service';
import { startReceiver, type Receiver } from '../callout/receiver';

const SECRET = 'webhook-secret-0123456789';
const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const admin = { 'X-API-Key': KEYS.admin };
const planner = { 'X-API-Key': KEYS.planner };
const ingest = { 'X-API-Key': KEYS.ingest };

const GROUP = {
  id: 'PS', name: 'Private service', timeZone: 'UTC', intervalMinutes: 15, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
  ahtSeconds: 180, patienceSeconds: 120, shrinkage: 0.3, maxOccupancy: 0.95, channel: 'voice', overflowTo: [],
};
const phoneOf = (k: number) => `+9725${String(40_000_000 + k * 7919)}`;
const CLOUD = Array.from({ length: 30 }, (_, k) => ({
  id: `c${String(k).padStart(2, '0')}`, name: `Cloud ${k}`, kind: 'cloud', skills: [{ skillGroupId: 'PS' }], phone: phoneOf(k), calloutOptIn: true,
  contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 },
}));
const PHONES = CLOUD.map((a) => a.phone);

interface Callout {
  id: string; agentId: string; waveId: string; decisionId: string; status: string; loginAt: number; requestedAt: number; answerBy: number; delivery: { state: string; attempts: number };
}

describe('surge trigger over REST, jobs and a flaky SMS gateway', () => {
  const prefix = `test-${randomUUID()}`;
  // t: the minute the center reports; skew: how far into that minute the service's clock reads
  const clock = { t: Math.floor(Date.UTC(2026, 2, 2, 10, 0) / MIN) * MIN, skew: 0 };
  const logs: string[] = [];
  let service: RunningService;
  let http: ReturnType<typeof request>;
  let receiver: Receiver;

  /** The contact center reports each minute: 4 calls a minute, 10 agents logged in, a queue of 25. */
  async function report(fromMinute: number, toMinute: number) {
    const events = [];
    for (let m = fromMinute; m < toMinute; m += MIN) {
      events.push({ skill_group: 'PS', minute: new Date(m).toISOString(), arrivals: 4, queue_length: 25, agents_logged_in: 10, agents_available: 0, handled: 3 });
    }
    await http.post('/realtime/events').set(ingest).send(events).expect(200);
  }

  async function advance(minutes: number) {
    const from = clock.t;
    clock.t += minutes * MIN;
    await report(from, clock.t);
  }

  async function waitForJob(queue: string, jobId: string) {
    for (let i = 0; i < 400; i++) {
      const job = (await http.get(`/jobs/${queue}/${jobId}`).set(planner).expect(200)).body;
      // GET /jobs reads the job, then its state: a job finishing in between reads completed without its result yet.
      if ((job.state === 'completed' && job.result != null) || job.state === 'failed') return job;
      await sleep(50);
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  async function tickNow() {
    const res = await http.post('/trigger/ticks').set(planner).expect(202);
    expect(res.headers.location).toBe(res.body.status);
    const job = await waitForJob(QUEUE.triggerTick, res.body.jobId);
    expect(job.state).toBe('completed');
    return job.result as { committed: number; newCallouts: number; fired: Array<{ decisionId: string; calloutIds: string[] }> };
  }

  async function callouts(query = ''): Promise<Callout[]> {
    return (await http.get(`/trigger/callouts?limit=500${query}`).set(planner).expect(200)).body;
  }

  async function waitUntilDelivered(ids: string[]) {
    for (let i = 0; i < 600; i++) {
      const all = await callouts();
      const open = all.filter((c) => ids.includes(c.id) && c.delivery.state === 'queued');
      if (open.length === 0) return all.filter((c) => ids.includes(c.id));
      await sleep(50);
    }
    throw new Error('callouts were not delivered in time');
  }

  async function lastDecision() {
    return (await http.get('/trigger/decisions?skillGroup=PS&limit=1').set(planner).expect(200)).body[0];
  }

  beforeAll(async () => {
    receiver = await startReceiver(SECRET, 11, { failBefore: 0.15, failAfter: 0.1, rateLimit: 0.1, slow: 0.1, stallAfterSend: 0.08, slowMs: 30, stallMs: 3000 });
    const sink = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
    service = await startService(
      testEnv(prefix, {
        WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET, PUBLIC_BASE_URL: 'https://wfm.example', TRIGGER_TICK_CRON: 'off',
        WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_MAX_ATTEMPTS: '12', WEBHOOK_BACKOFF_MS: '5', WEBHOOK_MAX_BACKOFF_MS: '40',
      }),
      // No redaction in the test logger: the phone must not be handed to the logger at all.
      { now: () => clock.t + clock.skew, log: pino({ level: 'debug' }, sink), validateResponses: true },
    );
    http = request(service.server!);
    await http.post('/skill-groups').set(admin).send([GROUP]).expect(200);
    await http.post('/agents').set(admin).send(CLOUD).expect(200);
    await report(clock.t - 20 * MIN, clock.t);
  });

  afterAll(async () => {
    await service.shutdown('test finished');
    await receiver.close();
    await deleteKeys(prefix);
  });

  test('when an admin sets a policy, then planners read it with the defaults filled in; bad values are 422s naming the field; roles are enforced', async () => {
    const bad = await http.put('/skill-groups/PS/trigger-policy').set(admin).send({ serviceLevelThreshold: 1.4, horizonMinutes: 10, loginLeadMinutes: 15, quietHours: [{ days: [1], from: '18:00', to: '08:00' }] });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/serviceLevelThreshold', '/body/quietHours/0/to', '/body/horizonMinutes']);
    expect((await http.get('/skill-groups/PS/trigger-policy').set(planner)).status).toBe(404);

    expect((await http.put('/skill-groups/PS/trigger-policy').set(planner).send({ mode: 'off' })).status).toBe(403);
    expect((await http.put('/skill-groups/PS/trigger-policy').send({ mode: 'off' })).status).toBe(401);
    expect((await http.put('/skill-groups/PS/trigger-policy').set(admin).send({ mode: 'sometimes' })).status).toBe(400);
    // a body that breaks the contract in several places: every place is listed, not only the first
    const several = await http.put('/skill-groups/PS/trigger-policy').set(admin).send({ mode: 'sometimes', maxAgentsPerHour: 'many', quietHours: 'never' });
    expect(several.status).toBe(400);
    expect(several.body.errors.map((e: { where: string }) => e.where).sort()).toEqual(['/body/maxAgentsPerHour', '/body/mode', '/body/quietHours']);
    expect((await http.put('/skill-groups/NOPE/trigger-policy').set(admin).send({})).status).toBe(404);

    const policy = { mode: 'predictive', confirmTicks: 1, cooldownMinutes: 0, answerWindowMinutes: 3, maxAgentsPerHour: 40 };
    const put = await http.put('/skill-groups/PS/trigger-policy').set(admin).send(policy).expect(200);
    expect(put.body).toMatchObject({ ...policy, skillGroupId: 'PS', loginLeadMinutes: 15, horizonMinutes: 30 });
    expect((await http.get('/skill-groups/PS/trigger-policy').set(planner).expect(200)).body).toEqual(put.body);
    expect((await http.get('/trigger/decisions').set(ingest)).status).toBe(403);
    expect((await http.post('/trigger/ticks').set(ingest)).status).toBe(403);
  });

  test('when realtime events show a surge, then a tick calls agents, each callout reaches the flaky gateway exactly once, and the decision log explains each', async () => {
    // the tick runs 42 s into its minute: it decides for the minute, the answer window counts from 42 s
    clock.skew = 42_000;
    const result = await tickNow();
    clock.skew = 0;
    expect(result.fired).toHaveLength(1);
    const ids = result.fired[0].calloutIds;
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const delivered = await waitUntilDelivered(ids);

    expect(delivered.every((c) => c.status === 'delivered' && c.delivery.state === 'delivered')).toBe(true);
    expect(delivered.some((c) => c.delivery.attempts > 1)).toBe(true); // the gateway did misbehave
    for (const id of ids) expect(receiver.sent.get(id)).toBe(1);
    expect(receiver.sent.size).toBe(ids.length);
    expect(receiver.rejectedSignatures).toBe(0);

    const [decision] = (await http.get('/trigger/decisions?firedOnly=true').set(planner).expect(200)).body;
    expect(decision.id).toBe(result.fired[0].decisionId);
    expect(decision.calloutIds).toEqual(ids);
    expect(decision.explanation).toMatch(new RegExp(`calling ${ids.length}\\b`));
    expect(decision.inputs).toMatchObject({ queueLength: 25, agentsLoggedIn: 10, arrivalsLast15Minutes: 60 });
    expect(delivered.every((c) => c.decisionId === decision.id && c.waveId === decision.waveId)).toBe(true);
    expect(delivered.every((c) => c.requestedAt === clock.t && c.answerBy === clock.t + 42_000 + 3 * MIN)).toBe(true);

    // The same minute again (a retried job, a second API process): nothing new is decided or sent.
    const again = await tickNow();
    expect(again).toMatchObject({ committed: 0, newCallouts: 0, fired: [] });
    expect(receiver.sent.size).toBe(ids.length);
    expect((await http.get('/trigger/decisions?skillGroup=PS').set(planner).expect(200)).body).toHaveLength(1);
  });

  test('when agents decline through the gateway, then the next tick calls agents not yet in the wave', async () => {
    const wave = await callouts();
    const signed = (text: string, at = Date.now()) => signBody(SECRET, Math.floor(at / 1000), text);
    const inbound = (body: string, signature: string) => http.post('/callouts/inbound').set('content-type', 'application/json').set('x-wfm-signature', signature).send(body);
    const first = JSON.stringify({ calloutId: wave[0].id, answer: 'decline' });
    expect((await inbound(first, signed(first.replace('decline', 'accept')))).status).toBe(401);
    expect((await inbound(first, signed(first, Date.now() - 10 * MIN))).status).toBe(401);
    // signed ahead of this service's clock: refused too, and not called "too old"
    const ahead = await inbound(first, signed(first, Date.now() + 10 * MIN));
    expect(ahead.status).toBe(401);
    expect(ahead.body.detail).toMatch(/outside the 5-minute window around this service's clock \(a replay, or the gateway's clock is off\)/);
    const missing = JSON.stringify({ calloutId: wave[0].id });
    expect((await inbound(missing, signed(missing))).body.errors).toEqual([{ where: '/body/answer', message: 'must be "accept" or "decline"' }]);
    // an id the service never sent: the problem points at the body's calloutId
    const unknown = JSON.stringify({ calloutId: 'co_never_sent', answer: 'accept' });
    const notFound = await inbound(unknown, signed(unknown));
    expect(notFound.status).toBe(404);
    expect(notFound.body.errors).toEqual([{ where: '/body/calloutId', message: 'no such callout' }]);
    // a signature of the wrong shape says what the header must look like
    const malformed = await inbound(first, `t=${Math.floor(Date.now() / 1000)},v1=deadbeef`);
    expect(malformed.status).toBe(401);
    expect(malformed.body.detail).toMatch(/missing or malformed \(X-Wfm-Signature: t=<unix seconds>,v1=<64 hex digits/);
    // Half of the wave says no: what is still pending no longer closes the gap.
    for (const declining of wave.slice(0, 4)) {
      const body = JSON.stringify({ calloutId: declining.id, answer: 'decline' });
      const ok = await inbound(body, signed(body)).expect(200);
      expect(ok.body).toMatchObject({ applied: true, callout: { id: declining.id, status: 'declined', answeredVia: 'sms-gateway' } });
    }
    expect((await inbound(first, signed(first)).expect(200)).body.applied).toBe(false); // the gateway retried

    await advance(1);
    const result = await tickNow();
    expect(result.fired).toHaveLength(1);
    const topUp = result.fired[0].calloutIds;
    expect(topUp.length).toBeGreaterThan(0);
    const before = new Set(wave.map((c) => c.agentId));
    const fresh = (await callouts()).filter((c) => topUp.includes(c.id));
    expect(fresh.every((c) => !before.has(c.agentId) && c.waveId === wave[0].waveId)).toBe(true);
    const decision = await lastDecision();
    expect(decision.explanation).toMatch(/top-up of wave/);
    await waitUntilDelivered(topUp);
  });

  test('when an agent accepts through the SMS link, then it counts as capacity from its login time', async () => {
    const target = (await callouts('&status=delivered'))[0];
    const sms = receiver.bodies.get(target.id) as { phone: string; links: { accept: string; decline: string } };
    expect(sms.phone).toBe(CLOUD.find((a) => a.id === target.agentId)!.phone);
    const accept = new URL(sms.links.accept);
    expect(accept.origin).toBe('https://wfm.example');
    const path = `${accept.pathname}${accept.search}`;

    const preview = await http.get(path).expect(200); // no API key: the agent's phone
    expect(preview.body).toMatchObject({ calloutId: target.id, answer: 'accept', status: 'delivered' });
    expect((await http.get(path).set('accept', 'text/html').expect(200)).text).toContain('<form method="post"');
    const forged = await http.get(`/callouts/answer?token=${accept.searchParams.get('token')!.slice(0, -2)}xx`);
    expect(forged.status).toBe(403);
    expect(forged.type).toBe('application/problem+json');
    expect(forged.body.errors).toEqual([{ where: '/query/token', message: 'the signature does not match: the link was altered' }]);
    // a phone's browser gets a page saying so, not problem+json
    const forgedPage = await http.get(`/callouts/answer?token=${accept.searchParams.get('token')!.slice(0, -2)}xx`).set('accept', 'text/html');
    expect([forgedPage.status, forgedPage.type]).toEqual([403, 'text/html']);
    expect(forgedPage.text).toContain('This link does not work');
    // no token at all is a request that breaks the contract, not a bad signature
    const bare = await http.get('/callouts/answer');
    expect(bare.status).toBe(400);
    expect(bare.body.errors.map((e: { where: string }) => e.where)).toEqual(['/query/token']);

    const before = await lastDecision();
    const taken = await http.post(path).expect(200);
    expect(taken.body).toMatchObject({ applied: true, callout: { status: 'accepted', answeredVia: 'link', loginAt: target.loginAt } });
    expect((await http.post(path).expect(200)).body.applied).toBe(false);
    // the request log names the route, never the link's token (it would answer for the agent)
    expect(logs.join('')).toContain('/callouts/answer?token=[redacted]');
    expect(logs.join('')).not.toContain(accept.searchParams.get('token')!);
    const declineLink = new URL(sms.links.decline);
    expect((await http.post(`${declineLink.pathname}${declineLink.search}`)).status).toBe(409);
    // the accepted callout's page offers no button any more: it says when the agent is expected
    const closedPage = await http.get(path).set('accept', 'text/html').expect(200);
    expect(closedPage.text).toContain('<h1>Accepted</h1><p>You are expected on ');
    expect(closedPage.text).not.toContain('<form');

    await advance(1);
    await tickNow();
    const after = await lastDecision();
    expect(after.inputs.acceptedCallouts).toBe(1);
    // Capacity = the 10 logged in, plus the accepted agent from its login time, plus each pending
    // callout weighted by the acceptance rate from its own login time (no roster in this test).
    const pending = (await callouts()).filter((c) => c.status === 'delivered' || c.status === 'pending');
    const expectedAt = (t: number) => 10 + (t >= target.loginAt ? 1 : 0) + pending.filter((c) => c.loginAt <= t).length * after.acceptanceRate;
    const [firstBucket] = after.projection;
    const lastBucket = after.projection[after.projection.length - 1];
    expect(firstBucket.start + firstBucket.minutes * MIN).toBeLessThanOrEqual(target.loginAt);
    expect(firstBucket.agents).toBeCloseTo(10, 6);
    expect(lastBucket.start).toBeGreaterThan(target.loginAt);
    expect(lastBucket.agents).toBeCloseTo(expectedAt(lastBucket.start), 6);
    expect(before.inputs.acceptedCallouts).toBe(0);
  });

  test('when nobody answers within the window, then the callouts expire and the next tick calls the next agents', async () => {
    const waiting = await callouts('&status=delivered');
    expect(waiting.length).toBeGreaterThan(0);
    const sms = receiver.bodies.get(waiting[0].id) as { links: { accept: string } };
    await advance(3);
    const result = await tickNow();
    const all = await callouts();
    for (const c of waiting) expect(all.find((x) => x.id === c.id)!.status).toBe('expired');
    expect(result.fired).toHaveLength(1);
    const called = new Set(all.filter((c) => !result.fired[0].calloutIds.includes(c.id)).map((c) => c.agentId));
    const next = all.filter((c) => result.fired[0].calloutIds.includes(c.id));
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((c) => !called.has(c.agentId))).toBe(true);
    // The expired callout's link no longer answers.
    const link = new URL(sms.links.accept);
    expect((await http.post(`${link.pathname}${link.search}`)).status).toBe(409);
    await waitUntilDelivered(next.map((c) => c.id));
    const states = (await http.get('/trigger/states').set(planner).expect(200)).body;
    expect(states).toEqual([expect.objectContaining({ skillGroupId: 'PS', mode: 'predictive', waveId: expect.any(String), tickedAt: clock.t })]);
  });

  test('when callouts went out, then no phone number is in any job data, job result or log line', async () => {
    const connection = { url: REDIS_URL };
    const jobs = [];
    for (const name of [QUEUE.deliverCallout, QUEUE.triggerTick]) {
      const queue = new Queue(name, { connection, prefix: `${prefix}:bull` });
      jobs.push(...(await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'])));
      await queue.close();
    }
    const deliveries = jobs.filter((j) => j.queueName === QUEUE.deliverCallout);
    expect(deliveries.length).toBe(receiver.sent.size);
    // the callout id, and the id of the request whose tick created it (an opaque id, never personal data)
    expect(deliveries.every((j) => Object.keys(j.data).filter((k) => k !== 'requestId').join() === 'calloutId' && j.id === j.data.calloutId)).toBe(true);
    const stored = JSON.stringify(jobs.map((j) => [j.data, j.returnvalue]));
    const logged = logs.join('');
    expect(logged).toContain('callout-attempt');
    for (const phone of PHONES) {
      expect(stored).not.toContain(phone);
      expect(logged).not.toContain(phone);
      expect(logged).not.toContain(phone.slice(1));
      // its last 7 digits on their own (a millisecond timestamp may hold the same 7 digits inside a longer run)
      expect(logged).not.toMatch(new RegExp(`(?<![0-9])${phone.slice(-7)}(?![0-9])`));
    }
    const dead = (await http.get('/trigger/dead-letters').set(planner).expect(200)).body;
    expect(dead).toEqual([]);
  });

  test('when callouts and decisions are listed page by page, then following the Link header reaches every entry once, in the order of the whole list', async () => {
    const follow = async (first: string) => {
      const seen: string[] = [];
      for (let url: string | undefined = first, pages = 0; url && pages < 100; pages++) {
        const res: { body: Array<{ id: string }>; headers: Record<string, string | undefined> } = await http.get(url).set(planner).expect(200);
        seen.push(...res.body.map((e) => e.id));
        // every page as asked for: its size, its filters
        expect(res.body.length).toBeLessThanOrEqual(Number(new URL(url, 'http://x').searchParams.get('limit')));
        url = /^<([^>]+)>; rel="next"$/.exec(res.headers.link ?? '')?.[1];
      }
      return seen;
    };
    const all = (await callouts()).map((c) => c.id);
    expect(all.length).toBeGreaterThan(4);
    // many callouts share their firing's instant: a page of 2 is the start of the whole list, and the pages add up to it
    expect((await http.get('/trigger/callouts?limit=2').set(planner).expect(200)).body.map((c: Callout) => c.id)).toEqual(all.slice(0, 2));
    expect(await follow('/trigger/callouts?limit=2')).toEqual(all);
    const delivered = (await callouts('&status=expired')).map((c) => c.id);
    expect(await follow('/trigger/callouts?limit=1&status=expired')).toEqual(delivered);
    const decisions = (await http.get('/trigger/decisions?limit=500').set(planner).expect(200)).body.map((d: { id: string }) => d.id);
    expect(await follow('/trigger/decisions?limit=2')).toEqual(decisions);
    const fired = (await http.get('/trigger/decisions?limit=500&firedOnly=true').set(planner).expect(200)).body.map((d: { id: string }) => d.id);
    expect(await follow('/trigger/decisions?limit=1&firedOnly=true')).toEqual(fired);
    const last = await http.get('/trigger/decisions?limit=500').set(planner).expect(200);
    expect(last.headers.link).toBeUndefined();
    const bad = await http.get('/trigger/callouts?cursor=bm90LWEtY3Vyc29y').set(planner);
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ where: '/query/cursor' })]);
  });

  test('when the agent a callout was made to is deleted (and the id given to another person), then its link page offers no button and shows times in the group\'s zone, not the new agent\'s', async () => {
    const [open] = await callouts('&status=delivered');
    const sms = receiver.bodies.get(open.id) as { links: { accept: string } };
    const u = new URL(sms.links.accept);
    const path = `${u.pathname}${u.search}`;
    expect((await http.get(path).expect(200)).body.answerable).toBe(true);
    await http.delete(`/agents/${open.agentId}`).set(admin).expect(204);
    // a JSON client reads it as the page does: still "delivered", but no answer changes it
    expect((await http.get(path).expect(200)).body).toMatchObject({ status: 'delivered', answerable: false });
    const agent = CLOUD.find((a) => a.id === open.agentId)!;
    await http.post('/agents').set(admin).send([{ ...agent, timeZone: 'Asia/Tokyo' }]).expect(200);
    const page = await http.get(path).set('accept', 'text/html').expect(200);
    expect(page.text).toContain('<h1>Withdrawn</h1><p>This callout was withdrawn: there is nothing to answer.</p>');
    expect(page.text).not.toContain('<form');
    // the group's zone (UTC): the new agent holding the id is not the one the message was written for
    expect((await http.get(path).expect(200)).body.proposedShift.start).toMatch(/(Z|\+00:00)$/);
    expect((await http.post(path)).status).toBe(409);
  });

  test('when an accepted agent was released, then their links say they need not come and answering changes nothing; an expired link says what became of the callout', async () => {
    const [accepted] = await callouts('&status=accepted');
    const sms = receiver.bodies.get(accepted.id) as { links: { accept: string; decline: string } };
    const link = (url: string) => { const u = new URL(url); return `${u.pathname}${u.search}`; };
    const redis = new Redis(REDIS_URL);
    try {
      // the tick's release, as the store records it (login was at loginAt: they were told not to come)
      const releasedAt = accepted.loginAt - 5 * MIN;
      await createStore(redis, prefix).trigger.updateCallout(accepted.id, (c) => ({ next: { ...c, releasedAt } }));
    } finally {
      redis.disconnect();
    }
    // the links have expired by now (the answer window has passed): they say the agent was released
    const expired = await http.post(link(sms.links.accept)).set('accept', 'text/html');
    expect(expired.status).toBe(409);
    expect(expired.text).toContain('<h1>No longer needed</h1><p>The surge passed before your login');
    expect((await http.post(link(sms.links.accept))).body.detail).toBe('this link has expired: you were released: no need to come');

    // within a link's life, the same answers take nothing and say so (checked on the core with a fresh clock)
    clock.t -= 60 * MIN;
    try {
      const again = await http.post(link(sms.links.accept)).expect(200);
      expect(again.body).toMatchObject({ applied: false, callout: { id: accepted.id, status: 'accepted', releasedAt: accepted.loginAt - 5 * MIN } });
      const page = await http.post(link(sms.links.decline)).set('accept', 'text/html').expect(200);
      expect(page.text).toContain('No longer needed');
      expect(page.text).toContain('no need to log in');
      const preview = await http.get(link(sms.links.accept)).expect(200);
      expect(preview.body.releasedAt).toEqual(expect.any(String));
    } finally {
      clock.t += 60 * MIN;
    }
  });
});
