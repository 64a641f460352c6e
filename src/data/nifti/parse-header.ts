// Decodes a NIfTI-1 or NIfTI-2 header (and its extensions) from the first bytes of a file.
// Byte order and version come from sizeof_hdr, as nibabel decides them. The repairs nibabel makes
// on load are made here too, so affines agree with nibabel's on imperfect real-world files.

import { DataError } from "../errors.js";
import { datatypeByCode } from "./datatypes.js";
import type { ByteOrder, NiftiExtension, NiftiHeader } from "./header.js";
import { type HeaderLayout, NIFTI1_LAYOUT, NIFTI2_LAYOUT, type NumericField, readField } from "./layout.js";

/** Bytes needed to parse the fixed header of either version plus the extension flag. */
export const HEADER_PREFIX_BYTES = NIFTI2_LAYOUT.size + 4;

const VALID_XFORM_CODES = new Set([0, 1, 2, 3, 4, 5]);

function detectLayout(bytes: Uint8Array, file: string): { layout: HeaderLayout; byteOrder: ByteOrder } {
  if (bytes.length < 4) throw new DataError(file, `not a NIfTI file: only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const little = view.getInt32(0, true);
  const big = view.getInt32(0, false);
  for (const layout of [NIFTI1_LAYOUT, NIFTI2_LAYOUT]) {
    if (little === layout.size) return { layout, byteOrder: "little" };
    if (big === layout.size) return { layout, byteOrder: "big" };
  }
  throw new DataError(
    file,
    `not a NIfTI file: sizeof_hdr is ${little}, expected 348 (NIfTI-1) or 540 (NIfTI-2)`,
  );
}

function matches(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

function checkMagic(bytes: Uint8Array, layout: HeaderLayout, file: string): string {
  const at = layout.strings.magic.offset;
  const text = readString(bytes, at, 4);
  if (matches(bytes, at, layout.singleMagic)) return text;
  if (matches(bytes, at, layout.pairMagic)) {
    throw new DataError(
      file,
      `NIfTI-${layout.version} header/image pair (magic "${text}") is not supported; use .nii`,
    );
  }
  throw new DataError(file, `not a NIfTI-${layout.version} file: bad magic ${JSON.stringify(text)}`);
}

function readString(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString("latin1");
}

/**
 * Parses the fixed header from `bytes` (which must hold at least sizeof_hdr bytes). Extensions are
 * parsed when `bytes` reaches the data offset; otherwise `extensions` is empty and `parseExtensions`
 * can be called with more bytes.
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  const { layout, byteOrder } = detectLayout(bytes, file);
  if (bytes.length < layout.size) {
    throw new DataError(
      file,
      `truncated: ${bytes.length} bytes, a NIfTI-${layout.version} header needs ${layout.size}`,
    );
  }
  const magic = checkMagic(bytes, layout, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, layout.size);
  const little = byteOrder === "little";
  const num = (name: NumericField, index = 0) => readField(view, layout.numeric[name], index, little);
  const arr = (name: NumericField) =>
    Array.from({ length: layout.numeric[name].count }, (_, i) => num(name, i));
  const str = (name: keyof HeaderLayout["strings"]) =>
    readString(bytes, layout.strings[name].offset, layout.strings[name].length);

  const warnings: string[] = [];
  const dim = arr("dim");
  const ndim = dim[0];
  if (!(ndim >= 1 && ndim <= 7)) throw new DataError(file, `dim[0] is ${ndim}, must be 1..7`);
  const shape = dim.slice(1, ndim + 1);
  shape.forEach((n, i) => {
    if (!(n >= 1)) throw new DataError(file, `dim[${i + 1}] is ${n}, must be at least 1`);
  });

  const pixdim = arr("pixdim");
  repairPixdim(pixdim, warnings);

  const datatype = num("datatype");
  const voxOffset = num("vox_offset");
  const minOffset = layout.size + 4;
  let dataOffset = Math.floor(voxOffset);
  if (dataOffset < minOffset) {
    // nibabel raises on a small non-zero offset and reads from byte 0 for 0; the standard (and
    // nifti_clib) put the data right after the header, which is what such files mean.
    warnings.push(`vox_offset ${voxOffset} is below ${minOffset}; reading data from ${minOffset}`);
    dataOffset = minOffset;
  }

  const header: NiftiHeader = {
    version: layout.version,
    byteOrder,
    magic,
    dimInfo: num("dim_info"),
    dim,
    shape,
    intentP1: num("intent_p1"),
    intentP2: num("intent_p2"),
    intentP3: num("intent_p3"),
    intentCode: num("intent_code"),
    intentName: str("intent_name"),
    datatype,
    dtype: datatypeByCode(datatype)?.dtype,
    bitpix: num("bitpix"),
    sliceStart: num("slice_start"),
    sliceEnd: num("slice_end"),
    sliceCode: num("slice_code"),
    sliceDuration: num("slice_duration"),
    pixdim,
    voxOffset,
    dataOffset,
    sclSlope: num("scl_slope"),
    sclInter: num("scl_inter"),
    xyztUnits: num("xyzt_units"),
    calMax: num("cal_max"),
    calMin: num("cal_min"),
    toffset: num("toffset"),
    descrip: str("descrip"),
    auxFile: str("aux_file"),
    qformCode: repairXformCode("qform_code", num("qform_code"), warnings),
    sformCode: repairXformCode("sform_code", num("sform_code"), warnings),
    quaternB: num("quatern_b"),
    quaternC: num("quatern_c"),
    quaternD: num("quatern_d"),
    qoffsetX: num("qoffset_x"),
    qoffsetY: num("qoffset_y"),
    qoffsetZ: num("qoffset_z"),
    srow: [arr("srow_x"), arr("srow_y"), arr("srow_z")],
    extensions: [],
    warnings,
  };
  if (bytes.length >= dataOffset) header.extensions = parseExtensions(bytes, header);
  return header;
}

function repairPixdim(pixdim: number[], warnings: string[]): void {
  if (pixdim[0] !== 1 && pixdim[0] !== -1) {
    warnings.push(`qfac (pixdim[0]) is ${pixdim[0]}; using 1`);
    pixdim[0] = 1;
  }
  for (let i = 1; i <= 3; i++) {
    if (pixdim[i] === 0) {
      warnings.push(`pixdim[${i}] is 0; using 1`);
      pixdim[i] = 1;
    } else if (pixdim[i] < 0) {
      warnings.push(`pixdim[${i}] is negative; using its absolute value`);
      pixdim[i] = -pixdim[i];
    }
  }
}

function repairXformCode(name: string, code: number, warnings: string[]): number {
  if (VALID_XFORM_CODES.has(code)) return code;
  warnings.push(`${name} ${code} is not valid; using 0`);
  return 0;
}

/**
 * Extensions sit between the header's 4-byte flag and the data. A malformed one ends the list with a
 * warning rather than failing the read: the voxels are still where vox_offset says.
 */
export function parseExtensions(bytes: Uint8Array, header: NiftiHeader): NiftiExtension[] {
  const flagAt = header.version === 1 ? NIFTI1_LAYOUT.size : NIFTI2_LAYOUT.size;
  if (bytes.length < flagAt + 4 || bytes[flagAt] === 0) return [];
  const end = Math.min(header.dataOffset, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const little = header.byteOrder === "little";
  const out: NiftiExtension[] = [];
  let at = flagAt + 4;
  while (at + 8 <= end) {
    const esize = view.getInt32(at, little);
    const code = view.getInt32(at + 4, little);
    if (esize === 0) break; // zero padding after the last extension
    if (esize < 8 || at + esize > end) {
      header.warnings.push(`extension at byte ${at} has size ${esize}, which does not fit before the data`);
      break;
    }
    out.push({ code, data: bytes.slice(at + 8, at + esize) });
    at += esize;
  }
  return out;
}
