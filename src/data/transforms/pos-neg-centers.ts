// Crop centres drawn as MONAI's RandCropByPosNegLabel draws them: each centre is a foreground voxel
// (label > 0) with probability pos / (pos + neg), else a background voxel (label == 0), uniformly
// among those voxels; with an image threshold both kinds must also have image > threshold. When one
// kind is absent every centre is of the other kind. Centres are then moved just enough for the crop
// to fit inside the volume.

import type { Rng } from "./rng.js";

/** Voxel classes in flat (i fastest) order: 0 = neither, 1 = background, 2 = foreground. */
export class VoxelClasses {
  readonly classes: Uint8Array;
  readonly foreground: Int32Array;
  readonly backgroundCount: number;

  constructor(classes: Uint8Array) {
    this.classes = classes;
    let fg = 0;
    let bg = 0;
    for (let i = 0; i < classes.length; i++) {
      if (classes[i] === 2) fg++;
      else if (classes[i] === 1) bg++;
    }
    this.foreground = new Int32Array(fg);
    let n = 0;
    for (let i = 0; i < classes.length; i++) if (classes[i] === 2) this.foreground[n++] = i;
    this.backgroundCount = bg;
  }

  /** A uniformly drawn background voxel: rejection sampling, since background is usually most of the volume. */
  drawBackground(rng: Rng): number {
    const n = this.classes.length;
    for (let tries = 0; tries < 64; tries++) {
      const i = rng.int(n);
      if (this.classes[i] === 1) return i;
    }
    // Sparse background: pick the r-th background voxel exactly (still uniform).
    let r = rng.int(this.backgroundCount);
    for (let i = 0; i < n; i++) if (this.classes[i] === 1 && r-- === 0) return i;
    throw new Error("unreachable: background count out of date");
  }
}

/** Clamps a centre so that a crop of `size` around it (start = centre - floor(size/2)) fits in `shape`. */
export function cropStartFor(
  center: readonly number[],
  size: readonly number[],
  shape: readonly number[],
): number[] {
  return center.map((c, a) => Math.min(Math.max(c - Math.floor(size[a] / 2), 0), shape[a] - size[a]));
}

interface PosNegDraw {
  /** Flat voxel index chosen as centre (before clamping). */
  index: number;
  positive: boolean;
}

export function drawCenter(v: VoxelClasses, pos: number, neg: number, rng: Rng): PosNegDraw {
  const hasFg = v.foreground.length > 0;
  const hasBg = v.backgroundCount > 0;
  if (!hasFg && !hasBg)
    throw new Error("no voxel qualifies as foreground or background (image threshold too high?)");
  let positive = rng.next() < pos / (pos + neg);
  if (positive && !hasFg) positive = false;
  else if (!positive && !hasBg) positive = true;
  const index = positive ? v.foreground[rng.int(v.foreground.length)] : v.drawBackground(rng);
  return { index, positive };
}

export function unravel(index: number, shape: readonly number[]): [number, number, number] {
  const i = index % shape[0];
  const rest = (index - i) / shape[0];
  const j = rest % shape[1];
  return [i, j, (rest - j) / shape[1]];
}
