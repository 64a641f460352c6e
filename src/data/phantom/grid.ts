// The voxel grid a phantom is rasterised on, and its NIfTI-style affine. The anatomy is built and
// painted in its own frame, LAS (i -> +x patient left, j -> +y anterior, k -> +z superior). NIfTI
// world space is RAS+ (+x towards the patient's right, as in every scanner-derived file), so the
// painted grid is mirrored along i into a RAS-ordered volume (`toWorldVolume`); an LPS-ordered
// output is made from that by flipping i and j together with the affine.

import type { Affine, Volume } from "../volume.js";
import type { Vec3 } from "./geometry.js";

export interface VoxelGrid {
  /** Voxels along i, j, k. */
  shape: [number, number, number];
  /** Voxel spacing in mm along i, j, k. */
  spacing: [number, number, number];
  /** Anatomy-frame position (mm) of the centre of voxel (0, 0, 0). */
  origin: Vec3;
}

interface FieldOfView {
  /** Square in-plane field of view, mm. */
  fovMm: number;
  /** Cranio-caudal coverage, mm. */
  slabMm: number;
  inPlaneSpacingMm: number;
  sliceSpacingMm: number;
  /** Anatomy-frame centre of the field of view, mm. */
  center: Vec3;
}

/** The grid covering a field of view: voxel counts from extent / spacing, centred on `center`. */
export function gridForFieldOfView(fov: FieldOfView): VoxelGrid {
  const n = (extent: number, spacing: number) => Math.max(1, Math.round(extent / spacing));
  const shape: [number, number, number] = [
    n(fov.fovMm, fov.inPlaneSpacingMm),
    n(fov.fovMm, fov.inPlaneSpacingMm),
    n(fov.slabMm, fov.sliceSpacingMm),
  ];
  const spacing: [number, number, number] = [fov.inPlaneSpacingMm, fov.inPlaneSpacingMm, fov.sliceSpacingMm];
  const origin: Vec3 = [0, 1, 2].map((a) => fov.center[a] - ((shape[a] - 1) / 2) * spacing[a]) as Vec3;
  return { shape, spacing, origin };
}

/**
 * RAS affine of the painted grid once mirrored along i (see toWorldVolume): voxel i of the world
 * volume holds anatomy voxel ni-1-i, whose world x is minus its anatomy-frame x. `worldOffset`
 * moves the anatomy into scanner coordinates (e.g. the table position in z), so origins look like
 * a scanner's rather than all sitting at zero.
 */
function gridAffine(grid: VoxelGrid, worldOffset: Vec3 = [0, 0, 0]): Affine {
  const [sx, sy, sz] = grid.spacing;
  const xOfVoxel0 = -(grid.origin[0] + (grid.shape[0] - 1) * sx);
  return [
    [sx, 0, 0, xOfVoxel0 + worldOffset[0]],
    [0, sy, 0, grid.origin[1] + worldOffset[1]],
    [0, 0, sz, grid.origin[2] + worldOffset[2]],
    [0, 0, 0, 1],
  ];
}

/** A grid painted in the anatomy frame (LAS) as a RAS-ordered volume with gridAffine's affine. */
export function toWorldVolume(
  grid: VoxelGrid,
  dtype: Volume["dtype"],
  data: Volume["data"],
  worldOffset: Vec3 = [0, 0, 0],
): Volume {
  const [ni, nj, nk] = grid.shape;
  const dst = new (data.constructor as new (n: number) => typeof data)(data.length);
  for (let row = 0; row < nj * nk; row++) {
    const o = row * ni;
    for (let i = 0; i < ni; i++) dst[o + (ni - 1 - i)] = data[o + i];
  }
  return { shape: [ni, nj, nk], dtype, data: dst, affine: gridAffine(grid, worldOffset) };
}

/** World (RAS mm) position of voxel (i, j, k) under an affine. */
export function voxelToWorld(affine: Affine, i: number, j: number, k: number): Vec3 {
  return [0, 1, 2].map((r) => affine[r][0] * i + affine[r][1] * j + affine[r][2] * k + affine[r][3]) as Vec3;
}

/** Volume of one voxel in millilitres (|det| of the affine's 3x3 part, mm^3 / 1000). */
export function voxelVolumeMl(affine: Affine): number {
  const m = affine;
  const det =
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  return Math.abs(det) / 1000;
}

/**
 * Reverses the voxel order along i and j (RAS-ordered -> LPS-ordered, as DICOM-derived files
 * usually are) and rewrites the affine so every voxel keeps its world position.
 */
export function flipToLps(volume: Volume): Volume {
  const [ni, nj, nk] = volume.shape;
  const src = volume.data;
  const dst = new (src.constructor as new (n: number) => typeof src)(src.length);
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      const srcRow = (k * nj + j) * ni;
      const dstRow = (k * nj + (nj - 1 - j)) * ni;
      for (let i = 0; i < ni; i++) dst[dstRow + (ni - 1 - i)] = src[srcRow + i];
    }
  }
  const a = volume.affine;
  // New voxel i' = ni-1-i: column 0 negates, and the origin moves to the old last voxel.
  const affine: Affine = a.map((row) => [
    -row[0] || 0,
    -row[1] || 0,
    row[2],
    row[3] + row[0] * (ni - 1) + row[1] * (nj - 1),
  ]);
  return { shape: [...volume.shape], dtype: volume.dtype, data: dst, affine };
}
