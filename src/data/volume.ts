// A 3D (or 4D) image volume in memory with its voxel-to-world geometry: the currency of the data layer.

/** Element types a volume can hold; the names match the engine's dtypes. */
export type VoxelDtype =
  | "uint8"
  | "int8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "float32"
  | "float64";

export type VoxelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** Row-major 4x4 matrix mapping voxel indices (i, j, k, 1) to world millimetres (RAS+, as nibabel). */
export type Affine = number[][];

export interface Volume {
  /** Spatial size first (i, j, k), then any further dims; i varies fastest in `data` (NIfTI order). */
  shape: number[];
  dtype: VoxelDtype;
  data: VoxelArray;
  affine: Affine;
}
