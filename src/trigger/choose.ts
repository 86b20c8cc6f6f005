/**
 * Which cloud agents to call: those who have the skill, opted in, have a phone, are not on shift or in
 * their rest period, stay within their weekly hours with the proposed shift, and were not called
 * recently. Among them, the least recently called first (a fair rotation); between equals, higher
 * proficiency × past acceptance first, then the id (a stable order, so a re-run picks the same agents).
 */
import type { Agent } from '../domain/types';
import { HOUR_MS, MINUTE_MS, localPieces, windowsCover } from '../time/grid';
import type { AcceptanceStats, ScheduledShift } from './types';
import { ownValue } from '../domain/records';

export interface ChooseInput {
  agents: Agent[];
  skillGroupId: string;
  count: number;
  now: number;
  /** the proposed callout shift */
  proposedShift: { start: number; end: number };
  /** every agent's shifts around now (roster and accepted callouts), for on-shift, rest and hours */
  shifts: ScheduledShift[];
  /** the same shifts by agent id, when the caller has them indexed (a tick chooses for many groups) */
  shiftsByAgent?: Map<string, ScheduledShift[]>;
  /** hours already worked or planned this week, per agent (absent = 0) */
  weeklyHours: Record<string, number>;
  /** last time each agent was called out, epoch ms */
  lastCalledAt: Record<string, number>;
  /** do not call an agent again within this many minutes */
  recentCallMinutes: number;
  agentAcceptance: Record<string, AcceptanceStats>;
  /** agents already called in this wave (their callout id exists) */
  alreadyInWave?: string[];
  /** agents holding an unanswered callout of an earlier wave: a second message before they answer is spam, and two acceptances would count them twice */
  awaitingAnswer?: string[];
}

export type Exclusion =
  | 'not-cloud'
  | 'no-skill'
  | 'not-opted-in'
  | 'no-phone'
  | 'on-shift'
  | 'resting'
  | 'weekly-hours'
  | 'called-recently'
  | 'unavailable'
  | 'already-in-wave'
  | 'awaiting-answer';

export interface ChooseResult {
  /** in calling order */
  chosen: Array<{ agentId: string; proficiency: number; acceptance: number; lastCalledAt: number | null }>;
  /** eligible agents beyond `count`: the next ones to call when someone declines or does not answer */
  reserve: string[];
  excluded: Array<{ agentId: string; reason: Exclusion }>;
}

function exclusionOf(agent: Agent, input: ChooseInput, wave: Set<string>, awaiting: Set<string>): Exclusion | null {
  const { proposedShift, now } = input;
  if (agent.kind !== 'cloud') return 'not-cloud';
  if (!agent.skills.some((s) => s.skillGroupId === input.skillGroupId)) return 'no-skill';
  if (agent.calloutOptIn !== true) return 'not-opted-in';
  if (!agent.phone) return 'no-phone';
  if (wave.has(agent.id)) return 'already-in-wave';
  if (awaiting.has(agent.id)) return 'awaiting-answer';
  const restMs = agent.contract.minRestHours * HOUR_MS;
  for (const s of input.shiftsByAgent ? (input.shiftsByAgent.get(agent.id) ?? []) : input.shifts) {
    if (s.agentId !== agent.id) continue;
    if (s.start < proposedShift.end && s.end > proposedShift.start) return 'on-shift';
    if (s.end <= proposedShift.start && proposedShift.start - s.end < restMs) return 'resting';
    if (s.start >= proposedShift.end && s.start - proposedShift.end < restMs) return 'resting';
  }
  const hours = (proposedShift.end - proposedShift.start) / HOUR_MS;
  if ((ownValue(input.weeklyHours, agent.id) ?? 0) + hours > agent.contract.maxHoursPerWeek + 1e-9) return 'weekly-hours';
  const last = ownValue(input.lastCalledAt, agent.id);
  if (last !== undefined && now - last < input.recentCallMinutes * MINUTE_MS) return 'called-recently';
  const zone = agent.timeZone ?? 'UTC';
  // as for partners: a day off blocks every local date the shift touches, and the whole shift must lie
  // in the availability windows (a window ending at noon does not take a shift until 14:00)
  const pieces = localPieces(proposedShift.start, proposedShift.end, zone);
  if (pieces.some((p) => agent.daysOff?.includes(p.date))) return 'unavailable';
  if (agent.availability && !pieces.every((p) => windowsCover(agent.availability!, p.weekday, p.from, p.to))) return 'unavailable';
  return null;
}


export function chooseAgents(input: ChooseInput): ChooseResult {
  const wave = new Set(input.alreadyInWave ?? []);
  const awaiting = new Set(input.awaitingAnswer ?? []);
  const excluded: ChooseResult['excluded'] = [];
  const eligible: ChooseResult['chosen'] = [];
  for (const agent of input.agents) {
    const reason = exclusionOf(agent, input, wave, awaiting);
    if (reason) {
      excluded.push({ agentId: agent.id, reason });
      continue;
    }
    const stats = ownValue(input.agentAcceptance, agent.id) ?? { accepted: 0, refused: 0 };
    eligible.push({
      agentId: agent.id,
      proficiency: agent.skills.find((s) => s.skillGroupId === input.skillGroupId)?.proficiency ?? 1,
      // Laplace-smoothed, so one answer does not decide an agent's rank.
      acceptance: (stats.accepted + 1) / (stats.accepted + stats.refused + 2),
      lastCalledAt: ownValue(input.lastCalledAt, agent.id) ?? null,
    });
  }
  eligible.sort(
    (a, b) =>
      (a.lastCalledAt ?? -Infinity) - (b.lastCalledAt ?? -Infinity) ||
      b.proficiency * b.acceptance - a.proficiency * a.acceptance ||
      (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0),
  );
  const count = Math.max(0, Math.floor(input.count));
  return { chosen: eligible.slice(0, count), reserve: eligible.slice(count).map((e) => e.agentId), excluded };
}
