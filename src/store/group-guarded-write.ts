import type { Redis } from 'ioredis';
import { WfmError, type ProblemDetail } from '../errors/wfm-error';
import { guarded } from './redis';

/**
 * A batch of writes that lands only while every skill group it belongs to still exists, as one script.
 *
 * Why: a writer checks its group, then works (a forecast job for minutes, an upload for milliseconds),
 * then writes. A group deleted in between would come back as orphan keys — a forecast, special days,
 * realtime days, a trigger policy of a group that is gone — which nothing lists and the delete already
 * missed. (History writes check more — the group's interval too — in their own script, in
 * history-repository.ts.) MULTI/EXEC cannot test the group first, and WATCH is per connection (the service shares one
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

type ScriptedRedis = Redis & { writeIfGroupsExist(args: string[]): Promise<string[]> };

/**
 * How every write refused for skill groups deleted while it was under way words it (this one, the
 * history, agents' and skill groups' own scripts): the reason for the message, one detail per group.
 */
export function groupsGone(ids: string[]): { reason: string; details: ProblemDetail[] } {
  return {
    reason: `skill group ${ids.join(', ')} no longer exists (deleted meanwhile)`,
    details: ids.map((id) => ({ where: `/skill-groups/${id}`, message: 'deleted while this write was under way; nothing was written' })),
  };
}

export class GroupGuardedWrite {
  private readonly keyIndex = new Map<string, number>();
  private readonly commandArgs: string[] = [];

  constructor(private readonly skillGroupsKey: string) {}

  /**
   * One command on one key, e.g. call('EXPIRE', key, '3600'). At most MAX_ARGS_PER_CALL arguments: more
   * would fail inside the script after the commands before it were written, so it is refused here.
   */
  call(command: string, key: string, ...args: string[]): this {
    return this.command(command, key, args);
  }

  /** HSET of many field–value pairs, in slices (same result as one HSET). */
  hset(key: string, fieldsAndValues: string[]): this {
    return this.sliced('HSET', key, [], fieldsAndValues);
  }

  /** ZADD (with flags such as GT) of many score–member pairs, in slices (same result as one ZADD). */
  zadd(key: string, flags: string[], scoresAndMembers: string[]): this {
    return this.sliced('ZADD', key, flags, scoresAndMembers);
  }

  get empty(): boolean {
    return this.commandArgs.length === 0;
  }

  /** A command whose pairs may be split over several calls; the slices stay even, so no pair is torn. */
  private sliced(command: string, key: string, head: string[], pairs: string[]): this {
    const perCall = MAX_ARGS_PER_CALL - head.length - ((MAX_ARGS_PER_CALL - head.length) % 2);
    for (let i = 0; i < pairs.length; i += perCall) this.command(command, key, [...head, ...pairs.slice(i, i + perCall)]);
    return this;
  }

  private command(command: string, key: string, args: string[]): this {
    if (args.length > MAX_ARGS_PER_CALL) throw new WfmError('internal', `${command} with ${args.length} arguments: at most ${MAX_ARGS_PER_CALL} per call in the script (use a sliced write)`);
    let index = this.keyIndex.get(key);
    // KEYS[1] is the skill-groups hash
    if (index === undefined) this.keyIndex.set(key, (index = this.keyIndex.size + 2));
    this.commandArgs.push(command, String(index), String(args.length));
    // no push(...args) of a caller's array into a call: one argument per stack slot overflows past ~100k
    for (const arg of args) this.commandArgs.push(arg);
    return this;
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
    // One array argument (ioredis flattens it), never a spread: a documented batch of 100,000 realtime
    // events is millions of arguments, far past what a JavaScript call can take on the stack.
    const args = [String(keys.length)].concat(keys, [String(ids.length)], ids, this.commandArgs);
    const missing = await guarded(scripted.writeIfGroupsExist(args));
    if (missing.length) {
      const gone = groupsGone(missing);
      throw new WfmError('conflict', `${what} was not stored: ${gone.reason}`, { details: gone.details });
    }
  }
}
