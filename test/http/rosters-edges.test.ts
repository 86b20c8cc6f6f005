import { DateTime } from 'luxon';
import type { TestService } from '../support/service';
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
      const commitments = late.map(({ agentId, start, end }) => ({ agentId, start, end }));
      expect(checkRoster(await again.rosters.shifts(weekend), agents, { from: '2030-01-12', days: 2, timeZone: ZONE }, { commitments })).toEqual([]);
    } finally {
      closeAgain();
    }
  });

});
