/** Structured JSON logs (pino). Phone numbers and API keys are redacted wherever they appear in a log object. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * What a log line is about, when it is about one request or one job: the request id (the caller's
 * X-Request-Id or one made for it), carried into the data of the jobs the request enqueues
 * (queue/queues.ts) and from there into every line the worker logs while it runs that job, with the
 * job's queue and id (queue/worker-pool.ts). An opaque id a client chose or we made: never personal data.
 */
export interface LogContext {
  requestId?: string;
  queue?: string;
  jobId?: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `fn` (and everything it starts, awaited or not) with `context` said on every log line. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...context }, fn);
}

/** The request the current code runs for (an API request, or a job one enqueued), if any. */
export function currentRequestId(): string | undefined {
  return logContext.getStore()?.requestId;
}

/** The fields of the current context, for pino's mixin: none outside a request or job. */
function contextFields(): LogContext {
  const context = logContext.getStore();
  if (!context) return {};
  const fields: LogContext = {};
  if (context.requestId !== undefined) fields.requestId = context.requestId;
  if (context.queue !== undefined) fields.queue = context.queue;
  if (context.jobId !== undefined) fields.jobId = context.jobId;
  return fields;
}

/**
 * ioredis puts a failed command's arguments on its error (`command: { name, args }`): an AUTH password, a
 * script's JSON holding an agent's phone. Logged errors keep the command's name, never its arguments.
 * The serializers below scrub them at any depth of `err`/`error` (nested errors, aggregated ones); the
 * redaction paths do it too for child loggers with serializers of their own (pino-http's `err`).
 */
const COMMAND_ARGS_PATHS = ['err', 'error'].flatMap((key) => [`${key}.command.args`, `${key}.*.command.args`, `${key}.aggregateErrors[*].command.args`]);

/** A copy of `value` with every `command.args` replaced; objects without any are returned as they are. */
export function withoutCommandArgs(value: unknown, depth = 0, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object' || depth > 8 || seen.has(value)) return value;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((v) => withoutCommandArgs(v, depth + 1, seen));
      return items.some((v, i) => v !== value[i]) ? items : value;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [key, v] of Object.entries(value)) {
      const scrubbed =
        key === 'command' && v !== null && typeof v === 'object' && 'args' in v
          ? { ...(v as object), args: '[redacted]' }
          : withoutCommandArgs(v, depth + 1, seen);
      if (scrubbed !== v) (copy ??= Object.assign(Object.create(Object.getPrototypeOf(value) as object | null) as object, value) as Record<string, unknown>)[key] = scrubbed;
    }
    return copy ?? value;
  } finally {
    seen.delete(value);
  }
}

const errorSerializer = (err: unknown): unknown => withoutCommandArgs(pino.stdSerializers.err(err as Error));

/**
 * `destination`: stdout by default; tests pass a stream to read what the service logs. `fields`: said on
 * every line besides pino's pid and hostname (the service's keyPrefix: which deployment a line is from).
 */
export function createLogger(level: string, name = 'wfm', destination?: DestinationStream, fields: Record<string, unknown> = {}): Logger {
  const options = {
    name,
    level,
    base: { pid: process.pid, hostname: hostname(), ...fields },
    redact: {
      // the queue dashboard's cookie holds an admin key: in the request's Cookie and the link's Set-Cookie;
      // an inbound answer's signature is a credential for five minutes
      paths: ['phone', '*.phone', '*.*.phone', 'req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-wfm-signature"]', 'res.headers["set-cookie"]', 'apiKey', 'secret', ...COMMAND_ARGS_PATHS],
      censor: '[redacted]',
    },
    serializers: { err: errorSerializer, error: errorSerializer },
    // a line's own fields win over the context's (pino merges the mixin's under them)
    mixin: contextFields,
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Facts about the whole process, said once however many threads come upon them (which tfjs backend the
 * forecasters compute on: every worker thread loads tfjs anew and finds the same one). A worker thread
 * has no logger of its own: it posts the fact to the thread that started it (see queue/thread-runner.ts).
 */
let processLogger: Logger | undefined;
const saidOnce = new Set<string>();

/** The service's logger for such facts; without one (the CLI) they go to stderr as a plain line. */
export function setProcessLogger(log: Logger): void {
  processLogger = log;
}

export function logOncePerProcess(key: string, fields: Record<string, unknown>, msg: string): void {
  if (saidOnce.has(key)) return;
  saidOnce.add(key);
  if (processLogger) processLogger.info(fields, msg);
  else process.stderr.write(`${msg}\n`);
}
