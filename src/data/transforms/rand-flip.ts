// Random flips (MONAI's RandFlipd with one spatial axis per transform, as the usual SegViz-style
// pipelines stack them): each listed voxel axis is flipped with probability `prob`, decided
// independently per axis and applied to all keys alike. Flips are exact re-indexing; affines follow.

import { type AxisMap, applyAxisMap } from "./axis-map.js";
import { mapKeys, type Transform } from "./transform.js";

interface RandFlipOptions {
  keys: readonly string[];
  prob: number;
  /** Voxel axes (0 = i, 1 = j, 2 = k) that may flip; all three by default. */
  axes?: readonly number[];
}

export function flipMap(axes: readonly number[]): AxisMap {
  return { source: [0, 1, 2], flip: [0, 1, 2].map((a) => axes.includes(a)) };
}

export function randFlip(o: RandFlipOptions): Transform {
  const axes = o.axes ?? [0, 1, 2];
  if (axes.some((a) => a !== 0 && a !== 1 && a !== 2))
    throw new Error(`randFlip: axes must be 0, 1 or 2, got [${axes}]`);
  return (sample, ctx) => {
    const chosen = axes.filter(() => ctx.rng.chance(o.prob));
    if (chosen.length === 0) return sample;
    const m = flipMap(chosen);
    return mapKeys(sample, o.keys, "randFlip", (item) => applyAxisMap(item, m));
  };
}
