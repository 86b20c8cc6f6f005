/** runInWorkerThread: an error thrown in the thread comes back as what it was. */
import path from 'node:path';
import { runInWorkerThread } from '../../src/queue/thread-runner';
import { WfmError, isWfmError } from '../../src/errors/wfm-error';

const FIXTURES = path.resolve(__dirname, 'thread-fixtures.ts');

async function failure(exportName: string, input: unknown = {}): Promise<Error & { code?: unknown }> {
  try {
    await runInWorkerThread(FIXTURES, exportName, input);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('runInWorkerThread errors', () => {
  it('when the thread fails with a Node error that has a code (ENOENT), then an ordinary Error comes back, not a WfmError without a status', async () => {
    const err = await failure('readMissingFile', { file: '/nonexistent/wfm-thread-test.csv' });
    expect(isWfmError(err)).toBe(false);
    expect(err.message).toContain('ENOENT');
    expect(err.code).toBe('ENOENT');
    expect(err.stack).toContain('readMissingFile'); // the thread's stack, where it happened
  });

  it('when the thread throws a TypeError, then an ordinary Error with its name and message comes back', async () => {
    const err = await failure('throwTypeError');
    expect(isWfmError(err)).toBe(false);
    expect(err.name).toBe('TypeError');
    expect(err.message).toBe('x is not a function');
  });

  it('when the thread throws a WfmError, then a WfmError with its code, status and details comes back', async () => {
    const err = await failure('refuseInput');
    expect(err).toBeInstanceOf(WfmError);
    const wfm = err as WfmError;
    expect(wfm.code).toBe('validation');
    expect(wfm.status).toBe(422);
    expect(wfm.retryable).toBe(false);
    expect(wfm.details).toEqual([{ where: 'row 3', message: 'volume is negative', row: 3 }]);
  });

  it('when the WfmError had a status and catastrophic flag of its own, then they come back too', async () => {
    const wfm = (await failure('refuseWithOwnStatus')) as WfmError;
    expect(wfm).toBeInstanceOf(WfmError);
    expect(wfm.status).toBe(413);
    expect(wfm.isCatastrophic).toBe(true);
  });
});
