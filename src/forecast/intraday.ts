/**
 * Within-day updating for the realtime forecast: a two-state Kalman filter on the log ratio of the
 * observed to the expected volume of each interval of today.
 *   ratio(slot) = dayLevel + deviation(slot)
 *   dayLevel     constant through the day, prior N(0, dayVariance) — how far whole days stray from
 *                the two-week expectation;
 *   deviation    AR(1) with coefficient `persistence` and innovation variance `innovation` — a busy
 *                morning hour that fades within the next hour or two;
 *   observation  log((y + ½) / (expected + ½)) with variance `dispersion` / expected volume (Poisson,
 *                widened by over-dispersion).
 * Early in the day the filter trusts the expectation; as intervals arrive, busy ones weigh more than
 * quiet ones, and the last intervals say more about the next one than the morning does. Everything is
 * estimated from the history (see fitIntradayFilter), so the same code serves a 24/7 center at 5
 * minutes and a bank's 30-minute intervals.
 */
import { median, robustSpread } from './stats';

const INNOVATION_CLIP = 2.5;
/**
 * A day unlike every day of the history — a snowstorm at a roadside-assistance center, a strike at a
 * railway hotline — is what the realtime forecast exists for, yet the fitted day variance only knows the
 * history's ordinary spread (on a steady center a few per cent), so by itself the filter would take all
 * day to believe a day running at three times the plan. A second regime runs beside it: the same filter
 * with a day level anywhere from a third to three times the plan (log-ratio sd 1), believed a priori on
 * one day in fifty; each interval weighs the two by how well they predicted it. An ordinary day keeps the
 * usual regime (the unusual one predicts it loosely); a storm hands over within a few intervals.
 */
const UNUSUAL_DAY_PRIOR = 0.02;
const UNUSUAL_DAY_VARIANCE = 1;
/** Bound on the regimes' log odds (either weight ≥ ~0.1 %), so a day can hand back after a spell. */
const LOG_ODDS_LIMIT = 7;

export interface IntradayFilterParams {
  dayVariance: number;
  persistence: number;
  innovation: number;
  dispersion: number;
}

/** One regime's filter: today's level and fading deviation (log ratios) and their covariance. */
export interface RegimeState {
  level: number;
  deviation: number;
  /** covariance [[level, cross], [cross, deviation]] */
  p: [number, number, number];
}

/**
 * The filter's state: both regimes, their log odds, and the mixture's moments (level, deviation, p),
 * which is what the realtime net reads as features.
 */
export interface IntradayState extends RegimeState {
  usual: RegimeState;
  unusual: RegimeState;
  /** log(P(unusual day) / P(usual day)) given today so far */
  unusualLogOdds: number;
}

/** A regime in place: [level, deviation, p_level, p_cross, p_deviation]. */
type Regime = Float64Array;

function startRegime(regime: Regime, params: IntradayFilterParams, dayVariance: number): void {
  regime[0] = 0;
  regime[1] = 0;
  regime[2] = dayVariance;
  regime[3] = 0;
  regime[4] = params.innovation / Math.max(1e-6, 1 - params.persistence * params.persistence);
}

/** One interval on: the deviation decays, its uncertainty grows. */
function advanceRegime(regime: Regime, params: IntradayFilterParams): void {
  const r = params.persistence;
  regime[1] *= r;
  regime[3] *= r;
  regime[4] = r * r * regime[4] + params.innovation;
}

