/**
 * Checking a batch of realtime events as the ingest client posts it (POST /realtime/events), before
 * anything is stored. Pure: the known groups, the clock and the retention come in.
 *
 * Why each rule: the tick reads every stored minute of the last 20 minutes of every group, so a value it
 * cannot use would fail (or freeze) every tick until it ages out; the store names fields
 * `<minute>:<measure>` and `<minute>:s:<signal>`, so a signal name with ':' would read back as another
 * field; a minute in the future would sit in the window of the tick that reaches it, and one older than
 * the retention would be answered "stored" while its day is already due to expire.
 */
import { pointerSegment, type ProblemDetail } from '../errors/wfm-error';
import { DAY_MS, MINUTE_MS, isOnGrid } from '../time/grid';
import { plural } from '../domain/plural';

/**
 * Most a count or gauge may be in one minute. The busiest single queues take a few hundred calls a
 * minute with a few thousand agents; 100,000 is two orders of magnitude beyond, so a larger value is a
 * unit or parsing mistake upstream (the tester's 1e12 froze the tick's queueing formulas).
 */
export const MAX_MEASURE = 100_000;
/** Most a leading signal may be in one minute: web sessions or page views of a large site, with room to spare. */
export const MAX_SIGNAL_VALUE = 1_000_000_000;
/** Signal names per event: a client posts a handful; each becomes a field the tick reads every minute. */
export const MAX_SIGNALS_PER_EVENT = 32;
/** 1–64 characters, no ':' (the store's field separator) and nothing a log or a URL would mangle. */
export const SIGNAL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A minute may be reported this far ahead of the service's clock (clients' clocks drift a little). */
export const MAX_CLOCK_SKEW_MINUTES = 2;

/**
 * A time ahead in minutes and seconds, the seconds rounded up: whole minutes alone would call 2 min 6 s
 * "2 minutes" and read as if the 2 allowed were kept.
 */
function howFarAhead(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (rest === 0) return plural(minutes, 'minute');
  return minutes === 0 ? plural(rest, 'second') : `${plural(minutes, 'minute')} ${plural(rest, 'second')}`;
}

/** One event as the ingest client posts it (snake_case, as in openapi.yaml). */
export interface RealtimeEventBody {
  skill_group: string;
  minute: string;
  arrivals?: number;
  queue_length?: number;
  agents_logged_in?: number;
  agents_available?: number;
  handled?: number;
  signals?: Record<string, number>;
}

/** An event that passed the checks, as the store keeps it; every measure is optional. */
export interface CheckedRealtimeEvent {
  skillGroupId: string;
  /** start of the minute (epoch ms) */
  minute: number;
  arrivals?: number;
  queueLength?: number;
  agentsLoggedIn?: number;
  agentsAvailable?: number;
  handled?: number;
  /** leading signals, e.g. { selfServiceSessions: 420, incident: 1 } */
  signals?: Record<string, number>;
}

const MEASURES = ['arrivals', 'queue_length', 'agents_logged_in', 'agents_available', 'handled'] as const;

/**
 * The events of a batch, or every problem named by its JSON pointer (`/body/<i>/…`). The caller stores
 * nothing when there is any problem.
 */
export function checkRealtimeBatch(
  body: RealtimeEventBody[],
  groups: ReadonlyMap<string, { id: string; timeZone: string }>,
  now: number,
  retentionDays: number,
): { events: CheckedRealtimeEvent[]; problems: ProblemDetail[] } {
  const problems: ProblemDetail[] = [];
  const events: CheckedRealtimeEvent[] = [];
  const latest = now + MAX_CLOCK_SKEW_MINUTES * MINUTE_MS;
  const oldest = now - retentionDays * DAY_MS;
  // group + minute → the first index that reported it: a second report in the same batch is ambiguous
  // (which one did the client mean?), not an override as a later batch is.
  const seen = new Map<string, number>();
  body.forEach((e, i) => {
    const at = `/body/${i}`;
    const before = problems.length;
    const g = groups.get(e.skill_group);
    const minute = Date.parse(e.minute);
    if (!g) problems.push({ where: `${at}/skill_group`, message: `unknown skill group ${e.skill_group}` });
    if (!Number.isFinite(minute)) problems.push({ where: `${at}/minute`, message: 'must be a date-time' });
    else if (g && !isOnGrid(minute, g.timeZone, 1)) problems.push({ where: `${at}/minute`, message: 'must be the start of a minute (seconds = 0)' });
    else if (minute > latest) problems.push({ where: `${at}/minute`, message: `is ${howFarAhead(minute - now)} in the future (at most ${MAX_CLOCK_SKEW_MINUTES} minutes allowed for clock skew)` });
    else if (minute < oldest) problems.push({ where: `${at}/minute`, message: `is older than the ${retentionDays}-day retention of realtime events` });
    else if (g) {
      const key = `${g.id}\n${minute}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push({ where: `${at}/minute`, message: `same skill group and minute as /body/${first}: post a minute once per batch` });
      else seen.set(key, i);
    }
    for (const measure of MEASURES) {
      const v = e[measure];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_MEASURE)) {
        problems.push({ where: `${at}/${measure}`, message: `must be a number from 0 to ${MAX_MEASURE}` });
      }
    }
    problems.push(...signalProblems(e.signals, `${at}/signals`));
    // an event with nothing to store was answered "stored" and left no trace: the client's mapping lost its fields
    const carriesSomething = MEASURES.some((measure) => e[measure] !== undefined) || (e.signals !== null && typeof e.signals === 'object' && Object.keys(e.signals).length > 0);
    if (problems.length === before && !carriesSomething) problems.push({ where: at, message: `carries no measure and no signal: give at least one of ${MEASURES.join(', ')} or signals` });
    if (problems.length > before || !g) return;
    events.push({
      skillGroupId: g.id,
      minute,
      arrivals: e.arrivals,
      queueLength: e.queue_length,
      agentsLoggedIn: e.agents_logged_in,
      agentsAvailable: e.agents_available,
      handled: e.handled,
      signals: e.signals,
    });
  });
  return { events, problems };
}

function signalProblems(signals: Record<string, number> | undefined, at: string): ProblemDetail[] {
  if (signals === undefined) return [];
  if (typeof signals !== 'object' || signals === null || Array.isArray(signals)) return [{ where: at, message: 'must be an object of signal name → count' }];
  const entries = Object.entries(signals);
  if (entries.length > MAX_SIGNALS_PER_EVENT) return [{ where: at, message: `at most ${MAX_SIGNALS_PER_EVENT} signals per event (got ${entries.length})` }];
  const problems: ProblemDetail[] = [];
  for (const [name, v] of entries) {
    // a JSON pointer escapes '~' and '/'; the name itself is what is wrong, so it is named as given
    const where = `${at}/${pointerSegment(name)}`;
    if (!SIGNAL_NAME.test(name)) problems.push({ where, message: 'a signal name is 1–64 characters of A–Z, a–z, 0–9, _ . - (no ":")' });
    else if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_SIGNAL_VALUE)) problems.push({ where, message: `must be a number from 0 to ${MAX_SIGNAL_VALUE}` });
  }
  return problems;
}
