/**
 * "Far beyond the plan": whether calls counted over some minutes are more than the forecast for those
 * minutes can explain as noise (a Poisson upper tail under STRONG_EVIDENCE_P). Pure, shared by the
 * trigger's nowcast (src/trigger/nowcast.ts: a small queue's projection held at the observed rate) and
 * the realtime forecast (./realtime.ts: the next 30 minutes follow the observed pace), so the two read a
 * storm the same way.
 */

/**
 * The count is strong evidence against the plan when the plan makes it this unlikely (Poisson upper
 * tail). The trigger tests every minute on overlapping windows (1,440 ticks a day per group), so the
 * tail is small: on a day that runs as planned, at most 1,440 × 1e-5 ≈ 0.015 ticks per group pass it —
 * at 0.001 a quiet queue would see one or two a day, each projected at the full observed rate (a burst
 * of 5 calls against 0.6 expected held as 0.5 a minute, 8× the plan). A real surge clears it by orders
 * of magnitude: 15 calls against 0.6 is a tail of about 1e-16.
 */
export const STRONG_EVIDENCE_P = 1e-5;

/** ln n!, exact by summation for small n, Stirling's series beyond (relative error under 1e-12 there). */
function logFactorial(n: number): number {
  if (n < 30) {
    let sum = 0;
    for (let j = 2; j <= n; j++) sum += Math.log(j);
    return sum;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/**
 * P(X ≥ observed) for X Poisson with mean `expected` (a fractional count, from fractional feeds, rounds
 * up: the tail from the next whole call). Summed from the observed count upward: the terms fall at least
 * geometrically once past the mean, so a tail of 1e-16 is as exact as one of 0.1.
 */
export function poissonUpperTail(observed: number, expected: number): number {
  const k = Math.ceil(observed - 1e-9);
  if (k <= 0) return 1;
  if (!(expected > 0)) return 0;
  if (k <= expected) return 1 - poissonLowerTail(k - 1, expected);
  let term = Math.exp(-expected + k * Math.log(expected) - logFactorial(k));
  let sum = 0;
  for (let j = k; term > sum * 1e-15 && j < k + 100_000; j++) {
    sum += term;
    term *= expected / (j + 1);
  }
  return Math.min(1, sum);
}

/** P(X ≤ k) for X Poisson with mean `expected`, k below the mean (summed downward from k). */
function poissonLowerTail(k: number, expected: number): number {
  let term = Math.exp(-expected + k * Math.log(expected) - logFactorial(k));
  let sum = 0;
  for (let j = k; j >= 0 && term > sum * 1e-15; j--) {
    sum += term;
    term *= j / expected;
  }
  return Math.min(1, sum);
}

/**
 * Whether a window's count is far beyond what the plan makes plausible (Poisson upper tail under
 * STRONG_EVIDENCE_P): then the calls are arriving whatever the plan said, and shrinking toward it would
 * hide them. Only upward: a drop is always shrunk (a feed reporting zeros must not read as a quiet day).
 */
export function strongEvidence(observed: number, expected: number): boolean {
  return observed > expected && expected > 0 && poissonUpperTail(observed, expected) < STRONG_EVIDENCE_P;
}

/** Calls counted over some minutes, beside what the forecast gave those minutes. */
export interface PaceWindow {
  calls: number;
  minutes: number;
  expected: number;
}

/**
 * strongEvidence for counts that vary more than Poisson (variance = dispersion × mean, as the realtime
 * filter measures them): both sides scaled by 1/dispersion (quasi-Poisson), so a busy queue's ordinary
 * hot half hour — far beyond Poisson noise at its volume, not beyond its own measured noise — does not
 * pass for a storm.
 */
export function farBeyondForecast(window: PaceWindow, dispersion = 1): boolean {
  const d = Math.max(1, Number.isFinite(dispersion) ? dispersion : 1);
  return window.minutes > 0 && strongEvidence(window.calls / d, window.expected / d);
}

/**
 * P(X ≤ calls) for the calls counted over some minutes, X the count a pace of `perMinute` gives them, at the
 * measured dispersion (quasi-Poisson, as farBeyondForecast): small when the minutes ran well below the
 * pace — a storm that has stopped.
 */
export function belowPaceTail(counted: { calls: number; minutes: number }, perMinute: number, dispersion = 1): number {
  const d = Math.max(1, Number.isFinite(dispersion) ? dispersion : 1);
  const expected = (perMinute * counted.minutes) / d;
  const k = Math.floor(counted.calls / d + 1e-9);
  if (!(expected > 0) || k >= expected) return 1;
  return poissonLowerTail(k, expected);
}
