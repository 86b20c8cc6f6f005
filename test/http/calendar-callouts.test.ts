/**
 * An accepted callout in the agent's calendar: the secret feed address a phone subscribes to
 * (/calendar.ics?token=…) shows the callouts the agent accepted beside their roster shifts — from their
 * login to the end of the shift, or to their release — and no other callout. Callouts are stored
 * directly (no tick), on a business clock the test sets.
 */
import { Redis } from 'ioredis';
import { createStore } from '../../src/store/store';
import type { StoredCallout } from '../../src/store/trigger-repository';
import { calloutId } from '../../src/trigger/callouts';
import { initialTriggerState, type Decision } from '../../src/trigger/types';
import { agent, skillGroup } from '../support/examples';
import { KEYS, REDIS_URL, startTestService, type TestService } from '../support/service';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const admin = { 'X-API-Key': KEYS.admin };
// Tuesday 31 March 2026, 15:00 UTC (17:00 in Berlin)
const AT = Date.UTC(2026, 2, 31, 15, 0);

/** The events of a feed, unfolded, by UID. */
function events(ics: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const block of ics.replace(/\r\n /g, '').split('BEGIN:VEVENT\r\n').slice(1)) {
    const props = Object.fromEntries(block.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
    out.set(props.UID, props);
  }
  return out;
}
const icalUtc = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

