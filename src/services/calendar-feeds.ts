/**
 * Calendar feed addresses: what phone calendars subscribe to. Google's "From URL" and Outlook's "Subscribe
 * from web" send nothing but the URL (no header, no API key, no claim token), so the address itself is the
 * credential — a secret, read-only, per-agent URL, as calendar products give out ("secret address in iCal
 * format"): `GET /calendar.ics?token=<feed token>`.
 *
 * The token is `<payload>.<mac>` in base64url: payload = [purpose, agent id, incarnation, version], mac =
 * HMAC-SHA256 under a key derived from CLAIM_TOKEN_SECRET and the deployment's KEY_PREFIX. It does not
 * expire (a subscription polls for months; a claim token lives ≤ 62 days and would end it silently) and it
 * can do nothing but read that agent's feed. It stops working when
 *   - the feed is reset (`POST …/calendar-feed/reset`): the version stored for the agent moves on;
 *   - the agent is deleted, or deleted and created again with the same id (another person: another
 *     incarnation);
 *   - CLAIM_TOKEN_SECRET is rotated (every feed address at once, with every claim token).
 * The key is derived (not the secret itself) so a feed token is never a claim token nor the reverse, and it
 * names the KEY_PREFIX so a deployment sharing the secret does not serve another deployment's addresses.
 * Tokens travel in the query parameter `token`, which the service's logs and problem answers redact.
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../config/config';
import { openToken, signToken } from '../domain/signed-token';
import { WfmError } from '../errors/wfm-error';
import { withCalloutEvents, type CalloutEvent } from '../roster/export';
import type { StoredCallout } from '../store/trigger-repository';
import { DAY_MS } from '../time/grid';
import { workEnd } from '../trigger/callouts';
import { agentFeed, calendarUidDomain, cloudAgentOrThrow, type RosterContext } from './rosters';
import { isCalledAgent } from './trigger';

const PURPOSE = 'wfm-feed';

export interface FeedTokenClaims {
  agentId: string;
  /** the agent's incarnation when the address was made ('' for an agent stored before incarnations were) */
  incarnation: string;
  /** the agent's feed version then: a reset moves it on */
  version: number;
}

/** The MAC key of feed tokens: one HMAC step from the claim-token secret, bound to the deployment. */
export function feedKey(claimTokenSecret: string, keyPrefix: string): Buffer {
  return createHmac('sha256', claimTokenSecret).update(`wfm-calendar-feed-key|${keyPrefix}`).digest();
}

export function signFeedToken(key: Buffer, claims: FeedTokenClaims): string {
  return signToken(key, PURPOSE, [PURPOSE, claims.agentId, claims.incarnation, claims.version]);
}

/** The claims of a token this deployment signed, or undefined (malformed, forged, another key). */
export function verifyFeedToken(key: Buffer, token: string): FeedTokenClaims | undefined {
  const opened = openToken(key, PURPOSE, token);
  if (!opened.ok) return undefined;
  const parsed = opened.fields;
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== PURPOSE || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'string' || !Number.isInteger(parsed[3])) return undefined;
  return { agentId: parsed[1], incarnation: parsed[2], version: parsed[3] as number };
}

// ---------------------------------------------------------------------------------------------------
// Use cases
// ---------------------------------------------------------------------------------------------------

export interface CalendarFeedAddress {
  agentId: string;
  /** the address to subscribe to (https, or http where PUBLIC_BASE_URL is) */
  url: string;
  /** the same as webcal:// — a phone opens its calendar's "subscribe" with it */
  webcalUrl: string;
}

function keyOf(ctx: RosterContext): Buffer {
  if (!ctx.config.claimTokenSecret) throw new WfmError('unavailable', 'calendar feed addresses are disabled: CLAIM_TOKEN_SECRET is not set (their key is derived from it)', { status: 503 });
  return feedKey(ctx.config.claimTokenSecret, ctx.config.keyPrefix);
}

const noAgent = (agentId: string) => new WfmError('not-found', `agent ${agentId} does not exist`, { details: [{ where: '/path/agentId', message: `no agent ${agentId}` }] });

/**
 * The agent's feed address (for a planner to send, or the agent themself); `reset`: a new one, and every
 * address given out before stops working (a phone lost, an address forwarded).
 */
export async function calendarFeedAddress(ctx: RosterContext, agentId: string, options: { reset?: boolean } = {}): Promise<CalendarFeedAddress> {
  const key = keyOf(ctx);
  const identity = await ctx.store.agents.feedIdentity(agentId, options);
  if (!identity) throw noAgent(agentId);
  const token = signFeedToken(key, { agentId, ...identity });
  const url = `${ctx.config.trigger.publicBaseUrl}/calendar.ics?token=${token}`;
  return { agentId, url, webcalUrl: url.replace(/^https?:/, 'webcal:') };
}

