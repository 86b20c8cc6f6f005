import { WfmError } from '../../src/errors/wfm-error';
import { DateTime } from 'luxon';
import { asPublishedWhereSame, buildRoster, groupChanges, replanStoredRoster, rosterInputProblems, templatesOf, type BuildRosterInput } from '../../src/roster/build';
import { DEFAULT_TEMPLATES } from '../../src/roster/templates';
import { checkRoster } from '../../src/roster/checker';
import { requirementPerInterval } from '../../src/staffing/requirement';
import type { Agent, IntervalVolume, SkillGroup } from '../../src/domain/types';
import type { AssignedShift } from '../../src/roster/types';
import { agent, skillGroup } from '../support/examples';

const ZONE = 'Asia/Jerusalem';
const period = { from: '2030-01-07', days: 3, timeZone: ZONE };
const group: SkillGroup = skillGroup({ id: 'PS', timeZone: ZONE });
const contract = { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
const agents: Agent[] = Array.from({ length: 4 }, (_, i) => agent({ id: `A${i}`, timeZone: ZONE, contract, skills: [{ skillGroupId: 'PS' }, { skillGroupId: 'NE' }] }));

/** 40 calls per half hour from 08:00 to 18:00: more than four agents can answer. */
function forecast(): IntervalVolume[] {
  const rows: IntervalVolume[] = [];
  for (let d = 0; d < period.days; d++) {
    const day = DateTime.fromISO(period.from, { zone: ZONE }).plus({ days: d }).set({ hour: 8 });
    for (let k = 0; k < 20; k++) rows.push({ skillGroupId: 'PS', start: day.plus({ minutes: 30 * k }).toMillis(), volume: 40 });
  }
  return rows;
}

const input = (extra: Partial<BuildRosterInput> = {}): BuildRosterInput => ({ period, skillGroups: [group], agents, forecast: forecast(), rules: { options: { ruinAndRecreateIterations: 200 } }, ...extra });

function otherRosterShift(id: string, agentId: string, date: string, from: string, hours: number): AssignedShift {
  const start = DateTime.fromISO(`${date}T${from}`, { zone: ZONE });
  return { id, agentId, skillGroupId: 'NE', templateId: 'x', kind: 'day', date, start: start.toMillis(), end: start.plus({ hours }).toMillis(), breaks: [] };
}

describe('building a roster end to end (pure)', () => {
  test('when demand exceeds the partners, then the roster is valid, the rest becomes slots, and the coverage and summary agree', () => {
    const built = buildRoster(input());
    expect(checkRoster(built.shifts, agents, period)).toEqual([]);
    expect(built.slots.length).toBeGreaterThan(0);
    expect(built.summary.slotPlaces).toBe(built.uncovered.length);
    expect(built.summary.partnerShifts).toBe(built.shifts.length);
    const short = built.coverage.filter((c) => c.shortfall > 0);
    expect(short.length).toBeGreaterThan(0);
    for (const c of built.coverage) {
      expect(c.shortfall).toBeCloseTo(Math.max(0, c.required - c.scheduled), 5);
      expect(c.serviceLevel).toBeGreaterThanOrEqual(0);
      expect(c.serviceLevel).toBeLessThanOrEqual(1);
    }
    expect(built.summary.lpLowerBoundPaidHours).toBeGreaterThan(0);
  });

  test('when an agent works another published roster, then those hours are respected and not returned', () => {
    const busy = [otherRosterShift('ne-1', 'A0', '2030-01-07', '08:00', 8), otherRosterShift('ne-2', 'A0', '2030-01-08', '08:00', 8)];
    const built = buildRoster(input({ busy }));
    expect(built.shifts.some((s) => s.id.startsWith('ne-'))).toBe(false);
    expect(built.shifts.some((s) => s.agentId === 'A0' && ['2030-01-07', '2030-01-08'].includes(s.date))).toBe(false);
    expect(checkRoster([...built.shifts, ...busy], agents, period)).toEqual([]);
  });

  test('when agents worked the evening before the period (the previous roster) or start early the day after, then the minimum rest holds across the edge', () => {
    // every agent until midnight before the period; A0 also at 02:00 the day after it
    const before = agents.map((a, i) => otherRosterShift(`prev-${i}`, a.id, '2030-01-06', '20:00', 4));
    const after = [otherRosterShift('next-0', 'A0', '2030-01-10', '02:00', 8)];
    const built = buildRoster(input({ busy: [...before, ...after] }));
    const day0 = built.shifts.filter((s) => s.date === '2030-01-07');
    expect(day0.length).toBeGreaterThan(0);
    // 11 hours after midnight: nobody starts before 11:00
    for (const s of day0) expect(s.start).toBeGreaterThanOrEqual(DateTime.fromISO('2030-01-07T11:00', { zone: ZONE }).toMillis());
    for (const s of built.shifts.filter((x) => x.agentId === 'A0' && x.date === '2030-01-09')) expect(s.end).toBeLessThanOrEqual(DateTime.fromISO('2030-01-09T15:00', { zone: ZONE }).toMillis());
    const commitments = [...before, ...after].map(({ agentId, start, end, date }) => ({ agentId, start, end, date }));
    expect(checkRoster(built.shifts, agents, period, { commitments })).toEqual([]);
    // and the independent checker sees a shift that breaks it
    const early = { ...day0[0], start: DateTime.fromISO('2030-01-07T08:00', { zone: ZONE }).toMillis() };
    expect(checkRoster([early], agents, period, { commitments }).map((v) => v.rule)).toContain('min-rest');
  });

  test('when agents worked the days just before the period or work the days after it (other rosters), then runs of working days stay within the contract across the edges', () => {
    // contract: at most 5 days in a row. Everyone worked the 5 days before the period; A1 also works the
    // 5 days after it; A2 worked only the 3 days before. Demand exceeds the four agents every day.
    const days = (from: string, n: number) => Array.from({ length: n }, (_, k) => DateTime.fromISO(from).plus({ days: k }).toISODate()!);
    const before = agents.flatMap((a) => days(a.id === 'A2' ? '2030-01-04' : '2030-01-02', a.id === 'A2' ? 3 : 5).map((date) => otherRosterShift(`prev-${a.id}-${date}`, a.id, date, '06:00', 8)));
    const after = days('2030-01-10', 5).map((date) => otherRosterShift(`next-A1-${date}`, 'A1', date, '12:00', 8));
    const built = buildRoster(input({ busy: [...before, ...after] }));
    const worked = (id: string, date: string) => built.shifts.some((s) => s.agentId === id && s.date === date);
    // a sixth day in a row on the period's first day: nobody, except A2 (three days so far)
    expect(agents.filter((a) => worked(a.id, '2030-01-07')).map((a) => a.id)).toEqual(['A2']);
    // A2 may then work a second day, not all three (3 + 3 = 6)
    expect(['2030-01-07', '2030-01-08', '2030-01-09'].filter((d) => worked('A2', d)).length).toBeLessThan(3);
    // A1, working the 5 days after it, has the period's last day off
    expect(worked('A1', '2030-01-09')).toBe(false);
    const commitments = [...before, ...after].map(({ agentId, start, end, date }) => ({ agentId, start, end, date }));
    expect(checkRoster(built.shifts, agents, period, { commitments })).toEqual([]);
    // and the independent checker counts the other rosters' days in a run
    const sixth = { ...built.shifts.find((s) => s.date === '2030-01-08')!, agentId: 'A1', date: '2030-01-09' };
    const flagged = checkRoster([sixth], agents, period, { commitments }).filter((v) => v.rule === 'max-consecutive-days');
    expect(flagged.map((v) => v.message)).toEqual([expect.stringMatching(/A1 works 6 days in a row > 5 \(2030-01-09 to 2030-01-14, days of other rosters included\)/)]);
  });

  test('when the shifts to keep already break a rule, then the build fails loudly instead of storing a bad roster', () => {
    // two shifts of another roster on one day for A0: pinned as they are, so the checker must catch them
    const busy = [otherRosterShift('ne-1', 'A0', '2030-01-07', '06:00', 4), otherRosterShift('ne-2', 'A0', '2030-01-07', '12:00', 4)];
    expect(() => buildRoster(input({ busy }))).toThrow(/independent checker found \d+ hard-rule violation/);
  });

  test('when contracts contradict or nobody has the skill, then it is refused naming the agent and rule', () => {
    const stuck = agent({ id: 'Z', timeZone: ZONE, contract: { ...contract, minHoursPerWeek: 30, maxDaysPerWeek: 3 } });
    expect(() => buildRoster(input({ agents: [...agents, stuck] }))).toThrow(expect.objectContaining({ code: 'infeasible', details: [expect.objectContaining({ where: '/agents/Z/contract' })] }));
    expect(() => buildRoster(input({ skillGroups: [group, skillGroup({ id: 'XX', timeZone: ZONE })] }))).toThrow(expect.objectContaining({ details: [expect.objectContaining({ where: '/skillGroups/1', message: expect.stringMatching(/no partner agent has skill XX/) })] }));
  });

  test('when availability, days off or shift lengths leave no week that meets a contract minimum, then it is refused as contradictory naming the agent and rule (not a failed build)', () => {
    const week = { from: '2030-01-07', days: 7, timeZone: ZONE };
    const minimum = { ...contract, minHoursPerWeek: 30 };
    const stuck = [
      agent({ id: 'MON', timeZone: ZONE, contract: minimum, availability: [{ days: [1], from: '08:00', to: '17:00' }] }),
      agent({ id: 'SHORT', timeZone: ZONE, contract: minimum, availability: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '08:00', to: '10:00' }] }),
      agent({ id: 'GAP', timeZone: ZONE, contract: { ...contract, minHoursPerWeek: 3, maxHoursPerWeek: 3.5 } }),
    ];
    const problems = rosterInputProblems({ period: week, skillGroups: [group], agents: [...agents, ...stuck] });
    expect(problems.map((p) => p.where)).toEqual(['/agents/MON/contract', '/agents/SHORT/contract', '/agents/GAP/contract']);
    expect(problems[0].message).toMatch(/^MON: minHoursPerWeek 30 cannot be met in the week from 2030-01-07: .*at most 8\.5 h .*\(rule: weekly min hours vs availability, days off and shift lengths\)$/);
    expect(problems[2].message).toMatch(/GAP: minHoursPerWeek 3 cannot be met .*no shift \(4 h, 8\.5 h\) fits within maxHoursPerWeek 3\.5/);
    // reachable minimums stay allowed: every weekday 08:00–17:00 gives 5 × 8.5 h; a partial week has no minimum
    const fine = agent({ id: 'FINE', timeZone: ZONE, contract: minimum, availability: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '17:00' }] });
    expect(rosterInputProblems({ period: week, skillGroups: [group], agents: [...agents, fine] })).toEqual([]);
    expect(rosterInputProblems({ period, skillGroups: [group], agents: [...agents, ...stuck.slice(0, 2)] })).toEqual([]);
    expect(() => buildRoster(input({ period: week, agents: [...agents, stuck[0]] }))).toThrow(expect.objectContaining({ code: 'infeasible' }));
  });

  test('when an agent takes days off (leave) in a week, then that week owes no minimum: the roster builds and the checker passes it', () => {
    const week = { from: '2030-01-07', days: 7, timeZone: ZONE };
    const minimum = { ...contract, minHoursPerWeek: 30 };
    const leave = [
      agent({ id: 'OFF', timeZone: ZONE, contract: minimum, daysOff: ['2030-01-07', '2030-01-08', '2030-01-09', '2030-01-10', '2030-01-11'] }),
      agent({ id: 'TWO', timeZone: ZONE, contract: { ...minimum, consecutiveDaysOff: true }, daysOff: ['2030-01-08', '2030-01-10'] }),
    ];
    expect(rosterInputProblems({ period: week, skillGroups: [group], agents: [...agents, ...leave] })).toEqual([]);
    const built = buildRoster(input({ period: week, agents: [...agents, ...leave] }));
    expect(checkRoster(built.shifts, [...agents, ...leave], week)).toEqual([]);
    expect(built.shifts.filter((s) => s.agentId === 'OFF').every((s) => s.date > '2030-01-11')).toBe(true);
  });

  test('when an agent\'s availability holds shifts of the right length but at no allowed start time, then it is refused before planning naming the start times', () => {
    const week = { from: '2030-01-07', days: 7, timeZone: ZONE };
    // 00:00–09:00 every day: room for 8.5 hours, but no default template may start before 06:00
    const early = agent({ id: 'EARLY', timeZone: ZONE, contract: { ...contract, minHoursPerWeek: 20 }, availability: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '09:00' }] });
    const problems = rosterInputProblems({ period: week, skillGroups: [group], agents: [...agents, early] });
    expect(problems).toEqual([{ where: '/agents/EARLY/contract', message: expect.stringMatching(/^EARLY: minHoursPerWeek 20 cannot be met .*fits their availability and days off at the templates' allowed start times/) }]);
  });

  test('when the plan holds no shift an agent can work (a night-only agent of a queue open by day), then the build is refused naming the agent and the weekly minimum, not failed as a checker error', () => {
    const week = { from: '2030-01-07', days: 7, timeZone: ZONE };
    const rows = Array.from({ length: 7 }, (_, d) => forecast().map((r) => ({ ...r, start: r.start + d * 86_400_000 })).slice(0, 20)).flat();
    const night = agent({ id: 'NIGHT', timeZone: ZONE, contract: { ...contract, minHoursPerWeek: 20 }, availability: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '21:00', to: '24:00' }, { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '07:00' }] });
    expect(rosterInputProblems({ period: week, skillGroups: [group], agents: [...agents, night] })).toEqual([]);
    expect(() => buildRoster(input({ period: week, agents: [...agents, night], forecast: rows }))).toThrow(
      expect.objectContaining({ code: 'infeasible', details: [{ where: '/agents/NIGHT/contract', message: expect.stringMatching(/^NIGHT works 0 h < 20 h .*no planned shift and no top-up shift fits .*\(rule: weekly min hours\)$/) }] }),
    );
  });

  test('when the run of working days a neighbouring roster ends with leaves no room for the weekly minimum, then the refusal says the edge counts', () => {
    const week = { from: '2030-01-07', days: 7, timeZone: ZONE };
    const rows = Array.from({ length: 7 }, (_, d) => forecast().map((r) => ({ ...r, start: r.start + d * 86_400_000 }))).flat();
    // two days in a row at most: with the 5th and 6th worked in the roster before, the 7th is off, and
    // two-on-one-off from the 8th gives 4 days of this week (34 h), not the 5 its 42.5 h minimum needs
    const run = agent({ id: 'RUN', timeZone: ZONE, contract: { ...contract, minHoursPerWeek: 42.5, maxHoursPerWeek: 42.5, maxConsecutiveDays: 2 } });
    const busy = [otherRosterShift('prev-1', 'RUN', '2030-01-05', '08:00', 8.5), otherRosterShift('prev-2', 'RUN', '2030-01-06', '08:00', 8.5)];
    let error: unknown;
    try {
      const problems = rosterInputProblems({ period: week, skillGroups: [group], agents: [...agents, run], busy });
      if (problems.length) throw new WfmError('infeasible', 'refused before planning', { details: problems });
      buildRoster(input({ period: week, agents: [...agents, run], forecast: rows, busy }));
    } catch (err) {
      error = err;
    }
    expect(error).toEqual(expect.objectContaining({ code: 'infeasible' }));
    const details = (error as WfmError).details.filter((d) => d.where === '/agents/RUN/contract');
    expect(details).toEqual([expect.objectContaining({ message: expect.stringMatching(/^RUN works 34 h < 42.5 h .*counted across the period's edges from their 2 shift\(s\) in neighbouring rosters \(published, or --previous\)/) })]);
    // nothing in RUN's own data is at fault (no availability, no days off): nothing advises widening them
    expect((error as WfmError).message).not.toMatch(/availability/);
    expect(details[0].message).not.toMatch(/availability|days off/);
  });

  test('when a roster is re-planned with its forecast unchanged (read back from its stored coverage), then every interval requires exactly what it did', () => {
    // handle times just past an Erlang step: one more agent is needed than at the same time rounded to 0.1 s
    const required = (ahtSeconds: number) => requirementPerInterval([group], [{ skillGroupId: 'PS', start: 0, volume: 40, ahtSeconds }])[0].rawAgents;
    let step = 150;
    while (step < 400 && required(step + 0.04) === required(step)) step = Math.round((step + 0.1) * 10) / 10;
    expect(required(Math.round((step + 0.04) * 10) / 10)).not.toBe(required(step + 0.04));
    const rows = forecast().map((r) => ({ ...r, ahtSeconds: step + 0.04 }));
    const base = input({ forecast: rows });
    const built = buildRoster(base);
    const fromCoverage = built.coverage.map((c) => ({ skillGroupId: c.skillGroupId, start: c.intervalStart, volume: c.volume, ahtSeconds: c.ahtSeconds }));
    const replanned = replanStoredRoster({ ...base, forecast: fromCoverage, base: { shifts: built.shifts, uncovered: built.uncovered, slots: built.slots.map((x) => ({ ...x, claimedBy: [] })) }, forecastMoved: false, frozenBefore: 0 });
    expect(replanned.coverage.map((c) => c.required)).toEqual(built.coverage.map((c) => c.required));
  });

  test('when an agent with a weekly minimum falls ill for most of a week, then the re-plan succeeds: their shifts move, the checker holds, the minimum is excused', () => {
    const fullTime = agents.map((a) => ({ ...a, contract: { ...contract, minHoursPerWeek: 16 } }));
    const week = { from: '2030-01-07', days: 7, timeZone: ZONE };
    const rows = Array.from({ length: 7 }, (_, d) => forecast().map((r) => ({ ...r, start: r.start + d * 86_400_000 })).slice(0, 20)).flat();
    const base = input({ period: week, agents: fullTime, forecast: rows });
    const built = buildRoster(base);
    const ill = built.shifts[0].agentId;
    const theirs = built.shifts.filter((s) => s.agentId === ill);
    // ill every day but their last working one: 8.5 h at most is left, under the minimum of 16
    const lastDay = theirs[theirs.length - 1].date;
    const illDates = ['2030-01-07', '2030-01-08', '2030-01-09', '2030-01-10', '2030-01-11', '2030-01-12', '2030-01-13'].filter((d) => d !== lastDay);
    const replanned = replanStoredRoster({
      ...base,
      base: { shifts: built.shifts, uncovered: built.uncovered, slots: built.slots.map((s) => ({ ...s, claimedBy: [] })) },
      absences: [{ agentId: ill, dates: illDates }],
      forecastMoved: false,
      frozenBefore: 0,
    });
    expect(replanned.shifts.some((s) => s.agentId === ill && illDates.includes(s.date))).toBe(false);
    expect(checkRoster(replanned.shifts, fullTime, week, { absences: [{ agentId: ill, dates: illDates }] })).toEqual([]);
    for (const s of theirs.filter((x) => illDates.includes(x.date))) expect(replanned.changes!.find((c) => c.shiftId === s.id)).toMatchObject({ fromAgentId: ill });
  });

  test('when the forecast "moved" but plans the same shifts, then the re-plan keeps their ids, agents and breaks and lists no change', () => {
    const base = input();
    const built = buildRoster(base);
    // the stored breaks differ from what a fresh plan lays out (a planner moved a meal, or the restagger did): they must stay
    const shifted = built.shifts.map((s, i) => (i === 0 && s.breaks.length ? { ...s, breaks: s.breaks.map((b) => ({ ...b, start: b.start + 15 * 60_000, end: b.end + 15 * 60_000 })) } : s));
    const replanned = replanStoredRoster({ ...base, base: { shifts: shifted, uncovered: built.uncovered, slots: built.slots.map((x) => ({ ...x, claimedBy: [] })) }, forecastMoved: true, frozenBefore: 0 });
    const byId = new Map(replanned.shifts.map((s) => [s.id, s]));
    const kept = shifted.filter((s) => byId.get(s.id)?.agentId === s.agentId);
    expect(kept.length).toBeGreaterThanOrEqual(shifted.length - 2);
    for (const s of kept) expect(byId.get(s.id)!.breaks).toEqual(s.breaks);
    // nothing is both removed and added, and slots that stay slots are no change
    const removed = new Set(replanned.changes!.filter((c) => c.kind === 'removed').map((c) => `${c.start}|${c.end}|${c.fromAgentId}`));
    expect(replanned.changes!.filter((c) => c.kind === 'added' && removed.has(`${c.start}|${c.end}|${c.toAgentId}`))).toEqual([]);
    expect(replanned.changes!.filter((c) => c.kind === 'uncovered' && !c.fromAgentId)).toEqual([]);
    expect(checkRoster(replanned.shifts, agents, period)).toEqual([]);
  });

  test('when a top-up is made again for the same agent and times, then it keeps its published group and breaks, unless it stands in for the new group\'s uncovered hours', () => {
    const published = otherRosterShift('topup-A1-2030-01-08-E8-0800', 'A1', '2030-01-08', '08:00', 8);
    const withBreak = { ...published, skillGroupId: 'PS', breaks: [{ kind: 'meal' as const, start: published.start + 3 * 3_600_000, end: published.start + 3.5 * 3_600_000 }] };
    const again = { ...withBreak, skillGroupId: 'NE', breaks: [{ kind: 'meal' as const, start: published.start + 5 * 3_600_000, end: published.start + 5.5 * 3_600_000 }] };
    expect(asPublishedWhereSame([withBreak], [])(again)).toEqual(withBreak);
    expect(asPublishedWhereSame([withBreak], [{ topUpShiftId: again.id }])(again)).toEqual(again);
    // another agent or other times: a different shift
    expect(asPublishedWhereSame([withBreak], [])({ ...again, agentId: 'A2' })).toEqual({ ...again, agentId: 'A2' });
  });

  test('when a kept shift is now for another of the agent\'s groups, then the re-plan lists it as moved with the group it was for', () => {
    const before = { ...otherRosterShift('topup-A1-2030-01-08-E8-0800', 'A1', '2030-01-08', '08:00', 8), skillGroupId: 'PS' };
    const after = { ...before, skillGroupId: 'NE' };
    expect(groupChanges([before], [after])).toEqual([expect.objectContaining({ kind: 'moved', shiftId: before.id, fromAgentId: 'A1', toAgentId: 'A1', skillGroupId: 'NE', previousSkillGroupId: 'PS', previousStart: before.start })]);
    expect(groupChanges([before], [before])).toEqual([]);
    expect(groupChanges([before], [{ ...after, agentId: 'A2' }])).toEqual([]); // another agent: the assignment's own change, listed there
  });

  test('when a roster with claimed slots is re-planned, then the claimed places stay slots and partners do not take them', () => {
    const built = buildRoster(input());
    const claimedSlot = built.slots.find((s) => s.agentsNeeded >= 1)!;
    const base = { shifts: built.shifts, uncovered: built.uncovered, slots: built.slots.map((s) => ({ ...s, claimedBy: s.id === claimedSlot.id ? ['C1'] : [] })) };
    const absent = built.shifts[0];
    const replanned = replanStoredRoster({ ...input(), base, absences: [{ agentId: absent.agentId, dates: [absent.date] }], forecastMoved: false, frozenBefore: 0 });
    expect(checkRoster(replanned.shifts, agents, period)).toEqual([]);
    const carried = replanned.slots.find((s) => s.id === claimedSlot.id)!;
    expect(carried.agentsNeeded).toBeGreaterThanOrEqual(1);
    expect(replanned.changes!.find((c) => c.shiftId === absent.id)).toMatchObject({ fromAgentId: absent.agentId });
    expect(replanned.shifts.some((s) => s.agentId === absent.agentId && s.date === absent.date)).toBe(false);
    // every planned shift is worked by a partner or offered as a slot place, the claimed one included
    expect(replanned.shifts.length + replanned.slots.reduce((n, s) => n + s.agentsNeeded, 0)).toBe(built.shifts.length + built.uncovered.length);
    // slots that stay slots are no change
    expect(replanned.changes!.every((c) => c.kind !== 'uncovered' || c.fromAgentId)).toBe(true);
  });

  test('when an agent falls ill during a shift already under way, then the re-plan keeps that shift with them and moves their later shifts on absent dates', () => {
    const built = buildRoster(input());
    const base = { shifts: built.shifts, uncovered: built.uncovered, slots: built.slots.map((s) => ({ ...s, claimedBy: [] })) };
    // someone working on the first day and again later, so both rules are exercised
    const underWay = built.shifts.find((s) => s.date === period.from && built.shifts.some((o) => o.agentId === s.agentId && o.date > s.date))!;
    const later = built.shifts.find((s) => s.agentId === underWay.agentId && s.date > underWay.date)!;
    const now = underWay.start + 2 * 3_600_000;
    const absences = [{ agentId: underWay.agentId, dates: [underWay.date, later.date] }];
    const replanned = replanStoredRoster({ ...input(), base, absences, forecastMoved: false, frozenBefore: now });
    expect(replanned.shifts.find((s) => s.id === underWay.id)?.agentId).toBe(underWay.agentId);
    expect(replanned.changes!.find((c) => c.shiftId === underWay.id)).toBeUndefined();
    expect(replanned.shifts.some((s) => s.agentId === underWay.agentId && s.date === later.date)).toBe(false);
    expect(replanned.changes!.find((c) => c.shiftId === later.id)).toMatchObject({ fromAgentId: underWay.agentId });
    // the checker still holds a shift that had not started to the absence
    expect(checkRoster(replanned.shifts, agents, period, { absences, frozenBefore: now })).toEqual([]);
    const notStarted = { ...later, agentId: underWay.agentId, id: 'not-started' };
    expect(checkRoster([...replanned.shifts.filter((s) => !(s.agentId === underWay.agentId && s.date === later.date)), notStarted], agents, period, { absences, frozenBefore: now }).map((v) => v.rule)).toContain('absence');
  });

  test('when a re-planned roster has slots cloud agents claimed, then each claimed shift keeps its own breaks, also beside new places in the same slot', () => {
    const built = buildRoster(input());
    // a slot of at least two places, of which one is claimed: the re-plan offers the other again in the same slot
    const slot = built.slots.find((s) => s.agentsNeeded >= 2)!;
    expect(slot).toBeDefined();
    const [claimedId, ...others] = slot.shiftIds;
    // the claimed shift's breaks differ from its slot-mates' so that borrowed breaks would show
    const own = built.uncovered.find((s) => s.id === claimedId)!;
    const marked = { ...own, breaks: own.breaks.map((b) => ({ ...b, start: b.start + 15 * 60_000, end: b.end + 15 * 60_000 })) };
    expect(marked.breaks.length).toBeGreaterThan(0);
    const uncovered = built.uncovered.map((s) => (s.id === claimedId ? marked : s));
    const base = { shifts: built.shifts, uncovered, slots: built.slots.map((s) => ({ ...s, claimedBy: s.id === slot.id ? ['C1'] : [] })) };
    const absent = built.shifts[0];
    const replanned = replanStoredRoster({ ...input(), base, absences: [{ agentId: absent.agentId, dates: [absent.date] }], forecastMoved: false, frozenBefore: 0 });
    const after = replanned.slots.find((s) => s.id === slot.id)!;
    expect(after.agentsNeeded).toBeGreaterThanOrEqual(slot.agentsNeeded);
    // readers take the i-th claimant's shift as the slot's i-th, and look its breaks up among the uncovered shifts
    const byId = new Map(replanned.uncovered.map((s) => [s.id, s]));
    expect(after.shiftIds[0]).toBe(claimedId);
    expect(byId.get(after.shiftIds[0])?.breaks).toEqual(marked.breaks);
    for (const id of others) expect(after.shiftIds).toContain(id);
    // partners do not take the claimed shift, and the places add up as before
    expect(replanned.shifts.some((s) => s.id === claimedId)).toBe(false);
    expect(replanned.shifts.length + replanned.slots.reduce((n, s) => n + s.agentsNeeded, 0)).toBe(built.shifts.length + built.uncovered.length);
    expect(replanned.summary.slotPlaces).toBe(replanned.uncovered.length);
  });

  test('when the rules name an empty list of templates, then it is refused naming /rules/templates (absent templates still mean the defaults)', () => {
    const problems = rosterInputProblems({ period, skillGroups: [group], agents, rules: { templates: [] } });
    expect(problems).toEqual([{ where: '/rules/templates', message: expect.stringMatching(/at least one shift template/) }]);
    expect(() => buildRoster(input({ rules: { templates: [] } }))).toThrow(expect.objectContaining({ code: 'infeasible', status: 422, details: [expect.objectContaining({ where: '/rules/templates' })] }));
    expect(templatesOf({ templates: [] })).toEqual([]);
    expect(templatesOf({})).toBe(DEFAULT_TEMPLATES);
    expect(rosterInputProblems({ period, skillGroups: [group], agents, rules: {} })).toEqual([]);
  });
});
