import { DateTime } from 'luxon';
import { startTestService, KEYS, type TestService } from '../support/service';
import { signClaimToken } from '../../src/services/claim-tokens';
import type { CloudSlot } from '../../src/roster/assignment';
import { CLAIM_SECRET, cloudAgents, GROUPS, partners, storeFor, ZONE } from './rosters-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('cloud agents claiming slots over REST', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const cloud = cloudAgents(100);
  const tokens = new Map<string, string>();
  const as = (agentId: string) => ({ Authorization: `Bearer ${tokens.get(agentId)}` });
  // whole hours from now, so the release cut-off (24 h) is clearly before or after
  const base = Math.ceil(Date.now() / HOUR) * HOUR;
  const slot = (id: string, skillGroupId: string, startsIn: number, hours: number, agentsNeeded: number): CloudSlot => ({
    id, skillGroupId, date: new Date(base + startsIn).toISOString().slice(0, 10), start: base + startsIn, end: base + startsIn + hours * HOUR, templateId: 'day', kind: 'day', agentsNeeded, shiftIds: [],
  });
  const crowded = slot('crowded', 'PS', 3 * DAY, 8, 10);
  const soon = slot('soon', 'PS', 2 * HOUR, 4, 2);
  const overlapping = slot('overlapping', 'PS', 3 * DAY + 4 * HOUR, 8, 5);
  const restless = slot('restless', 'PS', 3 * DAY + 10 * HOUR, 8, 5);
  const later = slot('later', 'PS', 5 * DAY, 8, 5);
  const extra = slot('extra', 'PS', 1 * DAY, 8, 5);
  const stock = slot('stock', 'NE', 6 * DAY, 8, 5);

  async function seedRoster(id: string, slots: CloudSlot[], timeZone = 'UTC', startsIn = 0) {
    const { store, close } = storeFor(t.prefix);
    try {
      const from = new Date(base + startsIn).toISOString().slice(0, 10);
      await store.rosters.saveDraft({
        meta: { id, createdAt: new Date().toISOString(), period: { from, days: 7, timeZone, startMs: Date.parse(`${from}T00:00:00Z`), endMs: Date.parse(`${from}T00:00:00Z`) + 8 * DAY }, skillGroupIds: ['PS', 'NE'], request: {}, summary: {}, details: {} },
        shifts: [],
        uncovered: [],
        coverage: [],
        slots,
      });
    } finally {
      close();
    }
  }

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send([...partners(), ...cloud]).expect(200);
    for (const a of cloud) tokens.set(a.id, (await t.http.post(`/agents/${a.id}/claim-token`).set(planner).send({}).expect(201)).body.token);
    await seedRoster('week', [crowded, soon, overlapping, restless, later, extra, stock]);
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a planner issues claim tokens, then only cloud agents get one and only planners may issue them', async () => {
    const issued = (await t.http.post('/agents/C001/claim-token').set(planner).send({ validDays: 2 }).expect(201)).body;
    expect(issued.agentId).toBe('C001');
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(2 * DAY - 60_000);
    const partner = await t.http.post('/agents/P1/claim-token').set(planner).send({});
    expect(partner.status).toBe(422);
    expect(partner.body.errors[0]).toMatchObject({ where: '/path/agentId', message: expect.stringMatching(/cloud agent/) });
    await t.http.post('/agents/nobody/claim-token').set(planner).send({}).expect(404);
    await t.http.post('/agents/C001/claim-token').set({ 'X-API-Key': KEYS.ingest }).send({}).expect(403);
  });

  test('when the token is missing, forged or expired, then the self-service routes answer 401; an API key is no agent token', async () => {
    await t.http.get('/me/slots').expect(401);
    await t.http.get('/me/slots').set({ Authorization: `Bearer ${tokens.get('C000')}x` }).expect(401);
    await t.http.get('/me/slots').set({ Authorization: `Bearer ${signClaimToken('another-secret-0123456789', { agentId: 'C000', expiresAt: Date.now() + DAY })}` }).expect(401);
    const expired = await t.http.get('/me/slots').set({ Authorization: `Bearer ${signClaimToken(CLAIM_SECRET, { agentId: 'C000', expiresAt: Date.now() - 1 })}` });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired/);
    await t.http.get('/me/slots').set({ Authorization: `Bearer ${KEYS.admin}` }).expect(401);
    // a token has one spelling: padding, stray characters or the last character's spare bits changed are not it
    const token = tokens.get('C000')!;
    const last = token[token.length - 1];
    const spareBits = token.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) ^ 1);
    for (const variant of [`${token}==`, `${token}!!`, spareBits]) await t.http.get('/me/slots').set({ Authorization: `Bearer ${variant}` }).expect(401);
    await t.http.get('/me/slots').set({ Authorization: `Bearer ${token}` }).expect(200);
  });

  test('when a self-service request breaks the contract (unknown query parameter, an id too long), then it is a 400 naming the parameter, as on every other route', async () => {
    const unknown = await t.http.get('/me/slots?bogus=1').set(as('C000'));
    expect(unknown.status).toBe(400);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body.type).toMatch(/bad-request$/);
    expect(unknown.body.errors.map((e: { where: string }) => e.where)).toEqual(['/query/bogus']);
    const long = await t.http.post(`/me/claims/${'r'.repeat(100)}/slot-1`).set(as('C000'));
    expect(long.status).toBe(400);
    expect(long.body.errors.map((e: { where: string }) => e.where)).toEqual(['/path/rosterId']);
  });

  test('when the roster is a draft, then its slots are not offered and cannot be claimed; once published they are', async () => {
    expect((await t.http.get('/me/slots').set(as('C000')).expect(200)).body).toEqual([]);
    const early = await t.http.post(`/me/claims/week/${later.id}`).set(as('C000'));
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/not published/);
    // before any rule that would describe a draft's slot (here: a skill the agent lacks)
    const unskilled = await t.http.post(`/me/claims/week/${stock.id}`).set(as('C000'));
    expect([unskilled.status, unskilled.body.detail]).toEqual([409, 'the roster is not published: its slots open when a planner publishes it']);
    await t.http.post('/rosters/week/publish').set(planner).expect(200);
    const offered = (await t.http.get('/me/slots').set(as('C000')).expect(200)).body;
    // PS only: the agent has no NE skill
    expect(offered.map((s: { slotId: string }) => s.slotId)).toEqual(['soon', 'extra', 'crowded', 'overlapping', 'restless', 'later']);
    expect(offered[2]).toMatchObject({ rosterId: 'week', skillGroupId: 'PS', agentsNeeded: 10, claimed: 0, claimedByMe: false });
    // a slot starting within the release cut-off (24 h) binds on claim: the app can warn before the tap
    const [soonOffered, extraOffered] = offered as Array<{ releasableUntil: string; bindingOnClaim: boolean }>;
    expect([Date.parse(soonOffered.releasableUntil), soonOffered.bindingOnClaim]).toEqual([soon.start - DAY, true]);
    expect([Date.parse(extraOffered.releasableUntil), extraOffered.bindingOnClaim]).toEqual([extra.start - DAY, false]);
  });

  test('when a night slot runs into a day off (on the roster\'s clock), then it is not offered and a claim of it is refused, as for partners; across rosters the slots come soonest first', async () => {
    // a second roster, after the Berlin one of the test below, published: a night slot 22:00–06:00 whose morning is the agent's day off
    const nightStart = Date.parse(`${new Date(base + 19 * DAY).toISOString().slice(0, 10)}T22:00:00Z`);
    const night: CloudSlot = { id: 'night', skillGroupId: 'PS', date: new Date(nightStart).toISOString().slice(0, 10), start: nightStart, end: nightStart + 8 * HOUR, templateId: 'night', kind: 'night', agentsNeeded: 3, shiftIds: [] };
    await seedRoster('nights', [night], 'UTC', 18 * DAY);
    await t.http.post('/rosters/nights/publish').set(planner).expect(200);
    const morningOff = new Date(nightStart + 8 * HOUR).toISOString().slice(0, 10);
    await t.http.post('/agents').set(admin).send([{ ...cloud[0], id: 'CMORNING', daysOff: [morningOff] }]).expect(200);
    const token = (await t.http.post('/agents/CMORNING/claim-token').set(planner).send({}).expect(201)).body.token;
    const offered = (await t.http.get('/me/slots').set({ Authorization: `Bearer ${token}` }).expect(200)).body as Array<{ slotId: string; start: string }>;
    expect(offered.map((x) => x.slotId)).not.toContain('night');
    const refused = await t.http.post(`/me/claims/nights/${night.id}`).set({ Authorization: `Bearer ${token}` });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toBe(`${morningOff} is one of your days off`);
    // another agent sees both rosters' slots in one list, by start
    const all = (await t.http.get('/me/slots').set(as('C099')).expect(200)).body as Array<{ slotId: string; start: string }>;
    expect(all.map((x) => x.slotId)).toContain('night');
    expect(all.map((x) => Date.parse(x.start))).toEqual([...all.map((x) => Date.parse(x.start))].sort((a, b) => a - b));
  });

  test('when a cloud agent has a day off, then slots that day are not offered to them, as a claim of one is refused', async () => {
    // two agents alike but for one day off: the day of the slot `later`
    const onDuty = { ...cloud[0], id: 'CONDUTY' };
    const dayOff = { ...cloud[0], id: 'CDAYOFF', daysOff: [later.date] };
    await t.http.post('/agents').set(admin).send([onDuty, dayOff]).expect(200);
    const offeredTo = async (agentId: string) => {
      const token = (await t.http.post(`/agents/${agentId}/claim-token`).set(planner).send({}).expect(201)).body.token;
      return ((await t.http.get('/me/slots').set({ Authorization: `Bearer ${token}` }).expect(200)).body as Array<{ slotId: string }>).map((x) => x.slotId);
    };
    const toOnDuty = await offeredTo('CONDUTY');
    expect(toOnDuty).toContain(later.id);
    expect(await offeredTo('CDAYOFF')).toEqual(toOnDuty.filter((id) => id !== later.id));
    const token = (await t.http.post('/agents/CDAYOFF/claim-token').set(planner).send({}).expect(201)).body.token;
    const refused = await t.http.post(`/me/claims/week/${later.id}`).set({ Authorization: `Bearer ${token}` });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ where: '/path/slotId', message: 'rule: days off' });
  });

  test('when 100 cloud agents claim a slot of 10 at once, then exactly 10 get it', async () => {
    const responses = await Promise.all(cloud.map((a) => t.http.post(`/me/claims/week/${crowded.id}`).set(as(a.id))));
    const won = responses.filter((r) => r.status === 201);
    expect(won).toHaveLength(10);
    // the answer carries the slot's group, as GET /me/claims does
    expect(won[0].body).toMatchObject({ rosterId: 'week', slotId: crowded.id, skillGroupId: 'PS', agentsNeeded: 10 });
    expect(responses.filter((r) => r.status === 409 && /full/.test(r.body.detail))).toHaveLength(90);
    const slots = (await t.http.get('/rosters/week/slots').set(planner).expect(200)).body;
    const stored = slots.find((s: { slotId: string }) => s.slotId === crowded.id);
    expect(stored.claimedBy.sort()).toEqual(won.map((r) => r.body.agentId).sort());
    // each claim is recorded for the agent whose token made it, never another
    for (const r of won) expect((await t.http.get('/me/claims').set(as(r.body.agentId)).expect(200)).body).toEqual([expect.objectContaining({ slotId: crowded.id, agentId: r.body.agentId, skillGroupId: 'PS', claimed: 10, agentsNeeded: 10 })]);
    // a full slot is no longer offered to those who did not get it
    const loser = cloud.find((a) => !stored.claimedBy.includes(a.id))!;
    expect((await t.http.get('/me/slots').set(as(loser.id))).body.map((s: { slotId: string }) => s.slotId)).not.toContain(crowded.id);
  });

  test('when a claim breaks a rule, then it is refused naming the rule: twice, overlap, rest, weekly hours, skill', async () => {
    const holder = (await t.http.get('/rosters/week/slots').set(planner)).body.find((s: { slotId: string }) => s.slotId === crowded.id).claimedBy[0];
    const twice = await t.http.post(`/me/claims/week/${crowded.id}`).set(as(holder));
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already hold/);
    // slots the agent cannot take beside the one they hold are not offered: overlapping it, or closer than their 11 h rest
    const offered = ((await t.http.get('/me/slots').set(as(holder)).expect(200)).body as Array<{ slotId: string }>).map((x) => x.slotId);
    expect(offered).toEqual(expect.arrayContaining([crowded.id, later.id]));
    expect(offered).not.toContain(overlapping.id);
    expect(offered).not.toContain(restless.id);
    // a claim of one anyway names the claim it runs into by its times on the agent's clock (Jerusalem), not by ids
    const onClock = (ms: number, format: string) => DateTime.fromMillis(ms, { zone: ZONE }).toFormat(format);
    // (the slots start at whole hours from now: the end's date is written out when it falls on the next day)
    const sameDay = onClock(crowded.start, 'yyyy-MM-dd') === onClock(crowded.end, 'yyyy-MM-dd');
    const held = `${onClock(crowded.start, 'yyyy-MM-dd HH:mm')}–${onClock(crowded.end, sameDay ? 'HH:mm' : 'yyyy-MM-dd HH:mm')} (${ZONE})`;
    const overlap = await t.http.post(`/me/claims/week/${overlapping.id}`).set(as(holder));
    expect(overlap.status).toBe(422);
    expect(overlap.body.errors[0].message).toBe(`overlaps your claim ${held} (rule: one shift at a time)`);
    const rest = await t.http.post(`/me/claims/week/${restless.id}`).set(as(holder));
    expect(rest.status).toBe(422);
    expect(rest.body.errors[0].message).toBe(`too close to your claim ${held} (less than 11 h between them) (rule: minimum rest between shifts)`);
    // 8 h already held this week; 8 more is within the 20 h a week, 8 after that is not
    await t.http.post(`/me/claims/week/${later.id}`).set(as(holder)).expect(201);
    const hours = await t.http.post(`/me/claims/week/${extra.id}`).set(as(holder));
    expect(hours.status).toBe(422);
    expect(hours.body.errors[0].message).toMatch(/max weekly hours/);
    const skill = await t.http.post(`/me/claims/week/${stock.id}`).set(as(holder));
    expect(skill.status).toBe(422);
    expect(skill.body.errors[0]).toMatchObject({ where: '/path/slotId', message: expect.stringMatching(/needs skill NE \(rule: skill\)/) });
    await t.http.post('/me/claims/week/no-such-slot').set(as(holder)).expect(404);
    await t.http.post('/me/claims/nope/whatever').set(as(holder)).expect(404);
  });

  test('when a re-plan names a cloud agent absent, then it is a 422 at that absence saying how a claim is released, nothing is queued and the claim stays', async () => {
    const holder = (await t.http.get('/rosters/week/slots').set(planner)).body.find((s: { slotId: string }) => s.slotId === crowded.id).claimedBy[0] as string;
    const rostersBefore = (await t.http.get('/rosters').set(planner).expect(200)).body;
    const claimsBefore = (await t.http.get('/me/claims').set(as(holder)).expect(200)).body;
    expect(claimsBefore.map((c: { slotId: string }) => c.slotId)).toContain(crowded.id);
    const res = await t.http.post('/rosters/week/replan').set(planner).send({ absences: [{ agentId: 'P1', dates: [crowded.date] }, { agentId: holder, dates: [crowded.date] }] });
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    // the partner's absence is fine; the cloud agent's is the one problem
    expect(res.body.errors).toEqual([
      { where: '/body/absences/1/agentId', message: expect.stringMatching(new RegExp(`^${holder} is a cloud agent: absences re-plan partners' shifts.*releases a claim themselves \\(DELETE /me/claims/\\{rosterId\\}/\\{slotId\\}\\) until 24 h before it starts, after that the claim stays$`)) },
    ]);
    expect((await t.http.get('/rosters').set(planner).expect(200)).body).toEqual(rostersBefore);
    expect((await t.http.get('/me/claims').set(as(holder)).expect(200)).body).toEqual(claimsBefore);
  });

  test('when a cloud agent states the hours they are available, then slots outside them are not offered and a claim of one is refused naming the rule', async () => {
    // available one hour a day only: no 2-hour or longer slot fits
    const narrow = { ...cloud[0], id: 'CNARROW', timeZone: 'UTC', availability: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '01:00' }] };
    await t.http.post('/agents').set(admin).send([narrow]).expect(200);
    const token = (await t.http.post('/agents/CNARROW/claim-token').set(planner).send({}).expect(201)).body.token;
    const mine = { Authorization: `Bearer ${token}` };
    expect((await t.http.get('/me/slots').set(mine).expect(200)).body).toEqual([]);
    const refused = await t.http.post(`/me/claims/week/${later.id}`).set(mine);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ where: '/path/slotId', message: expect.stringMatching(/you are not available .* \(UTC\) \(rule: availability\)/) });
  });

  test('when a claim is released, then before the cut-off the place frees up, after it the release is refused with the cut-off', async () => {
    const agent = 'C099';
    await t.http.post(`/me/claims/week/${soon.id}`).set(as(agent)).expect(201);
    const late = await t.http.delete(`/me/claims/week/${soon.id}`).set(as(agent));
    expect(late.status).toBe(409);
    expect(late.type).toBe('application/problem+json');
    expect(late.body.detail).toMatch(/too late to release: claims are binding from 24 h before the start/);
    const mine = (await t.http.get('/me/claims').set(as(agent))).body;
    expect(mine.map((c: { slotId: string }) => c.slotId)).toContain(soon.id);

    const early = (await t.http.get('/rosters/week/slots').set(planner)).body.find((s: { slotId: string }) => s.slotId === later.id);
    const holder = early.claimedBy[0];
    await t.http.delete(`/me/claims/week/${later.id}`).set(as(holder)).expect(204);
    await t.http.delete(`/me/claims/week/${later.id}`).set(as(holder)).expect(404);
    // a token whose agent is no cloud agent (removed since) releases nothing, as it claims nothing
    const gone = signClaimToken(CLAIM_SECRET, { agentId: 'GONE01', expiresAt: Date.now() + DAY });
    await t.http.delete(`/me/claims/week/${later.id}`).set({ Authorization: `Bearer ${gone}` }).expect(403);
    await t.http.get('/me/calendar.ics').set({ Authorization: `Bearer ${gone}` }).expect(403);
    expect((await t.http.get('/rosters/week/slots').set(planner)).body.find((s: { slotId: string }) => s.slotId === later.id).claimedBy).toEqual([]);
  });

  test('when a roster is planned in Berlin, then its slots and claims give their times with Berlin\'s offset, as its shifts do', async () => {
    // the week after the published 'week' roster (one roster per period and group is published)
    const berlinSlot = slot('berlin-evening', 'PS', 10 * DAY + 5 * HOUR, 4, 1);
    await seedRoster('berlin', [berlinSlot], 'Europe/Berlin', 9 * DAY);
    await t.http.post('/rosters/berlin/publish').set(planner).expect(200);
    const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Berlin' }).toISO({ suppressMilliseconds: true });
    expect(local(berlinSlot.start)).toMatch(/\+0[12]:00$/);
    const listed = (await t.http.get('/rosters/berlin/slots').set(planner).expect(200)).body[0];
    expect(listed).toMatchObject({ slotId: 'berlin-evening', start: local(berlinSlot.start), end: local(berlinSlot.end) });
    const agent = 'C098';
    const offered = (await t.http.get('/me/slots').set(as(agent)).expect(200)).body.find((x: { slotId: string }) => x.slotId === 'berlin-evening');
    expect(offered).toMatchObject({ start: local(berlinSlot.start), end: local(berlinSlot.end) });
    const claimed = (await t.http.post('/me/claims/berlin/berlin-evening').set(as(agent)).expect(201)).body;
    expect(claimed).toMatchObject({ start: local(berlinSlot.start), end: local(berlinSlot.end), releasableUntil: local(berlinSlot.start - 24 * HOUR) });
    const mine = (await t.http.get('/me/claims').set(as(agent)).expect(200)).body.find((c: { slotId: string }) => c.slotId === 'berlin-evening');
    expect(mine).toMatchObject({ start: local(berlinSlot.start), releasableUntil: local(berlinSlot.start - 24 * HOUR) });
    // the UTC roster's times stay in UTC
    expect((await t.http.get('/rosters/week/slots').set(planner).expect(200)).body[0].start).toMatch(/Z$/);
  });
});
