/**
 * Forecasting use cases over the store and the model registry: train (in a worker thread) and register
 * a version, compute and store the two-week forecast, read forecasts, roll back. The models themselves
 * are in src/forecast (pure).
 */
import path from 'node:path';
import type { IntervalVolume, SkillGroup } from '../domain/types';
import { invalid, WfmError } from '../errors/wfm-error';
import { FORECAST_HISTORY_DAYS, MIN_HISTORY_DAYS, TWO_WEEK_DAYS, forecastRealtime, forecastTwoWeek, type ForecastResult, type Horizon, type TrainedRealtime, type TrainedTwoWeek, type TrainForecasterResult } from '../forecast';
import type { FsModelRegistry, VersionInfo } from '../registry/fs-model-registry';
import { runInWorkerThread } from '../queue/thread-runner';
import type { Store } from '../store/store';
import type { StoredForecastMeta, StoredForecastPoint } from '../store/forecast-repository';
import { DAY_MS, MINUTE_MS, formatInstant, intervalStartOf, localDate, startOfLocalDay } from '../time/grid';
import { FEED_STALE_MINUTES } from '../trigger/realtime-state';
import { plural } from '../domain/plural';
import { addDays } from '../forecast/day-series';
import { intervalRowsFromMinutes } from '../forecast/minute-rows';
import type { EpochProgress } from './forecast-training-thread';
import { emptyRecord } from '../domain/records';

export interface ForecastingContext {
  store: Store;
  registry: FsModelRegistry;
  now: () => number;
}


export const HORIZONS: Horizon[] = ['two-week', 'realtime'];

/**
 * Calendar days (in the group's zone) from the first stored interval to the last, both counted — the
 * span training asks for at least MIN_HISTORY_DAYS of; 0 without history.
 */
export async function historyDays(store: Store, group: SkillGroup): Promise<number> {
  const range = await store.history.intervalRange(group.id);
  if (!range) return 0;
  const day = (ms: number) => Date.parse(`${localDate(ms, group.timeZone)}T00:00:00Z`);
  return Math.round((day(range.lastStart) - day(range.firstStart)) / DAY_MS) + 1;
}

/**
 * A training that could only fail: too little history for the learned models. Asked for over REST it is
 * a 422 now (not a job failing later); the nightly fan-out leaves such groups out. Meanwhile the
 * forecasts answer with the flagged baseline.
 */
export async function tooLittleHistoryToTrain(store: Store, group: SkillGroup, now?: number): Promise<string | undefined> {
  // Training reads the history up to now: history that starts after the service's clock (uploaded with
  // the wrong year, or a drill's dates ahead of it) leaves it nothing, which the job found only later.
  const range = now === undefined ? undefined : await store.history.intervalRange(group.id);
  if (range && now !== undefined && range.firstStart > now) {
    return `the history of ${group.id} starts at ${formatInstant(range.firstStart, group.timeZone)}, after the service's clock (${formatInstant(now, group.timeZone)}): training reads the history up to now, and finds none`;
  }
  const days = await historyDays(store, group);
  return days < MIN_HISTORY_DAYS ? `the learned models of ${group.id} need at least ${MIN_HISTORY_DAYS} days of history, it has ${days}: until then its forecasts are the flagged baseline (mean of the last same weekdays)` : undefined;
}

async function skillGroupOrThrow(store: Store, id: string): Promise<SkillGroup> {
  const group = await store.skillGroups.get(id);
  if (!group) throw new WfmError('not-found', `skill group ${id} does not exist`);
  return group;
}

async function historyUpTo(store: Store, id: string, untilMs: number, lookbackDays: number): Promise<IntervalVolume[]> {
  return store.history.read(id, untilMs - lookbackDays * DAY_MS, untilMs);
}

/**
 * The moment the data runs up to: now, or the end of the stored history's last interval when that is
 * earlier (history uploaded in arrears, or a replayed past period): training and forecasts start from what
 * is known. The end of the interval, not just past its start (as once, `start + 1`): the interval is known
 * either way (reads end before their `until`, a forecast leaves out intervals before its `from`), but a
 * forecast from it was stored and shown as from 23:30:00.001 rather than from the interval boundary.
 */
