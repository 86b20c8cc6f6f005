import { agentIcalFeed, icalFeeds, parseRosterCsv, ROSTER_CSV_HEADER, rosterToCsv } from '../../src/roster/export';
import { cloudSlots } from '../../src/roster/slots';
import { rosterCoverage } from '../../src/roster/coverage';
import type { AssignedShift } from '../../src/roster/types';
import { day, shift, ZONE } from './fixtures';

const roster: AssignedShift[] = [
  { ...shift('1999-02-03', '08:00', 8, { id: 'x1' }), agentId: 'A1' },
  { ...shift('1999-02-03', '14:00', 4, { id: 'x2' }), agentId: 'A2' },
];

describe('roster exports, slots and coverage', () => {
  test('when a roster is exported as CSV, then rows carry ISO times with the zone offset and breaks as intervals', () => {
    const csv = rosterToCsv(roster, () => ZONE);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(ROSTER_CSV_HEADER);
    expect(lines[1]).toBe('A1,1999-02-03,1999-02-03T08:00:00+02:00,1999-02-03T16:00:00+02:00,PS,1999-02-03T12:00:00+02:00/1999-02-03T12:30:00+02:00,meal');
    expect(lines[2]).toBe('A2,1999-02-03,1999-02-03T14:00:00+02:00,1999-02-03T18:00:00+02:00,PS,,');
  });

  test('when an agent feed is built, then it is a valid RFC 5545 calendar with UTC times, CRLF and folded lines', () => {
    const feed = agentIcalFeed('A1', roster, { generatedAt: Date.UTC(1999, 0, 31, 9, 0, 0), agentName: 'Agent with a rather long name, to force folding of the calendar name line' });
    expect(feed.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(feed.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(feed).toContain('DTSTART:19990203T060000Z');
    expect(feed).toContain('DTEND:19990203T140000Z');
    expect(feed).toContain('DTSTAMP:19990131T090000Z');
    expect(feed.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    for (const line of feed.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(feed).toMatch(/\r\n /); // folded
    expect(feed).toContain('\\, to force'); // comma escaped
    expect([...icalFeeds(roster, { generatedAt: 0 }).keys()]).toEqual(['A1', 'A2']);
  });

  test('when an agent has no shifts, then the calendar still holds one valid component (RFC 5545 §3.6): a UTC VTIMEZONE, no event', () => {
    const feed = agentIcalFeed('A9', roster, { generatedAt: 0 });
    const lines = feed.trim().split('\r\n');
    const components = lines.filter((l) => l.startsWith('BEGIN:') && l !== 'BEGIN:VCALENDAR');
    expect(components).toEqual(['BEGIN:VTIMEZONE', 'BEGIN:STANDARD']);
    expect(lines.slice(lines.indexOf('BEGIN:VTIMEZONE'), lines.indexOf('END:VTIMEZONE') + 1)).toEqual([
      'BEGIN:VTIMEZONE', 'TZID:UTC', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0000', 'TZOFFSETTO:+0000', 'TZNAME:UTC', 'END:STANDARD', 'END:VTIMEZONE',
    ]);
    expect(feed).not.toContain('VEVENT');
    // an agent with shifts gets their events and no such filler
    expect(agentIcalFeed('A1', roster, { generatedAt: 0 })).not.toContain('VTIMEZONE');
  });

  test('when events carry their own stamp and the deployment its UID domain, then DTSTAMP and UID say so', () => {
    const feed = agentIcalFeed('A1', roster, { generatedAt: 5, stampOf: () => Date.UTC(1999, 0, 30, 12, 0, 0), uidDomain: 'wfm-berlin.rosters.example.com' });
    expect(feed).toContain('DTSTAMP:19990130T120000Z');
    expect(feed).toContain('UID:x1.A1@wfm-berlin.rosters.example.com');
  });

  test('when a feed is built for an agent in a zone, then the breaks in the description are on their wall clock', () => {
    const feed = agentIcalFeed('A1', roster, { generatedAt: 0, timeZone: ZONE }).replace(/\r\n /g, '');
    expect(feed).toContain('DESCRIPTION:Breaks: meal 12:00–12:30 (Asia/Jerusalem)');
    // without a zone the description says UTC, as before
    expect(agentIcalFeed('A1', roster, { generatedAt: 0 }).replace(/\r\n /g, '')).toContain('DESCRIPTION:Breaks: meal 10:00–10:30 UTC');
  });

  test('when a name holds a bare CR, other control characters or a Unicode line separator, then the feed keeps it on its own line', () => {
    const feed = agentIcalFeed('A1', roster, { generatedAt: 0, agentName: 'Mallory\rEND:VCALENDAR\rBEGIN:VCALENDAR\u2028X-EVIL:1\u0007\u0085LOCATION:x', skillGroupName: () => 'PS\rX-EVIL:2' });
    // every line break of the feed is a CRLF between properties; no CR, LF or separator inside a line
    const lines = feed.split('\r\n');
    for (const line of lines) expect(line).not.toMatch(/[\r\n\u2028\u2029\u0007\u0085]/);
    expect(lines.filter((l) => l.startsWith('END:VCALENDAR'))).toEqual(['END:VCALENDAR']);
    expect(feed.replace(/\r\n /g, '')).toContain('X-WR-CALNAME:Shifts Mallory\\nEND:VCALENDAR\\nBEGIN:VCALENDAR\\nX-EVIL:1');
  });

  test('when a break falls in the hour a fall-back night repeats, then the description gives the offset so the two passes differ', () => {
    const at = (iso: string) => Date.parse(iso);
    // Europe/Berlin, 2027-10-31: 02:00–03:00 happens at +02:00, then again at +01:00
    const night = (id: string, agentId: string, breakStart: string, breakEnd: string): AssignedShift => ({
      id, agentId, skillGroupId: 'PS', templateId: 'night', kind: 'night', date: '2027-10-30',
      start: at('2027-10-30T22:00:00+02:00'), end: at('2027-10-31T05:30:00+01:00'),
      breaks: [{ kind: 'meal', start: at(breakStart), end: at(breakEnd) }],
    });
    const shifts = [night('n1', 'A13', '2027-10-31T02:00:00+02:00', '2027-10-31T02:30:00+02:00'), night('n2', 'A15', '2027-10-31T02:00:00+01:00', '2027-10-31T02:30:00+01:00')];
    const describe = (agentId: string) => agentIcalFeed(agentId, shifts, { generatedAt: 0, timeZone: 'Europe/Berlin' }).replace(/\r\n /g, '');
    expect(describe('A13')).toContain('DESCRIPTION:Breaks: meal 02:00–02:30 (Europe/Berlin\\, UTC+02:00)');
    expect(describe('A15')).toContain('DESCRIPTION:Breaks: meal 02:00–02:30 (Europe/Berlin\\, UTC+01:00)');
  });

  describe('break times across a clock change, on a zone west of UTC and on one that falls back at midnight', () => {
    const at = (iso: string) => Date.parse(iso);
    const night = (zone: string, start: string, end: string, breaks: Array<[string, string, string]>) => {
      const shift: AssignedShift = {
        id: 'n', agentId: 'A1', skillGroupId: 'PS', templateId: 'night', kind: 'night', date: start.slice(0, 10), start: at(start), end: at(end),
        breaks: breaks.map(([kind, from, to]) => ({ kind: kind as 'meal' | 'short', start: at(from), end: at(to) })),
      };
      const feed = agentIcalFeed('A1', [shift], { generatedAt: 0, timeZone: zone }).replace(/\r\n /g, '');
      return { feed, description: /DESCRIPTION:(.*)/.exec(feed)![1], csv: rosterToCsv([shift], () => zone) };
    };

    test('when a Santiago night shift spans the September change, then breaks read HH:mm and only those after the jump say UTC−03:00', () => {
      // 2026-09-06: midnight at −04:00 becomes 01:00 at −03:00
      const { feed, description, csv } = night('America/Santiago', '2026-09-05T21:00:00-04:00', '2026-09-06T06:00:00-03:00', [
        ['short', '2026-09-05T22:30:00-04:00', '2026-09-05T22:45:00-04:00'],
        ['meal', '2026-09-05T23:45:00-04:00', '2026-09-06T01:15:00-03:00'],
        ['short', '2026-09-06T03:30:00-03:00', '2026-09-06T03:45:00-03:00'],
      ]);
      expect(description).toBe('Breaks: short 22:30–22:45 (America/Santiago)\\, meal 23:45–01:15 (UTC\u221203:00) (America/Santiago)\\, short 03:30–03:45 (America/Santiago\\, UTC\u221203:00)');
      expect(description).not.toMatch(/\d\d:\d\d[+-]\d\d:\d\d/); // no offset glued to a time
      // DTSTART/DTEND stay in UTC, the CSV keeps full ISO times with offsets
      expect(feed).toContain('DTSTART:20260906T010000Z');
      expect(feed).toContain('DTEND:20260906T090000Z');
      expect(csv).toContain(',2026-09-05T22:30:00-04:00/2026-09-05T22:45:00-04:00;2026-09-05T23:45:00-04:00/2026-09-06T01:15:00-03:00;2026-09-06T03:30:00-03:00/2026-09-06T03:45:00-03:00');
    });

    test('when a Santiago night shift spans the April change, then the repeated 23:00 hour and the times after it say their offset, the others do not', () => {
      // 2026-04-05: midnight at −03:00 becomes 23:00 at −04:00 on the 4th: 23:00–24:00 happens twice
      const { description } = night('America/Santiago', '2026-04-04T20:00:00-03:00', '2026-04-05T04:00:00-04:00', [
        ['short', '2026-04-04T21:30:00-03:00', '2026-04-04T21:45:00-03:00'],
        ['short', '2026-04-04T23:15:00-03:00', '2026-04-04T23:30:00-03:00'],
        ['meal', '2026-04-05T00:00:00-04:00', '2026-04-05T00:30:00-04:00'],
        ['short', '2026-04-05T01:30:00-04:00', '2026-04-05T01:45:00-04:00'],
      ]);
      expect(description).toBe(
        'Breaks: short 21:30–21:45 (America/Santiago)\\, short 23:15–23:30 (America/Santiago\\, UTC\u221203:00)\\, meal 00:00–00:30 (America/Santiago\\, UTC\u221204:00)\\, short 01:30–01:45 (America/Santiago\\, UTC\u221204:00)',
      );
    });

    test('when a Beirut night shift spans the October fall-back, then the first pass of 23:00 says +03:00, the second and midnight +02:00, earlier times nothing', () => {
      // 2026-10-25: midnight at +03:00 becomes 23:00 at +02:00 on the 24th
      const { description } = night('Asia/Beirut', '2026-10-24T20:00:00+03:00', '2026-10-25T04:00:00+02:00', [
        ['short', '2026-10-24T21:00:00+03:00', '2026-10-24T21:15:00+03:00'],
        ['short', '2026-10-24T23:30:00+03:00', '2026-10-24T23:45:00+03:00'],
        ['meal', '2026-10-24T23:30:00+02:00', '2026-10-25T00:00:00+02:00'],
        ['short', '2026-10-25T00:00:00+02:00', '2026-10-25T00:15:00+02:00'],
      ]);
      expect(description).toBe(
        'Breaks: short 21:00–21:15 (Asia/Beirut)\\, short 23:30–23:45 (Asia/Beirut\\, UTC+03:00)\\, meal 23:30–00:00 (Asia/Beirut\\, UTC+02:00)\\, short 00:00–00:15 (Asia/Beirut\\, UTC+02:00)',
      );
    });
  });

  test('when shifts stay uncovered, then identical periods become one cloud slot with a head count', () => {
    const a = shift(day(2), '08:00', 8, { id: 'u1' });
    const b = { ...a, id: 'u2' };
    const c = shift(day(2), '08:00', 8, { id: 'u3', skill: 'NE' });
    const slots = cloudSlots([a, b, c]);
    expect(slots).toHaveLength(2);
    expect(slots.find((s) => s.skillGroupId === 'PS')).toMatchObject({ agentsNeeded: 2, shiftIds: ['u1', 'u2'], start: a.start, end: a.end });
  });

  test('when a meal break covers a whole interval, then coverage counts the agent off the phone there', () => {
    const s = roster[0];
    const intervals = [0, 1, 2].map((k) => ({ skillGroupId: 'PS', intervalStart: s.breaks[0].start - 30 * 60_000 + k * 30 * 60_000, required: 1 }));
    const rows = rosterCoverage([s], intervals);
    expect(rows.map((r) => r.scheduled)).toEqual([1, 0, 1]);
    expect(rows.map((r) => r.shortfall)).toEqual([0, 1, 0]);
  });

  test('when a CSV rosterToCsv wrote is read back, then the same shifts come out, in both the exact and the lenient reading', () => {
    const csv = rosterToCsv(roster, () => ZONE);
    const strict = parseRosterCsv(csv, { name: 'r.csv', skillGroups: new Set(['PS']), exactHeader: true });
    const lenient = parseRosterCsv(csv, { name: 'r.csv', skillGroups: new Set(['PS']), exactHeader: false, zone: ZONE });
    for (const read of [strict, lenient]) {
      expect(read.problems).toEqual([]);
      expect(read.shifts.map(({ agentId, date, start, end, skillGroupId, breaks }) => ({ agentId, date, start, end, skillGroupId, breaks }))).toEqual(
        roster.map((r) => ({ agentId: r.agentId, date: r.date, start: r.start, end: r.end, skillGroupId: r.skillGroupId, breaks: r.breaks.map(({ start, end, kind }) => ({ start, end, kind })) })),
      );
    }
  });

  test('when a roster.csv time has no offset, then the exact reading refuses it by line and the reading with a zone takes it on that clock', () => {
    const csv = `${ROSTER_CSV_HEADER}\nA1,1999-02-03,1999-02-03T08:00,1999-02-03T16:00,PS,\n`;
    const strict = parseRosterCsv(csv, { name: 'r.csv', skillGroups: new Set(['PS']), exactHeader: true });
    expect(strict.shifts).toEqual([]);
    expect(strict.problems).toEqual([{ where: 'r.csv:2', row: 2, message: 'start and end must be ISO date-times with offsets, end after start' }]);
    const zoned = parseRosterCsv(csv, { name: 'r.csv', skillGroups: new Set(['PS']), exactHeader: false, zone: ZONE });
    expect(zoned.shifts[0].start).toBe(Date.parse('1999-02-03T08:00:00+02:00'));
    expect(() => parseRosterCsv('start,agent_id,end,skill_group,date,breaks\n', { name: 'r.csv', skillGroups: new Set(['PS']), exactHeader: true })).toThrow('r.csv is not a roster.csv');
  });
});
