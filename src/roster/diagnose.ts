/**
 * Why a planned shift stayed uncovered, in words a planner can act on ("no agent with skill NE is
 * available on Fridays 08:00–16:30"). Uncovered shifts with the same explanation are grouped.
 */
import type { Agent, IsoWeekday } from '../domain/types';
import { formatInstant } from '../time/grid';
import type { AgentSchedule, ShiftInfo } from './assignment-model';
import { firstRefusal, hasSkill, isAvailable, isNotOnDayOff, restsFromOtherRosters, RULE_LABELS, type RuleContext, type RuleId } from './rules';

export interface UncoveredReason {
  skillGroupId: string;
  /** local dates of the uncovered shifts */
  dates: string[];
  shiftIds: string[];
  reason: string;
  /** how many of the skill's agents each rule excluded (first refusing rule per agent, summed) */
  blockedBy: Partial<Record<RuleId, number>>;
}

const WEEKDAY_NAMES = ['', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];

export interface DiagnosableEngine {
  agents: Agent[];
  schedules: AgentSchedule[];
  ctx: RuleContext;
}

function localHours(info: ShiftInfo, zone: string): string {
  const from = formatInstant(info.shift.start, zone).slice(11, 16);
  const to = formatInstant(info.shift.end, zone).slice(11, 16);
  return `${from}–${to}`;
}

export function explainOne(info: ShiftInfo, engine: DiagnosableEngine): { reason: string; blockedBy: Partial<Record<RuleId, number>> } {
  const skill = info.shift.skillGroupId;
  const holders = engine.agents.map((a, i) => i).filter((i) => hasSkill(engine.agents[i], info));
  const zone = engine.ctx.model.period.timeZone;
  const blockedBy: Partial<Record<RuleId, number>> = {};
  const bump = (id: RuleId) => (blockedBy[id] = (blockedBy[id] ?? 0) + 1);
  if (holders.length === 0) return { reason: `no partner agent has skill ${skill}`, blockedBy: { skill: engine.agents.length } };
  const available = holders.filter((i) => isAvailable(engine.agents[i], info, engine.ctx) || (bump('availability'), false));
  if (available.length === 0) {
    return {
      reason: `no agent with skill ${skill} is available on ${WEEKDAY_NAMES[info.weekday as IsoWeekday]} ${localHours(info, zone)}`,
      blockedBy,
    };
  }
  const notOff = available.filter((i) => isNotOnDayOff(engine.agents[i], info) || (bump('days-off'), false));
  if (notOff.length === 0) {
    return { reason: `all ${available.length} agent(s) with skill ${skill} available then have ${info.shift.date} off`, blockedBy };
  }
  for (const i of notOff) {
    // rest from their shift in the roster before or after this one
    if (!restsFromOtherRosters(engine.agents[i], info, engine.ctx)) {
      bump('min-rest');
      continue;
    }
    const refusal = firstRefusal(engine.schedules[i], info, engine.ctx);
    if (refusal) bump(refusal.id);
  }
  const rules = (Object.entries(blockedBy) as Array<[RuleId, number]>)
    .filter(([id]) => id !== 'availability' && id !== 'days-off')
    .sort((a, b) => b[1] - a[1])
    .map(([id, n]) => `${RULE_LABELS[id].toLowerCase()} (${n})`);
  return {
    reason: `all ${notOff.length} agent(s) with skill ${skill} free on ${info.shift.date} ${localHours(info, zone)} are blocked: ${rules.join(', ')}`,
    blockedBy,
  };
}

export function explainUncovered(uncovered: ShiftInfo[], engine: DiagnosableEngine): UncoveredReason[] {
  const groups = new Map<string, UncoveredReason>();
  for (const info of uncovered) {
    const { reason, blockedBy } = explainOne(info, engine);
    // Group by the wording without the counts, so "blocked: max weekly hours (3)" and "(4)" merge.
    const key = `${info.shift.skillGroupId}|${reason.replace(/\(\d+\)|\d+ agent\(s\)/g, '#')}`;
    const group = groups.get(key);
    if (group) {
      group.shiftIds.push(info.shift.id);
      if (!group.dates.includes(info.shift.date)) group.dates.push(info.shift.date);
      for (const [id, n] of Object.entries(blockedBy) as Array<[RuleId, number]>) group.blockedBy[id] = Math.max(group.blockedBy[id] ?? 0, n);
    } else {
      groups.set(key, { skillGroupId: info.shift.skillGroupId, dates: [info.shift.date], shiftIds: [info.shift.id], reason, blockedBy });
    }
  }
  return [...groups.values()];
}
