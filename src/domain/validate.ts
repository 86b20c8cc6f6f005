/**
 * Checks that a schema cannot express: references between objects, time windows that make sense,
 * contracts that can be satisfied, real phone numbers. Each returns every problem found (none = valid),
 * with `where` as a JSON pointer into the submitted document. A time zone is also written in its one
 * spelling (canonicalZone), in place: the validated objects are the ones stored.
 */
import { isValidPhoneNumber } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import type { Agent, SkillGroup, WeeklyWindow } from './types';
import type { ProblemDetail } from '../errors/wfm-error';
import { isValidZone, parseLocalTime } from '../time/grid';
import { holidayCalendarProblem } from '../forecast/calendar';

function checkWindows(windows: WeeklyWindow[] | undefined, where: string, problems: ProblemDetail[]): void {
  windows?.forEach((w, i) => {
    const from = parseLocalTime(w.from);
    const to = parseLocalTime(w.to);
    if (Number.isNaN(from) || Number.isNaN(to)) problems.push({ where: `${where}/${i}`, message: 'from/to must be HH:mm' });
    else if (from >= to) problems.push({ where: `${where}/${i}`, message: `from ${w.from} must be before to ${w.to} (split windows that cross midnight)` });
  });
}

/**
 * A time zone as it is kept: the current IANA name of its zone, or why the name is refused. One spelling
 * per zone, whatever the planner typed, so two groups on one clock are never refused a roster together as
 * keeping different zones:
 * - the letter case does not matter: "asia/tokyo" → "Asia/Tokyo", "ETC/GMT+5" → "Etc/GMT+5", "utc" → "UTC";
 * - another name of the same zone (an IANA link: "US/Eastern", "Asia/Calcutta") is written as the zone's
 *   own name ("America/New_York", "Asia/Kolkata"). The runtime (ICU) tells which names are one zone, but it
 *   names some zones by a name IANA has since replaced (ICU keeps "Asia/Calcutta", "Europe/Kiev"): those
 *   are written in IANA's current spelling (RENAMED_BY_IANA);
 * - a name without an area ("JST", "EST", "CET", "EST5EDT", "Japan") is an abbreviation or a legacy name,
 *   not a place, and is refused naming the zone the runtime reads it as ("EST" is America/Panama, without
 *   daylight saving time: rarely what a planner in New York means); "GMT", "UCT", "Zulu"… are "UTC".
 */
export function canonicalZone(zone: string): { ok: true; zone: string } | { ok: false; message: string } {
  // stores read every agent's and group's zone through here (a tick reads thousands): one answer per name
  let known = canonicalZones.get(zone);
  if (!known) {
    known = canonicalZoneOf(zone);
    if (canonicalZones.size < 10_000) canonicalZones.set(zone, known);
  }
  return known;
}

/**
 * A stored object (a skill group, an agent) with its zone under the name validation writes today: objects
 * saved by a release that kept another name ("Asia/Calcutta" for "asia/kolkata") would otherwise be
 * refused a roster beside ones saved since ("Asia/Kolkata") as keeping two zones.
 */
export function withCanonicalZone<T extends { timeZone?: string }>(stored: T): T {
  if (stored.timeZone === undefined) return stored;
  const zone = canonicalZone(stored.timeZone);
  return zone.ok && zone.zone !== stored.timeZone ? { ...stored, timeZone: zone.zone } : stored;
}

const canonicalZones = new Map<string, { ok: true; zone: string } | { ok: false; message: string }>();

function canonicalZoneOf(zone: string): { ok: true; zone: string } | { ok: false; message: string } {
  if (!isValidZone(zone)) return { ok: false, message: `"${zone}" is not an IANA time zone (e.g. Europe/Berlin)` };
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return { ok: false, message: `"${zone}" is not an IANA time zone (e.g. Europe/Berlin)` };
  }
  // before the area check: an older runtime's own name of EST or CET is "EST" or "CET"
  if (!zone.includes('/')) {
    if (resolved === 'UTC' || zone.toUpperCase() === 'UTC') return { ok: true, zone: 'UTC' };
    return { ok: false, message: `"${zone}" is an abbreviation or a legacy name, not a place's time zone: give the IANA Area/Location zone (it would read as ${resolved})` };
  }
  return { ok: true, zone: RENAMED_BY_IANA[resolved] ?? resolved };
}

/**
 * The zones ICU (Node's Intl, as of ICU 74–77) still names by a name IANA has since made a link to a new
 * one: a city renamed or respelled, or a zone moved under a country folder. Derived by resolving every
 * name of tzdata's zone.tab through Intl and keeping those whose Intl name is not in zone.tab.
 */
const RENAMED_BY_IANA: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/**
 * `base` names where the list sits ("/body", "agents.json#"): item i is then `${base}/${i}`; a function
 * names each item itself, for a request whose body is one item rather than a list.
 */
export type ItemPointer = string | ((index: number) => string);

export const itemAt = (base: ItemPointer, i: number) => (typeof base === 'function' ? base(i) : `${base}/${i}`);

