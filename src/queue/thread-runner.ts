/**
 * Runs an exported core function in a worker thread and resolves with its result. Used by job processors
 * for CPU-heavy work: the processor stays in the main thread (where BullMQ renews the lock and reports
 * progress), the computation runs beside it; and by large history uploads, so the API keeps answering.
 * Inputs and results must be structured-clonable.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { WfmError, type ProblemDetail, type WfmErrorCode } from '../errors/wfm-error';
import { logOncePerProcess } from '../log';

const ENTRY = path.resolve(__dirname, '../../jobs/thread-entry.js');

/** What jobs/thread-entry.js posts of an error thrown in the thread (an Error does not cross threads whole). */
interface ThreadError {
  name?: string;
  message: string;
  code?: unknown;
  details?: ProblemDetail[];
  status?: number;
  isCatastrophic?: boolean;
  stack?: string;
}

/**
 * The thread's error on this side: a WfmError again only when it was one. A Node error has a `code` too
 * (ENOENT, ERR_…): made a WfmError it had no status (the HTTP layer answered with none) and passed for an
 * expected failure, not the bug it is.
 */
function rebuild(e: ThreadError): Error {
  if (e.name === 'WfmError') {
    const err = new WfmError(e.code as WfmErrorCode, e.message, { details: e.details, status: e.status, isCatastrophic: e.isCatastrophic });
    if (e.stack) err.stack = e.stack;
    return err;
  }
  // the name and code stay for the logs (a TypeError, an ENOENT), the stack is the thread's
  return Object.assign(new Error(e.message), { ...(e.name ? { name: e.name } : {}), ...(e.code !== undefined ? { code: e.code } : {}), ...(e.stack ? { stack: e.stack } : {}) });
}

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
    worker.on('message', (msg: { type: string; progress?: unknown; result?: O; error?: ThreadError; key?: string; fields?: Record<string, unknown>; msg?: string }) => {
      if (msg.type === 'progress') onProgress?.(msg.progress);
      // a fact about the process the thread came upon (its tfjs backend): said here, once per process
      else if (msg.type === 'log-once') logOncePerProcess(msg.key!, msg.fields ?? {}, msg.msg!);
      else if (msg.type === 'result') finish(() => resolve(msg.result as O));
      else if (msg.type === 'error') finish(() => reject(rebuild(msg.error!)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`worker thread exited with code ${code} before answering`))));
  });
}