/** A cloud agent's own address (/me/calendar-feed): as for any agent, while they are still a cloud agent. */
export async function ownCalendarFeedAddress(ctx: RosterContext, agentId: string, options: { reset?: boolean } = {}): Promise<CalendarFeedAddress> {
  await cloudAgentOrThrow(ctx, agentId);
  return calendarFeedAddress(ctx, agentId, options);
}

// ---------------------------------------------------------------------------------------------------
// The feed: the roster's shifts and claims (agentFeed), and the callouts the agent accepted
// ---------------------------------------------------------------------------------------------------

/** Callouts requested this far back are read: as far back as the roster feed reaches (FEED_PAST_MS there). */
const CALLOUT_FEED_PAST_MS = 35 * DAY_MS;
/**
 * At most this many callouts (of every agent) are read for one feed, newest first (there is no index by
 * agent: see TriggerRepository.calloutsOfAgentIn). A month of callouts of a large center fits; beyond it
 * the oldest of the agent's callouts are left out of the feed, not the coming ones.
 */
const MAX_CALLOUTS_SCANNED = 5_000;

/**
 * A callout the agent accepted, as their calendar shows it: from their login to the end of the shift,
 * or to their release when the surge passed first. A release shortens the event rather than removing it
 * (same UID, new DTSTAMP): they did come and work until then, and the calendar is their record of it. A
 * release before their login removes it: they never came. Declined, unanswered and withdrawn callouts
 * (made to an agent deleted since, whose id now names this one) are none of theirs to attend.
 */
export function acceptedCalloutEvent(callout: StoredCallout, incarnation: string): CalloutEvent | undefined {
  if (callout.status !== 'accepted' || !isCalledAgent(callout, incarnation)) return undefined;
  const end = workEnd(callout);
  if (end <= callout.loginAt) return undefined;
  return {
    id: callout.id,
    skillGroupId: callout.skillGroupId,
    start: callout.loginAt,
    end,
    // what the event last became: the feed's bytes change only when it does (a calendar app's 304)
    stampedAt: callout.releasedAt ?? callout.respondedAt ?? callout.requestedAt,
    ...(callout.releasedAt !== undefined ? { releasedAt: callout.releasedAt } : {}),
  };
}

/**
 * One agent's calendar: their published shifts and claims (agentFeed) and the callouts they accepted.
 * 404 when no agent has the id. What GET /agents/{id}/calendar.ics and /me/calendar.ics serve as well.
 */
export async function agentCalendarFeed(ctx: RosterContext, agentId: string): Promise<string> {
  // The agent and their incarnation read once, for the shifts and the callouts alike: shifts a roster gave
  // an agent deleted since, whose id now names this one, are left out as their callouts are.
  const [read, groups] = await Promise.all([ctx.store.agents.getWithIncarnation(agentId), ctx.store.skillGroups.map()]);
  if (!read) throw noAgent(agentId);
  const feed = await agentFeed(ctx, agentId, read);
  const now = ctx.now();
  // requestedAt ≤ now for every callout; a day ahead only spares a clock a second off
  const { callouts } = await ctx.store.trigger.calloutsOfAgentIn(agentId, [...groups.keys()], now - CALLOUT_FEED_PAST_MS, now + DAY_MS, MAX_CALLOUTS_SCANNED);
  const events = callouts.map((c) => acceptedCalloutEvent(c, read.incarnation ?? '')).filter((e): e is CalloutEvent => e !== undefined);
  return withCalloutEvents(feed, agentId, events, {
    uidDomain: calendarUidDomain(ctx.config),
    skillGroupName: (g) => groups.get(g)?.name ?? g,
    timeZone: read.agent.timeZone ?? ctx.config.defaultTimeZone,
  });
}

/**
 * The feed a token's address serves: exactly GET /agents/{agentId}/calendar.ics. Every refusal is a 404
 * (a feed address is a capability: an app that gets 404 shows the subscription as broken), and says no
 * more than the holder of the address knows.
 */
export async function calendarFeedByToken(ctx: RosterContext, token: string | undefined): Promise<string> {
  const key = keyOf(ctx);
  const claims = token ? verifyFeedToken(key, token) : undefined;
  const where = [{ where: '/query/token', message: 'no calendar feed has this address' }];
  if (!claims) throw new WfmError('not-found', 'no calendar feed has this address', { details: where });
  const identity = await ctx.store.agents.feedIdentity(claims.agentId);
  // deleted, or deleted and created again (another person): the address was the agent's who is gone
  if (!identity || identity.incarnation !== claims.incarnation) throw new WfmError('not-found', 'this calendar feed is gone: its agent was deleted', { details: where });
  if (identity.version !== claims.version) {
    throw new WfmError('not-found', 'this calendar feed address was reset: ask your planner for the new one', { details: [{ where: '/query/token', message: 'reset: replaced by a new address' }] });
  }
  return agentCalendarFeed(ctx, claims.agentId);
}
