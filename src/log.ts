/** Structured JSON logs (pino). Phone numbers and API keys are redacted wherever they appear in a log object. */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** `destination`: stdout by default; tests pass a stream to read what the service logs. */
export function createLogger(level: string, name = 'wfm', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: {
      // the queue dashboard's cookie holds an admin key: in the request's Cookie and the link's Set-Cookie;
      // an inbound answer's signature is a credential for five minutes
      paths: ['phone', '*.phone', '*.*.phone', 'req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-wfm-signature"]', 'res.headers["set-cookie"]', 'apiKey', 'secret'],
      censor: '[redacted]',
    },
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
