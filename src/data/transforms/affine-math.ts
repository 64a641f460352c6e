// 4x4 voxel-to-world matrix arithmetic in float64, for keeping affines right through transforms.

import type { Affine } from "../volume.js";

export function identity4(): Affine {
  return [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => (r === c ? 1 : 0)));
}

export function matmul4(a: Affine, b: Affine): Affine {
  return [0, 1, 2, 3].map((r) =>
    [0, 1, 2, 3].map((c) => a[r][0] * b[0][c] + a[r][1] * b[1][c] + a[r][2] * b[2][c] + a[r][3] * b[3][c]),
  );
}

/** Inverse of an affine (last row 0 0 0 1); throws when the 3x3 part is singular. */
export function invertAffine(a: Affine): Affine {
  const [m00, m01, m02] = a[0];
  const [m10, m11, m12] = a[1];
  const [m20, m21, m22] = a[2];
  const c00 = m11 * m22 - m12 * m21;
  const c01 = m02 * m21 - m01 * m22;
  const c02 = m01 * m12 - m02 * m11;
  const det = m00 * c00 + m10 * c01 + m20 * c02;
  if (!(Math.abs(det) > 1e-300)) throw new Error("affine is singular (zero voxel size or collapsed axes)");
  const inv = [
    [c00, c01, c02],
    [m12 * m20 - m10 * m22, m00 * m22 - m02 * m20, m02 * m10 - m00 * m12],
    [m10 * m21 - m11 * m20, m01 * m20 - m00 * m21, m00 * m11 - m01 * m10],
  ].map((row) => row.map((v) => v / det));
  const t = [a[0][3], a[1][3], a[2][3]];
  return [...inv.map((row) => [...row, -(row[0] * t[0] + row[1] * t[1] + row[2] * t[2])]), [0, 0, 0, 1]];
}

/** World coordinate of a (possibly fractional) voxel index. */
export function voxelToWorld(a: Affine, v: readonly number[]): number[] {
  return [0, 1, 2].map((r) => a[r][0] * v[0] + a[r][1] * v[1] + a[r][2] * v[2] + a[r][3]);
}

/** Voxel size along each voxel axis: the lengths of the affine's first three columns. */
export function voxelSizes(a: Affine): number[] {
  return [0, 1, 2].map((c) => Math.hypot(a[0][c], a[1][c], a[2][c]));
}

/** The affine of a sub-grid whose voxel (0,0,0) is voxel `start` of the original grid. */
export function shiftedAffine(a: Affine, start: readonly number[]): Affine {
  const shift = identity4();
  for (let d = 0; d < 3; d++) shift[d][3] = start[d];
  return matmul4(a, shift);
}

export function cloneAffine(a: Affine): Affine {
  return a.map((row) => row.slice());
}
