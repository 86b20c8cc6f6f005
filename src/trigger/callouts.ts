/**
 * Turning a fired decision and the chosen agents into callout records with deterministic ids.
 *
 * Exactly once: the id is a hash of (wave id, agent id, the agent's incarnation, the deciding firing). A
 * worker that crashes before its tick's commit re-runs the same tick, decides the same firing, picks the
 * same agents and gets the same ids; once committed, every retry and re-send of the callout carries its
 * stored id, used as the BullMQ job id and the webhook Idempotency-Key, so a second attempt is a no-op at
 * the queue and at the receiver. Naming the firing keeps an id from ever being given to a second callout:
 * by (wave, agent) alone, an agent called again in a wave whose first callout had been pruned would get
 * the old id — a delivery job the queue already holds, never sent. One agent is called at most once per
 * wave (tick() leaves out the wave's agents).
 */
import { createHash } from 'node:crypto';
import { MINUTE_MS } from '../time/grid';
import type { CalloutRecord, Decision, TriggerPolicy } from './types';

/**
 * `incarnation`: the agent's (the store's random id of one agent, new when an agent is deleted and
 * another given the id): the next agent given an id is another person, who may be called in a wave that
 * called the one before. `decisionId`: the firing that makes the callout (one per group and minute).
 * Without them the id is as it was (callouts stored before they were named).
 */
export function calloutId(waveId: string, agentId: string, incarnation = '', decisionId = ''): string {
  const named = `${waveId}\n${agentId}${incarnation || decisionId ? `\n${incarnation}` : ''}${decisionId ? `\n${decisionId}` : ''}`;
  return `co_${createHash('sha256').update(named).digest('hex').slice(0, 32)}`;
}

/**
 * `sentAt`: when the tick runs (default the decision's minute): the answer window counts from it, so a
 * tick late in its minute (on demand, or a queue backed up) does not eat into the agent's time.
 * `incarnations`: agent id → incarnation, for the callout ids (see calloutId).
 */
export function planCallouts(
  decision: Decision,
  agentIds: string[],
  policy: Pick<TriggerPolicy, 'loginLeadMinutes' | 'calloutShiftMinutes' | 'answerWindowMinutes'>,
  sentAt = decision.at,
  incarnations: Readonly<Record<string, string>> = {},
): CalloutRecord[] {
  if (!decision.fired || decision.waveId === null) return [];
  const loginAt = decision.at + policy.loginLeadMinutes * MINUTE_MS;
  return agentIds.map((agentId) => ({
    id: calloutId(decision.waveId!, agentId, Object.hasOwn(incarnations, agentId) ? incarnations[agentId] : '', decision.id),
    waveId: decision.waveId!,
    decisionId: decision.id,
    agentId,
    skillGroupId: decision.skillGroupId,
    requestedAt: decision.at,
    loginAt,
    shiftEnd: loginAt + policy.calloutShiftMinutes * MINUTE_MS,
    answerBy: Math.max(sentAt, decision.at) + policy.answerWindowMinutes * MINUTE_MS,
    status: 'pending' as const,
  }));
}

/** Merges new callouts into the stored ones; an id already stored keeps its stored state (re-runs are no-ops). */
export function mergeCallouts(stored: CalloutRecord[], planned: CalloutRecord[]): { callouts: CalloutRecord[]; added: CalloutRecord[] } {
  const known = new Set(stored.map((c) => c.id));
  const added = planned.filter((c) => !known.has(c.id));
  return { callouts: [...stored, ...added], added };
}

/** The end of an accepted callout's work: its shift's end, or its release when that came earlier. */
export function workEnd(callout: Pick<CalloutRecord, 'shiftEnd' | 'releasedAt'>): number {
  return callout.releasedAt !== undefined ? Math.min(callout.shiftEnd, callout.releasedAt) : callout.shiftEnd;
}
