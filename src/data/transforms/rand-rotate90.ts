// Random 90-degree rotations in a plane of two voxel axes, as MONAI's RandRotate90d: with
// probability `prob`, rotate k quarter turns, k uniform in 1..maxK, with numpy's rot90 direction
// (from the first plane axis towards the second). Exact re-indexing; affines follow.

import { type AxisMap, applyAxisMap } from "./axis-map.js";
import { mapKeys, type Transform } from "./transform.js";

/** The axis map of np.rot90(x, k, axes=plane). */
export function rot90Map(k: number, plane: readonly [number, number]): AxisMap {
  const [p, q] = plane;
  const source = [0, 1, 2];
  const flip = [false, false, false];
  const turns = ((k % 4) + 4) % 4;
  if (turns === 1) {
    // out[p] = in[q] reversed, out[q] = in[p]
    source[p] = q;
    flip[p] = true;
    source[q] = p;
  } else if (turns === 2) {
    flip[p] = true;
    flip[q] = true;
  } else if (turns === 3) {
    source[p] = q;
    source[q] = p;
    flip[q] = true;
  }
  return { source, flip };
}

interface RandRotate90Options {
  keys: readonly string[];
  prob: number;
  maxK?: number;
  /** Plane of rotation as two voxel axes; (0, 1) by default, i.e. in the axial plane. */
  spatialAxes?: readonly [number, number];
}

export function randRotate90(o: RandRotate90Options): Transform {
  const plane = o.spatialAxes ?? [0, 1];
  const maxK = o.maxK ?? 3;
  if (plane[0] === plane[1] || plane.some((a) => a < 0 || a > 2)) {
    throw new Error(`randRotate90: spatialAxes must be two different axes of 0, 1, 2, got [${plane}]`);
  }
  return (sample, ctx) => {
    if (!ctx.rng.chance(o.prob)) return sample;
    const m = rot90Map(1 + ctx.rng.int(maxK), plane);
    return mapKeys(sample, o.keys, "randRotate90", (item) => applyAxisMap(item, m));
  };
}
