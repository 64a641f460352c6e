// The seeded random source for transform decisions (which crop, flip or not, which angle). Own
// generator rather than Math.random or libtorch's global one, so a seed gives the same patches in
// any thread and is not disturbed by other code drawing random tensors.
import { Xoshiro128 } from "../../util/xoshiro128.js";

/** Mixes a 32-bit value (the finaliser of MurmurHash3), so nearby seeds give unrelated streams. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A 32-bit seed derived from a seed and a path of integers (epoch, case index, ...). */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  for (const p of path) h = mix32(h ^ mix32((p >>> 0) + 0x7f4a7c15));
  return h;
}

/** State words from splitmix-style mixing of the seed (the last one odd, so never all zero). */
function seedWords(seed: number): [number, number, number, number] {
  if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
  let x = seed >>> 0;
  const next = () => {
    x = (x + 0x9e3779b9) >>> 0;
    return mix32(x);
  };
  return [next(), next(), next(), next() | 1];
}

/** xoshiro128** seeded from one number, with the draws transforms need. */
export class Rng extends Xoshiro128 {
  constructor(seed: number) {
    super(seedWords(seed));
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Rng.int: need n >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An independent generator for a sub-task, drawn from this one. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}
