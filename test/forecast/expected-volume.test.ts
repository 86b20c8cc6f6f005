import { trainForecaster, forecastTwoWeek, type TrainedTwoWeek } from '../../src/forecast/index';
import { slotInstant } from '../../src/forecast/day-series';
import { forecastRows } from '../../src/services/period-forecast';
import { syntheticHistory, ZONE } from './synthetic';

process.env.WFM_TF_QUIET = '1';
const subject = { id: 'G1', timeZone: ZONE, intervalMinutes: 30 };

describe('the volume staffing is computed from', () => {
  it('when a queue is quiet (0.3 calls a half hour), then the forecast keeps the expected volume beside the median and rosters staff by it', async () => {
    const history = syntheticHistory({ days: 63, dailyVolume: 6 }); // about 0.3 calls per open half hour
    const { model } = await trainForecaster({ history, skillGroup: subject, horizon: 'two-week', net: { epochs: 2, hiddenUnits: [8] } });
    const result = await forecastTwoWeek({ history, skillGroup: subject, from: slotInstant('2024-03-04', 0, ZONE, 30)!, model: model as TrainedTwoWeek });
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const expected = sum(result.points.map((p) => p.expected!));
    const medians = sum(result.points.map((p) => p.p50));
    // two weeks of about 6 calls a working day (Saturdays 40 %): the expectation holds them, the medians almost none
    expect(expected).toBeGreaterThan(50);
    expect(expected).toBeLessThan(90);
    if (result.alias !== 'naive-mean-4-weeks' && result.alias !== 'naive-last-week' && result.alias !== 'seasonal-es') expect(medians).toBeLessThan(expected / 2);
    // what the roster's requirement reads
    expect(sum(forecastRows('G1', result.points).map((r) => r.volume))).toBeCloseTo(expected, 6);
    // a forecast stored before the expectation was kept is read by its median
    expect(forecastRows('G1', [{ intervalStart: 0, p50: 2 }])[0].volume).toBe(2);
  });
});
