/** Queue names: one queue per job kind (the job name is the queue name). */
export const QUEUE = {
  trainForecaster: 'train-forecaster',
  forecast: 'forecast',
  retrainAll: 'retrain-all',
  buildRoster: 'build-roster',
  simulate: 'simulate',
  triggerTick: 'trigger-tick',
  deliverCallout: 'deliver-callout',
} as const;
