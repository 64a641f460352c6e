// A site's update is the change of its shared float tensors from the global weights; DP-FedAvg
// bounds each site's influence by scaling that change down to an L2 norm of at most clipNorm.

import { fromFloat64, isFloatDtype, numericView, type WeightSet } from "../../weights/weight-set.js";

/** name -> (trained - global) in float64, over the names of `global`. */
export function updateOf(trained: WeightSet, global: WeightSet): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const [name, g] of global) {
    const t = trained.get(name);
    if (t === undefined) throw new Error(`update: the trained weights lack ${name}`);
    const a = numericView(t);
    const b = numericView(g);
    const d = new Float64Array(a.length);
    for (let i = 0; i < d.length; i++) d[i] = a[i] - b[i];
    out.set(name, d);
  }
  return out;
}

/** The L2 norm over every float tensor of the update. */
export function updateNorm(update: Map<string, Float64Array>, global: WeightSet): number {
  let sum = 0;
  for (const [name, d] of update) {
    if (!isFloatDtype(global.get(name)!.dtype)) continue;
    for (let i = 0; i < d.length; i++) sum += d[i] * d[i];
  }
  return Math.sqrt(sum);
}

export interface Clipped {
  /** The norm before clipping. */
  norm: number;
  /** Whether the update was within the bound already (the bit adaptive clipping counts). */
  unclipped: boolean;
}

/** Scales the update in place to an L2 norm of at most clipNorm. */
export function clipUpdate(update: Map<string, Float64Array>, global: WeightSet, clipNorm: number): Clipped {
  const norm = updateNorm(update, global);
  if (norm <= clipNorm) return { norm, unclipped: true };
  const factor = clipNorm / norm;
  for (const d of update.values()) for (let i = 0; i < d.length; i++) d[i] *= factor;
  return { norm, unclipped: false };
}

/**
 * The uploaded weights with their change from `global` clipped to clipNorm, as stored in their
 * own dtypes: rounding to float32 can lengthen the change, so it is shortened until the stored
 * values are within the bound the coordinator checks exactly.
 */
export function clipUpload(
  upload: WeightSet,
  global: WeightSet,
  clipNorm: number,
): { weights: WeightSet } & Clipped {
  const update = updateOf(upload, global);
  const first = clipUpdate(update, global, clipNorm);
  let weights = upload;
  if (!first.unclipped) {
    let scale = 1;
    for (let attempt = 0; attempt < 20; attempt++) {
      weights = new Map(
        [...upload].map(([name, t]) => {
          const g = global.get(name);
          if (g === undefined || !isFloatDtype(t.dtype)) return [name, t];
          const base = numericView(g);
          const d = update.get(name)!;
          return [
            name,
            fromFloat64(
              t.dtype,
              t.shape,
              Float64Array.from(d, (v, i) => base[i] + v * scale),
            ),
          ];
        }),
      );
      const stored = updateNorm(updateOf(weights, global), global);
      if (stored <= clipNorm) break;
      scale *= (clipNorm / stored) * (1 - 1e-7);
    }
  }
  return { weights, ...first };
}
