/**
 * Picks the fastest TensorFlow.js backend that loads here: tfjs-node (native) where it is installed,
 * else WASM, else the pure-JS CPU backend. Every entry point that trains or predicts awaits
 * `ensureTfBackend()` once; the chosen name is logged once (to stderr) so a slow run can be explained.
 */
import * as tf from '@tensorflow/tfjs';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<TfBackendName> | null = null;

async function tryBackend(name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) === true;
  } catch {
    return false;
  }
}

async function choose(log: (message: string) => void): Promise<TfBackendName> {
  try {
    // Optional native bindings: registers the 'tensorflow' backend when it installed.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    if (await tryBackend('tensorflow')) {
      log('tfjs backend: tensorflow (native)');
      return 'tensorflow';
    }
  } catch {
    /* not installed on this machine: fall through */
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    if (await tryBackend('wasm')) {
      log('tfjs backend: wasm');
      return 'wasm';
    }
  } catch {
    /* wasm unavailable: fall through */
  }
  await tryBackend('cpu');
  log('tfjs backend: cpu (slowest fallback)');
  return 'cpu';
}

/** Resolves to the backend in use; safe to call many times (the choice is made once per process). */
export function ensureTfBackend(log: (message: string) => void = defaultLog): Promise<TfBackendName> {
  if (!chosen) chosen = choose(log);
  return chosen;
}

function defaultLog(message: string): void {
  if (process.env.WFM_TF_QUIET !== '1') process.stderr.write(`${message}\n`);
}

export { tf };
