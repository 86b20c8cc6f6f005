/**
 * The roster's shared vocabulary. The LP phase (src/roster/lp) turns a staffing requirement into
 * PlannedShift[] (how many shifts of which template start when, with breaks already staggered); the
 * assignment phase names an agent for each (AssignedShift); the simulator and the exports read both.
 * Plain data: instants are epoch milliseconds, local times are "HH:mm" in the skill group's zone.
 */
import type { LocalTime, ShiftKind } from '../domain/types';

export type { ShiftKind } from '../domain/types';

export interface MealBreakRule {
  lengthMinutes: number;
  /** the meal break starts no earlier than this many minutes after the shift start */
  earliestAfterMinutes: number;
  /** … and no later than this (inclusive); the LP staggers starts across the window */
  latestAfterMinutes: number;
}

export interface ShortBreakRule {
  count: number;
  lengthMinutes: number;
}

export interface ShiftTemplate {
  id: string;
  name: string;
  kind: ShiftKind;
  /** paid span including breaks */
  lengthMinutes: number;
  /** allowed local start times, both ends inclusive; `from > to` wraps past midnight (night shifts) */
  startWindow: { from: LocalTime; to: LocalTime };
  /** starts fall on multiples of this many minutes after local midnight */
  startGridMinutes: 15 | 30;
  mealBreak?: MealBreakRule;
  /** spread evenly over the shift outside the meal break */
  shortBreaks?: ShortBreakRule;
  /** skill groups the template may be used for; absent = all */
  skillGroupIds?: string[];
  /** relative cost per paid hour (default 1), e.g. 1.25 for a night premium */
  costPerHour?: number;
}

export type BreakKind = 'meal' | 'short';

export interface ShiftBreak {
  /** epoch ms */
  start: number;
  /** epoch ms, exclusive */
  end: number;
  kind: BreakKind;
}

/** One shift instance the LP wants worked (not yet tied to an agent). */
export interface PlannedShift {
  id: string;
  skillGroupId: string;
  templateId: string;
  kind: ShiftKind;
  /** local ISO date (YYYY-MM-DD) of the start, in the skill group's zone */
  date: string;
  /** epoch ms */
  start: number;
  /** epoch ms, exclusive */
  end: number;
  /** sorted by start, all inside [start, end) */
  breaks: ShiftBreak[];
}

export type AssignedShift = PlannedShift & { agentId: string };

/**
 * An agent's shift in another published roster just before or after the period: rest holds against it,
 * and its day (`date`, that roster's local date) continues a run of working days into the period. With
 * its `kind`, the previous fortnight's shifts also count towards this period's weekend and late shares
 * (previousSharesOf in ./assignment-model.ts), so those shares rotate from one roster to the next.
 */
export type Commitment = Pick<AssignedShift, 'agentId' | 'start' | 'end' | 'date'> & Partial<Pick<AssignedShift, 'kind'>>;

/** Coverage of one interval of one skill group. */
export interface CoverageRow {
  skillGroupId: string;
  /** interval start, epoch ms */
  intervalStart: number;
  /** agents needed on the phone (after shrinkage for off-phone time other than scheduled breaks) */
  required: number;
  /** agents on the phone, net of breaks (fractional when a break covers part of the interval) */
  scheduled: number;
  /** max(0, required − scheduled) */
  shortfall: number;
}

/** The requirement the LP covers, one row per (skill group, interval). */
export interface RequirementRow {
  skillGroupId: string;
  /** interval start, epoch ms */
  intervalStart: number;
  /** agents required on the phone in this interval (may be fractional; the LP covers it in full) */
  required: number;
}
