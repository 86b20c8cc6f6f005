import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { DEFAULT_POLICY, type AcceptanceStats, type CalloutRecord, type Decision, type TriggerPolicy, type TriggerState } from '../trigger/types';
import { asUnavailable, guarded } from './redis';
import { WfmError } from '../errors/wfm-error';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';
import { DAY_MS, HOUR_MS } from '../time/grid';

/** Where a callout's SMS is: queued for the webhook, delivered to it, or given up on. */
export interface CalloutDelivery {
  state: 'queued' | 'delivered' | 'dead-letter';
  attempts: number;
  /** when it was delivered or given up on, epoch ms */
  at?: number;
  httpStatus?: number;
  reason?: string;
}

/** A callout as stored: the core's record plus its delivery and how it was answered. */
export interface StoredCallout extends CalloutRecord {
  /**
   * The incarnation of the agent called ('' for an agent stored before incarnations were): an agent
   * deleted and another created with the same id is another person, whom this callout is not about.
   * Absent on callouts stored before it was kept (they go by the id alone). Not part of the API's callout.
   */
  agentIncarnation?: string;
  delivery: CalloutDelivery;
  answeredVia?: 'link' | 'sms-gateway';
  /** the release message (releasedAt set): the agent is told they may log off / need not come */
  releaseDelivery?: CalloutDelivery;
}

/** The trigger's per-group memory plus the minute it last ticked (a tick runs at most once per group and minute). */
export interface StoredTriggerState extends TriggerState {
  tickedAt: number | null;
}

export interface DeadLetter {
  calloutId: string;
  agentId: string;
  skillGroupId: string;
  waveId: string;
  reason: string;
  attempts: number;
  at: number;
  /**
   * The agent answered after all (the link or the gateway's reply: the message did reach them, e.g. the
   * gateway timed out but sent it) — read from the callout when the list is read.
   */
  answered?: 'accepted' | 'declined';
}

/**
 * Where a record stands in a listing (newest first): its instant (epoch ms) and what orders records of
 * one instant — a callout's id, a decision's skill group id.
 */
export interface RecordPosition {
  at: number;
  key: string;
}

