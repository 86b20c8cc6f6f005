/**
 * A 24/7 line's rosters follow each other: the night shifts of one roster's last day work into the next
 * roster's first hours, which no shift of the next roster can reach (its shifts start on its own days).
 */
import { DateTime } from 'luxon';
import { buildRoster, type BuildRosterInput } from '../../src/roster/build';
import { planShifts } from '../../src/roster/lp';
import { DEFAULT_TEMPLATES } from '../../src/roster/templates';
import { checkRoster } from '../../src/roster/checker';
import type { Agent, IntervalVolume, SkillGroup } from '../../src/domain/types';
import type { AssignedShift, RequirementRow } from '../../src/roster/types';
import { agent, skillGroup } from '../support/examples';

const ZONE = 'Europe/Berlin';
const group: SkillGroup = skillGroup({ id: 'RSA', timeZone: ZONE, openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] });
const at = (date: string, time: string) => DateTime.fromISO(`${date}T${time}`, { zone: ZONE }).toMillis();

/** 12 calls every half hour, round the clock, on `days` days from `from`. */
function roundTheClock(from: string, days: number): IntervalVolume[] {
  const rows: IntervalVolume[] = [];
  for (let d = 0; d < days; d++) {
    const day = DateTime.fromISO(from, { zone: ZONE }).plus({ days: d });
    for (let k = 0; k < 48; k++) rows.push({ skillGroupId: 'RSA', start: day.plus({ minutes: 30 * k }).toMillis(), volume: 12 });
  }
  return rows;
}

const contract = { class: 'full-time', minHoursPerWeek: 0, maxHoursPerWeek: 48, maxDaysPerWeek: 6, maxConsecutiveDays: 6, minRestHours: 11 };
const agents: Agent[] = Array.from({ length: 24 }, (_, i) => agent({ id: `A${String(i).padStart(2, '0')}`, timeZone: ZONE, contract, skills: [{ skillGroupId: 'RSA' }] }));

