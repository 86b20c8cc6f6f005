/** Use cases for interval history: validate the whole batch, then write it in one transaction. */
import type { IntervalVolume } from '../domain/types';
import { WfmError } from '../errors/wfm-error';
import { ingestHistoryOrThrow, type HistoryBatch, type SkillGroupSummary } from '../history';
import type { Store } from '../store/store';

export interface UploadResult {
  rows: number;
  intervals: number;
  skillGroups: Array<Omit<SkillGroupSummary, 'firstMs' | 'lastMs'>>;
}

export async function uploadHistory(store: Store, batch: HistoryBatch, granularityMinutes?: number): Promise<UploadResult> {
  const { intervals, summary } = ingestHistoryOrThrow(batch, await store.skillGroups.map(), { granularityMinutes });
  await store.history.upsert(intervals);
  return {
    rows: summary.reduce((n, s) => n + s.rows, 0),
    intervals: intervals.length,
    skillGroups: summary.map(({ firstMs: _f, lastMs: _l, ...rest }) => rest),
  };
}

export async function readHistory(store: Store, skillGroupId: string, fromMs: number, toMs: number): Promise<IntervalVolume[]> {
  if (!(await store.skillGroups.get(skillGroupId))) throw new WfmError('not-found', `skill group ${skillGroupId} does not exist`);
  if (!(toMs > fromMs)) {
    throw new WfmError('validation', '`to` must be after `from`', { details: [{ where: '/query/to', message: 'must be after from' }] });
  }
  return store.history.read(skillGroupId, fromMs, toMs);
}
