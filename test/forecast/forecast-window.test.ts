import { computeTwoWeekForecast, type ForecastingContext } from '../../src/services/forecasting';
import { trainForecaster } from '../../src/forecast/index';
import { slotInstant } from '../../src/forecast/day-series';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';

describe('the history a served two-week forecast reads', () => {
  const suite = suiteStore('fcwin');

  it('when the forecast starts some days after the history ends, then the same days are forecast the same (the day-of-month effect stays)', async () => {
    // 150 days to 2024-05-29 with every 1st of the month ×1.8 (a billing run)
    const history = syntheticHistory({ days: 150, skillGroupId: 'G1', dayFactor: (d) => (new Date(Date.UTC(2024, 0, 1 + d)).getUTCDate() === 1 ? 1.8 : 1) });
    const group = skillGroup({ id: 'G1', timeZone: ZONE, intervalMinutes: 30, country: undefined });
    const store = suite();
    await store.skillGroups.putAll([group]);
    await store.history.upsert(history);
    const { model } = await trainForecaster({ history, skillGroup: group, horizon: 'two-week', net: { epochs: 2, hiddenUnits: [8] } });
    const ctx = { store, now: () => Date.now(), registry: { loadLive: async () => ({ model, version: 'v1' }) } } as unknown as ForecastingContext;
    const dayAfter = await computeTwoWeekForecast(ctx, 'G1', slotInstant('2024-05-30', 0, ZONE, 30)!);
    const later = await computeTwoWeekForecast(ctx, 'G1', slotInstant('2024-06-01', 0, ZONE, 30)!);
    const june3 = (points: Array<{ intervalStart: number; p50: number }>, date: string) =>
      points.filter((p) => p.intervalStart >= slotInstant(date, 0, ZONE, 30)! && p.intervalStart < slotInstant(date, 47, ZONE, 30)!).map((p) => p.p50);
    expect(dayAfter.alias).toBe('decomposition');
    for (const date of ['2024-06-01', '2024-06-03', '2024-06-10']) expect(june3(later.points, date)).toEqual(june3(dayAfter.points, date));
    // the billing day is still forecast busier than the same weekday a week later
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(june3(later.points, '2024-06-01')) / sum(june3(later.points, '2024-06-08'))).toBeGreaterThan(1.1);
  });
});
