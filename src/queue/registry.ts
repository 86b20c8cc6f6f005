/**
 * Every job kind the service runs. Each processor lives in jobs/<queue>.ts (one thin file per job).
 * Add a job here and it is produced by the API, run by `npm start` and selectable by `npm run worker`.
 */
import type { JobDefinition } from './definitions';
import { QUEUE } from './names';
import { trainForecasterProcessor } from '../../jobs/train-forecaster';
import { forecastProcessor } from '../../jobs/forecast';
import { retrainAllProcessor } from '../../jobs/retrain-all';
import { simulateProcessor } from '../../jobs/simulate';
import { buildRosterProcessor } from '../../jobs/build-roster';
import { triggerTickProcessor } from '../../jobs/trigger-tick';
import { deliverCalloutProcessor } from '../../jobs/deliver-callout';

export const JOB_DEFINITIONS: JobDefinition[] = [
  {
    queue: QUEUE.trainForecaster,
    description: 'train one skill group forecaster for one horizon (worker thread), register, promote if better',
    concurrency: 1, // training uses a whole core; scale out with more worker processes
    processor: trainForecasterProcessor,
    lockDurationMs: 120_000,
    jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
  },
  { queue: QUEUE.forecast, description: 'compute and store the two-week forecast of one skill group', concurrency: 2, processor: forecastProcessor },
  // retrain-all, simulate and build-roster: bad input fails for good (WfmError → UnrecoverableError, see
  // worker-pool.ts); what is retried is a Redis outage while reading or storing, or an unexpected error.
  { queue: QUEUE.retrainAll, description: 'nightly: one train-forecaster job per skill group and horizon', concurrency: 1, processor: retrainAllProcessor, jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } },
  { queue: QUEUE.simulate, description: 'run a contact-center simulation (worker thread)', concurrency: 1, processor: simulateProcessor, lockDurationMs: 120_000, jobOptions: { attempts: 2, backoff: { type: 'exponential', delay: 10_000 } } },
  // the pipeline runs in a worker thread; retried, because a build that reached 97 % must not be lost to
  // a Redis outage while the roster is stored
  { queue: QUEUE.buildRoster, description: 'build or re-plan a roster: forecast → requirement → LP → assignment → slots → check (worker thread), stored as a draft', concurrency: 1, processor: buildRosterProcessor, lockDurationMs: 120_000, jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 } } },
  {
    queue: QUEUE.triggerTick,
    description: 'surge trigger: one tick of every skill group with a policy (every minute and on demand)',
    concurrency: 1, // ticks of one minute follow each other; a racing tick elsewhere is caught by the store's compare-and-set
    processor: triggerTickProcessor,
    // a lost tick is replaced by the next minute's: one quick retry, and a day of results kept
    jobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 2_000 }, removeOnComplete: { age: 24 * 3600, count: 1_440 }, removeOnFail: { age: 7 * 24 * 3600, count: 1_000 } },
  },
  {
    queue: QUEUE.deliverCallout,
    description: 'surge trigger: send one callout to the SMS webhook (retries with backoff inside), record delivered or dead letter',
    concurrency: 20, // waiting on the gateway, not the CPU
    processor: deliverCalloutProcessor,
    jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
  },
];
