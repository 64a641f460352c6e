// Small volumes with known geometry for transform tests.

import {
  fromVolume,
  type SpatialTensor,
  spatialShape,
  toVolume,
} from "../../../src/data/transforms/index.js";
import type { Affine, Volume } from "../../../src/data/volume.js";
import type { Dtype } from "../../../src/engine/index.js";

export function makeVolume(
  shape: [number, number, number],
  affine: Affine,
  value: (i: number, j: number, k: number) => number,
  dtype: "float32" | "uint8" = "float32",
): Volume {
  const [ni, nj, nk] = shape;
  const data = dtype === "float32" ? new Float32Array(ni * nj * nk) : new Uint8Array(ni * nj * nk);
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) data[i + ni * (j + nj * k)] = value(i, j, k);
  return { shape, dtype, data, affine };
}

export function tensorOf(v: Volume, dtype: Dtype = v.dtype === "uint8" ? "uint8" : "float32"): SpatialTensor {
  return fromVolume(v, dtype);
}

/** Value at voxel (i, j, k) of a spatial tensor. */
export function at(t: SpatialTensor | Volume, i: number, j: number, k: number): number {
  const v =
    "data" in t && "dtype" in t && "shape" in t && !(t.data as { handle?: unknown }).handle
      ? (t as Volume)
      : toVolume(t as SpatialTensor);
  const [ni, nj] = v.shape;
  return Number(v.data[i + ni * (j + nj * k)]);
}

export function valuesOf(t: SpatialTensor): number[] {
  return Array.from(toVolume(t).data as ArrayLike<number>, Number);
}

export function shapeOf(t: SpatialTensor): number[] {
  return spatialShape(t);
}

export function diagAffine(sizes: number[], origin: number[]): Affine {
  return [
    [sizes[0], 0, 0, origin[0]],
    [0, sizes[1], 0, origin[1]],
    [0, 0, sizes[2], origin[2]],
    [0, 0, 0, 1],
  ];
}