describe("accepted callouts in the agent's calendar feed", () => {
  let t: TestService;
  const clock = { t: AT };
  let c1Incarnation = '';
  const stored: Record<string, StoredCallout> = {};

  async function commit(callouts: StoredCallout[], at: number): Promise<void> {
    const redis = new Redis(REDIS_URL);
    try {
      const store = createStore(redis, t.prefix);
      const waveId = `PS@${at}`;
      const decision = { id: waveId, skillGroupId: 'PS', at, fired: true, waveId } as unknown as Decision;
      const expectedStateRaw = (await store.trigger.states()).get('PS')?.raw ?? '';
      const outcome = await store.trigger.commitTick([
        { skillGroupId: 'PS', expectedStateRaw, state: { ...initialTriggerState('PS'), tickedAt: at }, decision, updated: [], created: callouts, archived: [], decisionCutoff: 0, recordCutoff: 0 },
      ]);
      expect(outcome.get('PS')).toBe('committed');
    } finally {
      redis.disconnect();
    }
  }

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: 'claim-secret-0123456789abcdef', PUBLIC_BASE_URL: 'https://wfm.example.com' }, { now: () => clock.t });
    await t.http.post('/skill-groups').set(admin).send([skillGroup({ name: 'Regular banking', timeZone: 'UTC' })]).expect(200);
    const contract = { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
    const cloud = ['c1', 'c2'].map((id) => agent({ id, kind: 'cloud', timeZone: 'Europe/Berlin', phone: '+4915112345678', calloutOptIn: true, contract }));
    await t.http.post('/agents').set(admin).send(cloud).expect(200);
    await t.http.put('/skill-groups/PS/trigger-policy').set(admin).send({ mode: 'predictive', answerWindowMinutes: 5 }).expect(200);
    const redis = new Redis(REDIS_URL);
    try {
      c1Incarnation = (await createStore(redis, t.prefix).agents.getWithIncarnation('c1'))!.incarnation ?? '';
    } finally {
      redis.disconnect();
    }
    // one callout per case, each its own wave; `day` days before AT
    const callout = (name: string, agentId: string, day: number, fields: Partial<StoredCallout>): StoredCallout => {
      const requestedAt = AT - day * DAY;
      const c: StoredCallout = {
        id: calloutId(`PS@${requestedAt}#${name}`, agentId), waveId: `PS@${requestedAt}#${name}`, decisionId: `PS@${requestedAt}`, agentId, skillGroupId: 'PS',
        requestedAt, answerBy: requestedAt + 5 * MIN, loginAt: requestedAt + 21 * MIN, shiftEnd: requestedAt + 141 * MIN,
        status: 'accepted', respondedAt: requestedAt + 2 * MIN, agentIncarnation: c1Incarnation, delivery: { state: 'delivered', attempts: 1 }, ...fields,
      };
      stored[name] = c;
      return c;
    };
    const days: Array<[number, StoredCallout[]]> = [
      [3, [callout('releasedOnThePhone', 'c1', 3, {}), callout('releasedBeforeLogin', 'c1', 3.5, {})]],
      [2, [callout('declined', 'c1', 2, { status: 'declined' }), callout('unanswered', 'c1', 2.2, { status: 'expired', respondedAt: undefined })]],
      [1, [callout('earlierIncarnation', 'c1', 1, { agentIncarnation: 'the-agent-deleted-before' }), callout('someoneElse', 'c2', 1.1, { agentIncarnation: undefined })]],
      [0, [callout('accepted', 'c1', 0, {}), callout('pending', 'c1', 0.1, { status: 'pending', respondedAt: undefined })]],
    ];
    for (const [, list] of days) await commit(list, Math.max(...list.map((c) => c.requestedAt)));
    // the tick's releases, as the store records them: one an hour after login, one before it
    const redis2 = new Redis(REDIS_URL);
    try {
      const store = createStore(redis2, t.prefix);
      for (const [name, releasedAt] of [['releasedOnThePhone', stored.releasedOnThePhone.loginAt + 60 * MIN], ['releasedBeforeLogin', stored.releasedBeforeLogin.loginAt - 5 * MIN]] as const) {
        await store.trigger.updateCallout(stored[name].id, (c) => ({ next: { ...c, releasedAt } }));
        stored[name] = { ...stored[name], releasedAt };
      }
    } finally {
      redis2.disconnect();
    }
  });
  afterAll(() => t.stop());

  const feedOf = async (agentId: string) => {
    const address = (await t.http.get(`/agents/${agentId}/calendar-feed`).set(admin).expect(200)).body as { url: string };
    const url = new URL(address.url);
    return (await t.http.get(`${url.pathname}${url.search}`).expect(200)).text;
  };
  const uid = (name: string) => `${stored[name].id}.${stored[name].agentId}@${t.prefix}.wfm.example.com`;

  test('when the agent accepted callouts, then their feed holds those they are (or were) expected for, login to shift end or release, with the group name', async () => {
    const feed = await feedOf('c1');
    const found = events(feed);
    expect([...found.keys()].sort()).toEqual([uid('accepted'), uid('releasedOnThePhone')].sort());
    expect(found.get(uid('accepted'))).toMatchObject({
      DTSTART: icalUtc(stored.accepted.loginAt),
      DTEND: icalUtc(stored.accepted.shiftEnd),
      DTSTAMP: icalUtc(stored.accepted.respondedAt!),
      SUMMARY: 'Callout · Regular banking',
      DESCRIPTION: 'Callout you accepted.',
    });
    // released an hour into the shift: the event ends there (it did happen: they came and worked)
    expect(found.get(uid('releasedOnThePhone'))).toMatchObject({
      DTSTART: icalUtc(stored.releasedOnThePhone.loginAt),
      DTEND: icalUtc(stored.releasedOnThePhone.releasedAt!),
      DTSTAMP: icalUtc(stored.releasedOnThePhone.releasedAt!),
      DESCRIPTION: 'Callout you accepted. Released at 17:21 (Europe/Berlin): the surge passed.',
    });
    expect(feed.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(feed.endsWith('END:VCALENDAR\r\n')).toBe(true);
    // no shift published: the empty calendar's component stays beside the events (still one VCALENDAR)
    expect(feed.match(/BEGIN:VCALENDAR/g)).toHaveLength(1);

    // polled again later: the same bytes (DTSTAMP is the callout's, not the request's)
    clock.t = AT + 3 * MIN;
    try {
      expect(await feedOf('c1')).toBe(feed);
    } finally {
      clock.t = AT;
    }
  });

  test('when a callout is another agent\'s, then it is in their feed only; an agent never called has none', async () => {
    // stored before incarnations were kept (none named): the agent under the id is the one called
    expect([...events(await feedOf('c2')).keys()]).toEqual([uid('someoneElse')]);
    await t.http.post('/agents').set(admin).send([agent({ id: 'c3', kind: 'cloud', timeZone: 'UTC', phone: '+4915112345679', calloutOptIn: true, contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } })]).expect(200);
    const empty = await feedOf('c3');
    expect([...events(empty).keys()]).toEqual([]);
    expect(empty).toContain('BEGIN:VTIMEZONE\r\nTZID:UTC\r\n');
  });

  test('when the read is bounded, then it reads newest first and says when older callouts were left', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const trigger = createStore(redis, t.prefix).trigger;
      const all = await trigger.calloutsOfAgentIn('c1', ['PS'], AT - 35 * DAY, AT + DAY, 1000);
      expect(all.complete).toBe(true);
      expect(all.callouts.map((c) => c.id)).toEqual(['accepted', 'pending', 'earlierIncarnation', 'declined', 'unanswered', 'releasedOnThePhone', 'releasedBeforeLogin'].map((n) => stored[n].id));
      // four callouts read, of anyone's (c2's among them): the agent's newest three, and a note that more were left
      const bounded = await trigger.calloutsOfAgentIn('c1', ['PS'], AT - 35 * DAY, AT + DAY, 4);
      expect({ ids: bounded.callouts.map((c) => c.id), complete: bounded.complete }).toEqual({ ids: ['accepted', 'pending', 'earlierIncarnation'].map((n) => stored[n].id), complete: false });
      // the window bounds the read too: three days back finds the newest five
      expect((await trigger.calloutsOfAgentIn('c1', ['PS'], AT - 3 * DAY + 1, AT + DAY, 1000)).callouts).toHaveLength(5);
      // an agent never called costs no scan: nothing remembered of them
      expect(await trigger.calloutsOfAgentIn('c3', ['PS'], AT - 35 * DAY, AT + DAY, 1000)).toEqual({ callouts: [], complete: true });
    } finally {
      redis.disconnect();
    }
  });
});
