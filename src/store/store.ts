import type { Redis } from 'ioredis';
import { Keys } from './keys';
import { SkillGroupRepository } from './skill-group-repository';
import { AgentRepository } from './agent-repository';
import { HistoryRepository } from './history-repository';
import { ForecastRepository } from './forecast-repository';
import { SpecialDayRepository } from './special-day-repository';
import { RealtimeRepository } from './realtime-repository';
import { RosterRepository } from './roster-repository';
import { TriggerRepository, type TriggerRetention } from './trigger-repository';

/** All repositories over one Redis connection and key prefix. */
export interface Store {
  redis: Redis;
  keys: Keys;
  skillGroups: SkillGroupRepository;
  agents: AgentRepository;
  history: HistoryRepository;
  forecasts: ForecastRepository;
  specialDays: SpecialDayRepository;
  realtime: RealtimeRepository;
  rosters: RosterRepository;
  trigger: TriggerRepository;
}

/**
 * `realtimeRetentionDays`: how long per-minute realtime events are kept (the trigger and intraday forecast
 * need days, not months). `triggerRetention`: how long the trigger's records are kept (the keys expire
 * on their own, ticked or not: the defaults are the configuration's).
 */
export function createStore(redis: Redis, prefix: string, realtimeRetentionDays = 35, triggerRetention?: TriggerRetention): Store {
  const keys = new Keys(prefix);
  return {
    redis,
    keys,
    skillGroups: new SkillGroupRepository(redis, keys),
    agents: new AgentRepository(redis, keys),
    history: new HistoryRepository(redis, keys),
    forecasts: new ForecastRepository(redis, keys),
    specialDays: new SpecialDayRepository(redis, keys),
    realtime: new RealtimeRepository(redis, keys, realtimeRetentionDays),
    rosters: new RosterRepository(redis, keys),
    trigger: new TriggerRepository(redis, keys, triggerRetention),
  };
}
