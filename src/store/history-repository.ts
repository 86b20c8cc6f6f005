import type { Redis } from 'ioredis';
import type { IntervalVolume } from '../domain/types';
import { asUnavailable, guarded } from './redis';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';

const MINUTE = 60_000;

function utcMonth(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthsBetween(fromMs: number, toMs: number): string[] {
  const months: string[] = [];
  const d = new Date(Date.UTC(new Date(fromMs).getUTCFullYear(), new Date(fromMs).getUTCMonth(), 1));
  while (d.getTime() < toMs) {
    months.push(utcMonth(d.getTime()));
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return months;
}

/**
 * Interval history: one hash per (skill group, UTC month), field = interval start in epoch minutes,
 * value = "volume" or "volume,aht". A year is 12 HGETALLs in one pipeline (~17,520 fields at 30 minutes),
 * and an upsert of a batch is one script, so a batch lands whole or not at all — and not at all when one
 * of its skill groups was deleted after the upload was checked.
 */
export class HistoryRepository {
  constructor(private readonly redis: Redis, private readonly keys: Keys) {}

  /** Idempotent upsert: each interval's value is replaced, never added to. */
  async upsert(intervals: IntervalVolume[]): Promise<void> {
    if (intervals.length === 0) return;
    const byKey = new Map<string, { skillGroupId: string; month: string; fields: string[] }>();
    for (const iv of intervals) {
      const month = utcMonth(iv.start);
      const key = this.keys.historyMonth(iv.skillGroupId, month);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { skillGroupId: iv.skillGroupId, month, fields: [] }));
      entry.fields.push(String(iv.start / MINUTE), iv.ahtSeconds === undefined ? String(iv.volume) : `${iv.volume},${iv.ahtSeconds}`);
    }
    const write = new GroupGuardedWrite(this.keys.skillGroups());
    for (const [key, { skillGroupId, month, fields }] of byKey) {
      write.hset(key, fields);
      write.call('ZADD', this.keys.historyMonths(skillGroupId), month, month);
    }
    await write.exec(this.redis, intervals.map((iv) => iv.skillGroupId), 'the history batch');
  }

  /** Intervals with from ≤ start < to, sorted by start. */
  async read(skillGroupId: string, fromMs: number, toMs: number): Promise<IntervalVolume[]> {
    const months = monthsBetween(fromMs, toMs);
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
