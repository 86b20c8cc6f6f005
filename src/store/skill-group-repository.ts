import type { Redis } from 'ioredis';
import type { SkillGroup } from '../domain/types';
import { guarded } from './redis';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';

/**
 * Deleting a group, all or nothing. What goes is what only the group owns: the group; its policy and
 * state; its interval history (months listed in KEYS[5]); its stored forecast, special days, decision
 * logs, answer sums and realtime signal names (KEYS[7..]); its callout records (ids listed in KEYS[6],
 * fields of the shared hash KEYS[4]); its realtime day keys. The latter are named by the event's UTC day,
 * which may be any day (replays of old data), and nothing lists them: they are found by a SCAN of the
 * prefix. That walks the whole keyspace inside the script (Redis is busy meanwhile: tens of ms per 100k
 * keys), which a rare admin act can afford in exchange for the guarantee that nothing is left half.
 *
 * Refused (nothing deleted, -1) while an agent has the skill or a group overflows to it: the service checks
 * that first and names them; the script checks again because an agent or group written in between
 * would otherwise be left pointing at a group that is gone.
 *
 * Kept on purpose, because they are shared or belong to someone else: published rosters (they cover
 * several groups and are the agents' schedule), the per-agent last-called-at (it keeps an agent from
 * being called again at once for another group) and the dead-letter list (bounded, the audit of what the
 * gateway never took; its entries name the group as text and read without it).
 * The group's callout records go although they are a record of SMS sent: their retention is enforced
 * only by the group's own tick, so kept they would never expire, every listing reads them through an
 * existing group, and a callout still queued must not reach an agent's phone for a group that is gone
 * (its delivery job then finds no callout and stops without sending).
 */
const DELETE_SKILL_GROUP = `
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[1], id) == 0 then return 0 end
for _, json in ipairs(redis.call('HVALS', KEYS[15])) do
  for _, skill in ipairs(cjson.decode(json).skills or {}) do
    if skill.skillGroupId == id then return -1 end
  end
end
for _, json in ipairs(redis.call('HVALS', KEYS[1])) do
  for _, target in ipairs(cjson.decode(json).overflowTo or {}) do
    if target == id then return -1 end
  end
end
local removed = redis.call('HDEL', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
-- in slices: unpack() of thousands of values would overflow Lua's stack
local function each(list, size, f)
  for i = 1, #list, size do f(unpack(list, i, math.min(i + size - 1, #list))) end
end
local months = redis.call('ZRANGE', KEYS[5], 0, -1)
for i, m in ipairs(months) do months[i] = ARGV[2] .. m end
each(months, 500, function(...) redis.call('DEL', ...) end)
each(redis.call('ZRANGE', KEYS[6], 0, -1), 500, function(...) redis.call('HDEL', KEYS[4], ...) end)
-- KEYS[5..14] only the group owns; KEYS[15], the agents, is only read
for i = 5, 14 do redis.call('DEL', KEYS[i]) end
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[3], 'COUNT', 1000)
  cursor = page[1]
  each(page[2], 500, function(...) redis.call('DEL', ...) end)
until cursor == '0'
return removed
`;

type ScriptedRedis = Redis & { deleteSkillGroup(...args: string[]): Promise<number> };

/** Skill groups as JSON in one hash (there are tens, not thousands); deleting one takes what it owns along. */
export class SkillGroupRepository {
  private readonly scripted: ScriptedRedis;

  constructor(private readonly redis: Redis, private readonly keys: Keys) {
    if (!('deleteSkillGroup' in redis)) redis.defineCommand('deleteSkillGroup', { numberOfKeys: 15, lua: DELETE_SKILL_GROUP });
    this.scripted = redis as ScriptedRedis;
  }

  async list(): Promise<SkillGroup[]> {
    const all = await guarded(this.redis.hvals(this.keys.skillGroups()));
    return all.map((json) => JSON.parse(json) as SkillGroup).sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<SkillGroup | undefined> {
    const json = await guarded(this.redis.hget(this.keys.skillGroups(), id));
    return json ? (JSON.parse(json) as SkillGroup) : undefined;
  }

  async map(): Promise<Map<string, SkillGroup>> {
    return new Map((await this.list()).map((g) => [g.id, g]));
  }

  /**
   * Writes all groups in one script: a rejected batch never leaves half of it behind, and none is written
   * while a group they overflow to (outside the batch) has been deleted meanwhile.
   */
  async putAll(groups: SkillGroup[]): Promise<void> {
    if (groups.length === 0) return;
    const inBatch = new Set(groups.map((g) => g.id));
    const write = new GroupGuardedWrite(this.keys.skillGroups()).hset(this.keys.skillGroups(), groups.flatMap((g) => [g.id, JSON.stringify(g)]));
    await write.exec(this.redis, groups.flatMap((g) => g.overflowTo.filter((o) => !inBatch.has(o))), 'the skill groups');
  }

  /**
   * Removes the group and every key only it owns, as one script: no reader (a tick, a forecast, a
   * re-created group of the same id) ever sees half of it. 'in-use': an agent has the skill or a group
   * overflows to it, and nothing was deleted.
   */
  async delete(id: string): Promise<'deleted' | 'no-group' | 'in-use'> {
    const k = this.keys;
    const removed = await guarded(
      this.scripted.deleteSkillGroup(
        k.skillGroups(), k.triggerPolicies(), k.triggerStates(), k.triggerCallouts(), k.historyMonths(id), k.triggerGroupCallouts(id),
        k.forecast(id), k.forecastMeta(id), k.specialDays(id), k.realtimeSignalNames(id),
        k.triggerDecisions(id), k.triggerFiredDecisions(id), k.triggerActiveCallouts(id), k.triggerResponses(id),
        k.agents(),
        id, k.historyMonth(id, ''), `${globEscape(k.realtimeDay(id, ''))}*`,
      ),
    );
    return removed === 1 ? 'deleted' : removed === -1 ? 'in-use' : 'no-group';
  }
}

/** Redis MATCH patterns treat * ? [ ] \ as special: a key prefix is matched literally. */
const globEscape = (literal: string) => literal.replace(/[*?[\]\\]/g, '\\$&');
