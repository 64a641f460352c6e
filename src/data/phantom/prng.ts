// Seeded pseudo-random numbers for the phantom: the same seed must give the same bytes on every
// platform, so we use integer-only xoshiro128** (32-bit state words) seeded through splitmix32,
// instead of Math.random.
import { Xoshiro128 } from "../../util/xoshiro128.js";

/** One splitmix32 step: a well-mixed 32-bit value from a counter; used to spread seeds into state. */
function splitmix32(state: number): [next: number, value: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a hash of a string, so that named sub-streams ("liver", "case-3") get distinct seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Four state words from a seed through splitmix32; the full double is folded into 32 bits. */
function seedWords(seed: number): [number, number, number, number] {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let st = (Math.trunc(seed) ^ Math.trunc(seed / 4294967296)) | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [next, value] = splitmix32(st);
    st = next;
    words.push(value | 0);
  }
  // xoshiro must not start from the all-zero state.
  if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 1;
  return words as [number, number, number, number];
}

export class SeededRandom extends Xoshiro128 {
  /** A spare normal deviate from the last Box-Muller pair. */
  private spareNormal: number | null = null;
  readonly seed: number;

  constructor(seed: number) {
    super(seedWords(seed));
    this.seed = seed;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal deviate (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    // 1 - u keeps the logarithm's argument in (0, 1].
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Normal with the given mean and standard deviation. */
  gaussian(mean: number, std: number): number {
    return mean + std * this.normal();
  }

  /** Multiplicative jitter: value * (1 + relStd * N(0,1)), clamped to +-2.5 std so shapes stay sane. */
  jitter(value: number, relStd: number): number {
    const n = Math.max(-2.5, Math.min(2.5, this.normal()));
    return value * (1 + relStd * n);
  }

  /** A random sign, -1 or +1. */
  sign(): number {
    return this.uniform() < 0.5 ? -1 : 1;
  }

  /**
   * An independent stream named by `label`: its sequence depends only on this stream's seed and
   * the label, not on how many numbers were drawn here, so adding a structure does not reshuffle
   * every other one.
   */
  fork(label: string): SeededRandom {
    return new SeededRandom(hashString(`${this.seed}/${label}`));
  }

  /** Fills `out` with normal deviates by table lookup: two per 32-bit draw (for voxel noise). */
  fillNormalFast(out: Float32Array): void {
    const table = normalQuantiles();
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const r = this.nextUint32();
      out[i] = table[r >>> 16];
      out[i + 1] = table[r & 0xffff];
    }
    if (i < n) out[i] = table[this.nextUint32() >>> 16];
  }

  /** Fills `out` with standard normal deviates (no allocation per value). */
  fillNormal(out: Float32Array): void {
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const u = 1 - this.uniform();
      const v = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      const a = 2 * Math.PI * v;
      out[i] = r * Math.cos(a);
      out[i + 1] = r * Math.sin(a);
    }
    if (i < n) out[i] = this.normal();
  }
}

/**
 * 65536 standard-normal quantiles at (m + 0.5) / 65536, from a numerically integrated normal CDF.
 * A 16-bit uniform then maps to a normal deviate by one lookup: fast enough for a whole volume of
 * noise (tails stop at about 4.3 sigma, which image noise never misses).
 */
let quantileTable: Float32Array | null = null;

function normalQuantiles(): Float32Array {
  if (quantileTable) return quantileTable;
  const step = 1e-3;
  const lo = -6;
  const n = Math.round((2 * -lo) / step) + 1;
  const cdf = new Float64Array(n);
  const pdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  for (let t = 1; t < n; t++) {
    const x = lo + t * step;
    cdf[t] = cdf[t - 1] + 0.5 * step * (pdf(x - step) + pdf(x));
  }
  const table = new Float32Array(65536);
  let t = 0;
  for (let m = 0; m < 65536; m++) {
    const p = ((m + 0.5) / 65536) * cdf[n - 1];
    while (t < n - 2 && cdf[t + 1] < p) t++;
    const f = (p - cdf[t]) / (cdf[t + 1] - cdf[t]);
    table[m] = lo + (t + f) * step;
  }
  quantileTable = table;
  return table;
}
