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
