// Gaussian noise for differential privacy, from the operating system's CSPRNG (Box-Muller on
// 53-bit uniforms). Floating-point noise of this kind is not the discrete Gaussian: the known
// attacks on the low bits of such samples (Mironov, CCS 2012) are outside what we guarantee.

import { randomFillSync } from "node:crypto";

const BLOCK = 8192;

export class GaussianSource {
  private readonly words = new Uint32Array(BLOCK);
  private next = BLOCK;
  private spare: number | undefined;

  /** A uniform in (0, 1) with 53 random bits. */
  private uniform(): number {
    if (this.next + 2 > BLOCK) {
      randomFillSync(this.words);
      this.next = 0;
    }
    const hi = this.words[this.next++] >>> 5;
    const lo = this.words[this.next++] >>> 6;
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }

  /** One N(0, 1) sample. */
  standard(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** values[i] += N(0, std^2). */
  addTo(values: Float64Array, std: number): void {
    if (std === 0) return;
    for (let i = 0; i < values.length; i++) values[i] += std * this.standard();
  }
}
