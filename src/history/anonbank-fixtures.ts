/**
 * Derives the fixtures (skill groups, 30-minute history, 6-minute arrivals) from the real Anonymous Bank
 * records. Pure: the caller loads the records (src/datasets/anonbank-files.ts) and writes the files.
 * fixtures/README.md states every rule used here in words.
 */
import type { IntervalVolume, IsoWeekday, SkillGroup, WeeklyWindow } from '../domain/types';
import { ANONBANK_QUEUES, ANONBANK_ZONE, type CallRecord, type SlotCount } from '../datasets/anonbank';
import { ZoneClock } from './zone-clock';

export const FIXTURE_INTERVAL_MINUTES = 30;
export const ALL_QUEUES_ID = 'ALL';

/** A slot is "open" when its mean volume per day reaches this fraction of the queue's busiest slot. */
export const OPEN_SLOT_FRACTION = 0.05;

const QUEUE_NAMES: Record<string, string> = {
  PS: 'Regular banking (PS)',
  NW: 'Prospective customers (NW)',
  NE: 'Stock exchange (NE)',
  IN: 'Internet banking (IN)',
  TT: 'Callbacks (TT)',
  PE: 'English-speaking (PE)',
  [ALL_QUEUES_ID]: 'All queues (6-minute arrivals, whole year)',
};

/** Where a queue's calls may go when it is overloaded: everything falls back on regular banking. */
const OVERFLOW: Record<string, string[]> = { PS: ['NW'], NW: ['PS'], NE: ['PS'], IN: ['PS'], TT: ['PS'], PE: ['PS'], [ALL_QUEUES_ID]: [] };

/** Calls that belong to a real queue: PHANTOM records and the two stray "AA" rows are not calls. */
export function usableCalls(calls: readonly CallRecord[]): CallRecord[] {
  const queues = new Set<string>(ANONBANK_QUEUES);
  return calls.filter((c) => c.outcome !== 'PHANTOM' && queues.has(c.type));
}

/** Served = talked to a named agent (AGENT calls with NO_SERVER are VRU-only self-service). */
export function isServed(call: CallRecord): boolean {
  return call.outcome === 'AGENT' && call.server !== null && call.serviceSeconds > 0;
}

export interface QueueStatistics {
  queue: string;
  calls: number;
  served: number;
  meanServiceSeconds: number;
  /** calls that waited in the agent queue */
  queued: number;
  /** queued calls that hung up before service */
  abandoned: number;
  totalQueueSeconds: number;
  /** exponential-patience MLE on censored waits: total queue time of queued calls / abandonments */
  patienceSeconds: number;
}

export function queueStatistics(queue: string, calls: readonly CallRecord[]): QueueStatistics {
  let served = 0;
  let serviceSum = 0;
  let queued = 0;
  let abandoned = 0;
  let totalQueueSeconds = 0;
  for (const call of calls) {
    if (isServed(call)) {
      served++;
      serviceSum += call.serviceSeconds;
    }
    if (call.queueStart !== null) {
      queued++;
      totalQueueSeconds += call.queueSeconds;
      if (call.outcome === 'HANG') abandoned++;
    }
  }
  return {
    queue,
    calls: calls.length,
    served,
    meanServiceSeconds: served > 0 ? serviceSum / served : NaN,
    queued,
    abandoned,
    totalQueueSeconds,
    patienceSeconds: abandoned > 0 ? totalQueueSeconds / abandoned : NaN,
  };
}

/**
 * Arrivals per queue and interval (arrival = VRU entry). AHT of an interval = mean talk time of the
 * served calls that arrived in it (absent when none was served), rounded to 0.1 s.
 */