describe('the hand-over between consecutive rosters of a 24/7 line', () => {
  test('when the LP plans the last day of a period and the forecast runs on, then the night of the last day is staffed for the next morning', () => {
    const requirement: RequirementRow[] = [];
    for (let t = at('2030-01-07', '00:00'); t < at('2030-01-10', '08:00'); t += 30 * 60_000) requirement.push({ skillGroupId: 'RSA', intervalStart: t, required: 3 });
    const plan = planShifts({ skillGroups: [group], requirement, templates: DEFAULT_TEMPLATES, dates: ['2030-01-07', '2030-01-08', '2030-01-09'] });
    const lastNight = plan.shifts.filter((s) => s.date === '2030-01-09' && s.kind === 'night');
    expect(lastNight.length).toBeGreaterThanOrEqual(3);
    // the next period's hours were planned for but are not this period's to report
    expect(Math.max(...plan.coverage.map((c) => c.intervalStart))).toBe(at('2030-01-09', '23:30'));
  });

  test('when the forecast stops at the period end, then the last night is planned from the same night a week earlier', () => {
    const built = buildRoster({ period: { from: '2030-01-07', days: 7, timeZone: ZONE }, skillGroups: [group], agents, forecast: roundTheClock('2030-01-07', 7), rules: { options: { ruinAndRecreateIterations: 200 } } });
    const lastNight = [...built.shifts, ...built.uncovered].filter((s) => s.date === '2030-01-13' && s.kind === 'night');
    expect(lastNight.length).toBeGreaterThan(0);
    expect(checkRoster(built.shifts, agents, { from: '2030-01-07', days: 7, timeZone: ZONE })).toEqual([]);
  });

  test('when the period ends on the night the clocks go forward, then its last night is planned so night agents (available until 08:00) can work it', () => {
    // 2027-03-22 for 6 days ends at midnight into Sunday 28 March, when Berlin skips 02:00–03:00: a night
    // shift of 8.5 h from 23:00 ends at 08:30. Planned to cover the next morning too, every one did.
    const nightOnly = [{ days: [1, 2, 3, 4, 5, 6, 7] as Array<1 | 2 | 3 | 4 | 5 | 6 | 7>, from: '21:00', to: '24:00' }, { days: [1, 2, 3, 4, 5, 6, 7] as Array<1 | 2 | 3 | 4 | 5 | 6 | 7>, from: '00:00', to: '08:00' }];
    const team: Agent[] = [
      ...Array.from({ length: 8 }, (_, i) => agent({ id: `N${i}`, timeZone: ZONE, contract, skills: [{ skillGroupId: 'RSA' }], availability: nightOnly })),
      ...Array.from({ length: 16 }, (_, i) => agent({ id: `D${i}`, timeZone: ZONE, contract, skills: [{ skillGroupId: 'RSA' }], availability: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '06:00', to: '23:00' }] })),
    ];
    const period = { from: '2027-03-22', days: 6, timeZone: ZONE };
    const built = buildRoster({ period, skillGroups: [group], agents: team, forecast: roundTheClock('2027-03-22', 7), rules: { options: { ruinAndRecreateIterations: 200 } } });
    const worked = built.shifts.filter((s) => s.date === '2027-03-27' && s.kind === 'night');
    expect(worked.length).toBeGreaterThanOrEqual(2);
    expect(checkRoster(built.shifts, team, period)).toEqual([]);
  });

  test('when the previous published roster ends with night shifts, then they count in the next roster\'s first hours (coverage, shortfall) and are not returned', () => {
    const period = { from: '2030-01-14', days: 2, timeZone: ZONE };
    const input = (busy: AssignedShift[]): BuildRosterInput => ({ period, skillGroups: [group], agents, forecast: roundTheClock('2030-01-14', 3), busy, rules: { options: { ruinAndRecreateIterations: 200 } } });
    const alone = buildRoster(input([]));
    const firstHours = (coverage: typeof alone.coverage) => coverage.filter((c) => c.intervalStart >= at('2030-01-14', '00:00') && c.intervalStart < at('2030-01-14', '06:00'));
    // alone, nothing reaches 00:00–06:00 of the first day (shifts start on the period's days)
    expect(firstHours(alone.coverage).every((c) => c.scheduled === 0 && c.shortfall > 0)).toBe(true);

    // the previous roster: four agents on the night of the 13th, 22:00–06:30
    const nights: AssignedShift[] = agents.slice(0, 4).map((a, i) => ({
      id: `prev-night-${i}`, agentId: a.id, skillGroupId: 'RSA', templateId: 'night', kind: 'night', date: '2030-01-13',
      start: at('2030-01-13', '22:00'), end: at('2030-01-14', '06:30'), breaks: [{ start: at('2030-01-14', '02:00'), end: at('2030-01-14', '02:30'), kind: 'meal' }],
    }));
    const next = buildRoster(input(nights));
    const covered = firstHours(next.coverage);
    expect(covered.find((c) => c.intervalStart === at('2030-01-14', '01:00'))!.scheduled).toBe(4);
    expect(covered.find((c) => c.intervalStart === at('2030-01-14', '02:00'))!.scheduled).toBe(0);
    expect(next.summary.shortfallAgentHours).toBeLessThan(alone.summary.shortfallAgentHours);
    // their shifts are the previous roster's: not returned, and the agents rest 11 h after them
    expect(next.shifts.some((s) => s.id.startsWith('prev-night'))).toBe(false);
    const commitments = nights.map(({ agentId, start, end, date }) => ({ agentId, start, end, date }));
    expect(checkRoster(next.shifts, agents, period, { commitments })).toEqual([]);
  });

  test('when the roster is on another clock than a group (Madrid and a Bogota queue), then the previous roster\'s night shift dated its last Bogota day counts, though it starts inside the period on Madrid\'s clock', () => {
    const BOGOTA = 'America/Bogota';
    const night: SkillGroup = skillGroup({ id: 'NOCHE', timeZone: BOGOTA, intervalMinutes: 60, openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] });
    const bogota = (date: string, time: string) => DateTime.fromISO(`${date}T${time}`, { zone: BOGOTA }).toMillis();
    const forecast: IntervalVolume[] = [];
    for (let t = bogota('2030-01-13', '00:00'); t < bogota('2030-01-17', '00:00'); t += 3_600_000) forecast.push({ skillGroupId: 'NOCHE', start: t, volume: 20 });
    const team = agents.map((a) => ({ ...a, timeZone: BOGOTA, skills: [{ skillGroupId: 'NOCHE' }] }));
    // the previous roster's last Bogota day, 13 January: 20:00–24:00 Bogota = 02:00–06:00 of the 14th in Madrid
    const previous: AssignedShift[] = team.slice(0, 3).map((a, i) => ({
      id: `prev-${i}`, agentId: a.id, skillGroupId: 'NOCHE', templateId: 'evening', kind: 'late', date: '2030-01-13',
      start: bogota('2030-01-13', '20:00'), end: bogota('2030-01-14', '00:00'), breaks: [],
    }));
    const period = { from: '2030-01-14', days: 2, timeZone: 'Europe/Madrid' };
    const built = buildRoster({ period, skillGroups: [night], agents: team, forecast, busy: previous, rules: { options: { ruinAndRecreateIterations: 100 } } });
    const madridTwoAm = DateTime.fromISO('2030-01-14T02:00', { zone: 'Europe/Madrid' }).toMillis();
    expect(madridTwoAm).toBe(bogota('2030-01-13', '20:00'));
    expect(built.coverage.find((c) => c.skillGroupId === 'NOCHE' && c.intervalStart === madridTwoAm)!.scheduled).toBeGreaterThanOrEqual(3);
  });
});