async function dataEnd(store: Store, group: SkillGroup, now: number): Promise<number> {
  const extent = await store.history.extent(group.id);
  if (!extent) return now;
  const recent = await store.history.read(group.id, Math.max(extent.fromMs, extent.toMs - 62 * DAY_MS), extent.toMs);
  const last = recent.length ? recent[recent.length - 1].start + group.intervalMinutes * MINUTE_MS : extent.toMs;
  return Math.min(now, last);
}

/**
 * An instant up to the whole minute at or after it. Interval starts are whole minutes, so a forecast from
 * either leaves out the same intervals (those starting before it); the stored `from` reads as a minute.
 */
const upToWholeMinute = (ms: number) => Math.ceil(ms / MINUTE_MS) * MINUTE_MS;

/**
 * Where a refreshed two-week forecast starts: now, or — when the stored history ends on an earlier local
 * day — the start of the day after it. (Right after the last interval, as before, put the forecast's first
 * day on that last day of history: the day was left out of the history and the forecast held 13 days.)
 */
async function forecastStart(store: Store, group: SkillGroup, now: number): Promise<number> {
  const end = await dataEnd(store, group, now);
  if (end >= now) return upToWholeMinute(now);
  const lastDay = localDate(end - 1, group.timeZone);
  return lastDay < localDate(now, group.timeZone) ? startOfLocalDay(addDays(lastDay, 1), group.timeZone) : end;
}

/**
 * Signals posted with realtime events, as interval rows per signal name (for the realtime net): the
 * names given (a live model's), else every name posted in the window (training). Read by exact field,
 * never the whole day hashes: 35 days of per-minute measures took seconds to read and parse, in the API process.
 */
async function realtimeSignals(store: Store, id: string, fromMs: number, toMs: number, names?: readonly string[]): Promise<Record<string, IntervalVolume[]>> {
  const events = names ? await store.realtime.signals(id, names, fromMs, toMs) : (await store.realtime.recentSignals([id], fromMs, toMs)).get(id)!;
  const out = emptyRecord<IntervalVolume[]>();
  for (const e of events) for (const [name, value] of Object.entries(e.signals ?? {})) (out[name] ??= []).push({ skillGroupId: id, start: e.minute, volume: value });
  return out;
}

export async function trainAndRegister(
  ctx: ForecastingContext,
  request: { skillGroupId: string; horizon: Horizon },
  onProgress: (p: EpochProgress) => void,
  signal?: AbortSignal,
): Promise<VersionInfo> {
  // the incarnation tells this group from one deleted and re-created with the same id while we train
  const read = await ctx.store.skillGroups.getWithIncarnation(request.skillGroupId);
  if (!read) throw new WfmError('not-found', `skill group ${request.skillGroupId} does not exist`);
  const { group, incarnation } = read;
  const now = await dataEnd(ctx.store, group, ctx.now());
  const [history, specialDays] = await Promise.all([
    historyUpTo(ctx.store, group.id, now, FORECAST_HISTORY_DAYS),
    ctx.store.specialDays.list(group.id),
  ]);
  const signals = request.horizon === 'realtime' ? await realtimeSignals(ctx.store, group.id, now - 60 * DAY_MS, now) : undefined;
  const trained = await runInWorkerThread<unknown, TrainForecasterResult>(
    path.resolve(__dirname, 'forecast-training-thread.ts'),
    'train',
    { history, skillGroup: group, horizon: request.horizon, specialDays, signals },
    (p) => onProgress(p as EpochProgress),
    signal,
  );
  // Training takes minutes: the group may have been deleted meanwhile (and perhaps re-created with the
  // id). Registered anyway, its version would outlive the delete (which removed MODEL_DIR/<group>
  // already) and go live for the group re-created with the id. Checked before the version is written,
  // again under the registry's lock right before it is promoted, and once more after: a delete landing
  // between the last check and the write is caught there, and what this training wrote is removed.
  const stillThere = () => sameGroupOrThrow(ctx.store, group, incarnation, request.horizon);
  await stillThere();
  let version: VersionInfo | undefined;
  try {
    version = await ctx.registry.saveVersion(trained.model, trained.metrics);
    const registered = await ctx.registry.promoteIfBetter(group.id, request.horizon, version.version, undefined, stillThere);
    await stillThere();
    return registered;
  } catch (err) {
    // a delete's removal of the model directory may also have failed the write itself (ENOENT, not-found)
    const gone = await sameGroupOrThrow(ctx.store, group, incarnation, request.horizon).then(() => undefined, (e: unknown) => e);
    if (!gone) throw err;
    if (version) await ctx.registry.discardVersion(group.id, request.horizon, version.version);
    throw gone;
  }
}