/** Also writes each group's timeZone as canonicalZone spells it (what is then stored is one spelling per zone). */
export function validateSkillGroups(groups: SkillGroup[], alreadyStored: Map<string, SkillGroup>, base: ItemPointer = ''): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  const known = new Set([...alreadyStored.keys(), ...groups.map((g) => g.id)]);
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    const at = itemAt(base, i);
    if (seen.has(g.id)) problems.push({ where: `${at}/id`, message: `skill group ${g.id} appears twice in this request` });
    seen.add(g.id);
    const zone = canonicalZone(g.timeZone);
    if (zone.ok) g.timeZone = zone.zone;
    else problems.push({ where: `${at}/timeZone`, message: zone.message });
    const countryProblem = g.country === undefined ? undefined : holidayCalendarProblem(g.country);
    if (countryProblem) problems.push({ where: `${at}/country`, message: countryProblem });
    if (g.channel === 'chat' && !g.chatConcurrency) problems.push({ where: `${at}/chatConcurrency`, message: 'chat skill groups need chatConcurrency' });
    if (g.channel === 'voice' && g.chatConcurrency !== undefined && g.chatConcurrency !== 1) {
      problems.push({ where: `${at}/chatConcurrency`, message: 'voice skill groups handle one call at a time' });
    }
    checkWindows(g.openingHours, `${at}/openingHours`, problems);
    g.overflowTo.forEach((target, j) => {
      if (target === g.id) problems.push({ where: `${at}/overflowTo/${j}`, message: 'a skill group cannot overflow to itself' });
      else if (!known.has(target)) problems.push({ where: `${at}/overflowTo/${j}`, message: `unknown skill group ${target}` });
    });
  });
  return problems;
}

/**
 * A phone number as it is kept: E.164 ("+972501234567"). A team lead pastes numbers as people write them:
 * the spaces, dashes, dots and brackets of "+972 50-123-4567" or "+1 (416) 555-0123" are dropped. Without
 * the leading + and country code the number is refused: which country it is in cannot be told.
 */
export function e164(phone: string): string | undefined {
  const digits = phone.trim().replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(digits) && isValidPhoneNumber(digits) ? digits : undefined;
}

/** Also writes each agent's timeZone, when given, as canonicalZone spells it, and the phone as e164 does. */
export function validateAgents(agents: Agent[], skillGroups: Map<string, SkillGroup>, base: ItemPointer = ''): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  const seen = new Set<string>();
  agents.forEach((a, i) => {
    const at = itemAt(base, i);
    if (seen.has(a.id)) problems.push({ where: `${at}/id`, message: `agent ${a.id} appears twice in this request` });
    seen.add(a.id);
    a.skills.forEach((s, j) => {
      if (!skillGroups.has(s.skillGroupId)) problems.push({ where: `${at}/skills/${j}/skillGroupId`, message: `unknown skill group ${s.skillGroupId}` });
    });
    const c = a.contract;
    if (c.minHoursPerWeek > c.maxHoursPerWeek) {
      problems.push({ where: `${at}/contract`, message: `minHoursPerWeek ${c.minHoursPerWeek} exceeds maxHoursPerWeek ${c.maxHoursPerWeek}` });
    }
    if (c.maxDaysPerWeek > 5 || c.maxDaysPerWeek < 0) {
      // at least two days off a week is a hard rule of every roster
      problems.push({ where: `${at}/contract/maxDaysPerWeek`, message: 'at most 5 working days a week (two days off are required)' });
    }
    if (c.minHoursPerWeek > 0 && c.maxDaysPerWeek === 0) {
      problems.push({ where: `${at}/contract`, message: 'minHoursPerWeek > 0 but maxDaysPerWeek is 0' });
    }
    if (c.minHoursPerWeek > c.maxDaysPerWeek * 24) {
      problems.push({ where: `${at}/contract`, message: `minHoursPerWeek ${c.minHoursPerWeek} cannot fit in ${c.maxDaysPerWeek} days` });
    }
    if (a.phone !== undefined) {
      const phone = e164(a.phone);
      if (phone === undefined) problems.push({ where: `${at}/phone`, message: 'not a valid international phone number: + and the country code, e.g. +972501234567 or +972 50-123-4567' });
      else a.phone = phone;
    }
    if (a.kind === 'cloud' && a.calloutOptIn && !a.phone) {
      problems.push({ where: `${at}/phone`, message: 'a cloud agent who opted in to callouts needs a phone number' });
    }
    if (a.kind === 'partner' && a.calloutOptIn) {
      problems.push({ where: `${at}/calloutOptIn`, message: 'only cloud agents are called out' });
    }
    if (a.timeZone !== undefined) {
      const zone = canonicalZone(a.timeZone);
      if (zone.ok) a.timeZone = zone.zone;
      else problems.push({ where: `${at}/timeZone`, message: zone.message });
    }
    checkWindows(a.availability, `${at}/availability`, problems);
    a.daysOff?.forEach((d, j) => {
      if (!DateTime.fromISO(d).isValid) problems.push({ where: `${at}/daysOff/${j}`, message: `"${d}" is not a date` });
    });
  });
  return problems;
}

/** "+972501234567" → "+97250*****67": enough to recognise, not enough to call. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return phone.slice(0, 6) + '*'.repeat(phone.length - 8) + phone.slice(-2);
}
