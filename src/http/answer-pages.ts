/**
 * The pages a phone's browser shows for the SMS's answer links: what a link will do, what became of the
 * callout, a link that does not work. Written for the agent, not for a developer: the group by its name,
 * times on the agent's clock with the date, no ids or reason codes; big enough to read and tap on a small
 * screen. Rendering only: routes/trigger.ts picks the page and its status.
 */
import type { CalloutAnswer } from '../callout/signing';
import type { CalloutView } from '../services/trigger';
import { wallClock } from '../time/grid';

/** A page: its heading (also the title) and its body, HTML already escaped. */
export interface AnswerPage {
  title: string;
  body: string;
}

/** How a callout is named to its agent: the group's name, times in the zone of their message. */
export interface ShownAs {
  groupName: string;
  zone: string;
}

/** What brought the agent to a callout's page (the callout's state says the rest). */
export type Occasion =
  /** their answer was just taken (`applied`: false when it had been taken already, a second tap) */
  | { kind: 'answered'; applied: boolean }
  /** they opened a link of a callout no longer open */
  | { kind: 'opened' }
  /** their answer was refused: the callout was no longer open to it, or (`overlapping`) they accepted another for the same time */
  | { kind: 'refused'; answer: CalloutAnswer; overlapping: boolean }
  /** they opened a link whose answer window has passed */
  | { kind: 'link-expired' };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Readable on a phone without zooming; a button a thumb hits (at least 48 px tall). */
const STYLE =
  'body{font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:34rem;padding:1rem 1.25rem;color:#1f1f1f}' +
  'h1{font-size:1.6rem;line-height:1.25}' +
  'button{display:block;width:100%;min-height:48px;padding:.75rem 1rem;font:inherit;font-weight:600;border:0;border-radius:.5rem;background:#0b57d0;color:#fff}';

