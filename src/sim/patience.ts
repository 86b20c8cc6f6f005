/**
 * Caller patience from real queue waits. A caller who hung up waited exactly their patience; a caller
 * who was answered waited less than their patience (a censored observation). Kaplan–Meier uses both.
 */
import type { PatienceSurvival } from './types';

export interface WaitObservation {
  waitSeconds: number;
  /** true = hung up after waitSeconds; false = answered (patience was longer) */
  abandoned: boolean;
}

/** Exponential patience by maximum likelihood under censoring: total time at risk / abandonments. */
export function exponentialPatienceMle(observations: WaitObservation[]): number {
  let atRisk = 0;
  let abandons = 0;
  for (const o of observations) {
    atRisk += o.waitSeconds;
    if (o.abandoned) abandons++;
  }
  return abandons > 0 ? atRisk / abandons : Infinity;
}

/**
 * Kaplan–Meier survival of patience, with an exponential tail beyond the last abandonment (its mean
 * is the censored MLE over the callers still at risk there, falling back to the overall MLE).
 */
export function estimatePatience(observations: WaitObservation[]): PatienceSurvival {
  const sorted = [...observations].sort((a, b) => a.waitSeconds - b.waitSeconds || Number(b.abandoned) - Number(a.abandoned));
  const timesSeconds: number[] = [];
  const survival: number[] = [];
  let atRisk = sorted.length;
  let current = 1;
  let i = 0;
  while (i < sorted.length) {
    const t = sorted[i].waitSeconds;
    let events = 0;
    let leaving = 0;
    while (i < sorted.length && sorted[i].waitSeconds === t) {
      if (sorted[i].abandoned) events++;
      leaving++;
      i++;
    }
    if (events > 0 && atRisk > 0) {
      current *= 1 - events / atRisk;
      timesSeconds.push(t);
      survival.push(current);
    }
    atRisk -= leaving;
  }
  const last = timesSeconds.length > 0 ? timesSeconds[timesSeconds.length - 1] : 0;
  const beyond = observations.filter((o) => o.waitSeconds > last).map((o) => ({ ...o, waitSeconds: o.waitSeconds - last }));
  let tailMeanSeconds = exponentialPatienceMle(beyond);
  if (!Number.isFinite(tailMeanSeconds)) tailMeanSeconds = exponentialPatienceMle(observations);
  if (!Number.isFinite(tailMeanSeconds)) tailMeanSeconds = 3600;
  return { timesSeconds, survival, tailMeanSeconds };
}
