import type { Redis } from 'ioredis';
import type { Agent } from '../domain/types';
import { guarded } from './redis';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';

/**
 * KEYS: the agents hash, the published rosters (score = end of the period), the agent's claims.
 * ARGV: roster key base ("<prefix>:{rosters}:"), agent id, now.
 * Deletes the agent only while no published roster still running holds work of theirs that is not over:
 * a shift (its by-agent entry) or a claimed slot. Otherwise answers { 'rostered', then per roster: id,
 * shifts, claims, end of the last }, and deletes nothing. One script, so a roster published or a slot
 * claimed between a check and the delete cannot slip through.
 */
const DELETE_UNLESS_ROSTERED = `
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
local claims = redis.call('HGETALL', KEYS[3])
for i = 1, #claims, 2 do
  local rosterId = string.match(claims[i], '^([^|]*)|')
  local e = tonumber(string.match(claims[i + 1], '^%d+,(%d+)'))
  if rosterId and e and e > now and redis.call('HGET', ARGV[1] .. rosterId .. ':state', 'status') == 'published' then hold(rosterId, 2, e) end
end
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
return {'deleted'}
`;

/** Work of an agent on one published roster that is not over yet. */
export interface RosteredWork {
  rosterId: string;
  shifts: number;
  claims: number;
  /** when the last of it ends */
  lastEndMs: number;
}

export type AgentDeleteOutcome = { ok: true } | { ok: false; refusal: 'no-agent' } | { ok: false; refusal: 'rostered'; work: RosteredWork[] };

type ScriptedRedis = Redis & { deleteAgentUnlessRostered(...args: string[]): Promise<Array<string | number>> };

/** Agents as JSON in one hash: a center has hundreds to a few thousand, read whole for rostering. */
export class AgentRepository {
  private readonly scripted: ScriptedRedis;

  constructor(private readonly redis: Redis, private readonly keys: Keys) {
    if (!('deleteAgentUnlessRostered' in redis)) redis.defineCommand('deleteAgentUnlessRostered', { numberOfKeys: 3, lua: DELETE_UNLESS_ROSTERED });
    this.scripted = redis as ScriptedRedis;
  }

  async list(): Promise<Agent[]> {
    const all = await guarded(this.redis.hvals(this.keys.agents()));
    return all.map((json) => JSON.parse(json) as Agent).sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Cloud agents only, unsorted: the surge trigger reads them every minute, and a large center's partner
   * agents (the most) are not parsed. The text test only skips work; the parsed kind decides.
   */
  async cloudAgents(): Promise<Agent[]> {
    const all = await guarded(this.redis.hvals(this.keys.agents()));
    return all.filter((json) => json.includes('"kind":"cloud"')).map((json) => JSON.parse(json) as Agent).filter((a) => a.kind === 'cloud');
  }

  async get(id: string): Promise<Agent | undefined> {
    const json = await guarded(this.redis.hget(this.keys.agents(), id));
    return json ? (JSON.parse(json) as Agent) : undefined;
  }

  /** All agents in one script, and none while a skill group they name has been deleted meanwhile. */
  async putAll(agents: Agent[]): Promise<void> {
    if (agents.length === 0) return;
    const write = new GroupGuardedWrite(this.keys.skillGroups()).hset(this.keys.agents(), agents.flatMap((a) => [a.id, JSON.stringify(a)]));
    await write.exec(this.redis, agents.flatMap((a) => a.skills.map((s) => s.skillGroupId)), 'the agents');
  }

  /**
   * Deletes the agent unless a published roster still holds shifts or claimed slots of theirs that are
   * not over at `nowMs` (the roster would keep work of an agent who no longer exists): then 'rostered'
   * with that work per roster, and nothing is deleted.
   */
  async deleteUnlessRostered(id: string, nowMs: number): Promise<AgentDeleteOutcome> {
    const reply = await guarded(
      this.scripted.deleteAgentUnlessRostered(this.keys.agents(), this.keys.publishedRosters(), this.keys.agentClaims(id), this.keys.rosterBase(), id, String(nowMs)),
    );
    if (reply[0] === 'deleted') return { ok: true };
    if (reply[0] === 'no-agent') return { ok: false, refusal: 'no-agent' };
    const work: RosteredWork[] = [];
    for (let i = 1; i + 3 < reply.length; i += 4) work.push({ rosterId: String(reply[i]), shifts: Number(reply[i + 1]), claims: Number(reply[i + 2]), lastEndMs: Number(reply[i + 3]) });
    return { ok: false, refusal: 'rostered', work };
  }

  /** Deletes the agent whatever rosters hold (fixtures, tests); the API deletes through deleteUnlessRostered. */
  async delete(id: string): Promise<boolean> {
    const n = await guarded(this.redis.hdel(this.keys.agents(), id));
    return n > 0;
  }
}
