/**
 * The agents' write script and a cloud agent's claims on the skill groups the write takes away: refused
 * only for claims of a group the stored agent had and the update removes, that are not over yet; a
 * change to partner refuses every claim once per roster (the skills then do not matter).
 */
import type { Agent } from '../../src/domain/types';
import type { CloudSlot } from '../../src/roster/assignment';
import type { ClaimLimits } from '../../src/store/roster-repository';
import type { Store } from '../../src/store/store';
import { openTestStore } from '../support/service';
import { agent, skillGroup } from '../support/examples';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2030, 0, 7);
const NOW = T0 - 3 * DAY;

const cloud = (id: string, skills: string[]): Agent =>
  agent({ id, name: id, kind: 'cloud', timeZone: 'UTC', skills: skills.map((skillGroupId) => ({ skillGroupId })), contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } });

function slot(id: string, group: string, day: number): CloudSlot {
  const start = T0 + day * DAY + 8 * HOUR;
  return { id, skillGroupId: group, date: new Date(start).toISOString().slice(0, 10), start, end: start + 8 * HOUR, templateId: 't', kind: 'day', agentsNeeded: 2, shiftIds: [] };
}

const limits: ClaimLimits = { minRestMs: 11 * HOUR, maxHoursPerWeek: 40, weekStartMs: T0, weekEndMs: T0 + 7 * DAY };

describe('agents written over their claims on the skill groups the write removes', () => {
  let store: Store;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = openTestStore());
    await store.skillGroups.putAll(['RX', 'RY', 'RZ'].map((id) => skillGroup({ id, name: id, timeZone: 'UTC' })));
    await store.agents.putAll([cloud('C1', ['RX', 'RY', 'RZ'])]);
    await store.rosters.saveDraft({
      meta: { id: 'r', createdAt: new Date(NOW).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs: T0, endMs: T0 + 7 * DAY }, skillGroupIds: ['RX', 'RY', 'RZ'], request: {}, summary: {}, details: {} },
      shifts: [],
      uncovered: [],
      coverage: [],
      slots: [slot('x1', 'RX', 1), slot('x3', 'RX', 3), slot('y2', 'RY', 2)],
    });
    expect(await store.rosters.publish('r', new Date(NOW).toISOString())).toMatchObject({ ok: true });
    for (const s of ['x1', 'x3', 'y2']) expect(await store.rosters.claim('r', s, 'C1', limits, NOW)).toMatchObject({ ok: true });
  });
  afterEach(() => close());

  test('when RX is taken away, then the write is refused naming its two claims and the last end, and nothing is written', async () => {
    expect(await store.agents.putAll([cloud('C1', ['RY'])], NOW)).toEqual({
      ok: false,
      refusal: 'claims',
      // RZ goes too, but holds no claim; the RY claim stays with the skill
      held: [{ agentId: 'C1', rosterId: 'r', claims: 2, lastEndMs: T0 + 3 * DAY + 16 * HOUR, reason: 'skill', skillGroupId: 'RX' }],
    });
    expect((await store.agents.get('C1'))?.skills).toEqual([{ skillGroupId: 'RX' }, { skillGroupId: 'RY' }, { skillGroupId: 'RZ' }]);
  });

  test('when only a group without claims (RZ) is taken away, or the claims on RX are over, then the write goes ahead', async () => {
    expect(await store.agents.putAll([cloud('C1', ['RX', 'RY'])], NOW)).toEqual({ ok: true });
    // after the last RX slot ends, RX may go
    expect(await store.agents.putAll([cloud('C1', ['RY'])], T0 + 3 * DAY + 16 * HOUR)).toEqual({ ok: true });
    expect((await store.agents.get('C1'))?.skills).toEqual([{ skillGroupId: 'RY' }]);
  });

  test('when the agent becomes a partner and loses RX at once, then the refusal is the change of kind, once for the roster', async () => {
    const asPartner: Agent = { ...cloud('C1', ['RY']), kind: 'partner' };
    expect(await store.agents.putAll([asPartner], NOW)).toEqual({
      ok: false,
      refusal: 'claims',
      held: [{ agentId: 'C1', rosterId: 'r', claims: 3, lastEndMs: T0 + 3 * DAY + 16 * HOUR, reason: 'kind' }],
    });
  });
});
