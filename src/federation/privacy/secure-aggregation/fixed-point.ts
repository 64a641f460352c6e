// Fixed point in the ring Z_2^32: a value x in [-range, range] becomes round(x * scale), stored
// as its two's complement in a Uint32Array, so that sums wrap exactly and masks cancel exactly.
// Rounding is stochastic (up with probability equal to the fraction), so the quantised value is
// unbiased and its error below one unit: the mean of m sites is within 1/scale of the true mean.

import { randomFillSync } from "node:crypto";

const RANDOM_BLOCK = 65536;

/** Uniform numbers in [0, 1) from the operating system's CSPRNG, drawn in blocks. */
export class UniformSource {
  private readonly block = new Uint32Array(RANDOM_BLOCK);
  private next = RANDOM_BLOCK;

  draw(): number {
    if (this.next === RANDOM_BLOCK) {
      randomFillSync(this.block);
      this.next = 0;
    }
    return this.block[this.next++] / 4294967296;
  }
}

/**
 * Writes round(clamp(values[i]) * scale) into out[offset + i] (mod 2^32) and returns how many
 * values had to be clipped.
 */
export function quantiseInto(
  values: ArrayLike<number>,
  scale: number,
  range: number,
  out: Uint32Array,
  offset: number,
  uniform: UniformSource,
): number {
  let clipped = 0;
  for (let i = 0; i < values.length; i++) {
    let x = values[i];
    if (x > range) {
      x = range;
      clipped++;
    } else if (x < -range) {
      x = -range;
      clipped++;
    } else if (Number.isNaN(x)) throw new Error(`cannot quantise NaN (element ${i})`);
    const scaled = x * scale;
    const floor = Math.floor(scaled);
    const q = floor + (uniform.draw() < scaled - floor ? 1 : 0);
    out[offset + i] = q >>> 0;
  }
  return clipped;
}

/** The signed sum stored at out[offset .. offset + length), divided by scale * divisor. */
export function dequantise(
  sum: Uint32Array,
  offset: number,
  length: number,
  scale: number,
  divisor: number,
): Float64Array {
  const out = new Float64Array(length);
  const unit = 1 / (scale * divisor);
  for (let i = 0; i < length; i++) out[i] = (sum[offset + i] | 0) * unit;
  return out;
}

/** a += sign * b, element-wise mod 2^32. */
export function addInto(a: Uint32Array, b: Uint32Array, sign: 1 | -1 = 1): void {
  if (a.length !== b.length) throw new Error(`ring vectors differ in length: ${a.length} and ${b.length}`);
  if (sign === 1) for (let i = 0; i < a.length; i++) a[i] = (a[i] + b[i]) >>> 0;
  else for (let i = 0; i < a.length; i++) a[i] = (a[i] - b[i]) >>> 0;
}
