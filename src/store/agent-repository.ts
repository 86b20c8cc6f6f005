import { randomBytes } from 'node:crypto';
import { withCanonicalZone } from '../domain/validate';
import type { Redis } from 'ioredis';
import type { Agent } from '../domain/types';
import { guarded } from './redis';
import type { Keys } from './keys';
import { WfmError } from '../errors/wfm-error';
import { groupsGone } from './group-guarded-write';

/**
 * Lua shared by the scripts below: `claimsHeld(claimsKey, base, now, hold)` calls hold(rosterId, e, group)
 * for every claimed slot of the agent that ends after `now` on a roster still published (a claim left on a
 * superseded roster is no longer the agent's work there); group is the slot's skill group. The same rule
 * for a delete, a kind change and a skill removed, so a cloud agent's claim holds each back.
 */
const CLAIMS_HELD = `
local function claimsHeld(claimsKey, base, now, hold)
  local claims = redis.call('HGETALL', claimsKey)
  for i = 1, #claims, 2 do
    local rosterId = string.match(claims[i], '^([^|]*)|')
    local e, group = string.match(claims[i + 1], '^%d+,(%d+),?(.*)$')
    e = tonumber(e)
    if rosterId and e and e > now and redis.call('HGET', base .. rosterId .. ':state', 'status') == 'published' then hold(rosterId, e, group or '') end
  end
end
`;

/**
 * KEYS: the agents hash, the published rosters (score = end of the period), the agent's claims, the
 * agents' incarnations, the trigger's last-called-at, the calendar feed versions, then the answer sums of
 * every skill group.
 * ARGV: roster key base ("<prefix>:{rosters}:"), agent id, now.
 * Deletes the agent only while no published roster still running holds work of theirs that is not over:
 * a shift (its by-agent entry) or a claimed slot. Otherwise answers { 'rostered', then per roster: id,
 * shifts, claims, end of the last }, and deletes nothing. One script, so a roster published or a slot
 * claimed between a check and the delete cannot slip through.
 * A delete is an erasure: what is kept under the bare agent id goes with the agent, or it would pass to
 * the next agent given the id — another person (their claims index, with claims whose slots are over: GET
 * /me/claims, the claim checks' weekly hours; when they were last called; their answers to callouts; the
 * version of their calendar feed's address).
 * The claims themselves stay on their rosters (work done stays), and so do the callout records, an audit
 * of ids kept for the record retention: they name the agent's incarnation, so they are not read as the
 * next agent's (src/services/trigger.ts).
 */
const DELETE_UNLESS_ROSTERED = `${CLAIMS_HELD}
local agentId = ARGV[2]
local now = tonumber(ARGV[3])
if redis.call('HEXISTS', KEYS[1], agentId) == 0 then return {'no-agent'} end
local held = {}
local order = {}
local function hold(rosterId, kind, e)
  local h = held[rosterId]
  if not h then
    h = {0, 0, 0}
    held[rosterId] = h
    order[#order + 1] = rosterId
  end
  h[kind] = h[kind] + 1
  if e > h[3] then h[3] = e end
end
for _, rosterId in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')) do
  local json = redis.call('HGET', ARGV[1] .. rosterId .. ':by-agent', agentId)
  if json then
    for _, shift in ipairs(cjson.decode(json)) do
      if shift['end'] > now then hold(rosterId, 1, shift['end']) end
    end
  end
end
claimsHeld(KEYS[3], ARGV[1], now, function(rosterId, e) hold(rosterId, 2, e) end)
if #order > 0 then
  local out = {'rostered'}
  for _, id in ipairs(order) do
    local h = held[id]
    out[#out + 1] = id
    out[#out + 1] = h[1]
    out[#out + 1] = h[2]
    out[#out + 1] = h[3]
  end
  return out
end
redis.call('HDEL', KEYS[1], agentId)
redis.call('HDEL', KEYS[4], agentId)
redis.call('DEL', KEYS[3])
redis.call('HDEL', KEYS[5], agentId)
redis.call('HDEL', KEYS[6], agentId)
for i = 7, #KEYS do redis.call('HDEL', KEYS[i], 'agent:' .. agentId .. ':accepted', 'agent:' .. agentId .. ':refused') end
return {'deleted'}
`;

