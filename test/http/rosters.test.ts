import { startTestService, KEYS, type TestService } from '../support/service';
import { formatInstant } from '../../src/time/grid';
import { checkRoster } from '../../src/roster/checker';
import type { Agent } from '../../src/domain/types';
import { CLAIM_SECRET, FAST_RULES, FROM, GROUPS, partners, cloudAgents, seedForecastAndHistory, storeFor, waitForRoster, ZONE } from './rosters-fixtures';

describe('rosters over REST', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const agents: Agent[] = [...partners(), ...cloudAgents(3)];
  const period = { from: FROM, days: 5, timeZone: ZONE };

  /** Every roster a test builds goes through the independent checker, read straight from the store. */
  async function expectValid(rosterId: string) {
    const { store, close } = storeFor(t.prefix);
    try {
      const shifts = await store.rosters.shifts(rosterId);
      expect(shifts.length).toBeGreaterThan(0);
      expect(checkRoster(shifts, agents, period)).toEqual([]);
      return shifts;
    } finally {
      close();
    }
  }

  async function build(body: object): Promise<string> {
    const res = await t.http.post('/rosters').set(planner).send(body);
    expect(res.status).toBe(202);
    const status = await waitForRoster(t.http, res.body.id, planner);
    expect(status).toMatchObject({ status: 'draft' });
    return res.body.id as string;
  }

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send(agents).expect(200);
    await seedForecastAndHistory(t.prefix);
  });
  afterAll(async () => {
    await t.stop();
  });

  let rosterId: string;

  test('when a planner posts a period, groups and rules, then a job builds a checked draft with coverage, schedules and reasons', async () => {
    const res = await t.http.post('/rosters').set(planner).send({ period, skillGroups: ['PS', 'NE'], rules: FAST_RULES });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/rosters/${res.body.id}/status`);
    expect(res.body.jobId).toBe(res.body.id);
    const job = (await t.http.get(res.body.job).set(planner).expect(200)).body;
    expect(job.queue).toBe('build-roster');
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
    rosterId = res.body.id;
    const shifts = await expectValid(rosterId);

    const roster = (await t.http.get(`/rosters/${rosterId}`).set(planner).expect(200)).body;
    expect(roster).toMatchObject({ id: rosterId, status: 'draft', skillGroupIds: ['PS', 'NE'], period });
    expect(roster.summary.checkerViolations).toBe(0);
    expect(roster.summary.partnerShifts).toBe(shifts.length);
    expect(roster.summary.lpLowerBoundPaidHours).toBeGreaterThan(0);
    // PS came from the stored forecast; NE had none, so it was computed from history with the flagged baseline
    const sources = Object.fromEntries(roster.forecastSources.map((s: { skillGroupId: string }) => [s.skillGroupId, s]));
    expect(sources.PS).toMatchObject({ source: 'stored-forecast', alias: 'decomposition', baselineFallback: false });
    expect(sources.NE).toMatchObject({ source: 'computed-from-history', baselineFallback: true });
    expect(roster.fairness.length).toBeGreaterThan(0);
    // The NE partners never work Fridays: the roster is still built, with the reason
    const friday = roster.uncoveredReasons.find((r: { skillGroupId: string; reason: string }) => r.skillGroupId === 'NE' && /Fridays/.test(r.reason));
    expect(friday.reason).toMatch(/no agent with skill NE is available on Fridays/);

    const coverage = (await t.http.get(`/rosters/${rosterId}/coverage?skillGroupId=NE`).set(planner).expect(200)).body;
    expect(coverage.length).toBeGreaterThan(0);
    const fridayRows = coverage.filter((c: { intervalStart: string }) => c.intervalStart.startsWith('2030-01-11'));
    expect(fridayRows.length).toBe(20);
    for (const c of fridayRows) {
      expect(c.scheduled).toBe(0);
      expect(c.shortfall).toBeCloseTo(c.required, 5);
      expect(c.serviceLevel).toBeLessThan(0.5);
    }
    const monday = coverage.find((c: { intervalStart: string }) => c.intervalStart === '2030-01-07T12:00:00+02:00');
    expect(monday).toMatchObject({ volume: 12 });
    expect(monday.scheduled).toBeGreaterThan(0);

    const one = shifts[0].agentId;
    const schedule = (await t.http.get(`/rosters/${rosterId}/shifts?agentId=${one}`).set(planner).expect(200)).body;
    expect(schedule.length).toBe(shifts.filter((s) => s.agentId === one).length);
    expect(schedule[0].start).toMatch(/^2030-01-\d\dT\d\d:\d\d:00\+02:00$/);

    const slots = (await t.http.get(`/rosters/${rosterId}/slots`).set(planner).expect(200)).body;
    expect(slots.reduce((n: number, s: { agentsNeeded: number }) => n + s.agentsNeeded, 0)).toBe(roster.summary.slotPlaces);
    expect(roster.summary.slotPlaces).toBeGreaterThan(0);
  });

  test('when the roster is exported, then the CSV has one ISO-timed row per shift and each agent has an iCalendar feed', async () => {
    const csv = await t.http.get(`/rosters/${rosterId}/roster.csv`).set(planner).expect(200);
    expect(csv.type).toBe('text/csv');
    const lines = csv.text.trim().split('\n');
    // the six columns first, as they always were; each break's kind after them
    expect(lines[0]).toBe('agent_id,date,start,end,skill_group,breaks,break_kinds');
    const shifts = await expectValid(rosterId);
    expect(lines).toHaveLength(shifts.length + 1);
    expect(lines[1]).toMatch(/^[A-Z]\d+,2030-01-\d\d,2030-01-\d\dT\d\d:\d\d:00\+02:00,2030-01-\d\dT\d\d:\d\d:00\+02:00,(PS|NE),.*\//);

    const ics = await t.http.get(`/rosters/${rosterId}/agents/${shifts[0].agentId}/calendar.ics`).set(planner).expect(200);
    expect(ics.type).toBe('text/calendar');
    expect(ics.text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.text).toContain(`X-WR-CALDESC:Shifts of roster ${rosterId} (draft)\r\n`);
    expect(ics.text.match(/BEGIN:VEVENT/g)).toHaveLength(shifts.filter((s) => s.agentId === shifts[0].agentId).length);
    await t.http.get(`/rosters/${rosterId}/agents/nobody/calendar.ics`).set(planner).expect(404);
  });

  test('when input is contradictory or unknown, then 422 names the field, agent and rule and nothing is queued', async () => {
    const post = (body: object) => t.http.post('/rosters').set(planner).send(body);
    const unknown = await post({ period, skillGroups: ['PS', 'XX'] });
    expect(unknown.status).toBe(422);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body.errors).toEqual([{ where: '/body/skillGroups/1', message: 'unknown skill group "XX"' }]);

    // a contract no week can satisfy with these templates: 3 days × 8.5 h < 30 h
    await t.http.put('/agents/P6').set(admin).send({ ...agents[5], contract: { ...agents[5].contract, minHoursPerWeek: 30, maxDaysPerWeek: 3 } }).expect(200);
    const contradictory = await post({ period, skillGroups: ['PS'] });
    expect(contradictory.status).toBe(422);
    expect(contradictory.body.errors).toEqual([
      { where: '/agents/P6/contract', message: 'P6: minHoursPerWeek 30 needs more than 3 day(s) × the longest shift 8.5 h (rule: weekly min hours vs max days)' },
    ]);
    await t.http.put('/agents/P6').set(admin).send(agents[5]).expect(200);

    // a minimum the agent's availability cannot reach in a complete week: 422 now, not a failed build later
    await t.http.put('/agents/P5').set(admin).send({ ...agents[4], availability: [{ days: [1], from: '08:00', to: '17:00' }], contract: { ...agents[4].contract, minHoursPerWeek: 30 } }).expect(200);
    const unreachable = await post({ period: { ...period, days: 7 }, skillGroups: ['PS'] });
    expect(unreachable.status).toBe(422);
    expect(unreachable.type).toBe('application/problem+json');
    expect(unreachable.body.errors).toEqual([{ where: '/agents/P5/contract', message: expect.stringMatching(/^P5: minHoursPerWeek 30 cannot be met in the week from 2030-01-07: .*\(rule: weekly min hours vs availability, days off and shift lengths\)$/) }]);
    await t.http.put('/agents/P5').set(admin).send(agents[4]).expect(200);

    // a skill group no partner has: only cloud agents could work it
    await t.http.post('/skill-groups').set(admin).send([{ ...GROUPS[0], id: 'TT', name: 'Callbacks' }]).expect(200);
    const empty = await post({ period, skillGroups: ['TT'] });
    expect(empty.status).toBe(422);
    expect(empty.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(/no partner agent has skill TT \(rule: skill\)/);
    expect(empty.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(/no stored forecast covers the period for TT/);

    // groups on different clocks, no period.timeZone: one roster cannot run on both
    await t.http.post('/skill-groups').set(admin).send([{ ...GROUPS[0], id: 'NY', name: 'New York desk', timeZone: 'America/New_York' }]).expect(200);
    const { timeZone: _zone, ...periodWithoutZone } = period;
    const twoClocks = await post({ period: periodWithoutZone, skillGroups: ['PS', 'NY'] });
    expect(twoClocks.status).toBe(422);
    expect(twoClocks.body.errors).toContainEqual({ where: '/body/skillGroups', message: expect.stringMatching(/PS \(Asia\/Jerusalem\), NY \(America\/New_York\).*one roster runs on one time zone/) });
    const namedClock = await post({ period, skillGroups: ['PS', 'NY'] });
    expect(namedClock.body.errors?.some((e: { where: string }) => e.where === '/body/skillGroups')).toBe(false);

    const badTemplate = await post({ period, skillGroups: ['PS'], rules: { templates: [{ id: 't', name: 'T', kind: 'day', lengthMinutes: 480, startWindow: { from: '08:00', to: '09:00' }, startGridMinutes: 30, mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 300, latestAfterMinutes: 470 } }] } });
    expect(badTemplate.status).toBe(422);
    expect(badTemplate.body.errors[0].where).toBe('/body/rules/templates/0/mealBreak/latestAfterMinutes');

    // bad input, not a contradiction of the rules: the contract's calendar date, as everywhere
    const badDate = await post({ period: { ...period, from: '2030-02-30' }, skillGroups: ['PS'] });
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].where).toBe('/body/period/from');
    expect(badDate.body.type).toBe('https://wfm.example/problems/bad-request');

    const tooLong = await post({ period: { ...period, days: 30 }, skillGroups: ['PS'] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].where).toBe('/body/period/days');

    const { store, close } = storeFor(t.prefix);
    try {
      expect((await store.rosters.list()).map((r) => r.id)).toEqual([rosterId]);
    } finally {
      close();
    }
    await t.http.post('/rosters').set({ 'X-API-Key': KEYS.ingest }).send({ period, skillGroups: ['PS'] }).expect(403);
  });

  test('when a draft is published, then a second roster for an overlapping period and group cannot be, and a planner sees the slots open', async () => {
    const published = await t.http.post(`/rosters/${rosterId}/publish`).set(planner).expect(200);
    expect(published.body).toMatchObject({ id: rosterId, status: 'published', movedClaims: 0 });
    expect((await t.http.get(`/rosters/${rosterId}/status`).set(planner).expect(200)).body).toMatchObject({ status: 'published' });
    await t.http.post(`/rosters/${rosterId}/publish`).set(planner).expect(409);

    const rival = await build({ period: { ...period, days: 2 }, skillGroups: ['PS'], rules: FAST_RULES });
    await expectValid(rival);
    const refused = await t.http.post(`/rosters/${rival}/publish`).set(planner);
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ where: `/rosters/${rosterId}`, message: 'published, overlapping period and skill group' }]);
    expect((await t.http.get(`/rosters/${rival}`).set(planner)).body.status).toBe('draft');

    const { store, close } = storeFor(t.prefix);
    try {
      // the surge trigger's read: published shifts in a window, all groups
      const window = await store.rosters.shiftsOverlapping(Date.parse('2030-01-07T11:00:00+02:00'), Date.parse('2030-01-07T12:00:00+02:00'));
      expect(window.length).toBeGreaterThan(0);
      expect(new Set(window.map((s) => s.skillGroupId))).toEqual(new Set(['PS', 'NE']));
    } finally {
      close();
    }
  });

  test('when an agent falls ill, then a re-plan keeps the rest, lists the changes, and publishing it supersedes the roster', async () => {
    const before = await expectValid(rosterId);
    const ill = before.find((s) => s.date === '2030-01-08')!.agentId;
    const theirs = before.filter((s) => s.agentId === ill && ['2030-01-08', '2030-01-09'].includes(s.date));
    const bad = await t.http.post(`/rosters/${rosterId}/replan`).set(planner).send({ absences: [{ agentId: 'ghost', dates: ['2031-01-01'] }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { where: string }) => e.where)).toEqual(['/body/absences/0/agentId', '/body/absences/0/dates/0']);

    const res = await t.http.post(`/rosters/${rosterId}/replan`).set(planner).send({ absences: [{ agentId: ill, dates: ['2030-01-08', '2030-01-09'] }] });
    expect(res.status).toBe(202);
    expect(res.body.replanOf).toBe(rosterId);
    expect(res.headers.location).toBe(`/rosters/${res.body.id}/status`);
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
    const after = await expectValid(res.body.id);
    expect(after.some((s) => s.agentId === ill && ['2030-01-08', '2030-01-09'].includes(s.date))).toBe(false);

    const replanned = (await t.http.get(`/rosters/${res.body.id}`).set(planner).expect(200)).body;
    expect(replanned.replanOf).toBe(rosterId);
    for (const s of theirs) {
      const change = replanned.changes.find((c: { shiftId: string }) => c.shiftId === s.id);
      expect(change).toMatchObject({ fromAgentId: ill, reason: expect.stringContaining(`${ill} is absent`), start: formatInstant(s.start, period.timeZone), end: formatInstant(s.end, period.timeZone) });
      expect(change.kind).toMatch(/reassigned|uncovered/);
    }
    expect(replanned.keptShifts).toBeGreaterThanOrEqual(before.length - 3 * theirs.length);
    // nobody claimed on the roster it replaces: no claim moves at publish, and it says so
    expect(replanned.claimsMovingAtPublish).toEqual({ count: 0, paidMinutes: 0, paidHours: 0, claims: [] });
    expect(replanned.summary).toMatchObject({ claimedShifts: 0, claimedMinutes: 0, paidMinutes: expect.any(Number) });

    const published = await t.http.post(`/rosters/${res.body.id}/publish`).set(planner).expect(200);
    expect(published.body).toMatchObject({ status: 'published', superseded: rosterId });
    expect((await t.http.get(`/rosters/${rosterId}/status`).set(planner)).body).toMatchObject({ status: 'superseded', supersededBy: res.body.id });
    // a cloud agent claiming on the replaced roster is sent to the one that replaced it
    const oldSlots = (await t.http.get(`/rosters/${rosterId}/slots`).set(planner).expect(200)).body as Array<{ id: string }>;
    if (oldSlots.length) {
      const { token } = (await t.http.post('/agents/C000/claim-token').set(planner).send({}).expect(201)).body;
      const claim = await t.http.post(`/me/claims/${rosterId}/${oldSlots[0].id}`).set('Authorization', `Bearer ${token}`);
      expect(claim.status).toBe(409);
      expect(claim.body.detail).toContain(`replaced by ${res.body.id}`);
    }
    // the ill agent's calendar, subscribed to at the first roster, loses the shifts the re-plan moved
    const feed = (await t.http.get(`/rosters/${rosterId}/agents/${ill}/calendar.ics`).set(planner).expect(200)).text;
    for (const s of theirs) expect(feed).not.toContain(s.id);
    // and names the roster it serves: the re-plan, not the superseded roster it was asked for
    expect(feed.replace(/\r\n /g, '')).toContain(`X-WR-CALDESC:Shifts of roster ${res.body.id} (published\\; re-plan of ${rosterId})\\, the latest re-plan of roster ${rosterId}`);
    await t.http.post(`/rosters/${rosterId}/replan`).set(planner).send({ forecastMoved: true }).expect(409);
    rosterId = res.body.id;
  });

  test('when the forecast moved, then the re-plan plans shifts afresh and lists additions and removals', async () => {
    const { store, close } = storeFor(t.prefix);
    try {
      const points = await store.forecasts.read('PS', 0, Number.MAX_SAFE_INTEGER);
      const meta = (await store.forecasts.meta('PS'))!;
      // Wednesday's afternoon doubles
      await store.forecasts.replace(meta, points.map((p) => (new Date(p.intervalStart).toISOString().startsWith('2030-01-09T1') ? { ...p, p50: p.p50 * 2 } : p)));
    } finally {
      close();
    }
    const res = await t.http.post(`/rosters/${rosterId}/replan`).set(planner).send({ forecastMoved: true });
    expect(res.status).toBe(202);
    expect(await waitForRoster(t.http, res.body.id, planner)).toMatchObject({ status: 'draft' });
    await expectValid(res.body.id);
    const replanned = (await t.http.get(`/rosters/${res.body.id}`).set(planner).expect(200)).body;
    expect(replanned.changes.length).toBeGreaterThan(0);
    expect(replanned.changes.some((c: { date: string; kind: string }) => c.date === '2030-01-09' && ['added', 'uncovered'].includes(c.kind))).toBe(true);
    expect(replanned.keptShifts).toBeGreaterThan(0);
  });

  test('when a read names a skill group the roster lacks or an unknown agent, then 422 names the parameter instead of an empty answer', async () => {
    const group = await t.http.get(`/rosters/${rosterId}/coverage?skillGroupId=ps`).set(planner);
    expect(group.status).toBe(422);
    expect(group.type).toBe('application/problem+json');
    expect(group.body.errors).toEqual([{ where: '/query/skillGroupId', message: 'the roster has no skill group "ps" (it has PS, NE)' }]);
    const agent = await t.http.get(`/rosters/${rosterId}/shifts?agentId=P99`).set(planner);
    expect(agent.status).toBe(422);
    expect(agent.body.errors).toEqual([{ where: '/query/agentId', message: 'no agent "P99"' }]);
    // a known agent without shifts in this roster is an empty schedule, not an error
    expect((await t.http.get(`/rosters/${rosterId}/shifts?agentId=C000`).set(planner).expect(200)).body).toEqual([]);
  });

  test('when a roster does not exist, then its routes answer 404', async () => {
    await t.http.get('/rosters/nope').set(planner).expect(404);
    await t.http.get('/rosters/nope/status').set(planner).expect(404);
    await t.http.post('/rosters/nope/publish').set(planner).expect(404);
    const list = (await t.http.get('/rosters').set(planner).expect(200)).body;
    expect(list.length).toBe(4);
    await t.http.delete('/rosters/nope').set(planner).expect(404);
  });

  test('when a planner deletes rosters, then drafts and superseded ones go and the published one is refused', async () => {
    const list = (await t.http.get('/rosters').set(planner).expect(200)).body as Array<{ id: string; status: string }>;
    const published = list.find((r) => r.status === 'published')!;
    const refused = await t.http.delete(`/rosters/${published.id}`).set(planner);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/published/);
    for (const r of list.filter((r) => r.status !== 'published')) await t.http.delete(`/rosters/${r.id}`).set(planner).expect(204);
    expect((await t.http.get('/rosters').set(planner).expect(200)).body.map((r: { id: string }) => r.id)).toEqual([published.id]);
    await t.http.delete(`/rosters/${published.id}`).set({ 'X-API-Key': KEYS.ingest }).expect(403);
  });
});
