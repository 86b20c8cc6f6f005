import { restaggerBreaks } from '../../src/roster/breaks';
import { rosterCoverage } from '../../src/roster/coverage';
import { DEFAULT_TEMPLATES } from '../../src/roster/templates';
import type { AssignedShift, RequirementRow } from '../../src/roster/types';
import { DateTime } from 'luxon';

const ZONE = 'Europe/Berlin';
const at = (time: string) => DateTime.fromISO(`2026-10-26T${time}`, { zone: ZONE }).toMillis();
const MIN = 60_000;

/** A late 8.5-hour shift (template 'late') from 14:30 with its meal at 19:30 and short breaks at 17:00 and 21:30. */
function late(agentId: string): AssignedShift {
  const start = at('14:30');
  return {
    id: `late-${agentId}`, agentId, skillGroupId: 'RA', templateId: 'late', kind: 'late', date: '2026-10-26', start, end: start + 510 * MIN,
    breaks: [
      { start: at('17:00'), end: at('17:15'), kind: 'short' },
      { start: at('19:30'), end: at('20:00'), kind: 'meal' },
      { start: at('21:30'), end: at('21:45'), kind: 'short' },
    ],
  };
}

function requirement(agents: number): RequirementRow[] {
  const rows: RequirementRow[] = [];
  for (let t = at('14:30'); t < at('23:00'); t += 30 * MIN) rows.push({ skillGroupId: 'RA', intervalStart: t, required: agents });
  return rows;
}

describe('restaggerBreaks (breaks of the finished roster)', () => {
  test('when two agents on the same shape take their meal together, then one meal moves and nobody leaves the phone empty', () => {
    const shifts = [late('A'), late('B')];
    const need = requirement(1.6);
    const before = rosterCoverage(shifts, need);
    expect(Math.min(...before.map((c) => c.scheduled))).toBe(0);
    const { shifts: after, moved } = restaggerBreaks({ shifts, requirement: need, templates: DEFAULT_TEMPLATES });
    expect(moved).toBeGreaterThan(0);
    const coverage = rosterCoverage(after, need);
    expect(Math.min(...coverage.map((c) => c.scheduled))).toBeGreaterThanOrEqual(1);
    expect(coverage.reduce((s, c) => s + c.shortfall, 0)).toBeLessThan(before.reduce((s, c) => s + c.shortfall, 0));
    // Rules: the meal stays in its window (3–5 h after the start), breaks inside the shift, no overlaps.
    for (const shift of after) {
      const meal = shift.breaks.find((b) => b.kind === 'meal')!;
      expect(meal.start - shift.start).toBeGreaterThanOrEqual(180 * MIN);
      expect(meal.start - shift.start).toBeLessThanOrEqual(300 * MIN);
      expect(meal.end - meal.start).toBe(30 * MIN);
      shift.breaks.forEach((b, i) => {
        expect(b.start).toBeGreaterThan(shift.start);
        expect(b.end).toBeLessThan(shift.end);
        if (i > 0) expect(b.start).toBeGreaterThanOrEqual(shift.breaks[i - 1].end);
      });
    }
    // The input is not modified.
    expect(shifts[0].breaks[1].start).toBe(at('19:30'));
  });

  test('when no interval is short, even with everyone on a break, then no break moves', () => {
    const shifts = [late('A'), late('B'), late('C')];
    const { shifts: after, moved } = restaggerBreaks({ shifts, requirement: requirement(0), templates: DEFAULT_TEMPLATES });
    expect(moved).toBe(0);
    expect(after).toEqual(shifts);
  });

  test('when a shift may not move (published, under way), then its breaks stay', () => {
    const shifts = [late('A'), late('B')];
    const { shifts: after } = restaggerBreaks({ shifts, requirement: requirement(1.6), templates: DEFAULT_TEMPLATES, movable: () => false });
    expect(after).toEqual(shifts);
  });
});
