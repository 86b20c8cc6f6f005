/**
 * What a worker's Redis failures say in the log: a lost connection is the pool's (said once, with the
 * reason Redis gave when it gave one); any other error of a worker (Redis out of memory, a script refused)
 * is reported once when it starts, then at most once a minute with a count, and once when it is over.
 */
import net from 'node:net';
import type { Logger } from '../log';
import { isUnreachable } from '../store/redis';

/** Network failures of a Redis that is away (down, restarting, its address not resolving for now). */
const CONNECTION_LOSS_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** Redis turns a connection away when it has `maxclients` already (it says so, then closes the socket). */
const TOO_MANY_CLIENTS = /max number of clients reached/i;

/**
 * The connection is away: ioredis reconnects and the worker resumes. Not a refusal of a connected Redis
 * (out of memory, read-only): those are worker errors, reported as such.
 */
export function isConnectionLoss(err: unknown): boolean {
  const message = String((err as Error)?.message ?? '');
  // ioredis's words for a connection that is not there (closed, not writable, timed out): the store's own test
  return CONNECTION_LOSS_CODES.has((err as NodeJS.ErrnoException)?.code ?? '') || isUnreachable(err) || TOO_MANY_CLIENTS.test(message);
}

/** The reason of a worker error, in a line an operator acts on (the error itself, with its stack, is logged beside it). */
export function describeWorkerError(err: unknown): string {
  const message = String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 300);
  if (/(^|-)OOM\b/.test(message)) return 'Redis is out of memory (OOM): writes are refused';
  if (/^READONLY\b/.test(message)) return 'Redis is a read-only replica: writes are refused';
  if (/^MISCONF\b/.test(message)) return 'Redis cannot save to disk (MISCONF): writes are refused';
  if (/^(WRONGPASS|NOAUTH|NOPERM)\b/.test(message)) return `Redis refuses the credentials or command: ${message}`;
  return message;
}

/** Worker errors reported per queue: one line at the start, one a minute while they go on, one at the end. */
export class WorkerErrorReport {
  private readonly episodes = new Map<string, { reasons: Set<string>; since: number; lastSaid: number; sinceSaid: number; total: number }>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 60_000,
  ) {}

  error(queue: string, err: unknown): void {
    const reason = describeWorkerError(err);
    const t = this.now();
    const episode = this.episodes.get(queue);
    if (!episode) {
      this.episodes.set(queue, { reasons: new Set([reason]), since: t, lastSaid: t, sinceSaid: 0, total: 1 });
      this.log.error({ err, queue, reason }, 'worker error');
      return;
    }
    episode.total += 1;
    if (!episode.reasons.has(reason)) {
      // a second cause while the first lasts: said once too
      episode.reasons.add(reason);
      this.log.error({ err, queue, reason }, 'worker error');
      return;
    }
    episode.sinceSaid += 1;
    if (t - episode.lastSaid >= this.everyMs) {
      this.log.warn(
        { queue, reason, errors: episode.sinceSaid, sinceSeconds: Math.round((t - episode.since) / 1000) },
        `worker error goes on: ${episode.sinceSaid} more since the last report`,
      );
      episode.lastSaid = t;
      episode.sinceSaid = 0;
    }
  }

  /** The worker fetched from its queue again: its errors are over. */
  over(queue: string): void {
    const episode = this.episodes.get(queue);
    if (!episode) return;
    this.episodes.delete(queue);
    this.log.info(
      { queue, reasons: [...episode.reasons], errors: episode.total, seconds: Math.round((this.now() - episode.since) / 1000) },
      'worker error over: the worker takes jobs again',
    );
  }
}

/**
 * What Redis says to a new connection before any command: nothing when it accepts it, or an error line
 * when it turns it away (`ERR max number of clients reached`). ioredis swallows that line (it arrives as
 * the answer to CLIENT SETNAME) and reports only the closed socket (EPIPE, ECONNRESET), so the pool asks
 * once itself. Undefined when Redis said nothing, is unreachable, or the URL is TLS (not probed).
 */
export async function redisGreeting(url: string, timeoutMs = 500): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'redis:') return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(target.port || 6379);
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect({ host, port });
    const done = (line: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('data', (chunk) => {
      received += String(chunk);
      const end = received.indexOf('\r\n');
      if (end >= 0 || received.length > 512) done(received.startsWith('-') ? received.slice(1, end >= 0 ? end : 300) : undefined);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(received.startsWith('-') ? received.slice(1, 300).trim() : undefined));
  });
}
