import type { Redis } from 'ioredis';
import { asUnavailable, guarded } from './redis';
import type { Keys } from './keys';
import { GroupGuardedWrite } from './group-guarded-write';
import type { CheckedRealtimeEvent } from '../trigger/realtime-ingest';
import { emptyRecord } from '../domain/records';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What a client reports for one skill group and minute, as ingest checked it (../trigger/realtime-ingest.ts). */
export type RealtimeEvent = CheckedRealtimeEvent;

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const MEASURES = ['arrivals', 'queueLength', 'agentsLoggedIn', 'agentsAvailable', 'handled'] as const;

/**
 * Realtime events: one hash per (skill group, UTC day) with one field per minute and measure
 * (`<epoch minute>:<measure>`, signals as `<epoch minute>:s:<name>`). A later report for the same minute
 * overrides exactly the measures it carries, with no read-modify-write, so concurrent batches cannot lose
 * each other's data. A batch is one script, written only while all its skill groups exist; each day key
 * expires once its whole day is older than the retention window (see dayExpiresInMs).
 * Each group's days are listed in an index (Keys.realtimeDays) written in the same script as the days:
 * deleting the group reads it to name the day keys, instead of searching the keyspace for them.
 */
export class RealtimeRepository {
  /** `retentionDays`: how long a day of events is kept; ingest refuses minutes older than that. */
  constructor(private readonly redis: Redis, private readonly keys: Keys, readonly retentionDays: number) {}

  /** `now`: the service's (business) clock, the one ingest checked the minutes against. */
  async append(events: RealtimeEvent[], now: number): Promise<void> {
    if (!events.length) return;
    const byKey = new Map<string, { skillGroupId: string; date: string; day: number; fields: string[] }>();
    // signal names per group → the latest minute each was seen (the tick reads signals by exact field)
    const signalNames = new Map<string, Map<string, number>>();
    for (const e of events) {
      const date = utcDate(e.minute);
      const key = this.keys.realtimeDay(e.skillGroupId, date);
      const { fields } = byKey.get(key) ?? byKey.set(key, { skillGroupId: e.skillGroupId, date, day: Math.floor(e.minute / DAY) * DAY, fields: [] }).get(key)!;
      const m = e.minute / MINUTE;
      for (const measure of MEASURES) if (e[measure] !== undefined) fields.push(`${m}:${measure}`, String(e[measure]));
      for (const [name, value] of Object.entries(e.signals ?? {})) {
        fields.push(`${m}:s:${name}`, String(value));
        const names = signalNames.get(e.skillGroupId) ?? signalNames.set(e.skillGroupId, new Map()).get(e.skillGroupId)!;
        names.set(name, Math.max(names.get(name) ?? 0, m));
      }
    }
    const write = new GroupGuardedWrite(this.keys.skillGroups());
    const ttlSeconds = String(Math.ceil(this.retentionDays * 86_400));
    // per group, the longest a day key written here lives: its index must live at least as long
    const indexTtl = new Map<string, number>();
    for (const [key, { skillGroupId, date, day, fields }] of byKey) {
      if (!fields.length) continue;
      const ttl = this.dayExpiresInMs(day, now);
      write.hset(key, fields);
      write.call('PEXPIRE', key, String(ttl));
      write.zadd(this.keys.realtimeDays(skillGroupId), [], [String(day), date]);
      indexTtl.set(skillGroupId, Math.max(indexTtl.get(skillGroupId) ?? 0, ttl));
    }
    for (const [skillGroupId, ttl] of indexTtl) {
      const index = this.keys.realtimeDays(skillGroupId);
      // Ingest takes minutes from the retention ago to 2 minutes ahead, so a day key lives at most the
      // retention plus a day and 2 minutes from its write; the index, set to a day more at every write,
      // outlives every day key it lists (both expire on Redis's clock, counted from their last write).
      write.call('PEXPIRE', index, String(Math.max(ttl, (this.retentionDays + 2) * DAY)));
      // days that expired over a day ago (on the service's clock) leave the list of a group that posts every day
      write.call('ZREMRANGEBYSCORE', index, '-inf', String(now - (this.retentionDays + 2) * DAY));
    }
    for (const [skillGroupId, names] of signalNames) {
      const key = this.keys.realtimeSignalNames(skillGroupId);
      // in slices: one ZADD of thousands of names is more than a call in the script can unpack
      write.zadd(key, ['GT'], [...names].flatMap(([name, minute]) => [String(minute), name]));
      write.call('EXPIRE', key, ttlSeconds);
    }
    if (!write.empty) await write.exec(this.redis, events.map((e) => e.skillGroupId), 'the realtime batch');
  }

