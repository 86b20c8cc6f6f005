import type { Redis } from 'ioredis';
import { asUnavailable, guarded } from './redis';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';
import type { ForecastDay } from '../forecast/index';

const MINUTE = 60_000;

export interface StoredForecastPoint {
  intervalStart: number;
  p10: number;
  p50: number;
  p90: number;
  /** the expected volume (the model's mean); absent in forecasts stored before it was kept */
  expected?: number;
  ahtSeconds?: number;
}

export interface StoredForecastMeta {
  skillGroupId: string;
  createdAt: string;
  from: string;
  alias: string;
  modelVersion?: string;
  baselineFallback: boolean;
  fallbackReason?: string;
  /** each forecast day's calendar (holiday, eve, special day and uplift): why a day is low or high */
  days?: ForecastDay[];
}

/**
 * The latest two-week forecast per skill group, stored by the `forecast` job: replaced whole (the old one
 * is deleted in the same script), so a reader never sees a mix of two runs; a group deleted while its
 * forecast was computed gets none (the job fails with a conflict).
 */
export class ForecastRepository {
  constructor(private readonly redis: Redis, private readonly keys: Keys) {}

  async replace(meta: StoredForecastMeta, points: StoredForecastPoint[]): Promise<void> {
    const fields = points.flatMap((p) => [
      String(p.intervalStart / MINUTE),
      [p.p10, p.p50, p.p90, p.ahtSeconds ?? '', p.expected ?? ''].join(','),
    ]);
    const write = new GroupGuardedWrite(this.keys.skillGroups()).call('DEL', this.keys.forecast(meta.skillGroupId));
    if (fields.length) write.hset(this.keys.forecast(meta.skillGroupId), fields);
    write.call('SET', this.keys.forecastMeta(meta.skillGroupId), JSON.stringify(meta));
    await write.exec(this.redis, [meta.skillGroupId], `the forecast of ${meta.skillGroupId}`);
  }

  async meta(skillGroupId: string): Promise<StoredForecastMeta | undefined> {
    const json = await guarded(this.redis.get(this.keys.forecastMeta(skillGroupId)));
    return json ? (JSON.parse(json) as StoredForecastMeta) : undefined;
  }

  async read(skillGroupId: string, fromMs: number, toMs: number): Promise<StoredForecastPoint[]> {
    const hash = await guarded(this.redis.hgetall(this.keys.forecast(skillGroupId)));
    const out: StoredForecastPoint[] = [];
    for (const [field, value] of Object.entries(hash)) {
      const intervalStart = Number(field) * MINUTE;
      if (intervalStart < fromMs || intervalStart >= toMs) continue;
      out.push(parsePoint(intervalStart, value));
    }
    return out.sort((a, b) => a.intervalStart - b.intervalStart);
  }

  /**
   * Given interval starts of many groups at once (one pipeline of HMGETs, not a whole hash per group):
   * what the trigger tick reads every minute. Intervals without a stored point are left out.
   */
  async pointsAt(intervalStartsByGroup: Map<string, number[]>): Promise<Map<string, { points: StoredForecastPoint[]; meta?: StoredForecastMeta }>> {
    const groups = [...intervalStartsByGroup.keys()];
    const pipeline = this.redis.pipeline();
    for (const id of groups) {
      const starts = intervalStartsByGroup.get(id)!;
      if (starts.length) pipeline.hmget(this.keys.forecast(id), ...starts.map((s) => String(s / MINUTE)));
      else pipeline.echo('');
      pipeline.get(this.keys.forecastMeta(id));
    }
    const results = (await guarded(pipeline.exec())) ?? [];
    const out = new Map<string, { points: StoredForecastPoint[]; meta?: StoredForecastMeta }>();
    groups.forEach((id, k) => {
      const [[valuesError, values], [metaError, meta]] = [results[2 * k], results[2 * k + 1]];
      if (valuesError) throw asUnavailable(valuesError);
      if (metaError) throw asUnavailable(metaError);
      const starts = intervalStartsByGroup.get(id)!;
      const points = Array.isArray(values) ? starts.flatMap((s, i) => ((values as Array<string | null>)[i] ? [parsePoint(s, (values as string[])[i])] : [])) : [];
      out.set(id, { points, ...(meta ? { meta: JSON.parse(meta as string) as StoredForecastMeta } : {}) });
    });
    return out;
  }
}

function parsePoint(intervalStart: number, value: string): StoredForecastPoint {
  const [p10, p50, p90, aht, expected] = value.split(',');
  return { intervalStart, p10: Number(p10), p50: Number(p50), p90: Number(p90), ...(aht ? { ahtSeconds: Number(aht) } : {}), ...(expected ? { expected: Number(expected) } : {}) };
}
