/**
 * What the build-roster worker thread runs: the pure roster pipeline with its phase callback turned into
 * progress messages (a callback cannot cross the thread boundary).
 */
import { buildRoster, replanStoredRoster, type BuildPhase, type BuildRosterInput, type BuiltRoster, type ReplanInput } from '../roster/build';

export interface BuildProgress {
  phase: BuildPhase;
  percent: number;
}

export function build(input: BuildRosterInput, report: (p: BuildProgress) => void): BuiltRoster {
  return buildRoster(input, (phase, percent) => report({ phase, percent }));
}

export function replan(input: ReplanInput, report: (p: BuildProgress) => void): BuiltRoster {
  return replanStoredRoster(input, (phase, percent) => report({ phase, percent }));
}
