/**
 * The SMS webhook's JSON payload. The phone number is looked up from the agent at send time and only
 * ever sits in the request body: job data carries the callout id, logs carry maskPhone().
 */
import type { CalloutRecord } from '../trigger/types';
import { clockTime, formatInstant } from '../time/grid';
import { signLinkToken } from './signing';

export interface CalloutPayload {
  calloutId: string;
  agentId: string;
  phone: string;
  message: string;
  skillGroupId: string;
  proposedShift: { start: string; end: string };
  links: { accept: string; decline: string };
  expiresAt: string;
}

export interface PayloadOptions {
  /** base of the answer endpoint, e.g. "https://wfm.example/callouts/answer" */
  answerBaseUrl: string;
  linkSecret: string;
  /** when the links expire (the callout's answer window closes), epoch ms */
  expiresAt: number;
  /** zone for the times in the message: the agent's own when known (the message names it) */
  timeZone: string;
  skillGroupName: string;
}

/** Everything in it follows from the stored callout and agent: every attempt, re-runs included, sends the same body. */
export function buildPayload(callout: CalloutRecord, phone: string, options: PayloadOptions): CalloutPayload {
  const { expiresAt } = options;
  const replyMinutes = Math.max(1, Math.round((expiresAt - callout.requestedAt) / 60_000));
  const link = (answer: 'accept' | 'decline') =>
    `${options.answerBaseUrl}?token=${signLinkToken(options.linkSecret, { calloutId: callout.id, answer, expiresAt })}`;
  const start = formatInstant(callout.loginAt, options.timeZone);
  const end = formatInstant(callout.shiftEnd, options.timeZone);
  return {
    calloutId: callout.id,
    agentId: callout.agentId,
    phone,
    message: `${options.skillGroupName} needs you from ${clockTime(callout.loginAt, options.timeZone)} to ${clockTime(callout.shiftEnd, options.timeZone)}. Reply within ${replyMinutes} min: accept or decline with the links.`,
    skillGroupId: callout.skillGroupId,
    proposedShift: { start, end },
    links: { accept: link('accept'), decline: link('decline') },
    expiresAt: new Date(expiresAt).toISOString(),
  };
}
