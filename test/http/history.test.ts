import { startTestService, KEYS, type TestService } from '../support/service';
import { skillGroup } from '../support/examples';
import { THREAD_THRESHOLD_ROWS } from '../../src/services/history';
import * as threadRunner from '../../src/queue/thread-runner';

const csv = (...rows: string[]) => ['interval_start,skill_group,volume,aht_seconds', ...rows].join('\n');

describe('interval history over REST', () => {
  let t: TestService;
  const ingest = { 'X-API-Key': KEYS.ingest };
  const planner = { 'X-API-Key': KEYS.planner };

  beforeEach(async () => {
    t = await startTestService();
    await t.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send([skillGroup(), skillGroup({ id: 'BER', timeZone: 'Europe/Berlin' })]).expect(200);
  });
  afterEach(async () => {
    await t.stop();
  });

  const read = async (id: string, from: string, to: string) =>
    (await t.http.get(`/history/${id}`).query({ from, to }).set(planner).expect(200)).body;

  test('when 6-minute rows are uploaded, then they are summed into 30-minute intervals with weighted AHT', async () => {
    const body = csv(
      '1999-02-03T13:00:00+02:00,PS,10,100',
      '1999-02-03T13:06:00+02:00,PS,30,200',
      '1999-02-03T13:12:00+02:00,PS,0,',
      '1999-02-03T13:18:00+02:00,PS,5.5,',
      '1999-02-03T13:24:00+02:00,PS,4.5,',
      '1999-02-03T13:30:00+02:00,PS,7,',
    );
    const res = await t.http.post('/history').set(ingest).type('text/csv').send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 6, intervals: 2 });
    expect(res.body.skillGroups[0]).toMatchObject({ skillGroupId: 'PS', rowGranularityMinutes: 6, totalVolume: 57 });
    expect(await read('PS', '1999-02-03T00:00:00Z', '1999-02-04T00:00:00Z')).toEqual([
      { interval_start: '1999-02-03T13:00:00+02:00', skill_group: 'PS', volume: 50, aht_seconds: 175 },
      { interval_start: '1999-02-03T13:30:00+02:00', skill_group: 'PS', volume: 7 },
    ]);
  });

  test('when a client asks for CSV by Accept, then it gets CSV; ?format wins over Accept, and a browser gets JSON', async () => {
    await t.http.post('/history').set(ingest).type('text/csv').send(csv('1999-02-03T13:00:00+02:00,PS,10,100')).expect(200);
    const range = { from: '1999-02-03T00:00:00Z', to: '1999-02-04T00:00:00Z' };
    const asCsv = await t.http.get('/history/PS').query(range).set(planner).set('Accept', 'text/csv').expect(200);
    expect(asCsv.type).toBe('text/csv');
    expect(asCsv.text.split('\n')[1]).toBe('1999-02-03T13:00:00+02:00,PS,10,100');
    expect(asCsv.headers.vary).toMatch(/Accept/);
    const forcedJson = await t.http.get('/history/PS').query({ ...range, format: 'json' }).set(planner).set('Accept', 'text/csv').expect(200);
    expect(forcedJson.type).toBe('application/json');
    const browser = await t.http.get('/history/PS').query(range).set(planner).set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8').expect(200);
    expect(browser.type).toBe('application/json');
  });

  test('when the same file is uploaded twice, then the stored history is the same (idempotent upsert)', async () => {
    const body = csv('1999-02-03T13:00:00+02:00,PS,10,100', '1999-02-03T13:30:00+02:00,PS,20,120');
    await t.http.post('/history').set(ingest).type('text/csv').send(body).expect(200);
    const first = await read('PS', '1999-02-01T00:00:00Z', '1999-03-01T00:00:00Z');
    await t.http.post('/history').set(ingest).type('text/csv').send(body).expect(200);
    expect(await read('PS', '1999-02-01T00:00:00Z', '1999-03-01T00:00:00Z')).toEqual(first);
    expect(first.map((r: { volume: number }) => r.volume)).toEqual([10, 20]);
  });

  test('when a per-call log is uploaded over stale interval totals, then its intervals without calls become 0 and those outside its span stay', async () => {
    await t.http.post('/history').set(ingest).type('text/csv').send(csv('1999-02-05T09:00:00+02:00,PS,999,100', '1999-02-05T09:30:00+02:00,PS,999,100', '1999-02-05T10:00:00+02:00,PS,999,100', '1999-02-05T10:30:00+02:00,PS,999,100')).expect(200);
    const log = ['arrival,skill_group,handle_seconds', '1999-02-05T09:10:00+02:00,PS,120', '1999-02-05T10:05:30+02:00,PS,'].join('\n');

    const res = await t.http.post('/history').set(ingest).type('text/csv').send(log).expect(200);

    expect(res.body).toMatchObject({ rows: 2, intervals: 3 });
    expect(res.body.skillGroups[0].notes[1]).toContain('(1999-02-05T09:00:00+02:00 to 1999-02-05T10:00:00+02:00): the 1 interval without a call is written as 0; an upload replaces its first and last intervals whole');
    expect((await read('PS', '1999-02-05T00:00:00Z', '1999-02-06T00:00:00Z')).map((r: { volume: number }) => r.volume)).toEqual([1, 0, 1, 999]);
  });

  test('when any row is bad, then the whole batch is rejected with row numbers and nothing is written', async () => {
    const body = csv(
      '1999-02-03T13:00:00+02:00,PS,10,100',
      '1999-02-03T13:30:00+02:00,PS,-3,',
      '1999-02-03T14:00:00+02:00,XX,3,',
      '1999-02-03T14:30:00+02:00,PS,many,',
      '1999-02-03T13:00:00+02:00,PS,11,100',
      '2024-03-31T02:30:00,BER,4,',
      '1999-02-03T15:00:30+02:00,PS,4,',
    );
    const res = await t.http.post('/history').set(ingest).type('text/csv').send(body);
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    const rows = res.body.errors.map((e: { row: number }) => e.row);
    expect(rows).toEqual(expect.arrayContaining([2, 3, 4, 5, 6, 7]));
    expect(rows).not.toContain(1);
    const dst = res.body.errors.find((e: { row: number }) => e.row === 6);
    expect(dst.message).toMatch(/DST|does not exist/);
    expect(await read('PS', '1999-02-01T00:00:00Z', '1999-03-01T00:00:00Z')).toEqual([]);
  });

  test('when rows start after the service clock (a year typed wrong), then the batch is refused naming them and nothing is written', async () => {
    await t.stop();
    const now = Date.parse('1999-02-03T13:10:00+02:00');
    t = await startTestService({}, { now: () => now });
    await t.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send([skillGroup()]).expect(200);

    // 13:00 has begun (a partial interval is history); 13:30 and a 2099 row have not
    const body = csv('1999-02-03T13:00:00+02:00,PS,10,100', '1999-02-03T13:30:00+02:00,PS,20,', '2099-02-03T13:00:00+02:00,PS,5,');
    const res = await t.http.post('/history').set(ingest).type('text/csv').send(body);

    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { row: number }) => e.row)).toEqual([2, 3]);
    expect(res.body.errors[0].message).toBe('1999-02-03T13:30:00+02:00 has not happened yet (the service clock reads 1999-02-03T13:10:00+02:00): history holds past intervals only');
    expect(await read('PS', '1999-02-01T00:00:00Z', '2100-01-01T00:00:00Z')).toEqual([]);

    await t.http.post('/history').set(ingest).type('text/csv').send(csv('1999-02-03T13:00:00+02:00,PS,10,100')).expect(200);
  });

  test('when JSON rows are uploaded, then they are stored like CSV rows', async () => {
    const res = await t.http
      .post('/history')
      .set(ingest)
      .send([{ interval_start: '2024-10-27T02:30:00+02:00', skill_group: 'BER', volume: 3 }, { interval_start: '2024-10-27T02:30:00+01:00', skill_group: 'BER', volume: 4 }]);
    expect(res.status).toBe(200);
    // the repeated fall-back hour holds two distinct intervals, told apart by their offsets
    expect(await read('BER', '2024-10-26T00:00:00Z', '2024-10-28T00:00:00Z')).toEqual([
      { interval_start: '2024-10-27T02:30:00+02:00', skill_group: 'BER', volume: 3 },
      { interval_start: '2024-10-27T02:30:00+01:00', skill_group: 'BER', volume: 4 },
    ]);
  });

  test('when JSON rows are bad, then the 422 names each place by JSON pointer into the body, as the contract names an unknown field', async () => {
    const bad = await t.http
      .post('/history')
      .set(ingest)
      .send([{ interval_start: '1999-02-03T13:00:00+02:00', skill_group: 'PS', volume: -3 }, { interval_start: '1999-02-30T13:00:00+02:00', skill_group: 'PS', volume: 1 }]);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { where: string; row?: number }) => [e.where, e.row])).toEqual([
      ['/body/0/volume', 1],
      ['/body/1/interval_start', 2],
    ]);
    const unknown = await t.http.post('/history').set(ingest).send([{ interval_start: '1999-02-03T13:00:00+02:00', skill_group: 'PS', volume: 3, extra: 1 }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].where).toBe('/body/0/extra');
    // CSV keeps its file locations: the header line is row 0, a cell is "row N, <column>"
    const header = await t.http.post('/history').set(ingest).type('text/csv').send('interval_start,skill_group,volume,queue\n1999-02-03T13:00:00+02:00,PS,1,x');
    expect(header.body.errors).toEqual([{ where: 'row 0', row: 0, message: expect.stringContaining('unknown column "queue"') }]);
  });

  test('when history is read as CSV, then it can be uploaded again unchanged', async () => {
    await t.http.post('/history').set(ingest).type('text/csv').send(csv('1999-02-03T13:00:00+02:00,PS,10,100')).expect(200);
    const res = await t.http.get('/history/PS').query({ from: '1999-02-01T00:00:00Z', to: '1999-03-01T00:00:00Z', format: 'csv' }).set(planner);
    expect(res.type).toBe('text/csv');
    expect(res.text.trim()).toBe(csv('1999-02-03T13:00:00+02:00,PS,10,100'));
  });

  test('when a planner types the range as in the README (colons left as they are, the + of an offset encoded or not), then it is read', async () => {
    await t.http.post('/history').set(ingest).type('text/csv').send(csv('1999-02-03T13:00:00+02:00,PS,10,100')).expect(200);
    const res = await t.http.get('/history/PS?from=1999-02-01T00:00:00%2B02:00&to=1999-02-08T00:00:00%2B02:00').set(planner);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    const decisions = await t.http.get('/trigger/decisions?from=1999-02-01T00:00:00Z&to=1999-02-08T00:00:00Z').set(planner);
    expect(decisions.status).toBe(200);
    // a literal + reads as a space in a query string; before an offset it can only be the offset's sign
    const plus = await t.http.get('/history/PS?from=1999-02-03T13:00:00+02:00&to=1999-02-03T13:30:00+02:00').set(planner);
    expect(plus.status).toBe(200);
    expect(plus.body).toHaveLength(1);
    // one hour later in +01:00 (12:00Z): the same row is outside, so the sign was read, not dropped
    const later = await t.http.get('/history/PS?from=1999-02-03T12:30:00+01:00&to=1999-02-03T13:30:00+01:00').set(planner);
    expect(later.body).toHaveLength(0);
    // anything else with a space is still a clear 400 naming the parameter
    const spaced = await t.http.get('/history/PS?from=1999-02-01 00:00&to=1999-02-08T00:00:00Z').set(planner);
    expect(spaced.status).toBe(400);
    expect(spaced.type).toBe('application/problem+json');
    expect(spaced.body.errors[0].where).toBe('/query/from');
  });

  test('when a large batch breaks the contract in every row, then the first 100 places are named and the rest counted', async () => {
    const events = Array.from({ length: 250 }, (_, i) => ({ skill_group: 'PS', minute: new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString(), arrivals: -1 }));
    const res = await t.http.post('/realtime/events').set(ingest).send(events);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toHaveLength(101);
    expect(res.body.errors[0].where).toBe('/body/0/arrivals');
    expect(res.body.errors[99].where).toBe('/body/99/arrivals');
    expect(res.body.errors[100]).toEqual({ where: '/body', message: '… and 150 more' });
  });

  test('when a batch is large enough to be validated in a worker thread, then it is stored, and rejected, exactly as a small one', async () => {
    // 6-minute rows from 1999-01-03 00:00 +02:00 (Asia/Jerusalem, no clock change in January)
    const start = Date.parse('1999-01-03T00:00:00+02:00');
    const rowCount = THREAD_THRESHOLD_ROWS + 100;
    const rows: string[] = [];
    for (let k = 0; k < rowCount; k++) {
      const iso = new Date(start + k * 360_000 + 2 * 3_600_000).toISOString().slice(0, 19) + '+02:00';
      rows.push(`${iso},PS,${k % 7},`);
    }
    const threads = jest.spyOn(threadRunner, 'runInWorkerThread');
    const good = await t.http.post('/history').set(ingest).type('text/csv').send(csv(...rows));
    expect(good.status).toBe(200);
    expect(threads).toHaveBeenCalledTimes(1);
    expect(good.body).toMatchObject({ rows: rowCount, intervals: rowCount / 5 });
    // the first interval holds rows k = 0…4: volumes 0+1+2+3+4
    const day = await read('PS', '1999-01-03T00:00:00+02:00', '1999-01-03T01:00:00+02:00');
    expect(day).toEqual([
      { interval_start: '1999-01-03T00:00:00+02:00', skill_group: 'PS', volume: 10 },
      { interval_start: '1999-01-03T00:30:00+02:00', skill_group: 'PS', volume: 5 + 6 + 0 + 1 + 2 },
    ]);

    const bad = [...rows];
    bad[12_345] = bad[12_345].replace(/,PS,\d+,/, ',PS,-1,');
    const res = await t.http.post('/history').set(ingest).type('text/csv').send(csv(...bad));
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 12_346, message: expect.stringMatching(/volume/) })]);
    expect(threads).toHaveBeenCalledTimes(2);
    threads.mockRestore();
  });

  test('when several large batches arrive at once, then at most two threads validate at a time and every batch is stored', async () => {
    const threads = jest.spyOn(threadRunner, 'runInWorkerThread');
    let running = 0;
    let most = 0;
    const real = threads.getMockImplementation() ?? jest.requireActual('../../src/queue/thread-runner').runInWorkerThread;
    threads.mockImplementation(async (...args: Parameters<typeof threadRunner.runInWorkerThread>) => {
      most = Math.max(most, ++running);
      try {
        return await real(...args);
      } finally {
        running--;
      }
    });
    const batch = (day: number) => {
      const start = Date.parse(`1999-0${day}-01T00:00:00+02:00`);
      const rows: string[] = [];
      for (let k = 0; k < THREAD_THRESHOLD_ROWS; k++) rows.push(`${new Date(start + k * 360_000 + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00,PS,1,`);
      return csv(...rows);
    };
    const answers = await Promise.all([1, 4, 7].map((month) => t.http.post('/history').set(ingest).type('text/csv').send(batch(month))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(threads).toHaveBeenCalledTimes(3);
    expect(most).toBe(2);
    threads.mockRestore();
  });

  test('when a planner uploads history or the range is backwards, then 403 / 422', async () => {
    await t.http.post('/history').set(planner).type('text/csv').send(csv('1999-02-03T13:00:00+02:00,PS,10,100')).expect(403);
    const res = await t.http.get('/history/PS').query({ from: '1999-03-01T00:00:00Z', to: '1999-02-01T00:00:00Z' }).set(planner);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].where).toBe('/query/to');
    await t.http.get('/history/NOPE').query({ from: '1999-02-01T00:00:00Z', to: '1999-03-01T00:00:00Z' }).set(planner).expect(404);
  });
});
