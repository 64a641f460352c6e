// A volume on the engine: the voxels as a tensor plus the voxel-to-world affine. Transforms work on
// these. The tensor's dims are [k, j, i] (slowest first), which is the NIfTI memory order (i fastest)
// read as a row-major array, so conversion from a Volume is one copy and no transpose; the affine
// still indexes voxels as (i, j, k).

import type { Dtype, Tensor } from "../../engine/index.js";
import { Tensor as T } from "../../engine/index.js";
import type { Affine, Volume, VoxelArray } from "../volume.js";
import { cloneAffine } from "./affine-math.js";

export interface SpatialTensor {
  /** Voxels, dims [k, j, i]. */
  data: Tensor;
  affine: Affine;
}

/** Spatial size in voxel-axis order (i, j, k). */
export function spatialShape(t: SpatialTensor): [number, number, number] {
  const s = t.data.shape;
  if (s.length !== 3) throw new Error(`expected a 3D tensor [k, j, i], got shape [${s}]`);
  return [s[2], s[1], s[0]];
}

/** Engine dim holding voxel axis a (0 = i, 1 = j, 2 = k). */
export function dimOfAxis(a: number): number {
  return 2 - a;
}

function engineArray(data: VoxelArray): {
  array: Exclude<VoxelArray, Uint16Array | Uint32Array>;
  dtype?: Dtype;
} {
  // The engine has no unsigned 16/32-bit types; widen them to int32/float64 (exact).
  if (data instanceof Uint16Array) return { array: Int32Array.from(data) };
  if (data instanceof Uint32Array) return { array: Float64Array.from(data) };
  return { array: data };
}

/**
 * A Volume as an engine tensor of `dtype` (copied). `name` is used in errors (a file or key).
 * Only the first three dims are used; a volume with more (non-unit) dims is rejected.
 */
export function fromVolume(v: Volume, dtype: Dtype, name = "volume"): SpatialTensor {
  if (v.shape.length < 3 || v.shape.slice(3).some((n) => n !== 1)) {
    throw new Error(`${name}: expected a 3D volume, got shape ${v.shape.join("x")}`);
  }
  const [ni, nj, nk] = v.shape;
  if (v.data.length !== ni * nj * nk) {
    throw new Error(
      `${name}: data has ${v.data.length} values, shape ${v.shape.join("x")} needs ${ni * nj * nk}`,
    );
  }
  const { array } = engineArray(v.data);
  const raw = T.fromArray(array, [nk, nj, ni]);
  if (raw.dtype === dtype) return { data: raw, affine: cloneAffine(v.affine) };
  const data = raw.to({ dtype });
  raw.dispose();
  return { data, affine: cloneAffine(v.affine) };
}

/** Back to a Volume (data copied out of the engine). */
export function toVolume(t: SpatialTensor): Volume {
  const shape = spatialShape(t);
  const data = t.data.toArray() as VoxelArray; // the addon makes it contiguous while copying
  const dtype = t.data.dtype;
  if (dtype === "bool" || dtype === "float16" || dtype === "bfloat16") {
    throw new Error(`toVolume: dtype ${dtype} has no Volume equivalent; convert first`);
  }
  return { shape, dtype, data, affine: cloneAffine(t.affine) };
}
