/**
 * The express application: public probes, docs and metrics; everything else behind an API key, checked
 * against the role in the contract, validated against openapi.yaml, answered by thin routes, and every
 * failure turned into application/problem+json by one handler.
 */
import { randomUUID } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import express, { Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import swaggerUi from 'swagger-ui-express';
import { pinoHttp } from 'pino-http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Config } from '../config/config';
import { withLogContext, type Logger } from '../log';
import type { Store } from '../store/store';
import type { Queues } from '../queue/queues';
import type { FsModelRegistry } from '../registry/fs-model-registry';
import { forecastRoutes } from './routes/forecasts';
import { simulationRoutes } from './routes/simulations';
import { staffingRoutes } from './routes/staffing';
import type { WorkerState } from '../queue/worker-pool';
import { Metrics } from './metrics';
import { authenticate, dashboardCookieName, presentedKey } from './auth';
import { idempotentRequests } from './idempotency';
import { largeBodiesChecked } from './large-bodies';
import { declaredTooLargeRefused } from './declared-length';
import { unsafeBodiesRefused } from './body-depth';
import { isSecretParam, redactQuery } from './redact';
import { refuseWhenBacklogged } from './backpressure';
import { cacheControl, honourPreconditionsDespiteNoCache, NOT_STORED, PER_CALLER } from './cache-control';
import { QUEUE } from '../queue/names';
import { authorizeByContract, contractTemplateOf, loadOpenApi } from './openapi';
import { problemHandler, sendProblem } from './problem';
import { WfmError } from '../errors/wfm-error';
import { operationsRoutes } from './routes/operations';
import { configurationRoutes } from './routes/configuration';
import { historyRoutes } from './routes/history';
import { jobRoutes } from './routes/jobs';
import { cloudAgentRoutes, rosterRoutes } from './routes/rosters';
import { calloutAnswerRoutes, triggerRoutes } from './routes/trigger';

export interface AppDependencies {
  config: Config;
  log: Logger;
  store: Store;
  queues: Queues;
  registry: FsModelRegistry;
  metrics: Metrics;
  workers: () => Record<string, WorkerState>;
  shuttingDown: () => boolean;
  now: () => number;
  /** check every answer against openapi.yaml too (the tests do: a body the contract does not describe is a 500 there) */
  validateResponses?: boolean;
}

/** How long the dashboard's cookie lasts (then ?key= once more). */
const DASHBOARD_COOKIE_SECONDS = 12 * 3600;

/** A request id taken from the caller: visible ASCII without spaces, not too long for a log line. */
const REQUEST_ID = /^[!-~]{1,128}$/;

function redactRequest(req: { url?: string; query?: Record<string, unknown>; headers?: Record<string, unknown> }) {
  const query = req.query && Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, isSecretParam(k) ? '[redacted]' : v]));
  // a browser sends the page's address as the Referer of what the page loads or posts: the dashboard's
  // ?key= on every asset and poll, an answer page's ?token= on its Accept button
  const referer = req.headers?.referer;
  const headers = typeof referer === 'string' ? { headers: { ...req.headers, referer: redactQuery(referer) } } : {};
  return { ...req, url: redactQuery(req.url), ...(query ? { query } : {}), ...headers };
}

/** A date-time's offset in a query, "+01:00" sent unescaped, arrives as " 01:00" ("+" means a space there). */
const UNESCAPED_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$/;

/**
 * Express's own ("simple") query parsing, with the sign of a date-time's positive offset put back:
 * clients and shells often leave the "+" of `from=2026-10-26T00:00:00+01:00` unescaped, and a space
 * there can mean nothing else.
 */
export function parseQueryString(text: string): Record<string, unknown> {
  const query = parseQuery(text);
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') query[name] = value.replace(UNESCAPED_OFFSET, '$1+$2');
    else if (Array.isArray(value)) query[name] = value.map((v) => v.replace(UNESCAPED_OFFSET, '$1+$2'));
  }
  return query;
}

