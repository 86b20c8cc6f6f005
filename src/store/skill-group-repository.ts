import { randomUUID } from 'node:crypto';
import { withCanonicalZone } from '../domain/validate';
import type { Redis } from 'ioredis';
import type { SkillGroup } from '../domain/types';
import { WfmError, type ProblemDetail } from '../errors/wfm-error';
import { guarded } from './redis';
import type { Keys } from './keys';
import { groupsGone } from './group-guarded-write';

/**
 * Deleting a group, all or nothing. What goes is what only the group owns: the group and its
 * incarnation (KEYS[16]); its policy and state; its interval history (months listed in KEYS[5]); its
 * stored forecast, special days, decision logs, answer sums and realtime signal names (KEYS[7..]); its
 * callout records (ids listed in KEYS[6], fields of the shared hash KEYS[4]); its realtime day keys, by
 * name: the days its realtime index (KEYS[17]) lists, written in the same script as each day key, and the
 * dates ARGV[4..] (the days within the retention, for keys written before the index was). Never a SCAN:
 * inside a script it would walk every key of every deployment on the Redis while Redis serves no one
 * (~1 s per million keys). A realtime batch racing the delete lands wholly before it (its days are in the
 * index, and go) or is refused after it (its script checks the group first): none comes back.
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
-- KEYS[16]: the incarnations; a group re-created with the id gets a new one
redis.call('HDEL', KEYS[16], id)
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
-- the realtime days: ARGV[3] .. date names a day key (KEYS[17] lists the dates, ARGV[4..] are more)
local days = redis.call('ZRANGE', KEYS[17], 0, -1)
for i = 4, #ARGV do days[#days + 1] = ARGV[i] end
for i, d in ipairs(days) do days[i] = ARGV[3] .. d end
each(days, 500, function(...) redis.call('DEL', ...) end)
-- KEYS[5..14] and KEYS[17] only the group owns; KEYS[15], the agents, is only read; KEYS[16] was done above
for i = 5, 14 do redis.call('DEL', KEYS[i]) end
redis.call('DEL', KEYS[17])
return removed
`;

/**
 * Writing a batch of groups, all or nothing, refused while a group it overflows to (outside the batch) is
 * gone, or while a group whose intervalMinutes it changes has history. The service refuses the latter
 * first, with advice, but reads the history before this write: an upload landing in between (validated
 * on the old grid, so accepted) would leave that grid's totals under a group on the new one.
 */
const PUT_SKILL_GROUPS = `
-- KEYS[1]: the skill-groups hash; KEYS[1 + i]: the history months index of the batch's i-th group;
-- KEYS[n + 2]: the incarnations hash.
-- ARGV: n, then n quadruples (id, json, intervalMinutes, a fresh incarnation), then the overflow targets
-- outside the batch.
local n = tonumber(ARGV[1])
local refused = {}
for i = n * 4 + 2, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then
    refused[#refused + 1] = 'gone'
    refused[#refused + 1] = ARGV[i]
    refused[#refused + 1] = ''
  end
end
for i = 1, n do
  local id, minutes = ARGV[4 * i - 2], ARGV[4 * i]
  local before = redis.call('HGET', KEYS[1], id)
  if before then
    local was = tostring(cjson.decode(before).intervalMinutes)
    if was ~= minutes and redis.call('EXISTS', KEYS[1 + i]) == 1 then
      refused[#refused + 1] = 'grid'
      refused[#refused + 1] = id
      refused[#refused + 1] = was
    end
  end
end
if #refused > 0 then return refused end
for i = 1, n do
  redis.call('HSET', KEYS[1], ARGV[4 * i - 2], ARGV[4 * i - 1])
  -- NX: an update keeps the group's incarnation; a new group, or one stored before incarnations were, gets one
  redis.call('HSETNX', KEYS[n + 2], ARGV[4 * i - 2], ARGV[4 * i + 1])
end
return {}
`;

/**
 * KEYS: the skill-groups hash, the incarnations. ARGV: a group id. Its JSON and incarnation (each nil when
 * absent; false, not nil, in Lua: a nil would end the reply's array there), read as of one moment. A script
 * and not MULTI: a script that only reads still runs when Redis is out of memory (it refuses every command
 * queued in a MULTI).
 */
const GROUP_WITH_INCARNATION = `
return {redis.call('HGET', KEYS[1], ARGV[1]) or false, redis.call('HGET', KEYS[2], ARGV[1]) or false}
`;

type ScriptedRedis = Redis & {
  skillGroupWithIncarnation(...args: string[]): Promise<Array<string | null>>;
  deleteSkillGroup(...args: string[]): Promise<number>;
  putSkillGroups(args: string[]): Promise<string[]>;
};

/** Skill groups as JSON in one hash (there are tens, not thousands); deleting one takes what it owns along. */
export class SkillGroupRepository {
  private readonly scripted: ScriptedRedis;

