/**
 * Delivering one callout to the SMS webhook: POST the JSON body, signed with a fresh timestamp on each
 * attempt (the body and the Idempotency-Key stay the same, so the receiver sends one SMS however many
 * attempts reach it), a timeout per attempt, and retries with exponential backoff (full jitter from an
 * injected RNG) on 5xx, 429 (honouring Retry-After) and timeouts. A connection that fails before any
 * answer is treated like a timeout: the receiver may or may not have seen it, and the key makes a retry
 * safe. Any other answer (4xx) will not change on retry: dead letter at once. After the last attempt the
 * outcome is a dead letter with its reason. The clock, sleep and fetch are injected so tests run fast.
 * Logs carry ids, attempts and statuses; the phone only masked like everywhere else (maskPhone: prefix
 * and last two digits — showing the last four left ~1,000 candidate numbers, near enough in clear).
 */
import type { CalloutPayload } from './payload';
import { maskPhone } from '../domain/validate';
import { SIGNATURE_HEADER, signBody } from './signing';

export interface DeliveryConfig {
  url: string;
  secret: string;
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The longest Retry-After a callout waits for: about the login lead a surge leaves (beyond, dead letter). */
export const RETRY_AFTER_LIMIT_MS = 5 * 60_000;

export const DEFAULT_DELIVERY: Omit<DeliveryConfig, 'url' | 'secret'> = { timeoutMs: 5000, maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface DeliveryDeps {
  fetch?: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** uniform [0, 1) for the backoff jitter (seeded in tests) */
  random: () => number;
  log?: (event: Record<string, unknown>) => void;
}

export interface AttemptRecord {
  attempt: number;
  at: number;
  outcome: 'ok' | 'http' | 'timeout' | 'network';
  httpStatus?: number;
  waitedMs?: number;
}

export type DeliveryOutcome =
  | { status: 'delivered'; calloutId: string; attempts: AttemptRecord[]; httpStatus: number }
  | { status: 'dead-letter'; calloutId: string; attempts: AttemptRecord[]; reason: string };

function retryable(a: AttemptRecord): boolean {
  return a.outcome === 'timeout' || a.outcome === 'network' || a.httpStatus === 429 || (a.httpStatus !== undefined && a.httpStatus >= 500);
}

function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export function backoffMs(config: Pick<DeliveryConfig, 'baseDelayMs' | 'maxDelayMs'>, attempt: number, random: () => number): number {
  const ceiling = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter: many callouts failing together do not all come back at the same instant.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function deliverCallout(payload: CalloutPayload, config: DeliveryConfig, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const doFetch = deps.fetch ?? fetch;
  const body = JSON.stringify(payload);
  const attempts: AttemptRecord[] = [];
  const logBase = { calloutId: payload.calloutId, agentId: payload.agentId, phone: maskPhone(payload.phone) };
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    const at = deps.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), config.timeoutMs);
    let record: AttemptRecord;
    let retryAfter: number | null = null;
    try {
      const response = await doFetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': payload.calloutId,
          [SIGNATURE_HEADER]: signBody(config.secret, Math.floor(at / 1000), body),
        },
        body,
        signal: controller.signal,
      });
      // Read the body within the timeout as well: a receiver that stalls mid-answer is a timeout.
      await response.arrayBuffer();
      record = { attempt, at, outcome: response.ok ? 'ok' : 'http', httpStatus: response.status };
      retryAfter = response.status === 429 ? retryAfterMs(response.headers.get('retry-after'), at) : null;
    } catch (error) {
      record = { attempt, at, outcome: controller.signal.aborted ? 'timeout' : 'network' };
    } finally {
      clearTimeout(timer);
    }
    attempts.push(record);
    deps.log?.({ ...logBase, event: 'callout-attempt', attempt, outcome: record.outcome, httpStatus: record.httpStatus });
    if (record.outcome === 'ok') return { status: 'delivered', calloutId: payload.calloutId, attempts, httpStatus: record.httpStatus! };
    if (!retryable(record)) {
      const reason = `HTTP ${record.httpStatus}: not retryable`;
      deps.log?.({ ...logBase, event: 'callout-dead-letter', reason });
      return { status: 'dead-letter', calloutId: payload.calloutId, attempts, reason };
    }
    if (retryAfter !== null && retryAfter > RETRY_AFTER_LIMIT_MS) {
      // Waiting that long, the agent would log in too late to help with the surge it is called for.
      const reason = `HTTP 429: the gateway asks to retry after ${Math.round(retryAfter / 1000)} s, beyond the ${RETRY_AFTER_LIMIT_MS / 60_000} minutes a callout can wait`;
      deps.log?.({ ...logBase, event: 'callout-dead-letter', reason });
      return { status: 'dead-letter', calloutId: payload.calloutId, attempts, reason };
    }
    if (attempt < config.maxAttempts) {
      // The gateway's Retry-After is honoured as given (it knows its own limits; coming back earlier
      // would only be throttled again); the backoff ceiling bounds our own guesses.
      const wait = retryAfter ?? Math.min(config.maxDelayMs, backoffMs(config, attempt, deps.random));
      record.waitedMs = wait;
      await deps.sleep(wait);
    }
  }
  const last = attempts[attempts.length - 1];
  const reason = `gave up after ${attempts.length} attempts; last: ${last.outcome === 'http' ? `HTTP ${last.httpStatus}` : last.outcome}`;
  deps.log?.({ ...logBase, event: 'callout-dead-letter', reason });
  return { status: 'dead-letter', calloutId: payload.calloutId, attempts, reason };
}
