/**
 * Surge trigger over REST: policies, states, the decision log, callouts, dead letters and on-demand ticks
 * (roles: x-roles in openapi.yaml); and the agents' answers, which come without an API key — through
 * the signed, expiring links of the SMS, or from the SMS gateway signed with the webhook secret.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Config } from '../../config/config';
import { isWfmError, WfmError } from '../../errors/wfm-error';
import { QUEUE } from '../../queue/names';
import type { Queues } from '../../queue/queues';
import type { LinkCheck } from '../../callout/signing';
import {
  answerByLink,
  answerCallout,
  answerFromGateway,
  checkLink,
  deleteTriggerPolicy,
  findCallout,
  getCallout,
  getTriggerPolicy,
  isCalledAgent,
  listCallouts,
  listDecisions,
  listTriggerStates,
  putTriggerPolicy,
  refusedAsClaimClash,
  refusedAsOverlapping,
  verifiedLink,
  type CalloutView,
} from '../../services/trigger';
import type { Store } from '../../store/store';
import { formatInstant } from '../../time/grid';
import { sendPage } from '../paging';
import { brokenLinkPage, confirmPage, expiredLinkPage, outcomePage, renderPage, troublePage, unknownCalloutPage, type AnswerPage, type ShownAs } from '../answer-pages';

/** The auth scheme a refused gateway request is challenged with: HMAC-SHA256 over `${t}.${raw body}`. */
const GATEWAY_SIGNATURE_SCHEME = 'WFM-HMAC-SHA256';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

interface Deps {
  store: Store;
  queues: Queues;
  config: Config;
  now: () => number;
}

function timeParam(req: Request, name: string, fallback: number): number {
  const text = req.query[name];
  if (text === undefined) return fallback;
  const ms = Date.parse(String(text));
  if (!Number.isFinite(ms)) throw new WfmError('validation', `\`${name}\` is not a date-time`, { details: [{ where: `/query/${name}`, message: 'must be an ISO-8601 date-time with an offset' }] });
  return ms;
}

