// Intensity window, as MONAI's ScaleIntensityRanged: [aMin, aMax] maps linearly onto [bMin, bMax]
// ([0, 1] by default), values outside clipped when `clip` (the SegViz setting).

import type { Tensor } from "../../engine/index.js";
import { clampInPlace } from "./engine-ops.js";
import { mapKeys, type Transform } from "./transform.js";

interface WindowOptions {
  aMin: number;
  aMax: number;
  bMin?: number;
  bMax?: number;
  clip?: boolean;
}

function windowIntensity(x: Tensor, o: WindowOptions): Tensor {
  const { aMin, aMax, bMin = 0, bMax = 1, clip = true } = o;
  if (!(aMax !== aMin) || !Number.isFinite(aMin) || !Number.isFinite(aMax)) {
    throw new Error(`scaleIntensityRange: need finite aMin != aMax, got ${aMin}..${aMax}`);
  }
  const float = x.dtype === "float32" || x.dtype === "float64" ? x : x.to({ dtype: "float32" });
  const y = float.sub(aMin).div(aMax - aMin);
  if (float !== x) float.dispose();
  if (bMin !== 0 || bMax !== 1) {
    const z = y.mul(bMax - bMin).add(bMin);
    y.dispose();
    if (clip) clampInPlace(z, Math.min(bMin, bMax), Math.max(bMin, bMax));
    return z;
  }
  if (clip) clampInPlace(y, 0, 1);
  return y;
}

interface ScaleIntensityRangeOptions extends WindowOptions {
  keys: readonly string[];
}

/** Clipping alone, for chains that moved the linear part of the window earlier (see preprocess-case). */
export function clipIntensity(o: { keys: readonly string[]; min: number; max: number }): Transform {
  return (sample) =>
    mapKeys(sample, o.keys, "clipIntensity", (item) => {
      const data = item.data.clone();
      clampInPlace(data, o.min, o.max);
      return { data, affine: item.affine };
    });
}

export function scaleIntensityRange(o: ScaleIntensityRangeOptions): Transform {
  return (sample) =>
    mapKeys(sample, o.keys, "scaleIntensityRange", (item) => ({
      data: windowIntensity(item.data, o),
      affine: item.affine,
    }));
}
