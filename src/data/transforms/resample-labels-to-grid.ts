// Nearest-neighbour resampling of a label volume onto another voxel grid through both affines:
// each target voxel takes the label of the source voxel whose centre is nearest to it in world
// space (0 outside the source). Exact for any reorientation, crop or spacing change, so a
// prediction made on a preprocessed grid lands on the original image's grid.
import type { Affine, Volume } from "../volume.js";
import { invertAffine, matmul4 } from "./affine-math.js";

export function resampleLabelsToGrid(
  source: Volume,
  targetShape: readonly number[],
  targetAffine: Affine,
): Volume {
  const [si, sj, sk] = source.shape as [number, number, number];
  const [ti, tj, tk] = targetShape as [number, number, number];
  if (!(source.data instanceof Uint8Array)) throw new Error("resampleLabelsToGrid: labels must be uint8");
  const src = source.data;
  // target voxel -> world -> source voxel, as one matrix
  const m = matmul4(invertAffine(source.affine), targetAffine);
  const out = new Uint8Array(ti * tj * tk);
  for (let k = 0; k < tk; k++) {
    for (let j = 0; j < tj; j++) {
      const bx = m[0]![1]! * j + m[0]![2]! * k + m[0]![3]!;
      const by = m[1]![1]! * j + m[1]![2]! * k + m[1]![3]!;
      const bz = m[2]![1]! * j + m[2]![2]! * k + m[2]![3]!;
      const row = (k * tj + j) * ti;
      for (let i = 0; i < ti; i++) {
        const x = Math.round(bx + m[0]![0]! * i);
        const y = Math.round(by + m[1]![0]! * i);
        const z = Math.round(bz + m[2]![0]! * i);
        if (x >= 0 && y >= 0 && z >= 0 && x < si && y < sj && z < sk)
          out[row + i] = src[(z * sj + y) * si + x]!;
      }
    }
  }
  return { shape: [ti, tj, tk], dtype: "uint8", data: out, affine: targetAffine.map((r) => [...r]) };
}
