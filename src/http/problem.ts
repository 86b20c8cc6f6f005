/**
 * One error handler for every route: WfmError, validator errors, body-parser errors and anything else
 * become application/problem+json (RFC 9457) with an `errors` list of { where, message, row? }.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { WfmError, isWfmError, type ProblemDetail } from '../errors/wfm-error';
import { asUnavailable } from '../store/redis';
import type { Logger } from '../log';
import { redactQuery } from './redact';
import { pointerSegment } from '../errors/wfm-error';
import { withRangeHint } from '../domain/schemas';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/**
 * Every problem carries `errors`, as the README and openapi.yaml promise: one about no single field
 * (an unknown key, an unexpected failure) says so with "/" and the detail.
 */
export function sendProblem(res: Response, status: number, code: string, detail: string, errors: ProblemDetail[] = []): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({
      type: `https://wfm.example/problems/${code}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      // a rejected answer link or dashboard key is not repeated back (nor into a client's error log)
      instance: redactQuery(res.req.originalUrl),
      errors: errors.length > 0 ? errors : [{ where: '/', message: detail }],
    });
}

/** schema errors listed in one answer at most */
const MAX_LISTED = 100;

/** At most MAX_LISTED problems, then one saying how many more (a batch of 100k bad events is not a 30 MB answer). */
function capped(details: ProblemDetail[]): ProblemDetail[] {
  return details.length > MAX_LISTED ? [...details.slice(0, MAX_LISTED), { where: '/body', message: `… and ${details.length - MAX_LISTED} more` }] : details;
}

/** express-openapi-validator errors: { status, message, errors: [{ path, message, errorCode }] } */
interface ValidatorError {
  status: number;
  message: string;
  errors?: Array<{ path?: string; message: string; errorCode?: string }>;
  /** e.g. a 405's Allow: the methods the path has */
  headers?: Record<string, string>;
}

function isValidatorError(err: unknown): err is ValidatorError {
  return typeof err === 'object' && err !== null && 'status' in err && Array.isArray((err as ValidatorError).errors);
}

/** "idempotency-key" (as Node hands header names over) → "Idempotency-Key", as the contract spells them. */
const headerName = (lower: string) => lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

/**
 * "/body/0/timeZone" stays a JSON pointer; ".query.from" → "/query/from"; the validator's "/params/…" is
 * "/path/…" and its "/headers/idempotency-key" is "/header/Idempotency-Key": as the API names parameters
 * everywhere else (README, openapi.yaml), by their `in` and their name in the contract.
 */
function normalisePath(path: string | undefined): string {
  if (!path) return '/';
  const pointer = path.startsWith('/') ? path : '/' + path.replace(/^\./, '').replace(/\./g, '/').replace(/\[(\d+)\]/g, '/$1');
  return pointer.replace(/^\/params(?=\/|$)/, '/path').replace(/^\/headers\/([^/]+)/, (_m, name: string) => `/header/${headerName(name)}`);
}

/** The value a JSON pointer into the request ("/body/0/skills") names, or undefined. */
function pointedAt(req: Request, pointer: string): unknown {
  let value: unknown = { body: req.body };
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * express-openapi-validator names a missing or unknown property by appending its key, raw, to ajv's
 * instancePath (a JSON pointer): "/body/0/a/b~c" for the key "a/b~c" of row 0. The key is escaped here
 * (RFC 6901: "/body/0/a~1b~0c"): a missing one is quoted in the message; an unknown one is the key of the
 * body that, cut off at some "/", leaves a pointer to an object holding it (the deepest such cut).
 */
function escapedKeyPath(req: Request, e: { path?: string; message: string; errorCode?: string }): string | undefined {
  const path = e.path;
  if (!path?.startsWith('/body/')) return path;
  if (e.errorCode === 'required.openapi.validation') {
    const key = /^must have required property '(.*)'$/s.exec(e.message)?.[1];
    return key !== undefined && path.endsWith(`/${key}`) ? `${path.slice(0, path.length - key.length - 1)}/${pointerSegment(key)}` : path;
  }
  if (e.errorCode !== 'additionalProperties.openapi.validation' && e.errorCode !== 'unevaluatedProperties.openapi.validation') return path;
  for (let cut = path.lastIndexOf('/'); cut >= '/body'.length; cut = path.lastIndexOf('/', cut - 1)) {
    const container = pointedAt(req, path.slice(0, cut));
    const key = path.slice(cut + 1);
    if (typeof container === 'object' && container !== null && !Array.isArray(container) && Object.prototype.hasOwnProperty.call(container, key)) {
      return `${path.slice(0, cut)}/${pointerSegment(key)}`;
    }
  }
  return path;
}

/** The media types the operation's body may have, from the contract the validator matched (JSON when unknown). */
function acceptedMediaTypes(req: Request): string[] {
  const content = (req as Request & { openapi?: { schema?: { requestBody?: { content?: Record<string, unknown> } } } }).openapi?.schema?.requestBody?.content;
  const types = content ? Object.keys(content) : [];
  return types.length ? types : ['application/json'];
}

/**
 * The validator's 415 names the route ("/rosters/:rosterId/replan") and says "unsupported media type
 * undefined" for a request without a body; the body is what is wrong, and the sentence says what it takes.
 */
function unsupportedMediaType(req: Request): { detail: string; errors: ProblemDetail[] } {
  const accepted = acceptedMediaTypes(req);
  const expected = accepted.length === 1 && accepted[0] === 'application/json' ? 'a JSON body with Content-Type: application/json' : `a body with Content-Type ${accepted.join(' or ')}`;
  const sent = req.get('content-type');
  const got = sent ? `Content-Type ${sent.split(';')[0].trim()}` : 'no body (no Content-Type)';
  const detail = `${req.method} ${req.path} expects ${expected}; the request has ${got}`;
  return { detail, errors: [{ where: '/body', message: `expected ${expected}, got ${got}` }] };
}

/**
 * A core error whose details name fields by dotted path ("arrivals.rates[0].volume", as the simulator
 * and the CLI print them) answered with JSON pointers into the body ("/body/arrivals/rates/0/volume").
 */
export function withBodyPointers(err: unknown): unknown {
  if (!isWfmError(err)) return err;
  const pointer = (where: string) => (where.startsWith('/') ? where : `/body/${where.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean).join('/')}`);
  return new WfmError(err.code, err.message, { details: err.details.map((d) => ({ ...d, where: pointer(d.where) })), status: err.status, cause: err });
}

/**
 * Where a thing that does not exist was named: the path or query parameter whose value the message
 * quotes ("skill group NOPE does not exist" on /skill-groups/:skillGroupId → /path/skillGroupId), so every
 * 404 points at the part of the request to correct, not at the document root. Empty when none matches.
 */
function namedBy(req: Request, message: string): ProblemDetail[] {
  // where the value is quoted as a word of the message, or -1 ("no special day 2026-12-03 for PS": the date first)
  const position = (value: unknown) => {
    if (typeof value !== 'string' || value === '') return -1;
    const match = new RegExp(`(^|[\\s"'(/])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s"'),:;/])`).exec(message);
    return match ? match.index : -1;
  };
  const first = (entries: Array<[string, unknown]>) =>
    entries.map(([name, value]) => ({ name, at: position(value) })).filter((e) => e.at >= 0).sort((a, b) => a.at - b.at)[0]?.name;
  // After the route's router, req.params is the app's (empty); the contract validator keeps the route's.
  const params = { ...((req as Request & { openapi?: { pathParams?: Record<string, string> } }).openapi?.pathParams ?? {}), ...req.params };
  const param = first(Object.entries(params));
  if (param) return [{ where: `/path/${param}`, message }];
  const query = first(Object.entries((req.query ?? {}) as Record<string, unknown>));
  return query ? [{ where: `/query/${query}`, message }] : [];
}

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (rawErr, req, res, _next) => {
    const err = asUnavailable(rawErr);
    // the request's own logger (pino-http's): the line carries the request id, as the answer's X-Request-Id does
    const reqLog = (req as Request & { log?: Logger }).log ?? log;
    if (isWfmError(err)) {
      // Unavailable (Redis away, a shutdown): said at warn without a stack, the same for every request of
      // an outage; the workers log the loss of Redis once. Any other 5xx is a fault: its stack, at error.
      if (err.code === 'unavailable') reqLog.warn({ code: err.code, status: err.status }, err.message);
      else if (err.status >= 500) reqLog.error({ err }, err.message);
      if (err.retryAfterSeconds !== undefined) res.set('Retry-After', String(err.retryAfterSeconds));
      sendProblem(res, err.status, err.code, err.message, err.details.length > 0 || err.code !== 'not-found' ? capped(err.details) : namedBy(req, err.message));
      return;
    }
    if (isValidatorError(err)) {
      const status = err.status;
      if (status === 415) {
        const { detail, errors } = unsupportedMediaType(req);
        sendProblem(res, 415, 'unsupported-media-type', detail, errors);
        return;
      }
      const code = status === 405 ? 'method-not-allowed' : status === 404 ? 'not-found' : 'bad-request';
      // a 405 says which methods the path has (RFC 9110 requires Allow)
      if (status === 405 && err.headers?.Allow) {
        const allowed = err.headers.Allow.toUpperCase().split(/,\s*/);
        // HEAD goes wherever GET does (app.ts), though the contract lists GET only
        res.set('Allow', (allowed.includes('GET') && !allowed.includes('HEAD') ? [...allowed, 'HEAD'] : allowed).join(', '));
      }
      // a large bad upload could break the contract in every row: name the first places, say how many more
      const all = (err.errors ?? []).map((e) =>
        // the validator reports an undecodable path ("%FF") as "malformed uri'" at the whole URL
        /^malformed uri/i.test(e.message) ? { where: '/path', message: `${req.path} is not valid percent-encoding (each %XX must form UTF-8 characters)` } : { where: normalisePath(escapedKeyPath(req, e)), message: withRangeHint(e.path ?? '', e.message) },
      );
      const errors = all.length > MAX_LISTED ? [...all.slice(0, MAX_LISTED), { where: '/body', message: `… and ${all.length - MAX_LISTED} more` }] : all;
      sendProblem(res, status, code, status === 400 ? 'the request does not match the API contract' : err.message, errors);
      return;
    }
    const e = err as { type?: string; status?: number; message?: string; limit?: number };
    if (e.type === 'entity.too.large') {
      sendProblem(res, 413, 'payload-too-large', `the body exceeds the limit of ${e.limit} bytes`, [{ where: '/body', message: `larger than ${e.limit} bytes` }]);
      return;
    }
    if (e.type === 'entity.parse.failed') {
      const reason = withoutQuotedInput(e.message ?? 'parse error');
      sendProblem(res, 400, 'bad-request', `the body is not valid JSON: ${reason}`, [{ where: '/body', message: reason }]);
      return;
    }
    // Other body-reading failures (an unsupported or corrupt Content-Encoding, an aborted upload, a bad
    // charset) are the client's: body-parser marks them exposable with a 4xx status.
    const exposed = err as { expose?: boolean; status?: number; message?: string };
    if (exposed.expose === true && typeof exposed.status === 'number' && exposed.status >= 400 && exposed.status < 500) {
      const title = exposed.status === 415 ? 'unsupported-media-type' : 'bad-request';
      sendProblem(res, exposed.status, title, `the body could not be read: ${exposed.message}`, [{ where: '/body', message: exposed.message ?? 'unreadable body' }]);
      return;
    }
    reqLog.error({ err }, 'unhandled error in request');
    sendProblem(res, 500, 'internal', 'an unexpected error occurred; it has been logged');
  };
}

export function notFound(what: string): WfmError {
  return new WfmError('not-found', `${what} does not exist`);
}

/**
 * V8's JSON.parse message without the piece of the body it quotes (`Unexpected token '+', …"phone":+4479…"…
 * is not valid JSON`): that piece may hold a phone number or a name, and a problem answer (which clients
 * log) says what is wrong and where, not what was sent.
 */
export function withoutQuotedInput(message: string): string {
  return message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' (the body is not quoted back)');
}