export function callsToIntervals(calls: readonly CallRecord[], intervalMinutes: number, zone = ANONBANK_ZONE): IntervalVolume[] {
  const clock = new ZoneClock(zone);
  const cells = new Map<string, { skillGroupId: string; start: number; volume: number; served: number; serviceSum: number }>();
  for (const call of usableCalls(calls)) {
    const start = clock.intervalStartOf(call.arrival, intervalMinutes);
    const key = `${call.type}|${start}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { skillGroupId: call.type, start, volume: 0, served: 0, serviceSum: 0 };
      cells.set(key, cell);
    }
    cell.volume++;
    if (isServed(call)) {
      cell.served++;
      cell.serviceSum += call.serviceSeconds;
    }
  }
  return [...cells.values()]
    .sort((a, b) => a.start - b.start || a.skillGroupId.localeCompare(b.skillGroupId))
    .map((c) => ({
      skillGroupId: c.skillGroupId,
      start: c.start,
      volume: c.volume,
      ...(c.served > 0 ? { ahtSeconds: Math.round((c.serviceSum / c.served) * 10) / 10 } : {}),
    }));
}

/** The whole-year 6-minute slots as rows of the "ALL" skill group (every slot, zeros included). */
export function slotsToIntervals(slots: readonly SlotCount[]): IntervalVolume[] {
  return slots.map((s) => ({ skillGroupId: ALL_QUEUES_ID, start: s.start, volume: s.calls }));
}

const DAYS: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Open slots (per weekday, slot index of the day) of one series of intervals. */
export function openSlots(
  intervals: readonly IntervalVolume[],
  intervalMinutes: number,
  zone: string,
  daysPerWeekday: Map<number, number>,
  openFraction = OPEN_SLOT_FRACTION,
): Map<number, Set<number>> {
  const clock = new ZoneClock(zone);
  const slotsPerDay = (24 * 60) / intervalMinutes;
  const sums = new Map<number, number[]>(DAYS.map((d) => [d, new Array<number>(slotsPerDay).fill(0)]));
  for (const i of intervals) {
    sums.get(clock.isoWeekday(i.start))![Math.floor(clock.minuteOfDay(i.start) / intervalMinutes)] += i.volume;
  }
  const means = new Map<number, number[]>();
  let peak = 0;
  for (const d of DAYS) {
    const days = daysPerWeekday.get(d) ?? 0;
    const m = sums.get(d)!.map((s) => (days > 0 ? s / days : 0));
    means.set(d, m);
    peak = Math.max(peak, ...m);
  }
  const open = new Map<number, Set<number>>();
  for (const d of DAYS) {
    const set = new Set<number>();
    means.get(d)!.forEach((m, slot) => {
      if (peak > 0 && m >= openFraction * peak) set.add(slot);
    });
    open.set(d, set);
  }
  return open;
}

/**
 * Open slots → weekly windows: per weekday one window from the first to the end of the last open slot
 * (a bank does not close for an hour mid-day: quiet slots inside the day, common in the small queues,
 * are noise); weekdays with the same window share one entry.
 */
export function slotsToWindows(open: Map<number, Set<number>>, intervalMinutes: number): WeeklyWindow[] {
  const slotsPerDay = (24 * 60) / intervalMinutes;
  const byWindow = new Map<string, WeeklyWindow>();
  for (const d of DAYS) {
    const slots = [...(open.get(d) ?? [])];
    if (slots.length === 0) continue;
    const first = Math.min(...slots);
    const last = Math.max(...slots);
    const from = hhmm(first * intervalMinutes);
    const to = last + 1 === slotsPerDay ? '24:00' : hhmm((last + 1) * intervalMinutes);
    const key = `${from}-${to}`;
    const window = byWindow.get(key) ?? { days: [], from, to };
    window.days.push(d);
    byWindow.set(key, window);
  }
  return [...byWindow.values()].sort((a, b) => a.days[0] - b.days[0] || a.from.localeCompare(b.from));
}

/** How many local dates of each weekday the data covers (days with at least one call). */
export function daysPerWeekday(intervals: readonly IntervalVolume[], zone: string): Map<number, number> {
  const clock = new ZoneClock(zone);
  const dates = new Map<string, number>();
  for (const i of intervals) {
    if (i.volume > 0) dates.set(clock.format(i.start).slice(0, 10), clock.isoWeekday(i.start));
  }
  const counts = new Map<number, number>();
  for (const weekday of dates.values()) counts.set(weekday, (counts.get(weekday) ?? 0) + 1);
  return counts;
}

export interface FixtureSkillGroupsInput {
  calls: readonly CallRecord[];
  /** the per-queue 30-minute history built by callsToIntervals */
  history: readonly IntervalVolume[];
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * One SkillGroup per queue plus "ALL". Opening hours of a queue = its open slots limited to the
 * center's open slots (all queues together), so a stray night call in a small queue opens nothing.
 */
export function buildFixtureSkillGroups({ calls, history }: FixtureSkillGroupsInput): { skillGroups: SkillGroup[]; statistics: QueueStatistics[] } {
  const zone = ANONBANK_ZONE;
  const interval = FIXTURE_INTERVAL_MINUTES;
  const usable = usableCalls(calls);
  const days = daysPerWeekday(history, zone);
  const center = openSlots(
    [...history].map((i) => ({ ...i, skillGroupId: ALL_QUEUES_ID })),
    interval,
    zone,
    days,
  );
  const statistics: QueueStatistics[] = [];
  const skillGroups: SkillGroup[] = [];
  const unionOpen = new Map<number, Set<number>>(DAYS.map((d) => [d, new Set<number>()]));
  for (const queue of ANONBANK_QUEUES) {
    const stats = queueStatistics(queue, usable.filter((c) => c.type === queue));
    statistics.push(stats);
    const own = openSlots(history.filter((i) => i.skillGroupId === queue), interval, zone, days);
    const open = new Map<number, Set<number>>();
    for (const d of DAYS) {
      const slots = new Set([...(own.get(d) ?? [])].filter((s) => center.get(d)!.has(s)));
      open.set(d, slots);
      for (const s of slots) unionOpen.get(d)!.add(s);
    }
    skillGroups.push(skillGroup(queue, round1(stats.meanServiceSeconds), round1(stats.patienceSeconds), slotsToWindows(open, interval)));
  }
  const all = queueStatistics(ALL_QUEUES_ID, usable);
  statistics.push(all);
  skillGroups.push(skillGroup(ALL_QUEUES_ID, round1(all.meanServiceSeconds), round1(all.patienceSeconds), slotsToWindows(unionOpen, interval)));
  return { skillGroups, statistics };
}

function skillGroup(id: string, ahtSeconds: number, patienceSeconds: number, openingHours: WeeklyWindow[]): SkillGroup {
  return {
    id,
    name: QUEUE_NAMES[id] ?? id,
    timeZone: ANONBANK_ZONE,
    intervalMinutes: FIXTURE_INTERVAL_MINUTES,
    // Callbacks (TT) are calls the customer already agreed to receive later: a minute is still fine.
    serviceLevel: { fraction: 0.8, answerWithinSeconds: id === 'TT' ? 60 : 20 },
    ahtSeconds,
    patienceSeconds,
    shrinkage: 0.3,
    maxOccupancy: 0.85,
    channel: 'voice',
    openingHours,
    overflowTo: OVERFLOW[id] ?? [],
    country: 'IL',
  };
}
