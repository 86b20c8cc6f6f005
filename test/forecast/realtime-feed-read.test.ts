/**
 * What the realtime forecast says of its feed (computeRealtimeForecast on the real Redis, no trained
 * model): a minute under way at `at` is not counted, a dead feed is flagged with its last minute (the
 * trigger's FEED_STALE_MINUTES), and leading signals posted but not read are named.
 */
import type { IntervalVolume, SkillGroup } from '../../src/domain/types';
import type { RealtimeEvent } from '../../src/store/realtime-repository';
import type { FsModelRegistry } from '../../src/registry/fs-model-registry';
import { computeRealtimeForecast } from '../../src/services/forecasting';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';

const MIN = 60_000;
const DAY = 86_400_000;
const noModels = { loadLive: async () => null } as unknown as FsModelRegistry;
const midnight = Date.parse('2026-03-02T00:00:00Z');
const t = (hhmm: string) => Date.parse(`2026-03-02T${hhmm}:00Z`);

function history(group: SkillGroup): IntervalVolume[] {
  const rows: IntervalVolume[] = [];
  for (let s = midnight - 28 * DAY, k = 0; s < midnight; s += 30 * MIN, k++) rows.push({ skillGroupId: group.id, start: s, volume: 60 + (k % 48) });
  return rows;
}

function minutes(group: string, from: number, to: number, arrivals: number, signals?: Record<string, number>): RealtimeEvent[] {
  const out: RealtimeEvent[] = [];
  for (let m = from; m < to; m += MIN) out.push({ skillGroupId: group, minute: m, arrivals, ...(signals ? { signals } : {}) });
  return out;
}

describe('the realtime forecast and its feed', () => {
  const store = suiteStore('rt-feed-read');
  const ctx = () => ({ store: store(), registry: noModels, now: () => t('12:00') });
  const setUp = async (id: string, events: RealtimeEvent[]) => {
    const g = skillGroup({ id, timeZone: 'UTC', intervalMinutes: 30, country: undefined });
    await store().skillGroups.putAll([g]);
    await store().history.upsert(history(g));
    await store().realtime.append(events, t('12:00'));
  };

  test('when `at` is 10:07:30 and minute 10:07 was already posted, then only the whole minutes 10:00–10:06 count, as at 10:07:00', async () => {
    await setUp('PARTIAL', minutes('PARTIAL', t('08:00'), t('10:08'), 5));
    await setUp('WHOLE', minutes('WHOLE', t('08:00'), t('10:07'), 5));

    const partial = await computeRealtimeForecast(ctx(), 'PARTIAL', t('10:07') + 30_500);
    const whole = await computeRealtimeForecast(ctx(), 'WHOLE', t('10:07'));

    expect(partial.callsSoFar).toBe(35);
    expect(partial.minutesCounted).toBe(7);
    expect(partial.points.map(({ p10, p50, p90 }) => [p10, p50, p90])).toEqual(whole.points.map(({ p10, p50, p90 }) => [p10, p50, p90]));
    expect(partial.lastEventAt).toBe(t('10:06'));
  });

  test('when the feed stopped at 10:00 and the forecast is read at 10:24, then it says so: lastEventAt 09:59, feedStale and a warning; read at 10:03 it is not stale', async () => {
    await setUp('DEAD', minutes('DEAD', t('08:00'), t('10:00'), 4));

    const late = await computeRealtimeForecast(ctx(), 'DEAD', t('10:24'));
    const soon = await computeRealtimeForecast(ctx(), 'DEAD', t('10:03'));

    expect(late.lastEventAt).toBe(t('09:59'));
    expect(late.feedStale).toBe(true);
    expect(late.warnings.join(' ')).toMatch(/stale.*09:59.*25 minutes.*limit 5/);
    expect(soon.feedStale).toBe(false);
    expect(soon.warnings).toEqual([]);
  });

  test('when no arrivals were posted at all, then lastEventAt is null and the feed is flagged', async () => {
    await setUp('NOFEED', []);

    const f = await computeRealtimeForecast(ctx(), 'NOFEED', t('10:24'));

    expect(f.lastEventAt).toBeNull();
    expect(f.feedStale).toBe(true);
    expect(f.warnings.join(' ')).toMatch(/no arrivals were reported/);
  });

  test('when a leading signal is posted with the events and the answering model reads none, then signalsRead is empty and a warning names the signal', async () => {
    await setUp('SIG', minutes('SIG', t('08:00'), t('10:24'), 4, { webSessions: 300 }));

    const f = await computeRealtimeForecast(ctx(), 'SIG', t('10:24'));

    expect(f.signalsRead).toEqual([]);
    expect(f.warnings.join(' ')).toMatch(/not read: webSessions — the flagged baseline answers/);
    expect(f.feedStale).toBe(false);
  });
});
