import net from 'node:net';
import { deliverCallout, type DeliveryConfig } from '../../src/callout/deliver';
import { buildPayload } from '../../src/callout/payload';
import { signBody, signLinkToken, verifyBodySignature, verifyLinkToken } from '../../src/callout/signing';
import { maskPhone } from '../../src/domain/validate';
import { createRng } from '../../src/sim/rng';
import { planCallouts } from '../../src/trigger/callouts';
import { decide } from '../../src/trigger/decide';
import { initialTriggerState } from '../../src/trigger/types';
import { flatForecast, group, policy, realtime, steadyCapacity, T0 } from '../trigger/fixtures';
import { startReceiver, type Receiver } from './receiver';

const SECRET = 'webhook-secret';
const LINK_SECRET = 'link-secret';
const phoneOf = (agentId: string) => `+9725${String(1_000_000 + Number(agentId.slice(1))).padStart(8, '0')}`;

function fired() {
  const { decision } = decide({
    group: group(), policy: policy({ maxAgentsPerHour: 60 }), state: initialTriggerState('PS'), realtime: realtime(0, 36, 10),
    forecast: flatForecast(25), capacity: steadyCapacity(36), callouts: [], acceptance: { accepted: 0, refused: 0 }, now: T0,
  });
  const agentIds = Array.from({ length: decision.agentsToCall }, (_, k) => `a${k}`);
  return { decision, callouts: planCallouts(decision, agentIds, policy()) };
}

/** The callout's body; its links expire with the answer window (5 minutes from T0 unless a test runs on the real clock). */
function payloadOf(callout: ReturnType<typeof fired>['callouts'][number], expiresAt = T0 + 5 * 60_000) {
  return buildPayload(callout, phoneOf(callout.agentId), {
    answerBaseUrl: 'https://wfm.example/callouts/answer', linkSecret: LINK_SECRET, expiresAt, timeZone: 'Asia/Jerusalem', skillGroupName: 'Private service',
  });
}

/** For the tests against a real receiver on the real clock: links valid for the next hour. */
const live = (callout: ReturnType<typeof fired>['callouts'][number]) => payloadOf(callout, LIVE_EXPIRY);
const LIVE_EXPIRY = Date.now() + 3_600_000;

