import { UnrecoverableError, type Job, type Processor } from 'bullmq';
import { WfmError, invalid } from '../../src/errors/wfm-error';
import { UNEXPECTED_JOB_FAILURE, withErrorPolicy } from '../../src/queue/worker-pool';
import { JOB_DEFINITIONS } from '../../src/queue/registry';
import { capturedLog } from '../support/log-capture';

const job = { id: '7', queueName: 'forecast', attemptsMade: 0, data: {} } as unknown as Job;


const failing = (err: unknown): Processor => async () => {
  throw err;
};

describe('the job error policy', () => {
  test('when a job rejects bad input, then it fails for good with the code, the message and where', async () => {
    const run = withErrorPolicy(failing(invalid('bad spec', [{ where: '/data/calloutId', message: 'missing' }])));
    const err = await run(job, 'token').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('validation: bad spec: /data/calloutId missing');
  });

  test('when a dependency is down, then the attempt fails with its own message and is retried', async () => {
    const down = new WfmError('unavailable', 'Redis is unavailable');
    const err = await withErrorPolicy(failing(down))(job, 'token').catch((e: unknown) => e);
    expect(err).toBe(down);
    expect(err).not.toBeInstanceOf(UnrecoverableError);
  });

  test('when Redis goes away while a roster is built or stored, a simulation runs or the nightly fan-out queues, then the job has attempts left to retry it', () => {
    for (const queue of ['build-roster', 'simulate', 'retrain-all']) {
      const options = JOB_DEFINITIONS.find((d) => d.queue === queue)!.jobOptions!;
      expect({ queue, retried: (options.attempts ?? 1) > 1, backoff: options.backoff !== undefined }).toEqual({ queue, retried: true, backoff: true });
    }
  });

  test('when a job fails unexpectedly, then its reason is generic (retried) and the error with its stack is in the log', async () => {
    const { log, lines } = capturedLog('test');
    const bug = new TypeError("Cannot read properties of undefined (reading 'phone') at +4915112345678");
    const err = await withErrorPolicy(failing(bug), log)(job, 'token').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe(UNEXPECTED_JOB_FAILURE);
    expect((err as Error).message).not.toMatch(/phone|4915/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'job failed unexpectedly', queue: 'forecast', jobId: '7', attempt: 1 });
    expect(JSON.stringify(lines[0].err)).toContain('TypeError');
  });
});
