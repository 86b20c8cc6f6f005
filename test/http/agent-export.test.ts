/**
 * Right of access (GDPR art. 15): one agent's data as one document — GET /agents/{id}/export for admins
 * and planners, GET /me/export for a cloud agent with their claim token — and the callouts listing
 * filtered by agent, paging with the filter kept.
 */
import type { Response } from 'supertest';
import type { AssignedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import type { StoredCallout } from '../../src/store/trigger-repository';
import { calloutId } from '../../src/trigger/callouts';
import { initialTriggerState, type Decision } from '../../src/trigger/types';
import { agent } from '../support/examples';
import { KEYS, startTestService, type TestService } from '../support/service';
import { CLAIM_SECRET, GROUPS, storeFor } from './rosters-fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** the service's clock: Thursday noon (UTC) of the roster's week */
const NOW = Date.parse('2030-01-10T12:00:00Z');
const AT = NOW - 2 * HOUR;
const WEEK_START = Date.parse('2030-01-07T00:00:00Z');
const BERLIN = 'Europe/Berlin';
const PHONE = '+4915112345678';

const cloudContract = { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
const shift = (id: string, agentId: string, startIso: string): AssignedShift => {
  const start = Date.parse(startIso);
  return { id, agentId, skillGroupId: 'PS', templateId: 'day', kind: 'day', date: startIso.slice(0, 10), start, end: start + 8 * HOUR, breaks: [{ kind: 'meal', start: start + 4 * HOUR, end: start + 4.5 * HOUR }] };
};
const slot: CloudSlot = { id: 'fri', skillGroupId: 'PS', date: '2030-01-11', start: Date.parse('2030-01-11T08:00:00Z'), end: Date.parse('2030-01-11T16:00:00Z'), templateId: 'day', kind: 'day', agentsNeeded: 2, shiftIds: [] };

describe('an agent\'s data as one document (right of access)', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  let token = '';
  /** callouts by name: C000's own, one made to an earlier agent given the id C000, C001's */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET, WEBHOOK_SECRET: 'webhook-secret-0123456789' }, { now: () => NOW });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send([
      agent({ id: 'C000', name: 'Cloud Zero', kind: 'cloud', timeZone: BERLIN, phone: PHONE, calloutOptIn: true, contract: cloudContract }),
      agent({ id: 'C001', name: 'Cloud One', kind: 'cloud', timeZone: BERLIN, phone: '+4915187654321', calloutOptIn: true, contract: cloudContract }),
      agent({ id: 'P1', name: 'Partner One', timeZone: 'Asia/Jerusalem', phone: '+972501234567' }),
      agent({ id: 'P2', name: 'Partner Two', timeZone: 'Asia/Jerusalem' }),
    ]).expect(200);
    await t.http.put('/skill-groups/PS/trigger-policy').set(admin).send({ mode: 'predictive' }).expect(200);
    // the feed reset once: version 1
    await t.http.post('/agents/C000/calendar-feed/reset').set(planner).expect(200);
    token = (await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body.token;

    const { store, close } = storeFor(t.prefix);
    try {
      const period = { from: '2030-01-07', days: 7, timeZone: 'Asia/Jerusalem', startMs: WEEK_START, endMs: WEEK_START + 7 * DAY };
      const draft = (id: string, createdAt: number, shifts: AssignedShift[], extra: { replanOf?: string; slots?: CloudSlot[]; details?: Record<string, unknown> } = {}) =>
        store.rosters.saveDraft({
          meta: { id, createdAt: new Date(createdAt).toISOString(), period, skillGroupIds: ['PS'], request: {}, summary: {}, details: extra.details ?? {}, ...(extra.replanOf ? { replanOf: extra.replanOf } : {}) },
          shifts,
          uncovered: [],
          coverage: [],
          slots: extra.slots ?? [],
        });
      // P1 works on the published week and on its re-plan (a draft); another roster holds only P2
      await draft('week', NOW - 3 * DAY, [shift('s1', 'P1', '2030-01-08T06:00:00Z'), shift('s2', 'P2', '2030-01-08T06:00:00Z')], { slots: [slot] });
      expect(await store.rosters.publish('week', new Date(NOW - 3 * DAY).toISOString())).toMatchObject({ ok: true });
      // the re-plan was made around P2 falling ill: it holds no shift of P2's, only the absence
      await draft('week-r', NOW - DAY, [shift('s1', 'P1', '2030-01-09T06:00:00Z')], { replanOf: 'week', details: { absences: [{ agentId: 'P2', dates: ['2030-01-08'] }] } });
      await draft('other', NOW - 2 * DAY, [shift('s9', 'P2', '2030-01-08T06:00:00Z')]);
      const limits = { minRestMs: 11 * HOUR, maxHoursPerWeek: 30, weekStartMs: WEEK_START, weekEndMs: WEEK_START + 7 * DAY };
      expect(await store.rosters.claim('week', 'fri', 'C000', limits, NOW)).toMatchObject({ ok: true });

      const incarnation = (await store.agents.getWithIncarnation('C000'))!.incarnation!;
      const waveId = `PS@${AT}`;
      const callout = (name: string, agentId: string, inc: string, requestedAt: number, extra: Partial<StoredCallout> = {}): StoredCallout => {
        const id = calloutId(waveId, agentId, inc, `${waveId}:${name}`);
        ids[name] = id;
        return { id, waveId, decisionId: waveId, agentId, agentIncarnation: inc, skillGroupId: 'PS', requestedAt, answerBy: requestedAt + 5 * MIN, loginAt: requestedAt + 20 * MIN, shiftEnd: requestedAt + 140 * MIN, status: 'pending', delivery: { state: 'delivered', attempts: 1, at: requestedAt + MIN }, ...extra };
      };
      const created = [
        callout('accepted', 'C000', incarnation, AT, { status: 'accepted', answeredVia: 'link', respondedAt: AT + 2 * MIN, releasedAt: AT + 60 * MIN, releaseDelivery: { state: 'delivered', attempts: 1, at: AT + 61 * MIN } }),
        callout('dead', 'C000', incarnation, AT - 30 * MIN, { status: 'dead-letter', delivery: { state: 'dead-letter', attempts: 6, at: AT - 20 * MIN, reason: 'gave up after 6 attempts; last: HTTP 503' } }),
        callout('earlier-person', 'C000', 'an-earlier-incarnation', AT - 60 * MIN, { status: 'dead-letter', delivery: { state: 'dead-letter', attempts: 1, reason: 'gateway said 400' } }),
        callout('other-agent', 'C001', (await store.agents.getWithIncarnation('C001'))!.incarnation!, AT - 10 * MIN),
      ];
      const decision = { id: waveId, skillGroupId: 'PS', at: AT, fired: true, waveId } as unknown as Decision;
      const outcome = await store.trigger.commitTick([{ skillGroupId: 'PS', expectedStateRaw: '', state: { ...initialTriggerState('PS'), tickedAt: AT }, decision, updated: [], created, archived: [], decisionCutoff: 0, recordCutoff: 0 }]);
      expect(outcome.get('PS')).toBe('committed');
      await store.redis.hset(store.keys.triggerResponses('PS'), 'accepted', 9, 'refused', 4, 'agent:C000:accepted', 3, 'agent:C000:refused', 1, 'agent:C001:accepted', 5);
      await store.redis.hset(store.keys.triggerLastCalled(), 'C000', AT, 'C001', AT - 10 * MIN);
      for (const [name, agentId] of [['dead', 'C000'], ['earlier-person', 'C000'], ['other-agent', 'C001']]) {
        await store.redis.lpush(store.keys.triggerDeadLetters(), JSON.stringify({ calloutId: ids[name], agentId, skillGroupId: 'PS', waveId, reason: `${name} not taken`, attempts: 6, at: AT - 20 * MIN }));
      }
    } finally {
      close();
    }
  });
  afterAll(() => t.stop());

  test('when an admin exports a cloud agent, then the document holds their profile with the phone, their claims, their callouts and dead letters on their clock, the trigger\'s memory of them and their credentials\' state — nobody else\'s', async () => {
    const res = await t.http.get('/agents/C000/export').set(admin).expect(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const doc = res.body;
    expect(doc).toMatchObject({ agentId: 'C000', generatedAt: '2030-01-10T13:00:00+01:00', profile: { id: 'C000', name: 'Cloud Zero', phone: PHONE, kind: 'cloud' } });
    expect(doc.rosters).toEqual([]);
    expect(doc.claims).toEqual([{ rosterId: 'week', slotId: 'fri', skillGroupId: 'PS', start: '2030-01-11T10:00:00+02:00', end: '2030-01-11T18:00:00+02:00' }]);
    // newest first; the earlier person's callout under the same id and C001's are not this agent's data
    expect(doc.callouts.map((c: { id: string }) => c.id)).toEqual([ids.accepted, ids.dead]);
    expect(doc.callouts[0]).toEqual({
      id: ids.accepted,
      decisionId: `PS@${AT}`,
      waveId: `PS@${AT}`,
      skillGroupId: 'PS',
      requestedAt: '2030-01-10T11:00:00+01:00',
      loginAt: '2030-01-10T11:20:00+01:00',
      shiftEnd: '2030-01-10T13:20:00+01:00',
      answerBy: '2030-01-10T11:05:00+01:00',
      status: 'accepted',
      answer: 'accept',
      answeredVia: 'link',
      respondedAt: '2030-01-10T11:02:00+01:00',
      released: true,
      releasedAt: '2030-01-10T12:00:00+01:00',
      delivery: { state: 'delivered', attempts: 1, at: '2030-01-10T11:01:00+01:00' },
      releaseDelivery: { state: 'delivered', attempts: 1, at: '2030-01-10T12:01:00+01:00' },
    });
    expect(doc.callouts[1]).toMatchObject({ status: 'dead-letter', answer: null, released: false, delivery: { state: 'dead-letter', attempts: 6, reason: 'gave up after 6 attempts; last: HTTP 503' } });
    expect(doc.deadLetters).toEqual([{ calloutId: ids.dead, skillGroupId: 'PS', waveId: `PS@${AT}`, reason: 'dead not taken', attempts: 6, at: '2030-01-10T10:40:00+01:00' }]);
    expect(doc.trigger).toEqual({ lastCalledAt: '2030-01-10T11:00:00+01:00', responses: [{ skillGroupId: 'PS', accepted: 3, refused: 1, acceptance: 4 / 6 }] });
    expect(doc.calendarFeed).toEqual({ version: 1 });
    expect(doc.claimToken).toEqual({ stored: false });
    // no credential in it: neither the claim token nor the feed address
    const feedUrl = (await t.http.get('/agents/C000/calendar-feed').set(planner).expect(200)).body.url as string;
    expect(res.text).not.toContain(token);
    expect(res.text).not.toContain(new URL(feedUrl).searchParams.get('token')!);
  });

  test('when a planner exports an agent, then the phone is masked as elsewhere; an ingest key is refused, and an unknown agent is a 404', async () => {
    const doc = (await t.http.get('/agents/C000/export').set(planner).expect(200)).body;
    expect(doc.profile.phone).toBe((await t.http.get('/agents/C000').set(planner).expect(200)).body.phone);
    expect(doc.profile.phone).not.toBe(PHONE);
    expect(doc.callouts).toHaveLength(2);
    await t.http.get('/agents/C000/export').set({ 'X-API-Key': KEYS.ingest }).expect(403);
    await t.http.get('/agents/C000/export').expect(401);
    await t.http.get('/agents/NOBODY/export').set(admin).expect(404);
  });

  test('when a partner is exported, then their shifts on every roster holding them are listed — published and re-plan drafts — with the roster\'s id, status and clock', async () => {
    const doc = (await t.http.get('/agents/P1/export').set(admin).expect(200)).body;
    expect(doc.profile.phone).toBe('+972501234567');
    expect(doc.rosters).toEqual([
      {
        rosterId: 'week',
        status: 'published',
        createdAt: new Date(NOW - 3 * DAY).toISOString(),
        publishedAt: new Date(NOW - 3 * DAY).toISOString(),
        period: { from: '2030-01-07', days: 7, timeZone: 'Asia/Jerusalem' },
        absences: [],
        shifts: [{ id: 's1', skillGroupId: 'PS', date: '2030-01-08', start: '2030-01-08T08:00:00+02:00', end: '2030-01-08T16:00:00+02:00', kind: 'day', templateId: 'day', breaks: [{ kind: 'meal', start: '2030-01-08T12:00:00+02:00', end: '2030-01-08T12:30:00+02:00' }] }],
      },
      expect.objectContaining({ rosterId: 'week-r', status: 'draft', replanOf: 'week', shifts: [expect.objectContaining({ start: '2030-01-09T08:00:00+02:00' })] }),
    ]);
    expect(doc).toMatchObject({ claims: [], callouts: [], deadLetters: [], trigger: { lastCalledAt: null, responses: [] }, calendarFeed: { version: 0 } });
  });

  test('when a roster was re-planned around an agent\'s absence, then their export lists it with the dates, though it holds no shift of theirs', async () => {
    const doc = (await t.http.get('/agents/P2/export').set(admin).expect(200)).body;
    expect(doc.rosters.map((r: { rosterId: string }) => r.rosterId).sort()).toEqual(['other', 'week', 'week-r']);
    expect(doc.rosters.find((r: { rosterId: string }) => r.rosterId === 'week-r')).toMatchObject({ absences: ['2030-01-08'], shifts: [] });
  });

  test('when a cloud agent asks with their claim token, then they get the same document with their phone in full and their token\'s expiry; without it, 401', async () => {
    const own = await t.http.get('/me/export').set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(own.headers['cache-control']).toContain('no-store');
    const byAdmin = (await t.http.get('/agents/C000/export').set(admin).expect(200)).body;
    expect({ ...own.body, claimToken: undefined }).toEqual({ ...byAdmin, claimToken: undefined });
    expect(own.body.profile.phone).toBe(PHONE);
    expect(own.body.claimToken).toEqual({ stored: false, presentedExpiresAt: '2030-01-24T13:00:00+01:00' });
    expect(own.text).not.toContain(token);
    await t.http.get('/me/export').expect(401);
    await t.http.get('/me/export').set(planner).expect(401);
  });

  test('when callouts are listed for one agent, then only theirs come, a page at a time, and the next page\'s Link keeps the filter', async () => {
    const seen: Array<{ id: string; agentId: string; agentDeleted?: true }> = [];
    let next: string | undefined = `/trigger/callouts?agentId=C000&limit=1&from=${encodeURIComponent(new Date(AT - DAY).toISOString())}`;
    for (let pages = 0; next && pages < 10; pages++) {
      const res: Response = await t.http.get(next).set(planner).expect(200);
      seen.push(...res.body);
      next = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
      if (next) expect(new URL(next, 'http://x').searchParams.get('agentId')).toBe('C000');
    }
    expect(seen.map((c) => c.id)).toEqual([ids.accepted, ids.dead, ids['earlier-person']]);
    expect(seen.every((c) => c.agentId === 'C000')).toBe(true);
    // the earlier agent's callout is listed as such (records are ids only), not as this agent's
    expect(seen[2].agentDeleted).toBe(true);
    // without the filter every callout is there
    expect((await t.http.get(`/trigger/callouts?from=${encodeURIComponent(new Date(AT - DAY).toISOString())}`).set(planner).expect(200)).body).toHaveLength(4);
  });
});
