/**
 * Real-data fixtures for tests and the benchmark: the Anonymous Bank 1999 data turned into
 * IntervalVolume rows (one row per interval that had arrivals, like a history file would have).
 */
import type { IntervalVolume } from '../../src/domain/types';
import { ANONBANK_ZONE, type CallRecord } from '../../src/datasets/anonbank';
import { loadAnonbankCalls, loadAnonbankSixMinuteArrivals, anonbankAvailable } from '../../src/datasets/anonbank-files';
import { intervalStartOf } from '../../src/time/grid';

export { ANONBANK_ZONE, anonbankAvailable };

/** Arrivals per interval and queue type (plus "TOTAL"), PHANTOM calls and stray rows left out. */
export function callsToIntervals(calls: CallRecord[], intervalMinutes: number, queues: readonly string[]): IntervalVolume[] {
  const buckets = new Map<string, IntervalVolume>();
  const add = (group: string, start: number, call: CallRecord) => {
    const key = `${group}|${start}`;
    let row = buckets.get(key);
    if (!row) buckets.set(key, (row = { skillGroupId: group, start, volume: 0 }));
    row.volume += 1;
    if (call.outcome === 'AGENT' && call.serviceSeconds > 0) {
      // running volume-weighted AHT over served calls only
      const served = (row as IntervalVolume & { served?: number }).served ?? 0;
      row.ahtSeconds = ((row.ahtSeconds ?? 0) * served + call.serviceSeconds) / (served + 1);
      (row as IntervalVolume & { served?: number }).served = served + 1;
    }
  };
  for (const call of calls) {
    if (call.outcome === 'PHANTOM' || !queues.includes(call.type)) continue;
    const start = intervalStartOf(call.arrival, ANONBANK_ZONE, intervalMinutes);
    add(call.type, start, call);
    add('TOTAL', start, call);
  }
  return [...buckets.values()].map(({ skillGroupId, start, volume, ahtSeconds }) => ({ skillGroupId, start, volume, ...(ahtSeconds !== undefined ? { ahtSeconds } : {}) }));
}

export function loadMonthIntervals(months: Array<'01' | '02' | '10'>, intervalMinutes: number, queues: readonly string[]): IntervalVolume[] {
  return callsToIntervals(months.flatMap((m) => loadAnonbankCalls(m)), intervalMinutes, queues);
}

/** The whole-year 6-minute file as one "TOTAL" series, re-gridded to `intervalMinutes`. */
export function loadYearIntervals(intervalMinutes: number, group = 'TOTAL'): IntervalVolume[] {
  const buckets = new Map<number, number>();
  for (const slot of loadAnonbankSixMinuteArrivals()) {
    if (slot.calls <= 0) continue;
    const start = intervalStartOf(slot.start, ANONBANK_ZONE, intervalMinutes);
    buckets.set(start, (buckets.get(start) ?? 0) + slot.calls);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([start, volume]) => ({ skillGroupId: group, start, volume }));
}
