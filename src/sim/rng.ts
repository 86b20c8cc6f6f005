/**
 * A small, fast, seedable PRNG (sfc32, seeded through splitmix32) and the few variates the simulator
 * draws. The core never calls Math.random(): every replication gets its own stream derived from the
 * run seed, so a seeded run is reproducible bit for bit.
 */

export interface Rng {
  /** uniform on [0, 1) with 32 bits of resolution */
  uniform(): number;
  /** exponential with rate 1 */
  exponential(): number;
  /** standard normal */
  normal(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_MINUS_32 = 1 / 4294967296;

export class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller makes normals in pairs: the second one waits here */
  private spareNormal = NaN;

  constructor(seed: number, stream = 0) {
    const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix() | 1;
    // The first outputs of sfc32 are still correlated with the seed: discard a few.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  uniform(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  exponential(): number {
    // 1 − u lies in (0, 1], so the log is finite.
    return -Math.log(1 - this.uniform());
  }

  normal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = NaN;
      return spare;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

export function createRng(seed: number, stream = 0): Sfc32 {
  return new Sfc32(seed, stream);
}

/** A Poisson count by inversion from one uniform: for the small means of per-minute counts (tests, benches). */
export function poisson(rng: Rng, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  const u = rng.uniform();
  while (u > cumulative && k < 10_000) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}
