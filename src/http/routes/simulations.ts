/** Simulations: POST a spec → 202 + job id (job `simulate`); results through GET /jobs/simulate/{id}. */
import { Router } from 'express';
import { QUEUE } from '../../queue/names';
import type { Queues } from '../../queue/queues';
import { validateSimulationSpec } from '../../sim/scenario';
import { queueSimulation } from '../../services/rosters';
import { withBodyPointers } from '../problem';
import type { SimulationSpec } from '../../sim/types';

export function simulationRoutes(queues: Queues): Router {
  const r = Router();
  r.post('/simulations', async (req, res) => {
    const spec = req.body as SimulationSpec;
    try {
      validateSimulationSpec(spec); // 422 naming the field, before anything is queued
    } catch (err) {
      throw withBodyPointers(err);
    }
    // the size limits (days, result rows) are the ones roster drills are held to
    const jobId = await queueSimulation(queues, spec);
    const status = `/jobs/${QUEUE.simulate}/${jobId}`;
    res.status(202).location(status).json({ jobId, status });
  });
  return r;
}
