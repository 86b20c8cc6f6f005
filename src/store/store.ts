import type { Redis } from 'ioredis';
import { Keys } from './keys';
import { SkillGroupRepository } from './skill-group-repository';
import { AgentRepository } from './agent-repository';
import { HistoryRepository } from './history-repository';

/** All repositories over one Redis connection and key prefix. */
export interface Store {
  redis: Redis;
  keys: Keys;
  skillGroups: SkillGroupRepository;
  agents: AgentRepository;
  history: HistoryRepository;
}

export function createStore(redis: Redis, prefix: string): Store {
  const keys = new Keys(prefix);
  return {
    redis,
    keys,
    skillGroups: new SkillGroupRepository(redis, keys),
    agents: new AgentRepository(redis, keys),
    history: new HistoryRepository(redis, keys),
  };
}
