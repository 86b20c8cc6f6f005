/**
 * Calendar effects: public holidays of the skill group's country (date-holidays) and special days a
 * planner declares (a sale, a billing run, a storm warning) with an optional expected uplift.
 */
import Holidays from 'date-holidays';
import type { ProblemDetail } from '../errors/wfm-error';

export interface SpecialDay {
  /** local date "YYYY-MM-DD" */
  date: string;
  label: string;
  /** expected volume multiplier for the day, e.g. 1.3 = +30 %; absent = learn from history if possible */
  uplift?: number;
}

/**
 * A date declared twice in one list, named at its second place (`at` is the list's pointer): ambiguous —
 * which uplift was meant? — where a later declaration replacing an earlier one is not.
 */
export function repeatedSpecialDays(days: readonly SpecialDay[], at: string): ProblemDetail[] {
  const first = new Map<string, number>();
  return days.flatMap((d, i) => {
    const before = first.get(d.date);
    if (before === undefined) first.set(d.date, i);
    return before === undefined ? [] : [{ where: `${at}/${i}/date`, message: `${d.date} is already declared at ${at}/${before}: declare a day once per request` }];
  });
}

export interface DayCalendar {
  /** dates that are public holidays */
  holidays: Set<string>;
  special: Map<string, SpecialDay>;
}

/** date-holidays' country codes, read once (listing them costs about half a millisecond) */
let holidayCountries: Set<string> | undefined;

/** Whether date-holidays has a calendar for this ISO 3166 code ("DE"; not "XX", which gives no holidays silently). */
export function hasHolidayCalendar(country: string): boolean {
  holidayCountries ??= new Set(Object.keys(new Holidays().getCountries()));
  return holidayCountries.has(country);
}

/** Public (and bank) holidays of a country between two years, as local dates. */
export function publicHolidays(country: string | undefined, fromYear: number, toYear: number): Set<string> {
  const dates = new Set<string>();
  if (!country) return dates;
  const calendar = new Holidays(country);
  for (let year = fromYear; year <= toYear; year++) {
    const list = calendar.getHolidays(year) || [];
    for (const h of list) if (h.type === 'public' || h.type === 'bank') dates.add(h.date.slice(0, 10));
  }
  return dates;
}

export function buildCalendar(options: { country?: string; holidays?: string[]; specialDays?: SpecialDay[]; fromYear: number; toYear: number }): DayCalendar {
  const holidays = options.holidays ? new Set(options.holidays) : publicHolidays(options.country, options.fromYear, options.toYear);
  const special = new Map((options.specialDays ?? []).map((s) => [s.date, s]));
  return { holidays, special };
}
