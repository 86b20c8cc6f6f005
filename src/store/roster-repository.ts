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
  /**
   * agent id → the incarnation of the agent the build rostered under it ('' for one stored before
   * incarnations were): the agents with shifts, and those named by its absences. Shifts are kept under the
   * bare id, and an agent deleted can be followed by another person given the same id: readers across
   * rosters leave out a roster's shifts of an id recorded here with another incarnation than the agent's
   * now (services/rosters.ts rosteredSameAgent). Absent on rosters stored before it was recorded: those
   * are read as the agent's, whoever held the id then.
   */
  agentIncarnations?: Record<string, string>;
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
  /**
   * The agent's work besides their claims (surge callouts they accepted), checked as claims are: overlap,
   * rest, and its hours and days in the week. `id`: what a refusal names as `conflictWith` (no "," or ";").
   */
  otherWork?: Array<{ id: string; start: number; end: number }>;
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

/** `placeClosed`: the place existed only for this claim (carried or enlarged by a re-plan's publish) and closed with it. */
export type ReleaseOutcome = { ok: true; placeClosed?: true } | { ok: false; refusal: 'no-roster' | 'no-slot' | 'not-claimed' | 'cut-off'; cutoffAt?: number };

/**
 * A slot of the replaced roster whose claims the re-plan had no room for (claimed while the re-plan was
 * built): `carried`, the re-plan had dropped it and now has it again with a place per claim; `enlarged`,
 * the re-plan had it with fewer places than claims and now has as many.
 */
export interface CarriedSlot {
  slotId: string;
  /** the re-plan's places in the slot as built (0: dropped) */
  placesPlanned: number;
  /** its places now: as many as claims */
  places: number;
  /** the claimants moved into it, sorted */
  agentIds: string[];
}

/** A claim the publish could not carry: its agent could not claim that place now. */
export interface UncarriableClaim {
  slotId: string;
  agentId: string;
  reason: string;
}

export type PublishOutcome =
  | { ok: true; superseded?: string; movedClaims: number; carriedSlots: CarriedSlot[]; enlargedSlots: CarriedSlot[] }
  | { ok: false; refusal: 'no-roster' | 'not-draft' | 'conflict' | 'stale'; status?: string; conflicts?: string[] }
  /** agents given shifts by the draft who are no longer stored (deleted since the caller checked) */
  | { ok: false; refusal: 'gone'; agents: string[] }
  /** claims on `replaced` the re-plan has no place for and cannot be given one */
  | { ok: false; refusal: 'uncarriable'; replaced: string; claims: UncarriableClaim[] };

/**
 * A stored slot as its readers get it: without `placesPlanned`, the publish script's record for the
 * release script. A re-plan that carries the slot's claims sizes its own slot afresh; a copy of the
 * record would close places that re-plan planned.
 */
function cloudSlotOf(json: string): CloudSlot {
  const { placesPlanned: _placesPlanned, ...slot } = JSON.parse(json) as CloudSlot & { placesPlanned?: number };
  return slot;
}

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
 * ARGV: slot id, agent id, claim field, now, min rest ms, max hours per week, week start, week end, the
 * week's local midnights ("a,b,…" or ''), max days per week (or ''), other work ("id,start,end;…" or '').
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
-- the agent's other work [s, e), called name: a refusal, or nil with its hours and day counted
local function against(name, s, e)
  if s < slot['end'] and slot.start < e then return {'overlap', name} end
  if (s >= slot['end'] and s - slot['end'] < minRest) or (e <= slot.start and slot.start - e < minRest) then return {'rest', name} end
  if s >= weekStart and s < weekEnd then
    hours = hours + (e - s) / 3600000
    if #dayStarts > 0 and not days[dayOf(s)] then
      days[dayOf(s)] = true
      dayCount = dayCount + 1
    end
  end
  return nil
end
local existing = redis.call('HGETALL', KEYS[4])
for i = 1, #existing, 2 do
  local s, e = string.match(existing[i + 1], '^(%d+),(%d+),')
  local refused = against(existing[i], tonumber(s), tonumber(e))
  if refused then return refused end
end
-- accepted callouts, read by the caller under the agent's answer lock (an acceptance checks claims under it)
for entry in string.gmatch(ARGV[11] or '', '[^;]+') do
  local name, s, e = string.match(entry, '^([^,]+),(%d+),(%d+)$')
  local refused = against(name, tonumber(s), tonumber(e))
  if refused then return refused end
