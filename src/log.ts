/** Structured JSON logs (pino). Phone numbers and API keys are redacted wherever they appear in a log object. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'wfm'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['phone', '*.phone', '*.*.phone', 'req.headers["x-api-key"]', 'req.headers.authorization', 'apiKey', 'secret'],
      censor: '[redacted]',
    },
  });
}