/** Newest first; records of one instant by key, ascending (plain code-unit order, as Redis orders members). */
export function byPosition(a: RecordPosition, b: RecordPosition): number {
  return b.at - a.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export interface CalloutPage {
  callouts: StoredCallout[];
  /** the position of the last entry read (present or pruned): the next page starts after it */
  last?: RecordPosition;
  /** entries follow `last` */
  more: boolean;
}

/** A stored value with the exact JSON it was read as: writes compare against it (compare-and-set). */
export interface Versioned<T> {
  value: T;
  raw: string;
}

export interface PastResponses {
  group: AcceptanceStats;
  byAgent: Record<string, AcceptanceStats>;
}

/** Everything one tick writes for one skill group, applied all or nothing. */
export interface GroupTickCommit {
  skillGroupId: string;
  /** the state JSON the tick read ('' = none): if another tick wrote since, nothing is written */
  expectedStateRaw: string;
  state: StoredTriggerState;
  decision: Decision;
  /**
   * callouts the tick changed — found unanswered too long, or released (the surge passed): written only
   * if still as read (an answer or a delivery record may have won; a release is then decided again)
   */
  updated: Array<{ raw: string; next: StoredCallout }>;
  created: StoredCallout[];
  /**
   * answered callouts leaving the active set: their answers are added to the group's sums (and the
   * agent's, while the agent stored under the id is still the incarnation called)
   */
  archived: Array<{ id: string; agentId: string; agentIncarnation?: string; outcome: 'accepted' | 'refused' | '' }>;
  /** decisions that called nobody are dropped before this instant; fired ones and callouts before recordCutoff */
  decisionCutoff: number;
  recordCutoff: number;
  /**
   * the policy the tick decided under, as it read it (stored fields over the defaults): if the stored one
   * differs now (replaced since, e.g. switched off), nothing is written. Absent: any stored policy will do.
   */
  policy?: TriggerPolicy;
}

/**
 * `group-gone`: the group or its policy was deleted after the tick read them; `policy-changed`: the policy
 * was replaced after the tick read it (the next tick decides under the new one). Either way nothing was written.
 */
export type CommitOutcome = 'committed' | 'superseded' | 'duplicate-callout' | 'group-gone' | 'policy-changed';

const DEAD_LETTER_LIMIT = 10_000;

/** How long the trigger keeps its records (TRIGGER_DECISION_RETENTION_HOURS, TRIGGER_RECORD_RETENTION_DAYS), ms. */
export interface TriggerRetention {
  /** decisions that called nobody */
  decisionMs: number;
  /** fired decisions, callouts, dead letters, and what is summed or remembered per agent from them */
  recordMs: number;
}

export const DEFAULT_TRIGGER_RETENTION: TriggerRetention = { decisionMs: 48 * HOUR_MS, recordMs: 30 * DAY_MS };

/**
 * Retention without ticks. Every write of a record key sets the key's TTL to the retention again
 * (PEXPIRE), so a key lives exactly the retention past its newest write, and a record is written when
 * it is made (a tick writes its minute's decision and callouts as it runs; answers and delivery records
 * come later, and keep the callouts hash a little longer). So a key nobody writes any more — a group
 * whose policy was deleted, TRIGGER_TICK_CRON=off — is gone once its newest record is past retention,
 * with no tick to prune it; within a key still written, the tick prunes record by record (cutoffs).
 * The callout indexes (a group's callouts, its active ones) get a day more than the records: the
 * callouts hash is shared by every group and kept alive by any of them, and its entries of a group
 * are found (and pruned) through that group's index, which must not lapse a minute before the tick
 * that prunes its last entries.
 */
const INDEX_GRACE_MS = DAY_MS;

/** PEXPIRE wants whole milliseconds, at least one. */
const ttl = (ms: number) => String(Math.max(1, Math.round(ms)));

/**
 * Lua: prunes one group's records before the cutoffs (KEYS as COMMIT_GROUP_TICK's: decisions, fired,
 * callouts hash, the group's callouts, its active ones), at most 200 callouts a call.
 */
const PRUNE_GROUP = `
local function pruneGroup(decisions, fired, callouts, groupCallouts, active, decisionCutoff, recordCutoff)
  redis.call('ZREMRANGEBYSCORE', decisions, '-inf', '(' .. decisionCutoff)
  redis.call('ZREMRANGEBYSCORE', fired, '-inf', '(' .. recordCutoff)
  local old = redis.call('ZRANGEBYSCORE', groupCallouts, '-inf', '(' .. recordCutoff, 'LIMIT', 0, 200)
  for _, id in ipairs(old) do
    redis.call('HDEL', callouts, id)
    redis.call('ZREM', groupCallouts, id)
    redis.call('ZREM', active, id)
  end
end
`;

/**
 * One group's tick, atomically. Compare-and-set on the state JSON the tick read: a second tick for the
 * same minute (a retried job, an on-demand tick racing the scheduler) writes nothing. A callout whose id
 * already exists aborts the commit before anything is written: ids name their wave, agent and firing
 * (src/trigger/callouts.ts), so no record or delivery job is ever taken over by a second callout. A group or policy deleted since the tick read
 * them is refused too: the tick would otherwise write the state, decisions and callouts of a group that
 * no longer exists back after the delete (and call agents for it). So is a policy replaced since (the
 * commit's `policy`, compared as the tick read it: stored fields over the defaults): a tick that read
 * "predictive" must not call agents after a manager switched the group's trigger off (-3).
 * An agent deleted since the tick read them (KEYS[11], KEYS[12]: agents, incarnations) gets no
 * last-called-at and no answer sum back after the delete erased theirs: it would go to the next agent
 * given the id. Every key written gets its TTL again (see INDEX_GRACE_MS).
 */
const COMMIT_GROUP_TICK = `${PRUNE_GROUP}
local p = cjson.decode(ARGV[1])
-- whether the agent stored under the id is still the incarnation a callout was made to (none named: a
-- callout stored before incarnations were kept goes by the id)
local function stillTheAgent(agent, inc)
  if redis.call('HEXISTS', KEYS[11], agent) == 0 then return false end
  return inc == nil or (redis.call('HGET', KEYS[12], agent) or '') == inc
end
if redis.call('HEXISTS', KEYS[9], p.group) == 0 or redis.call('HEXISTS', KEYS[10], p.group) == 0 then return -2 end
-- the policy as the tick read it: the stored fields over the defaults (withDefaults), compared field by field
local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= 'table' then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
if p.policy then
  local stored = p.policyDefaults and cjson.decode(p.policyDefaults) or {}
  for k, v in pairs(cjson.decode(redis.call('HGET', KEYS[10], p.group))) do stored[k] = v end
  if not same(stored, cjson.decode(p.policy)) then return -3 end
end
local current = redis.call('HGET', KEYS[1], p.group)
if (current or '') ~= p.expectedState then return 0 end
for _, c in ipairs(p.created) do
  if redis.call('HEXISTS', KEYS[4], c.id) == 1 then return -1 end
end
redis.call('HSET', KEYS[1], p.group, p.state)
redis.call('ZADD', KEYS[2], p.at, p.decision)
redis.call('PEXPIRE', KEYS[2], p.decisionTtl)
if p.fired == 1 then
  redis.call('ZADD', KEYS[3], p.at, p.decision)
  redis.call('PEXPIRE', KEYS[3], p.recordTtl)
end
for _, e in ipairs(p.updated) do
  if redis.call('HGET', KEYS[4], e.id) == e.old then redis.call('HSET', KEYS[4], e.id, e.new) end
end
for _, c in ipairs(p.created) do
  redis.call('HSET', KEYS[4], c.id, c.json)
  redis.call('ZADD', KEYS[5], c.at, c.id)
  redis.call('ZADD', KEYS[6], c.at, c.id)
  if stillTheAgent(c.agent, c.inc) then
    redis.call('HSET', KEYS[8], c.agent, c.at)
    redis.call('PEXPIRE', KEYS[8], p.recordTtl)
  end
end
if #p.updated > 0 or #p.created > 0 then redis.call('PEXPIRE', KEYS[4], p.recordTtl) end
if #p.created > 0 then
  redis.call('PEXPIRE', KEYS[5], p.indexTtl)
  redis.call('PEXPIRE', KEYS[6], p.indexTtl)
end
for _, a in ipairs(p.archived) do
  if redis.call('ZREM', KEYS[6], a.id) == 1 and a.outcome ~= '' then
    redis.call('HINCRBY', KEYS[7], a.outcome, 1)
    if stillTheAgent(a.agent, a.inc) then redis.call('HINCRBY', KEYS[7], 'agent:' .. a.agent .. ':' .. a.outcome, 1) end
    redis.call('PEXPIRE', KEYS[7], p.recordTtl)
  end
end
pruneGroup(KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], p.decisionCutoff, p.recordCutoff)
return 1
`;

/**
 * Prunes the records of a group no tick commits for (no policy: deleted, or never set) before the
 * cutoffs; KEYS as COMMIT_GROUP_TICK's 2 to 6, ARGV: decision cutoff, record cutoff.
 */
const PRUNE_UNTICKED_GROUP = `${PRUNE_GROUP}
pruneGroup(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2])
return 1
`;

/** Drops last-called-at entries older than ARGV[1]: rotation memory goes with the record retention. */
const PRUNE_LAST_CALLED = `
local all = redis.call('HGETALL', KEYS[1])
local removed = 0
for i = 1, #all, 2 do
  if tonumber(all[i + 1]) == nil or tonumber(all[i + 1]) < tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], all[i])
    removed = removed + 1
  end
end
return removed
`;

/**
 * Replaces one callout if it is still exactly as read; optionally records a dead letter in the same step.
 * ARGV[6]: the record retention (TTL of both keys, see INDEX_GRACE_MS).
 */
const COMPARE_AND_SET_CALLOUT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if ARGV[4] ~= '' then
  redis.call('LPUSH', KEYS[2], ARGV[4])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
return 1
`;

/** Pops dead letters older than ARGV[1] off the list's old end (newest first), at most 1000 a call. */
const TRIM_DEAD_LETTERS = `
local removed = 0
for _ = 1, 1000 do
  local last = redis.call('LINDEX', KEYS[1], -1)
  if not last then break end
  local ok, letter = pcall(cjson.decode, last)
  if ok and type(letter) == 'table' and tonumber(letter.at) and tonumber(letter.at) >= tonumber(ARGV[1]) then break end
  redis.call('RPOP', KEYS[1])
  removed = removed + 1
end
return removed
`;

/** How long an agent's answer lock holds at most, and how often a second answer tries for it (~2 s). */
const ANSWER_LOCK_MS = 5000;
const ANSWER_LOCK_ATTEMPTS = 60;

type ScriptedRedis = Redis & {
  commitGroupTick(...args: string[]): Promise<number>;
  compareAndSetCallout(...args: string[]): Promise<number>;
};

type Pipeline = ReturnType<Redis['pipeline']>;

/**
 * Decisions are one per group and minute (1,440 a day per group) and ~1.7 KB of JSON each: stored
 * deflated (base64, ~0.6 KB), so a day of 200 groups is ~180 MB of Redis rather than ~500 MB.
 */
const packDecision = (decision: Decision) => deflateRawSync(JSON.stringify(decision)).toString('base64');
const unpackDecision = (packed: string) => JSON.parse(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8')) as Decision;

function parseStats(hash: Record<string, string>): PastResponses {
  const byAgent: Record<string, AcceptanceStats> = {};
  for (const [field, value] of Object.entries(hash)) {
    const match = /^agent:(.+):(accepted|refused)$/.exec(field);
    if (!match) continue;
    const stats = (byAgent[match[1]] ??= { accepted: 0, refused: 0 });
    stats[match[2] as 'accepted' | 'refused'] = Number(value);
  }
  return { group: { accepted: Number(hash.accepted ?? 0), refused: Number(hash.refused ?? 0) }, byAgent };
}

/** A stored policy with the fields added since it was stored taking their defaults. */
const withDefaults = (json: string): TriggerPolicy => ({ ...DEFAULT_POLICY, ...(JSON.parse(json) as TriggerPolicy) });

/**
 * The surge trigger's Redis state: policies and states per group, the decision log (bounded), callout
 * records with their delivery, the sums of past answers, last-called-at per agent and the dead letters.
 * Every write that must not be half done is one Lua script (compare-and-set on what was read).
 */
export class TriggerRepository {
  private readonly scripted: ScriptedRedis;

  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly retention: TriggerRetention = DEFAULT_TRIGGER_RETENTION) {
    if (!('commitGroupTick' in redis)) {
      redis.defineCommand('commitGroupTick', { numberOfKeys: 12, lua: COMMIT_GROUP_TICK });
      redis.defineCommand('compareAndSetCallout', { numberOfKeys: 2, lua: COMPARE_AND_SET_CALLOUT });
      redis.defineCommand('pruneUntickedGroup', { numberOfKeys: 5, lua: PRUNE_UNTICKED_GROUP });
      redis.defineCommand('pruneLastCalled', { numberOfKeys: 1, lua: PRUNE_LAST_CALLED });
    }
    this.scripted = redis as ScriptedRedis;
  }

  // ------------------------------------------------------------------ policies

  async policies(): Promise<Map<string, TriggerPolicy>> {
    const hash = await guarded(this.redis.hgetall(this.keys.triggerPolicies()));
    return new Map(Object.entries(hash).map(([id, json]) => [id, withDefaults(json)]));
  }

  async policy(skillGroupId: string): Promise<TriggerPolicy | undefined> {
    const json = await guarded(this.redis.hget(this.keys.triggerPolicies(), skillGroupId));
    return json ? withDefaults(json) : undefined;
  }

  async putPolicy(policy: TriggerPolicy): Promise<void> {
    const write = new GroupGuardedWrite(this.keys.skillGroups()).call('HSET', this.keys.triggerPolicies(), policy.skillGroupId, JSON.stringify(policy));
    await write.exec(this.redis, [policy.skillGroupId], `the trigger policy of ${policy.skillGroupId}`);
  }

  /**
   * Removes the policy and the group's trigger state with it (open wave, last firing, firings of the last
   * hour): a policy created again later starts afresh rather than topping up a wave whose callouts have
   * expired meanwhile. The records stay until their retention ends.
   */
  async deletePolicy(skillGroupId: string): Promise<boolean> {
    const results = await guarded(this.redis.multi().hdel(this.keys.triggerPolicies(), skillGroupId).hdel(this.keys.triggerStates(), skillGroupId).exec());
    const [err, removed] = results?.[0] ?? [null, 0];
    if (err) throw asUnavailable(err);
    return (removed as number) > 0;
  }

  // ------------------------------------------------------------------ what a tick reads

  async states(): Promise<Map<string, Versioned<StoredTriggerState>>> {
    const hash = await guarded(this.redis.hgetall(this.keys.triggerStates()));
    return new Map(Object.entries(hash).map(([id, raw]) => [id, { value: JSON.parse(raw) as StoredTriggerState, raw }]));
  }

  /** The callouts a tick works with (pending, recent, or of a running wave), per group. */
  async activeCallouts(skillGroupIds: string[]): Promise<Map<string, Array<Versioned<StoredCallout>>>> {
    const out = new Map<string, Array<Versioned<StoredCallout>>>(skillGroupIds.map((id) => [id, []]));
    if (!skillGroupIds.length) return out;
    const pipeline = this.redis.pipeline();
    for (const id of skillGroupIds) pipeline.zrange(this.keys.triggerActiveCallouts(id), 0, -1);
    const idLists = ((await guarded(pipeline.exec())) ?? []).map(([err, ids]) => {
      if (err) throw asUnavailable(err);
      return ids as string[];
    });
    const all = idLists.flat();
    if (!all.length) return out;
    const raws = await guarded(this.redis.hmget(this.keys.triggerCallouts(), ...all));
    let k = 0;
    skillGroupIds.forEach((id, g) => {
      for (const _ of idLists[g]) {
        const raw = raws[k++];
        if (raw) out.get(id)!.push({ value: JSON.parse(raw) as StoredCallout, raw });
      }
    });
    return out;
  }

  /**
   * The callouts `agentId` accepted, of any incarnation (the caller tells them apart), as the groups'
   * active sets hold them: an accepted callout stays there until 8 days after its shift (the tick's
   * commitment window), long enough for every claim's rest and week to see it. An agent never called
   * within the retention (no last-called-at: most agents) costs one HGET.
   */
  async acceptedCalloutsOf(agentId: string, skillGroupIds: string[]): Promise<StoredCallout[]> {
    if ((await this.agentLastCalledAt(agentId)) === undefined) return [];
    const active = await this.activeCallouts(skillGroupIds);
    return [...active.values()].flat().map((c) => c.value).filter((c) => c.agentId === agentId && c.status === 'accepted');
  }

  async pastResponses(skillGroupIds: string[]): Promise<Map<string, PastResponses>> {
    if (!skillGroupIds.length) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of skillGroupIds) pipeline.hgetall(this.keys.triggerResponses(id));
    const results = (await guarded(pipeline.exec())) ?? [];
    return new Map(
      skillGroupIds.map((id, k) => {
        const [err, hash] = results[k];
        if (err) throw asUnavailable(err);
        return [id, parseStats(hash as Record<string, string>)];
      }),
    );
  }

  async lastCalledAt(): Promise<Record<string, number>> {
    const hash = await guarded(this.redis.hgetall(this.keys.triggerLastCalled()));
    return Object.fromEntries(Object.entries(hash).map(([agentId, at]) => [agentId, Number(at)]));
  }

  // ------------------------------------------------------------------ what a tick writes

  /** One script call per group in one pipeline: each group's commit is atomic on its own. */
  async commitTick(commits: GroupTickCommit[]): Promise<Map<string, CommitOutcome>> {
    const out = new Map<string, CommitOutcome>();
    if (!commits.length) return out;
    const pipeline = this.redis.pipeline() as Pipeline & { commitGroupTick(...args: string[]): unknown };
    for (const c of commits) {
      const id = c.skillGroupId;
      const payload = {
        group: id,
        expectedState: c.expectedStateRaw,
        state: JSON.stringify(c.state),
        at: String(c.decision.at),
        decision: packDecision(c.decision),
        // kept as long as firings: a release acted on agents too ("why was I sent home?" is asked later)
        fired: c.decision.fired || (c.decision.releasedCalloutIds?.length ?? 0) > 0 ? 1 : 0,
        updated: c.updated.map((e) => ({ id: e.next.id, old: e.raw, new: JSON.stringify(e.next) })),
        // inc left out (undefined) for a callout stored before incarnations were kept
        created: c.created.map((n) => ({ id: n.id, json: JSON.stringify(n), at: String(n.requestedAt), agent: n.agentId, inc: n.agentIncarnation })),
        archived: c.archived.map((a) => ({ id: a.id, agent: a.agentId, inc: a.agentIncarnation, outcome: a.outcome })),
        decisionCutoff: String(c.decisionCutoff),
        recordCutoff: String(c.recordCutoff),
        decisionTtl: ttl(this.retention.decisionMs),
        recordTtl: ttl(this.retention.recordMs),
        indexTtl: ttl(this.retention.recordMs + INDEX_GRACE_MS),
        ...(c.policy ? { policy: JSON.stringify(c.policy), policyDefaults: JSON.stringify(DEFAULT_POLICY) } : {}),
      };
      pipeline.commitGroupTick(
        this.keys.triggerStates(),
        this.keys.triggerDecisions(id),
        this.keys.triggerFiredDecisions(id),
        this.keys.triggerCallouts(),
        this.keys.triggerGroupCallouts(id),
        this.keys.triggerActiveCallouts(id),
        this.keys.triggerResponses(id),
        this.keys.triggerLastCalled(),
        this.keys.skillGroups(),
        this.keys.triggerPolicies(),
        this.keys.agents(),
        this.keys.agentIncarnations(),
        JSON.stringify(payload),
      );
    }
    const results = (await guarded(pipeline.exec())) ?? [];
    commits.forEach((c, k) => {
      const [err, code] = results[k];
      if (err) throw asUnavailable(err);
      out.set(c.skillGroupId, code === 1 ? 'committed' : code === -1 ? 'duplicate-callout' : code === -2 ? 'group-gone' : code === -3 ? 'policy-changed' : 'superseded');
    });
    return out;
  }

  /**
   * Prunes what no commit prunes: the records of groups no tick commits for (`untickedGroupIds`: no
   * policy), dead letters and last-called-at entries, each before its cutoff (epoch ms). Their keys
   * expire on their own as well (INDEX_GRACE_MS); this keeps a key that is still written to its retention.
   */
  async pruneRecords(untickedGroupIds: string[], decisionCutoff: number, recordCutoff: number): Promise<void> {
    const pipeline = this.redis.pipeline() as Pipeline & { pruneUntickedGroup(...args: string[]): unknown; pruneLastCalled(...args: string[]): unknown };
    for (const id of untickedGroupIds) {
      const k = this.keys;
      pipeline.pruneUntickedGroup(k.triggerDecisions(id), k.triggerFiredDecisions(id), k.triggerCallouts(), k.triggerGroupCallouts(id), k.triggerActiveCallouts(id), String(decisionCutoff), String(recordCutoff));
    }
    pipeline.pruneLastCalled(this.keys.triggerLastCalled(), String(recordCutoff));
    for (const [err] of (await guarded(pipeline.exec())) ?? []) if (err) throw asUnavailable(err);
    await this.trimDeadLetters(recordCutoff);
  }

  // ------------------------------------------------------------------ callouts

  /**
   * Runs `work` while holding the agent's answer lock: two acceptances of one agent (two waves, two
   * groups, both links tapped at once) are checked against each other one after the other, not both
   * against a state without the other. The lock lapses by itself should its holder die.
   */
  async withAgentAnswerLock<T>(agentId: string, work: () => Promise<T>): Promise<T> {
    const key = this.keys.triggerAnswerLock(agentId);
    const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
    for (let attempt = 0; ; attempt++) {
      if ((await guarded(this.redis.set(key, token, 'PX', ANSWER_LOCK_MS, 'NX'))) === 'OK') break;
      if (attempt >= ANSWER_LOCK_ATTEMPTS) throw new WfmError('unavailable', `another answer of agent ${agentId} is being taken: try again`);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
    try {
      return await work();
    } finally {
      // only our own lock (it may have lapsed and been taken by another answer meanwhile)
      await this.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, token).catch(() => undefined);
    }
  }

  async callout(id: string): Promise<Versioned<StoredCallout> | undefined> {
    const raw = await guarded(this.redis.hget(this.keys.triggerCallouts(), id));
    return raw ? { value: JSON.parse(raw) as StoredCallout, raw } : undefined;
  }

  /**
   * Changes one callout by compare-and-set, re-reading and re-applying `change` when something else
   * wrote in between (an answer racing the delivery record). `change` returns null to leave it as is.
   */
  async updateCallout(
    id: string,
    change: (current: StoredCallout) => { next: StoredCallout; deadLetter?: DeadLetter } | null,
  ): Promise<{ before: StoredCallout; after: StoredCallout } | undefined> {
    for (let attempt = 0; attempt < 50; attempt++) {
      // Lost the race: let the winner's write land before reading again (jittered, so losers spread out).
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
      const current = await this.callout(id);
      if (!current) return undefined;
      const changed = change(current.value);
      if (!changed) return { before: current.value, after: current.value };
      const ok = await guarded(
        this.scripted.compareAndSetCallout(
          this.keys.triggerCallouts(),
          this.keys.triggerDeadLetters(),
          id,
          current.raw,
          JSON.stringify(changed.next),
          changed.deadLetter ? JSON.stringify(changed.deadLetter) : '',
          String(DEAD_LETTER_LIMIT),
          ttl(this.retention.recordMs),
        ),
      );
      if (ok === 1) return { before: current.value, after: changed.next };
    }
    throw asUnavailable(new Error(`callout ${id} kept changing under concurrent writes`));
  }

  /** The first `limit` callouts of the given groups requested in [from, to), in calloutPage's order. */
  async listCallouts(skillGroupIds: string[], fromMs: number, toMs: number, limit: number): Promise<StoredCallout[]> {
    return (await this.calloutPage(skillGroupIds, fromMs, toMs, limit)).callouts;
  }

  /**
   * One page of the callouts of the given groups requested in [from, to): newest first, callouts of one
   * instant by id (ascending), starting after `after` (the position of the previous page's last entry).
   * `last`: the position of the page's last index entry (read on from there); `more`: entries follow it.
   * A callout still indexed but gone from the hash (pruned in between) is left out of `callouts`, not of
   * the positions, so paging moves past it.
   */
  async calloutPage(skillGroupIds: string[], fromMs: number, toMs: number, limit: number, after?: RecordPosition): Promise<CalloutPage> {
    if (!skillGroupIds.length) return { callouts: [], more: false };
    const keys = skillGroupIds.map((id) => this.keys.triggerGroupCallouts(id));
    const below = after && after.at < toMs ? `(${after.at}` : `(${toMs}`;
    // An index lists equal scores by member, reversed when read newest first: entries are read by score
    // (limit + 1 per group, to know whether more follow) and the last score read is then read whole, so
    // that the id order of one instant comes out the same on every page and no entry of it is skipped.
    const first = this.redis.pipeline();
    for (const key of keys) {
      first.zrevrangebyscore(key, below, fromMs, 'WITHSCORES', 'LIMIT', 0, limit + 1);
      if (after && after.at < toMs && after.at >= fromMs) first.zrangebyscore(key, after.at, after.at);
    }
    const results = ((await guarded(first.exec())) ?? []).map(([err, list]) => {
      if (err) throw asUnavailable(err);
      return list as string[];
    });
    const entries: RecordPosition[] = [];
    const boundary = this.redis.pipeline();
    const boundaryScores: number[] = [];
    let k = 0;
    for (const key of keys) {
      const flat = results[k++];
      const read: RecordPosition[] = [];
      for (let i = 0; i < flat.length; i += 2) read.push({ at: Number(flat[i + 1]), key: flat[i] });
      if (read.length > limit) {
        const lowest = read[read.length - 1].at;
        entries.push(...read.filter((e) => e.at !== lowest));
        boundary.zrangebyscore(key, lowest, lowest);
        boundaryScores.push(lowest);
      } else {
        entries.push(...read);
      }
      if (after && after.at < toMs && after.at >= fromMs) for (const id of results[k++]) if (id > after.key) entries.push({ at: after.at, key: id });
    }
    if (boundaryScores.length) {
      ((await guarded(boundary.exec())) ?? []).forEach(([err, ids], b) => {
        if (err) throw asUnavailable(err);
        for (const id of ids as string[]) entries.push({ at: boundaryScores[b], key: id });
      });
    }
    entries.sort(byPosition);
    const page = entries.slice(0, limit);
    if (!page.length) return { callouts: [], more: false };
    const raws = await guarded(this.redis.hmget(this.keys.triggerCallouts(), ...page.map((e) => e.key)));
    return {
      callouts: raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as StoredCallout),
      last: page[page.length - 1],
      more: entries.length > limit,
    };
  }

  /**
   * Drops dead letters older than `cutoff` (epoch ms) from the oldest end: they follow the record
   * retention like the callouts they belong to (the list is newest first).
   */
  async trimDeadLetters(cutoff: number): Promise<number> {
    return Number(await guarded(this.redis.eval(TRIM_DEAD_LETTERS, 1, this.keys.triggerDeadLetters(), String(cutoff))));
  }

  /** Dead letters kept now (within retention), for the metrics scrape. */
  async deadLetterCount(): Promise<number> {
    return guarded(this.redis.llen(this.keys.triggerDeadLetters()));
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const list = (await guarded(this.redis.lrange(this.keys.triggerDeadLetters(), 0, limit - 1))).map((json) => JSON.parse(json) as DeadLetter);
    if (!list.length) return list;
    const callouts = await guarded(this.redis.hmget(this.keys.triggerCallouts(), ...list.map((d) => d.calloutId)));
    return list.map((d, i) => {
      const status = callouts[i] ? (JSON.parse(callouts[i]!) as StoredCallout).status : undefined;
      return status === 'accepted' || status === 'declined' ? { ...d, answered: status } : d;
    });
  }

  // ------------------------------------------------------------------ decisions

  /** The first `limit` decisions of the given groups made in [from, to), in decisionPage's order. */
  async decisions(skillGroupIds: string[], fromMs: number, toMs: number, firedOnly: boolean, limit: number): Promise<Decision[]> {
    return (await this.decisionPage(skillGroupIds, fromMs, toMs, firedOnly, limit)).decisions;
  }

  /**
   * One page of the decisions of the given groups made in [from, to): newest first, decisions of one
   * minute by skill group id (ascending; a group decides once a minute), starting after `after` (the
   * previous page's last decision: its minute and group). `more`: decisions follow the page. Decisions
   * that called nobody are kept for a shorter time than fired ones; both sets are read so nothing
   * retained is missed.
   */
  async decisionPage(skillGroupIds: string[], fromMs: number, toMs: number, firedOnly: boolean, limit: number, after?: RecordPosition): Promise<{ decisions: Decision[]; more: boolean }> {
    if (!skillGroupIds.length) return { decisions: [], more: false };
    const pipeline = this.redis.pipeline();
    // after a position, a group sorting after its group still has its decision of that minute to come
    const upTo = (id: string) => (after && after.at < toMs ? (id > after.key ? String(after.at) : `(${after.at}`) : `(${toMs}`);
    for (const id of skillGroupIds) {
      pipeline.zrevrangebyscore(this.keys.triggerFiredDecisions(id), upTo(id), fromMs, 'WITHSCORES', 'LIMIT', 0, limit + 1);
      if (!firedOnly) pipeline.zrevrangebyscore(this.keys.triggerDecisions(id), upTo(id), fromMs, 'WITHSCORES', 'LIMIT', 0, limit + 1);
    }
    // A fired decision is in both sets as the same packed bytes: deduplicate, and unpack only the page.
    const found = new Map<string, RecordPosition>();
    const results = (await guarded(pipeline.exec())) ?? [];
    results.forEach(([err, list], r) => {
      if (err) throw asUnavailable(err);
      const groupId = skillGroupIds[firedOnly ? r : Math.floor(r / 2)];
      const flat = list as string[];
      for (let i = 0; i < flat.length; i += 2) found.set(flat[i], { at: Number(flat[i + 1]), key: groupId });
    });
    const sorted = [...found.entries()].sort((a, b) => byPosition(a[1], b[1]));
    return { decisions: sorted.slice(0, limit).map(([packed]) => unpackDecision(packed)), more: sorted.length > limit };
  }

  // ------------------------------------------------------------------ one agent's records (right of access)

  /**
   * Every stored callout made to `agentId` — of any incarnation: the caller tells the agent stored now from
   * an earlier one given the id (isCalledAgent) — newest first.
   * A bounded scan, not an index: the callouts hash holds the record retention's callouts only (the tick
   * prunes it and the key expires, TRIGGER_RECORD_RETENTION_DAYS), and a person asks for their data
   * rarely. A per-agent index would have to be written by the tick's commit script, pruned with the
   * records and erased with the agent, for a read that runs a few times a month. HSCAN walks the hash a
   * thousand entries a call (Redis is never held for long), and only entries naming the agent are parsed.
   */
  async calloutsNamingAgent(agentId: string): Promise<StoredCallout[]> {
    // as JSON.stringify wrote the record: the id whole, quotes included (C1 does not find C10)
    const needle = `"agentId":${JSON.stringify(agentId)}`;
    const found = new Map<string, StoredCallout>();
    let cursor = '0';
    do {
      const [next, flat] = await guarded(this.redis.hscan(this.keys.triggerCallouts(), cursor, 'COUNT', 1000));
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        if (!flat[i + 1].includes(needle)) continue;
        const callout = JSON.parse(flat[i + 1]) as StoredCallout;
        // HSCAN may return an entry twice (the hash rehashed between calls): one per id
        if (callout.agentId === agentId) found.set(flat[i], callout);
      }
    } while (cursor !== '0');
    return [...found.values()].sort((a, b) => byPosition({ at: a.requestedAt, key: a.id }, { at: b.requestedAt, key: b.id }));
  }

  /**
   * The dead letters naming `agentId`, newest first: the list is bounded (DEAD_LETTER_LIMIT, and the record
   * retention), so it is read whole, a thousand at a time, and only entries naming the agent are parsed.
   */
  async deadLettersNamingAgent(agentId: string): Promise<DeadLetter[]> {
    const needle = `"agentId":${JSON.stringify(agentId)}`;
    const out: DeadLetter[] = [];
    const chunk = 1000;
    for (let start = 0; start < DEAD_LETTER_LIMIT; start += chunk) {
      const list = await guarded(this.redis.lrange(this.keys.triggerDeadLetters(), start, start + chunk - 1));
      for (const json of list) {
        if (!json.includes(needle)) continue;
        const letter = JSON.parse(json) as DeadLetter;
        if (letter.agentId === agentId) out.push(letter);
      }
      if (list.length < chunk) break;
    }
    return out;
  }

  /**
   * The answers of `agentId` summed per skill group (callouts no longer active: accepted, refused = declined
   * or unanswered), as the trigger ranks agents by them; groups without any answer of theirs are left out.
   */
  async agentResponses(agentId: string, skillGroupIds: string[]): Promise<Map<string, AcceptanceStats>> {
    const out = new Map<string, AcceptanceStats>();
    if (!skillGroupIds.length) return out;
    const pipeline = this.redis.pipeline();
    for (const id of skillGroupIds) pipeline.hmget(this.keys.triggerResponses(id), `agent:${agentId}:accepted`, `agent:${agentId}:refused`);
    ((await guarded(pipeline.exec())) ?? []).forEach(([err, reply], k) => {
      if (err) throw asUnavailable(err);
      const [accepted, refused] = reply as Array<string | null>;
      if (accepted !== null || refused !== null) out.set(skillGroupIds[k], { accepted: Number(accepted ?? 0), refused: Number(refused ?? 0) });
    });
    return out;
  }

  /**
   * The callouts made to `agentId` (any incarnation: the caller tells them apart) requested in [from, to),
   * newest first, for a feed read often (the agent's calendar). There is no index by agent: adding one
   * would take the tick's commit script, the pruning and the agent erasure along. Instead two bounds:
   * an agent never called within the retention (no last-called-at, most agents) costs one HGET, and for
   * the others the groups' indexes are read newest first, a page at a time, at most `maxScanned`
   * callouts of all agents; `complete` is false when older ones were left unread. (Last-called-at is
   * not used as the upper end: it is the last commit's, which a group's commit a minute late could set
   * below another group's newer callout.)
   */
  async calloutsOfAgentIn(agentId: string, skillGroupIds: string[], fromMs: number, toMs: number, maxScanned: number): Promise<{ callouts: StoredCallout[]; complete: boolean }> {
    if ((await this.agentLastCalledAt(agentId)) === undefined) return { callouts: [], complete: true };
    const { callouts, complete } = await this.scanCallouts(skillGroupIds, fromMs, toMs, {
      keep: (c) => c.agentId === agentId,
      pageSize: Math.min(500, maxScanned),
      maxScanned,
    });
    return { callouts, complete };
  }

  /**
   * The callouts of the given groups requested in [from, to) that `keep` accepts, in calloutPage's order
   * from after `after`: what a read filtered without an index (by agent, by status) does, reading
   * `pageSize` callouts a page until `limit` are kept, the range is read through, or `maxScanned` were read
   * (counted in whole pages). `complete`: nothing that could be kept is left unread; otherwise `resumeAfter`
   * is where to read on — the last kept callout when `limit` stopped the read, the last position read when
   * `maxScanned` did.
   */
  async scanCallouts(
    skillGroupIds: string[],
    fromMs: number,
    toMs: number,
    scan: { keep: (callout: StoredCallout) => boolean; pageSize: number; maxScanned: number; limit?: number; after?: RecordPosition },
  ): Promise<{ callouts: StoredCallout[]; complete: boolean; resumeAfter?: RecordPosition }> {
    const kept: StoredCallout[] = [];
    let after = scan.after;
    for (let scanned = 0; scanned < scan.maxScanned; scanned += scan.pageSize) {
      const page = await this.calloutPage(skillGroupIds, fromMs, toMs, scan.pageSize, after);
      for (let k = 0; k < page.callouts.length; k++) {
        const callout = page.callouts[k];
        if (!scan.keep(callout)) continue;
        kept.push(callout);
        if (kept.length === scan.limit) {
          const followed = k < page.callouts.length - 1 || page.more;
          return followed ? { callouts: kept, complete: false, resumeAfter: { at: callout.requestedAt, key: callout.id } } : { callouts: kept, complete: true };
        }
      }
      if (!page.more || !page.last) return { callouts: kept, complete: true };
      after = page.last;
    }
    return { callouts: kept, complete: false, resumeAfter: after };
  }

  /** When `agentId` was last called out (epoch ms), if the trigger still remembers (record retention). */
  async agentLastCalledAt(agentId: string): Promise<number | undefined> {
    const at = await guarded(this.redis.hget(this.keys.triggerLastCalled(), agentId));
    return at === null ? undefined : Number(at);
  }

  // ------------------------------------------------------------------ the last tick (metrics)

  /** One small hash for the whole deployment, written at the end of every tick. */
  private lastTickKey(): string {
    return `${this.keys.prefix}:trigger:last-tick`;
  }

  /**
   * Records that a tick completed at `at` (epoch ms), and, for a tick that decided, how many groups it held
   * for a stale feed and skipped: what the metrics export deployment-wide, so a trigger no process ticks
   * any more (its scheduler gone) is seen. A tick that found every group done keeps the counts of the one
   * that did them.
   */
  async recordTick(tick: { at: number; feedStale?: number; skipped?: number }): Promise<void> {
    const fields: Record<string, string> = { at: String(tick.at) };
    if (tick.feedStale !== undefined) fields.feedStale = String(tick.feedStale);
    if (tick.skipped !== undefined) fields.skipped = String(tick.skipped);
    await guarded(this.redis.hset(this.lastTickKey(), fields));
  }

  /** What recordTick left: undefined when no tick completed since Redis was emptied. */
  async lastTick(): Promise<{ at: number; feedStale?: number; skipped?: number } | undefined> {
    const hash = await guarded(this.redis.hgetall(this.lastTickKey()));
    if (hash.at === undefined) return undefined;
    const count = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    return { at: Number(hash.at), feedStale: count(hash.feedStale), skipped: count(hash.skipped) };
  }
}
