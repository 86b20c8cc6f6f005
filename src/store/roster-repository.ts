/**
 * Rosters in Redis: drafts written whole by the `build-roster` job, published by a planner, cloud-agent
 * claims on their slots, and the reads the surge trigger needs over published rosters.
 *
 * Layout (every key under the `{rosters}` hash tag, so the publish and claim scripts touch one cluster slot):
 *   <id>:meta        JSON: period, skill groups, request, summary, fairness, reasons… (written once)
 *   <id>:state       hash: status, startMs, endMs, groups, replanOf, publishedAt, supersededBy
 *   <id>:by-agent    hash: agent id → JSON array of that agent's shifts (per-agent schedule, iCal feeds)
 *   <id>:by-start    sorted set: score = shift start, member = JSON shift (time-window reads, exports)
 *   <id>:uncovered   JSON: planned shifts no partner could take (re-planning starts from them)
 *   <id>:coverage    JSON: coverage per (skill group, interval)
 *   <id>:slots       hash: slot id → JSON cloud slot
 *   <id>:failure     JSON: why the build of <id> failed (code, message, errors), kept as long as the failed job
 *   <id>:claims:<slot>  set of cloud agent ids holding the slot
 *   index            sorted set of every roster id by creation time
 *   published        sorted set of published roster ids, score = end of the period
 *   agent-claims:<agent>  hash: "<roster>|<slot>" → "start,end,skillGroup" (overlap, rest and weekly
 *                    hours are checked against every claim of the agent, whatever the roster)
 * A draft is written whole by a script that checks in the same step that it is still a draft (a publish
 * cannot be overwritten by a retried build); publish, claim and release are Lua scripts too, so concurrent
 * requests cannot over-fill a slot or publish two overlapping rosters. The claim and publish scripts also
 * read the agents hash (outside the hash tag, as the agent's delete reads the rosters): a claim needs a
 * stored cloud agent, a publish stored agents, each in the step that writes. Publishing also takes the published
 * rosters its caller checked the draft against (double-booked agents): if another was published meanwhile,
 * the script refuses as stale and the caller checks again, so that check is as good as atomic.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AssignedShift, PlannedShift } from '../roster/types';
import type { RosterCoverageRow } from '../roster/build';
import type { CloudSlot } from '../roster/assignment';
import { asUnavailable, guarded } from './redis';
import type { Keys } from './keys';
import { WfmError, type ProblemDetail } from '../errors/wfm-error';
import { groupsGone } from './group-guarded-write';

export type RosterStatus = 'draft' | 'published' | 'superseded';

/** Where a page of the roster list ends: its last roster's creation (the index's score) and id. */
export interface RosterCursor {
  createdMs: number;
  id: string;
}

/** Coverage of one interval with the forecast traffic and what the scheduled agents are predicted to achieve. */
export type StoredCoverageRow = RosterCoverageRow;

export interface RosterPeriod {
  /** first local date, YYYY-MM-DD */
  from: string;
  days: number;
  timeZone: string;
  /** the period as instants, [startMs, endMs) */
  startMs: number;
  endMs: number;
}

/** What is written once with the draft; the service decides the content of the open-ended parts. */
export interface StoredRosterMeta {
  id: string;
  createdAt: string;
  period: RosterPeriod;
  skillGroupIds: string[];
  /** the roster this one re-plans; publishing it supersedes that one */
  replanOf?: string;
  /** the request it was built from (templates, penalties, options): re-planning reuses it */
  request: Record<string, unknown>;
  summary: Record<string, unknown>;
  /** anything else the builder reports (fairness, uncovered reasons, forecast sources, changes…) */
  details: Record<string, unknown>;
}

export interface RosterState {
  status: RosterStatus;
  publishedAt?: string;
  supersededBy?: string;
}

export type StoredRoster = StoredRosterMeta & RosterState;

export interface NewRoster {
  meta: StoredRosterMeta;
  shifts: AssignedShift[];
  uncovered: PlannedShift[];
  coverage: StoredCoverageRow[];
  slots: CloudSlot[];
}

/** Why a build failed, as the status view answers it (BullMQ itself keeps only a line of text). */
export interface BuildFailure {
  code: string;
  message: string;
  errors: ProblemDetail[];
  failedAt: string;
}

export interface SlotWithClaims extends CloudSlot {
  rosterId: string;
  claimedBy: string[];
}

export interface ClaimedSlot {
  rosterId: string;
  slotId: string;
  skillGroupId: string;
  agentId: string;
  start: number;
  end: number;
}

/** The rules a claim must keep, from the cloud agent's contract and the roster's week blocks. */
export interface ClaimLimits {
  minRestMs: number;
  maxHoursPerWeek: number;
  /** the 7-day block the slot starts in, [weekStartMs, weekEndMs) */
  weekStartMs: number;
  weekEndMs: number;
  /** most working days in that block (a shift's day: the local date it starts on), with the block's 7 local midnights */
  maxDaysPerWeek?: number;
  weekDayStartsMs?: number[];
}

