/**
 * Idempotency-Key for the POSTs that start work (a roster build, a re-plan, a drill, a simulation, a
 * training, a forecast refresh) and for a cloud agent's claim of a slot, after the IETF httpapi draft
 * "The Idempotency-Key HTTP Header Field":
 * a client whose POST timed out sends it again with the same key and gets the first answer back (same
 * roster id, same job id, header `Idempotent-Replayed: true`) instead of starting the work twice.
 *
 * - the same key with a different request (method, path, query or body) → 422, nothing started;
 * - the same key while the first request is still being answered → 409 with Retry-After, retry then;
 * - only successes are kept (24 h): a request that failed (bad input, Redis down) may be sent again
 *   with the same key once fixed;
 * - keys are per API key (per cloud agent for claims): one client cannot read another's answer by guessing its key.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { WfmError } from '../errors/wfm-error';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** how long a finished request's answer is replayed */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** a request still being answered holds its key this long at most (a process that died mid-request frees it) */
const PENDING_TTL_SECONDS = 300;
/** what a 409 (first request still being answered) tells the client to wait: a work-starting POST answers within a second or so */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 2;
/** visible ASCII, as the draft's examples (UUIDs, ULIDs); the contract checks the same pattern */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface StoredAnswer {
  state: 'done';
  fingerprint: string;
  status: number;
  location?: string;
  body?: unknown;
}
interface PendingAnswer {
  state: 'pending';
  fingerprint: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const where = `/header/${IDEMPOTENCY_HEADER}`;

/**
 * @param keyOf the Redis key of one client's idempotency key (both already hashed)
 * @param clientOf who is asking (the presented API key), so keys are scoped per client
 */
export function idempotentRequests(redis: Redis, keyOf: (clientHash: string, keyHash: string) => string, clientOf: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new WfmError('validation', `${IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters (a UUID, for example)`, {
        status: 400,
        details: [{ where, message: 'must be 1 to 255 visible ASCII characters' }],
      });
    }
    const redisKey = keyOf(sha256(clientOf(req)).slice(0, 32), sha256(key));
    // What makes two requests "the same": method, path with query, and the body as parsed (a retry sends the same bytes).
    const fingerprint = sha256(`${req.method} ${req.originalUrl}\n${typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null)}`);

    const pending: PendingAnswer = { state: 'pending', fingerprint };
    const claimed = await redis.set(redisKey, JSON.stringify(pending), 'EX', PENDING_TTL_SECONDS, 'NX');
    if (claimed === null) {
      const raw = await redis.get(redisKey);
      // gone in between (the first request failed and freed it): the client may simply send it again
      if (raw === null) throw inProgress(res, key);
      const earlier = JSON.parse(raw) as StoredAnswer | PendingAnswer;
      if (earlier.fingerprint !== fingerprint) {
        throw new WfmError('validation', `${IDEMPOTENCY_HEADER} "${key}" was used for a different request (method, path or body differ); use a new key for a new request`, {
          details: [{ where, message: 'already used for a different request within the last 24 hours' }],
        });
      }
      if (earlier.state === 'pending') throw inProgress(res, key);
      res.setHeader('Idempotent-Replayed', 'true');
      if (earlier.location) res.location(earlier.location);
      res.status(earlier.status);
      if (earlier.body === undefined) res.end();
      else res.json(earlier.body);
      return;
    }

    // Kept the moment the route answers (even should the client have gone by then, the work is started);
    // a failure frees the key. A request that never answers leaves the marker to lapse.
    let recorded = false;
    const record = (body: unknown) => {
      if (recorded) return;
      recorded = true;
      const status = res.statusCode;
      const location = res.get('Location');
      const done: StoredAnswer = { state: 'done', fingerprint, status, ...(location ? { location } : {}), ...(body === undefined ? {} : { body }) };
      // Best effort: should Redis fail here, the pending marker lapses and a retry starts the work again.
      const write = status >= 200 && status < 300 ? redis.set(redisKey, JSON.stringify(done), 'EX', IDEMPOTENCY_TTL_SECONDS) : redis.del(redisKey);
      write.catch(() => undefined);
    };
    const json = res.json.bind(res);
    res.json = (value: unknown) => {
      record(value);
      return json(value);
    };
    res.once('finish', () => record(undefined));
    next();
  };
}

function inProgress(res: Parameters<RequestHandler>[1], key: string): WfmError {
  res.set('Retry-After', String(IN_PROGRESS_RETRY_AFTER_SECONDS));
  return new WfmError('conflict', `a request with ${IDEMPOTENCY_HEADER} "${key}" is still being answered; send it again in a moment`, {
    details: [{ where, message: 'a request with this key is in progress' }],
  });
}
