import net from 'node:net';
import http from 'node:http';
import { startService } from '../../src/main';
import { WfmError } from '../../src/errors/wfm-error';
import { REDIS_URL } from '../support/service';

const env = (extra: Record<string, string>) => ({ REDIS_URL, KEY_PREFIX: `test-start-${process.pid}`, HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...extra });

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