export type ClaimRefusal =
  | 'not-cloud-agent'
  | 'no-skill'
  | 'days-per-week'
  | 'no-roster'
  | 'not-published'
  | 'no-slot'
  | 'started'
  | 'already-claimed'
  | 'full'
  | 'overlap'
  | 'rest'
  | 'weekly-hours';

export type ClaimOutcome =
  | { ok: true; claimed: number; agentsNeeded: number }
  | { ok: false; refusal: ClaimRefusal; conflictWith?: string };

export type ReleaseOutcome = { ok: true } | { ok: false; refusal: 'no-roster' | 'no-slot' | 'not-claimed' | 'cut-off'; cutoffAt?: number };

/** A slot of the re-plan that the claims on the roster it replaces no longer fit. */
export interface OverfullSlot {
  slotId: string;
  /** claims the slot would hold once moved */
  claims: number;
  /** the re-plan's places in the slot (agentsNeeded) */
  places: number;
}

export type PublishOutcome =
  | { ok: true; superseded?: string; movedClaims: number; orphanedClaims: string[] }
  | { ok: false; refusal: 'no-roster' | 'not-draft' | 'conflict' | 'stale'; status?: string; conflicts?: string[] }
  /** agents given shifts by the draft who are no longer stored (deleted since the caller checked) */
  | { ok: false; refusal: 'gone'; agents: string[] }
  /** the re-plan's slots are too small for the claims made on `replaced` since the re-plan read them */
  | { ok: false; refusal: 'over-capacity'; replaced: string; overfull: OverfullSlot[] };

/** Longest shift the templates allow is 16 h; a window read looks back this far for shifts still running. */
const LONGEST_SHIFT_MS = 24 * 3_600_000;

/** A Lua script run by SHA, loaded on first use or after a Redis restart (NOSCRIPT). */
class Script {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw asUnavailable(err);
      return guarded(redis.eval(this.source, keys.length, ...keys, ...args));
    }
  }
}

/**
 * KEYS: state, slots, claims of the slot, the agent's claims, the agents hash.
 * ARGV: slot id, agent id, claim field, now, min rest ms, max hours per week, week start, week end.
 * Refusals come back as { reason, detail }; success as { 'ok', claimed, needed }.
 * The agent must be stored as a cloud agent with the slot's skill in this same step: the caller read them
 * before, and a delete, a change to partner or a skill taken away in between (each refused while the agent
 * holds such claims) would otherwise leave a claim held by nobody, or on a group the agent no longer has.
 */
const CLAIM = new Script(`
local agentJson = redis.call('HGET', KEYS[5], ARGV[2])
local agent = agentJson and cjson.decode(agentJson)
if not agent or agent.kind ~= 'cloud' then return {'not-cloud-agent'} end
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'no-roster'} end
if status ~= 'published' then return {'not-published'} end
local slotJson = redis.call('HGET', KEYS[2], ARGV[1])
if not slotJson then return {'no-slot'} end
local slot = cjson.decode(slotJson)
-- the skill, read in this same step: a planner's write taking it away races the caller's earlier check
local hasSkill = false
for _, skill in ipairs(agent.skills or {}) do
  if skill.skillGroupId == slot.skillGroupId then hasSkill = true end
end
if not hasSkill then return {'no-skill', slot.skillGroupId} end
local now = tonumber(ARGV[4])
if now >= slot.start then return {'started'} end
if redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 1 then return {'already-claimed'} end
local claimed = redis.call('SCARD', KEYS[3])
if claimed >= slot.agentsNeeded then return {'full'} end
local minRest = tonumber(ARGV[5])
local weekStart = tonumber(ARGV[7])
local weekEnd = tonumber(ARGV[8])
local hours = (slot['end'] - slot.start) / 3600000
-- working days of the week: a shift's day is the local date it starts on (ARGV[9]: the week's local midnights)
local dayStarts = {}
for d in string.gmatch(ARGV[9] or '', '[^,]+') do dayStarts[#dayStarts + 1] = tonumber(d) end
local function dayOf(t)
  local day = 0
  for k = 1, #dayStarts do if t >= dayStarts[k] then day = k end end
  return day
end
local days = {}
local dayCount = 0
if #dayStarts > 0 then
  days[dayOf(slot.start)] = true
  dayCount = 1
end
local existing = redis.call('HGETALL', KEYS[4])
for i = 1, #existing, 2 do
  local s, e = string.match(existing[i + 1], '^(%d+),(%d+),')
  s = tonumber(s)
  e = tonumber(e)
  if s < slot['end'] and slot.start < e then return {'overlap', existing[i]} end
  if (s >= slot['end'] and s - slot['end'] < minRest) or (e <= slot.start and slot.start - e < minRest) then return {'rest', existing[i]} end
  if s >= weekStart and s < weekEnd then
    hours = hours + (e - s) / 3600000
    if #dayStarts > 0 and not days[dayOf(s)] then
      days[dayOf(s)] = true
      dayCount = dayCount + 1
    end
  end
end
if hours > tonumber(ARGV[6]) + 1e-9 then return {'weekly-hours'} end
if ARGV[10] and dayCount > tonumber(ARGV[10]) then return {'days-per-week'} end
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[3], slot.start .. ',' .. slot['end'] .. ',' .. slot.skillGroupId)
return {'ok', claimed + 1, slot.agentsNeeded}
`);

