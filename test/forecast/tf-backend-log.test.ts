/**
 * Which tfjs backend computes is said once per process through the service's logger, however many
 * training threads (each loading tfjs anew) come upon it; not a plain stderr line per thread.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, setProcessLogger } from '../../src/log';
import { runInWorkerThread } from '../../src/queue/thread-runner';

describe('the tfjs backend line', () => {
  test('when two worker threads and the main thread choose the backend, then one structured line says it, and nothing goes to stderr', async () => {
    delete process.env.WFM_TF_QUIET;
    const lines: Array<Record<string, unknown>> = [];
    setProcessLogger(createLogger('info', 'wfm', new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) })));
    const stderr = jest.spyOn(process.stderr, 'write');
    try {
      const fixture = path.resolve(__dirname, 'tf-backend-thread.ts');
      const chosen = await Promise.all([runInWorkerThread<object, string>(fixture, 'chooseTfBackend', {}), runInWorkerThread<object, string>(fixture, 'chooseTfBackend', {})]);
      const { chooseTfBackend } = await import('./tf-backend-thread');
      chosen.push(await chooseTfBackend());
      await new Promise((resolve) => setTimeout(resolve, 100)); // a thread's own stderr reaches the process's a moment later
      expect(new Set(chosen).size).toBe(1);
      expect(lines).toEqual([expect.objectContaining({ level: 30, tfBackend: chosen[0], msg: expect.stringContaining(`tfjs backend: ${chosen[0]}`) })]);
      expect(stderr.mock.calls.filter(([chunk]) => String(chunk).includes('tfjs backend'))).toEqual([]);
    } finally {
      stderr.mockRestore();
    }
  }, 30_000);
});
