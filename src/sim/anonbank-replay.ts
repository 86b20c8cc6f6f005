/**
 * Replay of the real Anonymous Bank call log (src/datasets/anonbank.ts records): the calls that asked
 * for an agent, the agents the log shows logged in per interval, the observed daily outcome to compare
 * with, and the patience estimated from the month's censored waits. Pure: records in, specs out.
 */
import type { CallRecord } from '../datasets/anonbank';
import { ANONBANK_ZONE } from '../datasets/anonbank';
import type { SkillGroup } from '../domain/types';
import { intervalStartOf, localDate, startOfLocalDay } from '../time/grid';
import { estimatePatience, type WaitObservation } from './patience';
import type { ReplayCall, SimShift, SimulationSpec } from './types';

export const BANK_GROUP_ID = 'BANK';

/** A call that asked for an agent: answered (outcome AGENT) or hung up while queued. */
export interface OfferedCall {
  /** when it left the VRU for the agent queue (epoch ms) */
  arrival: number;
  answered: boolean;
  waitSeconds: number;
  talkSeconds: number;
  server: string | null;
  serviceStart: number | null;
  type: string;
}

export function offeredCalls(records: CallRecord[]): OfferedCall[] {
  const out: OfferedCall[] = [];
  for (const r of records) {
    if (r.type === 'AA' || r.outcome === 'PHANTOM') continue;
    const answered = r.outcome === 'AGENT';
    if (!answered && r.queueStart === null) continue; // hung up in the VRU: never asked for an agent
    out.push({
      arrival: r.queueStart ?? r.arrival + r.vruSeconds * 1000,
      answered,
      waitSeconds: r.queueSeconds,
      talkSeconds: r.serviceSeconds,
      server: r.server,
      serviceStart: r.serviceStart,
      type: r.type,
    });
  }
  return out.sort((a, b) => a.arrival - b.arrival);
}

export interface ObservedDay {
  date: string;
  offered: number;
  abandoned: number;
  abandonRate: number;
  meanWaitSeconds: number;
}

export function observedDays(calls: OfferedCall[], zone = ANONBANK_ZONE): ObservedDay[] {
  const byDay = new Map<string, { offered: number; abandoned: number; wait: number }>();
  for (const c of calls) {
    const date = localDate(c.arrival, zone);
    const day = byDay.get(date) ?? { offered: 0, abandoned: 0, wait: 0 };
    day.offered++;
    if (!c.answered) day.abandoned++;
    day.wait += c.waitSeconds;
    byDay.set(date, day);
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, d]) => ({ date, offered: d.offered, abandoned: d.abandoned, abandonRate: d.abandoned / d.offered, meanWaitSeconds: d.wait / d.offered }));
}

/** Distinct servers with a service overlapping each interval (interval start → count). */
export function agentsPerInterval(calls: OfferedCall[], zone: string, intervalMinutes: number): Map<number, number> {
  const servers = new Map<number, Set<string>>();
  const step = intervalMinutes * 60_000;
  for (const c of calls) {
    if (!c.answered || c.server === null || c.serviceStart === null) continue;
    const end = c.serviceStart + c.talkSeconds * 1000;
    for (let s = intervalStartOf(c.serviceStart, zone, intervalMinutes); s < Math.max(end, c.serviceStart + 1); s += step) {
      let set = servers.get(s);
      if (!set) servers.set(s, (set = new Set()));
      set.add(c.server);
    }
  }
  return new Map([...servers].map(([s, set]) => [s, set.size]));
}

/**
 * Each server's logged-in sessions as the log suggests them: consecutive services whose gap is at most
 * `maxGapMinutes` belong to one session (a longer gap is taken as a break or log-off).
 */
