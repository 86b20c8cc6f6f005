import type { Redis } from 'ioredis';
import { WfmError } from '../errors/wfm-error';
import { guarded } from './redis';

/**
 * A batch of writes that lands only while every skill group it belongs to still exists, as one script.
 *
 * Why: a writer checks its group, then works (a forecast job for minutes, an upload for milliseconds),
 * then writes. A group deleted in between would come back as orphan keys — a forecast, history months,
 * special days, realtime days of a group that is gone — which nothing lists and the delete already
 * missed. MULTI/EXEC cannot test the group first, and WATCH is per connection (the service shares one
 * between concurrent requests), so the test and the writes run in one script. Like MULTI/EXEC it does
 * not roll back a command that fails half-way; the callers validate their input before writing.
 */
const WRITE_IF_GROUPS_EXIST = `
-- KEYS[1]: the skill-groups hash; KEYS[2..]: the keys written.
-- ARGV: n, then n group ids, then per command: name, index into KEYS, argument count, arguments.
local n = tonumber(ARGV[1])
local missing = {}
for i = 2, n + 1 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then missing[#missing + 1] = ARGV[i] end
end
if #missing > 0 then return missing end
local i = n + 2
while i <= #ARGV do
  local argc = tonumber(ARGV[i + 2])
  redis.call(ARGV[i], KEYS[tonumber(ARGV[i + 1])], unpack(ARGV, i + 3, i + 2 + argc))
  i = i + 3 + argc
end
return {}
`;

/** Arguments per command call inside the script: unpack() of many thousands would overflow Lua's stack. */
const MAX_ARGS_PER_CALL = 1000;

type ScriptedRedis = Redis & { writeIfGroupsExist(...args: string[]): Promise<string[]> };

export class GroupGuardedWrite {
  private readonly keyIndex = new Map<string, number>();
  private readonly commandArgs: string[] = [];

  constructor(private readonly skillGroupsKey: string) {}

  /** One command on one key, e.g. call('EXPIRE', key, '3600'). */
  call(command: string, key: string, ...args: string[]): this {
    let index = this.keyIndex.get(key);
    // KEYS[1] is the skill-groups hash
    if (index === undefined) this.keyIndex.set(key, (index = this.keyIndex.size + 2));
    this.commandArgs.push(command, String(index), String(args.length), ...args);
    return this;
  }

  /** HSET of many field–value pairs, in slices (same result as one HSET). */
  hset(key: string, fieldsAndValues: string[]): this {
    for (let i = 0; i < fieldsAndValues.length; i += MAX_ARGS_PER_CALL) this.call('HSET', key, ...fieldsAndValues.slice(i, i + MAX_ARGS_PER_CALL));
    return this;
  }

  get empty(): boolean {
    return this.commandArgs.length === 0;
  }

  /**
   * Runs the batch if every one of `skillGroupIds` exists; otherwise writes nothing and throws a conflict
   * naming the groups that are gone (deleted after the caller checked them).
   */
  async exec(redis: Redis, skillGroupIds: Iterable<string>, what: string): Promise<void> {
    const ids = [...new Set(skillGroupIds)];
    const scripted = redis as ScriptedRedis;
    if (!('writeIfGroupsExist' in redis)) redis.defineCommand('writeIfGroupsExist', { lua: WRITE_IF_GROUPS_EXIST });
    const keys = [this.skillGroupsKey, ...this.keyIndex.keys()];
    const missing = await guarded(scripted.writeIfGroupsExist(String(keys.length), ...keys, String(ids.length), ...ids, ...this.commandArgs));
    if (missing.length) {
      throw new WfmError('conflict', `${what} was not stored: skill group ${missing.join(', ')} no longer exists (deleted meanwhile)`, {
        details: missing.map((id) => ({ where: `/skill-groups/${id}`, message: 'deleted while this write was under way; nothing was written' })),
      });
    }
  }
}
