/** Use cases for interval history: validate the whole batch, then write it in one transaction. */
import path from 'node:path';
import type { IntervalVolume } from '../domain/types';
import { WfmError } from '../errors/wfm-error';
import { ingestHistoryOrThrow, type HistoryBatch, type SkillGroupSummary } from '../history';
import { runInWorkerThread } from '../queue/thread-runner';
import type { Store } from '../store/store';
import type { IngestInput } from './history-ingest-thread';

/**
 * Batches from about 20,000 rows up are validated in a worker thread. Inline, a year of 5-minute rows
 * holds the event loop for about half a second (a 20 MB body for several seconds), and the process that
 * takes the upload also runs the minute's trigger tick and answers health checks. Starting the thread
 * costs about 0.3 s, more than small batches take inline.
 */
export const THREAD_THRESHOLD_ROWS = 20_000;
const THREAD_MODULE = path.resolve(__dirname, 'history-ingest-thread.ts');
/** characters of a JSON row (`{"interval_start":"1999-01-01T00:06:00+02:00","skill_group":"PS","volume":12}` is 76) */
const JSON_CHARS_PER_ROW = 70;

/**
 * At most this many upload threads at once (a thread holds its batch, tens of MB for a large one);
 * further large uploads wait their turn rather than multiply threads and memory.
 */
const MAX_INGEST_THREADS = 2;
let ingestThreads = 0;
const waitingForThread: Array<() => void> = [];

async function inIngestThread(input: IngestInput): Promise<ReturnType<typeof ingestHistoryOrThrow>> {
  while (ingestThreads >= MAX_INGEST_THREADS) await new Promise<void>((resolve) => waitingForThread.push(resolve));
  ingestThreads++;
  try {
    return await runInWorkerThread<IngestInput, ReturnType<typeof ingestHistoryOrThrow>>(THREAD_MODULE, 'ingest', input);
  } finally {
    ingestThreads--;
    waitingForThread.shift()?.();
  }
}

/** Whether the batch holds about `rows` rows or more (CSV lines are counted up to that many). */
function holdsRows(batch: HistoryBatch, rows: number): boolean {
  if ('rows' in batch) return Array.isArray(batch.rows) && batch.rows.length >= rows;
  if ('json' in batch) return batch.json.length >= rows * JSON_CHARS_PER_ROW;
  let lines = 0;
  for (let at = batch.csv.indexOf('\n'); at >= 0 && lines < rows; at = batch.csv.indexOf('\n', at + 1)) lines++;
  return lines >= rows;
}

export interface UploadResult {
  rows: number;
  intervals: number;
  skillGroups: Array<Omit<SkillGroupSummary, 'firstMs' | 'lastMs'>>;
}

/**
 * Validates the whole batch, then writes it in one transaction. `nowMs` is the service clock: rows that
 * start after it are refused (see IngestOptions.notAfterMs).
 */
export async function uploadHistory(
  store: Store,
  batch: HistoryBatch,
  { granularityMinutes, nowMs }: { granularityMinutes?: number; nowMs: number },
  threadThresholdRows = THREAD_THRESHOLD_ROWS,
): Promise<UploadResult> {
  const skillGroups = await store.skillGroups.map();
  // a JSON body's rows are named as the contract names the body: /body/0/volume
  const options = { granularityMinutes, notAfterMs: nowMs, jsonPointer: '/body' };
  const { intervals, summary } =
    holdsRows(batch, threadThresholdRows)
      ? await inIngestThread({ batch, skillGroups: [...skillGroups.values()], options })
      : ingestHistoryOrThrow(batch, skillGroups, options);
  // the write re-checks each group's interval against the one validated here (a switch in between would
  // leave this grid's totals under a group on another grid)
  await store.history.upsert(intervals, skillGroups);
  return {
    rows: summary.reduce((n, s) => n + s.rows, 0),
    intervals: intervals.length,
    skillGroups: summary.map(({ firstMs: _f, lastMs: _l, ...rest }) => rest),
  };
}

/**
 * The group's intervals in [fromMs, toMs) with the zone they are shown in, as the group was read once: a
 * second read of the group could find it deleted in between.
 */
export async function readHistory(store: Store, skillGroupId: string, fromMs: number, toMs: number): Promise<{ timeZone: string; intervals: IntervalVolume[] }> {
  const group = await store.skillGroups.get(skillGroupId);
  if (!group) throw new WfmError('not-found', `skill group ${skillGroupId} does not exist`);
  if (!(toMs > fromMs)) {
    throw new WfmError('validation', '`to` must be after `from`', { details: [{ where: '/query/to', message: 'must be after from' }] });
  }
  return { timeZone: group.timeZone, intervals: await store.history.read(skillGroupId, fromMs, toMs) };
}
