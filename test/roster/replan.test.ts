import { assignShifts } from '../../src/roster/assign';
import { checkRoster } from '../../src/roster/checker';
import { netChanges, replanRoster } from '../../src/roster/replan';
import type { AssignmentResult } from '../../src/roster/assign';
import type { RosterChange } from '../../src/roster/replan';
import type { AssignedShift, PlannedShift } from '../../src/roster/types';
import { agent, day, PERIOD, shift } from './fixtures';

function plan(): PlannedShift[] {
  const shifts: PlannedShift[] = [];
  for (let d = 0; d < 14; d++) {
    shifts.push(shift(day(d), '07:00', 8, { id: `e${d}` }), shift(day(d), '14:00', 8, { id: `l${d}` }));
  }
  return shifts;
}

/**
 * The changes say exactly what the shift diff and the slot diff say: every shift that left an agent,
 * reached one or changed its times is named (by `shiftId` or `previousShiftId`) by an added, removed,
 * reassigned, moved or uncovered change and nothing else is; 'uncovered' names exactly the new slot places.
 */
function expectChangesToMatchTheDiffs(before: Pick<AssignmentResult, 'roster' | 'uncovered'>, after: Pick<AssignmentResult, 'roster' | 'uncovered'>, changes: RosterChange[]): void {
  const work = (s: AssignedShift | undefined) => (s ? `${s.agentId}|${s.skillGroupId}|${s.start}|${s.end}` : '');
  const was = new Map(before.roster.map((s) => [s.id, s]));
  const is = new Map(after.roster.map((s) => [s.id, s]));
  const shiftDiff = [...new Set([...was.keys(), ...is.keys()])].filter((id) => work(was.get(id)) !== work(is.get(id))).sort();
  const named = [...new Set(changes.flatMap((c) => [c.shiftId, ...(c.previousShiftId ? [c.previousShiftId] : [])]))].filter((id) => was.has(id) || is.has(id)).sort();
  expect(named).toEqual(shiftDiff);
  const wasOpen = new Set(before.uncovered.map((s) => s.id));
  const newSlots = after.uncovered.filter((s) => !wasOpen.has(s.id)).map((s) => s.id).sort();
  expect(changes.filter((c) => c.kind === 'uncovered').map((c) => c.shiftId).sort()).toEqual(newSlots);
  for (const c of changes) {
    if (c.kind === 'added' || c.kind === 'reassigned' || c.kind === 'moved') expect({ id: c.shiftId, agent: is.get(c.shiftId)?.agentId }).toEqual({ id: c.shiftId, agent: c.toAgentId });
    if (c.kind === 'removed') expect({ id: c.shiftId, agent: was.get(c.shiftId)?.agentId }).toEqual({ id: c.shiftId, agent: c.fromAgentId });
  }
}

const agents = ['a', 'b', 'c', 'd', 'e'].map((id) => agent(id, {}, { minHoursPerWeek: 0, maxHoursPerWeek: 40 }));

