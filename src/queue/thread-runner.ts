/**
 * Runs an exported core function in a worker thread and resolves with its result. Used by job processors
 * for CPU-heavy work: the processor stays in the main thread (where BullMQ renews the lock and reports
 * progress), the computation runs beside it. Inputs and results must be structured-clonable.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { WfmError, type WfmErrorCode } from '../errors/wfm-error';

const ENTRY = path.resolve(__dirname, '../../jobs/thread-entry.js');

export function runInWorkerThread<I, O>(
  modulePath: string,
  exportName: string,
  input: I,
  onProgress?: (progress: unknown) => void,
  signal?: AbortSignal,
): Promise<O> {
  return new Promise<O>((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { modulePath, exportName, input } });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    signal?.addEventListener('abort', () => finish(() => reject(new WfmError('unavailable', 'cancelled: the worker is shutting down'))));
    worker.on('message', (msg: { type: string; progress?: unknown; result?: O; error?: { message: string; code?: WfmErrorCode; details?: never[]; stack?: string } }) => {
      if (msg.type === 'progress') onProgress?.(msg.progress);
      else if (msg.type === 'result') finish(() => resolve(msg.result as O));
      else if (msg.type === 'error') {
        const e = msg.error!;
        finish(() => reject(e.code ? new WfmError(e.code, e.message, { details: e.details }) : Object.assign(new Error(e.message), { stack: e.stack })));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`worker thread exited with code ${code} before answering`))));
  });
}