/**
 * KEYS: the agents hash, the agents' incarnations. ARGV: agent ids.
 * Per id: its agent's incarnation ('' for an agent stored before incarnations were), or nil when no agent
 * has the id. One script, so an agent and their incarnation are read as of one moment.
 */
const INCARNATIONS_OF = `
local out = {}
for i, id in ipairs(ARGV) do
  if redis.call('HEXISTS', KEYS[1], id) == 1 then out[i] = redis.call('HGET', KEYS[2], id) or '' else out[i] = false end
end
return out
`;

/**
 * KEYS: the agents hash, the agents' incarnations. ARGV: an agent id, or none for every agent.
 * The agent's JSON and incarnation (each nil when absent), or every agent's JSONs and the whole
 * incarnations hash. A script and not MULTI: both are read as of one moment, and a script that only reads
 * still runs when Redis is out of memory (it refuses every command queued in a MULTI).
 */
const READ_WITH_INCARNATIONS = `
-- false, not nil: a nil would end the reply's array there
if ARGV[1] then return {redis.call('HGET', KEYS[1], ARGV[1]) or false, redis.call('HGET', KEYS[2], ARGV[1]) or false} end
return {redis.call('HVALS', KEYS[1]), redis.call('HGETALL', KEYS[2])}
`;

/**
 * KEYS: the skill-groups hash, the agents hash, the agents' incarnations.
 * ARGV: roster key base, now, n, the n skill groups the agents name, then triples: agent id, JSON, and a
 * fresh incarnation, kept only when the agent is created (an update keeps theirs; an agent stored before
 * incarnations were keeps none, so the claim tokens issued to them before go on working).
 * Writes the agents only while every group they name exists (a group deleted after the caller checked
 * it: { 'no-group', ids… }, as GroupGuardedWrite answers) and no agent of the batch would be left with a
 * claimed slot not over yet on a published roster that they may no longer hold:
 *   - an agent who is not a cloud agent (now a partner: a changed kind) may hold none: a partner cannot
 *     hold a cloud agent's claim (every self-service route, release included, refuses a partner);
 *   - a cloud agent may hold none of a skill group the stored agent had and the batch takes away: the
 *     claim would stay on a group they are no longer skilled for (claiming asks for the skill).
 * A refusal answers { 'claims', then per agent, roster and reason: agent id, roster id, claims, end of
 * the last, and the skill group taken away ('' for the change of kind) }. The claim script admits cloud
 * agents with the slot's skill only, so a claim and a change of kind or a skill's removal cannot both
 * land, whichever runs first.
 * Only agents with claims are decoded (a batch is thousands of agents, few of whom hold claims). Nothing
 * is written on a refusal; agents are written one call each (a long list would overflow Lua's unpack).
 */