/**
 * 409 (a job fails without retry) when the group a training read is gone: deleted, or deleted and
 * re-created (another incarnation, or another grid). A missing incarnation (a group stored before they
 * were, on either side) matches any: such a group re-created with the same interval counts as the same.
 */
async function sameGroupOrThrow(store: Store, trained: SkillGroup, incarnation: string | undefined, horizon: Horizon): Promise<void> {
  const read = await store.skillGroups.getWithIncarnation(trained.id);
  const now = read?.group;
  const sameIncarnation = !incarnation || !read?.incarnation || read.incarnation === incarnation;
  if (now && now.intervalMinutes === trained.intervalMinutes && sameIncarnation) return;
  const what = !now
    ? 'was deleted meanwhile'
    : now.intervalMinutes !== trained.intervalMinutes
      ? `was replaced meanwhile (now on ${now.intervalMinutes}-minute intervals, trained on ${trained.intervalMinutes})`
      : 'was replaced meanwhile (deleted and re-created with the same id)';
  throw new WfmError('conflict', `the ${horizon} training of skill group ${trained.id} was not registered: the group ${what}; nothing was kept`, {
    details: [{ where: `/skill-groups/${trained.id}`, message: `${now ? 'replaced' : 'deleted'} while the training ran; no model version was written` }],
  });
}

/** Computes the two-week forecast from `from` (default: now) with the live model and stores it. */
export async function computeTwoWeekForecast(ctx: ForecastingContext, skillGroupId: string, fromMs?: number): Promise<ForecastResult & { modelVersion?: string }> {
  const group = await skillGroupOrThrow(ctx.store, skillGroupId);
  // default: from now; when the history ends on an earlier day (uploaded in arrears, a replayed past
  // period), from the day after its last day: fourteen whole days, with that last day in the history
  const from = fromMs ?? (await forecastStart(ctx.store, group, ctx.now()));
  const [history, specialDays, live] = await Promise.all([
    historyUpTo(ctx.store, group.id, from, FORECAST_HISTORY_DAYS),
    ctx.store.specialDays.list(group.id),
    ctx.registry.loadLive(group.id, 'two-week'),
  ]);
  const result = await forecastTwoWeek({ history, skillGroup: group, from, specialDays, model: (live?.model as TrainedTwoWeek | undefined) ?? null });
  await ctx.store.forecasts.replace(
    {
      skillGroupId: group.id,
      createdAt: new Date(ctx.now()).toISOString(),
      from: new Date(from).toISOString(),
      alias: result.alias,
      modelVersion: live?.version,
      baselineFallback: result.baselineFallback,
      ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
      ...(result.days ? { days: result.days } : {}),
    },
    result.points,
  );
  return { ...result, modelVersion: live?.version };
}

/** A read of the stored two-week forecast: its points between `from` and `to`, the span it covers, and what the caller should know. */
export interface StoredTwoWeekRead {
  meta: StoredForecastMeta;
  /** from the instant it was computed from to the end of its fourteenth local day: an interval inside without a point is closed */
  covers: { from: number; to: number };
  points: StoredForecastPoint[];
  /** the asked range reaches before or after `covers`: nothing was forecast there, which an empty answer does not tell */
  warnings: string[];
}

/**
 * The span a stored two-week forecast covers, on its group's clock: forecastTwoWeek's TWO_WEEK_DAYS local
 * days from the day of `from`, intervals before `from` left out. What a reader is told it covers, and what a
 * roster may be planned on.
 */
