// Turns the stored voxel bytes into a typed array in host byte order, and applies scl_slope /
// scl_inter the way nibabel's get_fdata does (computed in float64, then stored as the float type asked for).

import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from "../../util/byte-order.js";
import { DataError } from "../errors.js";
import type { VoxelArray, VoxelDtype } from "../volume.js";
import { datatypeByDtype } from "./datatypes.js";
import type { ByteOrder } from "./header.js";

export const HOST_BYTE_ORDER: ByteOrder = HOST_IS_LITTLE_ENDIAN ? "little" : "big";

/**
 * A typed array of `count` voxels starting at `offset`, in host byte order. It always owns a buffer of
 * exactly its size (byteOffset 0), so callers may hand `data.buffer` on (workers, the addon, safetensors)
 * without dragging the header along; the copy costs a few milliseconds for a CT.
 */
export function decodeVoxels(
  bytes: Uint8Array,
  offset: number,
  count: number,
  dtype: VoxelDtype,
  byteOrder: ByteOrder,
): VoxelArray {
  const info = datatypeByDtype(dtype);
  const copy = new Uint8Array(count * info.bytes);
  copy.set(bytes.subarray(offset, offset + copy.length));
  if (byteOrder !== HOST_BYTE_ORDER) swapBytesInPlace(copy, info.bytes);
  return info.make(copy.buffer, 0, count);
}

export type FloatDtype = "float32" | "float64";

/**
 * nibabel's reading of the scale factors: a zero or non-finite slope means "not scaled" (1, 0); a valid
 * slope with a non-finite intercept is an error.
 */
export function effectiveScaling(
  slope: number,
  inter: number,
  file: string,
): { slope: number; inter: number } {
  if (slope === 0 || !Number.isFinite(slope)) return { slope: 1, inter: 0 };
  if (!Number.isFinite(inter)) throw new DataError(file, `scl_slope is ${slope} but scl_inter is ${inter}`);
  return { slope, inter };
}

/**
 * data * slope + inter as float32 or float64, computed in float64 and then stored. Like nibabel, the
 * multiply is skipped for slope 1 and the add for intercept 0 (which keeps -0 as -0). nibabel under
 * numpy 1.x computes some float32 requests in float32, so those can differ from it by one float32 ulp.
 */
export function scaleVoxels(
  data: VoxelArray,
  slope: number,
  inter: number,
  floatDtype: FloatDtype,
): Float32Array | Float64Array {
  const n = data.length;
  const out = floatDtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) {
      let v = Number(data[i]);
      if (slope !== 1) v *= slope;
      if (inter !== 0) v += inter;
      out[i] = v;
    }
    return out;
  }
  if (slope !== 1 && inter !== 0) for (let i = 0; i < n; i++) out[i] = data[i] * slope + inter;
  else if (slope !== 1) for (let i = 0; i < n; i++) out[i] = data[i] * slope;
  else if (inter !== 0) for (let i = 0; i < n; i++) out[i] = data[i] + inter;
  else out.set(data);
  return out;
}
