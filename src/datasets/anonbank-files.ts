/** Reads the gzip files of the Anonymous Bank data (an adapter: the parsing is in ./anonbank.ts). */
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { parseCallRecords, parseSixMinuteArrivals, type CallRecord, type SlotCount } from './anonbank';

/** Where the data lives in this workplace; override with ANONBANK_DIR. */
export function anonbankDir(): string {
  return process.env.ANONBANK_DIR ?? path.resolve(__dirname, '../../../shared/data/anonbank-1999');
}

export function anonbankAvailable(): boolean {
  return existsSync(path.join(anonbankDir(), 'arrivals-6min-1999.csv.gz'));
}

function readGz(file: string): string {
  return gunzipSync(readFileSync(path.join(anonbankDir(), file))).toString('utf8');
}

/** Month files present: '01', '02', '10'. */
export const ANONBANK_MONTHS = ['01', '02', '10'] as const;

export function loadAnonbankCalls(month: (typeof ANONBANK_MONTHS)[number]): CallRecord[] {
  return parseCallRecords(readGz(`calls-1999-${month}.txt.gz`)).calls;
}

export function loadAnonbankSixMinuteArrivals(): SlotCount[] {
  return parseSixMinuteArrivals(readGz('arrivals-6min-1999.csv.gz'));
}