/**
 * KEYS: state, slots, claims of the slot, the agent's claims.
 * ARGV: slot id, agent id, claim field, now, cut-off ms before the start.
 */
const RELEASE = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'no-roster'} end
local slotJson = redis.call('HGET', KEYS[2], ARGV[1])
if not slotJson then return {'no-slot'} end
if redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 0 then return {'not-claimed'} end
local slot = cjson.decode(slotJson)
local cutoff = slot.start - tonumber(ARGV[5])
if tonumber(ARGV[4]) >= cutoff then return {'cut-off', cutoff} end
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[3])
return {'ok'}
`);

/**
 * KEYS: state of the draft, published index, the agents hash.
 * ARGV: key base ("<prefix>:{rosters}:"), draft id, published-at ISO, '1' to require that every agent the
 * draft gives shifts to is stored (else '0'), and optionally the published rosters overlapping the period
 * that the caller checked the draft against (comma-separated, any order).
 * Agents deleted since the caller checked them answer { 'gone', ids… }: an agent's delete refuses only
 * while a published roster holds their work, so without this a delete landing between the caller's check
 * and this script would leave the roster published with shifts of an agent who no longer exists.
 * A published roster whose period overlaps the draft's and shares a skill group is a conflict, unless it
 * is the one the draft re-plans: that one is superseded, and its claims move to the draft's slot of the
 * same id (a re-plan carries every claimed slot over, so none should be orphaned).
 * When the overlapping published rosters are no longer the ones the caller checked (one was published or
 * superseded since), the answer is 'stale': the caller's double-booking check must run again. Published
 * rosters' shifts never change, so the same ids mean the same shifts.
 */
const PUBLISH = new Script(`
local base = ARGV[1]
local id = ARGV[2]
local state = redis.call('HGETALL', KEYS[1])
if #state == 0 then return {'no-roster'} end
local s = {}
for i = 1, #state, 2 do s[state[i]] = state[i + 1] end
if s.status ~= 'draft' then return {'not-draft', s.status} end
if ARGV[4] == '1' then
  local gone = {'gone'}
  for _, agentId in ipairs(redis.call('HKEYS', base .. id .. ':by-agent')) do
    if redis.call('HEXISTS', KEYS[3], agentId) == 0 then gone[#gone + 1] = agentId end
  end
  if #gone > 1 then return gone end
end
local startMs = tonumber(s.startMs)
local endMs = tonumber(s.endMs)
local groups = {}
for g in string.gmatch(s.groups, '[^,]+') do groups[g] = true end
local checking = ARGV[5] ~= nil
local seen = {}
local seenCount = 0
if checking then
  for other in string.gmatch(ARGV[5], '[^,]+') do
    seen[other] = true
    seenCount = seenCount + 1
  end
end
local stale = false
local overlapping = 0
local conflicts = {}
local replaced = nil
for _, other in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. startMs, '+inf')) do
  local o = redis.call('HMGET', base .. other .. ':state', 'startMs', 'groups')
  if tonumber(o[1]) < endMs then
    overlapping = overlapping + 1
    if checking and not seen[other] then stale = true end
    local shared = false
    for g in string.gmatch(o[2], '[^,]+') do if groups[g] then shared = true end end
    if shared then
      if other == s.replanOf then replaced = other else table.insert(conflicts, other) end
    end
  end
end
if #conflicts > 0 then
  table.insert(conflicts, 1, 'conflict')
  return conflicts
