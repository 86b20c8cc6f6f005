/**
 * Rosters over REST (Timefold style: POST → 202 + id, poll the status, read the result), publishing,
 * re-planning, exports, drills, claim tokens; and the cloud agents' self-service routes (/me/…),
 * authenticated by their claim token instead of an API key.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { WfmError, isWfmError } from '../../errors/wfm-error';
import {
  agentCalendar,
  agentSchedule,
  claimSlot,
  claimsOfAgent,
  cloudAgentOrThrow,
  deleteRoster,
  issueClaimToken,
  claimTokenAgentOrThrow,
  listRosters,
  publishRoster,
  releaseSlot,
  requestDrill,
  requestReplan,
  requestRoster,
  rosterCoverageRows,
  rosterCsv,
  rosterView,
  rosterSlots,
  rosterStatus,
  slotsForAgent,
  type AbsenceConflict,
  type DrillRequest,
  type ReplanRequest,
  type RosterContext,
  type RosterRequest,
} from '../../services/rosters';
import { verifyClaimToken, type ClaimTokenClaims } from '../../services/claim-tokens';
import { exportAgent } from '../../services/agent-export';
import { agentCalendarFeed, calendarFeedAddress, calendarFeedByToken, ownCalendarFeedAddress } from '../../services/calendar-feeds';
import { bearerChallenge } from '../auth';
import { contentEtag, NOT_STORED } from '../cache-control';
import { idempotentRequests } from '../idempotency';
import { sendPage } from '../paging';
import { QUEUE } from '../../queue/names';
import type { AssignedShift } from '../../roster/types';
import { coverageView } from '../../roster/coverage-view';
import { formatInstant } from '../../time/grid';

/** Instants as ISO-8601 with the roster zone's offset, as planners read them. */
function shiftView(s: AssignedShift, zone: string) {
  return {
    id: s.id,
    agentId: s.agentId,
    skillGroupId: s.skillGroupId,
    date: s.date,
    start: formatInstant(s.start, zone),
    end: formatInstant(s.end, zone),
    kind: s.kind,
    templateId: s.templateId,
    breaks: s.breaks.map((b) => ({ kind: b.kind, start: formatInstant(b.start, zone), end: formatInstant(b.end, zone) })),
  };
}

const accepted = (id: string, jobId: string) => ({ id, jobId, status: `/rosters/${id}/status`, job: `/jobs/${QUEUE.buildRoster}/${jobId}` });
/** A 202's Location is what the client polls: the roster's status (the roster itself is a 409 until built). */
const rosterStatusPath = (id: string) => `/rosters/${id}/status`;

