import { allowedStartMinutes, breakPlan, breakVariants, DEFAULT_TEMPLATES, localStart, mealOffsets, minimumBreakShare, shiftOptions, validateTemplates } from '../../src/roster/templates';
import type { ShiftTemplate } from '../../src/roster/types';
import type { SkillGroup } from '../../src/domain/types';
import { WfmError } from '../../src/errors/wfm-error';

const day: ShiftTemplate = {
  id: 'day', name: 'Day', kind: 'day', lengthMinutes: 510, startWindow: { from: '08:00', to: '10:00' }, startGridMinutes: 30,
  mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 180, latestAfterMinutes: 300 }, shortBreaks: { count: 2, lengthMinutes: 15 },
};

const berlin: SkillGroup = {
  id: 'G', name: 'G', timeZone: 'Europe/Berlin', intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
  ahtSeconds: 180, shrinkage: 0.3, maxOccupancy: 0.9, channel: 'voice', overflowTo: [],
};

describe('shift templates', () => {
  test('when the start window is 08:00–10:00 on a 30-minute grid, then both ends are allowed', () => {
    expect(allowedStartMinutes(day)).toEqual([480, 510, 540, 570, 600]);
  });

  test('when a start window wraps past midnight, then late evening and early morning starts are allowed', () => {
    const night: ShiftTemplate = { ...day, id: 'n', kind: 'night', startWindow: { from: '23:00', to: '00:30' }, startGridMinutes: 15 };

    expect(allowedStartMinutes(night)).toEqual([0, 15, 30, 1380, 1395, 1410, 1425]);
  });

  test('when a meal window is 180–300 minutes, then the LP may choose five 30-minute-grid offsets', () => {
    expect(mealOffsets(day)).toEqual([180, 210, 240, 270, 300]);
    expect(mealOffsets({ ...day, mealBreak: undefined })).toEqual([-1]);
  });

  test('when breaks are placed, then they lie inside the shift, on the 15-minute grid, without overlapping', () => {
    for (const offset of mealOffsets(day)) {
      const plan = breakPlan(day, offset);

      expect(plan.filter((b) => b.kind === 'meal')).toEqual([{ offset, length: 30, kind: 'meal' }]);
      expect(plan.filter((b) => b.kind === 'short')).toHaveLength(2);
      for (let i = 0; i < plan.length; i++) {
        expect(plan[i].offset % 15).toBe(0);
        expect(plan[i].offset).toBeGreaterThan(0);
        expect(plan[i].offset + plan[i].length).toBeLessThan(day.lengthMinutes);
        if (i > 0) expect(plan[i].offset).toBeGreaterThanOrEqual(plan[i - 1].offset + plan[i - 1].length);
      }
    }
  });

  test('when a local start falls in the spring-forward gap, then it does not exist', () => {
    expect(localStart('2026-03-29', 150, 'Europe/Berlin')).toBeUndefined();
    expect(localStart('2026-03-29', 180, 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 0));
  });

  test('when a night shift spans the spring-forward night, then it still lasts its full length in elapsed time', () => {
    const night: ShiftTemplate = { ...day, id: 'night', kind: 'night', startWindow: { from: '22:00', to: '22:00' } };

    const options = shiftOptions([night], berlin, ['2026-03-28']);

    expect(options).toHaveLength(5);
    for (const o of options) {
      expect(o.end - o.start).toBe(510 * 60_000);
      expect(o.date).toBe('2026-03-28');
    }
    // 22:00 CET + 8.5 h = 07:30 CEST local: one wall-clock hour vanished
    expect(new Date(options[0].end).toISOString()).toBe('2026-03-29T05:30:00.000Z');
  });

  test('when templates are contradictory, then a validation error names each field', () => {
    const broken: ShiftTemplate[] = [
      { ...day, startGridMinutes: 20 as 15 },
      { ...day, mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 400, latestAfterMinutes: 500 } },
    ];

    let error: WfmError | undefined;
    try {
      validateTemplates(broken);
    } catch (e) {
      error = e as WfmError;
    }

    expect(error).toBeInstanceOf(WfmError);
    const where = error!.details.map((d) => d.where);
    expect(where).toContain('/templates/0/startGridMinutes');
    expect(where).toContain('/templates/1/id');
    expect(where).toContain('/templates/1/mealBreak/latestAfterMinutes');
  });

  test('when the default templates are validated, then they pass', () => {
    expect(() => validateTemplates(DEFAULT_TEMPLATES)).not.toThrow();
  });

  test('when templates differ in break time, then the smallest break share is the one the requirement may net out', () => {
    // day: 30 + 2×15 = 60 of 510 minutes; mid-part: 15 of 240
    expect(minimumBreakShare([day])).toBeCloseTo(60 / 510, 12);
    expect(minimumBreakShare(DEFAULT_TEMPLATES)).toBeCloseTo(15 / 240, 12);
  });

  test('when a template has no meal, then its short breaks come in three placements so equal starts can break apart', () => {
    const part: ShiftTemplate = { ...day, id: 'part', lengthMinutes: 240, mealBreak: undefined, shortBreaks: { count: 1, lengthMinutes: 15 } };

    const variants = breakVariants(part);
    const offsets = variants.map((v) => breakPlan(part, v.mealOffset, v.shortBreakShift)[0].offset);

    expect(variants).toHaveLength(3);
    expect(offsets.sort((a, b) => a - b)).toEqual([90, 120, 150]);
    expect(breakVariants(day)).toHaveLength(5);
  });
});
