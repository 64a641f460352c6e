// Voxel-to-world affine from a NIfTI header, with nibabel's precedence (get_best_affine):
// sform when sform_code != 0, else qform when qform_code != 0, else nibabel's pixdim-only
// fallback (x flipped, origin at the volume centre). And the reverse: qform parameters for an affine.

import { DataError } from "../errors.js";
import type { Affine } from "../volume.js";
import type { NiftiHeader } from "./header.js";
import { determinant3, type Mat3, polarOrthogonal } from "./polar3.js";

const FLOAT32_EPS = 2 ** -23;
const FLOAT64_EPS = 2 ** -52;

export function headerAffine(header: NiftiHeader, file = "<header>"): Affine {
  if (header.sformCode !== 0) return sformAffine(header);
  if (header.qformCode !== 0) return qformAffine(header, file);
  return fallbackAffine(header);
}

function sformAffine(header: NiftiHeader): Affine {
  return [...header.srow.map((row) => row.slice()), [0, 0, 0, 1]];
}

/** Rotation from quatern_b/c/d (a filled in as the positive root), scaled by pixdim with qfac on k. */
function qformAffine(header: NiftiHeader, file = "<header>"): Affine {
  const b = header.quaternB;
  const c = header.quaternC;
  const d = header.quaternD;
  // The threshold allows for rounding in the stored precision, as nibabel's fillpositive does.
  const threshold = -3 * (header.version === 1 ? FLOAT32_EPS : FLOAT64_EPS);
  const w2 = 1 - (b * b + c * c + d * d);
  if (w2 < threshold) throw new DataError(file, `qform quaternion (${b}, ${c}, ${d}) is longer than 1`);
  // pixdim[0] is qfac; qformParametersAffine applies it to the third zoom, as the standard says.
  return qformParametersAffine({
    quaternion: [b, c, d],
    qfac: header.pixdim[0] as 1 | -1,
    zooms: [header.pixdim[1], header.pixdim[2], header.pixdim[3]],
    offset: [header.qoffsetX, header.qoffsetY, header.qoffsetZ],
  });
}

function quaternionToMatrix(w: number, x: number, y: number, z: number): Mat3 {
  const n = w * w + x * x + y * y + z * z;
  if (n < FLOAT64_EPS) {
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  }
  const s = 2 / n;
  const [X, Y, Z] = [x * s, y * s, z * s];
  const [wX, wY, wZ] = [w * X, w * Y, w * Z];
  const [xX, xY, xZ] = [x * X, x * Y, x * Z];
  const [yY, yZ, zZ] = [y * Y, y * Z, z * Z];
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/** nibabel's base affine for headers without a transform: diag(-pixdim1, pixdim2, pixdim3), centred. */
function fallbackAffine(header: NiftiHeader): Affine {
  const ndim = header.shape.length;
  const shape = [0, 1, 2].map((i) => (i < ndim ? header.shape[i] : 1));
  const zooms = [0, 1, 2].map((i) => (i < ndim ? header.pixdim[i + 1] : 1));
  zooms[0] = -zooms[0];
  return [
    ...[0, 1, 2].map((i) => {
      const row = [0, 0, 0, -((shape[i] - 1) / 2) * zooms[i]];
      row[i] = zooms[i];
      return row;
    }),
    [0, 0, 0, 1],
  ];
}

/** Length of each voxel axis in world units: the column norms of the affine's 3x3 part. */
function affineZooms(affine: Affine): number[] {
  return [0, 1, 2].map((j) => Math.hypot(affine[0][j], affine[1][j], affine[2][j]));
}

export interface QformParameters {
  quaternion: [number, number, number];
  qfac: 1 | -1;
  zooms: number[];
  offset: number[];
}

/**
 * The qform that best represents `affine` (exactly, when the affine has no shear), derived the way
 * nibabel's set_qform does: zooms are column norms, a negative determinant goes into qfac, and the
 * rotation is the nearest orthogonal matrix.
 */
export function qformFromAffine(affine: Affine): QformParameters {
  const zooms = affineZooms(affine).map((z) => (z === 0 ? 1 : z));
  const r: Mat3 = [0, 1, 2].map((i) => [0, 1, 2].map((j) => affine[i][j] / zooms[j]));
  let qfac: 1 | -1 = 1;
  if (determinant3(r) < 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) r[i][2] = -r[i][2];
  }
  const [w, x, y, z] = matrixToQuaternion(polarOrthogonal(r));
  const sign = w < 0 ? -1 : 1;
  return {
    quaternion: [x * sign, y * sign, z * sign],
    qfac,
    zooms,
    offset: [affine[0][3], affine[1][3], affine[2][3]],
  };
}

/** Unit quaternion (w, x, y, z) of a rotation matrix, by Shepperd's method (stable for any angle). */
function matrixToQuaternion(m: Mat3): [number, number, number, number] {
  const trace = m[0][0] + m[1][1] + m[2][2];
  if (trace > 0) {
    const s = 2 * Math.sqrt(trace + 1);
    return [0.25 * s, (m[2][1] - m[1][2]) / s, (m[0][2] - m[2][0]) / s, (m[1][0] - m[0][1]) / s];
  }
  if (m[0][0] > m[1][1] && m[0][0] > m[2][2]) {
    const s = 2 * Math.sqrt(1 + m[0][0] - m[1][1] - m[2][2]);
    return [(m[2][1] - m[1][2]) / s, 0.25 * s, (m[0][1] + m[1][0]) / s, (m[0][2] + m[2][0]) / s];
  }
  if (m[1][1] > m[2][2]) {
    const s = 2 * Math.sqrt(1 + m[1][1] - m[0][0] - m[2][2]);
    return [(m[0][2] - m[2][0]) / s, (m[0][1] + m[1][0]) / s, 0.25 * s, (m[1][2] + m[2][1]) / s];
  }
  const s = 2 * Math.sqrt(1 + m[2][2] - m[0][0] - m[1][1]);
  return [(m[1][0] - m[0][1]) / s, (m[0][2] + m[2][0]) / s, (m[1][2] + m[2][1]) / s, 0.25 * s];
}

/** The affine a set of qform parameters encodes (what a reader rebuilds from the written qform). */
export function qformParametersAffine(q: QformParameters): Affine {
  const [b, c, d] = q.quaternion;
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const r = quaternionToMatrix(a, b, c, d);
  const zooms = [q.zooms[0], q.zooms[1], q.zooms[2] * q.qfac];
  return [
    ...[0, 1, 2].map((i) => [r[i][0] * zooms[0], r[i][1] * zooms[1], r[i][2] * zooms[2], q.offset[i]]),
    [0, 0, 0, 1],
  ];
}