export function rosterRoutes(ctx: RosterContext): Router {
  const r = Router();

  r.post('/rosters', async (req, res) => {
    const { id, jobId } = await requestRoster(ctx, req.body as RosterRequest);
    res.status(202).location(rosterStatusPath(id)).json(accepted(id, jobId));
  });

  // the body stays an array (as before paging); more pages are announced in a Link header (see paging.ts)
  r.get('/rosters', async (req, res) => {
    const limit = req.query.limit === undefined ? undefined : Number(req.query.limit);
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    sendPage(req, res, await listRosters(ctx, { limit, cursor }));
  });

  r.get('/rosters/:rosterId', async (req, res) => {
    const roster = await rosterView(ctx, req.params.rosterId);
    // details keep instants as epoch ms; the answer gives them with the roster zone's offset, as shifts do
    const local = (ms: number) => formatInstant(ms, roster.period.timeZone);
    res.json({
      id: roster.id,
      status: roster.status,
      createdAt: roster.createdAt,
      ...(roster.publishedAt ? { publishedAt: roster.publishedAt } : {}),
      ...(roster.supersededBy ? { supersededBy: roster.supersededBy } : {}),
      ...(roster.replanOf ? { replanOf: roster.replanOf } : {}),
      period: { from: roster.period.from, days: roster.period.days, timeZone: roster.period.timeZone },
      skillGroupIds: roster.skillGroupIds,
      summary: roster.summary,
      ...roster.details,
      ...(Array.isArray(roster.details.changes)
        ? {
            changes: (roster.details.changes as Array<{ start: number; end: number; previousStart?: number; previousEnd?: number }>).map((c) => ({
              ...c,
              start: local(c.start),
              end: local(c.end),
              ...(c.previousStart !== undefined && c.previousEnd !== undefined ? { previousStart: local(c.previousStart), previousEnd: local(c.previousEnd) } : {}),
            })),
          }
        : {}),
      ...(Array.isArray(roster.details.absenceConflicts)
        ? {
            absenceConflicts: (roster.details.absenceConflicts as AbsenceConflict[]).map((c) => ({ ...c, start: local(c.start), end: local(c.end) })),
          }
        : {}),
      links: {
        coverage: `/rosters/${roster.id}/coverage`,
        shifts: `/rosters/${roster.id}/shifts`,
        slots: `/rosters/${roster.id}/slots`,
        csv: `/rosters/${roster.id}/roster.csv`,
      },
    });
  });

  r.delete('/rosters/:rosterId', async (req, res) => {
    await deleteRoster(ctx, req.params.rosterId);
    res.status(204).end();
  });

  r.get('/rosters/:rosterId/status', async (req, res) => {
    res.json(await rosterStatus(ctx, req.params.rosterId));
  });

  r.get('/rosters/:rosterId/coverage', async (req, res) => {
    const { roster, rows } = await rosterCoverageRows(ctx, req.params.rosterId, req.query.skillGroupId as string | undefined);
    // as `wfm plan` writes coverage.csv
    res.json(coverageView(rows, roster.period.timeZone));
  });

  r.get('/rosters/:rosterId/shifts', async (req, res) => {
    const { roster, shifts } = await agentSchedule(ctx, req.params.rosterId, req.query.agentId as string | undefined);
    res.json(shifts.map((s) => shiftView(s, roster.period.timeZone)));
  });

  r.get('/rosters/:rosterId/roster.csv', async (req, res) => {
    const csv = await rosterCsv(ctx, req.params.rosterId);
    res.type('text/csv').attachment(`roster-${req.params.rosterId}.csv`).send(csv);
  });

  r.get('/rosters/:rosterId/agents/:agentId/calendar.ics', async (req, res) => {
    res.type('text/calendar; charset=utf-8').send(await agentCalendar(ctx, req.params.rosterId, req.params.agentId));
  });

  r.post('/rosters/:rosterId/publish', async (req, res) => {
    res.json(await publishRoster(ctx, req.params.rosterId));
  });

  r.get('/rosters/:rosterId/slots', async (req, res) => {
    res.json(await rosterSlots(ctx, req.params.rosterId));
  });

  r.post('/rosters/:rosterId/replan', async (req, res) => {
    const { id, jobId } = await requestReplan(ctx, req.params.rosterId, req.body as ReplanRequest);
    res.status(202).location(rosterStatusPath(id)).json({ ...accepted(id, jobId), replanOf: req.params.rosterId });
  });

  r.post('/rosters/:rosterId/drills', async (req, res) => {
    const drill = await requestDrill(ctx, req.params.rosterId, req.body as DrillRequest);
    const status = `/jobs/${QUEUE.simulate}/${drill.jobId}`;
    res.status(202).location(status).json({ ...drill, status });
  });

  r.get('/agents/:agentId/calendar.ics', async (req, res) => {
    res.type('text/calendar; charset=utf-8').send(await agentCalendarFeed(ctx, req.params.agentId));
  });

  // the secret address a phone's calendar subscribes to: planners send it to any agent
  r.get('/agents/:agentId/calendar-feed', async (req, res) => {
    res.json(await calendarFeedAddress(ctx, req.params.agentId));
  });

  r.post('/agents/:agentId/calendar-feed/reset', async (req, res) => {
    res.json(await calendarFeedAddress(ctx, req.params.agentId, { reset: true }));
  });

  // everything stored about the agent (right of access): the phone in full for admins, masked for planners
  // (as GET /agents/{id}); here rather than beside GET /agents/{id} for the service's default time zone
  r.get('/agents/:agentId/export', async (req, res) => {
    const document = await exportAgent(ctx, req.params.agentId, { phoneInFull: req.role === 'admin' });
    sendExport(req, res, document);
  });

  r.post('/agents/:agentId/claim-token', async (req, res) => {
    const validDays = (req.body as { validDays?: number } | undefined)?.validDays;
    res.status(201).json(await issueClaimToken(ctx, req.params.agentId, validDays));
  });

  return r;
}

/**
 * An agent's export, tagged by what the document says, not by when it was made: a client revalidating it
 * gets a 304 until something stored about the agent changes (generatedAt alone changed the bytes every call).
 */
function sendExport(req: Request, res: Response, document: { generatedAt: string }): void {
  const { generatedAt: _madeAt, ...content } = document;
  const etag = contentEtag(req, content);
  if (etag) res.setHeader('ETag', etag);
  res.json(document);
}

const SELF_SERVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The realm of claim tokens in a 401's challenge: an API key is no claim token. */
const CLAIM_TOKEN_REALM = 'wfm-cloud-agents';

