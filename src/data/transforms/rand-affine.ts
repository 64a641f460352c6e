// Random rotation and scaling about the volume centre, as MONAI's RandAffined (rotate_range,
// scale_range; shear and translation not used by SegViz): with probability `prob`, each rotation
// angle is drawn uniformly in [-r, r] (radians, about voxel axes i, j, k, composed Ri * Rj * Rk) and
// each scale factor in [1 - s, 1 + s]. Output voxel x samples the input at R * S * (x - c) + c
// (c the centre), so factors above 1 zoom out, as in MONAI. The resampling runs on the engine with
// a sampling grid: trilinear for images, nearest for labels (so labels only take existing values),
// reflection padding (MONAI's default). When the drawn matrix is exactly the identity nothing is
// resampled, so zero ranges give back the input unchanged.

import { affineGrid, gridSample, Tensor, tidy } from "../../engine/index.js";
import { type Mat3, multiply3 } from "../nifti/polar3.js";
import { matmul4 } from "./affine-math.js";
import type { SpatialTensor } from "./spatial-tensor.js";
import { spatialShape } from "./spatial-tensor.js";
import { mapKeys, type Transform } from "./transform.js";

/** Rotation by `angle` about voxel axis `axis` (right-handed). */
function rotationAbout(axis: number, angle: number): Mat3 {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const [p, q] = [(axis + 1) % 3, (axis + 2) % 3];
  const m: Mat3 = [0, 1, 2].map((r) => [0, 1, 2].map((k) => (r === k ? 1 : 0)));
  m[p][p] = c;
  m[p][q] = -s;
  m[q][p] = s;
  m[q][q] = c;
  return m;
}

/** The 3x3 matrix (output offset from centre -> input offset) for given angles and scales. */
function rotateScaleMatrix(angles: readonly number[], scales: readonly number[]): Mat3 {
  const r = multiply3(
    multiply3(rotationAbout(0, angles[0]), rotationAbout(1, angles[1])),
    rotationAbout(2, angles[2]),
  );
  return r.map((row) => row.map((v, c) => v * scales[c]));
}

function isIdentity3(m: Mat3): boolean {
  return m.every((row, r) => row.every((v, c) => v === (r === c ? 1 : 0)));
}

/** Resamples t with matrix m about the centre; the output has the input's grid size. */
function warpAboutCentre(
  t: SpatialTensor,
  m: Mat3,
  mode: "bilinear" | "nearest",
  paddingMode: "zeros" | "border" | "reflection" = "reflection",
): SpatialTensor {
  if (isIdentity3(m)) return t;
  const n = spatialShape(t);
  const centre = n.map((s) => (s - 1) / 2);
  // In normalised coordinates (align_corners=false) an offset from the centre of d voxels is 2d/n.
  const theta = [0, 1, 2].flatMap((r) => [...[0, 1, 2].map((c) => (m[r][c] * n[c]) / n[r]), 0]);
  const data = tidy(() => {
    const x = t.data.dtype === "float32" ? t.data : t.data.to({ dtype: "float32" });
    // The grid is built where the volume lives (a CUDA volume when patches are cut on the device).
    const matrix = Tensor.fromArray(Float32Array.from(theta), [1, 3, 4]).to({ device: x.device });
    const grid = affineGrid(matrix, [1, 1, n[2], n[1], n[0]]);
    const y = gridSample(x.reshape([1, 1, n[2], n[1], n[0]]), grid, { mode, paddingMode }).reshape([
      n[2],
      n[1],
      n[0],
    ]);
    return y.dtype === t.data.dtype ? y : y.to({ dtype: t.data.dtype });
  });
  const voxelMap = [
    ...[0, 1, 2].map((r) => [
      ...m[r],
      centre[r] - (m[r][0] * centre[0] + m[r][1] * centre[1] + m[r][2] * centre[2]),
    ]),
    [0, 0, 0, 1],
  ];
  return { data, affine: matmul4(t.affine, voxelMap) };
}

interface RandAffineOptions {
  keys: readonly string[];
  prob: number;
  /** Max rotation (radians) about each voxel axis, or one number for all; SegViz: pi/15 about k. */
  rotateRange?: number | readonly [number, number, number];
  /** Max relative scale change per axis, or one number for all; SegViz: 0.1. */
  scaleRange?: number | readonly [number, number, number];
  /** Per key, "bilinear" (images) or "nearest" (labels); one mode for all keys or one per key. */
  mode: "bilinear" | "nearest" | readonly ("bilinear" | "nearest")[];
  paddingMode?: "zeros" | "border" | "reflection";
}

function triple(v: number | readonly number[] | undefined): number[] {
  return v === undefined ? [0, 0, 0] : typeof v === "number" ? [v, v, v] : [...v];
}

export function randAffine(o: RandAffineOptions): Transform {
  const rot = triple(o.rotateRange);
  const scale = triple(o.scaleRange);
  const modes = typeof o.mode === "string" ? o.keys.map(() => o.mode as "bilinear" | "nearest") : o.mode;
  if (modes.length !== o.keys.length)
    throw new Error(`randAffine: ${modes.length} modes for ${o.keys.length} keys`);
  return (sample, ctx) => {
    if (!ctx.rng.chance(o.prob)) return sample;
    // Draw every parameter even when its range is 0, so the stream does not depend on the ranges.
    const angles = rot.map((r) => ctx.rng.uniform(-r, r));
    const scales = scale.map((s) => 1 + ctx.rng.uniform(-s, s));
    const m = rotateScaleMatrix(angles, scales);
    return mapKeys(sample, o.keys, "randAffine", (item, _k, i) =>
      warpAboutCentre(item, m, modes[i], o.paddingMode),
    );
  };
}
