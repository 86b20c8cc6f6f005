/**
 * A cloud agent's work, held two ways — slots they claimed, surge callouts they accepted (from login to
 * the end of the shift, or to their release) — kept apart by one rule set whichever comes second: no two
 * at once, and at least the contract's rest between them. The claim script applies the same rules in
 * Redis (with weekly hours and days); this is what the slot listing and an acceptance check with.
 */
import { wallClock } from '../time/grid';

export interface Work {
  start: number;
  end: number;
}

export interface Clash<T extends Work> {
  rule: 'overlap' | 'rest';
  with: T;
}

/** The first of `others` that `shift` overlaps, or leaves less than `minRestMs` rest to (before or after). */
export function firstClash<T extends Work>(shift: Work, others: readonly T[], minRestMs: number): Clash<T> | undefined {
  for (const other of others) {
    if (other.start < shift.end && shift.start < other.end) return { rule: 'overlap', with: other };
    const restAfter = other.start >= shift.end && other.start - shift.end < minRestMs;
    const restBefore = other.end <= shift.start && shift.start - other.end < minRestMs;
    if (restAfter || restBefore) return { rule: 'rest', with: other };
  }
  return undefined;
}

/** Work's times on a clock, for the person it belongs to: "2030-01-10 08:00–12:00 (Europe/Berlin)", another end date written out. */
export function workTimes(work: Work, zone: string): string {
  const [from, to] = [wallClock(work.start, zone), wallClock(work.end, zone)];
  const end = from.toISODate() === to.toISODate() ? to.toFormat('HH:mm') : to.toFormat('yyyy-MM-dd HH:mm');
  return `${from.toFormat('yyyy-MM-dd HH:mm')}–${end} (${zone})`;
}
