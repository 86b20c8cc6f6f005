import { randomUUID } from 'node:crypto';
import { startTestService, KEYS, type TestService } from '../support/service';
import { QUEUE } from '../../src/queue/names';
import { WfmError } from '../../src/errors/wfm-error';
import { buildFailureOf, type BuildRosterJob } from '../../src/services/rosters';
import { FROM, GROUPS, waitForRoster, ZONE } from './rosters-fixtures';

describe('a failed roster build', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };

  beforeAll(async () => {
    t = await startTestService();
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Queues a build directly, as if the request had been accepted and the data changed before the worker ran. */
  async function failedStatus(request: unknown) {
    const id = randomUUID();
    const data = { kind: 'build', rosterId: id, request } as BuildRosterJob;
    // one attempt: an unexpected failure is retried (twice, 10 s apart) before its status says failed
    await t.service.queues.add(QUEUE.buildRoster, data, { jobId: id, attempts: 1 });
    const waited = await waitForRoster(t.http, id, planner);
    expect(waited.status).toBe('failed');
    return (await t.http.get(`/rosters/${id}/status`).set(planner).expect(200)).body;
  }

  test('when the build fails with a WfmError, then the status carries its code and what was wrong where', async () => {
    const status = await failedStatus({ period: { from: FROM, days: 5, timeZone: ZONE }, skillGroups: ['PS', 'GONE'] });

    expect(status).toMatchObject({ status: 'failed', code: 'validation', failedReason: 'unknown skill groups' });
    expect(status.errors).toEqual([{ where: '/body/skillGroups/1', message: 'unknown skill group "GONE"' }]);
  });

  test('when the build fails unexpectedly, then the status says so generically, without the error text or a stack', async () => {
    // skillGroups not a list: a TypeError deep in the service, not a WfmError
    const status = await failedStatus({ period: { from: FROM, days: 5, timeZone: ZONE }, skillGroups: 'PS' });

    expect(status).toMatchObject({ status: 'failed', code: 'internal' });
    expect(status.errors).toHaveLength(1);
    expect(status.errors[0].where).toBe('/');
    const text = JSON.stringify(status);
    expect(text).not.toMatch(/forEach|TypeError|\.ts:\d+|\n\s+at /);
  });
});

describe('buildFailureOf', () => {
  test('when the independent checker refuses a roster (an internal WfmError), then its violations stay in the errors', () => {
    const err = new WfmError('internal', 'the independent checker found 1 hard-rule violation(s) in the roster: not stored', {
      details: [{ where: '/agents/P001', message: 'min-rest: 9 h between shifts, 11 h required' }],
    });

    expect(buildFailureOf(err, '1999-11-01T00:00:00.000Z')).toEqual({
      code: 'internal',
      message: err.message,
      errors: [{ where: '/agents/P001', message: 'min-rest: 9 h between shifts, 11 h required' }],
      failedAt: '1999-11-01T00:00:00.000Z',
    });
  });

  test('when a WfmError has no details, then the errors still say what was wrong, at the root', () => {
    const failure = buildFailureOf(new WfmError('not-found', 'roster R does not exist'), 'now');

    expect(failure.errors).toEqual([{ where: '/', message: 'roster R does not exist' }]);
  });
});
