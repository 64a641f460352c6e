// Resampling to a target voxel size, following MONAI's Spacingd (diagonal=False, scale_extent=False):
//
// - Axis directions are kept; each column of the affine is rescaled to the new voxel size.
// - The world position of the centre of voxel (0,0,0) is kept (MONAI's corner-based offset reduces
//   to this when directions are kept), and voxel centres map exactly between the grids, as MONAI's
//   pixel-space resampling with align_corners=True does.
// - Output size per axis: round((n - 1) * oldSize / newSize + 1), rounding half to even as numpy.
// - Outside the input (the last output voxel may fall up to half a voxel past it) the edge value is
//   used (border padding, MONAI's default).
// - Images: trilinear, computed in float32 (MONAI computes in float64 and returns float32; the
//   difference is float32 rounding). Labels: nearest neighbour, so no new label values appear.

import { alias, tidy } from "../../engine/index.js";
import type { Affine } from "../volume.js";
import { cloneAffine, voxelSizes } from "./affine-math.js";
import { type AxisSampling, linearAlong, nearestAlong, roundHalfEven } from "./separable-resample.js";
import { dimOfAxis, type SpatialTensor, spatialShape } from "./spatial-tensor.js";
import { mapKeys, type Transform } from "./transform.js";

type ResampleMode = "trilinear" | "nearest";

interface SpacingPlan {
  shape: [number, number, number];
  affine: Affine;
  /** Per voxel axis (i, j, k): input index of each output voxel. */
  axes: AxisSampling[];
}

/** Output grid for resampling a grid of `shape` with `affine` to voxel size `pixdim` (mm). */
export function planSpacing(
  shape: readonly number[],
  affine: Affine,
  pixdim: readonly number[],
): SpacingPlan {
  if (pixdim.length !== 3 || pixdim.some((p) => !(p > 0) || !Number.isFinite(p))) {
    throw new Error(`spacing: pixdim must be three positive numbers, got [${pixdim}]`);
  }
  const sizes = voxelSizes(affine);
  const out = cloneAffine(affine);
  const axes: AxisSampling[] = [];
  const outShape: number[] = [];
  for (let a = 0; a < 3; a++) {
    if (!(sizes[a] > 0)) throw new Error(`spacing: voxel axis ${a} of the affine has zero length`);
    const ratio = pixdim[a] / sizes[a];
    for (let r = 0; r < 3; r++) out[r][a] = affine[r][a] * ratio;
    const size = Math.max(1, roundHalfEven((shape[a] - 1) / ratio + 1));
    outShape.push(size);
    axes.push({ start: 0, step: ratio, size });
  }
  return { shape: outShape as [number, number, number], affine: out, axes };
}

/** True when an axis needs no resampling at all. */
function isIdentityAxis(s: AxisSampling, n: number): boolean {
  return s.start === 0 && s.step === 1 && s.size === n;
}

// Gathers along the innermost (i) engine dim cost about twice as much per voxel as along j or k.
const PASS_COST = [2, 1, 1];

/**
 * The order of 1-D passes with the least work: a pass costs its output size times PASS_COST, and
 * which axes are done before it decides that size. (libtorch's fused trilinear upsampling measured
 * slower than the three passes on the SegViz CT.)
 */
function passOrder(axes: number[], inShape: readonly number[], outShape: readonly number[]): number[] {
  let best: number[] = axes;
  let bestCost = Number.POSITIVE_INFINITY;
  const permute = (done: number[], rest: number[]): void => {
    if (rest.length === 0) {
      const shape = [...inShape];
      let cost = 0;
      for (const a of done) {
        shape[a] = outShape[a];
        cost += shape[0] * shape[1] * shape[2] * PASS_COST[a];
      }
      if (cost < bestCost) [best, bestCost] = [done, cost];
      return;
    }
    for (const a of rest)
      permute(
        [...done, a],
        rest.filter((r) => r !== a),
      );
  };
  permute([], axes);
  return best;
}

/** Resamples one tensor onto a plan's grid, one voxel axis at a time. */
function resampleToPlan(t: SpatialTensor, plan: SpacingPlan, mode: ResampleMode): SpatialTensor {
  const inShape = spatialShape(t);
  const todo = [0, 1, 2].filter((a) => !isIdentityAxis(plan.axes[a], inShape[a]));
  const data = tidy(() => {
    let x = t.data;
    for (const a of passOrder(todo, inShape, plan.shape)) {
      const s = plan.axes[a];
      x = mode === "nearest" ? nearestAlong(x, dimOfAxis(a), s) : linearAlong(x, dimOfAxis(a), s);
    }
    return x === t.data ? alias(x) : x;
  });
  return { data, affine: plan.affine };
}

export function resampleToSpacing(
  t: SpatialTensor,
  pixdim: readonly number[],
  mode: ResampleMode,
): SpatialTensor {
  return resampleToPlan(t, planSpacing(spatialShape(t), t.affine, pixdim), mode);
}

interface SpacingOptions {
  keys: readonly string[];
  pixdim: readonly [number, number, number];
  /** One mode for all keys or one per key; e.g. ["trilinear", "nearest"] for image and label. */
  mode: ResampleMode | readonly ResampleMode[];
}

export function spacing(o: SpacingOptions): Transform {
  const modes = typeof o.mode === "string" ? o.keys.map(() => o.mode as ResampleMode) : o.mode;
  if (modes.length !== o.keys.length) {
    throw new Error(`spacing: ${modes.length} modes given for ${o.keys.length} keys`);
  }
  return (sample) =>
    mapKeys(sample, o.keys, "spacing", (item, _key, i) => resampleToSpacing(item, o.pixdim, modes[i]));
}
