import { estimatePatience, exponentialPatienceMle } from '../../src/sim/patience';
import { createRng } from '../../src/sim/rng';

describe('patience estimation from censored waits', () => {
  test('when every caller abandons, then Kaplan–Meier is the empirical survival curve', () => {
    const curve = estimatePatience([10, 20, 30, 40].map((w) => ({ waitSeconds: w, abandoned: true })));
    expect(curve.timesSeconds).toEqual([10, 20, 30, 40]);
    expect(curve.survival).toEqual([0.75, 0.5, 0.25, 0]);
  });

  test('when answered callers censor the waits, then survival accounts for them at risk', () => {
    const curve = estimatePatience([
      { waitSeconds: 10, abandoned: true },
      { waitSeconds: 15, abandoned: false },
      { waitSeconds: 20, abandoned: true },
      { waitSeconds: 30, abandoned: false },
    ]);
    // S(10) = 3/4; at 20 two callers are at risk, one abandons: S(20) = 3/4 · 1/2
    expect(curve.timesSeconds).toEqual([10, 20]);
    expect(curve.survival[1]).toBeCloseTo(0.375, 12);
  });

  test('when patience is exponential and waits are censored, then the MLE recovers its mean', () => {
    const rng = createRng(5);
    const observations = Array.from({ length: 20_000 }, () => {
      const patience = 120 * rng.exponential();
      const offeredWait = 90 * rng.exponential();
      return { waitSeconds: Math.min(patience, offeredWait), abandoned: patience < offeredWait };
    });
    expect(exponentialPatienceMle(observations)).toBeGreaterThan(114);
    expect(exponentialPatienceMle(observations)).toBeLessThan(126);
  });
});