/** Folds one observed interval into the (already advanced) regime; returns the log density it gave the observation (Gaussian on the log ratio). */
function observeRegime(regime: Regime, params: IntradayFilterParams, observed: number, expected: number): number {
  const [level, deviation, pl, pc, pd] = regime;
  const predicted = Math.max(0.5, expected * Math.exp(level + deviation));
  const z = Math.log((observed + 0.5) / (expected + 0.5));
  const total = pl + 2 * pc + pd + params.dispersion / predicted;
  const surprise = z - level - deviation;
  // Interval counts are heavy-tailed (a 10× surge half hour): a surprise beyond INNOVATION_CLIP
  // standard deviations moves the state no more than one at the clip would (a Huber-type update).
  const limit = INNOVATION_CLIP * Math.sqrt(total);
  const innovation = Math.max(-limit, Math.min(limit, surprise));
  const hl = pl + pc;
  const hd = pc + pd;
  const gainLevel = hl / total;
  const gainDeviation = hd / total;
  regime[0] = level + gainLevel * innovation;
  regime[1] = deviation + gainDeviation * innovation;
  regime[2] = pl - gainLevel * hl;
  regime[3] = pc - gainLevel * hd;
  regime[4] = pd - gainDeviation * hd;
  return -0.5 * ((surprise * surprise) / total + Math.log(total));
}

const regimeState = (r: Regime): RegimeState => ({ level: r[0], deviation: r[1], p: [r[2], r[3], r[4]] });

/**
 * The filter on plain numbers, both regimes updated in place: fitting runs it for every parameter of the
 * grid over every interval of 12 weeks (at per-minute data, some 10⁸ steps), where an object per regime
 * and step cost seven times the arithmetic. `state()` gives the state objects the realtime model reads.
 */
export class FilterRun {
  private readonly usual: Regime = new Float64Array(5);
  private readonly unusual: Regime = new Float64Array(5);
  private odds = 0;
  constructor(private readonly params: IntradayFilterParams) {
    this.reset();
  }

  reset(): void {
    startRegime(this.usual, this.params, this.params.dayVariance);
    startRegime(this.unusual, this.params, Math.max(UNUSUAL_DAY_VARIANCE, this.params.dayVariance));
    this.odds = Math.log(UNUSUAL_DAY_PRIOR / (1 - UNUSUAL_DAY_PRIOR));
  }

  advance(): void {
    advanceRegime(this.usual, this.params);
    advanceRegime(this.unusual, this.params);
  }

  observe(observed: number, expected: number): void {
    const usualDensity = observeRegime(this.usual, this.params, observed, expected);
    const unusualDensity = observeRegime(this.unusual, this.params, observed, expected);
    this.odds = Math.max(-LOG_ODDS_LIMIT, Math.min(LOG_ODDS_LIMIT, this.odds + unusualDensity - usualDensity));
  }

  /** The multiplier `ahead` intervals on (1 = the next one), as stepMultipliers gives it. */
  multiplier(ahead: number): number {
    const w = 1 / (1 + Math.exp(-this.odds));
    const decay = this.params.persistence ** ahead;
    return (1 - w) * Math.exp(this.usual[0] + this.usual[1] * decay) + w * Math.exp(this.unusual[0] + this.unusual[1] * decay);
  }

  /** Both regimes and the mixture's mean and covariance (moment matching: the spread between the regimes counts too). */
  state(): IntradayState {
    const usual = regimeState(this.usual);
    const unusual = regimeState(this.unusual);
    const w = 1 / (1 + Math.exp(-this.odds));
    const v = 1 - w;
    const level = v * usual.level + w * unusual.level;
    const deviation = v * usual.deviation + w * unusual.deviation;
    const dl = (r: RegimeState) => r.level - level;
    const dd = (r: RegimeState) => r.deviation - deviation;
    const p: [number, number, number] = [
      v * (usual.p[0] + dl(usual) ** 2) + w * (unusual.p[0] + dl(unusual) ** 2),
      v * (usual.p[1] + dl(usual) * dd(usual)) + w * (unusual.p[1] + dl(unusual) * dd(unusual)),
      v * (usual.p[2] + dd(usual) ** 2) + w * (unusual.p[2] + dd(unusual) ** 2),
    ];
    return { level, deviation, p, usual, unusual, unusualLogOdds: this.odds };
  }
}

/**
 * The filter state at the start of `slot`: today's open intervals before it folded in (missing ones
 * only advance the state).
 */
