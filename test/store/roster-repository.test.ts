import type { Redis } from 'ioredis';
import type { Store } from '../../src/store/store';
import type { ClaimLimits, NewRoster } from '../../src/store/roster-repository';
import type { AssignedShift, PlannedShift } from '../../src/roster/types';
import type { CloudSlot } from '../../src/roster/assignment';
import { openTestStore } from '../support/service';
import { agent, skillGroup } from '../support/examples';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2030-01-07 00:00 UTC, a Monday: far enough ahead that no slot has started. */
const T0 = Date.UTC(2030, 0, 7);

function shift(id: string, agentId: string, skillGroupId: string, startHour: number, hours = 8): AssignedShift {
  const start = T0 + startHour * HOUR;
  return { id, agentId, skillGroupId, templateId: 't', kind: 'day', date: new Date(start).toISOString().slice(0, 10), start, end: start + hours * HOUR, breaks: [] };
}

function slot(skillGroupId: string, startHour: number, agentsNeeded: number, hours = 8): CloudSlot {
  const start = T0 + startHour * HOUR;
  const end = start + hours * HOUR;
  return { id: `slot-${skillGroupId}-${start}-${end}`, skillGroupId, date: new Date(start).toISOString().slice(0, 10), start, end, templateId: 't', kind: 'day', agentsNeeded, shiftIds: [] };
}

function roster(id: string, shifts: AssignedShift[], slots: CloudSlot[] = [], options: { groups?: string[]; days?: number; replanOf?: string; uncovered?: PlannedShift[] } = {}): NewRoster {
  const days = options.days ?? 7;
  return {
    meta: {
      id,
      createdAt: new Date(T0 - DAY).toISOString(),
      period: { from: '2030-01-07', days, timeZone: 'UTC', startMs: T0, endMs: T0 + days * DAY },
      skillGroupIds: options.groups ?? ['PS'],
      ...(options.replanOf ? { replanOf: options.replanOf } : {}),
      request: {},
      summary: { shifts: shifts.length },
      details: {},
    },
    shifts,
    uncovered: options.uncovered ?? [],
    coverage: [{ skillGroupId: 'PS', intervalStart: T0, required: 2, scheduled: 1, shortfall: 1, volume: 10, ahtSeconds: 180, serviceLevel: 0.5, asaSeconds: 30, abandonment: 0.1 }],
    slots,
  };
}

const limits = (overrides: Partial<ClaimLimits> = {}): ClaimLimits => ({ minRestMs: 11 * HOUR, maxHoursPerWeek: 40, weekStartMs: T0, weekEndMs: T0 + 7 * DAY, ...overrides });

