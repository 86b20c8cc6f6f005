import type { Redis } from 'ioredis';
import type { SkillGroup } from '../domain/types';
import { guarded } from './redis';
import type { Keys } from './keys';

/** Skill groups as JSON in one hash (there are tens, not thousands); deleting one takes what it owns along. */
export class SkillGroupRepository {
  constructor(private readonly redis: Redis, private readonly keys: Keys) {}

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

  /** Writes all groups in one transaction: a rejected batch never leaves half of it behind. */
  async putAll(groups: SkillGroup[]): Promise<void> {
    if (groups.length === 0) return;
    const fields = groups.flatMap((g) => [g.id, JSON.stringify(g)]);
    await guarded(this.redis.multi().hset(this.keys.skillGroups(), ...fields).exec());
  }

  /**
   * Removes the group and what only it owns — its interval history and its surge-trigger policy and
   * state — in one MULTI/EXEC: no reader sees the group without its policy, or a policy of no group
   * that the next tick would still work on.
   */
  async delete(id: string): Promise<boolean> {
    const months = await guarded(this.redis.zrange(this.keys.historyMonths(id), 0, -1));
    const history = [...months.map((m) => this.keys.historyMonth(id, m)), this.keys.historyMonths(id)];
    const results = await guarded(
      this.redis.multi().hdel(this.keys.skillGroups(), id).hdel(this.keys.triggerPolicies(), id).hdel(this.keys.triggerStates(), id).del(...history).exec(),
    );
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
    return Number(results?.[0]?.[1] ?? 0) > 0;
  }
}
