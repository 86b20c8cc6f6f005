/**
 * mulberry32: a tiny, well-mixed, seedable 32-bit PRNG returning floats in [0, 1). The core never calls
 * Math.random: every random choice (fixtures, training shuffles, roster search) takes a seed, so runs
 * are reproducible. (The simulator uses its own faster sfc32 stream in src/sim/rng.ts.)
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
