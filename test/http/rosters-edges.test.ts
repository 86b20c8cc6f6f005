import { DateTime } from 'luxon';
import { KEYS, type TestService } from '../support/service';
import { checkRoster } from '../../src/roster/checker';
import type { Agent } from '../../src/domain/types';
import { buildDraft, FAST_RULES, partners, startRosterWorld, storeFor, ZONE } from './rosters-fixtures';

describe('rosters next to each other over REST', () => {
  let t: TestService;
  const agents: Agent[] = partners();

  beforeAll(async () => {
    t = await startRosterWorld(agents);
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when the roster next to a period has agents working until midnight, then the next roster starts them after their minimum rest', async () => {
    // a published roster of Friday 2030-01-11 (another group's) with every PS partner until midnight
    const { store, close } = storeFor(t.prefix);
    const fridayLate = (h: number) => DateTime.fromISO('2030-01-11T20:00', { zone: ZONE }).plus({ hours: h }).toMillis();
    const late = partners().filter((a) => a.id.startsWith('P')).map((a) => ({ id: `late-${a.id}`, agentId: a.id, skillGroupId: 'NE', templateId: 'late', kind: 'late' as const, date: '2030-01-11', start: fridayLate(0), end: fridayLate(4), breaks: [] }));
    try {
      const startMs = DateTime.fromISO('2030-01-11', { zone: ZONE }).toMillis();
      await store.rosters.saveDraft({
        meta: { id: 'friday-late', createdAt: new Date().toISOString(), period: { from: '2030-01-11', days: 1, timeZone: ZONE, startMs, endMs: startMs + 86_400_000 }, skillGroupIds: ['NE'], request: {}, summary: {}, details: {} },
        shifts: late, uncovered: [], coverage: [], slots: [],
      });
      expect((await store.rosters.publish('friday-late', new Date().toISOString())).ok).toBe(true);
    } finally {
      close();
    }
    const weekend = await buildDraft(t, { period: { from: '2030-01-12', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const { store: again, close: closeAgain } = storeFor(t.prefix);
    try {
      const saturday = (await again.rosters.shifts(weekend)).filter((s) => s.date === '2030-01-12' && s.agentId.startsWith('P'));
      const elevenHoursAfter = fridayLate(4) + 11 * 3_600_000;
      for (const s of saturday) expect(s.start).toBeGreaterThanOrEqual(elevenHoursAfter);
      const commitments = late.map(({ agentId, start, end, date }) => ({ agentId, start, end, date }));
      expect(checkRoster(await again.rosters.shifts(weekend), agents, { from: '2030-01-12', days: 2, timeZone: ZONE }, { commitments })).toEqual([]);
    } finally {
      closeAgain();
    }
  });

  test('when the published roster before a period ends with agents on five days in a row, then the next roster gives them the first day off (at most 5 in a row)', async () => {
    // another group's published roster of Wed–Sun 2030-01-02..06 with P1–P3 on every morning
    const { store, close } = storeFor(t.prefix);
    const dates = ['2030-01-02', '2030-01-03', '2030-01-04', '2030-01-05', '2030-01-06'];
    const morning = (date: string, h: number) => DateTime.fromISO(`${date}T06:00`, { zone: ZONE }).plus({ hours: h }).toMillis();
    const week = ['P1', 'P2', 'P3'].flatMap((id) => dates.map((date) => ({ id: `week-${id}-${date}`, agentId: id, skillGroupId: 'NE', templateId: 'early', kind: 'early' as const, date, start: morning(date, 0), end: morning(date, 4), breaks: [] })));
    try {
      const startMs = DateTime.fromISO(dates[0], { zone: ZONE }).toMillis();
      await store.rosters.saveDraft({
        meta: { id: 'ne-week', createdAt: new Date().toISOString(), period: { from: dates[0], days: 5, timeZone: ZONE, startMs, endMs: startMs + 5 * 86_400_000 }, skillGroupIds: ['NE'], request: {}, summary: {}, details: {} },
        shifts: week, uncovered: [], coverage: [], slots: [],
      });
      expect((await store.rosters.publish('ne-week', new Date().toISOString())).ok).toBe(true);
    } finally {
      close();
    }
    const monday = await buildDraft(t, { period: { from: '2030-01-07', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const { store: again, close: closeAgain } = storeFor(t.prefix);
    try {
      const shifts = await again.rosters.shifts(monday);
      const first = shifts.filter((s) => s.date === '2030-01-07');
      expect(first.some((s) => ['P4', 'P5', 'P6'].includes(s.agentId))).toBe(true);
      expect(first.filter((s) => ['P1', 'P2', 'P3'].includes(s.agentId))).toEqual([]);
      const commitments = week.map(({ agentId, start, end, date }) => ({ agentId, start, end, date }));
      expect(checkRoster(shifts, agents, { from: '2030-01-07', days: 2, timeZone: ZONE }, { commitments })).toEqual([]);
    } finally {
      closeAgain();
    }
  });

  test('when a roster published after a draft was built ends with its agents on five days in a row, then publishing the draft is a 409 naming them and the rule', async () => {
    const draft = await buildDraft(t, { period: { from: '2030-01-09', days: 2, timeZone: ZONE }, skillGroups: ['PS'], rules: FAST_RULES });
    const { store, close } = storeFor(t.prefix);
    const dates = ['2030-01-04', '2030-01-05', '2030-01-06', '2030-01-07', '2030-01-08'];
    let onThe9th: string[] = [];
    try {
      onThe9th = [...new Set((await store.rosters.shifts(draft)).filter((s) => s.date === '2030-01-09').map((s) => s.agentId))];
      expect(onThe9th.length).toBeGreaterThan(0);
      const morning = (date: string, h: number) => DateTime.fromISO(`${date}T06:00`, { zone: ZONE }).plus({ hours: h }).toMillis();
      const week = onThe9th.flatMap((id) => dates.map((date) => ({ id: `run-${id}-${date}`, agentId: id, skillGroupId: 'PS', templateId: 'early', kind: 'early' as const, date, start: morning(date, 0), end: morning(date, 4), breaks: [] })));
      const startMs = DateTime.fromISO(dates[0], { zone: ZONE }).toMillis();
      await store.rosters.saveDraft({
        meta: { id: 'ps-before', createdAt: new Date().toISOString(), period: { from: dates[0], days: 5, timeZone: ZONE, startMs, endMs: startMs + 5 * 86_400_000 }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
        shifts: week, uncovered: [], coverage: [], slots: [],
      });
      // the same group's previous roster, published meanwhile (the store's own publish: no check)
      expect((await store.rosters.publish('ps-before', new Date().toISOString())).ok).toBe(true);
    } finally {
      close();
    }
    const refused = await t.http.post(`/rosters/${draft}/publish`).set('X-API-Key', KEYS.planner);
    expect(refused.status).toBe(409);
    expect(refused.type).toBe('application/problem+json');
    const named = refused.body.errors.filter((e: { message: string }) => e.message.startsWith('max-consecutive-days'));
    expect(new Set(named.map((e: { where: string }) => e.where))).toEqual(new Set(onThe9th.map((id) => `/agents/${id}`)));
  });

});
