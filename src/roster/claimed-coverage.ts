/**
 * A roster's coverage once cloud agents have claimed its slots. The stored coverage is the partners' (the
 * roster as built); slots are claimed afterwards, one by one, and a planner reading the coverage the day
 * before wants to see which gaps are still open and what service the claims buy. So coverage is read
 * with the claims of the moment: the agents they put on the phone (net of the breaks of the shift behind
 * each slot), the shortfall left open, and the service level, ASA and abandonment predicted with them.
 */
import type { SkillGroup } from '../domain/types';
import { predictPerformance } from '../staffing';
import { rosterCoverage } from './coverage';
import { minimumBreakShare } from './templates';
import type { RosterCoverageRow } from './build';
import type { AssignedShift, ShiftTemplate } from './types';

export interface PredictedService {
  serviceLevel: number;
  /** -1 when nobody answers */
  asaSeconds: number;
  abandonment: number;
}

export interface ClaimedCoverageRow extends RosterCoverageRow {
  /** cloud agents on the phone from claimed slots, net of breaks */
  claimed: number;
  /** required − scheduled − claimed, at least 0 */
  openShortfall: number;
  /** the prediction with partners and claimants together; only where a claim works the interval */
  withClaims?: PredictedService;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Shrinkage the scheduled breaks do not stand for (absence, training, meetings): `required` was grossed up
 * by it, so predictions take it off the scheduled agents again.
 */
export function residualShrinkage(group: SkillGroup, templates: ShiftTemplate[]): number {
  return Math.max(0, group.shrinkage - minimumBreakShare(templates));
}

/** What `scheduled` agents (net of breaks) are predicted to achieve on an interval's traffic. */
export function predictedService(traffic: { volume: number; ahtSeconds: number }, scheduled: number, group: SkillGroup, residual: number): PredictedService {
  const p = predictPerformance({
    callsPerInterval: traffic.volume,
    intervalSeconds: group.intervalMinutes * 60,
    ahtSeconds: traffic.ahtSeconds,
    agents: scheduled * (1 - residual),
    answerWithinSeconds: group.serviceLevel.answerWithinSeconds,
    patienceSeconds: group.patienceSeconds,
    concurrency: group.channel === 'chat' ? (group.chatConcurrency ?? 1) : 1,
  });
  // nobody on the phone and calls offered: nothing is answered (Erlang C says Infinity for the wait)
  const asa = Number.isFinite(p.asaSeconds) ? p.asaSeconds : -1;
  return {
    serviceLevel: round(traffic.volume > 0 ? p.serviceLevel : 1, 4),
    asaSeconds: asa < 0 ? -1 : round(asa, 1),
    abandonment: round(traffic.volume > 0 ? p.probAbandon : 0, 4),
  };
}

/**
 * The stored rows with the claims counted. `groups`: the roster's skill groups (a group missing from it —
 * deleted since — keeps its rows as stored, claims counted but not predicted); `templates`: the roster's.
 */
export function coverageWithClaims(rows: readonly RosterCoverageRow[], claimedShifts: AssignedShift[], groups: SkillGroup[], templates: ShiftTemplate[]): ClaimedCoverageRow[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const intervalMinutes = Object.fromEntries(groups.map((g) => [g.id, g.intervalMinutes]));
  const claimedPer = rosterCoverage(claimedShifts, rows.map((r) => ({ skillGroupId: r.skillGroupId, intervalStart: r.intervalStart, required: 0 })), intervalMinutes);
  return rows.map((row, i) => {
    const claimed = claimedPer[i].scheduled;
    const openShortfall = Math.max(0, round(row.required - row.scheduled - claimed, 6));
    const group = byId.get(row.skillGroupId);
    if (claimed <= 0 || !group) return { ...row, claimed, openShortfall };
    return { ...row, claimed, openShortfall, withClaims: predictedService(row, row.scheduled + claimed, group, residualShrinkage(group, templates)) };
  });
}