describe('roster repository', () => {
  let redis: Redis;
  let store: Store;
  let prefix: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ redis, store, prefix, close } = openTestStore());
    // a claim is taken only by a stored cloud agent: every id the tests claim with
    // a draft is stored only while its skill groups exist
    await store.skillGroups.putAll([skillGroup({ id: 'PS', timeZone: 'UTC' }), skillGroup({ id: 'NE', name: 'NE', timeZone: 'UTC' }), skillGroup({ id: 'TT', name: 'TT', timeZone: 'UTC' })]);
    await store.agents.putAll(['c', ...Array.from({ length: 100 }, (_, i) => `c${i}`)].map((id) => agent({ id, name: id, kind: 'cloud', contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } })));
  });
  afterEach(() => close());

  test('when a draft is saved, then meta, shifts per agent and by time, coverage and slots read back', async () => {
    const shifts = [shift('s2', 'b', 'PS', 10), shift('s1', 'a', 'PS', 8), shift('s3', 'a', 'PS', 32)];
    await store.rosters.saveDraft(roster('r1', shifts, [slot('PS', 8, 3)]));
    const stored = await store.rosters.get('r1');
    expect(stored).toMatchObject({ id: 'r1', status: 'draft', skillGroupIds: ['PS'], summary: { shifts: 3 } });
    expect((await store.rosters.shifts('r1')).map((s) => s.id)).toEqual(['s1', 's2', 's3']);
    expect((await store.rosters.shifts('r1', 'a')).map((s) => s.id)).toEqual(['s1', 's3']);
    expect(await store.rosters.shifts('r1', 'nobody')).toEqual([]);
    expect(await store.rosters.agentIds('r1')).toEqual(['a', 'b']);
    expect((await store.rosters.coverage('r1'))[0]).toMatchObject({ required: 2, shortfall: 1, serviceLevel: 0.5 });
    expect(await store.rosters.slots('r1')).toEqual([expect.objectContaining({ agentsNeeded: 3, claimedBy: [], rosterId: 'r1' })]);
    expect((await store.rosters.list()).map((r) => r.id)).toEqual(['r1']);
    expect(await store.rosters.get('nope')).toBeUndefined();
  });

  test('when rosters are published, then shiftsOverlapping returns their shifts in the window (every group, running ones included) and ignores drafts', async () => {
    await store.rosters.saveDraft(roster('ps', [shift('p1', 'a', 'PS', 8), shift('p2', 'b', 'PS', 20), shift('p3', 'a', 'PS', 40)]));
    await store.rosters.saveDraft(roster('ne', [shift('n1', 'c', 'NE', 12)], [], { groups: ['NE'] }));
    await store.rosters.saveDraft(roster('draft', [shift('d1', 'd', 'TT', 12)], [], { groups: ['TT'] }));
    expect(await store.rosters.shiftsOverlapping(T0, T0 + DAY)).toEqual([]);
    expect(await store.rosters.publish('ps', new Date().toISOString())).toMatchObject({ ok: true });
    expect(await store.rosters.publish('ne', new Date().toISOString())).toMatchObject({ ok: true });

    // 15:00–21:00: p1 (08–16) is still running, n1 (12–20) too, p2 starts at 20:00, p3 is the next day
    const window = await store.rosters.shiftsOverlapping(T0 + 15 * HOUR, T0 + 21 * HOUR);
    expect(window.map((s) => s.id)).toEqual(['p1', 'n1', 'p2']);
    expect(window[0]).toMatchObject({ agentId: 'a', skillGroupId: 'PS', start: T0 + 8 * HOUR, end: T0 + 16 * HOUR });
    // the end is exclusive on both sides
    expect((await store.rosters.shiftsOverlapping(T0 + 16 * HOUR, T0 + 20 * HOUR)).map((s) => s.id)).toEqual(['n1']);
    expect(await store.rosters.shiftsOverlapping(T0 + 30 * DAY, T0 + 31 * DAY)).toEqual([]);
  });

  test('when cloud agents claim slots of a published roster, then claimedSlotsOverlapping lists one entry per agent in the window', async () => {
    await store.rosters.saveDraft(roster('r', [], [slot('PS', 8, 2), slot('PS', 36, 1)]));
    await store.rosters.publish('r', new Date().toISOString());
    const [early, late] = await store.rosters.slots('r');
    for (const agent of ['c1', 'c2']) expect(await store.rosters.claim('r', early.id, agent, limits(), T0 - DAY)).toMatchObject({ ok: true });
    expect(await store.rosters.claim('r', late.id, 'c3', limits(), T0 - DAY)).toMatchObject({ ok: true });

    const window = await store.rosters.claimedSlotsOverlapping(T0 + 12 * HOUR, T0 + 13 * HOUR);
    expect(window).toEqual([
      { rosterId: 'r', slotId: early.id, skillGroupId: 'PS', agentId: 'c1', start: early.start, end: early.end },
      { rosterId: 'r', slotId: early.id, skillGroupId: 'PS', agentId: 'c2', start: early.start, end: early.end },
    ]);
    expect((await store.rosters.claimedSlotsOverlapping(T0, T0 + 2 * DAY)).map((c) => c.agentId)).toEqual(['c1', 'c2', 'c3']);
    expect(await store.rosters.claimedSlotsOverlapping(T0 + 17 * HOUR, T0 + 20 * HOUR)).toEqual([]);
  });

  test('when 100 agents claim a slot of 10 at once, then exactly 10 get it', async () => {
    await store.rosters.saveDraft(roster('r', [], [slot('PS', 8, 10)]));
    await store.rosters.publish('r', new Date().toISOString());
    const [s] = await store.rosters.slots('r');
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => store.rosters.claim('r', s.id, `c${i}`, limits(), T0 - DAY)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
    expect(outcomes.filter((o) => !o.ok && o.refusal === 'full')).toHaveLength(90);
    expect((await store.rosters.slots('r'))[0].claimedBy).toHaveLength(10);
  });

  test('when a claim breaks a rule, then it is refused with the rule and nothing is written', async () => {
    const slots = [slot('PS', 8, 5), slot('PS', 12, 5), slot('PS', 26, 5), slot('PS', 36, 5), slot('PS', 60, 5), slot('PS', 84, 5), slot('PS', 108, 5), slot('PS', 132, 5)];
    await store.rosters.saveDraft(roster('r', [], slots));
    const now = T0 - DAY;
    expect(await store.rosters.claim('r', slots[0].id, 'c', limits(), now)).toEqual({ ok: false, refusal: 'not-published' });
    await store.rosters.publish('r', new Date().toISOString());
    expect(await store.rosters.claim('r', slots[0].id, 'c', limits(), now)).toMatchObject({ ok: true, claimed: 1, agentsNeeded: 5 });
    expect(await store.rosters.claim('r', slots[0].id, 'c', limits(), now)).toEqual({ ok: false, refusal: 'already-claimed' });
    expect(await store.rosters.claim('r', slots[1].id, 'c', limits(), now)).toEqual({ ok: false, refusal: 'overlap', conflictWith: `r|${slots[0].id}` });
    // 08–16 then 02:00 next day: 10 h of rest < 11 h
    expect(await store.rosters.claim('r', slots[2].id, 'c', limits(), now)).toMatchObject({ ok: false, refusal: 'rest' });
    expect(await store.rosters.claim('r', slots[2].id, 'c', limits({ minRestMs: 10 * HOUR }), now)).toMatchObject({ ok: true });
    expect(await store.rosters.claim('r', slots[4].id, 'c', limits({ maxHoursPerWeek: 20 }), now)).toEqual({ ok: false, refusal: 'weekly-hours' });
    expect(await store.rosters.claim('r', slots[4].id, 'c', limits({ maxHoursPerWeek: 24 }), now)).toMatchObject({ ok: true });
    expect(await store.rosters.claim('r', 'slot-nope', 'c', limits(), now)).toEqual({ ok: false, refusal: 'no-slot' });
    expect(await store.rosters.claim('r', slots[5].id, 'c', limits(), slots[5].start)).toEqual({ ok: false, refusal: 'started' });
    expect(await store.rosters.claim('gone', slots[5].id, 'c', limits(), now)).toEqual({ ok: false, refusal: 'no-roster' });
    expect((await store.rosters.claimsOf('c')).map((c) => c.slotId)).toEqual([slots[0].id, slots[2].id, slots[4].id]);
    expect((await store.rosters.slots('r')).find((s) => s.id === slots[1].id)!.claimedBy).toEqual([]);
  });

  test('when a claim would be the agent\'s sixth working day in a week of a five-day contract, then it is refused', async () => {
    const slots = [0, 1, 2, 3, 4, 5].map((d) => slot('PS', 24 * d + 8, 2));
    await store.rosters.saveDraft(roster('r', [], slots));
    await store.rosters.publish('r', new Date().toISOString());
    const week = limits({ maxHoursPerWeek: 60, maxDaysPerWeek: 5, weekDayStartsMs: Array.from({ length: 7 }, (_, d) => T0 + d * DAY) });
    for (const s of slots.slice(0, 5)) expect(await store.rosters.claim('r', s.id, 'c', week, T0 - DAY)).toMatchObject({ ok: true });
    expect(await store.rosters.claim('r', slots[5].id, 'c', week, T0 - DAY)).toEqual({ ok: false, refusal: 'days-per-week' });
    expect((await store.rosters.slots('r')).find((x) => x.id === slots[5].id)!.claimedBy).toEqual([]);
    // six days are fine for a contract that allows them
    expect(await store.rosters.claim('r', slots[5].id, 'c', { ...week, maxDaysPerWeek: 6 }, T0 - DAY)).toMatchObject({ ok: true });
  });

  test('when a claim is released, then before the cut-off it frees the place, after it the claim stays', async () => {
    const s = slot('PS', 8, 1);
    await store.rosters.saveDraft(roster('r', [], [s]));
    await store.rosters.publish('r', new Date().toISOString());
    await store.rosters.claim('r', s.id, 'c1', limits(), T0 - 3 * DAY);
    const cutoff = 24 * HOUR;
    expect(await store.rosters.release('r', s.id, 'c1', cutoff, s.start - cutoff)).toEqual({ ok: false, refusal: 'cut-off', cutoffAt: s.start - cutoff });
    expect(await store.rosters.release('r', s.id, 'c2', cutoff, T0 - 2 * DAY)).toEqual({ ok: false, refusal: 'not-claimed' });
    expect(await store.rosters.release('r', s.id, 'c1', cutoff, s.start - cutoff - 1)).toEqual({ ok: true });
    expect(await store.rosters.claimsOf('c1')).toEqual([]);
    expect(await store.rosters.claim('r', s.id, 'c2', limits(), T0 - DAY)).toMatchObject({ ok: true });
  });

  test('when a draft overlaps a published roster of the same group, then publishing is refused; a re-plan supersedes it and takes its claims', async () => {
    const claimed = slot('PS', 8, 2);
    await store.rosters.saveDraft(roster('v1', [shift('p1', 'a', 'PS', 8)], [claimed]));
    expect(await store.rosters.publish('v1', '2030-01-01T00:00:00.000Z')).toMatchObject({ ok: true, movedClaims: 0 });
    await store.rosters.claim('v1', claimed.id, 'c1', limits(), T0 - DAY);

    await store.rosters.saveDraft(roster('other', [], [], { days: 3 }));
    expect(await store.rosters.publish('other', '2030-01-02T00:00:00.000Z')).toEqual({ ok: false, refusal: 'conflict', conflicts: ['v1'] });
    // another group, or a period that does not overlap, is no conflict
    await store.rosters.saveDraft(roster('ne', [], [], { groups: ['NE'] }));
    expect(await store.rosters.publish('ne', '2030-01-02T00:00:00.000Z')).toMatchObject({ ok: true });
    expect(await store.rosters.publish('ne', '2030-01-02T00:00:00.000Z')).toEqual({ ok: false, refusal: 'not-draft', status: 'published' });

    await store.rosters.saveDraft(roster('v2', [shift('p1', 'b', 'PS', 8)], [{ ...claimed, agentsNeeded: 3 }], { replanOf: 'v1' }));
    expect(await store.rosters.publish('v2', '2030-01-03T00:00:00.000Z')).toEqual({ ok: true, superseded: 'v1', movedClaims: 1, carriedSlots: [], enlargedSlots: [] });
    expect(await store.rosters.get('v1')).toMatchObject({ status: 'superseded', supersededBy: 'v2' });
    expect(await store.rosters.get('v2')).toMatchObject({ status: 'published', publishedAt: '2030-01-03T00:00:00.000Z' });
    expect((await store.rosters.shiftsOverlapping(T0, T0 + DAY)).map((s) => s.agentId)).toEqual(['b']);
    expect(await store.rosters.claimsOf('c1')).toEqual([expect.objectContaining({ rosterId: 'v2', slotId: claimed.id })]);
    expect((await store.rosters.slots('v2'))[0].claimedBy).toEqual(['c1']);
    expect((await store.rosters.slots('v1'))[0].claimedBy).toEqual([]);
    // the moved claim still counts against the agent's rules
    expect(await store.rosters.claim('v2', claimed.id, 'c1', limits(), T0 - DAY)).toEqual({ ok: false, refusal: 'already-claimed' });
  });

  test('when the published rosters overlapping a draft changed since the caller checked it against them, then publishing is stale and writes nothing', async () => {
    await store.rosters.saveDraft(roster('ps', [shift('p1', 'a', 'PS', 8)]));
    await store.rosters.saveDraft(roster('ne', [shift('n1', 'a', 'NE', 8)], [], { groups: ['NE'] }));
    await store.rosters.saveDraft(roster('tt', [], [], { groups: ['TT'] }));
    // both were checked against nothing published; the first wins, the second must check again
    expect(await store.rosters.publish('ps', '2030-01-01T00:00:00.000Z', [])).toMatchObject({ ok: true });
    expect(await store.rosters.publish('ne', '2030-01-01T00:00:00.000Z', [])).toEqual({ ok: false, refusal: 'stale' });
    expect(await store.rosters.get('ne')).toMatchObject({ status: 'draft' });
    expect(await store.rosters.publishedOverlapping(T0, T0 + DAY)).toEqual(['ps']);
    // checked against what is published now: published
    expect(await store.rosters.publish('ne', '2030-01-01T00:00:00.000Z', ['ps'])).toMatchObject({ ok: true });
    // a roster checked against that is no longer published (or never was) is stale too
    expect(await store.rosters.publish('tt', '2030-01-01T00:00:00.000Z', ['ps', 'ne', 'gone'])).toEqual({ ok: false, refusal: 'stale' });
    expect(await store.rosters.publish('tt', '2030-01-01T00:00:00.000Z', ['ne', 'ps'])).toMatchObject({ ok: true });
  });

  test('when a draft is saved again (a retried job), then it replaces the old draft whole', async () => {
    await store.rosters.saveDraft(roster('r', [shift('s1', 'a', 'PS', 8)], [slot('PS', 8, 1)]));
    await store.rosters.saveDraft(roster('r', [shift('s9', 'z', 'PS', 10)]));
    expect((await store.rosters.shifts('r')).map((s) => s.id)).toEqual(['s9']);
    expect(await store.rosters.agentIds('r')).toEqual(['z']);
    expect(await store.rosters.slots('r')).toEqual([]);
    await store.rosters.publish('r', new Date().toISOString());
    await expect(store.rosters.saveDraft(roster('r', []))).rejects.toThrow(/published/);
  });

  test('when a roster is deleted, then drafts and superseded ones go whole; a published one stays, and so do claims moved off the deleted one', async () => {
    const s1 = slot('PS', 8, 2);
    await store.rosters.saveDraft(roster('v1', [shift('p1', 'a', 'PS', 8)], [s1]));
    await store.rosters.publish('v1', new Date().toISOString());
    await store.rosters.claim('v1', s1.id, 'c1', limits(), T0 - DAY);
    expect(await store.rosters.delete('v1')).toBe('published');
    // the re-plan drops the slot: the claim is carried over to it (it used to stay behind on v1, orphaned)
    await store.rosters.saveDraft(roster('v2', [shift('p1', 'a', 'PS', 8)], [], { replanOf: 'v1' }));
    expect(await store.rosters.publish('v2', new Date().toISOString())).toMatchObject({ ok: true, carriedSlots: [{ slotId: s1.id, placesPlanned: 0, places: 1, agentIds: ['c1'] }] });
    expect(await store.rosters.delete('v1')).toBe('deleted');
    expect(await store.rosters.get('v1')).toBeUndefined();
    expect(await store.rosters.claimsOf('c1')).toEqual([expect.objectContaining({ rosterId: 'v2', slotId: s1.id })]);
    expect(await redis.keys(`${prefix}:{rosters}:v1:*`)).toEqual([]);
    expect((await store.rosters.list()).map((r) => r.id)).toEqual(['v2']);
    expect(await store.rosters.delete('v1')).toBe('no-roster');
  });
});
