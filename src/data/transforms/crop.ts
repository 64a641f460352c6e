// Cropping a spatial tensor to a box of voxels, with the affine moved to the box's first voxel.

import { shiftedAffine } from "./affine-math.js";
import { dimOfAxis, type SpatialTensor, spatialShape } from "./spatial-tensor.js";

/** A box of voxels in voxel-axis order (i, j, k): start inclusive, end exclusive. */
export interface VoxelBox {
  start: [number, number, number];
  end: [number, number, number];
}

/** The voxels inside the box (a view; no copy until something needs contiguous data). */
export function cropToBox(t: SpatialTensor, box: VoxelBox): SpatialTensor {
  const shape = spatialShape(t);
  let data = t.data;
  for (let a = 0; a < 3; a++) {
    const [s, e] = [box.start[a], box.end[a]];
    if (!(s >= 0 && e <= shape[a] && e > s)) {
      throw new Error(`crop: box ${s}..${e} on axis ${a} is outside the volume (size ${shape[a]})`);
    }
    if (s !== 0 || e !== shape[a]) data = data.narrow(dimOfAxis(a), s, e - s);
  }
  return { data, affine: shiftedAffine(t.affine, box.start) };
}
