import type { Redis } from 'ioredis';
import type { SpecialDay } from '../forecast/calendar';
import { guarded } from './redis';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';

/** Planner-declared special days (a sale, a billing run, a storm warning) per skill group, by local date. */
export class SpecialDayRepository {
  constructor(private readonly redis: Redis, private readonly keys: Keys) {}

  async list(skillGroupId: string): Promise<SpecialDay[]> {
    const all = await guarded(this.redis.hvals(this.keys.specialDays(skillGroupId)));
    return all.map((j) => JSON.parse(j) as SpecialDay).sort((a, b) => a.date.localeCompare(b.date));
  }

  async putAll(skillGroupId: string, days: SpecialDay[]): Promise<void> {
    if (!days.length) return;
    const write = new GroupGuardedWrite(this.keys.skillGroups()).hset(this.keys.specialDays(skillGroupId), days.flatMap((d) => [d.date, JSON.stringify(d)]));
    await write.exec(this.redis, [skillGroupId], 'the special days');
  }

  async delete(skillGroupId: string, date: string): Promise<boolean> {
    return (await guarded(this.redis.hdel(this.keys.specialDays(skillGroupId), date))) > 0;
  }
}
