/**
 * Shift templates: validation, a sensible default set, and their expansion into concrete shift
 * options (a start instant on a local date plus a placement of the breaks). The LP chooses how many
 * of each option to use; because the break placement (meal offset, or short-break shift for meal-less
 * templates) is part of the option, the LP itself staggers the breaks so coverage holds.
 *
 * Time: starts are local wall times of the skill group's zone; the length is elapsed time, so an 8-hour
 * shift over a DST change is still 8 hours worked and paid. A start that falls in a spring-forward gap
 * does not exist and is skipped; in a fall-back overlap the first occurrence is used.
 */
import { DateTime } from 'luxon';
import type { SkillGroup } from '../domain/types';
import { invalid, type ProblemDetail } from '../errors/wfm-error';
import { MINUTE_MS, parseLocalTime } from '../time/grid';
import type { ShiftBreak, ShiftTemplate } from './types';

/** Granularity of break placement inside a shift, in minutes. */
export const BREAK_GRID_MINUTES = 15;

/**
 * Typical contact-center templates: full-time 8.5 h paid with a 30-minute meal and two 15-minute breaks,
 * and 4-hour part-time shifts for the peaks (on AnonBank they cut paid hours by ~16 % at equal coverage).
 */
export const DEFAULT_TEMPLATES: ShiftTemplate[] = [
  {
    id: 'early', name: 'Early 8.5h', kind: 'early', lengthMinutes: 510, startWindow: { from: '06:00', to: '09:00' }, startGridMinutes: 30,
    mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 180, latestAfterMinutes: 300 }, shortBreaks: { count: 2, lengthMinutes: 15 },
  },
  {
    id: 'day', name: 'Day 8.5h', kind: 'day', lengthMinutes: 510, startWindow: { from: '09:30', to: '12:00' }, startGridMinutes: 30,
    mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 180, latestAfterMinutes: 300 }, shortBreaks: { count: 2, lengthMinutes: 15 },
  },
  {
    id: 'late', name: 'Late 8.5h', kind: 'late', lengthMinutes: 510, startWindow: { from: '12:30', to: '15:30' }, startGridMinutes: 30,
    mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 180, latestAfterMinutes: 300 }, shortBreaks: { count: 2, lengthMinutes: 15 },
  },
  {
    id: 'mid-part', name: 'Mid 4h', kind: 'day', lengthMinutes: 240, startWindow: { from: '08:00', to: '13:00' }, startGridMinutes: 30,
    shortBreaks: { count: 1, lengthMinutes: 15 },
  },
  {
    id: 'evening-part', name: 'Evening 4h', kind: 'late', lengthMinutes: 240, startWindow: { from: '16:00', to: '20:00' }, startGridMinutes: 30,
    shortBreaks: { count: 1, lengthMinutes: 15 },
  },
  {
    id: 'night', name: 'Night 8.5h', kind: 'night', lengthMinutes: 510, startWindow: { from: '22:00', to: '23:00' }, startGridMinutes: 30,
    mealBreak: { lengthMinutes: 30, earliestAfterMinutes: 180, latestAfterMinutes: 300 }, shortBreaks: { count: 2, lengthMinutes: 15 }, costPerHour: 1.25,
  },
];