  constructor(private readonly redis: Redis, private readonly keys: Keys) {
    if (!('deleteSkillGroup' in redis)) redis.defineCommand('deleteSkillGroup', { numberOfKeys: 17, lua: DELETE_SKILL_GROUP });
    if (!('putSkillGroups' in redis)) redis.defineCommand('putSkillGroups', { lua: PUT_SKILL_GROUPS });
    if (!('skillGroupWithIncarnation' in redis)) redis.defineCommand('skillGroupWithIncarnation', { numberOfKeys: 2, lua: GROUP_WITH_INCARNATION });
    this.scripted = redis as ScriptedRedis;
  }

  async list(): Promise<SkillGroup[]> {
    const all = await guarded(this.redis.hvals(this.keys.skillGroups()));
    return all.map((json) => withCanonicalZone(JSON.parse(json) as SkillGroup)).sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<SkillGroup | undefined> {
    const json = await guarded(this.redis.hget(this.keys.skillGroups(), id));
    return json ? withCanonicalZone(JSON.parse(json) as SkillGroup) : undefined;
  }

  /**
   * The group with its incarnation, read in one script (a delete and re-create cannot fall between the
   * two reads). incarnation undefined: a group stored before incarnations were (it gets one at its next
   * put), which matches any.
   */
  async getWithIncarnation(id: string): Promise<{ group: SkillGroup; incarnation?: string } | undefined> {
    const [json, incarnation] = await guarded(this.scripted.skillGroupWithIncarnation(this.keys.skillGroups(), this.keys.skillGroupIncarnations(), id));
    if (!json) return undefined;
    return { group: withCanonicalZone(JSON.parse(json) as SkillGroup), ...(incarnation ? { incarnation } : {}) };
  }

  async map(): Promise<Map<string, SkillGroup>> {
    return new Map((await this.list()).map((g) => [g.id, g]));
  }

  /**
   * Writes all groups in one script (PUT_SKILL_GROUPS): a rejected batch never leaves half of it behind,
   * and none is written while a group they overflow to (outside the batch) has been deleted meanwhile, or
   * while a group whose interval the batch changes has history (uploaded since the service checked).
   */
  async putAll(groups: SkillGroup[]): Promise<void> {
    if (groups.length === 0) return;
    const inBatch = new Set(groups.map((g) => g.id));
    const targets = [...new Set(groups.flatMap((g) => g.overflowTo.filter((o) => !inBatch.has(o))))];
    const keys = [this.keys.skillGroups(), ...groups.map((g) => this.keys.historyMonths(g.id)), this.keys.skillGroupIncarnations()];
    // an incarnation for every group: the script keeps it only for groups that have none yet
    const args = [String(groups.length), ...groups.flatMap((g) => [g.id, JSON.stringify(g), String(g.intervalMinutes), randomUUID()]), ...targets];
    const refused = await guarded(this.scripted.putSkillGroups([String(keys.length), ...keys, ...args]));
    if (refused.length) throw putRefusal(refused, groups);
  }

  /**
   * Removes the group and every key only it owns, as one script: no reader (a tick, a forecast, a
   * re-created group of the same id) ever sees half of it. 'in-use': an agent has the skill or a group
   * overflows to it, and nothing was deleted. `realtimeDates`: UTC dates whose realtime day keys go too
   * besides those the group's index lists (RealtimeRepository.datesWrittenBeforeTheIndex).
   */
  async delete(id: string, realtimeDates: readonly string[] = []): Promise<'deleted' | 'no-group' | 'in-use'> {
    const k = this.keys;
    const removed = await guarded(
      this.scripted.deleteSkillGroup(
        k.skillGroups(), k.triggerPolicies(), k.triggerStates(), k.triggerCallouts(), k.historyMonths(id), k.triggerGroupCallouts(id),
        k.forecast(id), k.forecastMeta(id), k.specialDays(id), k.realtimeSignalNames(id),
        k.triggerDecisions(id), k.triggerFiredDecisions(id), k.triggerActiveCallouts(id), k.triggerResponses(id),
        k.agents(), k.skillGroupIncarnations(), k.realtimeDays(id),
        id, k.historyMonth(id, ''), k.realtimeDay(id, ''), ...realtimeDates,
      ),
    );
    return removed === 1 ? 'deleted' : removed === -1 ? 'in-use' : 'no-group';
  }
}

/** The 409 of a refused batch of groups: overflow targets deleted meanwhile, grid changes over history. */
function putRefusal(refused: string[], groups: SkillGroup[]): WfmError {
  const gone: string[] = [];
  const details: ProblemDetail[] = [];
  const reasons: string[] = [];
  for (let i = 0; i < refused.length; i += 3) {
    const [why, id, was] = refused.slice(i, i + 3);
    if (why === 'gone') {
      gone.push(id);
      details.push(...groupsGone([id]).details);
    } else {
      const to = groups.find((g) => g.id === id)?.intervalMinutes;
      reasons.push(`skill group ${id} cannot change from ${was} to ${to} minutes: history on its ${was}-minute intervals was stored while the change was under way`);
      details.push({
        where: `/skill-groups/${id}`,
        message: `history on ${was}-minute intervals was stored while this change was under way; create a skill group with the new interval and upload the history to it`,
      });
    }
  }
  if (gone.length) reasons.unshift(groupsGone(gone).reason);
  return new WfmError('conflict', `the skill groups were not stored: ${reasons.join('; ')}`, { details });
}
