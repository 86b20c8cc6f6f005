/**
 * Requests whose body is too large or arrives too slowly are answered early, as problem+json, and their
 * connection closed: neither holds a connection for as long as the client likes.
 */
import net from 'node:net';
import { startTestService, KEYS, type TestService } from '../support/service';

/** Writes `text` on a new connection and resolves what came back by the time the server closed it. */
function exchange(port: number, text: string): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (chunk) => (answer += chunk));
    // the server may cut the rest of the upload: a reset after its answer is still its answer
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    socket.on('close', () => resolve({ answer, ms: Date.now() - started }));
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { status: number; type: string; errors: Array<{ where: string }> };

describe('large bodies and slow clients', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ TRIGGER_TICK_CRON: 'off', REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000' }, { jobs: [] });
  });
  afterAll(async () => {
    await t.stop();
  });

  test('when a request declares a body over BODY_LIMIT and sends a few bytes of it, then it is a 413 problem+json at once and the connection is closed', async () => {
    const { answer, ms } = await exchange(t.service.port!, `POST /history HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEYS.ingest}\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n[{}`);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/i);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(bodyOf(answer)).toMatchObject({ status: 413, errors: [{ where: '/body' }] });
    // closed by the server well before any timeout
    expect(ms).toBeLessThan(1000);
  });

  test('when a body or the headers trickle in slower than the timeouts, then the request is a 408 problem+json when its timeout is over and the connection is closed', async () => {
    const [slowBody, slowHeaders] = await Promise.all([
      exchange(t.service.port!, `POST /history HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEYS.ingest}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{`),
      exchange(t.service.port!, `GET /skill-groups HTTP/1.1\r\nHost: x\r\n`),
    ]);
    for (const { answer } of [slowBody, slowHeaders]) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/i);
      expect(bodyOf(answer)).toMatchObject({ status: 408, type: 'https://wfm.example/problems/request-timeout' });
    }
    // REQUEST_TIMEOUT_MS and HEADERS_TIMEOUT_MS, checked every quarter of the headers timeout
    expect(slowBody.ms).toBeGreaterThanOrEqual(1400);
    expect(slowBody.ms).toBeLessThan(2500);
    expect(slowHeaders.ms).toBeGreaterThanOrEqual(900);
    expect(slowHeaders.ms).toBeLessThan(2000);
  });

  test('when a request is answered from its headers (401) and the rest of its body never comes, then that one answer is all the connection gets', async () => {
    const { answer } = await exchange(t.service.port!, 'POST /agents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{');
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    // no second answer (a 408 once the timeout is over) that a pipelining client would pair with its next request
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });
});
