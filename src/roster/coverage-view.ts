/**
 * A roster's coverage as planners read it, the same over REST (GET /rosters/{id}/coverage, the CoverageRow
 * of openapi.yaml) and in `wfm plan`'s coverage.csv: one rounding and one "unknown" for both.
 */
import type { RosterCoverageRow } from './build';
import type { ClaimedCoverageRow } from './claimed-coverage';
import { formatInstant } from '../time/grid';

export interface CoverageView {
  skillGroupId: string;
  /** ISO-8601 with the roster zone's offset */
  intervalStart: string;
  volume: number;
  ahtSeconds: number;
  required: number;
  scheduled: number;
  shortfall: number;
  serviceLevel: number;
  /** null when nobody answers (stored as -1) */
  asaSeconds: number | null;
  abandonment: number;
  /** read over REST with the claims of the moment (claimed-coverage.ts); a fresh plan has none */
  claimed?: number;
  openShortfall?: number;
  withClaims?: { serviceLevel: number; asaSeconds: number | null; abandonment: number };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Rows are stored as the requirement read them (a re-plan reads volume and AHT back); they are shown
 * rounded. Agents (required, scheduled, shortfall) to 0.001 alike, so a shortfall still reads as
 * required − scheduled: required is grossed up by shrinkage (5 / 0.7 = 7.142857…).
 */
export function coverageView(rows: ReadonlyArray<RosterCoverageRow | ClaimedCoverageRow>, zone: string): CoverageView[] {
  return rows.map((c) => ({
    skillGroupId: c.skillGroupId,
    intervalStart: formatInstant(c.intervalStart, zone),
    volume: round(c.volume, 2),
    ahtSeconds: round(c.ahtSeconds, 1),
    required: round(c.required, 3),
    scheduled: round(c.scheduled, 3),
    shortfall: round(c.shortfall, 3),
    serviceLevel: c.serviceLevel,
    asaSeconds: c.asaSeconds < 0 ? null : c.asaSeconds,
    abandonment: c.abandonment,
    ...('claimed' in c
      ? {
          claimed: round(c.claimed, 3),
          openShortfall: round(c.openShortfall, 3),
          ...(c.withClaims ? { withClaims: { ...c.withClaims, asaSeconds: c.withClaims.asaSeconds < 0 ? null : c.withClaims.asaSeconds } } : {}),
        }
      : {}),
  }));
}

/** coverage.csv's columns, in order, with the view's field each is read from */
const CSV_COLUMNS: Array<[string, keyof CoverageView]> = [
  ['interval_start', 'intervalStart'],
  ['skill_group', 'skillGroupId'],
  ['volume', 'volume'],
  ['aht_seconds', 'ahtSeconds'],
  ['required', 'required'],
  ['scheduled', 'scheduled'],
  ['shortfall', 'shortfall'],
  ['service_level', 'serviceLevel'],
  ['asa_seconds', 'asaSeconds'],
  ['abandonment', 'abandonment'],
];

/** The view as CSV (an unknown ASA is an empty cell), times on the roster's clock. */
export function coverageCsv(rows: readonly RosterCoverageRow[], zone: string): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const row of coverageView(rows, zone)) lines.push(CSV_COLUMNS.map(([, field]) => row[field] ?? '').join(','));
  return `${lines.join('\n')}\n`;
}