const PUT_UNLESS_CLAIMING = `${CLAIMS_HELD}
local base = ARGV[1]
local now = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local missing = {'no-group'}
for k = 4, 3 + n do
  if redis.call('HEXISTS', KEYS[1], ARGV[k]) == 0 then missing[#missing + 1] = ARGV[k] end
end
if #missing > 1 then return missing end
local first = 4 + n
local out = {'claims'}
for k = first, #ARGV, 3 do
  local agentId = ARGV[k]
  local claimsKey = base .. 'agent-claims:' .. agentId
  if redis.call('EXISTS', claimsKey) == 1 then
    local agent = cjson.decode(ARGV[k + 1])
    -- which claims the new agent may not keep: all (not a cloud agent), or those of the skills taken away
    local refused = nil
    if agent.kind == 'cloud' then
      local kept = {}
      for _, skill in ipairs(agent.skills or {}) do kept[skill.skillGroupId] = true end
      local storedJson = redis.call('HGET', KEYS[2], agentId)
      if storedJson then
        for _, skill in ipairs(cjson.decode(storedJson).skills or {}) do
          if not kept[skill.skillGroupId] then
            refused = refused or {}
            refused[skill.skillGroupId] = true
          end
        end
      end
    end
    if agent.kind ~= 'cloud' or refused then
      local held = {}
      local order = {}
      claimsHeld(claimsKey, base, now, function(rosterId, e, group)
        if agent.kind == 'cloud' and not refused[group] then return end
        -- the change of kind refuses every claim: one entry per roster, as the group does not matter
        local why = agent.kind == 'cloud' and group or ''
        local at = rosterId .. '|' .. why
        local h = held[at]
        if not h then
          h = {rosterId, why, 0, 0}
          held[at] = h
          order[#order + 1] = at
        end
        h[3] = h[3] + 1
        if e > h[4] then h[4] = e end
      end)
      for _, at in ipairs(order) do
        local h = held[at]
        out[#out + 1] = agentId
        out[#out + 1] = h[1]
        out[#out + 1] = h[3]
        out[#out + 1] = h[4]
        out[#out + 1] = h[2]
      end
    end
  end
end
if #out > 1 then return out end
for k = first, #ARGV, 3 do
  if redis.call('HEXISTS', KEYS[2], ARGV[k]) == 0 then redis.call('HSET', KEYS[3], ARGV[k], ARGV[k + 2]) end
  redis.call('HSET', KEYS[2], ARGV[k], ARGV[k + 1])
end
return {'ok'}
`;

/**
 * KEYS: the agents hash, the agents' incarnations, the calendar feed versions. ARGV: agent id, '1' to
 * reset the feed (its version + 1), else '0'.
 * nil when no agent has the id; else { incarnation ('' for an agent stored before incarnations were),
 * the feed's version (0 until a first reset) } — read (and bumped) with the agent, as of one moment.
 */
