/**
 * History upload and range-read throughput against the real Redis (npm run bench).
 * - upload: the whole-year 6-minute fixture (87,590 rows) through POST /history, end to end
 *   (HTTP, CSV parsing, validation, aggregation to 30-minute intervals, one script that writes only while the group exists);
 * - range read: one year of 30-minute intervals for one skill group through the repository and through
 *   GET /history, beside a naive layout (one Redis string per interval, read with MGET) in the same run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { startService } from '../src/main';
import { uploadHistory, THREAD_THRESHOLD_ROWS } from '../src/services/history';
import { createStore } from '../src/store/store';
import { table, writeBenchmarkSection } from './report';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = 'bench-admin-key-0123456789';

/** Runs `work` and returns its duration and the longest the event loop went without running a 1 ms timer. */
async function withLoopWatch(work: () => Promise<unknown>): Promise<{ ms: number; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  clearInterval(timer);
  return { ms, stallMs: Math.max(stallMs, performance.now() - last) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

async function main(): Promise<void> {
  const prefix = `bench-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  const service = await startService({ REDIS_URL, KEY_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', API_KEYS: `admin:${ADMIN}`, BODY_LIMIT: '50mb' });
  const http = request(service.server!);
  try {
    const groups = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/skill-groups.json'), 'utf8'));
    await http.post('/skill-groups').set('X-API-Key', ADMIN).send(groups).expect(200);
    const csv = readFileSync(path.resolve(__dirname, '../fixtures/arrivals-6min-1999.csv'), 'utf8');
    const rows = csv.trim().split('\n').length - 1;

    const uploadMs: number[] = [];
    const uploadStallMs: number[] = [];
    let intervals = 0;
    for (let i = 0; i < 3; i++) {
      let res: request.Response | undefined;
      const run = await withLoopWatch(async () => {
        res = await http.post('/history').set('X-API-Key', ADMIN).type('text/csv').send(csv);
      });
      uploadMs.push(run.ms);
      uploadStallMs.push(run.stallMs);
      if (res!.status !== 200) throw new Error(`upload failed: ${res!.status} ${JSON.stringify(res!.body).slice(0, 300)}`);
      intervals = res!.body.intervals;
    }

    const store = createStore(redis, prefix);
    // the same use case with validation on the event loop (how uploads ran before the worker thread)
    const inlineMs: number[] = [];
    const inlineStallMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await withLoopWatch(() => uploadHistory(store, { csv }, { nowMs: Date.now() }, Infinity));
      inlineMs.push(run.ms);
      inlineStallMs.push(run.stallMs);
    }
    const from = Date.parse('1999-01-01T00:00:00+02:00');
    const to = Date.parse('2000-01-01T00:00:00+02:00');
    const repoMs: number[] = [];
    let readCount = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      readCount = (await store.history.read('ALL', from, to)).length;
      repoMs.push(performance.now() - t0);
    }
    const httpMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await http.get('/history/ALL').query({ from: '1999-01-01T00:00:00+02:00', to: '2000-01-01T00:00:00+02:00' }).set('X-API-Key', ADMIN).expect(200);
      httpMs.push(performance.now() - t0);
    }

    // naive layout for comparison: one string key per interval, read back with one MGET
    const stored = await store.history.read('ALL', from, to);
    const naiveKeys = stored.map((iv) => `${prefix}:naive:ALL:${iv.start}`);
    const pipe = redis.pipeline();
    stored.forEach((iv, i) => pipe.set(naiveKeys[i], String(iv.volume)));
    await pipe.exec();
    const naiveMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const values = await redis.mget(...naiveKeys);
      values.map(Number);
      naiveMs.push(performance.now() - t0);
    }

    const up = median(uploadMs);
    const body = [
      `History: \`fixtures/arrivals-6min-1999.csv\` (${rows.toLocaleString('en')} six-minute rows, one skill group, a whole year) → ${intervals.toLocaleString('en')} thirty-minute intervals.`,
      '',
      table(
        ['measure', 'median', 'throughput'],
        [
          ['upload through POST /history (CSV, validate and aggregate in a worker thread, one guarded write script), 3 runs', `${up.toFixed(0)} ms`, `${Math.round(rows / (up / 1000)).toLocaleString('en')} rows/s`],
          ['  longest event-loop stall meanwhile', `${median(uploadStallMs).toFixed(0)} ms`, ''],
          ['same upload validated on the event loop (uploadHistory, no thread), 3 runs', `${median(inlineMs).toFixed(0)} ms`, `${Math.round(rows / (median(inlineMs) / 1000)).toLocaleString('en')} rows/s`],
          ['  longest event-loop stall meanwhile', `${median(inlineStallMs).toFixed(0)} ms`, ''],
          ['range read, one year of 30-min intervals, repository (12 HGETALL, 1 pipeline), 20 runs', `${median(repoMs).toFixed(1)} ms`, `${readCount.toLocaleString('en')} intervals`],
          ['range read, same year, through GET /history (JSON with offsets), 10 runs', `${median(httpMs).toFixed(1)} ms`, ''],
          ['naive layout beside it: one key per interval, one MGET, 20 runs', `${median(naiveMs).toFixed(1)} ms`, ''],
        ],
      ),
      '',
      `Batches from ${THREAD_THRESHOLD_ROWS.toLocaleString('en')} rows up are validated in a worker thread: the upload takes ${(up / median(inlineMs)).toFixed(1)}× as long (starting the thread and loading its modules), and the event loop, which in the same process runs the trigger tick and answers other requests, stalls at most ${median(uploadStallMs).toFixed(0)} ms instead of ${median(inlineStallMs).toFixed(0)} ms (${(median(inlineStallMs) / median(uploadStallMs)).toFixed(0)}× shorter).`,
      '',
      `Repository read vs naive MGET: ${(median(naiveMs) / median(repoMs)).toFixed(2)}× (ratio of medians; > 1 means ours is faster). Target "one year well under 100 ms": ${median(repoMs) < 100 ? 'met' : 'NOT met'}.`,
    ].join('\n');
    console.log(body);
    writeBenchmarkSection('store', 'History store: upload and range read', 'npm run bench', body);
  } finally {
    await service.shutdown('bench done');
    await deletePrefix(redis, prefix);
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
