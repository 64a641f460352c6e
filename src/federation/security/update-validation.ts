// Every update is checked before it can touch the global model: exactly the shared names the
// coordinator knows (none missing, none extra), the same dtypes and shapes, finite values, and
// optionally a bound on how far the update moves the weights. A failed check names the tensor and the problem.

import { medianOfSorted } from "../../util/median.js";
import type { NameFilter } from "../weights/name-filter.js";
import { isFloatDtype, numericView, sameShape, type WeightSet } from "../weights/weight-set.js";

interface ValidationOptions {
  /** Largest allowed L2 norm of (update - global) over all floating-point tensors. */
  maxUpdateNorm?: number;
}

type UpdateValidation = { ok: true; updateNorm: number } | { ok: false; reason: string };

export function validateUpdate(
  update: WeightSet,
  global: WeightSet,
  sharing: NameFilter,
  options: ValidationOptions = {},
): UpdateValidation {
  if (update.size === 0) return { ok: false, reason: "update has no tensors" };
  let squared = 0;
  for (const [name, t] of update) {
    if (!sharing.shares(name))
      return { ok: false, reason: `tensor ${JSON.stringify(name)} is not shared by this federation` };
    const expected = global.get(name);
    if (expected === undefined) return { ok: false, reason: `unexpected tensor ${JSON.stringify(name)}` };
    if (t.dtype !== expected.dtype) {
      return {
        ok: false,
        reason: `tensor ${JSON.stringify(name)}: dtype ${t.dtype}, expected ${expected.dtype}`,
      };
    }
    if (!sameShape(t.shape, expected.shape)) {
      return {
        ok: false,
        reason: `tensor ${JSON.stringify(name)}: shape [${t.shape.join(",")}], expected [${expected.shape.join(",")}]`,
      };
    }
    if (!isFloatDtype(t.dtype)) continue;
    if (t.data instanceof Float32Array && expected.data instanceof Float32Array) {
      // The common case, in a loop of its own that the JIT keeps monomorphic (about 2.5x faster
      // than the generic loop below, and the same additions in the same order).
      const next = addSquaredDistance(squared, t.data, expected.data);
      if (Number.isFinite(next)) {
        squared = next;
        continue;
      }
    }
    const values = numericView(t);
    const before = numericView(expected);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v))
        return { ok: false, reason: `tensor ${JSON.stringify(name)}: element ${i} is ${v}` };
      const d = v - before[i];
      squared += d * d;
    }
  }
  // The shared set was fixed when the federation started (the global weights hold exactly it): an
  // update that leaves tensors out would freeze them for every site, since a mean over names only
  // some sites sent cannot move them.
  const missing = [...global.keys()].filter((name) => sharing.shares(name) && !update.has(name));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((n) => JSON.stringify(n));
    return {
      ok: false,
      reason: `update lacks ${missing.length} of the ${global.size} shared tensors: ${shown.join(", ")}${missing.length > shown.length ? ", ..." : ""}`,
    };
  }
  const updateNorm = Math.sqrt(squared);
  if (options.maxUpdateNorm !== undefined && updateNorm > options.maxUpdateNorm) {
    return {
      ok: false,
      reason: `update norm ${updateNorm.toPrecision(4)} exceeds the bound ${options.maxUpdateNorm}`,
    };
  }
  return { ok: true, updateNorm };
}

/** `squared` plus the squared differences of two float32 arrays; not finite if a value is not. */
function addSquaredDistance(squared: number, values: Float32Array, before: Float32Array): number {
  let sum = squared;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - before[i];
    sum += d * d;
  }
  return sum;
}

/**
 * The round's valid update norms against their median: a site that scales its update (to steer
 * the mean) stands out by orders of magnitude, honest sites by a few times at most. Returns a
 * rejection reason per norm above `bound` x the median, undefined for the others; with fewer than
 * 3 norms, or a bound of 0, nothing is an outlier.
 */
export function relativeNormOutliers(norms: readonly number[], bound: number): (string | undefined)[] {
  if (bound <= 0 || norms.length < 3) return norms.map(() => undefined);
  const median = medianOfSorted([...norms].sort((a, b) => a - b));
  return norms.map((n) => (n > bound * median ? relativeOutlierReason(n, bound, median) : undefined));
}

export function relativeOutlierReason(norm: number, bound: number, median: number): string {
  return `update norm ${norm.toPrecision(4)} exceeds ${bound} x the round's median update norm ${median.toPrecision(4)}`;
}

/** Checks a weight set that starts a federation (no reference to compare against yet). */
export function validateInitialWeights(weights: WeightSet, sharing: NameFilter): UpdateValidation {
  if (weights.size === 0) return { ok: false, reason: "initial weights have no tensors" };
  for (const [name, t] of weights) {
    if (!sharing.shares(name))
      return { ok: false, reason: `tensor ${JSON.stringify(name)} is not shared by this federation` };
    if (!isFloatDtype(t.dtype)) continue;
    const values = numericView(t);
    const bad = Array.prototype.findIndex.call(values, (v: number) => !Number.isFinite(v));
    if (bad >= 0)
      return { ok: false, reason: `tensor ${JSON.stringify(name)}: element ${bad} is ${values[bad]}` };
  }
  return { ok: true, updateNorm: 0 };
}
