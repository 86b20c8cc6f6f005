/**
 * The --from flag of the commands: where the period or forecast starts. Shared so that every command reads
 * a date the same way — on the center's clock — and says what is wrong with a day the calendar lacks.
 */
import { invalid } from '../errors/wfm-error';
import { impossibleCalendarDate } from '../history/ingest';
import { parseTimestamp, startOfLocalDay } from '../time/grid';

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Refuses a --from whose YYYY-MM-DD is no calendar day (2026-02-30), naming the value, not the format. */
export function refuseImpossibleDate(flag: string, text: string): void {
  const impossible = impossibleCalendarDate(text);
  if (impossible) throw invalid(`${flag}: ${impossible}`, [{ where: flag, message: `${impossible}: check the day of the month` }]);
}

/**
 * --from of a command that starts at an instant (`wfm forecast`): an ISO-8601 date-time, or a bare date
 * meaning local midnight in `zone`, as `wfm plan --from` reads its date. Left to the timestamp parser, a
 * bare "2026-04-13" looked like a time with offset "-13" and became midnight of the machine's zone (UTC on
 * a server: 02:00 in Berlin, the night's first hours lost without a word).
 */
export function parseFromInstant(text: string, zone: string): number {
  const trimmed = text.trim();
  refuseImpossibleDate('--from', trimmed);
  if (BARE_DATE.test(trimmed)) return startOfLocalDay(trimmed, zone);
  const parsed = parseTimestamp(trimmed, zone);
  if (!parsed.ok) {
    // the format hint only where the format is what is wrong: a time the clock change skips or repeats
    // is well-formed, and its own reason says what to give
    const hint = parsed.reason.includes('(DST gap)')
      ? ': the clocks skip that time; give a time outside the skipped hour, or one with its UTC offset'
      : parsed.reason.includes('occurs twice')
        ? ''
        : `: give a date YYYY-MM-DD (midnight in ${zone}) or an ISO-8601 date-time`;
    throw invalid(`--from: ${parsed.reason}`, [{ where: '--from', message: `got "${text}"${hint}` }]);
  }
  return parsed.epochMs;
}
