/**
 * Picks the fastest TensorFlow.js backend that loads here: tfjs-node (native) where it is installed,
 * else WASM, else the pure-JS CPU backend. Every entry point that trains or predicts awaits
 * `ensureTfBackend()` once; the chosen name is logged once per process (through the service's logger, or
 * to stderr in the CLI) so a slow run can be explained.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { logOncePerProcess } from '../log';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<TfBackendName> | null = null;

async function tryBackend(name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) === true;
  } catch {
    return false;
  }
}

/** The backend in use, and the line that says so. */
async function choose(): Promise<{ name: TfBackendName; line: string }> {
  try {
    // Optional native bindings: registers the 'tensorflow' backend when it installed.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    if (await tryBackend('tensorflow')) return { name: 'tensorflow', line: 'tfjs backend: tensorflow (native)' };
  } catch {
    /* not installed on this machine: fall through */
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    if (await tryBackend('wasm')) return { name: 'wasm', line: 'tfjs backend: wasm' };
  } catch {
    /* wasm unavailable: fall through */
  }
  await tryBackend('cpu');
  return { name: 'cpu', line: 'tfjs backend: cpu (slowest fallback)' };
}

/** Resolves to the backend in use; safe to call many times (the choice is made once per thread). */
export function ensureTfBackend(log?: (message: string) => void): Promise<TfBackendName> {
  if (!chosen) {
    chosen = choose().then(({ name, line }) => {
      if (log) log(line);
      else announce(name, line);
      return name;
    });
  }
  return chosen;
}

/** What a worker thread posts to say a fact once for its process (see queue/thread-runner.ts). */
export interface LogOnceMessage {
  type: 'log-once';
  key: string;
  fields: Record<string, unknown>;
  msg: string;
}

/**
 * Once per process, not once per training thread (each loads tfjs anew, and a night of trainings
 * repeated the line a dozen times, unstructured, on stderr).
 */
function announce(name: TfBackendName, line: string): void {
  if (process.env.WFM_TF_QUIET === '1') return;
  if (isMainThread || !parentPort) logOncePerProcess('tfjs-backend', { tfBackend: name }, line);
  else parentPort.postMessage({ type: 'log-once', key: 'tfjs-backend', fields: { tfBackend: name }, msg: line } satisfies LogOnceMessage);
}

export { tf };
