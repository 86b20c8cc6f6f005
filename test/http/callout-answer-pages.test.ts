/**
 * The pages a cloud agent's phone shows for the SMS's answer links. An agent who had accepted read "This
 * callout is closed" (and took it as cancelled), link trackers' `&utm_source=` turned a link into a 400
 * problem+json, and the pages spoke of ids and reason codes. Callouts are stored directly (no tick), the
 * links signed as the SMS signs them, on a business clock the test sets.
 */
import { Redis } from 'ioredis';
import { signLinkToken } from '../../src/callout/signing';
import { createStore } from '../../src/store/store';
import type { StoredCallout } from '../../src/store/trigger-repository';
import { calloutId } from '../../src/trigger/callouts';
import { initialTriggerState, type Decision } from '../../src/trigger/types';
import { agent, skillGroup } from '../support/examples';
import { KEYS, REDIS_URL, startTestService, type TestService } from '../support/service';

const SECRET = 'webhook-secret-0123456789';
const MIN = 60_000;
const admin = { 'X-API-Key': KEYS.admin };
// Tuesday 31 March 2026, 15:00 UTC: Berlin is on summer time (GMT+2); the group's zone is UTC
const AT = Date.UTC(2026, 2, 31, 15, 0);
const ANSWER_BY = AT + 5 * MIN;
const AGENTS = ['a1', 'a2', 'a3', 'a4'];

