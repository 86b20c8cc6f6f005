/**
 * Delivering one callout to the SMS webhook: POST the JSON body, signed with a fresh timestamp on each
 * attempt (the body and the Idempotency-Key stay the same, so the receiver sends one SMS however many
 * attempts reach it; attempts are at least a second apart, so no two carry the same signature), a
 * timeout per attempt, and retries with exponential backoff ("equal jitter" from an injected RNG) on
 * 5xx, 429 (honouring Retry-After), a temporary redirect and timeouts. Redirects are not followed: the
 * body holds the agent's phone number and goes to WEBHOOK_URL only; a permanent one (301, 308) is a
 * dead letter naming where the gateway moved. A connection that fails before any answer is treated like
 * a timeout: the receiver may or may not have seen it, and the key makes a retry safe. Any other answer
 * (4xx) will not change on retry: dead letter at once. No attempt starts once the message's links have
 * expired or while the agent no longer wants it (`stillToSend`): it would reach them for nothing. After
 * the last attempt the outcome is a dead letter with its reason. The clock, sleep and fetch are injected
 * so tests run fast.
 * Logs carry ids, attempts and statuses; the phone only masked like everywhere else (maskPhone: prefix
 * and last two digits — showing the last four left ~1,000 candidate numbers, near enough in clear).
 */
import type { CalloutPayload, ReleasePayload } from './payload';
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
  /**
   * asked before every attempt after the first: a reason not to send any more (the agent opted out), or
   * null; `answered` when the agent answered meanwhile (an earlier attempt reached them): no more
   * attempts, and nothing an operator must be warned of
   */
  stillToSend?: () => Promise<string | { answered: string } | null>;
  /**
   * when the message's links expire on `now`'s clock (default: the payload's expiresAt). The service
   * signs with the wall clock and keeps callouts on its business clock; in production they agree.
   */
  sendBy?: number;
}

export interface AttemptRecord {
  attempt: number;
  at: number;
  outcome: 'ok' | 'http' | 'timeout' | 'network';
  httpStatus?: number;
  /** a network failure's system error code (ECONNREFUSED, ENOTFOUND…) or, without one, its message */
  errorCode?: string;
  waitedMs?: number;
}

export type DeliveryOutcome =
  | { status: 'delivered'; calloutId: string; attempts: AttemptRecord[]; httpStatus: number }
  | { status: 'dead-letter'; calloutId: string; attempts: AttemptRecord[]; reason: string };

/** Redirects that say the gateway lives elsewhere for good: retrying the same URL cannot help. */
const PERMANENT_REDIRECTS = new Set([301, 308]);

/**
 * Where a permanent redirect points, for the dead letter's reason: scheme, host and path only, with every
 * run of 7 or more digits masked. A gateway may answer with the number in the query (`…/sms?to=%2B44…`),
 * the path (`/sms/%2B44…`, `/sms;to=+44…`) or even the host name, and the reason is logged, stored and
 * read over REST, where no phone number may appear.
 */
