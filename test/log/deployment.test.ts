/**
 * Deployments may share a Redis (KEY_PREFIX apart) and a log stream: every line of the service says which
 * deployment it comes from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { startService } from '../../src/main';
import { capturedLog } from '../support/log-capture';
import { deleteKeys, testEnv } from '../support/service';

describe('the deployment in every log line', () => {
  test('when a logger is made with fields, then every line carries them besides pid and hostname', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('info', 'wfm', new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }), { keyPrefix: 'tenant-a' });
    log.info('one');
    log.child({ job: 'j1' }).warn('two');
    expect(lines).toEqual([
      expect.objectContaining({ keyPrefix: 'tenant-a', pid: process.pid, hostname: os.hostname(), msg: 'one' }),
      expect.objectContaining({ keyPrefix: 'tenant-a', pid: process.pid, job: 'j1', msg: 'two' }),
    ]);
  });

  test('when the service starts, then it says its key prefix, Redis and MODEL_DIR, and each of its lines names the key prefix', async () => {
    const prefix = `test-${randomUUID()}`;
    const modelDir = mkdtempSync(path.join(os.tmpdir(), 'wfm-log-models-'));
    const { log, lines } = capturedLog();
    try {
      const service = await startService(testEnv(prefix, { MODEL_DIR: modelDir }), { http: false, jobs: [], log });
      await service.shutdown('test finished');
    } finally {
      rmSync(modelDir, { recursive: true, force: true });
      await deleteKeys(prefix);
    }
    expect(lines.find((l) => l.msg === 'starting')).toEqual(expect.objectContaining({ keyPrefix: prefix, redis: 'redis://127.0.0.1:6379', modelDir }));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.filter((l) => l.keyPrefix !== prefix)).toEqual([]);
  });
});
