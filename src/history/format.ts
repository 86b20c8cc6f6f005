/**
 * Intervals → history CSV (`interval_start,skill_group,volume[,aht_seconds]`), the same format the
 * ingestion reads, so a formatted file round-trips. Timestamps carry the skill group's zone offset.
 */
import type { IntervalVolume } from '../domain/types';
import { ZoneClocks } from './zone-clock';

export interface FormatCsvOptions {
  /** write the aht_seconds column; default: when any interval has an AHT */
  includeAht?: boolean;
  /** decimals kept for AHT (volumes are written exactly); default 3 */
  ahtDecimals?: number;
}

/** Numbers without float noise (0.1 + 0.2) but without forcing decimals onto whole counts. */
function formatNumber(value: number, decimals: number): string {
  const factor = 10 ** decimals;
  return String(Math.round(value * factor) / factor);
}

/** A CSV cell, quoted where it holds a comma, quote or line break (RFC 4180). */
export function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * @param zoneOf the IANA zone of a skill group id (its timestamps are written in that zone's offset)
 */
export function formatIntervalsCsv(
  intervals: readonly IntervalVolume[],
  zoneOf: (skillGroupId: string) => string,
  options: FormatCsvOptions = {},
): string {
  const includeAht = options.includeAht ?? intervals.some((i) => i.ahtSeconds !== undefined);
  const ahtDecimals = options.ahtDecimals ?? 3;
  const clocks = new ZoneClocks();
  const lines: string[] = [includeAht ? 'interval_start,skill_group,volume,aht_seconds' : 'interval_start,skill_group,volume'];
  for (const interval of intervals) {
    const start = clocks.get(zoneOf(interval.skillGroupId)).format(interval.start);
    let line = `${start},${csvCell(interval.skillGroupId)},${formatNumber(interval.volume, 6)}`;
    if (includeAht) line += `,${interval.ahtSeconds === undefined ? '' : formatNumber(interval.ahtSeconds, ahtDecimals)}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