function addressWithoutNumbers(location: string, base: string): string | null {
  try {
    const url = new URL(location, base);
    return decodeURIComponentSafe(`${url.origin}${url.pathname}`).replace(/\+?\d[\d\s()-]{5,}\d/g, '[number]');
  } catch {
    return null;
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function retryable(a: AttemptRecord): boolean {
  const status = a.httpStatus;
  return a.outcome === 'timeout' || a.outcome === 'network' || status === 429 || (status !== undefined && (status >= 500 || (status >= 300 && status < 400 && !PERMANENT_REDIRECTS.has(status))));
}

/** Attempts this close would carry the same signature (its timestamp is in whole seconds). */
const MIN_ATTEMPT_SPACING_MS = 1000;

/** Less answer time than this left, a message is not sent: the agent could not read and answer it in time. */
export const MIN_ANSWER_TIME_MS = 30_000;

function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export function backoffMs(config: Pick<DeliveryConfig, 'baseDelayMs' | 'maxDelayMs'>, attempt: number, random: () => number): number {
  const ceiling = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (attempt - 1));
  // Equal jitter (half the ceiling plus a random half): many callouts failing together do not all come
  // back at the same instant, and none comes back at once.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The receiver sends one SMS per key: a callout and its release are two messages, so two keys. */
export function idempotencyKeyOf(payload: Pick<CalloutPayload | ReleasePayload, 'type' | 'calloutId'>): string {
  return payload.type === 'release' ? `${payload.calloutId}.release` : payload.calloutId;
}

export async function deliverCallout(payload: CalloutPayload | ReleasePayload, config: DeliveryConfig, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const doFetch = deps.fetch ?? fetch;
  const body = JSON.stringify(payload);
  const attempts: AttemptRecord[] = [];
  const logBase = { calloutId: payload.calloutId, agentId: payload.agentId, phone: maskPhone(payload.phone), ...(payload.type === 'release' ? { message: 'release' } : {}) };
  const expiresAt = deps.sendBy ?? Date.parse(payload.expiresAt);
  const deadLetter = (reason: string): DeliveryOutcome => {
    deps.log?.({ ...logBase, event: 'callout-dead-letter', reason });
    return { status: 'dead-letter', calloutId: payload.calloutId, attempts, reason };
  };
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    if (attempt > 1) {
      const stop = await deps.stillToSend?.();
      if (stop && typeof stop === 'object') {
        deps.log?.({ ...logBase, event: 'callout-answered-during-retry', reason: stop.answered });
        return { status: 'dead-letter', calloutId: payload.calloutId, attempts, reason: stop.answered };
      }
      if (stop) return deadLetter(stop);
    }
    const at = deps.now();
    if (payload.type === 'release' && at >= expiresAt) return deadLetter(`the accepted shift was over (at ${payload.expiresAt}) before the gateway took the release message`);
    if (payload.type === 'callout' && at >= expiresAt - MIN_ANSWER_TIME_MS) return deadLetter(`${at >= expiresAt ? 'the answer window closed' : 'less than 30 s of the answer window were left'} (it closes at ${payload.expiresAt}) before the gateway took the message`);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), config.timeoutMs);
    let record: AttemptRecord;
    let retryAfter: number | null = null;
    let location: string | null = null;
    try {
      const response = await doFetch(config.url, {
        method: 'POST',
        // the body carries a phone number: it goes to the configured gateway and nowhere it points
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKeyOf(payload),
          [SIGNATURE_HEADER]: signBody(config.secret, Math.floor(at / 1000), body),
        },
        body,
        signal: controller.signal,
      });
      // Read the body within the timeout as well: a receiver that stalls mid-answer is a timeout.
      await response.arrayBuffer();
      record = { attempt, at, outcome: response.ok ? 'ok' : 'http', httpStatus: response.status };
      retryAfter = response.status === 429 ? retryAfterMs(response.headers.get('retry-after'), at) : null;
      location = response.headers.get('location');
    } catch (error) {
      // the system error (ECONNREFUSED, ENOTFOUND, ECONNRESET…) says whether the gateway is down or unreachable
      const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
      const code = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
      record = { attempt, at, outcome: controller.signal.aborted ? 'timeout' : 'network', ...(code ? { errorCode: code } : {}) };
    } finally {
      clearTimeout(timer);
    }
    attempts.push(record);
    deps.log?.({ ...logBase, event: 'callout-attempt', attempt, outcome: record.outcome, httpStatus: record.httpStatus, ...(record.errorCode ? { errorCode: record.errorCode } : {}) });
    if (record.outcome === 'ok') return { status: 'delivered', calloutId: payload.calloutId, attempts, httpStatus: record.httpStatus! };
    if (record.httpStatus !== undefined && PERMANENT_REDIRECTS.has(record.httpStatus)) {
      const address = location === null ? null : addressWithoutNumbers(location, config.url);
      return deadLetter(`HTTP ${record.httpStatus}: the gateway moved permanently${address ? ` to ${address}` : ''}; redirects are not followed (the body holds a phone number): set WEBHOOK_URL to the new address`);
    }
    if (!retryable(record)) return deadLetter(`HTTP ${record.httpStatus}: not retryable`);
    if (retryAfter !== null && retryAfter > RETRY_AFTER_LIMIT_MS) {
      // Waiting that long, the agent would log in too late to help with the surge it is called for.
      return deadLetter(`HTTP 429: the gateway asks to retry after ${Math.round(retryAfter / 1000)} s, beyond the ${RETRY_AFTER_LIMIT_MS / 60_000} minutes a callout can wait`);
    }
    if (attempt < config.maxAttempts) {
      // The gateway's Retry-After is honoured as given (it knows its own limits; coming back earlier
      // would only be throttled again); the backoff ceiling bounds our own guesses.
      const wait = Math.max(MIN_ATTEMPT_SPACING_MS, retryAfter ?? Math.min(config.maxDelayMs, backoffMs(config, attempt, deps.random)));
      const nextAt = deps.now() + wait;
      if (nextAt >= expiresAt - (payload.type === 'callout' ? MIN_ANSWER_TIME_MS : 0)) {
        // within the last 30 s of the window the attempt would still come before it closes, but too late to answer
        const tooLate =
          nextAt >= expiresAt
            ? `would come after ${payload.type === 'callout' ? 'the answer window closes' : 'the accepted shift ends'} at ${payload.expiresAt}`
            : `would leave the agent less than 30 s to answer (the answer window closes at ${payload.expiresAt})`;
        return deadLetter(`${record.outcome === 'http' ? `HTTP ${record.httpStatus}` : record.outcome}: the next attempt (in ${Math.round(wait / 1000)} s) ${tooLate}`);
      }
      record.waitedMs = wait;
      await deps.sleep(wait);
    }
  }
  const last = attempts[attempts.length - 1];
  return deadLetter(`gave up after ${attempts.length} attempts; last: ${last.outcome === 'http' ? `HTTP ${last.httpStatus}` : last.errorCode ? `${last.outcome} (${last.errorCode})` : last.outcome}`);
}