export function validateTemplates(templates: ShiftTemplate[]): void {
  const problems: ProblemDetail[] = [];
  const ids = new Set<string>();
  templates.forEach((t, i) => {
    const at = `/templates/${i}`;
    if (!t.id) problems.push({ where: `${at}/id`, message: 'required' });
    if (ids.has(t.id)) problems.push({ where: `${at}/id`, message: `duplicate template id "${t.id}"` });
    ids.add(t.id);
    if (!['early', 'day', 'late', 'night'].includes(t.kind)) problems.push({ where: `${at}/kind`, message: 'must be early, day, late or night' });
    if (!(Number.isInteger(t.lengthMinutes) && t.lengthMinutes >= 30 && t.lengthMinutes <= 16 * 60)) problems.push({ where: `${at}/lengthMinutes`, message: 'must be a whole number of minutes between 30 and 960' });
    if (t.startGridMinutes !== 15 && t.startGridMinutes !== 30) problems.push({ where: `${at}/startGridMinutes`, message: 'must be 15 or 30' });
    for (const end of ['from', 'to'] as const) {
      const minute = parseLocalTime(t.startWindow?.[end] ?? '');
      if (Number.isNaN(minute) || minute >= 24 * 60) problems.push({ where: `${at}/startWindow/${end}`, message: 'must be a local time HH:mm before 24:00' });
    }
    if (t.mealBreak) {
      const m = t.mealBreak;
      if (!(m.lengthMinutes > 0 && m.lengthMinutes % BREAK_GRID_MINUTES === 0)) problems.push({ where: `${at}/mealBreak/lengthMinutes`, message: `must be a positive multiple of ${BREAK_GRID_MINUTES}` });
      if (!(m.earliestAfterMinutes >= 0 && m.earliestAfterMinutes <= m.latestAfterMinutes)) problems.push({ where: `${at}/mealBreak`, message: 'needs 0 ≤ earliestAfterMinutes ≤ latestAfterMinutes' });
      if (!(m.latestAfterMinutes + m.lengthMinutes <= t.lengthMinutes)) problems.push({ where: `${at}/mealBreak/latestAfterMinutes`, message: 'the meal break must end inside the shift' });
    }
    if (t.shortBreaks) {
      const s = t.shortBreaks;
      if (!(Number.isInteger(s.count) && s.count >= 0)) problems.push({ where: `${at}/shortBreaks/count`, message: 'must be an integer ≥ 0' });
      if (!(s.lengthMinutes > 0 && s.lengthMinutes % 5 === 0)) problems.push({ where: `${at}/shortBreaks/lengthMinutes`, message: 'must be a positive multiple of 5' });
      const breakMinutes = s.count * s.lengthMinutes + (t.mealBreak?.lengthMinutes ?? 0);
      if (breakMinutes >= t.lengthMinutes / 2) problems.push({ where: `${at}/shortBreaks`, message: 'breaks would take half the shift or more' });
    }
    if (t.costPerHour !== undefined && !(t.costPerHour > 0)) problems.push({ where: `${at}/costPerHour`, message: 'must be > 0' });
  });
  if (problems.length > 0) throw invalid('invalid shift templates', problems);
}

/** Local start minutes (of the day) a template allows; a window with from > to wraps past midnight. */
export function allowedStartMinutes(template: ShiftTemplate): number[] {
  const from = parseLocalTime(template.startWindow.from);
  const to = parseLocalTime(template.startWindow.to);
  const step = template.startGridMinutes;
  const result: number[] = [];
  for (let m = 0; m < 24 * 60; m += step) {
    const inside = from <= to ? m >= from && m <= to : m >= from || m <= to;
    if (inside) result.push(m);
  }
  return result;
}

/** Meal-break offsets from the shift start the LP may choose between (one entry −1 when there is no meal). */
export function mealOffsets(template: ShiftTemplate): number[] {
  const meal = template.mealBreak;
  if (!meal) return [-1];
  const offsets: number[] = [];
  const first = Math.ceil(meal.earliestAfterMinutes / BREAK_GRID_MINUTES) * BREAK_GRID_MINUTES;
  // Offsets on the shift's own start grid keep a 30-minute meal inside one 30-minute interval.
  const step = Math.max(BREAK_GRID_MINUTES, template.startGridMinutes);
  for (let m = first; m <= meal.latestAfterMinutes; m += step) offsets.push(m);
  return offsets.length > 0 ? offsets : [first];
}

/**
 * Break placement for one shift, relative to its start (minutes): the meal at `mealOffset`, short breaks
 * spread evenly over the worked segments (before the meal first), snapped to the break grid, then all
 * moved by `shortBreakShift` minutes (kept inside their segment).
 */
export function breakPlan(template: ShiftTemplate, mealOffset: number, shortBreakShift = 0): Array<{ offset: number; length: number; kind: 'meal' | 'short' }> {
  const plan: Array<{ offset: number; length: number; kind: 'meal' | 'short' }> = [];
  const meal = template.mealBreak;
  if (meal && mealOffset >= 0) plan.push({ offset: mealOffset, length: meal.lengthMinutes, kind: 'meal' });
  const shorts = template.shortBreaks;
  if (shorts && shorts.count > 0) {
    const segments: Array<[number, number]> = meal && mealOffset >= 0
      ? [[0, mealOffset], [mealOffset + meal.lengthMinutes, template.lengthMinutes]]
      : [[0, template.lengthMinutes]];
    const counts = segments.length === 1 ? [shorts.count] : [Math.ceil(shorts.count / 2), Math.floor(shorts.count / 2)];
    segments.forEach(([from, to], s) => {
      for (let i = 1; i <= counts[s]; i++) {
        const centre = from + ((to - from) * i) / (counts[s] + 1);
        const snapped = Math.round((centre - shorts.lengthMinutes / 2) / BREAK_GRID_MINUTES) * BREAK_GRID_MINUTES + shortBreakShift;
        // keep a break-grid step clear of the segment's ends (a break right at the start is no break)
        const offset = Math.min(Math.max(snapped, from + BREAK_GRID_MINUTES), to - shorts.lengthMinutes - BREAK_GRID_MINUTES);
        plan.push({ offset, length: shorts.lengthMinutes, kind: 'short' });
      }
    });
  }
  return plan.sort((a, b) => a.offset - b.offset);
}