  /**
   * How long from `now` the UTC day starting at `dayStart` is kept: until its last minute is older than
   * the retention. A fixed deadline per day, not "retention from this write": re-setting the full
   * retention on every write would let a minute posted near the retention limit keep its whole day for
   * another retention period. Relative to `now` (PEXPIRE, not PEXPIREAT) because the deadline is on the
   * service's clock, which tests and drills set apart from Redis's; in production the two agree and the
   * key expires at the same instant whichever write set it. A day already past the deadline goes at once.
   */
  private dayExpiresInMs(dayStart: number, now: number): number {
    return Math.max(1, dayStart + DAY + this.retentionDays * DAY - now);
  }

  /**
   * The UTC dates (yyyy-mm-dd) whose day keys of any group may still exist at `now` (the service's clock)
   * if they were written before the day index was (Keys.realtimeDays): ingest took minutes from the
   * retention ago to 2 minutes ahead, and each day lives until its end plus the retention; a day more on
   * either side. Deleting a group deletes these by name besides the days its index lists; once the
   * retention has passed since the upgrade, none of them is left.
   */
  datesWrittenBeforeTheIndex(now: number): string[] {
    const today = Math.floor(now / DAY) * DAY;
    const dates: string[] = [];
    for (let d = today - (this.retentionDays + 2) * DAY; d <= today + DAY; d += DAY) dates.push(utcDate(d));
    return dates;
  }

  async read(skillGroupId: string, fromMs: number, toMs: number): Promise<RealtimeEvent[]> {
    const pipeline = this.redis.pipeline();
    for (let d = Math.floor(fromMs / DAY) * DAY; d < toMs; d += DAY) pipeline.hgetall(this.keys.realtimeDay(skillGroupId, utcDate(d)));
    const results = (await guarded(pipeline.exec())) ?? [];
    const byMinute = new Map<number, RealtimeEvent>();
    for (const [, hash] of results) {
      for (const [field, value] of Object.entries((hash ?? {}) as Record<string, string>)) {
        const [minuteText, kind, name] = field.split(':');
        const minute = Number(minuteText) * MINUTE;
        if (minute < fromMs || minute >= toMs) continue;
        const event = byMinute.get(minute) ?? byMinute.set(minute, { skillGroupId, minute }).get(minute)!;
        if (kind === 's') (event.signals ??= emptyRecord())[name] = Number(value);
        else (event as unknown as Record<string, number>)[kind] = Number(value);
      }
    }
    return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
  }

  /**
   * Some measures (default all, no signals) of many groups for the minutes from ≤ m < to, by exact field
   * (HMGET in one pipeline): the trigger tick reads the last minutes of every group each minute, not whole days.
   */
  async recent(skillGroupIds: string[], fromMs: number, toMs: number, measures: ReadonlyArray<(typeof MEASURES)[number]> = MEASURES): Promise<Map<string, RealtimeEvent[]>> {
    const rows = await this.minuteFields(skillGroupIds.map((skillGroupId) => ({ skillGroupId, fields: measures })), fromMs, toMs);
    const out = new Map<string, RealtimeEvent[]>();
    for (const [skillGroupId, minutes] of rows) {
      out.set(skillGroupId, minutes.map(({ minute, values }) => {
        const event: RealtimeEvent = { skillGroupId, minute };
        measures.forEach((measure, j) => {
          if (values[j] !== undefined) event[measure] = values[j];
        });
        return event;
      }));
    }
    return out;
  }