export function serverSessions(calls: OfferedCall[], maxGapMinutes: number): SimShift[] {
  const services = new Map<string, Array<[number, number]>>();
  for (const c of calls) {
    if (!c.answered || c.server === null || c.serviceStart === null) continue;
    const list = services.get(c.server) ?? [];
    list.push([c.serviceStart, c.serviceStart + c.talkSeconds * 1000]);
    services.set(c.server, list);
  }
  const shifts: SimShift[] = [];
  for (const [server, list] of [...services].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a[0] - b[0]);
    let [start, end] = list[0];
    for (const [s, e] of list.slice(1)) {
      if (s - end > maxGapMinutes * 60_000) {
        shifts.push({ agentId: server, skillGroupId: BANK_GROUP_ID, start, end: Math.max(end, start + 1000) });
        start = s;
      }
      end = Math.max(end, e);
    }
    shifts.push({ agentId: server, skillGroupId: BANK_GROUP_ID, start, end: Math.max(end, start + 1000) });
  }
  return shifts;
}

export interface ReplayOptions {
  /** how the agents on duty are read from the log: distinct servers busy in each interval (default),
   * or per-server sessions of services separated by at most `sessionGapMinutes` */
  staffing?: 'distinct-servers' | 'sessions';
  sessionGapMinutes?: number;
  /** local ISO dates to replay, in order (default every date in the calls) */
  dates?: string[];
  intervalMinutes?: 5 | 6 | 10 | 15 | 30 | 60;
  replications: number;
  seed: number;
  /** 'log' = each answered call keeps its real talk time; 'resample' = all drawn from the month's */
  talkTimes?: 'log' | 'resample';
}

/** One pooled skill group for the bank: every logged-in server answers every type, first come first served. */
export function bankSkillGroup(talkSamples: number[]): SkillGroup {
  const aht = talkSamples.reduce((s, x) => s + x, 0) / Math.max(1, talkSamples.length);
  return {
    id: BANK_GROUP_ID,
    name: 'Anonymous Bank, all queues',
    timeZone: ANONBANK_ZONE,
    intervalMinutes: 30,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 60 },
    ahtSeconds: aht,
    shrinkage: 0,
    maxOccupancy: 1,
    channel: 'voice',
    overflowTo: [],
    country: 'IL',
  };
}

/** Simulation specs (one per day) replaying the log with the staffing the log shows. */
export function replaySpecs(calls: OfferedCall[], options: ReplayOptions): Array<{ date: string; spec: SimulationSpec }> {
  const intervalMinutes = options.intervalMinutes ?? 30;
  const zone = ANONBANK_ZONE;
  const talkSamples = calls.filter((c) => c.answered && c.server !== null).map((c) => c.talkSeconds);
  const waits: WaitObservation[] = calls.map((c) => ({ waitSeconds: c.waitSeconds, abandoned: !c.answered }));
  const survival = estimatePatience(waits);
  const staffing = agentsPerInterval(calls, zone, intervalMinutes);
  const group = bankSkillGroup(talkSamples);
  const dates = options.dates ?? [...new Set(calls.map((c) => localDate(c.arrival, zone)))].sort();
  return dates.map((date, k) => {
    const from = startOfLocalDay(date, zone);
    const nextDate = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const to = startOfLocalDay(nextDate, zone);
    const dayCalls = calls.filter((c) => c.arrival >= from && c.arrival < to);
    const replay: ReplayCall[] = dayCalls.map((c) => ({
      skillGroupId: BANK_GROUP_ID,
      arrival: c.arrival,
      handleSeconds: options.talkTimes !== 'resample' && c.answered && c.server !== null ? c.talkSeconds : undefined,
    }));
    const sessions = options.staffing === 'sessions' ? serverSessions(dayCalls, options.sessionGapMinutes ?? 10) : [];
    const rows = [...staffing].filter(([s]) => s >= from && s < to).map(([start, agents]) => ({ skillGroupId: BANK_GROUP_ID, start, agents }));
    return {
      date,
      spec: {
        skillGroups: [group],
        period: { from, to },
        intervalMinutes,
        roster: options.staffing === 'sessions' ? { kind: 'shifts', shifts: sessions } : { kind: 'staffing', rows },
        arrivals: { kind: 'replay', calls: replay },
        handleTime: { [BANK_GROUP_ID]: { kind: 'empirical', samplesSeconds: talkSamples } },
        patience: { [BANK_GROUP_ID]: { kind: 'empirical', survival } },
        policy: 'longest-idle',
        replications: options.replications,
        seed: options.seed + k,
      },
    };
  });
}