/**
 * The break placements the LP may choose between for one template: every meal offset; for a template
 * without a meal, its short breaks at their even spacing or one start-grid step earlier or later, so
 * that shifts starting together need not break together. (With a meal, moving the meal already moves
 * the short breaks around it.)
 */
export function breakVariants(template: ShiftTemplate): Array<{ mealOffset: number; shortBreakShift: number }> {
  if (template.mealBreak) return mealOffsets(template).map((mealOffset) => ({ mealOffset, shortBreakShift: 0 }));
  if (!template.shortBreaks || template.shortBreaks.count === 0) return [{ mealOffset: -1, shortBreakShift: 0 }];
  const step = template.startGridMinutes;
  const variants = [0, -step, step].map((shortBreakShift) => ({ mealOffset: -1, shortBreakShift }));
  // drop variants that clamping makes identical to another
  const seen = new Set<string>();
  return variants.filter((v) => {
    const key = JSON.stringify(breakPlan(template, -1, v.shortBreakShift));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One way to work a template on one date: the LP decides how many agents take it. */
export interface ShiftOption {
  templateId: string;
  kind: ShiftTemplate['kind'];
  date: string;
  start: number;
  end: number;
  breaks: ShiftBreak[];
  paidHours: number;
  /** paid hours × the template's cost per hour */
  cost: number;
}

/** Start instant of a local wall time on a date, or undefined when it does not exist (DST gap). */
export function localStart(date: string, minuteOfDay: number, zone: string): number | undefined {
  const hour = Math.floor(minuteOfDay / 60);
  const minute = minuteOfDay % 60;
  const dt = DateTime.fromISO(date, { zone }).set({ hour, minute, second: 0, millisecond: 0 });
  if (!dt.isValid || dt.hour !== hour || dt.minute !== minute || dt.toISODate() !== date) return undefined;
  return dt.toMillis();
}

export function templatesFor(templates: ShiftTemplate[], group: SkillGroup): ShiftTemplate[] {
  return templates.filter((t) => !t.skillGroupIds || t.skillGroupIds.includes(group.id));
}

/** Every (template, start, break variant) option of a skill group on the given local dates. */
export function shiftOptions(templates: ShiftTemplate[], group: SkillGroup, dates: string[]): ShiftOption[] {
  const options: ShiftOption[] = [];
  for (const template of templatesFor(templates, group)) {
    const starts = allowedStartMinutes(template);
    const variants = breakVariants(template);
    const paidHours = template.lengthMinutes / 60;
    for (const date of dates) {
      for (const minute of starts) {
        const start = localStart(date, minute, group.timeZone);
        if (start === undefined) continue;
        for (const variant of variants) {
          options.push({
            templateId: template.id,
            kind: template.kind,
            date,
            start,
            end: start + template.lengthMinutes * MINUTE_MS,
            breaks: breakPlan(template, variant.mealOffset, variant.shortBreakShift).map((b) => ({ start: start + b.offset * MINUTE_MS, end: start + (b.offset + b.length) * MINUTE_MS, kind: b.kind })),
            paidHours,
            cost: paidHours * (template.costPerHour ?? 1),
          });
        }
      }
    }
  }
  return options;
}

/**
 * The smallest fraction of paid time any of the templates spends on scheduled breaks: the share of
 * shrinkage that the LP's own break placement already represents for every shift (pass it to
 * toLpRequirement as shrinkageCoveredByBreaks; the smallest keeps coverage on the safe side).
 */
export function minimumBreakShare(templates: ShiftTemplate[]): number {
  if (templates.length === 0) return 0;
  return Math.min(
    ...templates.map((t) => ((t.mealBreak?.lengthMinutes ?? 0) + (t.shortBreaks ? t.shortBreaks.count * t.shortBreaks.lengthMinutes : 0)) / t.lengthMinutes),
  );
}
