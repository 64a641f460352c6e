// Reading NIfTI files: the header alone, or header plus voxels as a Volume.

import { DataError } from "../errors.js";
import { headerAffine } from "./affine.js";
import { datatypeByDtype, describeDatatype } from "./datatypes.js";
import { readDecompressed, readDecompressedPrefix } from "./file-bytes.js";
import type { NiftiHeader, NiftiImage } from "./header.js";
import { HEADER_PREFIX_BYTES, parseExtensions, parseNiftiHeader } from "./parse-header.js";
import { requireSpatial3D } from "./shape3d.js";
import { decodeVoxels, effectiveScaling, type FloatDtype, scaleVoxels } from "./voxel-data.js";

interface ReadNiftiOptions {
  /**
   * Apply scl_slope/scl_inter and return floats, like nibabel's get_fdata. Off by default: the data
   * keep their stored dtype (labels stay integers) and the factors stay in `header`.
   */
  scaled?: boolean;
  /** Float type of scaled data; float64 by default, as get_fdata. */
  floatDtype?: FloatDtype;
  /** Fail unless the image is 3D; trailing dimensions of size 1 (x, y, z, 1) are dropped. */
  require3D?: boolean;
}

/** Header (with extensions) only; reads and inflates no more of the file than the header needs. */
export async function readNiftiHeader(path: string): Promise<NiftiHeader> {
  const prefix = await readDecompressedPrefix(path, HEADER_PREFIX_BYTES);
  const header = parseNiftiHeader(prefix, path);
  const flagAt = header.version === 1 ? 348 : 540;
  if (prefix[flagAt] !== 0 && prefix.length < header.dataOffset) {
    header.extensions = parseExtensions(await readDecompressedPrefix(path, header.dataOffset), header);
  }
  return header;
}

export async function readNifti(path: string, opts: ReadNiftiOptions = {}): Promise<NiftiImage> {
  return parseNifti(await readDecompressed(path), path, opts);
}

/** Decodes a whole (decompressed) NIfTI file held in memory; `path` is only used in messages. */
export function parseNifti(bytes: Uint8Array, path: string, opts: ReadNiftiOptions = {}): NiftiImage {
  const header = parseNiftiHeader(bytes, path);
  const dtype = header.dtype;
  if (dtype === undefined) throw new DataError(path, `unsupported ${describeDatatype(header.datatype)}`);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const needed = count * datatypeByDtype(dtype).bytes;
  const available = bytes.length - header.dataOffset;
  if (available < needed) {
    throw new DataError(
      path,
      `truncated: shape ${header.shape.join("x")} ${dtype} needs ${needed} data bytes after offset ` +
        `${header.dataOffset}, file has ${Math.max(0, available)}`,
    );
  }
  const shape = opts.require3D ? requireSpatial3D(header.shape, path) : header.shape.slice();
  const affine = headerAffine(header, path);
  const stored = decodeVoxels(bytes, header.dataOffset, count, dtype, header.byteOrder);
  if (!opts.scaled) return { path, header, shape, dtype, data: stored, affine, scaled: false };
  const { slope, inter } = effectiveScaling(header.sclSlope, header.sclInter, path);
  const floatDtype = opts.floatDtype ?? "float64";
  const data = scaleVoxels(stored, slope, inter, floatDtype);
  return { path, header, shape, dtype: floatDtype, data, affine, scaled: true };
}