  /**
   * The leading signals of many groups for the minutes from ≤ m < to: the names each group's client
   * posted in that window (one pipeline), then their values by exact field (a second one).
   */
  async recentSignals(skillGroupIds: string[], fromMs: number, toMs: number): Promise<Map<string, RealtimeEvent[]>> {
    const namesPipeline = this.redis.pipeline();
    for (const id of skillGroupIds) namesPipeline.zrangebyscore(this.keys.realtimeSignalNames(id), Math.ceil(fromMs / MINUTE), '+inf');
    const names = skillGroupIds.length ? ((await guarded(namesPipeline.exec())) ?? []).map(([err, value]) => {
      if (err) throw asUnavailable(err);
      return value as string[];
    }) : [];
    const rows = await this.minuteFields(skillGroupIds.map((skillGroupId, g) => ({ skillGroupId, fields: names[g].map((name) => `s:${name}`) })), fromMs, toMs);
    const out = new Map<string, RealtimeEvent[]>();
    skillGroupIds.forEach((skillGroupId, g) => {
      out.set(skillGroupId, rows.get(skillGroupId)!.map(({ minute, values }) => {
        const signals = emptyRecord<number>();
        names[g].forEach((name, j) => {
          if (values[j] !== undefined) signals[name] = values[j];
        });
        return { skillGroupId, minute, signals };
      }));
    });
    return out;
  }

  /**
   * The named signals of one group for the minutes from ≤ m < to, by exact field: what a model trained on
   * those signals reads, without the measures and other signals stored beside them in the day's hash.
   */
  async signals(skillGroupId: string, names: readonly string[], fromMs: number, toMs: number): Promise<RealtimeEvent[]> {
    const rows = (await this.minuteFields([{ skillGroupId, fields: names.map((name) => `s:${name}`) }], fromMs, toMs)).get(skillGroupId)!;
    return rows.map(({ minute, values }) => {
      const signals = emptyRecord<number>();
      names.forEach((name, j) => {
        if (values[j] !== undefined) signals[name] = values[j];
      });
      return { skillGroupId, minute, signals };
    });
  }

  /**
   * The given fields (`<measure>` or `s:<signal>`) of each group for every minute from ≤ m < to, by
   * exact field: one HMGET per group and UTC day, all in one pipeline. Per group (every group present),
   * the minutes with at least one value, in time order, values aligned with the group's fields.
   */
  private async minuteFields(
    wanted: Array<{ skillGroupId: string; fields: readonly string[] }>,
    fromMs: number,
    toMs: number,
  ): Promise<Map<string, Array<{ minute: number; values: Array<number | undefined> }>>> {
    const minutesByDay = new Map<string, number[]>();
    for (let m = Math.ceil(fromMs / MINUTE) * MINUTE; m < toMs; m += MINUTE) {
      const day = utcDate(m);
      (minutesByDay.get(day) ?? minutesByDay.set(day, []).get(day)!).push(m);
    }
    const requests: Array<{ skillGroupId: string; fields: readonly string[]; minutes: number[] }> = [];
    const pipeline = this.redis.pipeline();
    for (const { skillGroupId, fields } of wanted) {
      if (!fields.length) continue;
      for (const [day, minutes] of minutesByDay) {
        requests.push({ skillGroupId, fields, minutes });
        pipeline.hmget(this.keys.realtimeDay(skillGroupId, day), ...minutes.flatMap((m) => fields.map((field) => `${m / MINUTE}:${field}`)));
      }
    }
    const results = requests.length ? ((await guarded(pipeline.exec())) ?? []) : [];
    const out = new Map(wanted.map(({ skillGroupId }) => [skillGroupId, [] as Array<{ minute: number; values: Array<number | undefined> }>]));
    requests.forEach(({ skillGroupId, fields, minutes }, k) => {
      const [err, values] = results[k];
      if (err) throw asUnavailable(err);
      minutes.forEach((minute, i) => {
        const row = fields.map((_, j) => {
          const value = (values as Array<string | null>)[i * fields.length + j];
          return value === null ? undefined : Number(value);
        });
        if (row.some((v) => v !== undefined)) out.get(skillGroupId)!.push({ minute, values: row });
      });
    });
    return out;
  }
}
