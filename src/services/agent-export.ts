/**
 * Right of access (GDPR art. 15): everything the service stores about one agent, as one JSON document —
 * their profile, their shifts on every roster, their claims, the callouts made to them with their
 * delivery and answer, the dead letters naming them, what the surge trigger remembers of them to decide
 * whom to call (their answers per group, when they were last called) and the state of their credentials
 * (the calendar feed's version; claim tokens are signed, not stored). Instants are ISO-8601 with an
 * offset, as the rest of the API gives them.
 *
 * `assembleAgentExport` is pure (the records in, the document out, the clock passed in); `exportAgent`
 * reads the records. Data without a per-agent index (shifts across rosters, callouts, dead letters) is
 * found by bounded scans in the repositories: see RosterRepository.shiftsOfAgentOnEveryRoster and
 * TriggerRepository.calloutsNamingAgent for why no index was added.
 */
import type { Config } from '../config/config';
import type { Agent, SkillGroup } from '../domain/types';
import { maskPhone } from '../domain/validate';
import { WfmError } from '../errors/wfm-error';
import type { AssignedShift } from '../roster/types';
import type { ClaimedSlot, StoredRoster } from '../store/roster-repository';
import type { Store } from '../store/store';
import type { DeadLetter, StoredCallout } from '../store/trigger-repository';
import { formatInstant } from '../time/grid';
import type { AcceptanceStats } from '../trigger/types';
import type { ClaimTokenClaims } from './claim-tokens';
import { rosteredSameAgent } from './rosters';
import { calloutView, isCalledAgent } from './trigger';

/** What is read for one agent's export: the records as stored. */
export interface AgentRecords {
  agent: Agent;
  /** the store's random id of this agent (undefined: an agent stored before incarnations were) */
  incarnation?: string;
  feedVersion: number;
  /** every roster holding shifts or absences under the agent's id, of this agent or of an earlier one given the id */
  rosters: Array<{ roster: StoredRoster; shifts: AssignedShift[] }>;
  claims: ClaimedSlot[];
  /** the time zone of each roster a claim is on */
  rosterZones: Map<string, string>;
  /** every callout stored under the agent's id, of this agent or of an earlier one given the id */
  callouts: StoredCallout[];
  deadLetters: DeadLetter[];
  responses: Map<string, AcceptanceStats>;
  lastCalledAt?: number;
  groups: Map<string, SkillGroup>;
}

export interface ExportOptions {
  /** the caller may read the phone number in clear (an admin, the agent themselves), else it is masked */
  phoneInFull: boolean;
  now: number;
  defaultTimeZone: string;
  /** the claim token the agent authenticated with (GET /me/export) */
  presentedToken?: ClaimTokenClaims;
}

const answerOf = (status: StoredCallout['status']) => (status === 'accepted' ? 'accept' : status === 'declined' ? 'decline' : null);

/** The laplace-smoothed acceptance the trigger ranks an agent by within a group (src/trigger/choose.ts). */
const rankingAcceptance = (s: AcceptanceStats) => (s.accepted + 1) / (s.accepted + s.refused + 2);

