// Exact re-indexing of a voxel grid by axis permutation and flips (reorientation, flips, 90-degree
// rotations), with the affine updated so every voxel keeps its world position.

import type { Affine } from "../volume.js";
import { identity4, matmul4 } from "./affine-math.js";
import { dimOfAxis, type SpatialTensor, spatialShape } from "./spatial-tensor.js";

/**
 * Output voxel axis b takes input axis source[b]; when flip[b], its index runs backwards:
 * in[source[b]] = flip[b] ? n - 1 - out[b] : out[b].
 */
export interface AxisMap {
  source: readonly number[];
  flip: readonly boolean[];
}

function isIdentityMap(m: AxisMap): boolean {
  return m.source.every((s, b) => s === b) && m.flip.every((f) => !f);
}

/** The voxel-to-voxel matrix (output index -> input index) of an axis map on a grid of `inShape`. */
function axisMapMatrix(m: AxisMap, inShape: readonly number[]): Affine {
  const out = identity4().map((row) => row.map(() => 0));
  out[3][3] = 1;
  for (let b = 0; b < 3; b++) {
    const a = m.source[b];
    out[a][b] = m.flip[b] ? -1 : 1;
    out[a][3] = m.flip[b] ? inShape[a] - 1 : 0;
  }
  return out;
}

export function applyAxisMap(t: SpatialTensor, m: AxisMap): SpatialTensor {
  if (isIdentityMap(m)) return t;
  const inShape = spatialShape(t);
  const flipDims = [0, 1, 2].filter((b) => m.flip[b]).map((b) => dimOfAxis(m.source[b]));
  let data = flipDims.length > 0 ? t.data.flip(flipDims) : t.data;
  // Engine dim of output axis b is 2 - b; it comes from engine dim 2 - source[b].
  const perm = [2, 1, 0].map((b) => dimOfAxis(m.source[b]));
  if (perm.some((p, d) => p !== d)) data = data.permute(perm).contiguous();
  return { data, affine: matmul4(t.affine, axisMapMatrix(m, inShape)) };
}
