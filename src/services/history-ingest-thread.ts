/**
 * What an upload's worker thread runs: validating and aggregating a large history batch (a year of
 * 5-minute rows takes the best part of a second of CPU) beside the API's event loop rather than on it,
 * so ticks, health checks and other requests of the same process are not held up meanwhile.
 */
import type { IntervalVolume, SkillGroup } from '../domain/types';
import { ingestHistoryOrThrow, skillGroupsById, type HistoryBatch, type IngestOptions, type SkillGroupSummary } from '../history/ingest';

export interface IngestInput {
  batch: HistoryBatch;
  skillGroups: SkillGroup[];
  options: IngestOptions;
}

export function ingest(input: IngestInput): { intervals: IntervalVolume[]; summary: SkillGroupSummary[] } {
  return ingestHistoryOrThrow(input.batch, skillGroupsById(input.skillGroups), input.options);
}