end
if hours > tonumber(ARGV[6]) + 1e-9 then return {'weekly-hours'} end
local maxDays = tonumber(ARGV[10] or '')
if maxDays and dayCount > maxDays then return {'days-per-week'} end
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[3], slot.start .. ',' .. slot['end'] .. ',' .. slot.skillGroupId)
return {'ok', claimed + 1, slot.agentsNeeded}
`);

/**
 * KEYS: state, slots, claims of the slot, the agent's claims, the roster's uncovered list, its meta.
 * ARGV: slot id, agent id, claim field, now, cut-off ms before the start.
 * A place a re-plan's publish carried over or enlarged the slot by (the slot's `placesPlanned` below its
 * `agentsNeeded`) exists only for the claim it was made for: released, it closes — no forecast asked for
 * that work, so nobody else may claim it. The releaser's shift goes with it (from the slot's `shiftIds`
 * and the uncovered list, which a re-plan plans from), the summary's counts follow, and the other
 * claimants keep their own shifts (the i-th claimant, sorted, works the slot's i-th shift).
 * Answers { 'ok' } or { 'ok', 'closed' }.
 */
const RELEASE = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'no-roster'} end
local slotJson = redis.call('HGET', KEYS[2], ARGV[1])
if not slotJson then return {'no-slot'} end
if redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 0 then return {'not-claimed'} end
local slot = cjson.decode(slotJson)
local cutoff = slot.start - tonumber(ARGV[5])
if tonumber(ARGV[4]) >= cutoff then return {'cut-off', cutoff} end
local planned = tonumber(slot.placesPlanned)
local position = nil
if planned and slot.agentsNeeded > planned then
  local holders = redis.call('SMEMBERS', KEYS[3])
  table.sort(holders)
  for i, agent in ipairs(holders) do if agent == ARGV[2] then position = i end end
end
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[3])
if not position then return {'ok'} end
local shiftIds = slot.shiftIds or {}
local gone = nil
if #shiftIds > 0 then gone = table.remove(shiftIds, math.min(position, #shiftIds)) end
slot.shiftIds = shiftIds
slot.agentsNeeded = slot.agentsNeeded - 1
-- cjson writes an empty table as {}: a slot without places keeps an empty list of shifts
redis.call('HSET', KEYS[2], ARGV[1], (string.gsub(cjson.encode(slot), '"shiftIds":{}', '"shiftIds":[]')))
local stillBehind = false
for _, sid in ipairs(shiftIds) do if sid == gone then stillBehind = true end end
local dropped = 0
if gone and not stillBehind then
  -- decoded whole: a roster's uncovered list is its open shifts only (kilobytes, not the partners' megabyte)
  local uncovered = cjson.decode(redis.call('GET', KEYS[5]) or '[]')
  local kept = {}
  for _, s in ipairs(uncovered) do if s.id ~= gone then kept[#kept + 1] = s end end
  dropped = #uncovered - #kept
  if dropped > 0 then
    local json = #kept == 0 and '[]' or (string.gsub(cjson.encode(kept), '"breaks":{}', '"breaks":[]'))
    redis.call('SET', KEYS[5], json)
  end
end
local meta = redis.call('GET', KEYS[6])
if meta then
  local function bumped(json, field, by)
    local pattern = '"' .. field .. '":(%d+)'
    local _, count = string.gsub(json, pattern, '')
    if by == 0 or count ~= 1 then return json end
    return (string.gsub(json, pattern, function(n) return '"' .. field .. '":' .. math.max(0, tonumber(n) + by) end))
  end
  redis.call('SET', KEYS[6], bumped(bumped(meta, 'slotPlaces', -1), 'uncoveredShifts', -dropped))
end
return {'ok', 'closed'}
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
 * is the one the draft re-plans: that one is superseded, and every claim on it moves to the draft's slot
 * of the same id — carried over or enlarged when claims made while the re-plan was built do not fit (no
 * claim is left behind on the superseded roster, in its claim sets or in the agents' claim index).
 * Answers { 'ok', superseded or '', claims moved, then per carried or enlarged slot: 'carried' or
 * 'enlarged', slot id, places as built, places now, claimant count, claimants… }.
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
local report = {}
if replaced then
  local oldBase = base .. replaced
  local newBase = base .. id
  -- Every claim on the replaced roster moves to the re-plan: a place an agent was told is theirs stays
  -- theirs. The re-plan sized its slots from the claims its job read; claims made while it was built may
  -- be on a slot it sized smaller (the slot is enlarged to hold them) or dropped (the slot is carried
  -- over, as many places as claims, with the base slot's shifts and breaks). Only a claimant who could
  -- not claim the place now (no longer a cloud agent with the slot's skill) cannot be carried: then
  -- nothing is written, { 'uncarriable', replaced, then per claim: slot id, agent id, why }.
  local moves = {}
  local refused = {}
  for _, slotId in ipairs(redis.call('HKEYS', oldBase .. ':slots')) do
    local holders = redis.call('SMEMBERS', oldBase .. ':claims:' .. slotId)
    if #holders > 0 then
      -- sorted, as the slot's readers list them: the i-th claimant works the slot's i-th shift
      table.sort(holders)
      local newJson = redis.call('HGET', newBase .. ':slots', slotId)
      local newClaims = newBase .. ':claims:' .. slotId
      local total = redis.call('SCARD', newClaims)
      for _, agent in ipairs(holders) do
        if redis.call('SISMEMBER', newClaims, agent) == 0 then total = total + 1 end
      end
      local oldSlot = cjson.decode(redis.call('HGET', oldBase .. ':slots', slotId))
      local places = newJson and cjson.decode(newJson).agentsNeeded or 0
      if total > places then
        for _, agent in ipairs(holders) do
          local why = nil
          local agentJson = redis.call('HGET', KEYS[3], agent)
          local stored = agentJson and cjson.decode(agentJson)
          if not groups[oldSlot.skillGroupId] then why = 'the re-plan has no skill group ' .. oldSlot.skillGroupId
          elseif not stored or stored.kind ~= 'cloud' then why = 'no longer a stored cloud agent'
          else
            why = 'no longer has skill group ' .. oldSlot.skillGroupId
            for _, skill in ipairs(stored.skills or {}) do
              if skill.skillGroupId == oldSlot.skillGroupId then why = nil end
            end
          end
          if why then
            refused[#refused + 1] = slotId
            refused[#refused + 1] = agent
            refused[#refused + 1] = why
          end
        end
      end
      moves[#moves + 1] = {slotId = slotId, holders = holders, oldSlot = oldSlot, newJson = newJson, total = total, places = places}
    end
  end
  if #refused > 0 then
    table.insert(refused, 1, replaced)
    table.insert(refused, 1, 'uncarriable')
    return refused
  end
  -- The shifts behind carried places: the replaced roster's planned shifts (their breaks), added to the
  -- re-plan's uncovered list (where readers find a slot's shifts) under ids the re-plan does not use yet
  -- (a partner may work a shift of that id now). Read only when a place is carried.
  local oldShifts = nil
  local newUncovered = nil
  local partnerShifts = nil
  local addedIds = {}
  -- whether the re-plan has a shift of this id: found in its stored JSON as JSON.stringify wrote it
  -- (searched, not decoded: a roster's shifts are ~1 MB of JSON and Redis waits while the script runs)
  local function inUse(shiftId)
    if addedIds[shiftId] then return true end
    local needle = '"id":"' .. shiftId .. '"'
    if string.find(newUncovered, needle, 1, true) then return true end
    for _, list in ipairs(partnerShifts) do
      if string.find(list, needle, 1, true) then return true end
    end
    return false
  end
  local addedShifts = {}
  local function carriedShift(oldSlot, shiftId)
    if not oldShifts then
      oldShifts = {}
      for _, s in ipairs(cjson.decode(redis.call('GET', oldBase .. ':uncovered') or '[]')) do oldShifts[s.id] = s end
      newUncovered = redis.call('GET', newBase .. ':uncovered') or '[]'
      partnerShifts = redis.call('HVALS', newBase .. ':by-agent')
    end
    local before = oldShifts[shiftId] or {id = shiftId, skillGroupId = oldSlot.skillGroupId, templateId = oldSlot.templateId, kind = oldSlot.kind, date = oldSlot.date, start = oldSlot.start, ['end'] = oldSlot['end'], breaks = {}}
    local shift = {}
    for k, v in pairs(before) do shift[k] = v end
    local newId = shiftId
    local n = 1
    while inUse(newId) do
      newId = shiftId .. '-carried' .. (n > 1 and ('-' .. n) or '')
      n = n + 1
    end
    addedIds[newId] = true
    shift.id = newId
    -- cjson writes an empty table as {}: a shift without breaks keeps its empty list
    addedShifts[#addedShifts + 1] = (string.gsub(cjson.encode(shift), '"breaks":{}', '"breaks":[]'))
    return newId
  end
  local addedPlaces = 0
  for _, m in ipairs(moves) do
    local slot = m.newJson and cjson.decode(m.newJson)
    if m.total > m.places then
      local kind = 'enlarged'
      if not slot then
        kind = 'carried'
        slot = {}
        for k, v in pairs(m.oldSlot) do slot[k] = v end
        slot.shiftIds = {}
      end
      -- the base slot's shifts the re-plan's slot lacks, in order: a carried slot's i-th claimant keeps the i-th
      local have = {}
      for _, sid in ipairs(slot.shiftIds) do have[sid] = true end
      for _, sid in ipairs(m.oldSlot.shiftIds) do
        if #slot.shiftIds >= m.total then break end
        if not have[sid] then slot.shiftIds[#slot.shiftIds + 1] = carriedShift(m.oldSlot, sid) end
      end
      -- (a base slot has a shift per place, so this never runs short; if it did, the first shift stands in)
      while #slot.shiftIds < m.total do slot.shiftIds[#slot.shiftIds + 1] = slot.shiftIds[1] or carriedShift(m.oldSlot, m.oldSlot.shiftIds[1] or (m.slotId .. '-shift')) end
      slot.agentsNeeded = m.total
      -- the places beyond these exist only for the claims they were made for: the release script closes
      -- each with its claim (a carried slot's copy of an earlier publish's record is replaced)
      slot.placesPlanned = m.places
      redis.call('HSET', newBase .. ':slots', m.slotId, cjson.encode(slot))
      addedPlaces = addedPlaces + m.total - m.places
      report[#report + 1] = kind
      report[#report + 1] = m.slotId
      report[#report + 1] = m.places
      report[#report + 1] = m.total
      report[#report + 1] = #m.holders
      for _, agent in ipairs(m.holders) do report[#report + 1] = agent end
    end
    -- the agent's claim index follows the claim: one entry, on the re-plan, with the slot's times
    local value = slot.start .. ',' .. slot['end'] .. ',' .. slot.skillGroupId
    for _, agent in ipairs(m.holders) do
      local agentKey = base .. 'agent-claims:' .. agent
      redis.call('HDEL', agentKey, replaced .. '|' .. m.slotId)
      redis.call('HSET', agentKey, id .. '|' .. m.slotId, value)
      redis.call('SADD', newBase .. ':claims:' .. m.slotId, agent)
      moved = moved + 1
    end
    redis.call('DEL', oldBase .. ':claims:' .. m.slotId)
  end
  if #addedShifts > 0 then
    local uncovered = newUncovered
    local head = uncovered == '[]' and '[' or (string.sub(uncovered, 1, -2) .. ',')
    redis.call('SET', newBase .. ':uncovered', head .. table.concat(addedShifts, ',') .. ']')
  end
  -- the summary's counts of what is stored (places in slots, shifts listed as uncovered) follow; its
  -- claimed* figures stay as the re-plan read them, and coverage and by-start hold partners' shifts only
  if addedPlaces > 0 or #addedShifts > 0 then
    local meta = redis.call('GET', newBase .. ':meta')
    local function bumped(json, field, by)
      local pattern = '"' .. field .. '":(%d+)'
      local _, count = string.gsub(json, pattern, '')
      if by == 0 or count ~= 1 then return json end
      return (string.gsub(json, pattern, function(n) return '"' .. field .. '":' .. (tonumber(n) + by) end))
    end
    if meta then
      meta = bumped(bumped(meta, 'slotPlaces', addedPlaces), 'uncoveredShifts', #addedShifts)
      redis.call('SET', newBase .. ':meta', meta)
    end
  end
  redis.call('HSET', oldBase .. ':state', 'status', 'superseded', 'supersededBy', id)
  redis.call('ZREM', KEYS[2], replaced)
end
redis.call('HSET', KEYS[1], 'status', 'published', 'publishedAt', ARGV[3])
redis.call('ZADD', KEYS[2], endMs, id)
local result = {'ok', replaced or '', moved}
for _, item in ipairs(report) do table.insert(result, item) end
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
    const slots = Object.values(hash).map(cloudSlotOf);
    const pipeline = this.redis.pipeline();
    for (const s of slots) pipeline.smembers(this.keys.roster(id, `claims:${s.id}`));
    const holders = (await guarded(pipeline.exec())) ?? [];
    return slots
      .map((s, i) => ({ ...s, rosterId: id, claimedBy: ((holders[i]?.[1] as string[]) ?? []).sort() }))
      .sort((a, b) => a.start - b.start || a.skillGroupId.localeCompare(b.skillGroupId) || a.end - b.end);
  }

  async slot(id: string, slotId: string): Promise<CloudSlot | undefined> {
    const json = await guarded(this.redis.hget(this.keys.roster(id, 'slots'), slotId));
    return json ? cloudSlotOf(json) : undefined;
  }

  /**
   * draft → published, atomically: refused when another published roster overlaps in period and skill
   * group, unless it is the roster this draft re-plans (then that one is superseded and all its claims
   * move: slots the re-plan dropped or sized too small for them are carried over or enlarged —
   * `carriedSlots`, `enlargedSlots`; 'uncarriable' when a claimant could not claim such a place now);
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
      const [superseded, moved, ...flat] = rest;
      const carriedSlots: CarriedSlot[] = [];
      const enlargedSlots: CarriedSlot[] = [];
      for (let i = 0; i + 4 < flat.length; ) {
        const [kind, slotId, placesPlanned, places, count] = flat.slice(i, i + 5);
        const agentIds = flat.slice(i + 5, i + 5 + Number(count)).map(String);
        (kind === 'carried' ? carriedSlots : enlargedSlots).push({ slotId: String(slotId), placesPlanned: Number(placesPlanned), places: Number(places), agentIds });
        i += 5 + Number(count);
      }
      return { ok: true, ...(superseded ? { superseded: String(superseded) } : {}), movedClaims: Number(moved), carriedSlots, enlargedSlots };
    }
    if (head === 'gone') return { ok: false, refusal: 'gone', agents: rest.map(String) };
    if (head === 'uncarriable') {
      const [replaced, ...flat] = rest;
      const claims: UncarriableClaim[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) claims.push({ slotId: String(flat[i]), agentId: String(flat[i + 1]), reason: String(flat[i + 2]) });
      return { ok: false, refusal: 'uncarriable', replaced: String(replaced), claims };
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

  /** One claim, checked and written atomically: a stored cloud agent, capacity, duplicates, overlap, rest and weekly hours (against the agent's claims and `limits.otherWork`). */
  async claim(rosterId: string, slotId: string, agentId: string, limits: ClaimLimits, nowMs: number): Promise<ClaimOutcome> {
    const reply = (await CLAIM.run(
      this.redis,
      [this.keys.roster(rosterId, 'state'), this.keys.roster(rosterId, 'slots'), this.keys.roster(rosterId, `claims:${slotId}`), this.keys.agentClaims(agentId), this.keys.agents()],
      [
        slotId, agentId, claimField(rosterId, slotId), nowMs, limits.minRestMs, limits.maxHoursPerWeek, limits.weekStartMs, limits.weekEndMs,
        ...(limits.maxDaysPerWeek !== undefined && limits.weekDayStartsMs ? [limits.weekDayStartsMs.join(','), limits.maxDaysPerWeek] : ['', '']),
        (limits.otherWork ?? []).map((w) => `${w.id},${Math.round(w.start)},${Math.round(w.end)}`).join(';'),
      ],
    )) as Array<string | number>;
    if (reply[0] === 'ok') return { ok: true, claimed: Number(reply[1]), agentsNeeded: Number(reply[2]) };
    return { ok: false, refusal: reply[0] as ClaimRefusal, ...(reply[1] !== undefined ? { conflictWith: String(reply[1]) } : {}) };
  }

  /**
   * Gives a claimed slot back, refused from `cutoffMs` before the slot's start on. A place a re-plan's
   * publish carried over or enlarged the slot by closes with its claim (`placeClosed`).
   */
  async release(rosterId: string, slotId: string, agentId: string, cutoffMs: number, nowMs: number): Promise<ReleaseOutcome> {
    const reply = (await RELEASE.run(
      this.redis,
      [
        this.keys.roster(rosterId, 'state'), this.keys.roster(rosterId, 'slots'), this.keys.roster(rosterId, `claims:${slotId}`), this.keys.agentClaims(agentId),
        this.keys.roster(rosterId, 'uncovered'), this.keys.roster(rosterId, 'meta'),
      ],
      [slotId, agentId, claimField(rosterId, slotId), nowMs, cutoffMs],
    )) as Array<string | number>;
    if (reply[0] === 'ok') return reply[1] === 'closed' ? { ok: true, placeClosed: true } : { ok: true };
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
   * under the agent's id alone: which agent given the id they were is the roster's `agentIncarnations`
   * (returned with each roster; the caller tells), unknown on rosters stored before it was recorded.
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