describe('deliverCallout against a real local receiver', () => {
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await receiver?.close();
    receiver = null;
  });

  test('when the receiver fails, stalls, rate-limits and answers slowly at random, then every callout is delivered exactly once and the logs hold no phone number', async () => {
    receiver = await startReceiver(SECRET, 42, { failBefore: 0.15, failAfter: 0.1, rateLimit: 0.1, slow: 0.1, stallAfterSend: 0.08, slowMs: 30, stallMs: 3000 });
    const { decision, callouts } = fired();
    expect(callouts.length).toBeGreaterThanOrEqual(30);
    const logs: Array<Record<string, unknown>> = [];
    const rng = createRng(7);
    const config: DeliveryConfig = { url: receiver.url, secret: SECRET, timeoutMs: 1000, maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 100 };
    const deps = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms / 10)), random: () => rng.uniform(), log: (e: Record<string, unknown>) => logs.push(e) };
    const outcomes = await Promise.all(callouts.map((c) => deliverCallout(live(c), config, deps)));
    // A worker that crashed after sending re-runs the deliveries of the first five callouts.
    const rerun = await Promise.all(callouts.slice(0, 5).map((c) => deliverCallout(live(c), config, deps)));

    expect([...outcomes, ...rerun].every((o) => o.status === 'delivered')).toBe(true);
    expect(outcomes.some((o) => o.attempts.length > 1)).toBe(true);
    expect(outcomes.flatMap((o) => o.attempts).some((a) => a.outcome === 'timeout')).toBe(true);
    for (const c of callouts) expect(receiver.sent.get(c.id)).toBe(1);
    expect(receiver.sent.size).toBe(callouts.length);
    expect(receiver.rejectedSignatures).toBe(0);
    const serialised = JSON.stringify(logs);
    for (const c of callouts) expect(serialised).not.toContain(phoneOf(c.agentId));
    // masked as everywhere else (API views): the subscriber digits, bar the last two, are gone
    for (const e of logs) {
      expect(e.phone).toBe(maskPhone(phoneOf(String(e.agentId))));
      expect(String(e.phone)).not.toContain(phoneOf(String(e.agentId)).slice(-4));
    }
    // The decision log explains each callout: every delivered id traces back to the fired decision.
    expect(new Set(callouts.map((c) => c.decisionId))).toEqual(new Set([decision.id]));
    expect(decision.explanation).toMatch(/calling \d+/);
    const body = receiver.bodies.get(callouts[0].id) as { phone: string; links: { accept: string }; proposedShift: { start: string } };
    expect(body.phone).toBe(phoneOf(callouts[0].agentId));
    expect(body.proposedShift.start).toBe('2026-03-02T12:15:00+02:00');
    const token = new URL(body.links.accept).searchParams.get('token')!;
    expect(verifyLinkToken(LINK_SECRET, token, T0 + 60_000)).toEqual({ ok: true, claims: { calloutId: callouts[0].id, answer: 'accept', expiresAt: LIVE_EXPIRY } });
  });

  test('when the receiver answers 400, then the callout is dead-lettered at once with the reason', async () => {
    receiver = await startReceiver(SECRET, 1, { failBefore: 0, failAfter: 0, rateLimit: 0, slow: 0, stallAfterSend: 0, slowMs: 0, stallMs: 0 }, 400);
    const [callout] = fired().callouts;
    const outcome = await deliverCallout(live(callout), { url: receiver.url, secret: SECRET, timeoutMs: 2000, maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, { now: Date.now, sleep: async () => {}, random: () => 0.5 });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'HTTP 400: not retryable' });
    expect(outcome.attempts).toHaveLength(1);
  });

  test('when the receiver keeps answering 503, then it retries with growing backoff and dead-letters after the last attempt', async () => {
    receiver = await startReceiver(SECRET, 1, { failBefore: 0, failAfter: 0, rateLimit: 0, slow: 0, stallAfterSend: 0, slowMs: 0, stallMs: 0 }, 503);
    const [callout] = fired().callouts;
    const waits: number[] = [];
    const outcome = await deliverCallout(live(callout), { url: receiver.url, secret: SECRET, timeoutMs: 2000, maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 10_000 }, { now: Date.now, sleep: async (ms) => void waits.push(ms), random: () => 0.999 });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'gave up after 4 attempts; last: HTTP 503' });
    expect(receiver.requests).toBe(4);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeLessThan(waits[1]);
    expect(waits[1]).toBeLessThan(waits[2]);
  });

  test('when nothing listens, then connection failures are retried and end as a dead letter naming the system error', async () => {
    // a port that was just free: nothing listens there
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const outcome = await deliverCallout(live(fired().callouts[0]), { url: `http://127.0.0.1:${port}/sms`, secret: SECRET, timeoutMs: 200, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, { now: Date.now, sleep: async () => {}, random: () => 0 });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'gave up after 3 attempts; last: network (ECONNREFUSED)' });
  });
});

