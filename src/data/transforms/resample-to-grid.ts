// Trilinear resampling of a float volume onto another voxel grid through both affines: each
// target voxel takes the source's trilinear interpolation at the same world point (0 outside the
// source). For probability maps made on a preprocessed grid, written on the original image's grid.
import type { Affine, Volume } from "../volume.js";
import { invertAffine, matmul4 } from "./affine-math.js";

export function resampleToGrid(source: Volume, targetShape: readonly number[], targetAffine: Affine): Volume {
  const [si, sj, sk] = source.shape as [number, number, number];
  const [ti, tj, tk] = targetShape as [number, number, number];
  if (!(source.data instanceof Float32Array)) throw new Error("resampleToGrid: the volume must be float32");
  const src = source.data;
  const m = matmul4(invertAffine(source.affine), targetAffine);
  const out = new Float32Array(ti * tj * tk);
  const at = (x: number, y: number, z: number) => src[(z * sj + y) * si + x]!;
  for (let k = 0; k < tk; k++)
    for (let j = 0; j < tj; j++)
      for (let i = 0; i < ti; i++) {
        const x = m[0]![0]! * i + m[0]![1]! * j + m[0]![2]! * k + m[0]![3]!;
        const y = m[1]![0]! * i + m[1]![1]! * j + m[1]![2]! * k + m[1]![3]!;
        const z = m[2]![0]! * i + m[2]![1]! * j + m[2]![2]! * k + m[2]![3]!;
        // Half a voxel of tolerance at the borders: a centre on the edge interpolates from inside.
        if (x < -0.5 || y < -0.5 || z < -0.5 || x > si - 0.5 || y > sj - 0.5 || z > sk - 0.5) continue;
        const cx = Math.min(Math.max(x, 0), si - 1);
        const cy = Math.min(Math.max(y, 0), sj - 1);
        const cz = Math.min(Math.max(z, 0), sk - 1);
        const x0 = Math.floor(cx);
        const y0 = Math.floor(cy);
        const z0 = Math.floor(cz);
        const x1 = Math.min(x0 + 1, si - 1);
        const y1 = Math.min(y0 + 1, sj - 1);
        const z1 = Math.min(z0 + 1, sk - 1);
        const fx = cx - x0;
        const fy = cy - y0;
        const fz = cz - z0;
        const c00 = at(x0, y0, z0) * (1 - fx) + at(x1, y0, z0) * fx;
        const c10 = at(x0, y1, z0) * (1 - fx) + at(x1, y1, z0) * fx;
        const c01 = at(x0, y0, z1) * (1 - fx) + at(x1, y0, z1) * fx;
        const c11 = at(x0, y1, z1) * (1 - fx) + at(x1, y1, z1) * fx;
        const c0 = c00 * (1 - fy) + c10 * fy;
        const c1 = c01 * (1 - fy) + c11 * fy;
        out[(k * tj + j) * ti + i] = c0 * (1 - fz) + c1 * fz;
      }
  return { shape: [ti, tj, tk], dtype: "float32", data: out, affine: targetAffine.map((r) => [...r]) };
}