function rangeOf(req: Request, now: number) {
  const to = timeParam(req, 'to', Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const from = timeParam(req, 'from', to - 24 * HOUR_MS);
  const limit = req.query.limit === undefined ? 200 : Number(req.query.limit);
  const skillGroupId = req.query.skillGroup === undefined ? undefined : String(req.query.skillGroup);
  const cursor = req.query.cursor === undefined ? undefined : String(req.query.cursor);
  return { from, to, limit, skillGroupId, cursor };
}

/**
 * The gateway's body as text, in the charset its Content-Type declares, UTF-8 when it declares none; a
 * byte order mark is dropped (UTF-8, UTF-16). A media type other than application/json (or none) and a
 * charset unknown here are 415s, bytes that are not text in the charset a 400 (a Latin-1 body must say
 * charset=iso-8859-1): all only once the signature over the bytes held (an unsigned request learns
 * nothing but its 401).
 */
export function gatewayText(contentType: string | undefined): (raw: Uint8Array) => string {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  return (raw) => {
    if (mediaType !== 'application/json') {
      const got = mediaType ? `Content-Type ${mediaType}` : 'no Content-Type';
      throw new WfmError('validation', `POST /callouts/inbound expects a JSON body with Content-Type: application/json; the request has ${got}`, {
        status: 415,
        details: [{ where: '/body', message: `expected a JSON body with Content-Type: application/json, got ${got}` }],
      });
    }
    let decoder: InstanceType<typeof TextDecoder>;
    try {
      decoder = new TextDecoder(charset, { fatal: true });
    } catch {
      throw new WfmError('validation', `the body's charset ${charset} is not one this service reads; send UTF-8`, { status: 415, details: [{ where: '/body', message: `unsupported charset ${charset}` }] });
    }
    try {
      return decoder.decode(raw);
    } catch {
      throw new WfmError('validation', `the body is not ${charset} text; declare the charset it is in (Content-Type: application/json; charset=…)`, { status: 400, details: [{ where: '/body', message: `not valid ${charset}` }] });
    }
  };
}

export function triggerRoutes({ store, queues, now }: Deps): Router {
  const r = Router();

  r.get('/skill-groups/:skillGroupId/trigger-policy', async (req, res) => {
    res.json(await getTriggerPolicy(store, req.params.skillGroupId));
  });
  r.put('/skill-groups/:skillGroupId/trigger-policy', async (req, res) => {
    res.json(await putTriggerPolicy(store, req.params.skillGroupId, req.body as Record<string, unknown>));
  });
  r.delete('/skill-groups/:skillGroupId/trigger-policy', async (req, res) => {
    await deleteTriggerPolicy(store, req.params.skillGroupId);
    res.status(204).end();
  });

  r.get('/trigger/states', async (_req, res) => {
    res.json(await listTriggerStates(store));
  });
  r.get('/trigger/decisions', async (req, res) => {
    const firedOnly = String(req.query.firedOnly) === 'true';
    const range = rangeOf(req, now());
    sendPage(req, res, await listDecisions(store, { ...range, firedOnly }), { to: new Date(range.to).toISOString() });
  });
  r.get('/trigger/callouts', async (req, res) => {
    const status = req.query.status === undefined ? undefined : (String(req.query.status) as CalloutView['status']);
    const agentId = req.query.agentId === undefined ? undefined : String(req.query.agentId);
    const range = rangeOf(req, now());
    sendPage(req, res, await listCallouts(store, { ...range, status, agentId }), { to: new Date(range.to).toISOString() });
  });
  r.get('/trigger/callouts/:calloutId', async (req, res) => {
    res.json(await getCallout(store, req.params.calloutId));
  });
  r.get('/trigger/dead-letters', async (req, res) => {
    res.json(await store.trigger.deadLetters(req.query.limit === undefined ? 200 : Number(req.query.limit)));
  });
  r.post('/trigger/ticks', async (_req, res) => {
    const jobId = await queues.add(QUEUE.triggerTick, {});
    const status = `/jobs/${QUEUE.triggerTick}/${jobId}`;
    res.status(202).location(status).json({ jobId, status });
  });
  return r;
}

// ---------------------------------------------------------------------------- answers (no API key)

function wantsHtml(req: Request): boolean {
  return req.accepts(['application/json', 'text/html']) === 'text/html';
}

/**
 * An answer page holds a one-tap Accept: no other site may frame it (a click laid over it), and its address
 * (the link's token) is not sent on as a Referer. Its only style is inline; its only form posts to itself.
 */
const ANSWER_PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function sendAnswerPage(res: Response, status: number, page: AnswerPage): void {
  res.status(status).set(ANSWER_PAGE_HEADERS).type('text/html').send(renderPage(page));
}

/** The answer link's path, as express routes it (without regard to case, a trailing slash allowed). */
const ANSWER_LINK_PATH = /^\/callouts\/answer\/?$/i;

/** A callout an answer could still change (a dead letter within its window too: the answer proves it arrived). */
const isOpen = (c: CalloutView) => c.releasedAt === undefined && !c.agentDeleted && ['pending', 'delivered', 'dead-letter'].includes(c.status);

/**
 * The answer routes, and after them the error pages of the answer link: a phone's browser gets a page,
 * not problem+json, when a link is expired, altered or closed. The pages come as an error handler beside
 * the router because the contract checks the link (a token missing or doubled) before this router runs
 * (app.ts): only a handler at the app's level sees that 400.
 */
export function calloutAnswerRoutes({ store, config, now }: Omit<Deps, 'queues'>): [Router, ErrorRequestHandler] {
  const r = Router();
  // The agent's own zone, as in their message; else the group's. Only the agent the callout was made to:
  // an agent given the id since is another person, whose zone the message never used. The group by its
  // name, as the message names it.
  const shownTo = async (callout: { id: string; agentId: string; skillGroupId: string }): Promise<ShownAs> => {
    const [stored, read, group] = await Promise.all([store.trigger.callout(callout.id), store.agents.getWithIncarnation(callout.agentId), store.skillGroups.get(callout.skillGroupId)]);
    const called = stored && read && isCalledAgent(stored.value, read.incarnation ?? '') ? read.agent : undefined;
    return { zone: called?.timeZone ?? group?.timeZone ?? config.defaultTimeZone, groupName: group?.name ?? callout.skillGroupId };
  };
  const token = (req: Request) => String(req.query.token ?? '');

  /** An expired link shows what became of its callout (an agent who accepted must read they are expected); a broken one says so. */
  async function refusedLinkPage(check: Exclude<LinkCheck, { ok: true }>): Promise<[number, AnswerPage]> {
    if (check.reason !== 'expired') return [403, brokenLinkPage];
    const callout = await findCallout(store, check.calloutId);
    return [409, callout ? outcomePage(callout, await shownTo(callout), { kind: 'link-expired' }, now()) : expiredLinkPage];
  }

  // GET only shows what the link will do: message apps open links to preview them, and a preview must
  // not answer for the agent. The page's button POSTs the same link.
  r.get('/callouts/answer', async (req, res) => {
    if (wantsHtml(req)) {
      const check = checkLink(config, token(req), now());
      if (!check.ok) return sendAnswerPage(res, ...(await refusedLinkPage(check)));
      const callout = await getCallout(store, check.claims.calloutId);
      const shown = await shownTo(callout);
      // an answered, expired or withdrawn callout offers no button that could only fail (a callout whose
      // agent was deleted since is withdrawn: its answer would be nobody's, and POST refuses it)
      return sendAnswerPage(res, 200, isOpen(callout) ? confirmPage(callout, check.claims.answer, check.claims.expiresAt, token(req), shown) : outcomePage(callout, shown, { kind: 'opened' }, now()));
    }
    const claims = await verifiedLink(config, token(req), now(), store);
    const callout = await getCallout(store, claims.calloutId);
    const { zone } = await shownTo(callout);
    res.json({
      calloutId: callout.id,
      answer: claims.answer,
      skillGroupId: callout.skillGroupId,
      status: callout.status,
      // a delivered callout whose agent was deleted since reads "delivered" but takes no answer
      answerable: isOpen(callout),
      proposedShift: { start: formatInstant(callout.loginAt, zone), end: formatInstant(callout.shiftEnd, zone) },
      linkExpiresAt: new Date(claims.expiresAt).toISOString(),
      ...(callout.releasedAt !== undefined ? { releasedAt: formatInstant(callout.releasedAt, zone) } : {}),
    });
  });

  r.post('/callouts/answer', async (req, res) => {
    if (!wantsHtml(req)) return void res.json(await answerByLink(store, config, token(req), now()));
    const check = checkLink(config, token(req), now());
    if (!check.ok) return sendAnswerPage(res, ...(await refusedLinkPage(check)));
    const { calloutId, answer } = check.claims;
    try {
      const result = await answerCallout(store, calloutId, answer, 'link', now());
      sendAnswerPage(res, 200, outcomePage(result.callout, await shownTo(result.callout), { kind: 'answered', applied: result.applied }, now()));
    } catch (err) {
      // not taken: the page says what became of the callout instead (the conflict's message names ids)
      if (!isWfmError(err) || err.code !== 'conflict') throw err;
      const callout = await getCallout(store, calloutId);
      sendAnswerPage(res, 409, outcomePage(callout, await shownTo(callout), { kind: 'refused', answer, overlapping: refusedAsOverlapping(err), clashesWithClaim: refusedAsClaimClash(err) }, now()));
    }
  });

  const answerLinkPages: ErrorRequestHandler = (err, req, res, next) => {
    // a browser only GETs and POSTs a link: another method keeps its 405 (with Allow) as problem+json
    const status = (err as { status?: unknown })?.status;
    if (!ANSWER_LINK_PATH.test(req.path) || !['GET', 'HEAD', 'POST'].includes(req.method) || !wantsHtml(req) || typeof status !== 'number' || status < 400) return next(err);
    if (status >= 500) {
      // logged here as the problem handler would: the page replaces its answer
      req.log.error({ err }, (err as Error).message);
      return sendAnswerPage(res, status, troublePage);
    }
    sendAnswerPage(res, status, status === 404 ? unknownCalloutPage : status === 409 ? expiredLinkPage : brokenLinkPage);
  };

  // The signature covers the exact bytes, so the body is read raw here (a Buffer: not decoded, its BOM
  // kept, not parsed and re-serialised), and made text by its charset only once the signature holds.
  r.post('/callouts/inbound', express.raw({ type: () => true, limit: '16kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // The gateway signs with its wall clock; the replay window is checked against ours, not the business clock.
    res.json(await answerFromGateway(store, config, raw, req.get('x-wfm-signature'), now(), Date.now(), gatewayText(req.get('content-type'))));
  });
  // A 401 says how to authenticate (RFC 9110 §15.5.2): no standard scheme signs a body with a timestamp,
  // so the challenge names this one and the header that carries it.
  r.use('/callouts/inbound', ((err, _req, res, next) => {
    if (isWfmError(err) && err.status === 401) res.setHeader('WWW-Authenticate', `${GATEWAY_SIGNATURE_SCHEME} realm="wfm-sms-gateway", header="X-Wfm-Signature"`);
    next(err);
  }) as ErrorRequestHandler);
  return [r, answerLinkPages];
}
