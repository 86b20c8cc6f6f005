/**
 * The independent roster checker: verifies every hard rule on a finished roster from the raw shifts,
 * without the construction's data structures or rule functions (./rules.ts), so a bug in one is
 * caught by the other. It works on sorted lists and calendar dates (luxon) rather than day arrays,
 * and reads availability as per-day minute ranges covered by the union of the agent's windows.
 *
 * Semantics shared with the rules (documented, not shared code): weeks are 7-day blocks from the
 * period's first date; weekly minimum hours and days off apply to complete blocks; hours are paid
 * span (end − start); days off block every local date (period zone) a shift touches.
 */
import { DateTime } from 'luxon';
import type { Agent } from '../domain/types';
import { formatInstant, localPieces, windowsCover } from '../time/grid';
import type { AssignedShift, Commitment } from './types';

export interface RuleViolation {
  rule: string;
  agentId: string;
  shiftIds: string[];
  message: string;
}

export interface CheckPeriod {
  from: string;
  days: number;
  timeZone: string;
}

const EPS = 1e-6;

function calendarDaysBetween(from: string, to: string): number {
  return DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days;
}

/** The local date `offset` days after `from` (YYYY-MM-DD). */
function dateAfter(from: string, offset: number): string {
  return DateTime.fromISO(from, { zone: 'UTC' }).plus({ days: offset }).toISODate()!;
}


export interface CheckOptions {
  /**
   * Dates agents cannot work after all (illness, leave), as a re-plan receives them. A shift touching one
   * is a violation ('absence'); and the weekly minimum does not bind in a week with an absence: it is
   * the work the contract guarantees to offer, and an absent agent cannot take it (a re-plan must not
   * fail because the ill agent now works too little).
   */
  absences?: ReadonlyArray<{ agentId: string; dates: readonly string[] }>;
  /**
   * A re-plan's cut ("now"): a shift that started before it was under way or over when the absence was
   * reported, and the re-plan keeps it as it was (an agent who falls ill mid-shift did start it). Such a
   * shift is excused from 'absence' only; an absent agent's shift starting at or after the cut still breaks it.
   */
  frozenBefore?: number;
  /**
   * agents' shifts of other rosters next to the period: the minimum rest holds against them too, and
   * their days count in runs of consecutive working days that reach into the period
   */
  commitments?: readonly Commitment[];
}

