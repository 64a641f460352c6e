// Foreground crop, as MONAI's CropForegroundd: the bounding box of the voxels of a source key that
// pass a test (value > threshold; MONAI's default test is > 0), grown by a margin and kept inside
// the volume, applied to every key. A volume with no foreground is returned whole (MONAI would
// return an empty crop, which no later step can use).

import type { Tensor } from "../../engine/index.js";
import { tidy } from "../../engine/index.js";
import { cropToBox, type VoxelBox } from "./crop.js";
import { itemOf, mapKeys, type Transform } from "./transform.js";

function firstLast(flags: Uint8Array): [number, number] | null {
  let first = -1;
  let last = -1;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i]) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? null : [first, last];
}

/** Bounding box (i, j, k order) of x > threshold, or null when nothing passes. x has dims [k, j, i]. */
function foregroundBox(
  x: Tensor,
  threshold: number,
  margin: number | readonly number[] = 0,
): VoxelBox | null {
  // max > threshold along a line is "any voxel > threshold" without a full-size mask.
  const ranges = tidy(() => {
    const kj = x.max(2); // [k, j]
    const alongI = x.max([0, 1]);
    return [alongI, kj.max(0), kj.max(1)].map((t) => firstLast(t.gt(threshold).toArray() as Uint8Array));
  });
  if (ranges.some((r) => r === null)) return null;
  const m = typeof margin === "number" ? [margin, margin, margin] : margin;
  const sizes = [x.shape[2], x.shape[1], x.shape[0]];
  const start = ranges.map((r, a) => Math.max(r![0] - m[a], 0)) as VoxelBox["start"];
  const end = ranges.map((r, a) => Math.min(r![1] + 1 + m[a], sizes[a])) as VoxelBox["end"];
  return { start, end };
}

interface CropForegroundOptions {
  keys: readonly string[];
  /** Key whose values decide the box (usually "image"). */
  sourceKey: string;
  threshold?: number;
  margin?: number | readonly [number, number, number];
}

export function cropForeground(o: CropForegroundOptions): Transform {
  return (sample) => {
    const source = itemOf(sample, o.sourceKey, "cropForeground");
    const box = foregroundBox(source.data, o.threshold ?? 0, o.margin ?? 0);
    if (box === null) return sample;
    return mapKeys(sample, o.keys, "cropForeground", (item) => cropToBox(item, box));
  };
}
