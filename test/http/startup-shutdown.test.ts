import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import http from 'node:http';
import { startService } from '../../src/main';
import { WfmError } from '../../src/errors/wfm-error';
import * as openapi from '../../src/http/openapi';
import request from 'supertest';
import { REDIS_URL } from '../support/service';

const env = (extra: Record<string, string>) => ({ REDIS_URL, KEY_PREFIX: `test-start-${process.pid}`, HOST: '127.0.0.1', LOG_LEVEL: 'silent', SHUTDOWN_DRAIN_SECONDS: '0', MODEL_DIR: path.join(os.tmpdir(), 'wfm-test-models', `test-start-${process.pid}`), ...extra });

describe('starting and stopping the service', () => {
  test('when the port is taken, then start is refused naming PORT (not an unhandled error event)', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const error = await startService(env({ PORT: String(port) }), { jobs: [] }).catch((e) => e);
      expect(error).toBeInstanceOf(WfmError);
      expect(error.details).toEqual([expect.objectContaining({ where: 'PORT', message: expect.stringContaining('EADDRINUSE') })]);
    } finally {
      taken.close();
    }
  });

  test('when REDIS_URL names a database the server does not have, a worker-only process a queue that does not exist, or MODEL_DIR cannot be made, then start is refused naming it', async () => {
    const db = await startService(env({ PORT: '0', REDIS_URL: `${REDIS_URL.replace(/\/\d*$/, '')}/99` }), { jobs: [] }).catch((e) => e);
    expect(db).toBeInstanceOf(WfmError);
    expect(db.details).toEqual([expect.objectContaining({ where: 'REDIS_URL' })]);
    const queue = await startService(env({ PORT: '0' }), { workersOnly: ['no-such-queue'], http: false }).catch((e) => e);
    expect(queue).toBeInstanceOf(WfmError);
    expect(queue.message).toContain('no-such-queue');
    // a model directory that cannot be made (under /proc nothing can): refused by name, and quickly
    const models = await startService(env({ PORT: '0', MODEL_DIR: '/proc/no-such-dir/models' }), { jobs: [] }).catch((e) => e);
    expect(models).toBeInstanceOf(WfmError);
    expect(models.details).toEqual([expect.objectContaining({ where: 'MODEL_DIR' })]);
  });

  test('when answer links would be signed with the SMS gateway\'s own secret, or their links at localhost, then the start warns; with a secret and an address of their own it does not', async () => {
    const warnings = async (extra: Record<string, string>) => {
      const lines: string[] = [];
      const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
      const service = await startService(env({ WEBHOOK_URL: 'http://127.0.0.1:1/sms', WEBHOOK_SECRET: 'gateway-secret-0123456789', ...extra }), { http: false, jobs: [], log: createLogger('warn', 'wfm', sink) });
      await service.shutdown('test finished');
      return lines.join('');
    };
    expect(await warnings({})).toContain('CALLOUT_LINK_SECRET is not set');
    expect(await warnings({ CALLOUT_LINK_SECRET: 'link-secret-0123456789abc' })).not.toContain('CALLOUT_LINK_SECRET');
    // links pointing at localhost reach no phone
    expect(await warnings({})).toContain('PUBLIC_BASE_URL is not set');
    expect(await warnings({ PUBLIC_BASE_URL: 'https://wfm.example' })).not.toContain('PUBLIC_BASE_URL');
  });

  test('when a worker-only process is given WORKER_METRICS_PORT, then it serves its probes and its own metrics there, and nothing else', async () => {
    const service = await startService(env({ WORKER_METRICS_PORT: '0' }), { http: false, jobs: [] });
    try {
      const http = request(service.server!);
      expect((await http.get('/health').expect(200)).body.status).toBe('ok');
      expect((await http.get('/ready').expect(200)).body).toMatchObject({ status: 'ready', redis: 'up' });
      expect((await http.get('/metrics').expect(200)).text).toContain('wfm_process_cpu_seconds_total');
      const api = await http.get('/skill-groups').expect(404);
      expect(api.type).toBe('application/problem+json');
    } finally {
      await service.shutdown('test');
    }
    // without the port, a worker-only process opens none
    const quiet = await startService(env({}), { http: false, jobs: [] });
    expect(quiet.server).toBeUndefined();
    await quiet.shutdown('test');
  });

  test('when openapi.yaml is not a valid contract (or not YAML at all), then an API process refuses to start, naming where; a worker-only process needs none', async () => {
    const valid = openapi.loadOpenApi();
    const broken = structuredClone(valid) as typeof valid & { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
    broken.paths['/health'].get.responses['200'] = { description: 'ok', content: { 'application/json': { schema: { type: 'strin' } } } };
    const read = jest.spyOn(openapi, 'loadOpenApi').mockReturnValue(broken);
    try {
      const refused = await startService(env({ PORT: '0' }), { jobs: [] }).catch((e) => e);
      expect(refused).toBeInstanceOf(WfmError);
      expect(refused.message).toContain('openapi.yaml');
      expect(refused.details).toContainEqual(expect.objectContaining({ where: '/paths/~1health/get/responses/200/content/application~1json/schema/type' }));
      read.mockImplementation(() => {
        throw new Error('bad indentation of a mapping entry (12:3)');
      });
      const unreadable = await startService(env({ PORT: '0' }), { jobs: [] }).catch((e) => e);
      expect(unreadable).toBeInstanceOf(WfmError);
      expect(unreadable.details).toEqual([expect.objectContaining({ message: expect.stringContaining('bad indentation') })]);
      const worker = await startService(env({}), { http: false, jobs: [] });
      await worker.shutdown('test');
    } finally {
      read.mockRestore();
    }
  });

  test('when a client trickles a request body past the grace period, then the shutdown cuts it and ends', async () => {
    const service = await startService(env({ PORT: '0', SHUTDOWN_GRACE_SECONDS: '1', API_KEYS: 'ingest:ingest-key-0123456789' }), { jobs: [] });
    const socket = net.connect(service.port!, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.on('error', () => undefined);
    const closed = new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 3000).unref();
    });
    socket.write('POST /history HTTP/1.1\r\nHost: x\r\nX-API-Key: ingest-key-0123456789\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\ninterval_start');
    // the server is reading the body (authorised, so no early answer) when the shutdown begins
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await service.shutdown('test');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await closed).toBe(true);
    socket.destroy();
  });
});
