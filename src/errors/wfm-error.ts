/**
 * The service's one error type. Core code throws it for expected failures (bad input, too little
 * history, infeasible rules); the HTTP layer answers it as application/problem+json, BullMQ processors
 * turn non-retryable ones into UnrecoverableError, and the CLI prints it and exits non-zero.
 */
export type WfmErrorCode =
  | 'validation'          // the request or file is malformed: 400 / 422
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'infeasible'          // contradictory rules: nothing sensible can be produced
  | 'insufficient-history'
  | 'unavailable'         // a dependency (Redis) is down: 503
  | 'payload-too-large'
  | 'busy'                // too much work waiting already: 429, retry later
  | 'internal';

/** One thing wrong with the input: where (a JSON pointer, a row number, a field) and why. */
export interface ProblemDetail {
  /** JSON pointer or dotted path, e.g. "/skillGroups/0/timeZone" or "row 12" */
  where: string;
  message: string;
  /** 1-based row number in an uploaded file, when the input was a file */
  row?: number;
}

/** A key as one segment of a JSON pointer (RFC 6901): "a/b~c" → "a~1b~0c". */
export const pointerSegment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const STATUS: Record<WfmErrorCode, number> = {
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  infeasible: 422,
  'insufficient-history': 422,
  unavailable: 503,
  'payload-too-large': 413,
  busy: 429,
  internal: 500,
};

export class WfmError extends Error {
  readonly code: WfmErrorCode;
  readonly status: number;
  readonly details: ProblemDetail[];
  /** true when the process cannot go on safely (bad configuration, corrupted state) */
  readonly isCatastrophic: boolean;
  /** a retry cannot help (bad input): queues must not retry it */
  readonly retryable: boolean;
  /** seconds after which the same request may succeed (a lock held elsewhere): answered as Retry-After */
  readonly retryAfterSeconds?: number;

  constructor(
    code: WfmErrorCode,
    message: string,
    options: { details?: ProblemDetail[]; status?: number; isCatastrophic?: boolean; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'WfmError';
    this.code = code;
    this.status = options.status ?? STATUS[code];
    this.details = options.details ?? [];
    this.isCatastrophic = options.isCatastrophic ?? false;
    this.retryable = code === 'unavailable' || code === 'internal';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isWfmError = (e: unknown): e is WfmError => e instanceof WfmError;

/** Shorthand for the most common case: input that fails validation, with every problem listed. */
export function invalid(message: string, details: ProblemDetail[] = []): WfmError {
  return new WfmError('validation', message, { details });
}
