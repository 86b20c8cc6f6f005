/**
 * The SMS webhook's JSON payload. The phone number is looked up from the agent at send time and only
 * ever sits in the request body: job data carries the callout id, logs carry maskPhone().
 */
import type { CalloutRecord } from '../trigger/types';
import { clockTime, formatInstant } from '../time/grid';
import { signLinkToken } from './signing';
import { statedAnswerMinutes } from '../trigger/acceptance';

/** What every webhook message carries: which callout, to whom, the text, and the shift it is about. */
interface WebhookMessage {
  calloutId: string;
  agentId: string;
  phone: string;
  message: string;
  skillGroupId: string;
  /** the shift proposed (a callout) or accepted (a release) */
  proposedShift: { start: string; end: string };
  /** a callout: when the answer window closes; a release: when the accepted shift ends (after either, the message is pointless) */
  expiresAt: string;
}

/** Asks the agent to come; they answer with the links. */
export interface CalloutPayload extends WebhookMessage {
  type: 'callout';
  links: { accept: string; decline: string };
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

/**
 * Typographic punctuation as its GSM-7 ASCII equivalent: one character outside the GSM-7 alphabet (an en
 * dash or a curly quote in a group's name) sends the whole SMS as UCS-2, 70 characters a segment instead
 * of 160. Letters are kept as they are: a name written in another script is UCS-2 anyway, and spelling
 * it differently would not be the group's name any more.
 */
const GSM_PUNCTUATION: ReadonlyArray<[RegExp, string]> = [
  [/[\u2010-\u2015\u2212]/g, '-'], // hyphens, figure dash, en and em dashes, horizontal bar, minus sign
  [/[\u2018\u2019\u201a\u201b\u2032]/g, "'"],
  [/[\u201c-\u201f\u2033\u00ab\u00bb]/g, '"'], // curly and low double quotes, guillemets
  [/\u2026/g, '...'],
  [/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' '], // no-break and other fixed-width spaces
];

/** The text of an SMS with its typographic punctuation in GSM-7 (see GSM_PUNCTUATION). */
function gsmPunctuation(text: string): string {
  return GSM_PUNCTUATION.reduce((t, [pattern, ascii]) => t.replace(pattern, ascii), text);
}

/** Everything in it follows from the stored callout and agent: every attempt, re-runs included, sends the same body. */
export function buildPayload(callout: CalloutRecord, phone: string, options: PayloadOptions): CalloutPayload {
  const { expiresAt } = options;
  const replyMinutes = statedAnswerMinutes(callout.requestedAt, expiresAt);
  const link = (answer: 'accept' | 'decline') =>
    `${options.answerBaseUrl}?token=${signLinkToken(options.linkSecret, { calloutId: callout.id, answer, expiresAt })}`;
  const start = formatInstant(callout.loginAt, options.timeZone);
  const end = formatInstant(callout.shiftEnd, options.timeZone);
  return {
    type: 'callout',
    calloutId: callout.id,
    agentId: callout.agentId,
    phone,
    message: gsmPunctuation(`${options.skillGroupName} needs you from ${clockTime(callout.loginAt, options.timeZone)} to ${clockTime(callout.shiftEnd, options.timeZone)}. Reply within ${replyMinutes} min: accept or decline with the links.`),
    skillGroupId: callout.skillGroupId,
    proposedShift: { start, end },
    links: { accept: link('accept'), decline: link('decline') },
    expiresAt: new Date(expiresAt).toISOString(),
  };
}

/** The message that sends a called-out agent home early: the surge passed (src/trigger/release.ts). */
export interface ReleasePayload extends WebhookMessage {
  type: 'release';
  /** when they were released from the shift they accepted */
  releasedAt: string;
}

/** Same body on every attempt: everything follows from the stored callout (its releasedAt is fixed). */
export function buildReleasePayload(callout: CalloutRecord & { releasedAt: number }, phone: string, options: Pick<PayloadOptions, 'timeZone' | 'skillGroupName'>): ReleasePayload {
  const clock = (t: number) => clockTime(t, options.timeZone);
  const notYet = callout.releasedAt < callout.loginAt;
  return {
    type: 'release',
    calloutId: callout.id,
    agentId: callout.agentId,
    phone,
    message: gsmPunctuation(
      notYet
        ? `${options.skillGroupName}: the surge has passed, no need to log in at ${clock(callout.loginAt)} after all. Thank you for saying yes.`
        : `${options.skillGroupName}: the surge has passed. Thank you: you may log off after your current call (you were expected until ${clock(callout.shiftEnd)}).`,
    ),
    skillGroupId: callout.skillGroupId,
    proposedShift: { start: formatInstant(callout.loginAt, options.timeZone), end: formatInstant(callout.shiftEnd, options.timeZone) },
    releasedAt: formatInstant(callout.releasedAt, options.timeZone),
    expiresAt: new Date(callout.shiftEnd).toISOString(),
  };
}
