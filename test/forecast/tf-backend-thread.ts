/** Run in a worker thread by tf-backend-log.test.ts: loads tfjs there, as a training thread does. */
import { ensureTfBackend } from '../../src/forecast/tf-backend';

export function chooseTfBackend(): Promise<string> {
  return ensureTfBackend();
}
