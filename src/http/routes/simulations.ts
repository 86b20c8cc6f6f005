/** Simulations: POST a spec → 202 + job id (job `simulate`); results through GET /jobs/simulate/{id}. */
import { Router } from 'express';
import { QUEUE } from '../../queue/names';
import type { Queues } from '../../queue/queues';
import { invalid } from '../../errors/wfm-error';
import { DAY_MS } from '../../time/grid';
import { validateSimulationSpec } from '../../sim/scenario';
import { withBodyPointers } from '../problem';
import type { SimulationSpec } from '../../sim/types';

/**
 * The longest period one simulation job may cover. Its result (per interval and skill group, with CIs)
 * is kept with the job in Redis: 400 days of 30-minute intervals made a 10 MB job; a month is what a
 * roster drill or a replayed month needs (the CLI, `wfm simulate`, has no such limit).
 */
export const SIMULATION_MAX_DAYS = 31;
/** …and the most result rows (intervals × skill groups) one job may produce */
export const SIMULATION_MAX_RESULT_ROWS = 50_000;

function checkResultSize(spec: SimulationSpec): void {
  const { from, to } = spec.period;
  const days = (to - from) / DAY_MS;
  if (days > SIMULATION_MAX_DAYS) {
    throw invalid(`a simulation over REST covers at most ${SIMULATION_MAX_DAYS} days`, [{ where: '/body/period', message: `covers ${days.toFixed(1)} days: split it into runs of a month or less` }]);
  }
  const intervalMinutes = spec.intervalMinutes ?? spec.skillGroups[0].intervalMinutes ?? 30;
  const rows = Math.ceil((to - from) / (intervalMinutes * 60_000)) * spec.skillGroups.length;
  if (rows > SIMULATION_MAX_RESULT_ROWS) {
    throw invalid(`a simulation over REST produces at most ${SIMULATION_MAX_RESULT_ROWS.toLocaleString('en')} result rows (intervals × skill groups)`, [
      { where: '/body/period', message: `${rows.toLocaleString('en')} rows (${spec.skillGroups.length} skill groups over ${days.toFixed(1)} days of ${intervalMinutes}-minute intervals): shorten the period or simulate fewer groups per run` },
    ]);
  }
}

export function simulationRoutes(queues: Queues): Router {
  const r = Router();
  r.post('/simulations', async (req, res) => {
    const spec = req.body as SimulationSpec;
    try {
      validateSimulationSpec(spec); // 422 naming the field, before anything is queued
    } catch (err) {
      throw withBodyPointers(err);
    }
    checkResultSize(spec);
    const jobId = await queues.add(QUEUE.simulate, { spec });
    res.status(202).json({ jobId, status: `/jobs/${QUEUE.simulate}/${jobId}` });
  });
  return r;
}