export function storedForecastSpan(meta: Pick<StoredForecastMeta, 'from'>, timeZone: string): { from: number; to: number } {
  const from = Date.parse(meta.from);
  return { from, to: startOfLocalDay(addDays(localDate(from, timeZone), TWO_WEEK_DAYS), timeZone) };
}

/**
 * The stored two-week forecast between `from` (default: where it starts) and `to` (default: where it ends;
 * 15 days after a `from` at or after that). Outside what it covers no interval has a point, as inside
 * none has while the group is closed: the warnings tell "not forecast" from "no calls expected".
 */
export async function readTwoWeekForecast(store: Store, group: SkillGroup, asked: { from?: number; to?: number }): Promise<StoredTwoWeekRead> {
  const meta = await store.forecasts.meta(group.id);
  if (!meta) throw new WfmError('not-found', `no two-week forecast stored for ${group.id} yet: POST /skill-groups/${group.id}/forecast/refresh`);
  const covers = storedForecastSpan(meta, group.timeZone);
  const from = asked.from ?? covers.from;
  const to = asked.to ?? (from < covers.to ? covers.to : from + 15 * DAY_MS);
  if (!(to > from)) throw invalid('`to` must be after `from`', [{ where: '/query/to', message: 'must be after from' }]);
  const fmt = (ms: number) => formatInstant(ms, group.timeZone);
  const span = `the stored forecast of ${group.id} covers ${fmt(covers.from)} to ${fmt(covers.to)}`;
  const none = '(no point there does not mean no calls)';
  const warnings: string[] = [];
  if (from < covers.from) warnings.push(`${span}: the asked range starts at ${fmt(from)}, and nothing before ${fmt(covers.from)} was forecast ${none}`);
  if (to > covers.to) {
    warnings.push(`${span}: the asked range runs to ${fmt(to)}, and nothing from ${fmt(covers.to)} on was forecast ${none}; each refresh (POST /skill-groups/${group.id}/forecast/refresh, and after a training) forecasts the ${TWO_WEEK_DAYS} days from now, or from the end of the history when it ends earlier`);
  }
  return { meta, covers, points: await store.forecasts.read(group.id, from, to), warnings };
}

export interface RealtimeForecastRead extends ForecastResult {
  modelVersion?: string;
  /** the instant forecast from */
  at: number;
  /** the start of the last minute with arrivals reported in the 24 hours before `at`; null when none */
  lastEventAt: number | null;
  /** no arrivals minute within FEED_STALE_MINUTES of `at` (the trigger's rule): calls so far and today's level are as old */
  feedStale: boolean;
  /** the leading signals the forecast read (the live model's, posted today); the others posted were not */
  signalsRead: string[];
  warnings: string[];
}

/** How far back the signals posted beside the events are looked for, to say which the forecast did not read. */
const SIGNALS_POSTED_LOOKBACK_MS = 60 * 60_000;

/**
 * The next 30 minutes from now (or a past `at`), computed on demand from history, today's events and the
 * live model. Only what is known at that instant is read: the interval rows that ended by it and the
 * per-minute arrivals posted up to it. A stored row of the interval under way (or a later one) is that
 * interval's total, calls after the instant included — a past `at` over a complete history would read it
 * as "calls so far" and add the rest of the interval's forecast on top (the CLI's replay of a file that goes
 * on after --from leaves it out the same way): its calls so far are the minutes the feed reported, whole
 * minutes before the instant only. The answer says how fresh the feed is and which signals it read.
 */
