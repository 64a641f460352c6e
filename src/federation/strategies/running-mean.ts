// A weighted mean that takes the sites' updates one at a time, so the coordinator can fold each
// update in as it arrives and let its bytes go: memory is one model's sum, whatever the number of
// sites. The sum is kept in double-double (each element a float64 pair, added with Knuth's
// TwoSum), about 106 bits: the float32 mean comes out the same whatever order the updates arrive
// in, and equal to the exactly rounded mean (tests compare it with Python's math.fsum).

import { fromFloat64, numericView, type WeightSet } from "../weights/weight-set.js";

export type Weighting = "uniform" | "cases";

/** Below 2^29 a weight times a float32 value is exact in float64. */
export const MAX_WEIGHT = 2 ** 29;

interface ElementSum {
  /** Elements of the global tensor. */
  length: number;
  float32: boolean;
  /** The sum, allocated by reserve() or at the first update. */
  hi?: Float64Array;
  lo?: Float64Array;
  /** The mean's float32 values (float32 tensors), allocated with the sum. */
  mean?: Float32Array;
  /** Updates that carried this name; names some update lacked are left out of the mean. */
  count: number;
}

/** Adds w * values into (hi, lo) element by element, error-free up to the pair's 106 bits. */
function addScaled(hi: Float64Array, lo: Float64Array, values: ArrayLike<number>, w: number): void {
  for (let i = 0; i < hi.length; i++) {
    // w is an integer below 2^29 and values[i] a float32 (or narrower): the product is exact.
    const x = w * values[i];
    const a = hi[i];
    const s = a + x;
    const bb = s - a;
    const err = a - (s - bb) + (x - bb);
    const t = lo[i] + err;
    // Renormalise so |lo| stays below half an ulp of hi (FastTwoSum: |s| >= |t| up to rounding).
    const h = s + t;
    lo[i] = t - (h - s);
    hi[i] = h;
  }
}

export class RunningMean {
  private readonly sums = new Map<string, ElementSum>();
  private totalWeight = 0;
  private folded = 0;

  /**
   * `names`: the global tensors the updates may carry (the shared set); each gets a zero sum.
   * Under "cases" weighting each update counts by its number of training examples, otherwise 1.
   */
  constructor(
    private readonly global: WeightSet,
    names: Iterable<string>,
    readonly weighting: Weighting,
  ) {
    for (const name of names) {
      const g = global.get(name);
      if (g === undefined) throw new Error(`running mean: ${JSON.stringify(name)} is not a global tensor`);
      this.sums.set(name, { length: g.data.length, float32: g.dtype === "float32", count: 0 });
    }
  }

  /**
   * Allocates the sum and the mean and writes them through, so the kernel's page faults for these
   * model-sized arrays (tens of milliseconds on a virtual machine) are paid now, while the sites
   * train, rather than during the first upload or after the last. The first add() does it
   * otherwise.
   */
  reserve(): void {
    for (const s of this.sums.values()) {
      if (s.hi !== undefined) continue;
      s.hi = new Float64Array(s.length).fill(0);
      s.lo = new Float64Array(s.length).fill(0);
      if (s.float32) s.mean = new Float32Array(s.length).fill(0);
    }
  }

  /** Updates folded in so far. */
  get count(): number {
    return this.folded;
  }

  /** Folds one update in; names outside the sum are ignored (validation refuses them earlier). */
  add(update: WeightSet, numExamples: number): void {
    const w = this.weighting === "cases" ? numExamples : 1;
    if (!(Number.isInteger(w) && w >= 0 && w < MAX_WEIGHT))
      throw new Error(`running mean: an update's weight must be an integer in [0, 2^29), got ${w}`);
    for (const [name, sum] of this.sums) {
      const t = update.get(name);
      if (t !== undefined && t.data.length !== sum.length)
        throw new Error(
          `running mean: ${JSON.stringify(name)} has ${t.data.length} elements, expected ${sum.length}`,
        );
    }
    this.reserve();
    for (const [name, sum] of this.sums) {
      const t = update.get(name);
      if (t === undefined) continue;
      addScaled(sum.hi!, sum.lo!, numericView(t), w);
      sum.count++;
    }
    this.totalWeight += w;
    this.folded++;
  }

  /** The names every folded update carried, sorted. */
  names(): string[] {
    return [...this.sums]
      .filter(([, s]) => s.count === this.folded && this.folded > 0)
      .map(([n]) => n)
      .sort();
  }

  /** The mean over the names every update carried, in the global tensors' dtypes. */
  mean(): WeightSet {
    if (this.folded === 0) throw new Error("running mean: no update was folded in");
    if (this.totalWeight === 0)
      throw new Error(
        `running mean: the ${this.folded} updates weigh 0 in total (cases weighting, no examples)`,
      );
    const out: WeightSet = new Map();
    const w = this.totalWeight;
    for (const name of this.names()) {
      // Allocated: names() lists only names that updates carried.
      const { hi, lo, mean } = this.sums.get(name)! as Required<ElementSum>;
      const g = this.global.get(name)!;
      if (mean !== undefined) {
        for (let i = 0; i < hi.length; i++) mean[i] = (hi[i] + lo[i]) / w;
        out.set(name, { dtype: "float32", shape: [...g.shape], data: mean });
        continue;
      }
      const values = new Float64Array(hi.length);
      for (let i = 0; i < hi.length; i++) values[i] = (hi[i] + lo[i]) / w;
      out.set(name, fromFloat64(g.dtype, g.shape, values));
    }
    return out;
  }
}
