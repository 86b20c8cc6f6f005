/**
 * The forecast a roster is built from when no stored two-week forecast covers its period: computed from
 * history with the live model, or the flagged baseline when there is none. Shared by the build-roster
 * job and `wfm plan` (which has history files, no store).
 */
import type { IntervalVolume, SkillGroup } from '../domain/types';
import { forecastTwoWeek, TWO_WEEK_DAYS, type ForecastResult, type SpecialDay, type TrainedTwoWeek } from '../forecast';

/** Where a skill group's requirement came from, as the result reports it. */
export interface ForecastSource {
  skillGroupId: string;
  source: 'stored-forecast' | 'computed-from-history';
  alias: string;
  modelVersion?: string;
  /** true: no live model (or it could not serve), the flagged baseline (mean of the last 4 same weekdays) was used */
  baselineFallback: boolean;
  fallbackReason?: string;
  forecastCreatedAt?: string;
}

/**
 * Forecast points as the interval volumes the requirement is computed from: the expected volume (Erlang
 * takes the arrival rate, a mean), not the median — a quiet queue's median is 0 in every interval. A
 * forecast stored before the expected volume was kept falls back to its median.
 */
export function forecastRows(skillGroupId: string, points: Array<{ intervalStart: number; p50: number; expected?: number; ahtSeconds?: number }>): IntervalVolume[] {
  return points.map((p) => ({ skillGroupId, start: p.intervalStart, volume: p.expected ?? p.p50, ...(p.ahtSeconds !== undefined ? { ahtSeconds: p.ahtSeconds } : {}) }));
}

export async function computePeriodForecast(input: {
  group: SkillGroup;
  history: IntervalVolume[];
  startMs: number;
  days: number;
  specialDays?: SpecialDay[];
  live: { version: string; model: unknown } | null;
}): Promise<{ rows: IntervalVolume[]; source: ForecastSource }> {
  const result: ForecastResult = await forecastTwoWeek({
    history: input.history,
    skillGroup: input.group,
    from: input.startMs,
    specialDays: input.specialDays,
    model: (input.live?.model as TrainedTwoWeek | undefined) ?? null,
    // and the day after, within the two weeks: a night shift of the last day works into it (the roster's
    // LP plans those hours too; see buildSubproblem)
    days: Math.min(input.days + 1, TWO_WEEK_DAYS),
  });
  return {
    rows: forecastRows(input.group.id, result.points),
    source: {
      skillGroupId: input.group.id,
      source: 'computed-from-history',
      alias: result.alias,
      ...(input.live && !result.baselineFallback ? { modelVersion: input.live.version } : {}),
      baselineFallback: result.baselineFallback,
      ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
    },
  };
}
