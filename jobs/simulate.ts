/**
 * `simulate`: runs a simulation spec (validated when it was posted) in a worker thread and returns the
 * per-interval results with confidence intervals as the job result (kept with the queue's retention).
 */
import path from 'node:path';
import type { Processor } from 'bullmq';
import type { JobContext } from '../src/queue/definitions';
import { runInWorkerThread } from '../src/queue/thread-runner';
import { validateSimulationSpec } from '../src/sim/scenario';
import type { SimulationResult, SimulationSpec } from '../src/sim/types';

export const simulateProcessor = (_ctx: JobContext): Processor => async (job, _token, signal) => {
  const spec = job.data.spec as SimulationSpec;
  validateSimulationSpec(spec); // bad input fails without retry (WfmError → UnrecoverableError)
  await job.updateProgress({ percent: 0 });
  const result = await runInWorkerThread<SimulationSpec, SimulationResult>(path.resolve(__dirname, '../src/sim/simulate.ts'), 'simulate', spec, undefined, signal);
  await job.updateProgress({ percent: 100 });
  return result;
};