describe('signatures and links', () => {
  test('when the body, the secret or the timestamp is off, then the signature check says which', () => {
    const header = signBody(SECRET, 1_700_000_000, '{"a":1}');
    expect(verifyBodySignature(SECRET, header, '{"a":1}', 1_700_000_010_000)).toEqual({ ok: true, timestampSeconds: 1_700_000_000 });
    expect(verifyBodySignature(SECRET, header, '{"a":2}', 1_700_000_010_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyBodySignature('other', header, '{"a":1}', 1_700_000_010_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyBodySignature(SECRET, header, '{"a":1}', 1_700_001_000_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyBodySignature(SECRET, 'nonsense', '{"a":1}', 0)).toEqual({ ok: false, reason: 'malformed' });
  });

  test('when a link token is tampered with or expired, then it is refused', () => {
    const token = signLinkToken(LINK_SECRET, { calloutId: 'co_1', answer: 'decline', expiresAt: 1000 });
    expect(verifyLinkToken(LINK_SECRET, token, 999)).toMatchObject({ ok: true, claims: { answer: 'decline' } });
    expect(verifyLinkToken(LINK_SECRET, token, 1000)).toEqual({ ok: false, reason: 'expired', calloutId: 'co_1' }); // signed by us: the callout is named
    const forged = signLinkToken('guess', { calloutId: 'co_1', answer: 'accept', expiresAt: 1e15 });
    expect(verifyLinkToken(LINK_SECRET, `${forged.split('.')[0]}.${token.split('.')[1]}`, 0)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyLinkToken(LINK_SECRET, 'a.b.c', 0)).toEqual({ ok: false, reason: 'malformed' });
  });

  test('when a phone is masked, then only the prefix and the last two digits remain', () => {
    expect(maskPhone('+972501234567')).toBe('+97250*****67');
    expect(maskPhone('+15551234567')).toBe('+15551****67');
  });
});

describe('deliverCallout and a throttling gateway', () => {
  const payload = () => payloadOf(fired().callouts[0]);
  const config: DeliveryConfig = { url: 'http://gateway.invalid/sms', secret: SECRET, timeoutMs: 1000, maxAttempts: 4, baseDelayMs: 300, maxDelayMs: 3000 };
  const answers = (...responses: Array<() => Response>) => {
    let k = 0;
    return (async () => responses[Math.min(k++, responses.length - 1)]()) as unknown as typeof fetch;
  };

  test('when the gateway answers 429 with a Retry-After above our backoff ceiling, then the wait is the Retry-After and the next attempt delivers', async () => {
    const slept: number[] = [];
    const outcome = await deliverCallout(payload(), config, {
      fetch: answers(() => new Response('slow down', { status: 429, headers: { 'Retry-After': '10' } }), () => new Response('ok', { status: 200 })),
      now: () => T0, sleep: async (ms) => void slept.push(ms), random: () => 0.5,
    });
    expect(outcome.status).toBe('delivered');
    expect(slept).toEqual([10_000]);
  });

  test('when the gateway asks to come back later than a callout can wait, then it is a dead letter saying so, without waiting', async () => {
    const slept: number[] = [];
    const outcome = await deliverCallout(payload(), config, {
      fetch: answers(() => new Response('come back in an hour', { status: 429, headers: { 'Retry-After': '3600' } })),
      now: () => T0, sleep: async (ms) => void slept.push(ms), random: () => 0.5,
    });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'HTTP 429: the gateway asks to retry after 3600 s, beyond the 5 minutes a callout can wait' });
    expect(outcome.attempts).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  test('when the gateway asks to come back after the message\'s links expire, then it is a dead letter saying so, not an SMS with dead links', async () => {
    const slept: number[] = [];
    const outcome = await deliverCallout(payloadOf(fired().callouts[0], T0 + 60_000), config, {
      fetch: answers(() => new Response('slow down', { status: 429, headers: { 'Retry-After': '70' } }), () => new Response('ok', { status: 200 })),
      now: () => T0, sleep: async (ms) => void slept.push(ms), random: () => 0.5,
    });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: expect.stringMatching(/^HTTP 429: the next attempt \(in 70 s\) would come after the answer window closes/) });
    expect(slept).toEqual([]);
    // a wait that ends inside the window's last 30 s: it would not come after the window, it would leave too little of it
    const margin = await deliverCallout(payloadOf(fired().callouts[0], T0 + 90_000), config, {
      fetch: answers(() => new Response('slow down', { status: 429, headers: { 'Retry-After': '70' } })),
      now: () => T0, sleep: async () => {}, random: () => 0.5,
    });
    expect(margin).toMatchObject({ status: 'dead-letter', reason: expect.stringMatching(/^HTTP 429: the next attempt \(in 70 s\) would leave the agent less than 30 s to answer \(the answer window closes at /) });
    // and an attempt is never started once the window has closed, or with under 30 s of it left
    const late = await deliverCallout(payloadOf(fired().callouts[0], T0), config, { fetch: answers(() => new Response('ok', { status: 200 })), now: () => T0, sleep: async () => {}, random: () => 0.5 });
    expect(late).toMatchObject({ status: 'dead-letter', attempts: [] });
    const almost = await deliverCallout(payloadOf(fired().callouts[0], T0 + 20_000), config, { fetch: answers(() => new Response('ok', { status: 200 })), now: () => T0, sleep: async () => {}, random: () => 0.5 });
    expect(almost).toMatchObject({ status: 'dead-letter', attempts: [], reason: expect.stringMatching(/^less than 30 s of the answer window were left/) });
  });

  test('when the agent opts out while the gateway is failing, then no later attempt is made', async () => {
    let requests = 0;
    let optedOut = false;
    const outcome = await deliverCallout(payload(), config, {
      fetch: (async () => {
        requests++;
        optedOut = true; // the agent opts out while the first attempt fails
        return new Response('down', { status: 503 });
      }) as unknown as typeof fetch,
      now: () => T0, sleep: async () => {}, random: () => 0.5,
      stillToSend: async () => (optedOut ? 'agent a0 opted out of callouts before the gateway took the message' : null),
    });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'agent a0 opted out of callouts before the gateway took the message' });
    expect(requests).toBe(1);
  });

  test('when attempts follow each other quickly, then they are at least a second apart (the signature\'s timestamp differs)', async () => {
    const slept: number[] = [];
    await deliverCallout(payload(), { ...config, baseDelayMs: 10, maxDelayMs: 100 }, { fetch: answers(() => new Response('down', { status: 503 })), now: () => T0, sleep: async (ms) => void slept.push(ms), random: () => 0.5 });
    expect(slept).toEqual([1000, 1000, 1000]);
  });
});

