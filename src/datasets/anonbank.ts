/**
 * Parsers for the real "Anonymous Bank" (Israel, 1999) call-center data in ../shared/data/anonbank-1999.
 * Pure text → records; `loadAnonbank*` in ./anonbank-files.ts read the gzip files (I/O stays out of here).
 *
 * Times in the files are local wall time of Asia/Jerusalem. Wall times that fall into a DST gap are
 * moved forward by luxon (they hold no calls in practice: the gaps are at 02:00 at night).
 */
import { DateTime } from 'luxon';

export const ANONBANK_ZONE = 'Asia/Jerusalem';
export const ANONBANK_QUEUES = ['PS', 'NW', 'NE', 'IN', 'TT', 'PE'] as const;
export type AnonbankQueue = (typeof ANONBANK_QUEUES)[number];

export type CallOutcome = 'AGENT' | 'HANG' | 'PHANTOM';

export interface CallRecord {
  callId: number;
  customerId: number;
  priority: number;
  /** service queue (skill group), e.g. "PS" */
  type: string;
  /** arrival at the VRU (epoch ms) */
  arrival: number;
  vruSeconds: number;
  /** joined the agent queue (epoch ms), or null when the call never queued */
  queueStart: number | null;
  queueSeconds: number;
  outcome: CallOutcome;
  /** service start (epoch ms), or null when not served */
  serviceStart: number | null;
  /** talk time in seconds (handle time) */
  serviceSeconds: number;
  /** agent name, or null for NO_SERVER */
  server: string | null;
}

const dayCache = new Map<string, number>();

/** Epoch ms of local midnight for a YYMMDD date in Asia/Jerusalem (cached: 30k calls share few days). */
function midnight(yymmdd: string): number {
  let ms = dayCache.get(yymmdd);
  if (ms === undefined) {
    const iso = `19${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
    ms = DateTime.fromISO(iso, { zone: ANONBANK_ZONE }).toMillis();
    dayCache.set(yymmdd, ms);
  }
  return ms;
}

function secondsOfDay(hms: string): number {
  const [h, m, s] = hms.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}

/** Local time of day on a date → instant (via luxon so DST days are right). */
function instant(yymmdd: string, hms: string): number {
  const base = midnight(yymmdd);
  const secs = secondsOfDay(hms);
  const naive = base + secs * 1000;
  // On the two DST days the offset changes during the day; correct by reading the wall clock back.
  const wall = DateTime.fromMillis(naive, { zone: ANONBANK_ZONE });
  const drift = wall.hour * 3600 + wall.minute * 60 + wall.second - secs;
  return drift === 0 || Math.abs(drift) > 7200 ? naive : naive - drift * 1000;
}

/**
 * Parses one month file (tab-separated, header line). Malformed rows (wrong column count, unparsable
 * date) are skipped and counted; the two stray `AA` rows are kept as type "AA" for the caller to drop.
 */
export function parseCallRecords(text: string): { calls: CallRecord[]; skipped: number } {
  const calls: CallRecord[] = [];
  let skipped = 0;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const f = line.split('\t');
    if (f.length !== 17 || !/^\d{6}$/.test(f[5]) || !/^\d+:\d\d:\d\d$/.test(f[6])) {
      skipped++;
      continue;
    }
    const date = f[5];
    const queueSeconds = Number(f[11]);
    const serviceSeconds = Number(f[15]);
    const outcome = f[12].trim() as CallOutcome;
    const queued = f[9] !== '0:00:00' || queueSeconds > 0;
    const served = outcome === 'AGENT' && f[13] !== '0:00:00';
    calls.push({
      callId: Number(f[1]),
      customerId: Number(f[2]),
      priority: Number(f[3]),
      type: f[4].trim(),
      arrival: instant(date, f[6]),
      vruSeconds: Number(f[8]),
      queueStart: queued ? instant(date, f[9]) : null,
      queueSeconds,
      outcome,
      serviceStart: served ? instant(date, f[13]) : null,
      serviceSeconds,
      server: f[16].trim() === 'NO_SERVER' ? null : f[16].trim(),
    });
  }
  return { calls, skipped };
}

export interface SlotCount {
  /** slot start (epoch ms) */
  start: number;
  /** arrivals in the 6-minute slot (half-counts kept) */
  calls: number;
}

/**
 * Parses arrivals-6min-1999.csv (`calls,u,Date,Day,Month`, slot u = 1..240 from local midnight).
 * Slots whose wall time does not exist (spring-forward) are merged into the next existing slot.
 */
export function parseSixMinuteArrivals(text: string): SlotCount[] {
  const out: SlotCount[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const [callsText, slotText, dateText] = line.split(',');
    const date = dateText.replace(/"/g, '');
    const slot = Number(slotText);
    const minutes = (slot - 1) * 6;
    const local = DateTime.fromISO(date, { zone: ANONBANK_ZONE }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
    out.push({ start: local.toMillis(), calls: Number(callsText) });
  }
  // Merge duplicates created by a gap (two wall times mapped to the same instant).
  out.sort((a, b) => a.start - b.start);
  const merged: SlotCount[] = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && last.start === s.start) last.calls += s.calls;
    else merged.push({ ...s });
  }
  return merged;
}