const FEED_IDENTITY = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
local version
if ARGV[2] == '1' then version = redis.call('HINCRBY', KEYS[3], ARGV[1], 1) else version = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') end
return {redis.call('HGET', KEYS[2], ARGV[1]) or '', version}
`;

/** What an agent's calendar feed address is signed over: who they are (their incarnation) and its version. */
export interface FeedIdentity {
  /** '' for an agent stored before incarnations were */
  incarnation: string;
  version: number;
}

/** Work of an agent on one published roster that is not over yet. */
export interface RosteredWork {
  rosterId: string;
  shifts: number;
  claims: number;
  /** when the last of it ends */
  lastEndMs: number;
}

export type AgentDeleteOutcome = { ok: true } | { ok: false; refusal: 'no-agent' } | { ok: false; refusal: 'rostered'; work: RosteredWork[] };

/** Claimed slots of a cloud agent on one published roster that are not over yet. */
export interface HeldClaims {
  agentId: string;
  rosterId: string;
  claims: number;
  /** when the last of them ends */
  lastEndMs: number;
  /**
   * 'kind': the agent is no longer a cloud agent (every claim counted); 'skill': the update takes away
   * `skillGroupId`, the skill group of these claims
   */
  reason: 'kind' | 'skill';
  skillGroupId?: string;
}

export type AgentPutOutcome = { ok: true } | { ok: false; refusal: 'claims'; held: HeldClaims[] };

type ScriptedRedis = Redis & {
  deleteAgentUnlessRostered(args: string[]): Promise<Array<string | number>>;
  putAgentsUnlessClaiming(args: string[]): Promise<Array<string | number>>;
  agentIncarnationsOf(...args: string[]): Promise<Array<string | null>>;
  agentsWithIncarnations(...args: string[]): Promise<unknown[]>;
  agentFeedIdentity(...args: string[]): Promise<[string, number] | null>;
};

/** Agents as JSON in one hash: a center has hundreds to a few thousand, read whole for rostering. */
export class AgentRepository {
  private readonly scripted: ScriptedRedis;

  constructor(private readonly redis: Redis, private readonly keys: Keys) {
    // no numberOfKeys: the first argument gives it (one answer-sums key per skill group)
    if (!('deleteAgentUnlessRostered' in redis)) redis.defineCommand('deleteAgentUnlessRostered', { lua: DELETE_UNLESS_ROSTERED });
    if (!('agentIncarnationsOf' in redis)) redis.defineCommand('agentIncarnationsOf', { numberOfKeys: 2, lua: INCARNATIONS_OF });
    if (!('agentsWithIncarnations' in redis)) redis.defineCommand('agentsWithIncarnations', { numberOfKeys: 2, lua: READ_WITH_INCARNATIONS });
    if (!('agentFeedIdentity' in redis)) redis.defineCommand('agentFeedIdentity', { numberOfKeys: 3, lua: FEED_IDENTITY });
    // no numberOfKeys: the first argument gives it, so one array argument carries a batch of any size
    if (!('putAgentsUnlessClaiming' in redis)) redis.defineCommand('putAgentsUnlessClaiming', { lua: PUT_UNLESS_CLAIMING });
    this.scripted = redis as ScriptedRedis;
  }

  async list(): Promise<Agent[]> {
    const all = await guarded(this.redis.hvals(this.keys.agents()));
    return all.map((json) => withCanonicalZone(JSON.parse(json) as Agent)).sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Cloud agents only, unsorted: the surge trigger reads them every minute, and a large center's partner
   * agents (the most) are not parsed. The text test only skips work; the parsed kind decides.
   */
  async cloudAgents(): Promise<Agent[]> {
    const all = await guarded(this.redis.hvals(this.keys.agents()));
    return all.filter((json) => json.includes('"kind":"cloud"')).map((json) => withCanonicalZone(JSON.parse(json) as Agent)).filter((a) => a.kind === 'cloud');
  }

  /**
   * Cloud agents (as cloudAgents) with the incarnation of each ('' for one stored before incarnations
   * were), read in one script (as of one moment): a callout made to one of them names the incarnation they had.
   */
  async cloudAgentsWithIncarnations(): Promise<{ agents: Agent[]; incarnations: Map<string, string> }> {
    const [all, flat] = (await guarded(this.scripted.agentsWithIncarnations(this.keys.agents(), this.keys.agentIncarnations()))) as [string[], string[]];
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
    const agents = all.filter((json) => json.includes('"kind":"cloud"')).map((json) => withCanonicalZone(JSON.parse(json) as Agent)).filter((a) => a.kind === 'cloud');
    return { agents, incarnations: new Map(agents.map((a) => [a.id, hash[a.id] ?? ''])) };
  }

  /** The incarnation of the agent stored under each id now ('' for one stored before incarnations were); ids without an agent are left out. */
  async incarnationsOf(ids: Iterable<string>): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const reply = await guarded(this.scripted.agentIncarnationsOf(this.keys.agents(), this.keys.agentIncarnations(), ...unique));
    return new Map(unique.flatMap((id, i) => (typeof reply[i] === 'string' ? [[id, reply[i] as string] as [string, string]] : [])));
  }

  async get(id: string): Promise<Agent | undefined> {
    const json = await guarded(this.redis.hget(this.keys.agents(), id));
    return json ? withCanonicalZone(JSON.parse(json) as Agent) : undefined;
  }

  /**
   * The agent with their incarnation, read in one script (a delete and re-create cannot fall between
   * the two reads). incarnation undefined: an agent stored before incarnations were.
   */
  async getWithIncarnation(id: string): Promise<{ agent: Agent; incarnation?: string } | undefined> {
    const [json, incarnation] = (await guarded(this.scripted.agentsWithIncarnations(this.keys.agents(), this.keys.agentIncarnations(), id))) as Array<string | null>;
    if (!json) return undefined;
    return { agent: withCanonicalZone(JSON.parse(json) as Agent), ...(incarnation ? { incarnation } : {}) };
  }

  /**
   * The incarnation of the agent stored under the id and the version of their calendar feed's address;
   * `reset`: the version is incremented first (the addresses given out so far stop working). Undefined
   * when no agent has the id.
   */
  async feedIdentity(id: string, options: { reset?: boolean } = {}): Promise<FeedIdentity | undefined> {
    const reply = await guarded(this.scripted.agentFeedIdentity(this.keys.agents(), this.keys.agentIncarnations(), this.keys.agentFeedVersions(), id, options.reset ? '1' : '0'));
    return reply ? { incarnation: String(reply[0]), version: Number(reply[1]) } : undefined;
  }

  /**
   * All agents in one script, and none while a skill group they name has been deleted meanwhile (409),
   * or while one of them still holds claimed slots not over at `nowMs` on a published roster that the
   * update would leave them unfit for: any, if they are not a cloud agent (now a partner: a changed
   * kind); those of a skill group the update takes away from a cloud agent. Then 'claims' with them, and
   * nothing is written.
   */
  async putAll(agents: Agent[], nowMs = Date.now()): Promise<AgentPutOutcome> {
    if (agents.length === 0) return { ok: true };
    const groups = [...new Set(agents.flatMap((a) => a.skills.map((s) => s.skillGroupId)))];
    // one array, never a spread into the call: a batch of thousands of agents is many thousands of arguments
    const args = ['3', this.keys.skillGroups(), this.keys.agents(), this.keys.agentIncarnations(), this.keys.rosterBase(), String(nowMs), String(groups.length)].concat(groups);
    // an incarnation for every agent: the script keeps it only for agents it creates
    for (const a of agents) args.push(a.id, JSON.stringify(a), randomBytes(12).toString('base64url'));
    const reply = await guarded(this.scripted.putAgentsUnlessClaiming(args));
    if (reply[0] === 'ok') return { ok: true };
    if (reply[0] === 'no-group') {
      const gone = groupsGone(reply.slice(1).map(String));
      throw new WfmError('conflict', `the agents was not stored: ${gone.reason}`, { details: gone.details });
    }
    const held: HeldClaims[] = [];
    for (let i = 1; i + 4 < reply.length; i += 5) {
      const group = String(reply[i + 4]);
      held.push({ agentId: String(reply[i]), rosterId: String(reply[i + 1]), claims: Number(reply[i + 2]), lastEndMs: Number(reply[i + 3]), ...(group ? { reason: 'skill' as const, skillGroupId: group } : { reason: 'kind' as const }) });
    }
    return { ok: false, refusal: 'claims', held };
  }

  /**
   * Deletes the agent unless a published roster still holds shifts or claimed slots of theirs that are
   * not over at `nowMs` (the roster would keep work of an agent who no longer exists): then 'rostered'
   * with that work per roster, and nothing is deleted. The delete erases what is kept under the agent's
   * id besides (see DELETE_UNLESS_ROSTERED).
   */
  async deleteUnlessRostered(id: string, nowMs: number): Promise<AgentDeleteOutcome> {
    // answer sums are per skill group: a group created after this read has no answers of the agent yet
    // (a tick that read the agent before the delete checks the incarnation before adding any)
    const groups = await guarded(this.redis.hkeys(this.keys.skillGroups()));
    const keys = [this.keys.agents(), this.keys.publishedRosters(), this.keys.agentClaims(id), this.keys.agentIncarnations(), this.keys.triggerLastCalled(), this.keys.agentFeedVersions(), ...groups.map((g) => this.keys.triggerResponses(g))];
    const reply = await guarded(this.scripted.deleteAgentUnlessRostered([String(keys.length), ...keys, this.keys.rosterBase(), id, String(nowMs)]));
    if (reply[0] === 'deleted') return { ok: true };
    if (reply[0] === 'no-agent') return { ok: false, refusal: 'no-agent' };
    const work: RosteredWork[] = [];
    for (let i = 1; i + 3 < reply.length; i += 4) work.push({ rosterId: String(reply[i]), shifts: Number(reply[i + 1]), claims: Number(reply[i + 2]), lastEndMs: Number(reply[i + 3]) });
    return { ok: false, refusal: 'rostered', work };
  }

  /** Deletes the agent whatever rosters hold (fixtures, tests); the API deletes through deleteUnlessRostered. */
  async delete(id: string): Promise<boolean> {
    const replies = await guarded(this.redis.multi().hdel(this.keys.agents(), id).hdel(this.keys.agentIncarnations(), id).hdel(this.keys.agentFeedVersions(), id).exec());
    const [[err, n]] = replies as Array<[Error | null, number]>;
    if (err) throw err;
    return n > 0;
  }
}