export function renderPage(page: AnswerPage): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(page.title)}</title><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(page.title)}</h1>${page.body}</body></html>`
  );
}

const paragraphs = (...texts: string[]) => texts.map((t) => `<p>${escapeHtml(t)}</p>`).join('');

/** An offset name as the SMS writes it ("GMT+2", "UTC", "EDT"). */
const zoneName = (t: ReturnType<typeof wallClock>) => t.offsetNameShort ?? t.toFormat('ZZ');
const dateOf = (t: ReturnType<typeof wallClock>) => t.toFormat('cccc d LLLL yyyy');
const local = (epochMs: number, zone: string) => wallClock(epochMs, zone).setLocale('en');

/**
 * "Tuesday 3 March 2026, from 17:21 to 19:21 (GMT+2)": the zone once, after both times (an en dash beside
 * an offset reads as a range of offsets); each time its own when the shift crosses a change of offset.
 */
export function shiftText(from: number, to: number, zone: string): string {
  const start = local(from, zone);
  const end = local(to, zone);
  const endDay = end.hasSame(start, 'day') ? '' : end.hasSame(start.plus({ days: 1 }), 'day') ? ' the next day' : ` on ${dateOf(end)}`;
  const hours =
    zoneName(start) === zoneName(end)
      ? `from ${start.toFormat('HH:mm')} to ${end.toFormat('HH:mm')}${endDay} (${zoneName(start)})`
      : `from ${start.toFormat('HH:mm')} (${zoneName(start)}) to ${end.toFormat('HH:mm')} (${zoneName(end)})${endDay}`;
  return `${dateOf(start)}, ${hours}`;
}

/** "17:09 (GMT+2)", with the date when it is not the day of `sameDayAs`. */
function clockText(at: number, zone: string, sameDayAs: number): string {
  const t = local(at, zone);
  return `${t.toFormat('HH:mm')} (${zoneName(t)})${t.hasSame(local(sameDayAs, zone), 'day') ? '' : ` on ${dateOf(t)}`}`;
}

const IF_YOU_CANNOT_COME = 'If you cannot come after all, contact your team lead.';

/** What a link will do, before it does it (GET: a link preview must not answer), with the button that does it. */
export function confirmPage(callout: CalloutView, answer: CalloutAnswer, answerBy: number, token: string, shown: ShownAs): AnswerPage {
  const verb = answer === 'accept' ? 'Accept' : 'Decline';
  const final =
    answer === 'accept'
      ? `Your answer is final: once you accept, you are expected for the whole time. ${IF_YOU_CANNOT_COME}`
      : 'Your answer is final: once you decline, the callout goes to another agent and you cannot accept it any more.';
  return {
    title: `${verb} this callout?`,
    body:
      `<p><strong>${escapeHtml(shown.groupName)}</strong><br>${escapeHtml(shiftText(callout.loginAt, callout.shiftEnd, shown.zone))}</p>` +
      paragraphs(`Please answer by ${clockText(answerBy, shown.zone, callout.loginAt)}.`, final) +
      `<form method="post" action="?token=${encodeURIComponent(token)}"><button type="submit">${verb}</button></form>`,
  };
}

/** What a released agent is told when they open their message again (as the release message said). */
function releasedText(c: { releasedAt?: number; loginAt: number }, zone: string): string {
  const at = clockText(c.releasedAt!, zone, c.releasedAt!);
  return c.loginAt > c.releasedAt! ? `The surge passed before your login: you were released at ${at}, no need to log in.` : `The surge has passed: you were released at ${at} and may log off after your current call.`;
}

/**
 * What became of the callout, in every state an answer can no longer change: accepted (the times they
 * are expected), declined, released, too late, withdrawn; and why an answer just sent was not taken.
 */
export function outcomePage(callout: CalloutView, shown: ShownAs, occasion: Occasion): AnswerPage {
  const shift = `${shown.groupName}, ${shiftText(callout.loginAt, callout.shiftEnd, shown.zone)}`;
  if (callout.releasedAt !== undefined) return { title: 'No longer needed', body: paragraphs(releasedText(callout, shown.zone)) };
  if (callout.agentDeleted) return { title: 'Withdrawn', body: paragraphs('This callout was withdrawn: there is nothing to answer.') };
  const refused = occasion.kind === 'refused' ? occasion.answer : undefined;
  if (callout.status === 'accepted') {
    const lead = refused ? 'You accepted this callout earlier, so it cannot be declined any more. ' : occasion.kind === 'answered' && occasion.applied ? 'Thank you. ' : '';
    return {
      title: 'Accepted',
      body: paragraphs(`${lead}You are expected on ${shiftText(callout.loginAt, callout.shiftEnd, shown.zone)}, for ${shown.groupName}.`, IF_YOU_CANNOT_COME),
    };
  }
  if (callout.status === 'declined') {
    const text = refused
      ? `You declined this callout earlier, so it cannot be accepted any more (${shift}). If you would like to help after all, contact your team lead.`
      : occasion.kind === 'answered' && occasion.applied
        ? `Thank you: we will not count on you this time (${shift}).`
        : `You declined this callout: nobody expects you for it (${shift}).`;
    return { title: 'Declined', body: paragraphs(text) };
  }
  if (occasion.kind === 'refused' && occasion.overlapping) {
    return { title: 'Not taken', body: paragraphs(`You already accepted another callout for the same time, so this one was not taken (${shift}).`, 'You are still expected for the one you accepted.') };
  }
  return { title: 'Too late to answer', body: paragraphs(`No answer came in time, so this callout went to other agents: you are not expected for it (${shift}).`) };
}

/** A link that is incomplete or was changed on its way (a bad signature, a cut or doubled token, none at all). */
export const brokenLinkPage: AnswerPage = {
  title: 'This link does not work',
  body: paragraphs('This link is incomplete or was changed on its way to you. Open it again from the text message, exactly as it came.', 'If it still does not work, contact your team lead.'),
};

/** An expired link of a callout no longer on record. */
export const expiredLinkPage: AnswerPage = {
  title: 'Too late to answer',
  body: paragraphs('The time to answer this callout has passed: there is nothing to answer any more.'),
};

/** A link whose callout is no longer on record (older than the retention period). */
export const unknownCalloutPage: AnswerPage = {
  title: 'Nothing to answer',
  body: paragraphs('This callout is no longer on record: there is nothing to answer any more.'),
};

export const troublePage: AnswerPage = {
  title: 'Something went wrong',
  body: paragraphs('Something went wrong on our side. Please open the link again in a minute.'),
};
