/**
 * Break staggering on the finished roster. The LP phase staggers the breaks of the shifts it plans
 * (each break placement is an option it chooses), but the roster that agents work is not that plan:
 * some planned shifts stay uncovered, and top-ups copy the breaks of the shape they were made from.
 * Two agents on a copied shape then take their meal in the same half hour; on a thin evening that
 * leaves nobody on the phone (a 24/7 center in Berlin: 2.6 agents required at 19:30, 0 on the phone).
 *
 * So every break is moved, one at a time, to the place inside its rule that costs the least coverage:
 * a meal anywhere in its template's window (`mealBreak.earliestAfterMinutes` … `latestAfterMinutes`
 * after the start), a short break within ±45 minutes of where it was, on the 15-minute break grid,
 * never overlapping another break of the same shift. The cost of an interval is the LP's own shape —
 * under-staffing far dearer than over-staffing — plus a small square of the shortfall, so that among
 * intervals that are all short the break goes where it hurts least. Two passes; a move is kept only
 * when it lowers the cost. Pure and deterministic.
 */
import { BREAK_GRID_MINUTES } from './templates';
import type { AssignedShift, RequirementRow, ShiftTemplate } from './types';
import { intervalOverlaps } from './coverage';

const MINUTE_MS = 60_000;
/** how far a short break may move from where it was, in break-grid steps (as the LP's staggering) */
const SHORT_BREAK_SLACK_STEPS = 3;
const UNDER_WEIGHT = 20;
const OVER_WEIGHT = 0.1;
const SHORTFALL_SQUARE_WEIGHT = 1;
const PASSES = 2;

export interface RestaggerInput {
  shifts: AssignedShift[];
  requirement: RequirementRow[];
  templates: ShiftTemplate[];
  /** interval length per skill group (default 30) */
  intervalMinutesBySkillGroup?: Record<string, number>;
  /** shifts whose breaks may move (default all), e.g. not those already published and under way */
  movable?: (shift: AssignedShift) => boolean;
}

/** Returns the shifts (copies where a break moved, same order) and how many breaks moved. */
export function restaggerBreaks(input: RestaggerInput): { shifts: AssignedShift[]; moved: number } {
  const templates = new Map(input.templates.map((t) => [t.id, t]));
  const groups = new Map<string, GroupCoverage>();
  for (const r of input.requirement) {
    let g = groups.get(r.skillGroupId);
    if (!g) {
      g = { starts: [], ends: [], required: [], scheduled: [] };
      groups.set(r.skillGroupId, g);
    }
    g.starts.push(r.intervalStart);
    g.required.push(r.required);
  }
  for (const [groupId, g] of groups) {
    const lengthMs = (input.intervalMinutesBySkillGroup?.[groupId] ?? 30) * MINUTE_MS;
    const order = g.starts.map((_, i) => i).sort((a, b) => g.starts[a] - g.starts[b]);
    g.starts = order.map((i) => g.starts[i]);
    g.required = order.map((i) => g.required[i]);
    g.ends = g.starts.map((start) => start + lengthMs);
    g.scheduled = new Array<number>(g.starts.length).fill(0);
  }
  const shifts = input.shifts.map((s) => ({ ...s, breaks: s.breaks.map((b) => ({ ...b })) }));
  for (const shift of shifts) {
    const g = groups.get(shift.skillGroupId);
    if (!g) continue;
    addSpan(g, shift.start, shift.end, 1);
    for (const b of shift.breaks) addSpan(g, b.start, b.end, -1);
  }
  const step = BREAK_GRID_MINUTES * MINUTE_MS;
  // Where each break may go, fixed from the start (short breaks must not drift pass after pass).
  const ranges = shifts.map((shift) =>
    shift.breaks.map((b) => {
      const template = templates.get(shift.templateId);
      if (b.kind === 'meal' && template?.mealBreak) {
        return { from: shift.start + template.mealBreak.earliestAfterMinutes * MINUTE_MS, to: shift.start + template.mealBreak.latestAfterMinutes * MINUTE_MS };
      }
      return { from: b.start - SHORT_BREAK_SLACK_STEPS * step, to: b.start + SHORT_BREAK_SLACK_STEPS * step };
    }),
  );
  let moved = 0;
  const changed = new Uint8Array(shifts.length);
  for (let pass = 0; pass < PASSES; pass++) {
    let movedThisPass = 0;
    shifts.forEach((shift, s) => {
      const g = groups.get(shift.skillGroupId);
      if (!g || (input.movable && !input.movable(input.shifts[s]))) return;
      shift.breaks.forEach((b, index) => {
        const length = b.end - b.start;
        addSpan(g, b.start, b.end, 1); // back on the phone, then find the break's best place
        let bestStart = b.start;
        let bestCost = breakCost(g, b.start, b.end);
        const range = ranges[s][index];
        for (let start = range.from; start <= range.to; start += step) {
          const end = start + length;
          if (start === b.start || start <= shift.start || end >= shift.end) continue;
          if (shift.breaks.some((o, j) => j !== index && start < o.end && end > o.start)) continue;
          const cost = breakCost(g, start, end);
          if (cost < bestCost - 1e-9) {
            bestCost = cost;
            bestStart = start;
          }
        }
        if (bestStart !== b.start) {
          movedThisPass++;
          changed[s] = 1;
        }
        b.start = bestStart;
        b.end = bestStart + length;
        addSpan(g, b.start, b.end, -1);
      });
      shift.breaks.sort((p, q) => p.start - q.start);
    });
    moved += movedThisPass;
    if (movedThisPass === 0) break;
  }
  return { shifts: shifts.map((shift, s) => (changed[s] ? shift : input.shifts[s])), moved };
}

interface GroupCoverage {
  starts: number[];
  ends: number[];
  required: number[];
  /** agents on the phone per interval (fractions where a break or shift covers part of it) */
  scheduled: number[];
}

function intervalCost(required: number, scheduled: number): number {
  const short = Math.max(0, required - scheduled);
  return UNDER_WEIGHT * short + OVER_WEIGHT * Math.max(0, scheduled - required) + SHORTFALL_SQUARE_WEIGHT * short * short;
}

/** What taking one agent off the phone during [from, to) adds to the cost. */
function breakCost(g: GroupCoverage, from: number, to: number): number {
  let cost = 0;
  for (const [k, fraction] of intervalOverlaps(g.starts, g.ends, from, to)) {
    cost += intervalCost(g.required[k], g.scheduled[k] - fraction) - intervalCost(g.required[k], g.scheduled[k]);
  }
  return cost;
}

function addSpan(g: GroupCoverage, from: number, to: number, sign: 1 | -1): void {
  for (const [k, fraction] of intervalOverlaps(g.starts, g.ends, from, to)) g.scheduled[k] += sign * fraction;
}