export function stateAt(params: IntradayFilterParams, expected: number[], today: number[], open: boolean[], slot: number): IntradayState {
  const run = new FilterRun(params);
  for (let s = 0; s < slot; s++) {
    if (!open[s]) continue;
    run.advance();
    if (Number.isFinite(today[s])) run.observe(today[s], expected[s]);
  }
  return run.state();
}

/**
 * Multipliers on the expectation for the next `steps` intervals from a state at the start of a slot:
 * each regime's, weighted by how much today looks like it.
 */
export function stepMultipliers(state: IntradayState, params: IntradayFilterParams, steps: number): number[] {
  const w = 1 / (1 + Math.exp(-state.unusualLogOdds));
  const out: number[] = [];
  let usual = state.usual.deviation;
  let unusual = state.unusual.deviation;
  for (let j = 0; j < steps; j++) {
    usual *= params.persistence;
    unusual *= params.persistence;
    out.push((1 - w) * Math.exp(state.usual.level + usual) + w * Math.exp(state.unusual.level + unusual));
  }
  return out;
}

/** One day of history seen by the filter: its expectation at the start of the day and what came. */
export interface FilterDay {
  expected: number[];
  actual: number[];
  open: boolean[];
}

const PERSISTENCE = [0, 0.3, 0.5, 0.7, 0.85, 0.95];
const INNOVATION = [0.002, 0.005, 0.01, 0.02, 0.04, 0.08];
const DISPERSION = [1, 2, 4];

/**
 * Picks the filter's parameters on past days: the day variance is measured directly (the spread of
 * whole days' log ratios), the rest by a small grid search on the one-interval-ahead absolute error of
 * those days, which is what the realtime forecast is judged on.
 */
export function fitIntradayFilter(days: FilterDay[], stepsPerInterval = 1): IntradayFilterParams {
  const dayRatios = days
    .map((day) => {
      let observed = 0;
      let expected = 0;
      day.open.forEach((o, s) => { if (o && Number.isFinite(day.actual[s])) { observed += day.actual[s]; expected += day.expected[s]; } });
      return expected > 0 && observed > 0 ? Math.log(observed / expected) : NaN;
    })
    .filter(Number.isFinite);
  // A robust spread (MAD): holidays and outage days in the history must not make every day look uncertain.
  const center = median(dayRatios);
  const spread = robustSpread(dayRatios, center);
  const dayVariance = dayRatios.length >= 5 ? Math.max(0.002, spread * spread + center * center) : 0.02;
  let best: IntradayFilterParams = { dayVariance, persistence: 0.5, innovation: 0.01, dispersion: 2 };
  let bestError = Infinity;
  for (const persistence of PERSISTENCE) {
    for (const innovation of INNOVATION) {
      for (const dispersion of DISPERSION) {
        const params = { dayVariance, persistence, innovation, dispersion };
        const error = oneStepError(days, params, stepsPerInterval);
        if (error < bestError) {
          bestError = error;
          best = params;
        }
      }
    }
  }
  return best;
}

/** Absolute error of the next-`steps` totals forecast at every open slot of the days. */
function oneStepError(days: FilterDay[], params: IntradayFilterParams, steps: number): number {
  let error = 0;
  const filter = new FilterRun(params);
  for (const day of days) {
    filter.reset();
    for (let s = 0; s < day.expected.length; s++) {
      if (!day.open[s]) continue;
      let forecast = 0;
      let actual = 0;
      let known = true;
      for (let j = 0; j < steps && s + j < day.expected.length; j++) {
        if (!day.open[s + j]) continue;
        if (!Number.isFinite(day.actual[s + j])) known = false;
        forecast += day.expected[s + j] * filter.multiplier(j + 1);
        actual += day.actual[s + j];
      }
      if (known) error += Math.abs(actual - forecast);
      filter.advance();
      if (Number.isFinite(day.actual[s])) filter.observe(day.actual[s], day.expected[s]);
    }
  }
  return error;
}
