/**
 * Where a top-up (an extra shift that lifts an agent to its weekly minimum, ./assign.ts) is worth
 * something: the requirement the plan was made for, per skill group and interval, and how many agents
 * the plan's shifts (and the top-ups placed so far) already put there.
 *
 * Top-ups are shaped like planned shifts and moved to other days, so a weekday's 06:30 shape lands on a
 * Saturday whose line opens at 18:30: an agent paid to sit at a closed phone (45–58 agent-hours a
 * fortnight at 40 agents). An interval the requirement has no row for is closed, as the LP reads it
 * (./lp/plan.ts: no row inside the period = closed; past the period's end = not known, so neither).
 */
import type { RequirementRow } from './types';
import { HOUR_MS, MINUTE_MS } from '../time/grid';

/** The plan's requirement, as AssignmentInput.demand gives it. */
export interface Demand {
  rows: readonly RequirementRow[];
  /** each skill group's interval length (the rows' grid) */
  intervalMinutes: Readonly<Record<string, number>>;
}

/** How a shift's span meets its group's demand. */
export interface SpanValue {
  /** hours of the span (inside the period) while the group is closed or has nobody to serve */
  idleHours: number;
  /** agent-hours the span adds where the group still needs agents (at most one agent per interval) */
  neededHours: number;
}

interface GroupGrid {
  starts: Float64Array;
  required: Float64Array;
  /** agents the shifts counted so far put in each interval (fraction of the interval they span) */
  staffed: Float64Array;
  lengthMs: number;
}

const EPS = 1e-9;
const overlapMs = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

export class DemandGrid {
  private readonly groups = new Map<string, GroupGrid>();

  /** `periodStart`/`periodEnd`: epoch ms of the period's first midnight and the one after its last day (closed hours are judged inside only). */
  constructor(
    demand: Demand,
    private readonly periodStart: number,
    private readonly periodEnd: number,
  ) {
    const byGroup = new Map<string, RequirementRow[]>();
    for (const r of demand.rows) byGroup.set(r.skillGroupId, [...(byGroup.get(r.skillGroupId) ?? []), r]);
    for (const [group, rows] of byGroup) {
      const minutes = demand.intervalMinutes[group];
      if (!minutes) continue;
      // one row per interval (the same interval given twice adds up, as the LP reads it)
      const merged = new Map<number, number>();
      for (const r of rows) merged.set(r.intervalStart, (merged.get(r.intervalStart) ?? 0) + r.required);
      const starts = [...merged.keys()].sort((x, y) => x - y);
      this.groups.set(group, {
        starts: Float64Array.from(starts),
        required: Float64Array.from(starts, (s) => merged.get(s)!),
        staffed: new Float64Array(starts.length),
        lengthMs: minutes * MINUTE_MS,
      });
    }
  }

  /** Counts a shift of `group` over [start, end) as staffing its intervals. */
  add(group: string, start: number, end: number): void {
    const grid = this.groups.get(group);
    if (!grid) return;
    this.forEachInterval(grid, start, end, (k, ms) => (grid.staffed[k] += ms / grid.lengthMs));
  }

  /** Takes back a shift counted by add (a re-plan's published top-up, counted as planned until it is restored). */
  remove(group: string, start: number, end: number): void {
    const grid = this.groups.get(group);
    if (!grid) return;
    this.forEachInterval(grid, start, end, (k, ms) => (grid.staffed[k] -= ms / grid.lengthMs));
  }

  /** What a shift of `group` over [start, end) would be worth there; a group without rows is not judged (all zero). */
  value(group: string, start: number, end: number): SpanValue {
    const grid = this.groups.get(group);
    if (!grid) return { idleHours: 0, neededHours: 0 };
    let servingMs = 0;
    let needed = 0;
    this.forEachInterval(grid, start, end, (k, ms, intervalStart) => {
      if (grid.required[k] <= EPS) return;
      if (intervalStart < this.periodEnd) servingMs += ms;
      needed += (ms / HOUR_MS) * Math.min(1, Math.max(0, grid.required[k] - grid.staffed[k]));
    });
    const inPeriodMs = overlapMs(start, end, this.periodStart, this.periodEnd);
    return { idleHours: Math.max(0, inPeriodMs - servingMs) / HOUR_MS, neededHours: needed };
  }

  private forEachInterval(grid: GroupGrid, start: number, end: number, visit: (k: number, overlap: number, intervalStart: number) => void): void {
    // first interval ending after `start` (the starts are sorted)
    let lo = 0;
    let hi = grid.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (grid.starts[mid] + grid.lengthMs <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < grid.starts.length && grid.starts[k] < end; k++) {
      const ms = overlapMs(start, end, grid.starts[k], grid.starts[k] + grid.lengthMs);
      if (ms > 0) visit(k, ms, grid.starts[k]);
    }
  }
}
