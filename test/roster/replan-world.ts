/**
 * The synthetic fortnight the forecast-moved re-plan tests share: PS and NE in Jerusalem, partners with one
 * or both skills, 10 days of a seeded forecast open 07:00–22:00, and a day whose forecast the tests move.
 * Each test file picks how many agents, their weekly minimum (top-ups or none) and the volume.
 */
import { DateTime } from 'luxon';
import { replanStoredRoster, type BuildRosterInput, type BuiltRoster } from '../../src/roster/build';
import { localDates } from '../../src/roster/lp';
import { seededRandom } from '../../src/roster/synthetic';
import type { Agent, IntervalVolume, SkillGroup } from '../../src/domain/types';
import { skillGroup } from '../support/examples';

export const ZONE = 'Asia/Jerusalem';
export const period = { from: '2030-01-07', days: 10, timeZone: ZONE };
export const dates = localDates(period.from, period.days, ZONE);
export const groups: SkillGroup[] = [skillGroup({ id: 'PS', timeZone: ZONE }), skillGroup({ id: 'NE', timeZone: ZONE })];
/** the day whose forecast the tests move */
export const MOVED_DAY = dates[3];

/** calls per half hour by local hour: open 07:00–22:00, peaks late morning and afternoon */
const PROFILE = [0, 0, 0, 0, 0, 0, 0, 5, 9, 12, 13, 12, 10, 11, 13, 12, 10, 8, 7, 6, 5, 4, 0, 0];

function forecast(volumeScale: number): IntervalVolume[] {
  const rand = seededRandom(7);
  const rows: IntervalVolume[] = [];
  for (const g of groups) {
    for (const date of dates) {
      const midnight = DateTime.fromISO(date, { zone: ZONE });
      const weekend = midnight.weekday >= 6 ? 0.6 : 1;
      for (let k = 14; k < 44; k++) rows.push({ skillGroupId: g.id, start: midnight.plus({ minutes: 30 * k }).toMillis(), volume: Math.round(volumeScale * PROFILE[k >> 1] * weekend * (0.85 + 0.3 * rand()) * (g.id === 'PS' ? 1.2 : 1)) });
    }
  }
  return rows;
}

/** `agentCount` full-timers (every third with both skills), a `minHoursPerWeek` of 0 making no top-ups. */
export function replanWorld(options: { agentCount: number; minHoursPerWeek: number; volumeScale: number }) {
  const contract = { class: 'full-time', minHoursPerWeek: options.minHoursPerWeek, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };
  const agents: Agent[] = Array.from({ length: options.agentCount }, (_, i) => ({
    id: `A${String(i).padStart(2, '0')}`,
    name: `Agent ${i}`,
    kind: 'partner',
    timeZone: ZONE,
    skills: i % 3 === 2 ? [{ skillGroupId: 'PS' }, { skillGroupId: 'NE' }] : [{ skillGroupId: i % 3 === 0 ? 'PS' : 'NE' }],
    contract,
  }));
  const input: BuildRosterInput = { period, skillGroups: groups, agents, forecast: forecast(options.volumeScale), rules: { options: { ruinAndRecreateIterations: 300, seed: 3 } } };
  /** the built roster re-planned as stored (no claims) with the forecast moved to `rows` */
  const replan = (built: BuiltRoster, rows: IntervalVolume[], absences?: Array<{ agentId: string; dates: string[] }>) =>
    replanStoredRoster({ ...input, forecast: rows, absences, base: { shifts: built.shifts, uncovered: built.uncovered, slots: built.slots.map((s) => ({ ...s, claimedBy: [] })) }, forecastMoved: true, frozenBefore: 0 });
  return { agents, input, replan };
}

/** The rows with MOVED_DAY's volumes times `factor`. */
export function onMovedDay(rows: IntervalVolume[], factor: number): IntervalVolume[] {
  const from = DateTime.fromISO(MOVED_DAY, { zone: ZONE }).toMillis();
  const to = DateTime.fromISO(MOVED_DAY, { zone: ZONE }).plus({ days: 1 }).toMillis();
  return rows.map((r) => (r.start >= from && r.start < to ? { ...r, volume: r.volume * factor } : r));
}
