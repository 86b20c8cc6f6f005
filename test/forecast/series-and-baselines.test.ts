import { buildDaySeries, headOf, slotInstant } from '../../src/forecast/day-series';
import { SameWeekdayLastWeek, MeanOfLastFourWeekdays, SeasonalExponentialSmoothing } from '../../src/forecast/baselines';
import { DecompositionForecaster, levelShift } from '../../src/forecast/decomposition';
import { buildCalendar } from '../../src/forecast/calendar';
import { calibrateBands, applyBand } from '../../src/forecast/bands';
import { forecastTwoWeekDays } from '../../src/forecast/two-week';
import { scorePoints, selectLive, weeklyNaiveScale, type GroupedPoint } from '../../src/forecast/metrics';
import { syntheticHistory, ZONE } from './synthetic';

const noCalendar = buildCalendar({ fromYear: 2024, toYear: 2024 });
const series = (rows = syntheticHistory({ days: 56 })) => buildDaySeries(rows, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });

describe('day series', () => {
  it('when a weekday never has calls, then it is inferred closed, and opening hours match the data', () => {
    const s = series();
    expect(s.open[6].some(Boolean)).toBe(false); // Sunday
    const mondayOpen = s.open[0].map((o, slot) => (o ? slot : -1)).filter((x) => x >= 0);
    expect(mondayOpen[0]).toBe(16); // 08:00
    expect(mondayOpen[mondayOpen.length - 1]).toBe(35); // 17:30
  });

  it('when a line runs 24/7 with a quiet night, then the night is open; a closed line\'s IVR trickle at night is not', () => {
    // 15-minute slots, 8 weeks: 1,000 calls at noon, 30 at night (3% of the peak: a railway hotline's night)
    const start = Date.parse('2024-01-01T00:00:00Z');
    const rows = (night: (d: number, s: number) => number) =>
      Array.from({ length: 56 * 96 }, (_, k) => {
        const d = Math.floor(k / 96);
        const slot = k % 96;
        const day = slot >= 28 && slot < 88;
        return { skillGroupId: 'G1', start: start + k * 15 * 60_000, volume: day ? 1000 : night(d, slot) };
      });
    const allDay = buildDaySeries(rows(() => 30), { skillGroupId: 'G1', zone: 'UTC', intervalMinutes: 15 });
    for (const weekday of allDay.open) expect(weekday.every(Boolean)).toBe(true);
    // the bank's nights: a call now and then (0–1 a quarter hour), nobody answering
    const trickle = buildDaySeries(rows((d, slot) => ((d * 7 + slot) % 3 === 0 ? 1 : 0)), { skillGroupId: 'G1', zone: 'UTC', intervalMinutes: 15 });
    for (const weekday of trickle.open) {
      expect(weekday.slice(0, 28).some(Boolean)).toBe(false);
      expect(weekday.slice(28, 88).every(Boolean)).toBe(true);
    }
  });

  it('when a 24/7 line answers its calls all night at a fraction of a call a quarter hour, then every slot is open; a bank that answers a night call now and then keeps its hours', () => {
    // A roadside-assistance line: 12 calls a quarter hour by day, 0.4 at night and on quiet evenings, every
    // row written (zeros included), every call handled. Night and evening slots are under 5 % of the peak
    // and under 6 calls an hour: the volume rules alone closed scattered ones.
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const poissonDraw = (mean: number) => {
      let k = 0;
      for (let p = rand(), limit = Math.exp(-mean); p > limit; p *= rand()) k++;
      return k;
    };
    const start = Date.parse('2024-01-01T00:00:00Z');
    const history = (nightAnswered: (volume: number) => boolean, opens = 28, closes = 76) =>
      Array.from({ length: 56 * 96 }, (_, k) => {
        const slot = k % 96;
        const day = slot >= opens && slot < closes;
        const volume = poissonDraw(day ? 12 : 0.4);
        const answered = day || nightAnswered(volume);
        return { skillGroupId: 'G1', start: start + k * 15 * 60_000, volume, ...(volume > 0 && answered ? { ahtSeconds: 440 } : {}) };
      });
    const roadside = buildDaySeries(history(() => true), { skillGroupId: 'G1', zone: 'UTC', intervalMinutes: 15 });
    for (const weekday of roadside.open) expect(weekday.every(Boolean)).toBe(true);
    // the same nights with about one call in twenty answered (a night agent now and then): the hours its
    // volume gives, exactly as without any handle time
    const bankRows = history(() => rand() < 0.05);
    const bank = buildDaySeries(bankRows, { skillGroupId: 'G1', zone: 'UTC', intervalMinutes: 15 });
    const volumeOnly = buildDaySeries(bankRows.map(({ ahtSeconds: _aht, ...r }) => r), { skillGroupId: 'G1', zone: 'UTC', intervalMinutes: 15 });
    expect(bank.open).toEqual(volumeOnly.open);
    expect(bank.open.every((weekday) => weekday.slice(0, 24).some((o) => !o))).toBe(true);
    // one odd night with every call answered (a night of overtime) changes nothing either: a bank open
    // 07:00–24:00, four weeks of history, so that night is a quarter of its weekday's days (with its day,
    // more than four fifths of the weekday's slots had calls answered)
    const oneNight = history(() => false, 28, 96).slice(0, 28 * 96).map((r, k) => (k >= 9 * 96 && k < 9 * 96 + 28 && r.volume > 0 ? { ...r, ahtSeconds: 300 } : r));
    const withNight = buildDaySeries(oneNight, { skillGroupId: 'G1', zone: 'UTC', intervalMinutes: 15 });
    const withoutNight = buildDaySeries(oneNight.map(({ ahtSeconds: _aht, ...r }) => r), { skillGroupId: 'G1', zone: 'UTC', intervalMinutes: 15 });
    expect(withNight.open).toEqual(withoutNight.open);
  });

  it('when one day had a huge spike, then the other slots of that weekday stay open', () => {
    const rows = syntheticHistory({ days: 56 });
    const spikeDay = rows.find((r) => new Date(r.start).toISOString().startsWith('2024-') && r.volume > 0)!;
    const spiked = rows.map((r) => (r.start === spikeDay.start ? { ...r, volume: r.volume * 400 } : r));
    const plain = series(rows);
    const withSpike = series(spiked);
    expect(withSpike.open).toEqual(plain.open);
  });

  it('when a whole day has no rows, then its open intervals are missing (NaN), not zero', () => {
    const s = series(syntheticHistory({ days: 56, missingDays: [15] }));
    expect(s.present[15]).toBe(false);
    expect(Number.isNaN(s.values[15][20])).toBe(true);
    expect(s.values[15][2]).toBe(0); // closed at 01:00
  });

  it('when the clocks fall back, then the repeated hour folds onto one slot and no volume is lost', () => {
    const first = slotInstant('2024-10-27', 4, ZONE, 30)!; // 02:00 CEST
    const rows = [0, 1, 2, 3].map((k) => ({ skillGroupId: 'G1', start: first + k * 30 * 60_000, volume: 1 }));
    const s = buildDaySeries(rows, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    expect(s.values[0].reduce((a, b) => a + b, 0)).toBe(4);
    expect(s.values[0][4] + s.values[0][5]).toBe(4);
  });
});

describe('baselines', () => {
  it('when forecasting, then the naive models repeat last week and average the last four same weekdays', () => {
    const s = series();
    const dates = ['2024-02-26'];
    const lastWeek = new SameWeekdayLastWeek();
    lastWeek.fit(s);
    expect(lastWeek.predict(dates)[0]).toEqual(s.values[49]); // the Monday a week before
    const mean4 = new MeanOfLastFourWeekdays();
    mean4.fit(s);
    const expected = s.values[49].map((_, slot) => [49, 42, 35, 28].reduce((a, d) => a + s.values[d][slot], 0) / 4);
    mean4.predict(dates)[0].forEach((v, slot) => expect(v).toBeCloseTo(expected[slot], 9));
    const es = new SeasonalExponentialSmoothing();
    es.fit(s);
    expect(es.predict(dates)[0][20]).toBeGreaterThan(0);
  });

  it('when one day has a huge surge, then the decomposition forecast of next week barely moves', () => {
    const calm = series(syntheticHistory({ days: 56 }));
    const surged = series(syntheticHistory({ days: 56, extra: (d, slot) => (d === 51 && slot === 26 ? 400 : 0) }));
    const forecast = (s: ReturnType<typeof series>) => {
      const m = new DecompositionForecaster();
      m.fit(s, noCalendar);
      return m.predict(['2024-02-28'])[0];
    };
    const a = forecast(calm);
    const b = forecast(surged);
    const dayA = a.reduce((x, y) => x + y, 0);
    const dayB = b.reduce((x, y) => x + y, 0);
    expect(Math.abs(dayB - dayA) / dayA).toBeLessThan(0.03);
    // The mean of the last 4 Wednesdays would move by ~100 calls in that slot; the robust profile does not.
    expect(Math.abs(b[26] - a[26])).toBeLessThan(10);
  });

  it('when the volume doubled for the last week (a timetable change), then next week is forecast at the new level; a storm week that ended is not', () => {
    // 56 days from Monday 2024-01-01 (Sundays closed): the last 8 days (from Saturday 2024-02-17) at ×2
    const dayTotalOn = (rows: ReturnType<typeof syntheticHistory>) => {
      const m = new DecompositionForecaster();
      m.fit(series(rows), noCalendar);
      return m.predict(['2024-02-28'])[0].reduce((a, b) => a + b, 0); // a Wednesday
    };
    const calm = dayTotalOn(syntheticHistory({ days: 56 }));
    const doubled = dayTotalOn(syntheticHistory({ days: 56, dayFactor: (d) => (d >= 47 ? 2 : 1) }));
    expect(doubled / calm).toBeGreaterThan(1.85);
    expect(doubled / calm).toBeLessThan(2.15);
    // the same doubling for a week that is over (days 33–40) is a storm week: clipped, the level stays
    const stormOver = dayTotalOn(syntheticHistory({ days: 56, dayFactor: (d) => (d >= 33 && d <= 40 ? 2 : 1) }));
    expect(Math.abs(stormOver / calm - 1)).toBeLessThan(0.06);
  });

  it('when a +50 % step is three weeks old, then every weekday of next week is forecast at the new level (weekday factors read across the step do not hide it)', () => {
    // 70 days from Monday 2024-01-01, the last 22 at ×1.5: each weekday has 3 or 4 raised days of its last 8
    const weekTotals = (rows: ReturnType<typeof syntheticHistory>) => {
      const m = new DecompositionForecaster();
      m.fit(series(rows), noCalendar);
      const dates = ['2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14', '2024-03-15', '2024-03-16'];
      return m.predict(dates).map((day) => day.reduce((a, b) => a + b, 0));
    };
    const calm = weekTotals(syntheticHistory({ days: 70 }));
    const stepped = weekTotals(syntheticHistory({ days: 70, dayFactor: (d) => (d >= 48 ? 1.5 : 1) }));
    const ratios = stepped.map((total, k) => (calm[k] > 0 ? Number((total / calm[k]).toFixed(2)) : 1.5));
    for (const r of ratios) {
      expect(r).toBeGreaterThan(1.38);
      expect(r).toBeLessThan(1.62);
    }
  });

  it('when levelShift reads the newest days, then it finds a run of a working week beyond the scatter before it, and nothing in ordinary noise', () => {
    const before = [100, 104, 97, 101, 99, 103, 96, 102, 98, 100, 105, 95];
    expect(levelShift([...[190, 205, 198, 210, 201, 195], ...before])).toBe(6);
    expect(levelShift([...[60, 55, 58, 62, 57], ...before])).toBe(5);
    expect(levelShift([...[190, 205, 198, 104], ...before])).toBe(0); // four days: too short to tell a shift from a storm
    expect(levelShift([...[190, 205, 120, 210, 201, 195], ...before])).toBe(0); // one day in between back near the level
    expect(levelShift([118, 121, 119, 122, 120, ...before])).toBe(0); // +20 %: within the 25 % a week may wander
    // 16 days after a +50 % step in a 28-day window: the newest days' scatter against the days before
    // them includes the step itself for every short run; the whole run against the 12 old days is the shift
    const raised = [150, 156, 147, 152, 149, 155, 146, 153, 148, 151, 157, 145, 150, 154, 149, 152];
    expect(levelShift([...raised, ...before])).toBe(16);
  });

  it('when a quiet queue writes its zero rows, then every slot it gave rows for with some calls is open; an export of zeros round the clock stays closed at night', () => {
    // 0.3 calls a half hour, 09:00–17:00 on weekdays, 8 weeks; every open slot has a row, mostly 0
    const quiet = (allDay: boolean) => {
      const rows: Array<{ skillGroupId: string; start: number; volume: number }> = [];
      let seed = 7;
      const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      for (let d = 0; d < 56; d++) {
        const date = new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
        if (new Date(`${date}T12:00:00Z`).getUTCDay() % 6 === 0) continue;
        for (let slot = allDay ? 0 : 18; slot < (allDay ? 48 : 34); slot++) {
          const open = slot >= 18 && slot < 34;
          // calls in about 14 % of a slot's days: under the 20 % that decides without zero rows
          rows.push({ skillGroupId: 'G1', start: slotInstant(date, slot, ZONE, 30)!, volume: open && rand() < 0.14 ? 1 : 0 });
        }
      }
      return buildDaySeries(rows, { skillGroupId: 'G1', zone: ZONE, intervalMinutes: 30 });
    };
    for (const allDay of [false, true]) {
      const s = quiet(allDay);
      for (let w = 1; w <= 5; w++) {
        const days = s.values.filter((_, d) => s.weekdays[d] === w);
        const withCalls = Array.from({ length: 48 }, (_, slot) => slot).filter((slot) => days.some((row) => row[slot] > 0));
        const open = s.open[w - 1].map((o, slot) => (o ? slot : -1)).filter((x) => x >= 0);
        // open wherever a call came in the 8 weeks (09:00–17:00), and nowhere outside those hours
        expect(open).toEqual(expect.arrayContaining(withCalls));
        expect(open.every((slot) => slot >= 18 && slot < 34)).toBe(true);
      }
    }
  });

  it('when a history is cut with headOf, then opening hours are inferred from the older days only', () => {
    const s = series();
    expect(headOf(s, 20).dates).toHaveLength(20);
    expect(headOf(s, 20).open[0][20]).toBe(true);
  });
});

describe('metrics and bands', () => {
  it('when scoring, then WAPE, bias and coverage follow their definitions', () => {
    const m = scorePoints([{ actual: 10, p50: 12, p10: 8, p90: 14 }, { actual: 10, p50: 6, p10: 7, p90: 9 }], 2);
    expect(m.wape).toBeCloseTo(0.3);
    expect(m.bias).toBeCloseTo(-0.1);
    expect(m.coverage).toBeCloseTo(0.5);
    expect(m.mase).toBeCloseTo(1.5);
  });

  it('when MASE scales a realtime total of several intervals, then its scale is the weekly naive error of such totals', () => {
    // Two weeks of one day-slot pattern: week 2 = week 1 + (1, −1, 1, −1): single intervals differ by 1,
    // two-interval totals by 0 — and the last interval's "total" is the interval alone (the day ends).
    const week1 = Array.from({ length: 7 }, () => [10, 10, 10, 10]);
    const week2 = Array.from({ length: 7 }, () => [11, 9, 11, 9]);
    const values = [...week1, ...week2];
    const open = () => true;

    expect(weeklyNaiveScale(values, open)).toBeCloseTo(1);
    expect(weeklyNaiveScale(values, open, 2)).toBeCloseTo(1 / 4);
  });

  it('when calibrated on residuals, then about 80 % of them fall inside p10–p90', () => {
    const pairs = Array.from({ length: 1000 }, (_, i) => ({ p50: 20 + (i % 30), actual: 20 + (i % 30) + ((i * 7919) % 21) - 10 }));
    const bands = calibrateBands(pairs);
    const inside = pairs.filter((p) => { const b = applyBand(bands, p.p50); return p.actual >= b.p10 && p.actual <= b.p90; }).length / pairs.length;
    expect(inside).toBeGreaterThan(0.75);
    expect(inside).toBeLessThan(0.85);
  });

  it('when every calibration forecast had one volume, then a forecast above it (a declared sale) still gets a band, from the nearest bucket', () => {
    const flat = Array.from({ length: 400 }, (_, i) => ({ p50: 30, actual: 30 + ((i % 5) - 2) }));
    for (const p50 of [30, 120]) {
      const band = applyBand(calibrateBands(flat), p50);
      expect(Number.isFinite(band.p10) && Number.isFinite(band.p90)).toBe(true);
      expect(band.p10).toBeLessThanOrEqual(p50);
      expect(band.p90).toBeGreaterThanOrEqual(p50);
    }
  });

  it('when a challenger is better only by the luck of a few days, then the preferred model stays live; when better on day after day, it takes over', () => {
    const days = Array.from({ length: 14 }, (_, d) => d);
    const points = (error: (day: number) => number): GroupedPoint[] => days.flatMap((d) => [0, 1, 2, 3].map(() => ({ actual: 100, p50: 100 + error(d), group: String(d) })));
    const preferred = points((d) => (d % 2 ? 10 : -10));
    const lucky = points((d) => (d === 3 ? 0 : d % 2 ? 10 : -10)); // better on one day of fourteen
    const steady = points((d) => (d % 2 ? 8 : -8));
    expect(selectLive<string>({ structural: preferred, baseline: lucky }, 'structural')).toBe('structural');
    expect(selectLive<string>({ structural: preferred, baseline: lucky, other: steady }, 'structural')).toBe('other');
  });

  it('when a naive baseline beats the pick on validation, even by luck, then the baseline goes live (never worse than its own baseline)', () => {
    const days = Array.from({ length: 14 }, (_, d) => d);
    const points = (error: (day: number) => number): GroupedPoint[] => days.flatMap((d) => [0, 1, 2, 3].map(() => ({ actual: 100, p50: 100 + error(d), group: String(d) })));
    const preferred = points((d) => (d % 2 ? 10 : -10));
    const luckyNaive = points((d) => (d === 3 ? 0 : d % 2 ? 10 : -10));
    const worseNaive = points(() => 12);
    expect(selectLive<string>({ structural: preferred, naive: luckyNaive, other: worseNaive }, 'structural', ['naive', 'other'])).toBe('naive');
    expect(selectLive<string>({ structural: preferred, other: worseNaive }, 'structural', ['other'])).toBe('structural');
  });

  it('when the pick loses to a naive baseline on validation but a combination beats that baseline, then the combination goes live', () => {
    const days = Array.from({ length: 14 }, (_, d) => d);
    const points = (error: (day: number) => number): GroupedPoint[] => days.flatMap((d) => [0, 1, 2, 3].map(() => ({ actual: 100, p50: 100 + error(d), group: String(d) })));
    const preferred = points((d) => (d % 2 ? 10 : -10));
    const luckyNaive = points((d) => (d === 3 ? 0 : d % 2 ? 10 : -10));
    const combination = points((d) => (d === 3 || d === 5 ? 0 : d % 2 ? 10 : -10));
    expect(selectLive<string>({ structural: preferred, naive: luckyNaive, combination }, 'structural', ['naive'])).toBe('combination');
    // never worse than the naive baseline: a combination that did worse than it does not go live
    const worseCombination = points(() => 11);
    expect(selectLive<string>({ structural: preferred, naive: luckyNaive, combination: worseCombination }, 'structural', ['naive'])).toBe('naive');
  });

  it('when every calibration residual is negative (a quiet spell), then a symmetric band still lies on both sides of the forecast', () => {
    const quietSpell = Array.from({ length: 600 }, (_, i) => ({ p50: 50 + (i % 40), actual: 50 + (i % 40) - 4 - (i % 9) }));
    const skewed = applyBand(calibrateBands(quietSpell), 70);
    expect(skewed.p90).toBe(70); // the asymmetric quantiles put the p90 at the p50
    const centred = applyBand(calibrateBands(quietSpell, { symmetric: true }), 70);
    expect(centred.p90 - 70).toBeCloseTo(70 - centred.p10, 9);
    expect(centred.p90).toBeGreaterThan(75);
  });
});


describe('two-week forecast across the fall-back night', () => {
  it('when a 24/7 group\'s clocks fall back, then both passes of the repeated hour get their own intervals', async () => {
    // four weeks of a flat 4 calls per half hour, day and night, in Berlin; the forecast week holds 2024-10-27
    const rows = [];
    for (let t = slotInstant('2024-09-23', 0, ZONE, 30)!; t < slotInstant('2024-10-21', 0, ZONE, 30)!; t += 30 * 60_000) rows.push({ skillGroupId: 'G1', start: t, volume: 4 });
    const { forecastTwoWeek } = await import('../../src/forecast/index');
    const from = slotInstant('2024-10-21', 0, ZONE, 30)!;
    const result = await forecastTwoWeek({ history: rows, skillGroup: { id: 'G1', timeZone: ZONE, intervalMinutes: 30 }, from, model: null, days: 7 });
    const sunday = result.points.filter((p) => p.intervalStart >= slotInstant('2024-10-27', 0, ZONE, 30)! && p.intervalStart < slotInstant('2024-10-28', 0, ZONE, 30)!);
    expect(sunday).toHaveLength(50);
    const twoAm = sunday.filter((p) => new Date(p.intervalStart).toISOString().match(/T0[01]:(00|30)/));
    expect(twoAm.map((p) => new Date(p.intervalStart).toISOString())).toEqual(['2024-10-27T00:00:00.000Z', '2024-10-27T00:30:00.000Z', '2024-10-27T01:00:00.000Z', '2024-10-27T01:30:00.000Z']);
    for (const p of twoAm) expect(p.p50).toBeCloseTo(4, 6);
    // sorted, no duplicate instants
    expect(result.points.every((p, i) => i === 0 || p.intervalStart > result.points[i - 1].intervalStart)).toBe(true);
  });
});

describe('a naive baseline answering live', () => {
  it('when a public holiday falls in the two weeks, then the naive forecast of that day takes the holiday factor; other days stay the baseline', async () => {
    // 56 days from Monday 2024-01-01; two past holidays (Mondays 2024-01-15 and 2024-02-05) at a fifth of a Monday
    const history = series(syntheticHistory({ days: 56, dayFactor: (d) => (d === 14 || d === 35 ? 0.2 : 1) }));
    const calendar = buildCalendar({ holidays: ['2024-01-15', '2024-02-05', '2024-03-04'], fromYear: 2024, toYear: 2024 });
    const model = {
      kind: 'two-week' as const, skillGroupId: 'G1', intervalMinutes: 30, liveAlias: 'naive-last-week' as const, net: null,
      bands: calibrateBands([]), validation: {}, validationOrigins: [], trainedThrough: '2024-02-25', historyDays: 56,
    };
    const forecast = await forecastTwoWeekDays({ history, calendar, firstDate: '2024-02-26', model });
    const total = (i: number) => forecast.mean[i].reduce((a, b) => a + b, 0);
    const plain = await forecastTwoWeekDays({ history, calendar: buildCalendar({ holidays: [], fromYear: 2024, toYear: 2024 }), firstDate: '2024-02-26', model });
    const plainTotal = (i: number) => plain.mean[i].reduce((a, b) => a + b, 0);
    const holiday = forecast.dates.indexOf('2024-03-04');
    expect(total(holiday) / plainTotal(holiday)).toBeLessThan(0.3);
    expect(total(holiday) / plainTotal(holiday)).toBeGreaterThan(0.1);
    for (let i = 0; i < forecast.dates.length; i++) if (i !== holiday) expect(total(i)).toBeCloseTo(plainTotal(i), 6);
  });
});
