/** Seeded synthetic call-center history for tests: weekday × intraday pattern with Poisson noise. */
import type { IntervalVolume } from '../../src/domain/types';
import { seededRng } from '../../src/forecast/stats';
import { slotInstant, addDays } from '../../src/forecast/day-series';

export const ZONE = 'Europe/Berlin';

function poisson(rng: () => number, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
}

export interface SyntheticOptions {
  skillGroupId?: string;
  firstDate?: string;
  days: number;
  intervalMinutes?: number;
  seed?: number;
  /** daily volume on a weekday */
  dailyVolume?: number;
  /** multiplier per day index (e.g. a surge or a level shift) */
  dayFactor?: (day: number) => number;
  /** extra volume per day and slot */
  extra?: (day: number, slot: number) => number;
  /** day indices without any rows (an outage of the data feed) */
  missingDays?: number[];
}

/** Open 08:00–18:00 Monday–Saturday (Saturday at 40 %), closed Sunday; a morning and an afternoon peak. */
export function syntheticHistory(options: SyntheticOptions): IntervalVolume[] {
  const interval = options.intervalMinutes ?? 30;
  const rng = seededRng(options.seed ?? 42);
  const group = options.skillGroupId ?? 'G1';
  const first = options.firstDate ?? '2024-01-01';
  const rows: IntervalVolume[] = [];
  const openFrom = (8 * 60) / interval;
  const openTo = (18 * 60) / interval;
  for (let d = 0; d < options.days; d++) {
    if (options.missingDays?.includes(d)) continue;
    const date = addDays(first, d);
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
    if (weekday === 7) continue;
    const dayVolume = (options.dailyVolume ?? 600) * (weekday === 6 ? 0.4 : weekday === 1 ? 1.2 : 1) * (options.dayFactor?.(d) ?? 1);
    const shape: number[] = [];
    for (let s = openFrom; s < openTo; s++) {
      const hour = (s * interval) / 60;
      shape.push(1 + Math.exp(-((hour - 10) ** 2) / 2) + 0.7 * Math.exp(-((hour - 15) ** 2) / 2));
    }
    const shapeTotal = shape.reduce((a, b) => a + b, 0);
    for (let s = openFrom; s < openTo; s++) {
      const mean = (dayVolume * shape[s - openFrom]) / shapeTotal + (options.extra?.(d, s) ?? 0);
      const volume = poisson(rng, mean);
      const start = slotInstant(date, s, ZONE, interval)!;
      if (volume > 0) rows.push({ skillGroupId: group, start, volume, ahtSeconds: 240 + 20 * rng() });
    }
  }
  return rows;
}
