import type { Redis } from 'ioredis';
import type { Agent } from '../domain/types';
import { guarded } from './redis';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';

/** Agents as JSON in one hash: a center has hundreds to a few thousand, read whole for rostering. */
export class AgentRepository {
  constructor(private readonly redis: Redis, private readonly keys: Keys) {}

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

  async delete(id: string): Promise<boolean> {
    const n = await guarded(this.redis.hdel(this.keys.agents(), id));
    return n > 0;
  }
}
