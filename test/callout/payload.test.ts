import { buildPayload, buildReleasePayload } from '../../src/callout/payload';
import { idempotencyKeyOf } from '../../src/callout/deliver';
import type { CalloutRecord, Decision } from '../../src/trigger/types';
import { planCallouts } from '../../src/trigger/callouts';
import { answerDeadline } from '../../src/trigger/acceptance';

const HOUR = 3_600_000;
// 2026-01-15 14:04 UTC: 09:04 in Toronto, 06:04 in Vancouver
const LOGIN = Date.UTC(2026, 0, 15, 14, 4);
const callout = { id: 'co_1', waveId: 'w', decisionId: 'd', agentId: 'v1', skillGroupId: 'TOW', requestedAt: LOGIN - 15 * 60_000, loginAt: LOGIN, shiftEnd: LOGIN + 2 * HOUR, status: 'pending' } as CalloutRecord;
const options = { answerBaseUrl: 'https://wfm.example/callouts/answer', linkSecret: 'link-secret', expiresAt: LOGIN - 10 * 60_000, skillGroupName: 'Towing' };

describe('callout message', () => {
  test('when the agent reads the message, then its times name their clock, in the zone the service gives (the agent\'s own)', () => {
    const vancouver = buildPayload(callout, '+16045550100', { ...options, timeZone: 'America/Vancouver' });
    expect(vancouver.message).toMatch(/^Towing needs you from 06:04 PST to 08:04 PST\./);
    expect(vancouver.proposedShift).toEqual({ start: '2026-01-15T06:04:00-08:00', end: '2026-01-15T08:04:00-08:00' });
    expect(buildPayload(callout, '+16045550100', { ...options, timeZone: 'America/Toronto' }).message).toMatch(/from 09:04 EST to 11:04 EST/);
  });

  test('when the callout\'s answer window is given, then the message, the links and expiresAt all say it', () => {
    const payload = buildPayload(callout, '+16045550100', { ...options, timeZone: 'America/Toronto' });
    expect(payload.message).toMatch(/Reply within 5 min/);
    expect(payload.expiresAt).toBe(new Date(LOGIN - 10 * 60_000).toISOString());
  });

  test('when the tick ran 49 s into its minute with a 3-minute answer window, then the message says within 3 min, never 4', () => {
    const decisionAt = LOGIN - 15 * 60_000;
    const decision = { fired: true, waveId: 'w', id: 'TOW@1', at: decisionAt, skillGroupId: 'TOW' } as Decision;
    const [planned] = planCallouts(decision, ['v1'], { loginLeadMinutes: 15, calloutShiftMinutes: 120, answerWindowMinutes: 3 }, decisionAt + 49_000);
    const expiresAt = answerDeadline(planned, 3);
    const payload = buildPayload(planned, '+16045550100', { ...options, expiresAt, timeZone: 'UTC' });
    expect(payload.message).toMatch(/Reply within 3 min/);
    // what the agent was told is still open when the message goes out (the tick's own instant)
    expect(expiresAt - (decisionAt + 49_000)).toBeGreaterThanOrEqual(3 * 60_000);
  });
});

describe('release message', () => {
  test('when an agent is released on the phone or before logging in, then the message says log off or do not come, on their clock', () => {
    const onThePhone = buildReleasePayload({ ...callout, status: 'accepted', releasedAt: LOGIN + HOUR }, '+16045550100', { timeZone: 'America/Vancouver', skillGroupName: 'Towing' });
    expect(onThePhone).toMatchObject({ type: 'release', calloutId: 'co_1', releasedAt: '2026-01-15T07:04:00-08:00', expiresAt: new Date(LOGIN + 2 * HOUR).toISOString() });
    expect(onThePhone.message).toBe('Towing: the surge has passed. Thank you: you may log off after your current call (you were expected until 08:04 PST).');
    const notYetIn = buildReleasePayload({ ...callout, status: 'accepted', releasedAt: LOGIN - 5 * 60_000 }, '+16045550100', { timeZone: 'America/Vancouver', skillGroupName: 'Towing' });
    expect(notYetIn.message).toBe('Towing: the surge has passed, no need to log in at 06:04 PST after all. Thank you for saying yes.');
    expect(idempotencyKeyOf(onThePhone)).toBe('co_1.release');
    expect(idempotencyKeyOf(buildPayload(callout, '+16045550100', { ...options, timeZone: 'UTC' }))).toBe('co_1');
  });
});

/** The GSM 03.38 default alphabet and its extension table (an extension character costs two septets). */
const GSM7 = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€';
const notGsm7 = (text: string) => [...text].filter((c) => !GSM7.includes(c) && !GSM7_EXTENSION.includes(c));

describe('SMS alphabet', () => {
  const typographic = 'Roadside assistance – Nord — “Premium” ‘VIP’ «Öffnungszeiten»… 24\u00a0h';

  test('when the group name has typographic dashes, quotes, an ellipsis or a no-break space, then the SMS says them in GSM-7 (not UCS-2) and stays one segment', () => {
    const payload = buildPayload(callout, '+4915112345678', { ...options, timeZone: 'Europe/Berlin', skillGroupName: typographic });
    expect(payload.message).toBe('Roadside assistance - Nord - "Premium" \'VIP\' "Öffnungszeiten"... 24 h needs you from 15:04 GMT+1 to 17:04 GMT+1. Reply within 5 min: accept or decline with the links.');
    expect(notGsm7(payload.message)).toEqual([]);
    // the tester's group: 2 UCS-2 segments before (8 with the links), one GSM-7 segment now
    const roadside = buildPayload(callout, '+4915112345678', { ...options, timeZone: 'Europe/Berlin', skillGroupName: 'Roadside assistance – Nord' }).message;
    expect(notGsm7(roadside)).toEqual([]);
    expect(roadside.length).toBeLessThanOrEqual(160);
    const release = buildReleasePayload({ ...callout, status: 'accepted', releasedAt: LOGIN + HOUR }, '+4915112345678', { timeZone: 'Europe/Berlin', skillGroupName: typographic });
    expect(notGsm7(release.message)).toEqual([]);
    expect(release.message).toMatch(/^Roadside assistance - Nord - "Premium" 'VIP' "Öffnungszeiten"\.\.\. 24 h: the surge has passed\./);
  });

  test('when the name has letters outside GSM-7, then they are kept as they are (only punctuation is replaced)', () => {
    const message = buildPayload(callout, '+48221234567', { ...options, timeZone: 'Europe/Warsaw', skillGroupName: 'Łódź – Obsługa' }).message;
    expect(message).toMatch(/^Łódź - Obsługa needs you from 15:04 GMT\+1 to 17:04 GMT\+1\./);
    expect(buildPayload(callout, '+972501234567', { ...options, timeZone: 'Asia/Jerusalem', skillGroupName: 'בנקאות – פרטי' }).message).toMatch(/^בנקאות - פרטי needs you/);
  });

  test('when the names are rewritten, then the answer links are exactly those of the callout (signed tokens untouched)', () => {
    const plain = buildPayload(callout, '+4915112345678', { ...options, timeZone: 'Europe/Berlin', skillGroupName: 'Plain' });
    const fancy = buildPayload(callout, '+4915112345678', { ...options, timeZone: 'Europe/Berlin', skillGroupName: typographic });
    expect(fancy.links).toEqual(plain.links);
  });
});