export function createApp(deps: AppDependencies): express.Express {
  const { config, log, store, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  // If-None-Match → 304 also when the request says Cache-Control: no-cache, as fetch adds to every
  // conditional request (cache-control.ts answerIsFresh)
  honourPreconditionsDespiteNoCache(app);
  app.set('query parser', parseQueryString);
  app.set('trust proxy', true);
  const doc = loadOpenApi();
  app.use(metrics.httpMiddleware(contractTemplateOf(doc)));
  app.use(pinoHttp({
    logger: log,
    // A caller's (or a proxy's) X-Request-Id is kept, else one is made; it goes back in the answer, so a
    // client's report and every log line of the request (in whichever API process) can be matched.
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => ['/health', '/ready', '/metrics'].includes(req.url ?? '') },
    // answer links carry a signed token and the dashboard takes ?key= once: neither belongs in a log line
    serializers: { req: redactRequest },
    // A 5xx was logged by the problem handler with its error (once, with the request id); the request's
    // own line says the status, not pino-http's made-up "failed with status code" error and its stack.
    // A 503 is an outage (Redis away: the workers say so once) or a shutdown, not a fault of this request.
    customLogLevel: (_req, res, err) => (res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : 'info'),
    customErrorObject: (_req, res, err, value: Record<string, unknown>) => (err === (res as { err?: unknown }).err || !/^failed with status code \d+$/.test(err.message) ? value : { ...value, err: undefined }),
  }));
  // the request id on every line logged while the request is served, and in the jobs it enqueues (log.ts)
  const bindRequestId: express.RequestHandler = (req, _res, next) => withLogContext({ requestId: String(req.id) }, next);
  app.use(bindRequestId);

  // before anything reads a body or keeps the caller waiting: a declared length over the limit is answered from the headers
  app.use(declaredTooLargeRefused(config.bodyLimit));
  // HEAD is answered wherever GET is (RFC 9110 §9.3.2; link checkers and calendar apps send it): read as the
  // GET it stands for by the contract, the roles and the routes; Node leaves the body out (it knows the
  // request's own method)
  app.use((req, _res, next) => {
    if (req.method === 'HEAD') req.method = 'GET';
    next();
  });
  // an answer is what its Content-Type says (a problem echoing a path is JSON, never a page to sniff)
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });

  app.use(operationsRoutes(metrics, { redis: store.redis, workers: deps.workers, shuttingDown: deps.shuttingDown }, deps.now(), deps.now));

  app.use('/docs', swaggerUi.serve, swaggerUi.setup(doc as swaggerUi.JsonObject));
  app.get('/openapi.yaml', (_req, res) => res.sendFile(require.resolve('../../openapi.yaml')));

  // Everything from here on answers a caller with a credential: kept by nobody but that caller (see cache-control.ts).
  app.use(cacheControl(PER_CALLER));
  // personal data (names, phones, shifts, claim tokens, feed addresses): an agent's records, an agent's own
  // answers and the feed read by its secret address
  app.use(['/agents', '/me', '/calendar.ics'], cacheControl(NOT_STORED));

  // Queue dashboard, admin only. A browser cannot send headers, so ?key=… sets an HttpOnly cookie once.
  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: deps.queues.all().map((q) => new BullMQAdapter(q)), serverAdapter: board });
  app.use(
    '/admin/queues',
    (req, res, next) => {
      // the dashboard's first address holds ?key=: its assets and polls must not carry it on as their Referer
      res.setHeader('Referrer-Policy', 'no-referrer');
      const key = typeof req.query.key === 'string' ? req.query.key : undefined;
      if (key) req.headers['x-api-key'] = key;
      next();
    },
    authenticate(config.apiKeys, { dashboardCookie: dashboardCookieName(config.keyPrefix) }),
    (req, res, next) => {
      if (req.role !== 'admin') return sendProblem(res, 403, 'forbidden', 'the queue dashboard is for admins');
      // the cookie only once the key proved to be an admin's (a refused key is not stored in the browser);
      // over HTTPS (behind a proxy too: trust proxy is on) only ever sent back over HTTPS; a working day long
      if (typeof req.query.key === 'string') {
        res.setHeader('Set-Cookie', `${dashboardCookieName(config.keyPrefix)}=${encodeURIComponent(req.query.key)}; Path=/admin/queues; HttpOnly; SameSite=Strict; Max-Age=${DASHBOARD_COOKIE_SECONDS}${req.secure ? '; Secure' : ''}`);
      }
      next();
    },
    board.getRouter(),
  );

  const contract = OpenApiValidator.middleware({
    apiSpec: doc as never,
    // every place the body breaks the contract, not only the first (the problem handler caps the list)
    validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
    // 'full': a date is a calendar date (2026-02-30 is refused), not only a pattern of digits
    ajvFormats: { mode: 'full' },
    validateResponses: deps.validateResponses ? { removeAdditional: false } : false,
    validateSecurity: false,
    // held to the OpenAPI schema once, at start (checkContract: an invalid contract refuses the start)
    validateApiSpec: false,
    // the docs, the dashboard and the contract file, each a whole path segment: /adminx or /docsfoo is
    // no such page, and gets the contract's 404 problem+json, not express's HTML one
    ignorePaths: /^\/(?:(?:docs|admin)(?:\/|$)|openapi\.yaml$)/i,
  });
  // The routes without an API key (cloud agents' /me/…, the answer links) are held to the contract too,
  // before their own credential check: they take no body, only ids and query parameters.
  const keylessContract = Router().use(contract);
  // (paths compared as express routes them: without regard to case)
  app.use((req, res, next) => {
    const path = req.path.toLowerCase();
    // express routes '/calendar.ics/' as '/calendar.ics': the check must too
    const route = path.length > 1 ? path.replace(/\/+$/, '') : path;
    return route.startsWith('/me/') || route === '/callouts/answer' || route === '/calendar.ics' ? keylessContract(req, res, next) : next();
  });

  // Cloud agents authenticate with their claim token, not an API key: their routes come before the key check.
  const rosterContext = { config, store, queues: deps.queues, registry: deps.registry, now: deps.now };
  app.use(cloudAgentRoutes(rosterContext));
  // Agents answer callouts from their phones without an API key: the links and the gateway are signed.
  app.use(calloutAnswerRoutes({ store, config, now: deps.now }));

  app.use(authenticate(config.apiKeys));
  app.use(authorizeByContract(doc));
  app.use(express.json({ limit: config.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use(express.text({ limit: config.bodyLimit, type: ['text/csv', 'text/plain'] }));
  // the body parsers call on from a stream's event, outside the request's async context: bound again
  app.use(bindRequestId);
  // before anything that recurses into the body (the checks below, JSON.stringify of job data) or stores
  // its text (a lone surrogate broke every Lua script that decodes the stored JSON)
  app.use(unsafeBodiesRefused());
  app.use(largeBodiesChecked(doc));
  app.use(contract);
  // A POST that starts work, sent again with the same Idempotency-Key, answers as the first did.
  app.post(
    ['/rosters', '/rosters/:rosterId/replan', '/rosters/:rosterId/drills', '/simulations', '/skill-groups/:skillGroupId/training', '/skill-groups/:skillGroupId/forecast/refresh'],
    idempotentRequests(store.redis, store.keys.idempotency, (req) => presentedKey(req) ?? ''),
  );
  // then, for work not yet asked for, room in its queue (a replay above answers without adding any)
  const backlog = (queue: string) => refuseWhenBacklogged(deps.queues, queue, store.redis, store.keys.backpressure(queue));
  app.post(['/simulations', '/rosters/:rosterId/drills'], backlog(QUEUE.simulate));
  app.post(['/rosters', '/rosters/:rosterId/replan'], backlog(QUEUE.buildRoster));
  app.post('/skill-groups/:skillGroupId/training', backlog(QUEUE.trainForecaster));
  app.post('/skill-groups/:skillGroupId/forecast/refresh', backlog(QUEUE.forecast));
  app.post('/trigger/ticks', backlog(QUEUE.triggerTick));
  app.use(configurationRoutes(store, deps.registry, { now: deps.now, claimReleaseCutoffHours: config.claimReleaseCutoffHours }, (skillGroupId) => deps.queues.add(QUEUE.forecast, { skillGroupId })));
  app.use(historyRoutes(store, deps.now));
  app.use(jobRoutes(deps.queues));
  app.use(simulationRoutes(deps.queues));
  app.use(staffingRoutes());
  app.use(forecastRoutes({ store, queues: deps.queues, registry: deps.registry, now: deps.now }));
  app.use(rosterRoutes(rosterContext));
  app.use(triggerRoutes({ store, queues: deps.queues, config, now: deps.now }));

  // A path nothing answered: under /admin or /docs (the contract leaves those alone) it fell through to
  // express's HTML page; every other answer of the API is problem+json.
  app.use((req, _res, next) => next(new WfmError('not-found', `${req.method} ${req.path} is no path of this service`, { details: [{ where: '/path', message: `no ${req.method} ${req.path}` }] })));
  app.use(problemHandler(log));
  return app;
}

export { Metrics };
