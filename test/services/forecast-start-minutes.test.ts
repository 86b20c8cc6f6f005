/**
 * Where a refreshed two-week forecast starts, as stored and read back: at the end of the history's last
 * interval (or now, when the history reaches it) in whole minutes — not a millisecond past the last
 * interval's start — leaving out the same intervals as before.
 */
import { DateTime } from 'luxon';
import { computeTwoWeekForecast, readTwoWeekForecast, type ForecastingContext } from '../../src/services/forecasting';
import { formatInstant } from '../../src/time/grid';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';

process.env.WFM_TF_QUIET = '1';

const ZONE = 'Europe/Berlin';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

describe('the start of a refreshed two-week forecast', () => {
  const suite = suiteStore('fcstartmin');
  const group = (id: string) => skillGroup({ id, timeZone: ZONE, intervalMinutes: 30, country: undefined });

  /** a group with four weeks of half-hours up to (and with) the interval starting at `lastStart`, refreshed at `clock` */
  async function refreshAt(id: string, lastStart: string, clock: string) {
    const store = suite();
    await store.skillGroups.putAll([group(id)]);
    const rows = [];
    for (let t = at('2026-11-15T00:00'); t <= at(lastStart); t += 30 * 60_000) rows.push({ skillGroupId: id, start: t, volume: 4, ahtSeconds: 420 });
    await store.history.upsert(rows);
    const ctx = { store, now: () => at(clock), registry: { loadLive: async () => null } } as unknown as ForecastingContext;
    const result = await computeTwoWeekForecast(ctx, id);
    const read = await readTwoWeekForecast(store, group(id), {});
    return { meta: read.meta, covers: { from: formatInstant(read.covers.from, ZONE), to: formatInstant(read.covers.to, ZONE) }, first: formatInstant(result.points[0].intervalStart, ZONE) };
  }

  test('when the history ends half an hour before now, then the forecast starts at the end of its last interval, with it', async () => {
    const f = await refreshAt('R1', '2026-12-13T23:00', '2026-12-13T23:45:11.545');
    expect(f.meta.from).toBe('2026-12-13T22:30:00.000Z');
    expect(f.covers).toEqual({ from: '2026-12-13T23:30:00+01:00', to: '2026-12-27T00:00:00+01:00' });
    expect(f.first).toBe('2026-12-13T23:30:00+01:00');
  });

  test('when the history holds the interval under way, then the forecast starts at now in whole minutes, after that interval', async () => {
    const f = await refreshAt('R2', '2026-12-13T23:30', '2026-12-13T23:45:11.545');
    expect(f.meta.from).toBe('2026-12-13T22:46:00.000Z');
    expect(f.covers.from).toBe('2026-12-13T23:46:00+01:00');
    expect(f.first).toBe('2026-12-14T00:00:00+01:00');
  });
});
