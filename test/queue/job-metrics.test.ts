/**
 * What the workers tell an operator: failed attempts told apart from jobs failed for good, the job a
 * shutdown left unfinished named, dead letters by cause, uncaught errors as log lines, the drain on a
 * shutdown. Real Redis, the in-process service with test queues of its own.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import request from 'supertest';
import { WfmError } from '../../src/errors/wfm-error';
import { logUncaught, startService } from '../../src/main';
import type { JobDefinition } from '../../src/queue/definitions';
import { deadLetterCause } from '../../src/queue/job-outcomes';
import { capturedLog } from '../support/log-capture';
import { deleteKeys, testEnv } from '../support/service';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('job failure metrics and shutdown lines', () => {
  const prefix = `test-${randomUUID()}`;
  afterAll(() => deleteKeys(prefix));

  test('when a job fails once and is retried, then fails again, and another fails as bad input, then wfm_job_failures_total says which attempts were final and retryable', async () => {
    const queue = `fails-${randomUUID()}`;
    const job: JobDefinition = {
      queue,
      description: 'fails',
      concurrency: 1,
      processor: () => async (j) => {
        // bad input: the error policy fails it for good at once (UnrecoverableError)
        if (j.data.unrecoverable) throw new WfmError('validation', 'bad input');
        throw new Error('boom');
      },
      jobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
    };
    const service = await startService(testEnv(prefix, { WORKER_METRICS_PORT: '0' }), { jobs: [job], http: false });
    try {
      await service.queues.add(queue, {});
      await service.queues.add(queue, { unrecoverable: true });
      const series = (final: boolean, retryable: boolean) => `wfm_job_failures_total{queue="${queue}",final="${final}",retryable="${retryable}"}`;
      let text = '';
      for (let i = 0; i < 100; i++) {
        text = (await request(service.server!).get('/metrics').expect(200)).text;
        if (sample(text, series(true, true)) === 1 && sample(text, series(true, false)) === 1) break;
        await sleep(50);
      }
      expect(sample(text, series(false, true))).toBe(1);
      expect(sample(text, series(true, true))).toBe(1);
      expect(sample(text, series(true, false))).toBe(1);
    } finally {
      await service.shutdown('test');
    }
  });

  test('when the grace period is over with a job running, then the warning names the job', async () => {
    const queue = `slow-${randomUUID()}`;
    const started: string[] = [];
    const job: JobDefinition = { queue, description: 'slow', concurrency: 1, processor: () => async (j) => (started.push(j.id!), sleep(2000)) };
    const { log, lines } = capturedLog();
    const service = await startService(testEnv(prefix, { SHUTDOWN_GRACE_SECONDS: '0.1' }), { jobs: [job], http: false, log });
    const id = await service.queues.add(queue, {});
    while (!started.includes(id)) await sleep(20);
    await service.shutdown('SIGTERM');
    const over = lines.find((l) => String(l.msg).startsWith('grace period over'));
    expect(over).toMatchObject({ jobs: [{ queue, jobId: id }] });
    expect(String(over!.msg)).toContain(`${queue} ${id}`);
  });

  test('when SHUTDOWN_DRAIN_SECONDS is set, then the listener keeps answering (/ready 503) for the drain, then closes', async () => {
    const service = await startService(testEnv(prefix, { SHUTDOWN_DRAIN_SECONDS: '0.4' }), { jobs: [] });
    const port = service.port!;
    const stopping = service.shutdown('SIGTERM');
    await sleep(100);
    const ready = await request(`http://127.0.0.1:${port}`).get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('shutting-down');
    const started = Date.now();
    await stopping;
    expect(Date.now() - started).toBeGreaterThan(150);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('dead letters by cause', () => {
  test.each([
    ['HTTP 503: not retryable', 'gateway'],
    ['timeout after 3 attempts', 'gateway'],
    ['HTTP 429: the gateway asks to retry after 900 s, beyond the 10 minutes a callout can wait', 'gateway'],
    ['no SMS webhook configured (WEBHOOK_URL, WEBHOOK_SECRET)', 'configuration'],
    ['release message: no SMS webhook configured (WEBHOOK_URL, WEBHOOK_SECRET)', 'configuration'],
    ['HTTP 301: the gateway moved permanently to https://sms.example/v2; redirects are not followed (the body holds a phone number): set WEBHOOK_URL to the new address', 'configuration'],
    ['agent c01 opted out of callouts before the message was sent', 'agent'],
    ['agent c01 no longer exists; the id now names another agent', 'agent'],
    ['agent c01 has no phone number', 'agent'],
    ['release message: agent c01 is no longer a cloud agent before the message was sent', 'agent'],
    ['agent c01 was deleted before the gateway took the message', 'agent'],
    ['answered (accepted) while a retry waited', 'agent'],
    ['the answer window closed (it closes at 2026-03-02T10:15:00.000Z) before the gateway took the message', 'expired'],
    ['less than 30 s of the answer window were left (it closes at 2026-03-02T10:15:00.000Z) before the gateway took the message', 'expired'],
    ['release message: the accepted shift was over (at 2026-03-02T18:00:00.000Z) before the gateway took the release message', 'expired'],
  ])('when a message was given up on with "%s", then its cause is %s', (reason, cause) => {
    expect(deadLetterCause(reason)).toBe(cause);
  });
});

describe('errors nobody caught', () => {
  test('when one is logged, then it is a JSON line of the service log with its keyPrefix; when the logger fails, then a plain stderr line', () => {
    const { log, lines } = capturedLog();
    logUncaught(log.child({ keyPrefix: 'blue' }), 'uncaught exception', new Error('kaboom'));
    expect(lines).toEqual([expect.objectContaining({ level: 60, msg: 'uncaught exception', keyPrefix: 'blue', err: expect.objectContaining({ message: 'kaboom' }) })]);
    const broken = { fatal: () => { throw new Error('stream closed'); }, error: () => { throw new Error('stream closed'); } } as unknown as Parameters<typeof logUncaught>[0];
    const written: string[] = [];
    logUncaught(broken, 'unhandled rejection', new Error('lost'), (line) => written.push(line));
    expect(written).toEqual([expect.stringMatching(/^wfm: unhandled rejection: Error: lost/)]);
  });
});
