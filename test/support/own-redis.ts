/**
 * A Redis server of the test's own, on a free port, for tests that break Redis (fill its memory, limit its
 * clients): the shared test Redis is never reconfigured. `stop` shuts it down (it keeps nothing on disk).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';

export interface OwnRedis {
  url: string;
  /** an admin connection to it (CONFIG SET …) */
  admin: Redis;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  let admin: Redis | undefined;
  while (!admin) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      admin = probe;
    } catch (err) {
      probe.disconnect();
      if (Date.now() > deadline) {
        child.kill();
        throw err;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    admin,
    stop: async () => {
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      await admin!.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      admin!.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