/** Every hard-rule violation on the roster (empty = valid). Cloud agents and unknown ids are reported too. */
export function checkRoster(roster: AssignedShift[], agents: Agent[], period: CheckPeriod, options: CheckOptions = {}): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const absent = new Map<string, Set<string>>();
  for (const a of options.absences ?? []) absent.set(a.agentId, new Set([...(absent.get(a.agentId) ?? []), ...a.dates]));
  const byId = new Map(agents.map((a) => [a.id, a]));
  const seenShift = new Map<string, string>();
  const byAgent = new Map<string, AssignedShift[]>();
  for (const s of roster) {
    const previous = seenShift.get(s.id);
    if (previous !== undefined) {
      violations.push({ rule: 'shift-assigned-once', agentId: s.agentId, shiftIds: [s.id], message: `shift ${s.id} is given to ${previous} and ${s.agentId}` });
    }
    seenShift.set(s.id, s.agentId);
    if (!byId.has(s.agentId)) {
      violations.push({ rule: 'known-agent', agentId: s.agentId, shiftIds: [s.id], message: `no agent ${s.agentId}` });
      continue;
    }
    const offset = calendarDaysBetween(period.from, s.date);
    if (offset < 0 || offset >= period.days) {
      violations.push({ rule: 'inside-period', agentId: s.agentId, shiftIds: [s.id], message: `shift ${s.id} on ${s.date} is outside the period` });
    }
    const list = byAgent.get(s.agentId) ?? [];
    list.push(s);
    byAgent.set(s.agentId, list);
  }

  for (const agent of agents) {
    if (agent.kind !== 'partner') continue;
    const shifts = (byAgent.get(agent.id) ?? []).slice().sort((a, b) => a.start - b.start);
    const c = agent.contract;
    const flag = (rule: string, ids: string[], message: string) => violations.push({ rule, agentId: agent.id, shiftIds: ids, message });

    for (const s of shifts) {
      if (!agent.skills.some((k) => k.skillGroupId === s.skillGroupId)) flag('skill', [s.id], `${agent.id} lacks skill ${s.skillGroupId}`);
      const pieces = localPieces(s.start, s.end, period.timeZone);
      const off = pieces.find((p) => agent.daysOff?.includes(p.date));
      if (off) flag('days-off', [s.id], `${agent.id} works on day off ${off.date}`);
      const away = pieces.find((p) => absent.get(agent.id)?.has(p.date));
      const startedBeforeCut = options.frozenBefore !== undefined && s.start < options.frozenBefore;
      if (away && !startedBeforeCut) flag('absence', [s.id], `${agent.id} works on ${away.date}, when they are absent`);
      if (agent.availability) {
        const zone = agent.timeZone ?? period.timeZone;
        const uncovered = localPieces(s.start, s.end, zone).find((p) => !windowsCover(agent.availability!, p.weekday, p.from, p.to));
        if (uncovered) flag('availability', [s.id], `${agent.id} is not available on weekday ${uncovered.weekday} ${uncovered.from}–${uncovered.to} min`);
      }
    }

    const dates = new Map<string, AssignedShift[]>();
    for (const s of shifts) dates.set(s.date, [...(dates.get(s.date) ?? []), s]);
    for (const [date, list] of dates) {
      if (list.length > 1) flag('one-shift-per-day', list.map((s) => s.id), `${agent.id} has ${list.length} shifts on ${date}`);
    }

    const span = (x: { start: number; end: number }) => `${formatInstant(x.start, period.timeZone)} to ${formatInstant(x.end, period.timeZone)}`;
    for (let i = 1; i < shifts.length; i++) {
      const restHours = (shifts[i].start - shifts[i - 1].end) / 3_600_000;
      if (restHours + EPS < c.minRestHours) {
        // a negative rest is two shifts at once: say so, not "rests -0.50 h"
        const what = restHours < 0 ? `has overlapping shifts` : `rests ${restHours.toFixed(2)} h < ${c.minRestHours} h`;
        flag('min-rest', [shifts[i - 1].id, shifts[i].id], `${agent.id} ${what} between ${span(shifts[i - 1])} and ${span(shifts[i])}`);
      }
    }
    for (const other of (options.commitments ?? []).filter((o) => o.agentId === agent.id)) {
      for (const s of shifts) {
        const restHours = (s.start >= other.end ? s.start - other.end : other.start - s.end) / 3_600_000;
        if (restHours + EPS < c.minRestHours) {
          const what = restHours < 0 ? `works ${span(s)} while on their shift of another roster` : `rests ${restHours.toFixed(2)} h < ${c.minRestHours} h between ${span(s)} and their shift of another roster`;
          flag('min-rest', [s.id], `${agent.id} ${what} (${span(other)})`);
        }
      }
    }

    // Runs of working days, the agent's days in the rosters before and after included: a run that
    // reaches into the period is this roster's to keep within the contract.
    const ownOffsets = new Set([...dates.keys()].map((d) => calendarDaysBetween(period.from, d)));
    const elsewhere = (options.commitments ?? []).filter((o) => o.agentId === agent.id).map((o) => calendarDaysBetween(period.from, o.date));
    const workedOffsets = [...new Set([...ownOffsets, ...elsewhere])].sort((a, b) => a - b);
    for (let i = 0, runStart = 0; i < workedOffsets.length; i++) {
      if (i > 0 && workedOffsets[i] !== workedOffsets[i - 1] + 1) runStart = i;
      const runEnds = i === workedOffsets.length - 1 || workedOffsets[i + 1] !== workedOffsets[i] + 1;
      if (!runEnds) continue;
      const run = workedOffsets.slice(runStart, i + 1);
      if (run.length <= c.maxConsecutiveDays || !run.some((o) => ownOffsets.has(o))) continue;
      const across = run.some((o) => !ownOffsets.has(o)) ? ', days of other rosters included' : '';
      flag('max-consecutive-days', [], `${agent.id} works ${run.length} days in a row > ${c.maxConsecutiveDays} (${dateAfter(period.from, run[0])} to ${dateAfter(period.from, run[run.length - 1])}${across})`);
    }

    for (let weekStart = 0; weekStart < period.days; weekStart += 7) {
      const complete = weekStart + 7 <= period.days;
      const inWeek = shifts.filter((s) => {
        const o = calendarDaysBetween(period.from, s.date);
        return o >= weekStart && o < weekStart + 7;
      });
      const hours = inWeek.reduce((sum, s) => sum + (s.end - s.start) / 3_600_000, 0);
      const workedDays = new Set(inWeek.map((s) => calendarDaysBetween(period.from, s.date)));
      const label = `the week ${dateAfter(period.from, weekStart)} to ${dateAfter(period.from, Math.min(period.days, weekStart + 7) - 1)}`;
      if (hours > c.maxHoursPerWeek + EPS) flag('max-weekly-hours', inWeek.map((s) => s.id), `${agent.id} works ${hours} h > ${c.maxHoursPerWeek} h in ${label}`);
      if (workedDays.size > c.maxDaysPerWeek) flag('max-days-per-week', inWeek.map((s) => s.id), `${agent.id} works ${workedDays.size} days > ${c.maxDaysPerWeek} in ${label}`);
      if (!complete) continue;
      // a week the agent is away in (absent, or a day off such as leave) owes no minimum: their leave
      // takes from their contract hours, as an absence in a re-plan does
      const inThisWeek = (d: string, dayAfterIsLast: boolean) => {
        const offset = calendarDaysBetween(period.from, d);
        const o = dayAfterIsLast && offset === period.days ? offset - 1 : offset;
        return o >= weekStart && o < weekStart + 7;
      };
      // an absence the day after the period belongs to its last week: the last day's night shifts reach it
      const excused = [...(absent.get(agent.id) ?? [])].some((d) => inThisWeek(d, true)) || (agent.daysOff ?? []).some((d) => inThisWeek(d, false));
      if (!excused && hours + EPS < c.minHoursPerWeek) flag('min-weekly-hours', inWeek.map((s) => s.id), `${agent.id} works ${hours} h < ${c.minHoursPerWeek} h in ${label}`);
      const freeDays: number[] = [];
      for (let d = weekStart; d < weekStart + 7; d++) if (!workedDays.has(d)) freeDays.push(d);
      if (freeDays.length < 2) flag('two-days-off-per-week', inWeek.map((s) => s.id), `${agent.id} has ${freeDays.length} day(s) off in ${label}`);
      else if (c.consecutiveDaysOff && !freeDays.some((d, i) => freeDays[i + 1] === d + 1)) {
        flag('two-days-off-per-week', inWeek.map((s) => s.id), `${agent.id} has no two consecutive days off in ${label}`);
      }
    }
  }
  return violations;
}
