// Random intensity changes of images, as MONAI's RandScaleIntensityd (v * (1 + f), f uniform in
// [-factors, factors]) and RandShiftIntensityd (v + d, d uniform in [-offsets, offsets]); SegViz
// uses 0.1 for both. One draw per sample, shared by its keys.

import { mapKeys, type Transform } from "./transform.js";

interface RandScaleIntensityOptions {
  keys: readonly string[];
  factors: number;
  prob: number;
}

export function randScaleIntensity(o: RandScaleIntensityOptions): Transform {
  return (sample, ctx) => {
    if (!ctx.rng.chance(o.prob)) return sample;
    const f = 1 + ctx.rng.uniform(-o.factors, o.factors);
    return mapKeys(sample, o.keys, "randScaleIntensity", (item) => ({
      data: item.data.mul(f),
      affine: item.affine,
    }));
  };
}

interface RandShiftIntensityOptions {
  keys: readonly string[];
  offsets: number;
  prob: number;
}

export function randShiftIntensity(o: RandShiftIntensityOptions): Transform {
  return (sample, ctx) => {
    if (!ctx.rng.chance(o.prob)) return sample;
    const d = ctx.rng.uniform(-o.offsets, o.offsets);
    return mapKeys(sample, o.keys, "randShiftIntensity", (item) => ({
      data: item.data.add(d),
      affine: item.affine,
    }));
  };
}
