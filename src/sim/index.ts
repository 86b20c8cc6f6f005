/**
 * The contact-center simulator (issue 5): pure, seeded, no I/O.
 *
 *   simulate(spec) → per-interval, per-group results with 95% CIs over replications
 *   validateSimulationSpec(spec) throws WfmError('validation') naming each bad field
 *   spec.onMinute(state, actions) lets an external policy (the surge trigger) watch the queue every
 *   simulated minute and add agents after a login delay.
 */
export { simulate, estimate } from './simulate';
export { validateSimulationSpec, resolvePolicy } from './scenario';
export { estimatePatience, exponentialPatienceMle, type WaitObservation } from './patience';
export { createRng, type Rng } from './rng';
export { offeredCalls, observedDays, replaySpecs, serverSessions, agentsPerInterval, BANK_GROUP_ID } from './anonbank-replay';
export { railwaySpec, RAILWAY_DEFAULTS, type RailwaySetup } from './railway-study';
export * from './types';
