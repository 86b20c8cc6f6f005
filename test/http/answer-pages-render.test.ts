/**
 * The answer pages as rendered, without a service: the released page (what group and shift, and a date
 * when the release was not the reader's today) and a group named in a right-to-left script.
 */
import { outcomePage, renderPage } from '../../src/http/answer-pages';
import type { CalloutView } from '../../src/services/trigger';

const MIN = 60_000;
// Tuesday 31 March 2026, 15:00 UTC = 17:00 in Berlin (GMT+2)
const AT = Date.UTC(2026, 2, 31, 15, 0);
const callout: CalloutView = {
  id: 'co_1', waveId: 'w', decisionId: 'd', agentId: 'a1', skillGroupId: 'PS', requestedAt: AT, answerBy: AT + 5 * MIN,
  loginAt: AT + 21 * MIN, shiftEnd: AT + 141 * MIN, status: 'accepted', delivery: { state: 'delivered', attempts: 1 },
};
const shown = { groupName: 'Regular banking', zone: 'Europe/Berlin' };
const opened = { kind: 'opened' } as const;

describe('the released page', () => {
  test('when the agent was released before their login and reads the page the same day, then it names the group and the shift, the release time without a date', () => {
    const page = outcomePage({ ...callout, releasedAt: AT + 10 * MIN }, shown, opened, AT + 30 * MIN);
    expect(page.title).toBe('No longer needed');
    expect(page.body).toBe('<p>The surge passed before your login: you were released at 17:10 (GMT+2), no need to log in (<bdi>Regular banking</bdi>, Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)).</p>');
    expect(renderPage(page)).toContain('<title>No longer needed – Regular banking callout</title>');
  });

  test('when the agent reads the page on a later day, then the release time says its date', () => {
    const nextMorning = AT + 16 * 60 * MIN; // 09:00 on Wednesday in Berlin
    const page = outcomePage({ ...callout, releasedAt: AT + 60 * MIN }, shown, opened, nextMorning);
    expect(page.body).toBe('<p>The surge has passed: you were released at 18:00 (GMT+2) on Tuesday 31 March 2026 and may log off after your current call (<bdi>Regular banking</bdi>, Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)).</p>');
  });

  test('when the reader\'s day (in their zone) has turned though UTC\'s has not, then the date is said', () => {
    // released 23:50 Tuesday in Berlin, read at 00:20 Wednesday in Berlin (still Tuesday in UTC)
    const late = { ...callout, loginAt: Date.UTC(2026, 2, 31, 21, 0), shiftEnd: Date.UTC(2026, 2, 31, 23, 0) };
    const page = outcomePage({ ...late, releasedAt: Date.UTC(2026, 2, 31, 21, 50) }, shown, opened, Date.UTC(2026, 2, 31, 22, 20));
    expect(page.body).toContain('you were released at 23:50 (GMT+2) on Tuesday 31 March 2026 and may log off');
  });

  test('when the time of reading is not known, then the date is said (never a wrong "today")', () => {
    expect(outcomePage({ ...callout, releasedAt: AT + 10 * MIN }, shown, opened).body).toContain('released at 17:10 (GMT+2) on Tuesday 31 March 2026, no need to log in');
  });
});

describe('a group named in a right-to-left script', () => {
  test('when the group has a Hebrew name, then every page isolates it (<bdi>) so the times and punctuation beside it keep their order', () => {
    const hebrew = { groupName: 'בנקאות <פרטית>', zone: 'Asia/Jerusalem' };
    const accepted = outcomePage(callout, hebrew, { kind: 'answered', applied: true }, AT);
    expect(accepted.body).toContain('for <bdi>בנקאות &#60;פרטית&#62;</bdi>.</p>');
    const declined = outcomePage({ ...callout, status: 'declined' }, hebrew, opened, AT);
    expect(declined.body).toContain('(<bdi>בנקאות &#60;פרטית&#62;</bdi>, Tuesday 31 March 2026, from 18:21 to 20:21 (GMT+3))');
    const released = outcomePage({ ...callout, releasedAt: AT + 60 * MIN }, hebrew, opened, AT + 61 * MIN);
    expect(released.body).toContain('(<bdi>בנקאות &#60;פרטית&#62;</bdi>, Tuesday');
    expect(renderPage(accepted)).toContain('<title>Accepted – בנקאות &#60;פרטית&#62; callout</title>');
  });
});

describe('an acceptance refused for a claimed slot', () => {
  test('when the agent claimed a shift at the callout\'s time or within their rest, then the page says so and that they are still expected for it — not "too late"', () => {
    const page = outcomePage({ ...callout, status: 'pending' }, shown, { kind: 'refused', answer: 'accept', overlapping: false, clashesWithClaim: true }, AT);
    expect(page.title).toBe('Not taken');
    expect(page.body).toContain('You claimed a shift at this time, or too close to it to leave you your rest, so this callout was not taken (<bdi>Regular banking</bdi>, Tuesday 31 March 2026, from 17:21 to 19:21 (GMT+2)).');
    expect(page.body).toContain('You are still expected for the shift you claimed.');
    expect(page.body).not.toContain('went to other agents');
  });
});