export function assembleAgentExport(records: AgentRecords, options: ExportOptions) {
  const { agent } = records;
  // the agent's own clock, as their callout messages and answer pages show times
  const ownZone = agent.timeZone ?? options.defaultTimeZone;
  const own = (ms: number) => formatInstant(ms, ownZone);
  const profile = options.phoneInFull || !agent.phone ? agent : { ...agent, phone: maskPhone(agent.phone) };
  // Callouts made to an earlier agent given this id are another person's: left out (the callouts listing
  // shows them with agentDeleted). So are the dead letters of those callouts.
  const callouts = records.callouts.filter((c) => isCalledAgent(c, records.incarnation ?? ''));
  const otherPeoples = new Set(records.callouts.filter((c) => !isCalledAgent(c, records.incarnation ?? '')).map((c) => c.id));
  const calloutStatus = new Map(callouts.map((c) => [c.id, c.status]));
  // So are the rosters that recorded another incarnation for the id: their shifts and absences were an
  // earlier agent's (rosters stored before they recorded one are read as this agent's).
  const rosters = records.rosters.filter(({ roster }) => rosteredSameAgent(roster, agent.id, records.incarnation ?? ''));
  const delivery = (d: StoredCallout['delivery']) => ({ state: d.state, attempts: d.attempts, ...(d.at !== undefined ? { at: own(d.at) } : {}), ...(d.httpStatus !== undefined ? { httpStatus: d.httpStatus } : {}), ...(d.reason !== undefined ? { reason: d.reason } : {}) });
  return {
    agentId: agent.id,
    generatedAt: own(options.now),
    profile,
    rosters: rosters.map(({ roster, shifts }) => {
      const zone = roster.period.timeZone;
      const local = (ms: number) => formatInstant(ms, zone);
      return {
        rosterId: roster.id,
        status: roster.status,
        createdAt: roster.createdAt,
        ...(roster.publishedAt ? { publishedAt: roster.publishedAt } : {}),
        ...(roster.replanOf ? { replanOf: roster.replanOf } : {}),
        ...(roster.supersededBy ? { supersededBy: roster.supersededBy } : {}),
        period: { from: roster.period.from, days: roster.period.days, timeZone: zone },
        // the dates the roster was re-planned around the agent's absence (illness, leave): theirs too
        absences: ((roster.details.absences as Array<{ agentId: string; dates: string[] }> | undefined) ?? []).filter((a) => a.agentId === agent.id).flatMap((a) => a.dates),
        shifts: [...shifts]
          .sort((a, b) => a.start - b.start)
          .map((s) => ({
            id: s.id,
            skillGroupId: s.skillGroupId,
            date: s.date,
            start: local(s.start),
            end: local(s.end),
            kind: s.kind,
            templateId: s.templateId,
            breaks: s.breaks.map((b) => ({ kind: b.kind, start: local(b.start), end: local(b.end) })),
          })),
      };
    }),
    claims: records.claims.map((c) => {
      const zone = records.rosterZones.get(c.rosterId) ?? 'UTC';
      return { rosterId: c.rosterId, slotId: c.slotId, skillGroupId: c.skillGroupId, start: formatInstant(c.start, zone), end: formatInstant(c.end, zone) };
    }),
    callouts: callouts.map((stored) => {
      const c = calloutView(stored);
      // the callout message's clock: the agent's own zone, else the group's
      const zone = agent.timeZone ?? records.groups.get(c.skillGroupId)?.timeZone ?? options.defaultTimeZone;
      const local = (ms: number) => formatInstant(ms, zone);
      return {
        id: c.id,
        decisionId: c.decisionId,
        waveId: c.waveId,
        skillGroupId: c.skillGroupId,
        requestedAt: local(c.requestedAt),
        loginAt: local(c.loginAt),
        shiftEnd: local(c.shiftEnd),
        ...(c.answerBy !== undefined ? { answerBy: local(c.answerBy) } : {}),
        status: c.status,
        answer: answerOf(stored.status),
        ...(c.answeredVia ? { answeredVia: c.answeredVia } : {}),
        ...(c.respondedAt !== undefined ? { respondedAt: local(c.respondedAt) } : {}),
        released: c.releasedAt !== undefined,
        ...(c.releasedAt !== undefined ? { releasedAt: local(c.releasedAt) } : {}),
        delivery: delivery(c.delivery),
        ...(c.releaseDelivery ? { releaseDelivery: delivery(c.releaseDelivery) } : {}),
      };
    }),
    deadLetters: records.deadLetters
      .filter((d) => !otherPeoples.has(d.calloutId))
      .map((d) => {
        const status = calloutStatus.get(d.calloutId);
        return {
          calloutId: d.calloutId,
          skillGroupId: d.skillGroupId,
          waveId: d.waveId,
          reason: d.reason,
          attempts: d.attempts,
          at: own(d.at),
          ...(status === 'accepted' || status === 'declined' ? { answered: status } : {}),
        };
      }),
    trigger: {
      lastCalledAt: records.lastCalledAt === undefined ? null : own(records.lastCalledAt),
      responses: [...records.responses]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([skillGroupId, stats]) => ({ skillGroupId, accepted: stats.accepted, refused: stats.refused, acceptance: rankingAcceptance(stats) })),
    },
    calendarFeed: { version: records.feedVersion },
    claimToken: {
      stored: false,
      ...(options.presentedToken ? { presentedExpiresAt: own(options.presentedToken.expiresAt) } : {}),
    },
  };
}

export type AgentExport = ReturnType<typeof assembleAgentExport>;

export interface ExportContext {
  store: Store;
  config: Pick<Config, 'defaultTimeZone'>;
  now: () => number;
}

/**
 * Reads and assembles one agent's export; 404 when no agent has the id. `presentedToken`: the agent's own
 * request (GET /me/export) — refused when the agent stored under the id is no longer the one the token was
 * issued to (deleted and created again since the token was checked).
 */
export async function exportAgent(ctx: ExportContext, agentId: string, options: { phoneInFull: boolean; presentedToken?: ClaimTokenClaims }): Promise<AgentExport> {
  const read = await ctx.store.agents.getWithIncarnation(agentId);
  if (!read) throw new WfmError('not-found', `agent ${agentId} does not exist`, { details: [{ where: '/path/agentId', message: `no agent ${agentId}` }] });
  if (options.presentedToken && read.incarnation !== options.presentedToken.incarnation) throw new WfmError('unauthorized', `claim token is not valid: the agent now stored under ${agentId} is not the one it was issued to`);
  const { store } = ctx;
  const [feed, rosters, claims, callouts, deadLetters, lastCalledAt, groups] = await Promise.all([
    store.agents.feedIdentity(agentId),
    store.rosters.shiftsOfAgentOnEveryRoster(agentId),
    store.rosters.claimsOf(agentId),
    store.trigger.calloutsNamingAgent(agentId),
    store.trigger.deadLettersNamingAgent(agentId),
    store.trigger.agentLastCalledAt(agentId),
    store.skillGroups.map(),
  ]);
  // answer sums of every group stored now, and of groups deleted since whose records still name the agent
  const groupIds = [...new Set([...groups.keys(), ...callouts.map((c) => c.skillGroupId)])].sort();
  const [responses, rosterZones] = await Promise.all([store.trigger.agentResponses(agentId, groupIds), store.rosters.zonesOf(claims.map((c) => c.rosterId))]);
  return assembleAgentExport(
    { agent: read.agent, incarnation: read.incarnation, feedVersion: feed?.version ?? 0, rosters, claims, rosterZones, callouts, deadLetters, responses, lastCalledAt, groups },
    { phoneInFull: options.phoneInFull, now: ctx.now(), defaultTimeZone: ctx.config.defaultTimeZone, presentedToken: options.presentedToken },
  );
}
