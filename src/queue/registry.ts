/**
 * Every job kind the service runs. Each processor lives in jobs/<queue>.ts (one thin file per job).
 * Add a job here and it is produced by the API, run by `npm start` and selectable by `npm run worker`.
 */
import type { JobDefinition } from './definitions';

export const JOB_DEFINITIONS: JobDefinition[] = [];
