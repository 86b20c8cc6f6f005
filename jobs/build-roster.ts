/**
 * `build-roster`: builds a roster (or re-plans one) from the stored forecast, agents and rules. The
 * pipeline runs in a worker thread, so the job's lock keeps being renewed; progress reports the phase.
 * The result is stored as a draft; the job result is its summary. A failure is recorded with its
 * details for GET /rosters/{id}/status.
 */
import type { Processor } from 'bullmq';
import { invalid } from '../src/errors/wfm-error';
import type { JobContext } from '../src/queue/definitions';
import { progressReporter } from '../src/queue/progress';
import { recordBuildFailure, runBuildRosterJob, type BuildRosterJob } from '../src/services/rosters';

function parseBuildRosterData(data: unknown): BuildRosterJob {
  const d = data as Partial<BuildRosterJob> | undefined;
  const ok =
    typeof d?.rosterId === 'string' &&
    ((d.kind === 'build' && typeof d.request === 'object' && d.request !== null) || (d.kind === 'replan' && typeof d.baseRosterId === 'string' && typeof d.change === 'object'));
  if (!ok) throw invalid('build-roster needs { kind: build, rosterId, request } or { kind: replan, rosterId, baseRosterId, change }', [{ where: '/data', message: JSON.stringify(data).slice(0, 200) }]);
  return d as BuildRosterJob;
}

export const buildRosterProcessor = (ctx: JobContext): Processor => async (job, _token, signal) => {
  try {
    const data = parseBuildRosterData(job.data);
    return await runBuildRosterJob(ctx, data, progressReporter(job, ctx.log), signal);
  } catch (err) {
    // BullMQ keeps only a line of text; the roster's status answers with the problem's details
    // (the job id is the roster id, for builds and re-plans alike)
    await recordBuildFailure(ctx, job.id!, err);
    throw err;
  }
};