/** The agent a claim token names, or 401; the token is the only credential these routes take. */
function claimTokenAuth(ctx: RosterContext): RequestHandler {
  const { config, now } = ctx;
  return async (req, res, next) => {
    if (!config.claimTokenSecret) return next(new WfmError('unavailable', 'cloud-agent claims are disabled: CLAIM_TOKEN_SECRET is not set', { status: 503 }));
    const auth = req.get('authorization') ?? '';
    const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : '';
    // every 401 says how to authenticate (RFC 9110 §15.5.2)
    const refuse = (err: unknown) => {
      if (isWfmError(err) && err.status === 401) res.setHeader('WWW-Authenticate', bearerChallenge(CLAIM_TOKEN_REALM, token !== ''));
      next(err);
    };
    if (!token) return refuse(new WfmError('unauthorized', 'send your claim token as Authorization: Bearer <token> (your planner issues it)'));
    const check = verifyClaimToken(config.claimTokenSecret, token, now());
    if (!check.ok) return refuse(new WfmError('unauthorized', `claim token ${check.reason === 'expired' ? 'expired: ask your planner for a new one' : 'is not valid'}`));
    try {
      await claimTokenAgentOrThrow(ctx, check.claims);
    } catch (err) {
      return refuse(err);
    }
    res.locals.agentId = check.claims.agentId;
    res.locals.claimToken = check.claims;
    for (const [name, value] of Object.entries(req.params)) {
      if (!SELF_SERVICE_ID.test(String(value))) return next(new WfmError('validation', `invalid ${name}`, { status: 400, details: [{ where: `/path/${name}`, message: 'not an id' }] }));
    }
    next();
  };
}

/**
 * Self-service for cloud agents, mounted before the API-key check: each request acts as the one agent its
 * token names, so an agent can only claim, list and release for themselves. And the calendar feeds' secret
 * addresses, which take no credential but the address itself (calendar apps send nothing else).
 */
export function cloudAgentRoutes(ctx: RosterContext): Router {
  const r = Router();
  // the token is a query parameter `token`, which the request log and problem answers redact
  r.get('/calendar.ics', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    res.type('text/calendar; charset=utf-8').send(await calendarFeedByToken(ctx, token));
  });
  const auth = claimTokenAuth(ctx);
  r.get('/me/slots', auth, async (_req, res) => {
    res.json(await slotsForAgent(ctx, res.locals.agentId as string));
  });
  r.get('/me/calendar.ics', auth, async (_req, res) => {
    // as every self-service route: the token's agent must still be a cloud agent
    await cloudAgentOrThrow(ctx, res.locals.agentId as string);
    res.type('text/calendar; charset=utf-8').send(await agentCalendarFeed(ctx, res.locals.agentId as string));
  });
  // an address to keep to oneself: no cache keeps it
  r.get('/me/calendar-feed', auth, async (_req, res) => {
    res.setHeader('Cache-Control', NOT_STORED);
    res.json(await ownCalendarFeedAddress(ctx, res.locals.agentId as string));
  });
  r.post('/me/calendar-feed/reset', auth, async (_req, res) => {
    res.setHeader('Cache-Control', NOT_STORED);
    res.json(await ownCalendarFeedAddress(ctx, res.locals.agentId as string, { reset: true }));
  });
  r.get('/me/export', auth, async (req, res) => {
    await cloudAgentOrThrow(ctx, res.locals.agentId as string);
    const document = await exportAgent(ctx, res.locals.agentId as string, { phoneInFull: true, presentedToken: res.locals.claimToken as ClaimTokenClaims });
    sendExport(req, res, document);
  });
  // The claims not over yet by default (what an app shows), or those overlapping `from`…`to`, soonest
  // first; the body stays an array, more pages are announced in a Link header (see paging.ts), `from` pinned
  // there so the pages of one listing read one range.
  r.get('/me/claims', auth, async (req, res) => {
    const at = (name: 'from' | 'to') => (typeof req.query[name] === 'string' ? Date.parse(req.query[name]) : undefined);
    const from = at('from') ?? ctx.now();
    const limit = req.query.limit === undefined ? undefined : Number(req.query.limit);
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    sendPage(req, res, await claimsOfAgent(ctx, res.locals.agentId as string, { from, to: at('to'), limit, cursor }), { from: new Date(from).toISOString() });
  });
  // A retry of a claim whose answer was lost, sent with the same Idempotency-Key, gets that answer again
  // (201, Idempotent-Replayed: true) rather than the 409 "already yours"; keys are the agent's (this
  // incarnation of the id), whichever of their tokens sent them.
  const idempotentClaims = idempotentRequests(ctx.store.redis, ctx.store.keys.idempotency, (req) => {
    const claims = req.res!.locals.claimToken as ClaimTokenClaims;
    return `cloud-agent ${claims.agentId} ${claims.incarnation ?? ''}`;
  });
  r.post('/me/claims/:rosterId/:slotId', auth, idempotentClaims, async (req, res) => {
    res.status(201).json(await claimSlot(ctx, res.locals.agentId as string, req.params.rosterId as string, req.params.slotId as string));
  });
  r.delete('/me/claims/:rosterId/:slotId', auth, async (req, res) => {
    await releaseSlot(ctx, res.locals.agentId as string, req.params.rosterId as string, req.params.slotId as string);
    res.status(204).end();
  });
  return r;
}
