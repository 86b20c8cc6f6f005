/**
 * The realtime forecast at a past `at` (computeRealtimeForecast on the real Redis, no trained model): a
 * stored history that goes on after `at` holds the whole interval under way, calls after `at` included.
 * Only what was known at `at` counts — the rows that ended by then and the minutes the feed reported up to
 * it — so the forecast equals the one from a store cut at the start of the interval under way, and the
 * CLI's replay of a complete file (forecastRealtime on the rows before that interval).
 */
import type { IntervalVolume, SkillGroup } from '../../src/domain/types';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import type { FsModelRegistry } from '../../src/registry/fs-model-registry';
import { computeRealtimeForecast } from '../../src/services/forecasting';
import { forecastRealtime } from '../../src/forecast';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 86_400_000;
const noModels = { loadLive: async () => null } as unknown as FsModelRegistry;

// Sunday 2026-08-30 in Santiago (-04:00, a week before the September change), 60-minute rows
const dayStart = Date.parse('2026-08-30T00:00:00-04:00');
const oneOClock = Date.parse('2026-08-30T01:00:00-04:00');
const at = Date.parse('2026-08-30T01:10:00-04:00');

/** 35 days of hourly rows up to the end of the day of `at`: quiet nights, busier days, 23 calls at 01:00. */
function history(group: SkillGroup): IntervalVolume[] {
  const rows: IntervalVolume[] = [];
  for (let s = dayStart - 35 * DAY, k = 0; s < dayStart + DAY; s += HOUR, k++) {
    const hour = k % 24;
    rows.push({ skillGroupId: group.id, start: s, volume: hour === 1 ? 40 + (k % 3) : 30 + 4 * Math.min(hour, 24 - hour) });
  }
  // the day of `at` is a quiet one so far: its 01:00 row (the whole hour) is 23
  return rows.map((r) => (r.start === oneOClock ? { ...r, volume: 23 } : r.start >= dayStart && r.start < oneOClock ? { ...r, volume: r.volume / 2 } : r));
}

function minutes(group: string, from: number, to: number, arrivals: number): RealtimeEvent[] {
  const out: RealtimeEvent[] = [];
  for (let m = from; m < to; m += MIN) out.push({ skillGroupId: group, minute: m, arrivals });
  return out;
}

describe('the realtime forecast at a past `at` over a history that goes on after it', () => {
  const store = suiteStore('rt-past-at');
  const ctx = () => ({ store: store(), registry: noModels, now: () => at + 30 * DAY });
  const group = (id: string) => skillGroup({ id, timeZone: 'America/Santiago', intervalMinutes: 60, country: undefined });

  test('when the store holds the whole 01:00 row, then the forecast at 01:10 is the one from a store cut at 01:00 (the CLI\'s replay), not that row topped up', async () => {
    const full = group('SCL24');
    const cut = group('SCL24CUT');
    await store().skillGroups.putAll([full, cut]);
    const rows = history(full);
    await store().history.upsert(rows);
    await store().history.upsert(rows.filter((r) => r.start < oneOClock).map((r) => ({ ...r, skillGroupId: cut.id })));

    const fromFull = await computeRealtimeForecast(ctx(), 'SCL24', at);
    const fromCut = await computeRealtimeForecast(ctx(), 'SCL24CUT', at);
    // wfm forecast --from 01:10 on the complete file: the rows before the interval under way, at 01:10
    const replay = await forecastRealtime({ history: rows.filter((r) => r.start < oneOClock), skillGroup: full, now: at, model: null });

    expect(fromFull.points[0].intervalStart).toBe(oneOClock);
    expect(fromFull.points.map(({ p10, p50, p90 }) => [p10, p50, p90])).toEqual(fromCut.points.map(({ p10, p50, p90 }) => [p10, p50, p90]));
    expect(fromFull.total).toEqual(fromCut.total);
    expect(fromFull.points.map(({ p10, p50, p90 }) => [p10, p50, p90])).toEqual(replay.points.map(({ p10, p50, p90 }) => [p10, p50, p90]));
    // the stored 23 is not "calls so far by 01:10" with the rest of the hour added on top
    expect(fromFull.points[0].p50).toBeLessThan(23 + (50 / 60) * fromCut.points[0].p50 - 1);
  });

  test('when minutes were posted up to `at` and the store also holds the whole interval, then the reported minutes are the calls so far', async () => {
    const full = group('SCLMIN');
    const cut = group('SCLMINCUT');
    await store().skillGroups.putAll([full, cut]);
    const rows = history(full);
    await store().history.upsert(rows);
    await store().history.upsert(rows.filter((r) => r.start < oneOClock).map((r) => ({ ...r, skillGroupId: cut.id })));
    // 01:00–01:09 reported, a call a minute (within the plan's noise: far beyond it, the observed pace is followed); the feed goes on after `at`, which must not be read either
    await store().realtime.append([...minutes('SCLMIN', oneOClock, oneOClock + 40 * MIN, 1), ...minutes('SCLMINCUT', oneOClock, at, 1)], at + 30 * MIN);

    const fromFull = await computeRealtimeForecast(ctx(), 'SCLMIN', at);
    const fromCut = await computeRealtimeForecast(ctx(), 'SCLMINCUT', at);
    const onTheHour = await computeRealtimeForecast(ctx(), 'SCLMINCUT', oneOClock);

    expect(fromFull.points).toEqual(fromCut.points.map((p) => ({ ...p, skillGroupId: 'SCLMIN' })));
    expect(fromFull.total).toEqual(fromCut.total);
    // 10 calls so far plus the 50 minutes still to come
    expect(fromFull.points[0].p50).toBeCloseTo(10 + (50 / 60) * onTheHour.points[0].p50, 6);
  });
});
