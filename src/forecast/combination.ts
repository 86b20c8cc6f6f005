/**
 * Forecast combination: the equal-weight mean of several forecasters' interval means. When the
 * members' errors are only weakly correlated (a structural model's smooth profile and level against
 * the raw recent weeks of a naive baseline), the mean beats each member more often than any rule
 * that picks one of them on a few validation weeks; equal weights are the classic robust choice
 * (fitted weights would be as noisy as the pick they replace).
 */
import type { DaySeries } from './day-series';
import type { DayCalendar } from './calendar';
import type { DayForecaster } from './baselines';

export class CombinedForecaster implements DayForecaster {
  constructor(readonly alias: string, private readonly members: DayForecaster[]) {}

  fit(history: DaySeries, calendar: DayCalendar): void {
    for (const m of this.members) m.fit(history, calendar);
  }

  predict(dates: string[]): number[][] {
    const forecasts = this.members.map((m) => m.predict(dates));
    return dates.map((_, i) => forecasts[0][i].map((_, s) => forecasts.reduce((a, f) => a + f[i][s], 0) / forecasts.length));
  }
}
