/**
 * The assignment phase's public surface, for the job, the REST routes and the CLI: assign planned
 * shifts to partners, check a roster independently, re-plan, cloud slots, coverage and exports.
 */
export { assignShifts, UNCOVERED_HOUR_WEIGHT, type AssignmentInput, type AssignmentResult, type AgentBelowMinimum, type AssignmentObjective } from './assign';
export type { AssignmentOptions, PlanningPeriod } from './assignment-model';
export { checkRoster, type RuleViolation, type CheckPeriod } from './checker';
export { replanRoster, shapeKey, withoutAgent, type ReplanInput, type ReplanResult, type RosterChange, type RosterChangeRequest } from './replan';
export { cloudSlots, type CloudSlot } from './slots';
export { rosterCoverage } from './coverage';
export { rosterToCsv, agentIcalFeed, icalFeeds, ROSTER_CSV_HEADER, type IcalOptions } from './export';
export { RULE_LABELS, type RuleId } from './rules';
export type { UncoveredReason } from './diagnose';
export type { ClassFairness } from './fairness';
export { contractProblems } from './validate';
