import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log';

/** A logger whose JSON lines are kept in `lines`, for tests that check what was logged. */
export function capturedLog(name = 'wfm'): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  return { log: createLogger('info', name, sink), lines };
}