end
if checking and (stale or overlapping ~= seenCount) then return {'stale'} end
local moved = 0
local orphaned = {}
if replaced then
  local oldBase = base .. replaced
  -- The re-plan sized each carried slot from the claims its job read; claims made on the replaced roster
  -- while the job ran come along too. Claims are atomic (a slot of 10 never holds 11), so when they no
  -- longer fit, nothing is published: { 'over-capacity', replaced, then per slot: id, claims, places }.
  local moves = {}
  local over = {}
  for _, slotId in ipairs(redis.call('HKEYS', oldBase .. ':slots')) do
    local holders = redis.call('SMEMBERS', oldBase .. ':claims:' .. slotId)
    if #holders > 0 then
      local newSlot = redis.call('HGET', base .. id .. ':slots', slotId)
      if newSlot then
        local newClaims = base .. id .. ':claims:' .. slotId
        local total = redis.call('SCARD', newClaims)
        for _, agent in ipairs(holders) do
          if redis.call('SISMEMBER', newClaims, agent) == 0 then total = total + 1 end
        end
        local places = cjson.decode(newSlot).agentsNeeded
        if total > places then
          over[#over + 1] = slotId
          over[#over + 1] = total
          over[#over + 1] = places
        end
        moves[#moves + 1] = {slotId, holders}
      else
        table.insert(orphaned, slotId)
      end
    end
  end
  if #over > 0 then
    table.insert(over, 1, replaced)
    table.insert(over, 1, 'over-capacity')
    return over
  end
  for _, move in ipairs(moves) do
    local slotId = move[1]
    for _, agent in ipairs(move[2]) do
      local agentKey = base .. 'agent-claims:' .. agent
      local value = redis.call('HGET', agentKey, replaced .. '|' .. slotId)
      redis.call('HDEL', agentKey, replaced .. '|' .. slotId)
      if value then redis.call('HSET', agentKey, id .. '|' .. slotId, value) end
      redis.call('SADD', base .. id .. ':claims:' .. slotId, agent)
      moved = moved + 1
    end
    redis.call('DEL', oldBase .. ':claims:' .. slotId)
  end
  redis.call('HSET', oldBase .. ':state', 'status', 'superseded', 'supersededBy', id)
  redis.call('ZREM', KEYS[2], replaced)
end
redis.call('HSET', KEYS[1], 'status', 'published', 'publishedAt', ARGV[3])
redis.call('ZADD', KEYS[2], endMs, id)
local result = {'ok', replaced or '', moved}
for _, slotId in ipairs(orphaned) do table.insert(result, slotId) end
return result
`);

/**
 * KEYS: state, roster index. ARGV: key base, roster id.
 * Deletes a draft or superseded roster whole, with any claims left on it; a published one stays.
 */
const DELETE = new Script(`
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'no-roster'} end
if status == 'published' then return {'published'} end
local base = ARGV[1] .. ARGV[2]
for _, slotId in ipairs(redis.call('HKEYS', base .. ':slots')) do
  for _, agent in ipairs(redis.call('SMEMBERS', base .. ':claims:' .. slotId)) do
    redis.call('HDEL', ARGV[1] .. 'agent-claims:' .. agent, ARGV[2] .. '|' .. slotId)
  end
  redis.call('DEL', base .. ':claims:' .. slotId)
end
for _, part in ipairs({'meta', 'state', 'by-agent', 'by-start', 'uncovered', 'coverage', 'slots'}) do redis.call('DEL', base .. ':' .. part) end
redis.call('ZREM', KEYS[2], ARGV[2])
return {'ok'}
`);

/**
 * KEYS: state, roster index, the skill-groups hash. ARGV: key base, roster id, meta JSON, then JSON arrays
 * of the state's field/value pairs, by-agent field/value pairs, by-start score/member pairs, the uncovered
 * and coverage JSON, slots field/value pairs, the index score (creation time), and the roster's skill
 * group ids (a JSON array).
 * Writes a draft whole, replacing a draft of the same id; refused ('not-draft') when the roster is
 * published or superseded: checked and written in one step, so a publish cannot land between the check and
 * the write and be overwritten by the draft. Refused too ({ 'no-group', ids… }, as GroupGuardedWrite
 * answers) while a skill group of the roster is gone (deleted, or a Redis restarted empty, while the build
 * ran): the draft would be listed for a group that no longer exists. The skill-groups hash is outside the
 * {rosters} hash tag, as the agents hash the publish and claim scripts read. Pairs are written one call
 * each (a long list would overflow Lua's unpack).
 */
const SAVE_DRAFT = new Script(`
local status = redis.call('HGET', KEYS[1], 'status')
if status and status ~= 'draft' then return {'not-draft', status} end
local missing = {'no-group'}
for _, group in ipairs(cjson.decode(ARGV[11])) do
  if redis.call('HEXISTS', KEYS[3], group) == 0 then missing[#missing + 1] = group end
end
if #missing > 1 then return missing end
local base = ARGV[1] .. ARGV[2]
for _, slotId in ipairs(redis.call('HKEYS', base .. ':slots')) do redis.call('DEL', base .. ':claims:' .. slotId) end
for _, part in ipairs({'meta', 'state', 'by-agent', 'by-start', 'uncovered', 'coverage', 'slots'}) do redis.call('DEL', base .. ':' .. part) end
local function pairsInto(command, key, list)
  for i = 1, #list, 2 do redis.call(command, key, list[i], list[i + 1]) end
end
redis.call('SET', base .. ':meta', ARGV[3])
pairsInto('HSET', KEYS[1], cjson.decode(ARGV[4]))
pairsInto('HSET', base .. ':by-agent', cjson.decode(ARGV[5]))
pairsInto('ZADD', base .. ':by-start', cjson.decode(ARGV[6]))
redis.call('SET', base .. ':uncovered', ARGV[7])
redis.call('SET', base .. ':coverage', ARGV[8])
pairsInto('HSET', base .. ':slots', cjson.decode(ARGV[9]))
redis.call('ZADD', KEYS[2], ARGV[10], ARGV[2])
return {'ok'}
`);

/** Claims are kept per agent as "<roster>|<slot>": the field names both. */
const claimField = (rosterId: string, slotId: string) => `${rosterId}|${slotId}`;

export class RosterRepository {
  constructor(private readonly redis: Redis, private readonly keys: Keys) {}

  /**
   * Writes a draft whole (replacing a draft of the same id, e.g. when its job is retried). A roster
   * published or superseded meanwhile (its first draft published while a retry rebuilt it) is a conflict:
   * a retry cannot change that, so the job fails without one, and the published roster stays as it is.
   * So is a skill group of the roster gone meanwhile (deleted, or Redis restarted empty): nothing is
   * written, rather than a draft of a group that no longer exists.
   */
  async saveDraft(roster: NewRoster): Promise<void> {
    const { meta } = roster;
    const byAgent = new Map<string, AssignedShift[]>();
    for (const s of roster.shifts) byAgent.set(s.agentId, [...(byAgent.get(s.agentId) ?? []), s]);
    const state = {
      status: 'draft',
      startMs: String(meta.period.startMs),
      endMs: String(meta.period.endMs),
      groups: meta.skillGroupIds.join(','),
      ...(meta.replanOf ? { replanOf: meta.replanOf } : {}),
    };
    const reply = (await SAVE_DRAFT.run(this.redis, [this.keys.roster(meta.id, 'state'), this.keys.rosterIndex(), this.keys.skillGroups()], [
      this.keys.rosterBase(),
      meta.id,
      JSON.stringify(meta),
      JSON.stringify(Object.entries(state).flat()),
      JSON.stringify([...byAgent].flatMap(([agentId, list]) => [agentId, JSON.stringify(list.sort((a, b) => a.start - b.start))])),
      JSON.stringify(roster.shifts.flatMap((s) => [String(s.start), JSON.stringify(s)])),
      JSON.stringify(roster.uncovered),
      JSON.stringify(roster.coverage),
      JSON.stringify(roster.slots.flatMap((s) => [s.id, JSON.stringify(s)])),
      Date.parse(meta.createdAt),
      JSON.stringify(meta.skillGroupIds),
    ])) as string[];
    if (reply[0] === 'no-group') {
      const gone = groupsGone(reply.slice(1));
      throw new WfmError('conflict', `roster ${meta.id} was not stored: ${gone.reason}`, { details: gone.details });
    }
    if (reply[0] !== 'ok') {
      throw new WfmError('conflict', `roster ${meta.id} is ${reply[1]}; only a draft can be rewritten`, {
        details: [{ where: `/rosters/${meta.id}`, message: `${reply[1]} while it was being built: the build is not stored` }],
      });
    }
  }

  async saveBuildFailure(id: string, failure: BuildFailure, ttlSeconds: number): Promise<void> {
    await guarded(this.redis.set(this.keys.roster(id, 'failure'), JSON.stringify(failure), 'EX', ttlSeconds));
  }

  async buildFailure(id: string): Promise<BuildFailure | undefined> {
    const json = await guarded(this.redis.get(this.keys.roster(id, 'failure')));
    return json ? (JSON.parse(json) as BuildFailure) : undefined;
  }

  /**
   * Each roster's time zone (its period's), for instants shown as the roster's shifts show them (with the
   * zone's offset: 08:00+01:00 for a Berlin slot, not 07:00Z). Rosters that do not exist are left out.
   */
  async zonesOf(ids: Iterable<string>): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    const rosters = await Promise.all(unique.map((id) => this.get(id)));
    return new Map(rosters.flatMap((r) => (r ? [[r.id, r.period.timeZone] as [string, string]] : [])));
  }

  async get(id: string): Promise<StoredRoster | undefined> {
    const [meta, state] = await Promise.all([
      guarded(this.redis.get(this.keys.roster(id, 'meta'))),
      guarded(this.redis.hgetall(this.keys.roster(id, 'state'))),
    ]);
    if (!meta || !state.status) return undefined;
    return {
      ...(JSON.parse(meta) as StoredRosterMeta),
      status: state.status as RosterStatus,
      ...(state.publishedAt ? { publishedAt: state.publishedAt } : {}),
      ...(state.supersededBy ? { supersededBy: state.supersededBy } : {}),
    };
  }

  /** Newest first. */
  async list(limit = 100): Promise<StoredRoster[]> {
    return (await this.listPage(limit)).rosters;
  }

  /**
   * Stored rosters newest first, as the index orders them (by creation; rosters created in one
   * millisecond by id, descending): at most `limit`, those after `after` (where an earlier page ended; its
   * roster need not exist any more), and where this page ends when more follow. Keyset paging: rosters
   * stored or deleted in between neither repeat nor hide the ones after the cursor.
   */
  async listPage(limit: number, after?: RosterCursor): Promise<{ rosters: StoredRoster[]; next?: RosterCursor }> {
    const index = this.keys.rosterIndex();
    // after the cursor: an older roster, or one of its millisecond with a smaller id (ids are ASCII: as Redis compares them)
    const follows = (id: string, score: number) => !after || score < after.createdMs || (score === after.createdMs && id < after.id);
    const entries: RosterCursor[] = [];
    const batch = limit + 16;
    for (let offset = 0; entries.length <= limit; offset += batch) {
      const flat = await guarded(this.redis.zrevrangebyscore(index, after ? String(after.createdMs) : '+inf', '-inf', 'WITHSCORES', 'LIMIT', offset, batch));
      for (let i = 0; i + 1 < flat.length; i += 2) if (follows(flat[i], Number(flat[i + 1]))) entries.push({ id: flat[i], createdMs: Number(flat[i + 1]) });
      if (flat.length < 2 * batch) break;
    }
    const page = entries.slice(0, limit);
    const rosters = (await Promise.all(page.map((e) => this.get(e.id)))).filter((r): r is StoredRoster => r !== undefined);
    return { rosters, ...(entries.length > limit ? { next: page[page.length - 1] } : {}) };
  }

  /** Every shift of the roster, by start; or one agent's. */
  async shifts(id: string, agentId?: string): Promise<AssignedShift[]> {
    if (agentId !== undefined) {
      const json = await guarded(this.redis.hget(this.keys.roster(id, 'by-agent'), agentId));
      return json ? (JSON.parse(json) as AssignedShift[]) : [];
    }
    const members = await guarded(this.redis.zrange(this.keys.roster(id, 'by-start'), 0, -1));
    return members.map((m) => JSON.parse(m) as AssignedShift);
  }

  async agentIds(id: string): Promise<string[]> {
    return (await guarded(this.redis.hkeys(this.keys.roster(id, 'by-agent')))).sort();
  }

  async uncovered(id: string): Promise<PlannedShift[]> {
    const json = await guarded(this.redis.get(this.keys.roster(id, 'uncovered')));
    return json ? (JSON.parse(json) as PlannedShift[]) : [];
  }

  async coverage(id: string): Promise<StoredCoverageRow[]> {
    const json = await guarded(this.redis.get(this.keys.roster(id, 'coverage')));
    return json ? (JSON.parse(json) as StoredCoverageRow[]) : [];
  }

  /** The roster's cloud slots with the agents holding each, by start. */
  async slots(id: string): Promise<SlotWithClaims[]> {
    const hash = await guarded(this.redis.hgetall(this.keys.roster(id, 'slots')));
    const slots = Object.values(hash).map((json) => JSON.parse(json) as CloudSlot);
    const pipeline = this.redis.pipeline();
    for (const s of slots) pipeline.smembers(this.keys.roster(id, `claims:${s.id}`));
    const holders = (await guarded(pipeline.exec())) ?? [];
    return slots
      .map((s, i) => ({ ...s, rosterId: id, claimedBy: ((holders[i]?.[1] as string[]) ?? []).sort() }))
      .sort((a, b) => a.start - b.start || a.skillGroupId.localeCompare(b.skillGroupId) || a.end - b.end);
  }

  async slot(id: string, slotId: string): Promise<CloudSlot | undefined> {
    const json = await guarded(this.redis.hget(this.keys.roster(id, 'slots'), slotId));
    return json ? (JSON.parse(json) as CloudSlot) : undefined;
  }

  /**
   * draft → published, atomically: refused when another published roster overlaps in period and skill
   * group, unless it is the roster this draft re-plans (then that one is superseded and its claims move;
   * 'over-capacity' when they no longer fit the re-plan's slots);
   * 'stale' when the published rosters overlapping the period are no longer `checkedAgainst`
   * (what `publishedOverlapping` answered when the caller checked the draft against them). Without
   * `checkedAgainst` (no such check was made: fixtures, imports) nothing can be stale.
   * `agentsMustExist`: 'gone' when an agent the draft gives shifts to is not stored (the service checks
   * that before, and this closes the gap to a delete; fixtures publish rosters of agents never stored).
   */
  async publish(id: string, publishedAt: string, checkedAgainst?: string[], options: { agentsMustExist?: boolean } = {}): Promise<PublishOutcome> {
    const args = [this.keys.rosterBase(), id, publishedAt, options.agentsMustExist ? '1' : '0', ...(checkedAgainst ? [checkedAgainst.join(',')] : [])];
    const reply = (await PUBLISH.run(this.redis, [this.keys.roster(id, 'state'), this.keys.publishedRosters(), this.keys.agents()], args)) as Array<string | number>;
    const [head, ...rest] = reply;
    if (head === 'ok') {
      const [superseded, moved, ...orphaned] = rest;
      return { ok: true, ...(superseded ? { superseded: String(superseded) } : {}), movedClaims: Number(moved), orphanedClaims: orphaned.map(String) };
    }
    if (head === 'gone') return { ok: false, refusal: 'gone', agents: rest.map(String) };
    if (head === 'over-capacity') {
      const [replaced, ...flat] = rest;
      const overfull: OverfullSlot[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) overfull.push({ slotId: String(flat[i]), claims: Number(flat[i + 1]), places: Number(flat[i + 2]) });
      return { ok: false, refusal: 'over-capacity', replaced: String(replaced), overfull };
    }
    if (head === 'conflict') return { ok: false, refusal: 'conflict', conflicts: rest.map(String) };
    if (head === 'not-draft') return { ok: false, refusal: 'not-draft', status: String(rest[0]) };
    if (head === 'stale') return { ok: false, refusal: 'stale' };
    return { ok: false, refusal: 'no-roster' };
  }

  /** Removes a draft or superseded roster (what-if drafts pile up); a published roster is refused. */
  async delete(id: string): Promise<'deleted' | 'no-roster' | 'published'> {
    const reply = (await DELETE.run(this.redis, [this.keys.roster(id, 'state'), this.keys.rosterIndex()], [this.keys.rosterBase(), id])) as string[];
    return reply[0] === 'ok' ? 'deleted' : (reply[0] as 'no-roster' | 'published');
  }

  /** One claim, checked and written atomically: a stored cloud agent, capacity, duplicates, overlap, rest and weekly hours. */
  async claim(rosterId: string, slotId: string, agentId: string, limits: ClaimLimits, nowMs: number): Promise<ClaimOutcome> {
    const reply = (await CLAIM.run(
      this.redis,
      [this.keys.roster(rosterId, 'state'), this.keys.roster(rosterId, 'slots'), this.keys.roster(rosterId, `claims:${slotId}`), this.keys.agentClaims(agentId), this.keys.agents()],
      [slotId, agentId, claimField(rosterId, slotId), nowMs, limits.minRestMs, limits.maxHoursPerWeek, limits.weekStartMs, limits.weekEndMs, ...(limits.maxDaysPerWeek !== undefined && limits.weekDayStartsMs ? [limits.weekDayStartsMs.join(','), limits.maxDaysPerWeek] : [])],
    )) as Array<string | number>;
    if (reply[0] === 'ok') return { ok: true, claimed: Number(reply[1]), agentsNeeded: Number(reply[2]) };
    return { ok: false, refusal: reply[0] as ClaimRefusal, ...(reply[1] !== undefined ? { conflictWith: String(reply[1]) } : {}) };
  }

  /** Gives a claimed slot back, refused from `cutoffMs` before the slot's start on. */
  async release(rosterId: string, slotId: string, agentId: string, cutoffMs: number, nowMs: number): Promise<ReleaseOutcome> {
    const reply = (await RELEASE.run(
      this.redis,
      [this.keys.roster(rosterId, 'state'), this.keys.roster(rosterId, 'slots'), this.keys.roster(rosterId, `claims:${slotId}`), this.keys.agentClaims(agentId)],
      [slotId, agentId, claimField(rosterId, slotId), nowMs, cutoffMs],
    )) as Array<string | number>;
    if (reply[0] === 'ok') return { ok: true };
    if (reply[0] === 'cut-off') return { ok: false, refusal: 'cut-off', cutoffAt: Number(reply[1]) };
    return { ok: false, refusal: reply[0] as 'no-roster' | 'no-slot' | 'not-claimed' };
  }

  /** Every slot the agent holds, whatever the roster, by start. */
  async claimsOf(agentId: string): Promise<ClaimedSlot[]> {
    const hash = await guarded(this.redis.hgetall(this.keys.agentClaims(agentId)));
    return Object.entries(hash)
      .map(([field, value]) => {
        const [rosterId, slotId] = field.split('|');
        const [start, end, skillGroupId] = value.split(',');
        return { rosterId, slotId, skillGroupId, agentId, start: Number(start), end: Number(end) };
      })
      .sort((a, b) => a.start - b.start);
  }

  /** The skill groups each of these rosters covers. */
  async groupsOf(ids: string[]): Promise<Map<string, string[]>> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.roster(id, 'state'), 'groups');
    const results = (await guarded(pipeline.exec())) ?? [];
    return new Map(ids.map((id, i) => [id, String(results[i]?.[1] ?? '').split(',').filter(Boolean)]));
  }

  /** Published rosters whose period overlaps [fromMs, toMs). */
  async publishedOverlapping(fromMs: number, toMs: number): Promise<string[]> {
    const candidates = await guarded(this.redis.zrangebyscore(this.keys.publishedRosters(), `(${fromMs}`, '+inf'));
    if (!candidates.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of candidates) pipeline.hget(this.keys.roster(id, 'state'), 'startMs');
    const starts = (await guarded(pipeline.exec())) ?? [];
    return candidates.filter((_, i) => Number(starts[i]?.[1]) < toMs);
  }

  /** Shifts of published rosters (every skill group) that overlap [fromMs, toMs), by start. */
  async shiftsOverlapping(fromMs: number, toMs: number): Promise<AssignedShift[]> {
    return this.shiftsOf(await this.publishedOverlapping(fromMs, toMs), fromMs, toMs);
  }

  /** Shifts of these rosters that overlap [fromMs, toMs), by start (the rosters a caller has already chosen). */
  async shiftsOf(ids: string[], fromMs: number, toMs: number): Promise<AssignedShift[]> {
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    // a shift overlaps when it starts before `toMs` and ends after `fromMs`: it cannot start earlier than the longest shift before `fromMs`
    for (const id of ids) pipeline.zrangebyscore(this.keys.roster(id, 'by-start'), fromMs - LONGEST_SHIFT_MS, `(${toMs}`);
    const results = (await guarded(pipeline.exec())) ?? [];
    const shifts: AssignedShift[] = [];
    for (const [err, members] of results) {
      if (err) throw asUnavailable(err);
      for (const m of members as string[]) {
        const s = JSON.parse(m) as AssignedShift;
        if (s.end > fromMs) shifts.push(s);
      }
    }
    return shifts.sort((a, b) => a.start - b.start || a.agentId.localeCompare(b.agentId));
  }

  /** Claimed slots of published rosters that overlap [fromMs, toMs): one entry per claiming agent, by start. */
  async claimedSlotsOverlapping(fromMs: number, toMs: number): Promise<ClaimedSlot[]> {
    const ids = await this.publishedOverlapping(fromMs, toMs);
    const perRoster = await Promise.all(ids.map((id) => this.slots(id)));
    const claimed: ClaimedSlot[] = [];
    for (const slots of perRoster) {
      for (const s of slots) {
        if (s.start >= toMs || s.end <= fromMs) continue;
        for (const agentId of s.claimedBy) claimed.push({ rosterId: s.rosterId, slotId: s.id, skillGroupId: s.skillGroupId, agentId, start: s.start, end: s.end });
      }
    }
    return claimed.sort((a, b) => a.start - b.start || a.agentId.localeCompare(b.agentId));
  }

  /**
   * One agent's shifts on every stored roster — drafts, published and superseded, re-plans included —
   * each with its roster, oldest roster first; rosters without a shift of theirs are left out.
   * A bounded scan, not an index: rosters are few (the planners' records, kept until deleted, ~330 KB
   * each), and each is asked for the agent's one field of its by-agent hash, pipelined a few hundred
   * rosters at a time; only the rosters that hold shifts of the agent are read further. Shifts are kept
   * under the agent's id alone: a roster cannot tell an agent from an earlier one given the same id.
   */
  async shiftsOfAgentOnEveryRoster(agentId: string): Promise<Array<{ roster: StoredRoster; shifts: AssignedShift[] }>> {
    const ids = await guarded(this.redis.zrange(this.keys.rosterIndex(), 0, -1));
    const held: Array<{ id: string; shifts: AssignedShift[] }> = [];
    const batch = 500;
    for (let start = 0; start < ids.length; start += batch) {
      const part = ids.slice(start, start + batch);
      const pipeline = this.redis.pipeline();
      for (const id of part) pipeline.hget(this.keys.roster(id, 'by-agent'), agentId);
      ((await guarded(pipeline.exec())) ?? []).forEach(([err, json], k) => {
        if (err) throw asUnavailable(err);
        if (typeof json === 'string') held.push({ id: part[k], shifts: JSON.parse(json) as AssignedShift[] });
      });
    }
    // a roster re-planned around the agent's absence may hold no shift of theirs, yet it records the
    // absence (personal data: sick days): such rosters are read too, by their stored absences
    const holding = new Set(held.map((h) => h.id));
    const others = ids.filter((id) => !holding.has(id));
    for (let start = 0; start < others.length; start += batch) {
      const part = others.slice(start, start + batch);
      const pipeline = this.redis.pipeline();
      for (const id of part) pipeline.get(this.keys.roster(id, 'meta'));
      ((await guarded(pipeline.exec())) ?? []).forEach(([err, json], k) => {
        if (err) throw asUnavailable(err);
        if (typeof json !== 'string') return;
        const absences = ((JSON.parse(json) as StoredRosterMeta).details?.absences as Array<{ agentId: string }> | undefined) ?? [];
        if (absences.some((a) => a.agentId === agentId)) held.push({ id: part[k], shifts: [] });
      });
    }
    const rosters = await Promise.all(held.map((h) => this.get(h.id)));
    // a roster deleted between the two reads is left out
    return held.flatMap((h, k) => (rosters[k] ? [{ roster: rosters[k]!, shifts: h.shifts }] : []));
  }
}
