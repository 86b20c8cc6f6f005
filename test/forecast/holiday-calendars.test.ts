/**
 * A WFM analyst forecasting centers in several countries: holidays that last several days, entries of
 * date-holidays that are not days off, regions, the planner's word over the calendar, the live baseline
 * after an outlier, bands on declared-uplift days, and what the answer says of each day.
 */
import { buildCalendar, holidayCalendarProblem, publicHolidays, specialDayWarnings } from '../../src/forecast/calendar';
import { calendarKind } from '../../src/forecast/decomposition';
import { buildDaySeries, slotInstant } from '../../src/forecast/day-series';
import { MeanOfLastFourWeekdays, learnedUplifts } from '../../src/forecast/baselines';
import { forecastTwoWeekDays } from '../../src/forecast/two-week';
import { applyBand, widenForUplift } from '../../src/forecast/bands';
import { calendarFor, forecastTwoWeek } from '../../src/forecast/index';
import { forecastDaysNote } from '../../src/cli/commands/forecast';
import { syntheticHistory, ZONE } from './synthetic';

const sum = (row: number[]) => row.reduce((a, b) => a + b, 0);

describe('public holidays from date-holidays', () => {
  it('when a holiday lasts several days (Eid al-Adha 2026 in Saudi Arabia, four days), then each of its days is a holiday', () => {
    const sa = publicHolidays('SA', 2026, 2026);
    expect(['2026-05-25', '2026-05-26', '2026-05-27', '2026-05-28', '2026-05-29', '2026-05-30'].map((d) => sa.has(d))).toEqual([false, true, true, true, true, false]);
    // Eid al-Fitr in the Emirates: 1 Shawwal for three days
    expect(['2026-03-20', '2026-03-21', '2026-03-22'].every((d) => publicHolidays('AE', 2026, 2026).has(d))).toBe(true);
  });

  it('when an entry is a part day (from 14:00, from 12:00) or a day off for some people only, then it is no holiday; the real ones stay', () => {
    const cn = publicHolidays('CN', 2026, 2026);
    // Women's Day (an afternoon, women), Youth Day, Children's Day, Army Day
    expect(['2026-03-08', '2026-05-04', '2026-06-01', '2026-08-01'].filter((d) => cn.has(d))).toEqual([]);
    expect(['2026-02-16', '2026-05-01', '2026-10-01'].every((d) => cn.has(d))).toBe(true);
    const de = publicHolidays('DE', 2026, 2026);
    expect([de.has('2026-12-24'), de.has('2026-12-25'), de.has('2026-12-31')]).toEqual([false, true, false]);
    // …and Christmas Eve is still the eve of a holiday for the forecast
    expect(calendarKind(buildCalendar({ country: 'DE', fromYear: 2026, toYear: 2027 }), '2026-12-24')).toBe('eve');
    // Israel's calendar (the Anonymous Bank bench) is what it was: its public days are whole single days
    expect(publicHolidays('IL', 1999, 2000).size).toBe(18);
  });

  it('when a special day is declared on a public holiday, then it is the special day (China\'s Children\'s Day is a working day for the center)', () => {
    const calendar = buildCalendar({ country: 'SA', specialDays: [{ date: '2026-05-26', label: 'open as usual', uplift: 1 }], fromYear: 2026, toYear: 2026 });
    expect(calendarKind(calendar, '2026-05-26')).toBe('special');
    expect(calendarKind(calendar, '2026-05-27')).toBe('holiday');
  });

  it('when the country is a region (DE-BY), then its own holidays count; an unknown region or "UK" is refused saying what to give', () => {
    expect(holidayCalendarProblem('DE-BY')).toBeUndefined();
    expect(publicHolidays('DE-BY', 2026, 2026).has('2026-01-06')).toBe(true); // Epiphany: Bavaria's, not Berlin's
    expect(publicHolidays('DE', 2026, 2026).has('2026-01-06')).toBe(false);
    expect(holidayCalendarProblem('DE-XX')).toMatch(/regions known for DE are .*DE-BY/);
    expect(holidayCalendarProblem('UK')).toMatch(/code is GB/);
    expect(holidayCalendarProblem('de-by')).toMatch(/capitals: "DE-BY"/);
    expect(holidayCalendarProblem('XX')).toMatch(/no public-holiday calendar/);
  });

  it('when the forecast lies years after the history, then the calendar covers the forecast\'s days (Carnival 2028)', () => {
    const series = buildDaySeries(syntheticHistory({ days: 35, firstDate: '2026-01-05' }), { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const calendar = calendarFor(series, { id: 'G1', timeZone: ZONE, intervalMinutes: 30, country: 'BR' }, {}, '2028-03-05');
    expect(calendar.holidays.has('2028-02-29')).toBe(true); // Carnival Tuesday 2028
  });
});

describe('the live baseline, the bands of uplift days and the days of the answer', () => {
  const firstDate = '2024-01-01';
  const subject = { id: 'G1', timeZone: ZONE, intervalMinutes: 30 };
  // eight weeks to Sunday 2024-02-25; Tuesday 2024-02-20 (day 50) a storm at 20× the calls
  const history = buildDaySeries(syntheticHistory({ days: 56, firstDate, dayFactor: (d) => (d === 50 ? 20 : 1) }), { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });

  it('when the baseline answers live after a 20× Tuesday and a holiday Thursday, then coming Tuesdays and Thursdays are ordinary; the reference baseline stays plain', async () => {
    const calendar = buildCalendar({ holidays: ['2024-02-22'], fromYear: 2024, toYear: 2024 });
    const quietThursday = buildDaySeries(syntheticHistory({ days: 56, firstDate, dayFactor: (d) => (d === 50 ? 20 : d === 52 ? 0.15 : 1) }), { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const forecast = await forecastTwoWeekDays({ history: quietThursday, calendar, firstDate: '2024-02-26', model: null });
    expect(forecast.baselineFallback).toBe(true);
    const [tuesday, wednesday, thursday] = [1, 2, 3].map((i) => sum(forecast.p50[i]));
    expect(tuesday / wednesday).toBeGreaterThan(0.85);
    expect(tuesday / wednesday).toBeLessThan(1.15);
    expect(thursday / wednesday).toBeGreaterThan(0.85);
    // the backtest's reference is the textbook mean of the last four Tuesdays, storm included
    const reference = new MeanOfLastFourWeekdays();
    reference.fit(quietThursday);
    expect(sum(reference.predict(['2024-02-27'])[0]) / wednesday).toBeGreaterThan(4);
  });

  it('when a quiet queue has a day at under half its usual few calls, then the live baseline counts it: that is count noise, not an outlier', async () => {
    // a Tuesday of 19 calls where the last eight had a median of 42: under half, but within the noise of a count (4 σ ≈ 26 calls)
    const quiet = buildDaySeries(syntheticHistory({ days: 56, firstDate, dayFactor: (d) => (d === 50 ? 0.4 : 1), dailyVolume: 40 }), { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const live = await forecastTwoWeekDays({ history: quiet, calendar: buildCalendar({ fromYear: 2024, toYear: 2024 }), firstDate: '2024-02-26', model: null });
    const reference = new MeanOfLastFourWeekdays();
    reference.fit(quiet);
    expect(sum(live.p50[1])).toBeCloseTo(sum(reference.predict(['2024-02-27'])[0]), 6);
  });

  it('when a day has a declared uplift, then its band is widened by the uplift\'s own uncertainty, relative to the ordinary band', async () => {
    const specialDays = [{ date: '2024-02-28', label: 'sale', uplift: 4 }];
    const forecast = await forecastTwoWeekDays({ history, calendar: buildCalendar({ specialDays, fromYear: 2024, toYear: 2024 }), firstDate: '2024-02-26', model: null });
    const relativeWidth = (day: number) => {
      const s = forecast.p50[day].indexOf(Math.max(...forecast.p50[day]));
      return (forecast.p90[day][s] - forecast.p10[day][s]) / forecast.p50[day][s];
    };
    // Wednesday 02-28 ×4 against Wednesday 03-06 ordinary: the sale's band is no narrower in proportion
    expect(relativeWidth(2)).toBeGreaterThan(relativeWidth(9));
    for (const [p10, p50, p90] of [[0, 0, 0], [3, 10, 17], [90, 100, 110]].map(([a, b, c]) => { const w = widenForUplift({ p10: a, p90: c }, b, 0.5); return [w.p10, b, w.p90]; })) {
      expect(p10).toBeLessThanOrEqual(p50);
      expect(p90).toBeGreaterThanOrEqual(p50);
      expect(p10).toBeGreaterThanOrEqual(0);
    }
    expect(widenForUplift(applyBand({ edges: [], q10: [-1.28], q90: [1.28] }, 400), 400, 1)).toEqual(applyBand({ edges: [], q10: [-1.28], q90: [1.28] }, 400));
  });

  it('when a special day has no uplift, then one is learned from past days with its label, and the warnings say how it is forecast', async () => {
    const sales = ['2024-01-17', '2024-01-31', '2024-02-14'];
    const withSales = syntheticHistory({ days: 56, firstDate, dayFactor: (d) => ([16, 30, 44].includes(d) ? 2 : 1) });
    const specialDays = [...sales.map((date) => ({ date, label: 'Sale' })), { date: '2024-02-28', label: 'sale ' }, { date: '2024-03-01', label: 'storm' }];
    const series = buildDaySeries(withSales, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    const learned = learnedUplifts(series, buildCalendar({ specialDays, fromYear: 2024, toYear: 2024 }), ['2024-02-28', '2024-03-01']);
    expect([...learned.keys()]).toEqual(['2024-02-28']);
    expect(learned.get('2024-02-28')!.uplift).toBeCloseTo(2, 0);
    const from = slotInstant('2024-02-26', 0, ZONE, 30)!;
    const result = await forecastTwoWeek({ history: withSales, skillGroup: subject, from, model: null, specialDays });
    expect(result.days?.find((d) => d.date === '2024-02-28')).toEqual({ date: '2024-02-28', kind: 'special', specialDay: 'sale ', uplift: expect.closeTo(2, 0), upliftLearnedFrom: 3 });
    expect(forecastDaysNote(result.days ?? [])).toMatch(/2024-02-28 special day "sale ", uplift ×2[.0-9]* learned from 3 past day\(s\)/);
    const warnings = specialDayWarnings([{ date: '2026-06-01', label: 'open' }, { date: '2026-10-01', label: 'open', uplift: 1 }], 'CN');
    expect(warnings).toEqual([
      expect.stringMatching(/^2026-06-01 \("open"\) has no uplift: it is forecast as an ordinary day, unless/),
      expect.stringMatching(/^2026-10-01 is a public holiday in CN .*the special day replaces it/),
    ]);
  });

  it('when the two-week forecast runs over an Eid, then its days say why they are low', async () => {
    const saHistory = syntheticHistory({ days: 35, firstDate: '2026-04-13' });
    const result = await forecastTwoWeek({ history: saHistory, skillGroup: { ...subject, country: 'SA' }, from: slotInstant('2026-05-18', 0, ZONE, 30)!, model: null });
    expect(result.days?.filter((d) => d.kind === 'holiday').map((d) => d.date)).toEqual(['2026-05-26', '2026-05-27', '2026-05-28', '2026-05-29']);
    expect(forecastDaysNote(result.days ?? [])).toMatch(/^calendar: 2026-05-25 eve of a public holiday; 2026-05-26 public holiday "/);
  });
});
