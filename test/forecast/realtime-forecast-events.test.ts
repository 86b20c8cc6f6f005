/**
 * The realtime forecast's use of per-minute events (computeRealtimeForecast on the real Redis, no trained
 * model): minutes summed into the group's own interval grid, a finished interval with a feed gap read as
 * partially observed, and only the last day's arrivals read — never the stored days' whole hashes.
 */
import type { IntervalVolume, SkillGroup } from '../../src/domain/types';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import type { FsModelRegistry } from '../../src/registry/fs-model-registry';
import { computeRealtimeForecast } from '../../src/services/forecasting';
import { intervalRowsFromMinutes } from '../../src/forecast/minute-rows';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';

const MIN = 60_000;
const DAY = 86_400_000;
const noModels = { loadLive: async () => null } as unknown as FsModelRegistry;

/** 28 days of history up to `end`: about `perInterval` calls in every interval, a little more each interval of the day. */
function history(group: SkillGroup, end: number, perInterval: number): IntervalVolume[] {
  const step = group.intervalMinutes * MIN;
  const rows: IntervalVolume[] = [];
  for (let s = end - 28 * DAY, k = 0; s < end; s += step, k++) rows.push({ skillGroupId: group.id, start: s, volume: perInterval + (k % (DAY / step)) });
  return rows;
}

function minutes(group: string, from: number, to: number, arrivals: number, skip: (m: number) => boolean = () => false): RealtimeEvent[] {
  const out: RealtimeEvent[] = [];
  for (let m = from; m < to; m += MIN) if (!skip(m)) out.push({ skillGroupId: group, minute: m, arrivals });
  return out;
}

describe('the realtime forecast reading per-minute events', () => {
  const store = suiteStore('rt-events');
  const ctx = () => ({ store: store(), registry: noModels, now: () => 0 });

  test('when a +05:30 group on 60-minute intervals has 200 calls in 13:00–13:09 local, then they count in the 13:00 interval', async () => {
    const ind = skillGroup({ id: 'IND', timeZone: 'Asia/Kolkata', intervalMinutes: 60, country: undefined });
    const midnight = Date.parse('2026-03-02T00:00:00+05:30');
    await store().skillGroups.putAll([ind]);
    await store().history.upsert(history(ind, midnight, 60));
    const at = Date.parse('2026-03-02T13:10:00+05:30');
    await store().realtime.append(minutes('IND', Date.parse('2026-03-02T13:00:00+05:30'), at, 20), at);

    const result = await computeRealtimeForecast(ctx(), 'IND', at);

    expect(result.points[0].intervalStart).toBe(Date.parse('2026-03-02T13:00:00+05:30'));
    // what was counted (200) plus the 50 minutes still to come: never below the count
    expect(result.points[0].p50).toBeGreaterThan(200);
  });

  test('when the feed missed a third of a finished interval, then the observed-to-expected ratio is as with the full feed', async () => {
    const full = skillGroup({ id: 'FULL', timeZone: 'UTC', intervalMinutes: 30, country: undefined });
    const gap = skillGroup({ id: 'GAP', timeZone: 'UTC', intervalMinutes: 30, country: undefined });
    const midnight = Date.parse('2026-03-02T00:00:00Z');
    const at = Date.parse('2026-03-02T08:20:00Z');
    await store().skillGroups.putAll([full, gap]);
    for (const g of [full, gap]) await store().history.upsert(history(g, midnight, 30));
    const from = Date.parse('2026-03-02T06:00:00Z');
    const inGap = (m: number) => m >= Date.parse('2026-03-02T07:35:00Z') && m < Date.parse('2026-03-02T07:45:00Z');
    await store().realtime.append([...minutes('FULL', from, at, 1), ...minutes('GAP', from, at, 1, inGap)], at);

    const withFullFeed = await computeRealtimeForecast(ctx(), 'FULL', at);
    const withGap = await computeRealtimeForecast(ctx(), 'GAP', at);

    // the 10 unreported minutes are not 10 quiet minutes
    expect(withGap.observedToExpected).toBeCloseTo(withFullFeed.observedToExpected!, 9);
    expect(withGap.points[0].p50).toBeCloseTo(withFullFeed.points[0].p50, 9);
  });

  test('when a group has 35 days of events with signals and no model uses them, then the forecast reads only the last day\'s arrivals', async () => {
    const big = skillGroup({ id: 'BIG', timeZone: 'UTC', intervalMinutes: 30, country: undefined });
    const at = Date.parse('2026-03-02T08:20:00Z');
    await store().skillGroups.putAll([big]);
    await store().history.upsert(history(big, Date.parse('2026-03-02T00:00:00Z'), 30));
    const events = minutes('BIG', at - 3 * DAY, at, 1).map((e) => ({ ...e, queueLength: 0, signals: { app: 5 } }));
    await store().realtime.append(events, at);
    const read = jest.spyOn(store().realtime, 'read');
    const recent = jest.spyOn(store().realtime, 'recent');
    const recentSignals = jest.spyOn(store().realtime, 'recentSignals');
    const signals = jest.spyOn(store().realtime, 'signals');

    await computeRealtimeForecast(ctx(), 'BIG', at);

    expect(read).not.toHaveBeenCalled();
    // the signals posted in the last hour only, by exact field: to say which the forecast did not read
    expect(recentSignals).toHaveBeenCalledTimes(1);
    expect(recentSignals).toHaveBeenCalledWith(['BIG'], at - 60 * MIN, at);
    expect(signals).not.toHaveBeenCalled();
    expect(recent).toHaveBeenCalledWith(['BIG'], at - DAY - 20 * MIN, at, ['arrivals']);
  });

  test('when a signal is read by name, then only its values come back, not the other signals or measures', async () => {
    const at = Date.parse('2026-03-02T08:20:00Z');
    await store().skillGroups.putAll([skillGroup({ id: 'SIG', timeZone: 'UTC' })]);
    await store().realtime.append([{ skillGroupId: 'SIG', minute: at - MIN, arrivals: 3, signals: { app: 5, web: 7 } }], at);
    expect(await store().realtime.signals('SIG', ['app'], at - DAY, at)).toEqual([{ skillGroupId: 'SIG', minute: at - MIN, signals: { app: 5 } }]);
  });
});

describe('per-minute arrivals as interval rows', () => {
  const utc = { id: 'G', timeZone: 'UTC', intervalMinutes: 30 };
  const t0 = Date.parse('2026-03-02T06:00:00Z');
  const now = t0 + 60 * MIN;

  test('when a finished interval has fewer than half its minutes reported, then it is left out; with half or more, scaled to the whole interval', () => {
    const rows = intervalRowsFromMinutes(
      [...Array.from({ length: 10 }, (_, k) => ({ minute: t0 + k * MIN, arrivals: 2 })), ...Array.from({ length: 15 }, (_, k) => ({ minute: t0 + (30 + k) * MIN, arrivals: 2 }))],
      utc,
      now,
    );
    expect(rows).toEqual([{ skillGroupId: 'G', start: t0 + 30 * MIN, volume: 60 }]);
  });

  test('when the interval is under way, then its minutes are summed as reported (the forecast fills the rest)', () => {
    const rows = intervalRowsFromMinutes([{ minute: now, arrivals: 4 }], utc, now + 5 * MIN);
    expect(rows).toEqual([{ skillGroupId: 'G', start: now, volume: 4 }]);
  });
});
