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

function payloadOf(callout: ReturnType<typeof fired>['callouts'][number]) {
  return buildPayload(callout, phoneOf(callout.agentId), {
    answerBaseUrl: 'https://wfm.example/callouts/answer', linkSecret: LINK_SECRET, linkValidMinutes: 5, timeZone: 'Asia/Jerusalem', skillGroupName: 'Private service', now: T0,
  });
}

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
    const outcomes = await Promise.all(callouts.map((c) => deliverCallout(payloadOf(c), config, deps)));
    // A worker that crashed after sending re-runs the deliveries of the first five callouts.
    const rerun = await Promise.all(callouts.slice(0, 5).map((c) => deliverCallout(payloadOf(c), config, deps)));

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
    expect(verifyLinkToken(LINK_SECRET, token, T0 + 60_000)).toEqual({ ok: true, claims: { calloutId: callouts[0].id, answer: 'accept', expiresAt: T0 + 5 * 60_000 } });
  });

  test('when the receiver answers 400, then the callout is dead-lettered at once with the reason', async () => {
    receiver = await startReceiver(SECRET, 1, { failBefore: 0, failAfter: 0, rateLimit: 0, slow: 0, stallAfterSend: 0, slowMs: 0, stallMs: 0 }, 400);
    const [callout] = fired().callouts;
    const outcome = await deliverCallout(payloadOf(callout), { url: receiver.url, secret: SECRET, timeoutMs: 2000, maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, { now: Date.now, sleep: async () => {}, random: () => 0.5 });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'HTTP 400: not retryable' });
    expect(outcome.attempts).toHaveLength(1);
  });

  test('when the receiver keeps answering 503, then it retries with growing backoff and dead-letters after the last attempt', async () => {
    receiver = await startReceiver(SECRET, 1, { failBefore: 0, failAfter: 0, rateLimit: 0, slow: 0, stallAfterSend: 0, slowMs: 0, stallMs: 0 }, 503);
    const [callout] = fired().callouts;
    const waits: number[] = [];
    const outcome = await deliverCallout(payloadOf(callout), { url: receiver.url, secret: SECRET, timeoutMs: 2000, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 }, { now: Date.now, sleep: async (ms) => void waits.push(ms), random: () => 0.999 });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'gave up after 4 attempts; last: HTTP 503' });
    expect(receiver.requests).toBe(4);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeLessThan(waits[1]);
    expect(waits[1]).toBeLessThan(waits[2]);
  });

  test('when nothing listens, then connection failures are retried and end as a dead letter', async () => {
    const outcome = await deliverCallout(payloadOf(fired().callouts[0]), { url: 'http://127.0.0.1:1/sms', secret: SECRET, timeoutMs: 200, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, { now: Date.now, sleep: async () => {}, random: () => 0 });
    expect(outcome).toMatchObject({ status: 'dead-letter', reason: 'gave up after 3 attempts; last: network' });
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
    expect(verifyLinkToken(LINK_SECRET, token, 1000)).toEqual({ ok: false, reason: 'expired' });
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
});
