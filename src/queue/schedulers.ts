/**
 * Repeating jobs registered with BullMQ's job schedulers (upsertJobScheduler is idempotent, so every
 * API process may register them at start and exactly one job is produced per tick).
 */
import type { JobContext } from './definitions';

export interface Schedulers {
  close(): Promise<void>;
}

export async function startSchedulers(_ctx: JobContext): Promise<Schedulers> {
  return { close: async () => undefined };
}
