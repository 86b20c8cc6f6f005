/**
 * A body declared (Content-Length) larger than BODY_LIMIT is refused from its headers, at once. The body
 * parser would refuse it too, but only after reading the whole declared body off the connection (so the
 * connection can carry the next request): a client declaring 100 MB and trickling it waited minutes for
 * its 413, holding a connection all along. Answered here, the rest of the body is never read, so the
 * connection is closed behind the answer.
 */
import type { RequestHandler } from 'express';
import { sendProblem } from './problem';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** BODY_LIMIT ("500kb", "20mb") in bytes, as the body parser counts them (1 kb = 1024 bytes). */
export function bodyLimitBytes(limit: string): number {
  const [, amount, unit] = /^(\d+)(b|kb|mb)$/i.exec(limit) ?? [];
  if (amount === undefined) throw new Error(`not a body limit: "${limit}"`);
  return Number(amount) * UNITS[unit.toLowerCase()];
}

export function declaredTooLargeRefused(bodyLimit: string): RequestHandler {
  const limit = bodyLimitBytes(bodyLimit);
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (!(declared > limit)) return next();
    res.set('Connection', 'close');
    sendProblem(res, 413, 'payload-too-large', `the body exceeds the limit of ${limit} bytes`, [
      { where: '/body', message: `declared ${declared} bytes (Content-Length), larger than ${limit}` },
    ]);
  };
}
