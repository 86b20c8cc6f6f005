/**
 * Calendar effects: public holidays of the skill group's country (date-holidays) and special days a
 * planner declares (a sale, a billing run, a storm warning) with an optional expected uplift.
 */
import Holidays from 'date-holidays';
import type { ProblemDetail } from '../errors/wfm-error';
import { addDays } from './day-series';

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
  /** dates that are public holidays (whole days off) */
  holidays: Set<string>;
  special: Map<string, SpecialDay>;
  /** the name of each public holiday of the country calendar, by date (absent for explicit holiday dates) */
  holidayNames?: Map<string, string>;
}

/** date-holidays' country codes, read once (listing them costs about half a millisecond) */
let holidayCountries: Set<string> | undefined;

/** Codes people type for a country whose ISO 3166 code is another. */
const NOT_ISO_CODES: Readonly<Record<string, string>> = { UK: 'GB', EL: 'GR' };

/**
 * Why date-holidays has no calendar for this code, or undefined when it has one. A code is an ISO 3166
 * alpha-2 country ("DE") or, as ISO 3166-2 writes a subdivision, a country and one of the regions
 * date-holidays knows for it ("DE-BY": Bavaria's holidays, Epiphany and Corpus Christi among them).
 * "XX" would give no holidays silently, so it is refused.
 */
export function holidayCalendarProblem(code: string): string | undefined {
  holidayCountries ??= new Set(Object.keys(new Holidays().getCountries()));
  const [country, region, ...more] = code.split('-');
  if (code !== code.toUpperCase() && !holidayCalendarProblem(code.toUpperCase())) return `write the country code in capitals: "${code.toUpperCase()}"`;
  const iso = NOT_ISO_CODES[country];
  if (iso) return `"${country}" is not an ISO 3166 code: the country's code is ${iso}${region === undefined ? '' : ` ("${iso}-${region}")`}`;
  if (!holidayCountries.has(country) || more.length > 0) return `no public-holiday calendar for country "${code}": an ISO 3166 alpha-2 code in capitals, e.g. DE, US, IL, or a region of one, e.g. DE-BY`;
  if (region === undefined) return undefined;
  const regions = Object.keys(new Holidays().getStates(country) ?? {});
  if (regions.includes(region)) return undefined;
  return regions.length
    ? `no public-holiday calendar for region "${code}": the regions known for ${country} are ${regions.map((r) => `${country}-${r}`).join(', ')} (or ${country} for the national holidays only)`
    : `no regional public-holiday calendar for ${country}: give "${country}" (the national holidays)`;
}

/** Whether date-holidays has a calendar for this code ("DE", "DE-BY"; not "XX", which gives no holidays silently). */
export function hasHolidayCalendar(code: string): boolean {
  return holidayCalendarProblem(code) === undefined;
}

const DAY_MS = 86_400_000;

/**
 * date-holidays types some days public whose day off is only some people's: China's Women's Day (an
 * afternoon, for women), Youth Day, Children's Day (for children), Army Day (for serving soldiers), a
 * Malagasy women's day. Its note names who they are for; the call center's customers work as usual.
 */
const FOR_SOME_PEOPLE_ONLY = /^(women|youth|children|military personnel)\b|\bonly for\b/i;

/**
 * Public (and bank) holidays of a country (or "CC-RRR" region) between two years, as local dates with
 * their names. A holiday that lasts several days (Eid al-Adha: four in Saudi Arabia, P4D) counts on each
 * of them: its dates are the calendar dates from its first, as many as the whole days it lasts (an
 * Islamic or Jewish day begins at the sunset before, which date-holidays writes as a -06:00 offset: the
 * dates, not the instants, are the days off, whatever the group's zone). Left out: entries that begin
 * after the day has begun (Germany's Christmas Eve and New Year's Eve from 14:00, China's half days from
 * 12:00) — not days off; most are eves of a holiday, which the forecast treats as eves all the same — and
 * days off for some people only (FOR_SOME_PEOPLE_ONLY).
 */
export function publicHolidayNames(code: string | undefined, fromYear: number, toYear: number): Map<string, string> {
  const dates = new Map<string, string>();
  if (!code) return dates;
  const [country, region] = code.split('-');
  const calendar = region === undefined ? new Holidays(country) : new Holidays(country, region);
  for (let year = fromYear; year <= toYear; year++) {
    const list = calendar.getHolidays(year) || [];
    for (const h of list) {
      if (h.type !== 'public' && h.type !== 'bank') continue;
      if (h.date.slice(11, 16) !== '00:00') continue;
      const note = (h as { note?: string }).note; // in date-holidays' data, not in its type
      if (note && FOR_SOME_PEOPLE_ONLY.test(note)) continue;
      const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
      for (let i = 0; i < days; i++) {
        const date = addDays(h.date.slice(0, 10), i);
        if (!dates.has(date)) dates.set(date, h.name);
      }
    }
  }
  return dates;
}

/** The dates of publicHolidayNames. */
export function publicHolidays(code: string | undefined, fromYear: number, toYear: number): Set<string> {
  return new Set(publicHolidayNames(code, fromYear, toYear).keys());
}

/**
 * The calendar of a forecast. A date the planner declared a special day is that special day, not a
 * public holiday, whatever the country's calendar says: the planner knows the center (China's Children's
 * Day is a working day for most; a special day with uplift 1 says "an ordinary day").
 */
export function buildCalendar(options: { country?: string; holidays?: string[]; specialDays?: SpecialDay[]; fromYear: number; toYear: number }): DayCalendar {
  const special = new Map((options.specialDays ?? []).map((s) => [s.date, s]));
  const holidayNames = options.holidays ? new Map<string, string>() : publicHolidayNames(options.country, options.fromYear, options.toYear);
  const holidays = new Set([...(options.holidays ?? holidayNames.keys())].filter((date) => !special.has(date)));
  for (const date of special.keys()) holidayNames.delete(date);
  return { holidays, special, holidayNames };
}

/**
 * What a planner declaring special days should know, which the answer would not show: a day without an
 * uplift changes the forecast only if past days with its label teach one, and a day on a public holiday
 * replaces the holiday (see buildCalendar).
 */
export function specialDayWarnings(days: readonly SpecialDay[], country: string | undefined): string[] {
  const years = days.map((d) => Number(d.date.slice(0, 4)));
  const holidays = country && days.length ? publicHolidayNames(country, Math.min(...years), Math.max(...years)) : new Map<string, string>();
  return days.flatMap((d) => {
    const warnings: string[] = [];
    const holiday = holidays.get(d.date);
    if (holiday !== undefined) {
      warnings.push(`${d.date} is a public holiday in ${country} (${JSON.stringify(holiday)}): the special day replaces it, and the day is forecast as an ordinary day of its weekday${d.uplift === undefined ? '' : ` × ${d.uplift}`}`);
    }
    if (d.uplift === undefined) {
      warnings.push(
        `${d.date} (${JSON.stringify(d.label)}) has no uplift: it is forecast as an ordinary day, unless the history holds past special days labelled ${JSON.stringify(d.label)}, ` +
          'whose median ratio to an ordinary same weekday is then its uplift (the learned net reads any special day in the history its own way); ' +
          'give one to be sure — a multiplier, e.g. "uplift": 1.5 for +50 %',
      );
    }
    return warnings;
  });
}
