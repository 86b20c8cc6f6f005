/**
 * Coverage of a roster against the requirement: agents on the phone per interval, net of breaks
 * (a break covering half an interval counts half), and the shortfall.
 */
import type { AssignedShift, CoverageRow, PlannedShift, RequirementRow } from './types';

/** Requirement rows must share one interval length per skill group (default 30 minutes). */
export function rosterCoverage(
  shifts: Array<AssignedShift | PlannedShift>,
  requirement: RequirementRow[],
  intervalMinutesBySkillGroup: Record<string, number> = {},
): CoverageRow[] {
  const rows = requirement.map((r) => ({ ...r, scheduled: 0 }));
  const bySkill = new Map<string, typeof rows>();
  for (const r of rows) bySkill.set(r.skillGroupId, [...(bySkill.get(r.skillGroupId) ?? []), r]);
  for (const list of bySkill.values()) list.sort((a, b) => a.intervalStart - b.intervalStart);
  for (const shift of shifts) {
    const list = bySkill.get(shift.skillGroupId);
    if (!list) continue;
    const length = (intervalMinutesBySkillGroup[shift.skillGroupId] ?? 30) * 60_000;
    // first interval that ends after the shift starts
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].intervalStart + length <= shift.start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < list.length && list[k].intervalStart < shift.end; k++) {
      const from = Math.max(shift.start, list[k].intervalStart);
      const to = Math.min(shift.end, list[k].intervalStart + length);
      let worked = Math.max(0, to - from);
      for (const b of shift.breaks) worked -= Math.max(0, Math.min(to, b.end) - Math.max(from, b.start));
      list[k].scheduled += worked / length;
    }
  }
  return rows.map((r) => ({
    skillGroupId: r.skillGroupId,
    intervalStart: r.intervalStart,
    required: r.required,
    scheduled: Math.round(r.scheduled * 1e6) / 1e6,
    shortfall: Math.max(0, Math.round((r.required - r.scheduled) * 1e6) / 1e6),
  }));
}

/**
 * The intervals [from, to) overlaps and the fraction of each it covers, for intervals [starts[k], ends[k])
 * sorted by start (binary search for the first): an agent on the phone, or off it on a break, counts
 * that fraction of an agent there. The LP phase and the break staggering both count coverage this way.
 */
export function intervalOverlaps(starts: readonly number[], ends: readonly number[], from: number, to: number): Array<[number, number]> {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  const result: Array<[number, number]> = [];
  for (let k = lo; k < starts.length && starts[k] < to; k++) {
    const overlap = Math.min(to, ends[k]) - Math.max(from, starts[k]);
    if (overlap > 0) result.push([k, overlap / (ends[k] - starts[k])]);
  }
  return result;
}