export async function computeRealtimeForecast(ctx: ForecastingContext, skillGroupId: string, nowMs?: number): Promise<RealtimeForecastRead> {
  const group = await skillGroupOrThrow(ctx.store, skillGroupId);
  const now = nowMs ?? ctx.now();
  // only whole minutes before `now` are known: a minute under way (at 10:07:30, 10:07) has not been reported whole
  const wholeMinutesUntil = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  // the interval `now` falls in: history rows from its start on are not known at `now`
  const underWay = intervalStartOf(now, group.timeZone, group.intervalMinutes);
  // The last day's arrivals from whole intervals on: they complete the interval history up to now.
  const eventsFrom = intervalStartOf(now - DAY_MS, group.timeZone, group.intervalMinutes);
  const [history, specialDays, live, recent] = await Promise.all([
    ctx.store.history.read(group.id, now - FORECAST_HISTORY_DAYS * DAY_MS, underWay),
    ctx.store.specialDays.list(group.id),
    ctx.registry.loadLive(group.id, 'realtime'),
    ctx.store.realtime.recent([group.id], eventsFrom, now, ['arrivals']),
  ]);
  const arrivals = recent.get(group.id)!.filter((e): e is typeof e & { arrivals: number } => e.arrivals !== undefined && e.minute < wholeMinutesUntil);
  const stored = new Set(history.map((h) => h.start));
  const merged = [...history, ...intervalRowsFromMinutes(arrivals, group, now).filter((r) => !stored.has(r.start))];
  // Only a live model trained on signals reads them, and only today's (its features are today's intervals).
  const model = (live?.model as TrainedRealtime | undefined) ?? null;
  const signalNames = model?.signalNames ?? [];
  const signals = signalNames.length ? await realtimeSignals(ctx.store, group.id, startOfLocalDay(localDate(now, group.timeZone), group.timeZone), now, signalNames) : undefined;
  // the minutes the feed has reported of the interval under way: the rest of it is still to come
  const reportedMinutes = arrivals.filter((e) => e.minute >= underWay && e.minute < now).map((e) => e.minute);
  const countedUntil = reportedMinutes.length ? Math.max(...reportedMinutes) + 60_000 : undefined;
  const result = await forecastRealtime({ history: merged, skillGroup: group, now, specialDays, model, signals, countedUntil, perMinute: arrivals.length > 0 });
  const fmt = (ms: number) => formatInstant(ms, group.timeZone);
  const warnings: string[] = [];
  // The trigger's feed-stale rule: no arrivals minute within FEED_STALE_MINUTES of the minute of `at`.
  const lastEventAt = arrivals.length ? arrivals[arrivals.length - 1].minute : null;
  const minutesSince = lastEventAt === null ? null : (wholeMinutesUntil - lastEventAt) / MINUTE_MS;
  const feedStale = minutesSince === null || minutesSince > FEED_STALE_MINUTES;
  if (lastEventAt === null) {
    warnings.push(`no arrivals were reported for ${group.id} in the 24 hours before ${fmt(now)}: the calls of the interval under way are unknown, and today's level is only what the stored interval history holds`);
  } else if (feedStale) {
    warnings.push(`the realtime feed of ${group.id} is stale: its last arrivals minute is ${fmt(lastEventAt)}, ${plural(minutesSince!, 'minute')} before ${fmt(wholeMinutesUntil)} (limit ${FEED_STALE_MINUTES}, as the trigger's): the minutes since are forecast, not counted — the feed stopped, runs late, or its clock is behind`);
  }
  // Which leading signals were read: only the net reads them (as features), those it was trained on and posted today.
  const netReads = !result.baselineFallback && result.alias === 'realtime-net';
  const read = netReads ? signalNames.filter((name) => signals?.[name]?.length) : [];
  const posted = new Set<string>();
  for (const e of (await ctx.store.realtime.recentSignals([group.id], now - SIGNALS_POSTED_LOOKBACK_MS, now)).get(group.id)!) for (const name of Object.keys(e.signals ?? {})) posted.add(name);
  const unread = [...posted].filter((name) => !read.includes(name)).sort();
  if (unread.length) {
    const why = result.baselineFallback
      ? 'the flagged baseline answers, and it reads no signals'
      : netReads && signalNames.length
        ? `the live realtime-net reads only ${signalNames.join(', ')}, the signals it was trained on`
        : `the live ${result.alias} model reads no signals (only the realtime net does, and only those posted when it was trained)`;
    warnings.push(`leading signals posted in the last hour were not read: ${unread.join(', ')} — ${why}`);
  }
  return { ...result, modelVersion: live?.version, at: now, lastEventAt, feedStale, signalsRead: read, warnings };
}
