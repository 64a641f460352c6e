// Padding up to a minimum size, as MONAI's SpatialPadd (method "symmetric"): an axis shorter than
// the size gets floor(missing / 2) voxels before and the rest after; longer axes are left alone.
// The affine moves so existing voxels keep their world positions.

import { pad } from "../../engine/index.js";
import { shiftedAffine } from "./affine-math.js";
import { type SpatialTensor, spatialShape } from "./spatial-tensor.js";
import { mapKeys, type Transform } from "./transform.js";

function padToSize(t: SpatialTensor, size: readonly number[], value = 0): SpatialTensor {
  const shape = spatialShape(t);
  const before = shape.map((n, a) => Math.floor(Math.max(size[a] - n, 0) / 2));
  const after = shape.map((n, a) => Math.max(size[a] - n, 0) - before[a]);
  if (before.every((b) => b === 0) && after.every((b) => b === 0)) return t;
  // The engine pads from the last dim (i) backwards: (i before, i after, j before, ...).
  const data = pad(
    t.data,
    [before[0], after[0], before[1], after[1], before[2], after[2]],
    "constant",
    value,
  );
  return {
    data,
    affine: shiftedAffine(
      t.affine,
      before.map((b) => -b),
    ),
  };
}

interface SpatialPadOptions {
  keys: readonly string[];
  spatialSize: readonly [number, number, number];
  value?: number;
}

export function spatialPad(o: SpatialPadOptions): Transform {
  return (sample) =>
    mapKeys(sample, o.keys, "spatialPad", (item) => padToSize(item, o.spatialSize, o.value ?? 0));
}