describe('deliverCallout and redirects', () => {
  /** A gateway that answers every request with `status` and Location → the `elsewhere` server, which counts what reaches it. */
  async function redirecting(status: number) {
    const { createServer } = await import('node:http');
    let reachedElsewhere = 0;
    const elsewhere = createServer((_req, res) => {
      reachedElsewhere++;
      res.end('ok');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/evil`;
    const gateway = createServer((_req, res) => {
      // a gateway that puts the message in the query: the reason must not carry the number
      res.writeHead(status, { Location: `${target}?to=%2B447778889906#x` });
      res.end();
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(gateway.address() as { port: number }).port}/sms`,
      target,
      reachedElsewhere: () => reachedElsewhere,
      close: async () => void (await Promise.all([gateway, elsewhere].map((s) => new Promise((r) => s.close(r))))),
    };
  }

  test('when a permanent redirect carries a phone number in its path or host, then the dead letter names the address with the number masked', async () => {
    const { createServer } = await import('node:http');
    for (const location of ['https://gw.example/v2/sms/%2B447778889907', '/sms;to=+447778889908', 'https://447778889909.gw.example/sms', 'https://gw.example/sms/+44 777 888 9910']) {
      const gateway = createServer((_req, res) => {
        res.writeHead(301, { Location: location });
        res.end();
      });
      await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(gateway.address() as { port: number }).port}/sms`;
        const outcome = await deliverCallout(live(fired().callouts[0]), { url, secret: SECRET, timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, { now: Date.now, sleep: async () => {}, random: () => 0.5 });
        const reason = outcome.status === 'dead-letter' ? outcome.reason : '';
        expect({ location, reason }).toEqual({ location, reason: expect.stringContaining('[number]') });
        expect(reason).not.toMatch(/77788899|7778889|888 99/);
      } finally {
        await new Promise((r) => gateway.close(r));
      }
    }
  });

  test('when the gateway redirects, then the body (with its phone number) goes nowhere else: a temporary redirect is retried, a permanent one is a dead letter naming the new address', async () => {
    for (const [status, reason] of [
      [307, /^gave up after 3 attempts; last: HTTP 307$/],
      [302, /^gave up after 3 attempts; last: HTTP 302$/],
      [301, /^HTTP 301: the gateway moved permanently to http:\/\/127\.0\.0\.1:\d+\/evil; redirects are not followed[^?%]*$/],
      [308, /^HTTP 308: the gateway moved permanently/],
    ] as const) {
      const server = await redirecting(status);
      try {
        const outcome = await deliverCallout(live(fired().callouts[0]), { url: server.url, secret: SECRET, timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, { now: Date.now, sleep: async () => {}, random: () => 0.5 });
        expect({ status, outcome: outcome.status, reason: outcome.status === 'dead-letter' ? outcome.reason : '' }).toEqual({ status, outcome: 'dead-letter', reason: expect.stringMatching(reason) });
        expect(server.reachedElsewhere()).toBe(0);
      } finally {
        await server.close();
      }
    }
  });
});
