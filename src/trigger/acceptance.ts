/**
 * The acceptance rate, learned from past responses: a Beta posterior mean around the policy's prior,
 * so a handful of early answers does not swing the number of agents called. No answer within the
 * window counts as a refusal (that agent is not coming), and the next agent gets called.
 */
import { MINUTE_MS } from '../time/grid';
import type { AcceptanceStats, CalloutRecord } from './types';
import { emptyRecord } from '../domain/records';

export function acceptanceRate(stats: AcceptanceStats, prior: { rate: number; weight: number }): number {
  // A weight of 0 means "learn from answers only"; until the first answer there is nothing to learn from,
  // so the prior's rate stands in (0/0 would be NaN, and NaN passes Math.min/Math.max unclamped).
  const evidence = stats.accepted + stats.refused + prior.weight;
  const rate = evidence > 0 ? (stats.accepted + prior.rate * prior.weight) / evidence : prior.rate;
  // Never plan on certainty either way: a rate of 0 would divide by zero, 1 would never over-call.
  return Math.min(0.98, Math.max(0.05, rate));
}

/** Responses of the callouts that have an outcome (pending ones teach nothing yet). */
export function acceptanceStatsOf(callouts: CalloutRecord[]): AcceptanceStats {
  let accepted = 0;
  let refused = 0;
  for (const c of callouts) {
    if (c.status === 'accepted') accepted++;
    else if (c.status === 'declined' || c.status === 'expired') refused++;
  }
  return { accepted, refused };
}

/** Per agent: how often they accepted, for preferring the likely ones. */
export function agentAcceptance(callouts: CalloutRecord[]): Record<string, AcceptanceStats> {
  // keyed by agent ids: "constructor" must not read Object.prototype
  const out = emptyRecord<AcceptanceStats>();
  for (const c of callouts) {
    const s = (out[c.agentId] ??= { accepted: 0, refused: 0 });
    if (c.status === 'accepted') s.accepted++;
    else if (c.status === 'declined' || c.status === 'expired') s.refused++;
  }
  return out;
}

/**
 * Pending callouts with no answer after their window: they become 'expired' (their agent is not coming).
 * The window is the one the callout was sent with; `answerWindowMinutes` (the policy's now) counts only
 * for callouts stored before they kept theirs.
 */
export function expireUnanswered(callouts: CalloutRecord[], now: number, answerWindowMinutes: number): CalloutRecord[] {
  return callouts.map((c) => (c.status === 'pending' && now >= answerDeadline(c, answerWindowMinutes) ? { ...c, status: 'expired' as const, respondedAt: now } : c));
}

/** When the callout's answer window closes (see CalloutRecord.answerBy). */
export function answerDeadline(callout: Pick<CalloutRecord, 'answerBy' | 'requestedAt'>, answerWindowMinutes: number): number {
  return callout.answerBy ?? callout.requestedAt + answerWindowMinutes * MINUTE_MS;
}

/**
 * The whole minutes an agent is told they have to answer (the SMS text, the "too late" answer). The
 * deadline counts from when the tick ran, up to a minute after `requestedAt` (the tick's minute): rounding
 * would promise that extra part minute as a whole one and a "yes" in it would be refused, so it is cut off.
 */
export function statedAnswerMinutes(requestedAt: number, answerBy: number): number {
  return Math.max(1, Math.floor((answerBy - requestedAt) / MINUTE_MS));
}

/**
 * Applies an agent's answer. Idempotent: answering twice, or after the callout expired or was answered,
 * leaves the first outcome (a late "yes" to a slot already given to the next agent must not add capacity).
 */
export function applyResponse(callout: CalloutRecord, answer: 'accept' | 'decline', now: number): CalloutRecord {
  if (callout.status !== 'pending') return callout;
  if (answer === 'decline') return { ...callout, status: 'declined', respondedAt: now };
  // The login lead runs from the message; an agent answering late logs in no earlier than the answer.
  const loginAt = Math.max(callout.loginAt, now);
  return { ...callout, status: 'accepted', respondedAt: now, loginAt, shiftEnd: loginAt + (callout.shiftEnd - callout.loginAt) };
}