describe('re-planning a published roster', () => {
  const published = assignShifts({ plannedShifts: plan(), agents, period: PERIOD }).roster;
  const now = new Date(`${day(3)}T00:00:00+02:00`).getTime();

  test('when an agent falls ill for two days, then only their shifts move and the changes are listed', () => {
    const illDates = [day(4), day(5)];
    const ill = published.find((s) => s.date === day(4))!.agentId;
    const result = replanRoster({ published, agents, period: PERIOD, change: { absences: [{ agentId: ill, dates: illDates }] }, frozenBefore: now });
    const theirs = published.filter((s) => s.agentId === ill && illDates.includes(s.date));
    expect(theirs.length).toBeGreaterThan(0);
    for (const s of theirs) {
      const change = result.changes.find((c) => c.shiftId === s.id);
      expect(change?.kind).toMatch(/reassigned|uncovered/);
      expect(change?.fromAgentId).toBe(ill);
      expect(change?.reason).toMatch(new RegExp(`${ill} is absent`));
    }
    expect(result.roster.some((s) => s.agentId === ill && illDates.includes(s.date))).toBe(false);
    // Most of the published roster stands.
    expect(result.keptCount).toBeGreaterThanOrEqual(published.length - 3 * theirs.length);
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
  });

  test('when an agent with a weekly minimum falls ill mid-week, then the re-plan adds no top-up before now and none in their week of absence', () => {
    // a weekly minimum of 32 h for everyone: the ill agent's week falls short, and so may colleagues' after the moves
    const bound = ['a', 'b', 'c', 'd', 'e'].map((id) => agent(id, {}, { minHoursPerWeek: 32, maxHoursPerWeek: 40 }));
    const base = assignShifts({ plannedShifts: plan(), agents: bound, period: PERIOD }).roster;
    const ill = base.find((s) => s.date === day(4))!.agentId;
    const result = replanRoster({ published: base, agents: bound, period: PERIOD, change: { absences: [{ agentId: ill, dates: [day(4), day(5)] }] }, frozenBefore: now });
    for (const t of result.topUps) expect({ id: t.id, startsAfterNow: t.start >= now }).toEqual({ id: t.id, startsAfterNow: true });
    expect(result.topUps.filter((t) => t.agentId === ill && t.date < day(7))).toEqual([]);
    expect(result.changes.filter((c) => c.kind === 'added' && c.start < now)).toEqual([]);
    // their week of absence owes no minimum: not reported short, as the checker has it
    expect(result.belowMinimum.filter((b) => b.agentId === ill && b.week === 0)).toEqual([]);
    expect(checkRoster(result.roster, bound, PERIOD, { absences: [{ agentId: ill, dates: [day(4), day(5)] }], frozenBefore: now })).toEqual([]);
  });

  test('when an agent is absent the day after the period, then their night shift of its last day (which runs into that day) is taken away, and that week owes no minimum', () => {
    const nights = [...plan(), shift(day(13), '22:00', 8, { id: 'night-last' })];
    const bound = ['a', 'b', 'c', 'd', 'e'].map((id) => agent(id, {}, { minHoursPerWeek: 24, maxHoursPerWeek: 40 }));
    const base = assignShifts({ plannedShifts: nights, agents: bound, period: PERIOD }).roster;
    const night = base.find((s) => s.id === 'night-last')!;
    expect(night).toBeDefined();
    const absences = [{ agentId: night.agentId, dates: [day(14)] }];

    const result = replanRoster({ published: base, agents: bound, period: PERIOD, change: { absences }, frozenBefore: now });

    expect(result.roster.find((s) => s.id === 'night-last')?.agentId).not.toBe(night.agentId);
    expect(result.changes.find((c) => c.shiftId === 'night-last')).toEqual(expect.objectContaining({ fromAgentId: night.agentId, reason: expect.stringContaining(`${night.agentId} is absent on ${day(14)}`) }));
    expect(result.belowMinimum.filter((b) => b.agentId === night.agentId && b.week === 1)).toEqual([]);
    expect(checkRoster(result.roster, bound, PERIOD, { absences, frozenBefore: now })).toEqual([]);
  });

  test('when an agent is ill on a day already past, then that worked shift is not touched', () => {
    const past = published.find((s) => s.start < now)!;
    const result = replanRoster({ published, agents, period: PERIOD, change: { absences: [{ agentId: past.agentId, dates: [past.date] }] }, frozenBefore: now });
    expect(result.roster.find((s) => s.id === past.id)?.agentId).toBe(past.agentId);
    expect(result.changes.find((c) => c.shiftId === past.id)).toBeUndefined();
  });

  test('when the forecast moves a late shift an hour later, then its agent keeps the day at the new times (moved); a shift dropped with no other of its length that day is removed', () => {
    const late = published.find((s) => s.id === 'l8')!;
    const gone = published.find((s) => s.id === 'l9')!;
    // day 8's late shift becomes an evening one; day 9 loses its late shift and gets nothing in its place
    const moved = plan().filter((s) => s.id !== 'l8' && s.id !== 'l9').concat([shift(day(8), '15:00', 8, { id: 'x8' })]);
    const result = replanRoster({ published, agents, period: PERIOD, change: { plannedShifts: moved }, frozenBefore: now });
    expect(result.changes.find((c) => c.shiftId === 'x8')).toMatchObject({ kind: 'moved', fromAgentId: late.agentId, toAgentId: late.agentId, previousStart: late.start, previousEnd: late.end });
    expect(result.roster.find((s) => s.id === 'x8')?.agentId).toBe(late.agentId);
    expect(result.changes.find((c) => c.shiftId === 'l8')).toBeUndefined();
    expect(result.changes.find((c) => c.shiftId === 'l9')).toMatchObject({ kind: 'removed', fromAgentId: gone.agentId });
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
    // a shift of another length is no retiming: an 8-hour day is not pinned to a 4-hour shift (it would leave the agent short of their week)
    const shorter = replanRoster({ published, agents, period: PERIOD, change: { plannedShifts: plan().filter((s) => s.id !== 'l8').concat([shift(day(8), '15:00', 4, { id: 'h8' })]) }, frozenBefore: now });
    expect(shorter.changes.find((c) => c.shiftId === 'h8')?.kind).toMatch(/added|uncovered/);
    expect(shorter.changes.find((c) => c.shiftId === 'l8')).toMatchObject({ kind: 'removed', fromAgentId: late.agentId });
  });

  test('when the new plan has only shorter shifts where agents with top-ups worked, then nobody is pinned to them and every weekly minimum still holds', () => {
    const bound = ['a', 'b', 'c', 'd', 'e'].map((id) => agent(id, {}, { minHoursPerWeek: 32, maxHoursPerWeek: 40, maxDaysPerWeek: 5 }));
    const withTopUps = assignShifts({ plannedShifts: plan(), agents: bound, period: PERIOD }).roster;
    expect(withTopUps.some((s) => s.id.startsWith('topup-') && s.start >= now)).toBe(true);
    // from now on every late shift is cut to 4 hours at the same start
    const shorter = plan().map((s) => (s.id.startsWith('l') && s.start >= now ? shift(s.date, '14:00', 4, { id: `${s.id}-short` }) : s));
    const result = replanRoster({ published: withTopUps, agents: bound, period: PERIOD, change: { plannedShifts: shorter }, frozenBefore: now });
    expect(result.changes.filter((c) => c.kind === 'moved')).toEqual([]);
    expect(checkRoster(result.roster, bound, PERIOD, { frozenBefore: now }).filter((v) => v.rule === 'min-weekly-hours')).toEqual([]);
  });

  test('when the new plan holds a shift of that length only 8.5 hours later, then it is not a retiming (it would cost the agent\'s next day to rest)', () => {
    const early = published.find((s) => s.id === 'e8')!;
    const result = replanRoster({ published, agents, period: PERIOD, change: { plannedShifts: plan().filter((s) => s.id !== 'e8').concat([shift(day(8), '15:30', 8, { id: 'f8' })]) }, frozenBefore: now });
    expect(result.changes.filter((c) => c.kind === 'moved')).toEqual([]);
    expect(result.changes.find((c) => c.shiftId === 'e8')).toMatchObject({ kind: 'removed', fromAgentId: early.agentId });
    // the agent keeps the next morning
    const next = published.find((s) => s.agentId === early.agentId && s.date === day(9));
    if (next) expect(result.roster.find((s) => s.id === next.id)?.agentId).toBe(early.agentId);
    expect(checkRoster(result.roster, agents, PERIOD)).toEqual([]);
  });

  test('when netChanges reads the changes, then the same work removed from one agent and added to another is one reassignment, and a top-up re-added to its agent is none', () => {
    const work = { date: day(5), skillGroupId: 'PS', start: 1000, end: 2000 };
    const { changes, unchanged } = netChanges([
      { ...work, kind: 'removed', shiftId: 'old', fromAgentId: 'a', reason: 'no longer in the plan' },
      { ...work, kind: 'added', shiftId: 'new', toAgentId: 'b', reason: 'new shift in the plan' },
      { ...work, start: 3000, end: 4000, kind: 'removed', shiftId: 'topup-c', fromAgentId: 'c', reason: 'no longer in the plan' },
      { ...work, start: 3000, end: 4000, kind: 'added', shiftId: 'topup-c', toAgentId: 'c', reason: 'top-up to the weekly minimum hours' },
      { ...work, start: 5000, end: 6000, kind: 'removed', shiftId: 'gone', fromAgentId: 'd', reason: 'no longer in the plan' },
    ]);
    expect(changes).toEqual([
      { ...work, kind: 'reassigned', shiftId: 'new', previousShiftId: 'old', fromAgentId: 'a', toAgentId: 'b', reason: 'rules after the change' },
      { ...work, start: 5000, end: 6000, kind: 'removed', shiftId: 'gone', fromAgentId: 'd', reason: 'no longer in the plan' },
    ]);
    expect(unchanged).toBe(1);
  });

  test('when a published top-up is planned again as it was, then it is no change (not removed and added back)', () => {
    const bound = ['a', 'b', 'c', 'd', 'e'].map((id) => agent(id, {}, { minHoursPerWeek: 32, maxHoursPerWeek: 40 }));
    const withTopUps = assignShifts({ plannedShifts: plan(), agents: bound, period: PERIOD }).roster;
    const topUps = withTopUps.filter((s) => s.id.startsWith('topup-') && s.start >= now);
    expect(topUps.length).toBeGreaterThan(0);
    // the forecast "moved" to the same plan: the top-ups are not in it, the assignment makes them again
    const result = replanRoster({ published: withTopUps, agents: bound, period: PERIOD, change: { plannedShifts: plan() }, frozenBefore: now });
    const again = topUps.filter((t) => result.roster.some((s) => s.id === t.id && s.agentId === t.agentId && s.start === t.start && s.end === t.end));
    expect(again.length).toBeGreaterThan(0);
    for (const t of again) expect(result.changes.filter((c) => c.shiftId === t.id)).toEqual([]);
  });

  test('when a re-plan with an unchanged forecast has top-ups stand in for planned shifts, then those shifts are no new cloud slots: the changes match the shift and slot diffs exactly', () => {
    // the fixture of assign.test.ts: the solo agent's two top-ups of week 1 stand in for the 4-hour evenings c2 and c3
    const solo = [agent('solo', {}, { minHoursPerWeek: 32, maxHoursPerWeek: 40, maxDaysPerWeek: 4 })];
    const planned = [shift(day(0), '08:00', 8, { id: 'a0' }), shift(day(1), '15:00', 8, { id: 'b1' }), ...[2, 3].map((d) => shift(day(d), '19:00', 4, { id: `c${d}` }))];
    const before = assignShifts({ plannedShifts: planned, agents: solo, period: PERIOD });
    expect(before.standIns.map((x) => x.plannedShiftId).sort()).toEqual(['c2', 'c3']);
    const result = replanRoster({ published: before.roster, agents: solo, period: PERIOD, change: { plannedShifts: planned }, frozenBefore: 0 });
    expect(result.changes.filter((c) => c.kind === 'uncovered')).toEqual([]);
    expectChangesToMatchTheDiffs(before, result, result.changes);
    // the top-ups still stand in for them
    expect(result.standIns.map((x) => x.plannedShiftId).sort()).toEqual(['c2', 'c3']);
  });

  test('when the forecast moves a shift and its agent keeps the day at the new times, then the moved change names the published shift (previousShiftId)', () => {
    const late = published.find((s) => s.id === 'l8')!;
    const moved = plan().filter((s) => s.id !== 'l8').concat([shift(day(8), '15:00', 8, { id: 'x8' })]);
    const result = replanRoster({ published, agents, period: PERIOD, change: { plannedShifts: moved }, frozenBefore: now });
    expect(result.changes.find((c) => c.shiftId === 'x8')).toMatchObject({ kind: 'moved', previousShiftId: 'l8', previousStart: late.start });
    expectChangesToMatchTheDiffs({ roster: published, uncovered: [] }, result, result.changes);
  });

  test('when netChanges reads a top-up of one agent removed and one of the same group and times added for another, then it is one reassignment naming the published top-up', () => {
    const work = { date: day(5), skillGroupId: 'PS', start: 1000, end: 2000 };
    const { changes } = netChanges([
      { ...work, kind: 'removed', shiftId: 'topup-a', fromAgentId: 'a', reason: 'no longer in the plan' },
      { ...work, kind: 'added', shiftId: 'topup-b', toAgentId: 'b', reason: 'top-up to the weekly minimum hours' },
    ]);
    expect(changes).toEqual([{ ...work, kind: 'reassigned', shiftId: 'topup-b', previousShiftId: 'topup-a', fromAgentId: 'a', toAgentId: 'b', reason: 'rules after the change' }]);
  });

  test('when netChanges reads a shift of an agent removed and the same work added for the same agent under a new id, then it is no reassignment from the agent to themself', () => {
    const work = { date: day(5), skillGroupId: 'PS', start: 1000, end: 2000 };
    const { changes } = netChanges([
      { ...work, kind: 'removed', shiftId: 'PS-planned-1', fromAgentId: 'a', reason: 'no longer in the plan' },
      { ...work, kind: 'added', shiftId: 'topup-a', toAgentId: 'a', reason: 'top-up to the weekly minimum hours' },
    ]);
    expect(changes.map((c) => c.kind).sort()).toEqual(['added', 'removed']);
  });
});
