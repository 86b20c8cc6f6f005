/**
 * The pages a phone's browser shows for the SMS's answer links: what a link will do, what became of the
 * callout, a link that does not work. Written for the agent, not for a developer: the group by its name,
 * times on the agent's clock with the date, no ids or reason codes; big enough to read and tap on a small
 * screen. Rendering only: routes/trigger.ts picks the page and its status.
 */
import type { CalloutAnswer } from '../callout/signing';
import type { CalloutView } from '../services/trigger';
import { wallClock } from '../time/grid';

/** A page: its heading and its body, HTML already escaped; the group it is about, if any, for the title. */
export interface AnswerPage {
  title: string;
  body: string;
  /** the group's name, when the page is about one of its callouts */
  groupName?: string;
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
  /**
   * their answer was refused: the callout was no longer open to it, or (`overlapping`) they accepted another
   * for the same time, or (`clashesWithClaim`) it falls on a slot they claimed or within their rest from it
   */
  | { kind: 'refused'; answer: CalloutAnswer; overlapping: boolean; clashesWithClaim?: boolean }
  /** they opened a link whose answer window has passed */
  | { kind: 'link-expired' };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Readable on a phone without zooming; a button a thumb hits (at least 48 px tall). The background is set
 * with the text colour (WCAG F24: a dark-mode or user style would otherwise put the dark text on a dark
 * background), and the page says it is light-only so a browser does not darken its form controls. The
 * button shows where the keyboard's focus is: an outline apart from it, visible on the white page.
 */
const STYLE =
  ':root{color-scheme:light}' +
  'body{font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:34rem;padding:1rem 1.25rem;color:#1f1f1f;background:#fff}' +
  'h1{font-size:1.6rem;line-height:1.25}' +
  'button{display:block;width:100%;min-height:48px;padding:.75rem 1rem;font:inherit;font-weight:600;border:0;border-radius:.5rem;background:#0b57d0;color:#fff}' +
  'button:focus-visible{outline:3px solid #1f1f1f;outline-offset:2px}';

/**
 * "Accepted – Regular banking callout": the tab, the history and a screen reader say what and whose the
 * page is. (The name needs no isolation here: only words, which keep their order, stand beside it.)
 */
function documentTitle(page: AnswerPage): string {
  return page.groupName === undefined ? `${page.title} – Callout answer` : `${page.title} – ${page.groupName} callout`;
}

export function renderPage(page: AnswerPage): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light">' +
    `<title>${escapeHtml(documentTitle(page))}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(page.title)}</h1>${page.body}</main></body></html>`
  );
}

/** Markup already escaped, put into a paragraph as it is (beside text, which is escaped). */
interface Markup {
  html: string;
}
const paragraph = (...parts: Array<string | Markup>) => `<p>${parts.map((p) => (typeof p === 'string' ? escapeHtml(p) : p.html)).join('')}</p>`;
const paragraphs = (...texts: string[]) => texts.map((t) => paragraph(t)).join('');

/**
 * The group's name isolated from the sentence around it: a Hebrew or Arabic name would otherwise carry
 * the punctuation and times next to it into its own direction and reorder the sentence.
 */
const group = (name: string): Markup => ({ html: `<bdi>${escapeHtml(name)}</bdi>` });

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

/** "17:09 (GMT+2)", with the date when it is not the day of `sameDayAs` (always, without one). */
function clockText(at: number, zone: string, sameDayAs: number | undefined): string {
  const t = local(at, zone);
  const sameDay = sameDayAs !== undefined && t.hasSame(local(sameDayAs, zone), 'day');
  return `${t.toFormat('HH:mm')} (${zoneName(t)})${sameDay ? '' : ` on ${dateOf(t)}`}`;
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
    groupName: shown.groupName,
    body:
      `<p><strong><bdi>${escapeHtml(shown.groupName)}</bdi></strong><br>${escapeHtml(shiftText(callout.loginAt, callout.shiftEnd, shown.zone))}</p>` +
      paragraphs(`Please answer by ${clockText(answerBy, shown.zone, callout.loginAt)}.`, final) +
      `<form method="post" action="?token=${encodeURIComponent(token)}"><button type="submit">${verb}</button></form>`,
  };
}

/**
 * What a released agent is told when they open their message again (as the release message said), with
 * the shift they had accepted. The time of the release has its date unless it is the reader's today:
 * a page opened the next morning must not read as if they were released that morning.
 */
function releasedText(c: { releasedAt?: number; loginAt: number }, zone: string, renderedAt: number | undefined, shift: Markup): string {
  const at = clockText(c.releasedAt!, zone, renderedAt);
  return c.loginAt > c.releasedAt!
    ? paragraph(`The surge passed before your login: you were released at ${at}, no need to log in (`, shift, ').')
    : paragraph(`The surge has passed: you were released at ${at} and may log off after your current call (`, shift, ').');
}

/**
 * What became of the callout, in every state an answer can no longer change: accepted (the times they
 * are expected), declined, released, too late, withdrawn; and why an answer just sent was not taken.
 * `renderedAt` is when the page is shown (the service's clock): without it a date is always said.
 */
export function outcomePage(callout: CalloutView, shown: ShownAs, occasion: Occasion, renderedAt?: number): AnswerPage {
  const shift: Markup = { html: `${group(shown.groupName).html}, ${escapeHtml(shiftText(callout.loginAt, callout.shiftEnd, shown.zone))}` };
  const page = (title: string, body: string): AnswerPage => ({ title, body, groupName: shown.groupName });
  if (callout.releasedAt !== undefined) return page('No longer needed', releasedText(callout, shown.zone, renderedAt, shift));
  if (callout.agentDeleted) return page('Withdrawn', paragraphs('This callout was withdrawn: there is nothing to answer.'));
  const refused = occasion.kind === 'refused' ? occasion.answer : undefined;
  if (callout.status === 'accepted') {
    const lead = refused ? 'You accepted this callout earlier, so it cannot be declined any more. ' : occasion.kind === 'answered' && occasion.applied ? 'Thank you. ' : '';
    return page('Accepted', paragraph(`${lead}You are expected on ${shiftText(callout.loginAt, callout.shiftEnd, shown.zone)}, for `, group(shown.groupName), '.') + paragraphs(IF_YOU_CANNOT_COME));
  }
  if (callout.status === 'declined') {
    const text = refused
      ? paragraph('You declined this callout earlier, so it cannot be accepted any more (', shift, '). If you would like to help after all, contact your team lead.')
      : occasion.kind === 'answered' && occasion.applied
        ? paragraph('Thank you: we will not count on you this time (', shift, ').')
        : paragraph('You declined this callout: nobody expects you for it (', shift, ').');
    return page('Declined', text);
  }
  if (occasion.kind === 'refused' && occasion.overlapping) {
    return page('Not taken', paragraph('You already accepted another callout for the same time, so this one was not taken (', shift, ').') + paragraphs('You are still expected for the one you accepted.'));
  }
  if (occasion.kind === 'refused' && occasion.clashesWithClaim) {
    // the callout stays open: without this page the agent read "too late" and took it as gone to others
    return page(
      'Not taken',
      paragraph('You claimed a shift at this time, or too close to it to leave you your rest, so this callout was not taken (', shift, ').') +
        paragraphs('You are still expected for the shift you claimed.'),
    );
  }
  return page('Too late to answer', paragraph('No answer came in time, so this callout went to other agents: you are not expected for it (', shift, ').'));
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
