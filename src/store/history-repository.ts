import type { Redis } from 'ioredis';
import type { IntervalVolume } from '../domain/types';
import { WfmError, type ProblemDetail } from '../errors/wfm-error';
import { asUnavailable, guarded } from './redis';
import type { Keys } from './keys';
import { groupsGone } from './group-guarded-write';

const MINUTE = 60_000;

function utcMonth(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A month's score in the months index (yyyymm as a number), ordered as the months are, for any year. */
function monthScore(epochMs: number): number {
  const d = new Date(epochMs);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/**
 * Writes a history batch only while each of its groups exists with the interval the batch was validated
 * against, as one script. Why the interval too: the rows were summed onto the group's grid as it was read
 * before validating; a group switched meanwhile from 30 to 15 minutes (allowed while it has no history)
 * would get half-hour totals it reads as quarter hours, and then refuse to switch back, naming a grid its
 * history is not on. The existence check is GroupGuardedWrite's (a group deleted meanwhile must not come
 * back as orphan history months).
 */
const WRITE_HISTORY_IF_GRID_UNCHANGED = `
-- KEYS[1]: the skill-groups hash; KEYS[2..]: per month written, its hash and then its group's months index.
-- ARGV: n, then n pairs (group id, interval minutes validated against, '' = any);
-- then per month: the month, the field-value count c, then c fields and values.
local n = tonumber(ARGV[1])
local refused = {}
for i = 0, n - 1 do
  local id, expected = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
  local json = redis.call('HGET', KEYS[1], id)
  if not json then
    refused[#refused + 1] = id
    refused[#refused + 1] = 'gone'
  elseif expected ~= '' then
    local now = tostring(cjson.decode(json).intervalMinutes)
    if now ~= expected then
      refused[#refused + 1] = id
      refused[#refused + 1] = now
    end
  end
end
if #refused > 0 then return refused end
local a = 2 + 2 * n
local k = 2
while a <= #ARGV do
  local month, c = ARGV[a], tonumber(ARGV[a + 1])
  -- in slices: unpack() of thousands of values would overflow Lua's stack
  for from = a + 2, a + 1 + c, 1000 do
    redis.call('HSET', KEYS[k], unpack(ARGV, from, math.min(from + 999, a + 1 + c)))
  end
  redis.call('ZADD', KEYS[k + 1], month, month)
  a = a + 2 + c
  k = k + 2
end
return {}
`;

type ScriptedRedis = Redis & { writeHistoryIfGridUnchanged(args: string[]): Promise<string[]> };

/**
 * Interval history: one hash per (skill group, UTC month), field = interval start in epoch minutes,
 * value = "volume" or "volume,aht". A year is 12 HGETALLs in one pipeline (~17,520 fields at 30 minutes),
 * and an upsert of a batch is one script, so a batch lands whole or not at all — and not at all when one
 * of its skill groups was deleted after the upload was checked.
 */
export class HistoryRepository {
  private readonly scripted: ScriptedRedis;

  constructor(private readonly redis: Redis, private readonly keys: Keys) {
    if (!('writeHistoryIfGridUnchanged' in redis)) redis.defineCommand('writeHistoryIfGridUnchanged', { lua: WRITE_HISTORY_IF_GRID_UNCHANGED });
    this.scripted = redis as ScriptedRedis;
  }

  /**
   * Idempotent upsert: each interval's value is replaced, never added to. `validatedOn` gives, per skill
   * group, the interval minutes the batch was validated (and summed) against; the write is refused (409,
   * nothing written) when a group is gone or its interval is no longer that one. A group it does not name
   * is only checked to exist.
   */
  async upsert(intervals: IntervalVolume[], validatedOn: ReadonlyMap<string, { intervalMinutes: number }> = new Map()): Promise<void> {
    if (intervals.length === 0) return;
    const byKey = new Map<string, { skillGroupId: string; month: string; fields: string[] }>();
    for (const iv of intervals) {
      const month = utcMonth(iv.start);
      const key = this.keys.historyMonth(iv.skillGroupId, month);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { skillGroupId: iv.skillGroupId, month, fields: [] }));
      entry.fields.push(String(iv.start / MINUTE), iv.ahtSeconds === undefined ? String(iv.volume) : `${iv.volume},${iv.ahtSeconds}`);
    }
    const ids = [...new Set(intervals.map((iv) => iv.skillGroupId))];
    const keys = [this.keys.skillGroups()];
    // one array (ioredis flattens it), filled in loops: a year of 5-minute rows is ~200,000 arguments,
    // more than a spread into a call can take on the stack
    const args = [String(ids.length)];
    for (const id of ids) args.push(id, String(validatedOn.get(id)?.intervalMinutes ?? ''));
    for (const [key, { skillGroupId, month, fields }] of byKey) {
      keys.push(key, this.keys.historyMonths(skillGroupId));
      args.push(month, String(fields.length));
      for (const f of fields) args.push(f);
    }
    const refused = await guarded(this.scripted.writeHistoryIfGridUnchanged([String(keys.length), ...keys].concat(args)));
    if (refused.length) throw refusal(refused, validatedOn);
  }

  /**
   * Intervals with from ≤ start < to, sorted by start. Only the months the group's months index holds in
   * the range are read: a range is the caller's to choose (0001 to 9999 means "everything"), and one
   * HGETALL per calendar month of it was ~120,000 commands in one pipeline, holding this process and
   * Redis for seconds. So the work grows with the history stored, never with the range asked.
   */
  async read(skillGroupId: string, fromMs: number, toMs: number): Promise<IntervalVolume[]> {
    if (!(toMs > fromMs)) return [];
    const months = await guarded(this.redis.zrangebyscore(this.keys.historyMonths(skillGroupId), monthScore(fromMs), monthScore(toMs - 1)));
    const pipeline = this.redis.pipeline();
    for (const m of months) pipeline.hgetall(this.keys.historyMonth(skillGroupId, m));
    const results = await guarded(pipeline.exec());
    const out: IntervalVolume[] = [];
    for (const [err, hash] of results ?? []) {
      if (err) throw asUnavailable(err);
      for (const [field, value] of Object.entries(hash as Record<string, string>)) {
        const start = Number(field) * MINUTE;
        if (start < fromMs || start >= toMs) continue;
        const comma = value.indexOf(',');
        out.push(
          comma < 0
            ? { skillGroupId, start, volume: Number(value) }
            : { skillGroupId, start, volume: Number(value.slice(0, comma)), ahtSeconds: Number(value.slice(comma + 1)) },
        );
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** The first and the last stored interval start (two HKEYS: the first and the last month's fields). */
  async intervalRange(skillGroupId: string): Promise<{ firstStart: number; lastStart: number } | undefined> {
    const months = await guarded(this.redis.zrange(this.keys.historyMonths(skillGroupId), 0, -1));
    if (months.length === 0) return undefined;
    const [first, last] = await Promise.all([months[0], months[months.length - 1]].map((m) => guarded(this.redis.hkeys(this.keys.historyMonth(skillGroupId, m)))));
    if (!first.length || !last.length) return undefined;
    let firstStart = Infinity;
    let lastStart = -Infinity;
    for (const f of first) firstStart = Math.min(firstStart, Number(f) * MINUTE);
    for (const f of last) lastStart = Math.max(lastStart, Number(f) * MINUTE);
    return { firstStart, lastStart };
  }

  /**
   * The last stored interval start in [notBeforeMs, beforeMs), or undefined when none lies there: the
   * months' index picks the months the window touches, then one HKEYS per month, newest first, until one
   * has an interval in it (usually the first). Whole-month answers (extent) cannot say whether the history
   * reaches a day: data ending on the 2nd makes the month reach the 1st of the next.
   */
  async lastStartBefore(skillGroupId: string, beforeMs: number, notBeforeMs: number): Promise<number | undefined> {
    if (!(beforeMs > notBeforeMs)) return undefined;
    const months = await guarded(this.redis.zrevrangebyscore(this.keys.historyMonths(skillGroupId), Number(utcMonth(beforeMs - 1)), Number(utcMonth(notBeforeMs))));
    for (const month of months) {
      const fields = await guarded(this.redis.hkeys(this.keys.historyMonth(skillGroupId, month)));
      let last = -Infinity;
      for (const f of fields) {
        const start = Number(f) * MINUTE;
        if (start >= notBeforeMs && start < beforeMs && start > last) last = start;
      }
      if (last > -Infinity) return last;
    }
    return undefined;
  }

  /** First and last stored month, for "read everything" requests without a range. */
  async extent(skillGroupId: string): Promise<{ fromMs: number; toMs: number } | undefined> {
    const months = await guarded(this.redis.zrange(this.keys.historyMonths(skillGroupId), 0, -1));
    if (months.length === 0) return undefined;
    const toMs = (m: string) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(4)) - 1, 1);
    const last = months[months.length - 1];
    return { fromMs: toMs(months[0]), toMs: Date.UTC(Number(last.slice(0, 4)), Number(last.slice(4)), 1) };
  }
}

/** The 409 of a refused batch: per group, deleted meanwhile or its interval changed since validation. */
function refusal(refused: string[], validatedOn: ReadonlyMap<string, { intervalMinutes: number }>): WfmError {
  const gone: string[] = [];
  const changed: string[] = [];
  const details: ProblemDetail[] = [];
  for (let i = 0; i < refused.length; i += 2) {
    const [id, now] = [refused[i], refused[i + 1]];
    if (now === 'gone') {
      gone.push(id);
      details.push(...groupsGone([id]).details);
    } else {
      const was = validatedOn.get(id)?.intervalMinutes;
      changed.push(`skill group ${id} changed from ${was}- to ${now}-minute intervals while the upload was validated`);
      details.push({ where: `/skill-groups/${id}`, message: `its intervalMinutes changed from ${was} to ${now} while the upload was validated on the ${was}-minute grid; nothing was written: upload the history again` });
    }
  }
  const reasons = [...(gone.length ? [groupsGone(gone).reason] : []), ...changed];
  return new WfmError('conflict', `the history batch was not stored: ${reasons.join('; ')}`, { details });
}
