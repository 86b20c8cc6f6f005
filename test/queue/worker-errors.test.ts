/** How worker errors are told apart and reported: once at the start, once a minute with a count, once at the end. */
import { describeWorkerError, isConnectionLoss, WorkerErrorReport } from '../../src/queue/worker-errors';
import { fetchBackoffMs } from '../../src/queue/paced-worker';
import { capturedLog } from '../support/log-capture';

const OOM = "OOM command not allowed when used memory > 'maxmemory'. script: d96ca626, on @user_script:217.";

describe('worker errors', () => {
  test('when Redis refuses a write for lack of memory, then it is a worker error said as such, not a lost connection', () => {
    expect(isConnectionLoss(new Error(OOM))).toBe(false);
    expect(describeWorkerError(new Error(OOM))).toBe('Redis is out of memory (OOM): writes are refused');
    expect(describeWorkerError(new Error(`ERR Error running script (call to f_x): @user_script:1: -${OOM}`))).toBe('Redis is out of memory (OOM): writes are refused');
    expect(isConnectionLoss(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(isConnectionLoss(new Error('ERR max number of clients reached'))).toBe(true);
    expect(isConnectionLoss(new Error('Connection is closed.'))).toBe(true);
  });

  test('when a worker fails thousands of times over three minutes, then the log holds one error, one line a minute with the count, and one when it is over', () => {
    const { log, lines } = capturedLog();
    let now = 0;
    const report = new WorkerErrorReport(log, () => now);
    for (; now < 180_000; now += 50) report.error('trigger-tick', new Error(OOM));
    report.over('trigger-tick');
    report.over('trigger-tick');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'worker error'],
      [40, 'worker error goes on: 1200 more since the last report'],
      [40, 'worker error goes on: 1200 more since the last report'],
      [30, 'worker error over: the worker takes jobs again'],
    ]);
    expect(lines[0]).toMatchObject({ queue: 'trigger-tick', reason: 'Redis is out of memory (OOM): writes are refused', err: expect.objectContaining({ message: OOM }) });
    expect(lines[3]).toMatchObject({ queue: 'trigger-tick', errors: 3600, seconds: 180, reasons: ['Redis is out of memory (OOM): writes are refused'] });
  });

  test('when a second cause appears while the first lasts, then it is said once too; a worker without errors says nothing when it fetches', () => {
    const { log, lines } = capturedLog();
    const report = new WorkerErrorReport(log, () => 0);
    report.over('a');
    report.error('a', new Error(OOM));
    report.error('a', new Error('READONLY You can\'t write against a read only replica.'));
    report.error('a', new Error('READONLY You can\'t write against a read only replica.'));
    expect(lines.map((l) => l.reason)).toEqual(['Redis is out of memory (OOM): writes are refused', 'Redis is a read-only replica: writes are refused']);
  });

  test('a failed fetch waits longer the more fail in a row, up to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(fetchBackoffMs)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});
