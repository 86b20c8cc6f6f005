/**
 * roster.csv says which break is the meal (unpaid in most payrolls) and which are short ones, in a
 * `break_kinds` column after the six it always had; every reader takes the file with or without it.
 * The roster's calendar feed names the roster it serves (a re-plan may have replaced the one asked for).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { agentIcalFeed, parseRosterCsv, ROSTER_CSV_BASE_HEADER, ROSTER_CSV_HEADER, rosterToCsv } from '../../src/roster/export';
import { loadRosterShifts } from '../../src/cli/input-files';
import { parseSimulatedRoster } from '../../src/cli/commands/simulate';
import { rosterFeedDescription } from '../../src/services/rosters';
import type { AssignedShift } from '../../src/roster/types';
import { skillGroup } from '../support/examples';

const ZONE = 'Europe/Berlin';
const at = (hhmm: string) => DateTime.fromISO(`2030-01-08T${hhmm}`, { zone: ZONE }).toMillis();
/** 08:00–16:30 with a short break, the meal, and another short break; the first short one lasts 30 min */
const shift: AssignedShift = {
  id: 's1',
  agentId: 'P1',
  skillGroupId: 'PS',
  templateId: 'day',
  kind: 'day',
  date: '2030-01-08',
  start: at('08:00'),
  end: at('16:30'),
  breaks: [
    { kind: 'short', start: at('10:00'), end: at('10:30') },
    { kind: 'meal', start: at('12:00'), end: at('12:20') },
    { kind: 'short', start: at('14:30'), end: at('14:45') },
  ],
};
const groups = new Set(['PS']);

describe('roster.csv break kinds', () => {
  test('when a roster is exported, then break_kinds follows the six columns, one kind per break in their order', () => {
    const [header, row] = rosterToCsv([shift], () => ZONE).trim().split('\n');
    expect(header).toBe('agent_id,date,start,end,skill_group,breaks,break_kinds');
    expect(header.startsWith(`${ROSTER_CSV_BASE_HEADER},`)).toBe(true);
    const cells = row.split(',');
    // the six columns as they always were
    expect(cells.slice(0, 6)).toEqual([
      'P1',
      '2030-01-08',
      '2030-01-08T08:00:00+01:00',
      '2030-01-08T16:30:00+01:00',
      'PS',
      '2030-01-08T10:00:00+01:00/2030-01-08T10:30:00+01:00;2030-01-08T12:00:00+01:00/2030-01-08T12:20:00+01:00;2030-01-08T14:30:00+01:00/2030-01-08T14:45:00+01:00',
    ]);
    expect(cells[6]).toBe('short;meal;short');
  });

  test('when a roster.csv is read, then the exact reading takes the file with break_kinds and the six-column one written before it', () => {
    const current = rosterToCsv([shift], () => ZONE);
    const read = parseRosterCsv(current, { name: 'r.csv', skillGroups: groups, exactHeader: true });
    expect(read.problems).toEqual([]);
    expect(read.shifts[0].breaks.map((b) => b.kind)).toEqual(['short', 'meal', 'short']);

    const older = current.split('\n').map((line) => line.split(',').slice(0, 6).join(',')).join('\n');
    expect(older.startsWith(`${ROSTER_CSV_BASE_HEADER}\n`)).toBe(true);
    const readOld = parseRosterCsv(older, { name: 'old.csv', skillGroups: groups, exactHeader: true });
    expect(readOld.problems).toEqual([]);
    expect(readOld.shifts[0].breaks.map(({ start, end }) => ({ start, end }))).toEqual(shift.breaks.map(({ start, end }) => ({ start, end })));
    expect(readOld.shifts[0].breaks.every((b) => b.kind === undefined)).toBe(true);
    expect(ROSTER_CSV_HEADER).toBe(`${ROSTER_CSV_BASE_HEADER},break_kinds`);
  });

  test('when break_kinds does not match the breaks, then the row is refused by its line', () => {
    const csv = rosterToCsv([shift], () => ZONE).replace('short;meal;short', 'short;meal');
    expect(parseRosterCsv(csv, { name: 'r.csv', skillGroups: groups, exactHeader: true }).problems).toEqual([
      { where: 'r.csv:2', row: 2, message: 'break_kinds "short;meal" must name meal or short for each of the 3 break(s), in their order' },
    ]);
    const lunch = rosterToCsv([shift], () => ZONE).replace('short;meal;short', 'short;lunch;short');
    expect(parseRosterCsv(lunch, { name: 'r.csv', skillGroups: groups, exactHeader: false }).problems).toHaveLength(1);
  });

  test('when wfm plan --previous reads a roster.csv, then the break kinds are the file\'s, and guessed by length only in a file without them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wfm-break-kinds-'));
    const file = path.join(dir, 'roster.csv');
    const group = skillGroup({ id: 'PS', timeZone: ZONE });
    const csv = rosterToCsv([shift], () => ZONE);
    writeFileSync(file, csv);
    // a 30-minute short break and a 20-minute meal: their length would say the opposite
    expect(loadRosterShifts(file, [group])[0].breaks.map((b) => b.kind)).toEqual(['short', 'meal', 'short']);
    writeFileSync(file, csv.split('\n').map((line) => line.split(',').slice(0, 6).join(',')).join('\n'));
    expect(loadRosterShifts(file, [group])[0].breaks.map((b) => b.kind)).toEqual(['meal', 'short', 'short']);
  });

  test('when wfm simulate reads a roster.csv with break_kinds or without, then the same shifts come out', () => {
    const group = skillGroup({ id: 'PS', timeZone: ZONE });
    const csv = rosterToCsv([shift], () => ZONE);
    const older = csv.split('\n').map((line) => line.split(',').slice(0, 6).join(',')).join('\n');
    const strip = (shifts: ReturnType<typeof parseSimulatedRoster>) => shifts.map((s) => ({ ...s, breaks: s.breaks?.map(({ start, end }) => ({ start, end })) }));
    expect(strip(parseSimulatedRoster(csv, [group]))).toEqual(strip(parseSimulatedRoster(older, [group])));
    expect(parseSimulatedRoster(csv, [group])[0].breaks).toHaveLength(3);
  });
});

describe('a roster\'s calendar feed names the roster it serves', () => {
  test('when the feed is given a description, then it is the calendar\'s X-WR-CALDESC', () => {
    const feed = agentIcalFeed('P1', [shift], { generatedAt: 0, calendarDescription: rosterFeedDescription({ id: 'R1' }, { id: 'R3', status: 'published', replanOf: 'R2' }) }).replace(/\r\n /g, '');
    expect(feed).toContain(
      "X-WR-CALDESC:Shifts of roster R3 (published\\; re-plan of R2)\\, the latest re-plan of roster R1\\, which this feed was asked for: the feed follows re-plans\\; roster R1's own shifts are in its roster.csv and shifts\r\n",
    );
    expect(agentIcalFeed('P1', [shift], { generatedAt: 0 })).not.toContain('X-WR-CALDESC');
    expect(rosterFeedDescription({ id: 'R1' }, { id: 'R1', status: 'superseded' })).toBe('Shifts of roster R1 (superseded)');
  });
});
