// Axis direction codes of an affine ("RAS", "LPS", ...), decided as nibabel's aff2axcodes /
// io_orientation decide them: normalise the columns, take the nearest shear-free rotation, then give
// each voxel axis, in order, the world axis it moves along most (a world axis is used once).

import type { Affine } from "../volume.js";
import { type Mat3, polarOrthogonal } from "./polar3.js";

const FLOAT64_EPS = 2 ** -52;
const LABELS: readonly [string, string][] = [
  ["L", "R"],
  ["P", "A"],
  ["I", "S"],
];

/**
 * For each voxel axis i, j, k: the world direction its index increases towards (R/L, A/P, S/I).
 * An axis that maps to no world direction (a zero column) is shown as "?".
 */
export function orientationCodes(affine: Affine): string {
  const zooms = [0, 1, 2].map((j) => Math.hypot(affine[0][j], affine[1][j], affine[2][j]) || 1);
  const rs: Mat3 = [0, 1, 2].map((i) => [0, 1, 2].map((j) => affine[i][j] / zooms[j]));
  const r = polarOrthogonal(rs, (sMax) => sMax * 3 * FLOAT64_EPS);
  let codes = "";
  for (let inAxis = 0; inAxis < 3; inAxis++) {
    const col = [r[0][inAxis], r[1][inAxis], r[2][inAxis]];
    if (col.every((x) => Math.abs(x) <= 1e-8)) {
      codes += "?";
      continue;
    }
    let outAxis = 0;
    for (let i = 1; i < 3; i++) if (Math.abs(col[i]) > Math.abs(col[outAxis])) outAxis = i;
    codes += LABELS[outAxis][col[outAxis] < 0 ? 0 : 1];
    r[outAxis] = [0, 0, 0];
  }
  return codes;
}
