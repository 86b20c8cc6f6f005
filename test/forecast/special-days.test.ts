import { trainForecaster, forecastTwoWeek, type TrainedTwoWeek } from '../../src/forecast/index';
import { slotInstant } from '../../src/forecast/day-series';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';
const subject = { id: 'G1', timeZone: ZONE, intervalMinutes: 30 };

describe('declared special days', () => {
  it('when a sale is declared ×4, then whichever model answers forecasts it ×4 (the baselines and the combination too)', async () => {
    const history = syntheticHistory({ days: 63 }); // to Sunday 2024-03-03
    const from = slotInstant('2024-03-04', 0, ZONE, 30)!;
    const specialDays = [{ date: '2024-03-06', label: 'sale', uplift: 4 }];
    const { model } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: { epochs: 2, hiddenUnits: [8] } });
    const dayTotal = (points: Array<{ intervalStart: number; p50: number }>, date: string) =>
      points.filter((p) => p.intervalStart >= slotInstant(date, 0, ZONE, 30)! && p.intervalStart < slotInstant(date, 47, ZONE, 30)!).reduce((a, p) => a + p.p50, 0);
    const models: Array<TrainedTwoWeek | null> = [null, ...(['decomposition', 'combination', 'naive-mean-4-weeks', 'naive-last-week', 'seasonal-es'] as const).map((liveAlias) => ({ ...(model as TrainedTwoWeek), liveAlias }))];
    for (const m of models) {
      const plain = await forecastTwoWeek({ history, skillGroup: subject, from, model: m });
      const sale = await forecastTwoWeek({ history, skillGroup: subject, from, model: m, specialDays });
      expect({ alias: sale.alias, ratio: dayTotal(sale.points, '2024-03-06') / dayTotal(plain.points, '2024-03-06') }).toEqual({ alias: plain.alias, ratio: expect.closeTo(4, 1) });
      // the other days are untouched
      expect(dayTotal(sale.points, '2024-03-13')).toBeCloseTo(dayTotal(plain.points, '2024-03-13'), 6);
    }
  });
});
