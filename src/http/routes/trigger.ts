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
import {
  answerByLink,
  answerFromGateway,
  deleteTriggerPolicy,
  getCallout,
  getTriggerPolicy,
  listCallouts,
  listDecisions,
  listTriggerStates,
  putTriggerPolicy,
  verifiedLink,
  type AnswerResult,
  type CalloutView,
} from '../../services/trigger';
import type { Store } from '../../store/store';
import { clockTime, formatInstant } from '../../time/grid';

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
  return { from, to, limit, skillGroupId };
}

/**
 * The gateway's body as text, in the charset its Content-Type declares, UTF-8 when it declares none; a
 * byte order mark is dropped (UTF-8, UTF-16). A charset unknown here is a 415, bytes that are not text in
 * the charset a 400 (a Latin-1 body must say charset=iso-8859-1): both only once the signature over the
 * bytes held.
 */
export function gatewayText(contentType: string | undefined): (raw: Uint8Array) => string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  return (raw) => {
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
    res.json(await listDecisions(store, { ...rangeOf(req, now()), firedOnly }));
  });
  r.get('/trigger/callouts', async (req, res) => {
    const status = req.query.status === undefined ? undefined : (String(req.query.status) as CalloutView['status']);
    res.json(await listCallouts(store, { ...rangeOf(req, now()), status }));
  });
  r.get('/trigger/callouts/:calloutId', async (req, res) => {
    res.json(await getCallout(store, req.params.calloutId));
  });
  r.get('/trigger/dead-letters', async (req, res) => {
    res.json(await store.trigger.deadLetters(req.query.limit === undefined ? 200 : Number(req.query.limit)));
  });
  r.post('/trigger/ticks', async (_req, res) => {
    const jobId = await queues.add(QUEUE.triggerTick, {});
    res.status(202).json({ jobId, status: `/jobs/${QUEUE.triggerTick}/${jobId}` });
  });
  return r;
}

// ---------------------------------------------------------------------------- answers (no API key)

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function wantsHtml(req: Request): boolean {
  return req.accepts(['application/json', 'text/html']) === 'text/html';
}

function page(res: Response, title: string, body: string, status = 200): void {
  res
    .status(status)
    .type('text/html')
    .send(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

function answered(req: Request, res: Response, result: AnswerResult, zone: string): void {
  if (!wantsHtml(req)) return void res.json(result);
  const c = result.callout;
  if (c.releasedAt !== undefined) return page(res, 'No longer needed', `<p>${escapeHtml(releasedText(c, zone))}</p>`);
  const text =
    c.status === 'accepted'
      ? `Thank you: you are expected from ${clockTime(c.loginAt, zone)} to ${clockTime(c.shiftEnd, zone)}.`
      : 'Thank you: we will not count on you this time.';
  page(res, c.status === 'accepted' ? 'Accepted' : 'Declined', `<p>${escapeHtml(text)}</p>`);
}

/** What a released agent is told when they open their message again (as the release message said). */
function releasedText(c: { releasedAt?: number; loginAt: number }, zone: string): string {
  const at = clockTime(c.releasedAt!, zone);
  return c.loginAt > c.releasedAt! ? `The surge passed before your login: you were released at ${at}, no need to log in.` : `The surge has passed: you were released at ${at} and may log off after your current call.`;
}

export function calloutAnswerRoutes({ store, config, now }: Omit<Deps, 'queues'>): Router {
  const r = Router();
  // The agent's own zone, as in their message; else the group's.
  const zoneOf = async (callout: { agentId: string; skillGroupId: string }) =>
    (await store.agents.get(callout.agentId))?.timeZone ?? (await store.skillGroups.get(callout.skillGroupId))?.timeZone ?? config.defaultTimeZone;

  // GET only shows what the link will do: message apps open links to preview them, and a preview must
  // not answer for the agent. The page's button POSTs the same link.
  r.get('/callouts/answer', async (req, res) => {
    const token = String(req.query.token ?? '');
    const claims = await verifiedLink(config, token, now(), store);
    const callout = await getCallout(store, claims.calloutId);
    const zone = await zoneOf(callout);
    if (wantsHtml(req) && callout.releasedAt !== undefined) return page(res, 'No longer needed', `<p>${escapeHtml(releasedText(callout, zone))}</p>`);
    // an answered, expired or withdrawn callout offers no button that could only fail
    if (wantsHtml(req) && !['pending', 'delivered', 'dead-letter'].includes(callout.status)) {
      return page(res, 'This callout is closed', `<p>${escapeHtml(`It is ${callout.status}: nothing to answer.`)}</p>`);
    }
    const view = {
      calloutId: callout.id,
      answer: claims.answer,
      skillGroupId: callout.skillGroupId,
      status: callout.status,
      proposedShift: { start: formatInstant(callout.loginAt, zone), end: formatInstant(callout.shiftEnd, zone) },
      linkExpiresAt: new Date(claims.expiresAt).toISOString(),
      ...(callout.releasedAt !== undefined ? { releasedAt: formatInstant(callout.releasedAt, zone) } : {}),
    };
    if (!wantsHtml(req)) return void res.json(view);
    const verb = view.answer === 'accept' ? 'Accept' : 'Decline';
    page(
      res,
      `${verb} the callout?`,
      `<p>${escapeHtml(callout.skillGroupId)}, ${escapeHtml(clockTime(callout.loginAt, zone))}–${escapeHtml(clockTime(callout.shiftEnd, zone))}.</p>` +
        `<form method="post" action="?token=${encodeURIComponent(token)}"><button type="submit">${verb}</button></form>`,
    );
  });

  r.post('/callouts/answer', async (req, res) => {
    const result = await answerByLink(store, config, String(req.query.token ?? ''), now());
    answered(req, res, result, await zoneOf(result.callout));
  });

  // A phone's browser gets a page, not problem+json, when a link is expired, altered or closed.
  r.use('/callouts/answer', ((err, req, res, next) => {
    if (!isWfmError(err) || !wantsHtml(req)) return next(err);
    page(res, err.status === 409 ? 'This callout is closed' : 'This link does not work', `<p>${escapeHtml(err.message)}</p>`, err.status);
  }) as ErrorRequestHandler);

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
  return r;
}
