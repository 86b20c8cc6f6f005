/**
 * Two drafts of different skill groups (EUA, EUB) for the same week, whose multi-skilled agents work the
 * same hours in both, published at the same moment: exactly one may be published, the other is a 409
 * naming the agents. The drafts are written straight to the store (a build cannot be made to overlap on
 * purpose), then published over HTTP as a planner would.
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import { agent, skillGroup } from '../support/examples';
import type { AssignedShift } from '../../src/roster/types';
import type { NewRoster } from '../../src/store/roster-repository';
import { storeFor } from './rosters-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONE = 'UTC';
const AGENTS = ['M1', 'M2'];
const PAIRS = 5;

/** Monday of week `week` after 2030-01-07, as a local date and an instant. */
function week(w: number): { from: string; startMs: number } {
  const startMs = Date.UTC(2030, 0, 7) + 7 * w * DAY;
  return { from: new Date(startMs).toISOString().slice(0, 10), startMs };
}

/** Every agent 09:00–17:00 on Monday to Wednesday of the week, in the group. */
function draft(id: string, group: string, w: number): NewRoster {
  const { from, startMs } = week(w);
  const shifts: AssignedShift[] = AGENTS.flatMap((agentId) =>
    [0, 1, 2].map((d) => {
      const start = startMs + d * DAY + 9 * HOUR;
      return { id: `${id}-${agentId}-${d}`, agentId, skillGroupId: group, templateId: 'day', kind: 'day' as const, date: new Date(start).toISOString().slice(0, 10), start, end: start + 8 * HOUR, breaks: [] };
    }),
  );
  return {
    meta: {
      id,
      createdAt: new Date(startMs - DAY).toISOString(),
      period: { from, days: 7, timeZone: ZONE, startMs, endMs: startMs + 7 * DAY },
      skillGroupIds: [group],
      request: {},
      summary: { partnerShifts: shifts.length },
      details: {},
    },
    shifts,
    uncovered: [],
    coverage: [],
    slots: [],
  };
}

describe('publishing two rosters that share agents at the same moment', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };

  beforeAll(async () => {
    t = await startTestService();
    await t.http.post('/skill-groups').set(admin).send([skillGroup({ id: 'EUA', timeZone: ZONE }), skillGroup({ id: 'EUB', name: 'Business', timeZone: ZONE })]).expect(200);
    const contract = { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
    await t.http.post('/agents').set(admin).send(AGENTS.map((id) => agent({ id, name: id, timeZone: ZONE, skills: [{ skillGroupId: 'EUA' }, { skillGroupId: 'EUB' }], contract }))).expect(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when two overlapping rosters of other groups are published one after the other, then the second is a 409 naming the agents', async () => {
    const { store, close } = storeFor(t.prefix);
    try {
      await store.rosters.saveDraft(draft('seq-a', 'EUA', 20));
      await store.rosters.saveDraft(draft('seq-b', 'EUB', 20));
    } finally {
      close();
    }
    await t.http.post('/rosters/seq-a/publish').set(planner).expect(200);
    const refused = await t.http.post('/rosters/seq-b/publish').set(planner);
    expect(refused.status).toBe(409);
    expect(new Set(refused.body.errors.map((e: { where: string }) => e.where))).toEqual(new Set(AGENTS.map((a) => `/agents/${a}`)));
  });

  test(`when they are published in parallel (${PAIRS} pairs), then each time exactly one is published and the other is a 409 naming the agents`, async () => {
    const { store, close } = storeFor(t.prefix);
    try {
      for (let w = 0; w < PAIRS; w++) {
        await store.rosters.saveDraft(draft(`a${w}`, 'EUA', w));
        await store.rosters.saveDraft(draft(`b${w}`, 'EUB', w));
      }
    } finally {
      close();
    }
    for (let w = 0; w < PAIRS; w++) {
      const answers = await Promise.all([`a${w}`, `b${w}`].map((id) => t.http.post(`/rosters/${id}/publish`).set(planner)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const refused = answers.find((a) => a.status === 409)!;
      expect(refused.type).toBe('application/problem+json');
      expect(refused.body.detail).toMatch(/publishing would break the rules for 2 agent\(s\) who work another published roster/);
      expect(new Set(refused.body.errors.map((e: { where: string }) => e.where))).toEqual(new Set(AGENTS.map((a) => `/agents/${a}`)));
      // the store agrees: one published, the other still a draft
      const statuses = await Promise.all([`a${w}`, `b${w}`].map(async (id) => (await t.http.get(`/rosters/${id}/status`).set(planner).expect(200)).body.status));
      expect(statuses.sort()).toEqual(['draft', 'published']);
    }
  });
});