describe('the answer link pages on a phone', () => {
  let t: TestService;
  const clock = { t: AT };
  const ids = new Map<string, string>();
  const link = (agentId: string, answer: 'accept' | 'decline', extra = '') =>
    `/callouts/answer?token=${signLinkToken(SECRET, { calloutId: ids.get(agentId)!, answer, expiresAt: ANSWER_BY })}${extra}`;
  const html = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

  beforeAll(async () => {
    t = await startTestService({ WEBHOOK_SECRET: SECRET }, { now: () => clock.t });
    await t.http.post('/skill-groups').set(admin).send([skillGroup({ name: 'Regular banking', timeZone: 'UTC' })]).expect(200);
    const cloud = AGENTS.map((id) => agent({ id, kind: 'cloud', timeZone: 'Europe/Berlin', phone: '+4915112345678', calloutOptIn: true, contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } }));
    await t.http.post('/agents').set(admin).send(cloud).expect(200);
    await t.http.put('/skill-groups/PS/trigger-policy').set(admin).send({ mode: 'predictive', answerWindowMinutes: 5 }).expect(200);
    const waveId = `PS@${AT}`;
    const callout = (agentId: string, wave = waveId): StoredCallout => ({
      id: calloutId(wave, agentId), waveId: wave, decisionId: waveId, agentId, skillGroupId: 'PS', requestedAt: AT, answerBy: ANSWER_BY,
      loginAt: AT + 21 * MIN, shiftEnd: AT + 141 * MIN, status: 'pending', delivery: { state: 'delivered', attempts: 1 },
    });
    // a1 is called twice for the same time (another wave's callout: 'a1+')
    const callouts = [...AGENTS.map((agentId) => callout(agentId)), callout('a1', `${waveId}+`)];
    for (const c of callouts) ids.set(ids.has(c.agentId) ? `${c.agentId}+` : c.agentId, c.id);
    const redis = new Redis(REDIS_URL);
    try {
      const decision = { id: waveId, skillGroupId: 'PS', at: AT, fired: true, waveId } as unknown as Decision;
      const outcome = await createStore(redis, t.prefix).trigger.commitTick([
        { skillGroupId: 'PS', expectedStateRaw: '', state: { ...initialTriggerState('PS'), tickedAt: AT }, decision, updated: [], created: callouts, archived: [], decisionCutoff: 0, recordCutoff: 0 },
      ]);
      expect(outcome.get('PS')).toBe('committed');
    } finally {
      redis.disconnect();
    }
  });
  afterAll(() => t.stop());

  /** What an agent must never read: ids, reason codes, quoted answers, an en dash beside a time or an offset. */
  const plain = (text: string) => {
    expect(text).not.toMatch(/co_[0-9a-f]{6}|bad-signature|malformed|&#34;|[\d)]\s*–|–\s*[\d(]/);
    return text;
  };

  test('when an agent opens an accept link (a tracker added utm_source), then the page names the group, the date, the times on their clock, the time to answer by and that the answer is final, with a big button', async () => {
    const page = await t.http.get(link('a1', 'accept', '&utm_source=sms&fbclid=IwAR0x')).set(html).expect(200);
    expect(page.type).toBe('text/html');
    // a one-tap Accept: no other site frames it, and its address (the token) is not sent on as a Referer
    expect(page.headers).toMatchObject({ 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const text = plain(page.text);
    expect(text).toContain('<html lang="en">');
    expect(text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(text).toMatch(/button\{[^}]*min-height:48px/);
    expect(text).toContain('<title>Accept this callout? – Regular banking callout</title>');
    expect(text).toContain('<body><main><h1>Accept this callout?</h1>');
    expect(text).toContain('</main></body>');
    expect(text).toContain('<strong><bdi>Regular banking</bdi></strong>');
    // the text colour comes with its background (WCAG F24), light only; the focused button shows it
    expect(text).toMatch(/body\{[^}]*color:#1f1f1f;background:#fff/);
    expect(text).toContain(':root{color-scheme:light}');
    expect(text).toContain('<meta name="color-scheme" content="light">');
    expect(text).toContain('button:focus-visible{outline:3px solid #1f1f1f;outline-offset:2px}');
    expect(text).toContain('Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)');
    expect(text).toContain('Please answer by 17:05 (GMT+2).');
    expect(text).toContain('Your answer is final');
    expect(text).toContain('contact your team lead');
    // the button posts the link itself, without what the tracker added
    expect(text).toMatch(/<form method="post" action="\?token=[^"&]+"><button type="submit">Accept<\/button><\/form>/);
    // a client asking for JSON reads the link as before, the extra parameters ignored
    expect((await t.http.get(link('a1', 'accept', '&utm_source=sms')).expect(200)).body).toMatchObject({ calloutId: ids.get('a1'), answer: 'accept', status: 'delivered' });
    // curl -I: the headers GET would answer
    const head = await t.http.head(link('a1', 'accept'));
    expect([head.status, head.type, head.text]).toEqual([200, 'application/json', undefined]);
  });

  test('when an agent accepted, then every later page says they are expected, with the date and times — also once the link expired, and when they try to decline', async () => {
    const taken = await t.http.post(link('a1', 'accept')).set(html).expect(200);
    expect(plain(taken.text)).toContain('<h1>Accepted</h1><p>Thank you. You are expected on Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2), for <bdi>Regular banking</bdi>.</p><p>If you cannot come after all, contact your team lead.</p>');
    const again = await t.http.get(link('a1', 'accept')).set(html).expect(200);
    expect(plain(again.text)).toContain('<h1>Accepted</h1><p>You are expected on Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)');
    expect(again.text).not.toContain('<form');
    const decline = await t.http.post(link('a1', 'decline')).set(html);
    expect([decline.status, decline.type]).toEqual([409, 'text/html']);
    expect(plain(decline.text)).toContain('<h1>Accepted</h1><p>You accepted this callout earlier, so it cannot be declined any more. You are expected on Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)');
    // a client asking for JSON still gets the problem it did
    const json = await t.http.post(link('a1', 'decline'));
    expect([json.status, json.type]).toEqual([409, 'application/problem+json']);
    // the other callout for the same time cannot be accepted too; it stays open (a decline is still taken)
    const twice = await t.http.post(link('a1+', 'accept')).set(html);
    expect(twice.status).toBe(409);
    expect(plain(twice.text)).toContain('<h1>Not taken</h1><p>You already accepted another callout for the same time, so this one was not taken');

    clock.t = ANSWER_BY + MIN;
    try {
      for (const answer of ['accept', 'decline'] as const) {
        const expired = await t.http.get(link('a1', answer)).set(html);
        expect([expired.status, expired.type]).toEqual([409, 'text/html']);
        expect(plain(expired.text)).toContain('<h1>Accepted</h1><p>You are expected on Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)');
      }
      expect((await t.http.get(link('a1', 'accept'))).body.detail).toBe('this link has expired: you accepted it: you are still expected');
    } finally {
      clock.t = AT;
    }
  });

  test('when an agent declined, or never answered, then the page says so in plain words', async () => {
    const declined = await t.http.post(link('a2', 'decline')).set(html).expect(200);
    expect(plain(declined.text)).toContain('<title>Declined – Regular banking callout</title>');
    expect(plain(declined.text)).toContain('<h1>Declined</h1><p>Thank you: we will not count on you this time (<bdi>Regular banking</bdi>, Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)).</p>');
    const accept = await t.http.post(link('a2', 'accept')).set(html);
    expect(accept.status).toBe(409);
    expect(plain(accept.text)).toContain('<h1>Declined</h1><p>You declined this callout earlier, so it cannot be accepted any more');

    clock.t = ANSWER_BY + MIN;
    try {
      const late = await t.http.post(link('a3', 'accept')).set(html);
      expect(late.status).toBe(409);
      expect(plain(late.text)).toContain('<h1>Too late to answer</h1><p>No answer came in time, so this callout went to other agents: you are not expected for it');
    } finally {
      clock.t = AT;
    }
  });

  test('when a link is cut, doubled, emptied or altered, then a phone gets a page saying it does not work; a JSON client the problem it got', async () => {
    const token = signLinkToken(SECRET, { calloutId: ids.get('a4')!, answer: 'accept', expiresAt: ANSWER_BY });
    const broken: Array<[string, number]> = [
      ['/callouts/answer', 400],
      ['/callouts/answer?utm_source=sms', 400],
      [`/callouts/answer?token=${token}&token=${token}`, 400],
      ['/callouts/answer?token=', 403],
      [`/callouts/answer?token=${token.slice(0, -2)}xx`, 403],
      [`/callouts/answer?token=${token.slice(0, 20)}`, 403],
    ];
    for (const [path, status] of broken) {
      for (const method of ['get', 'post'] as const) {
        const page = await t.http[method](path).set(html);
        expect([method, path, page.status, page.type]).toEqual([method, path, status, 'text/html']);
        expect(plain(page.text)).toContain('<title>This link does not work – Callout answer</title>');
        expect(plain(page.text)).toContain('<main><h1>This link does not work</h1><p>This link is incomplete or was changed on its way to you.');
        const json = await t.http[method](path);
        expect([method, path, json.status, json.type]).toEqual([method, path, status, 'application/problem+json']);
      }
    }
    // the link still works as sent: nothing was answered by the broken ones
    expect((await t.http.get(`/callouts/answer?token=${token}`).expect(200)).body.status).toBe('delivered');
  });
});
