// Serialises a NiftiHeader (the inverse of parseNiftiHeader): fixed header, extension flag and
// extensions, i.e. everything before the voxels.

import type { NiftiExtension, NiftiHeader } from "./header.js";
import { type HeaderLayout, NIFTI1_LAYOUT, NIFTI2_LAYOUT, type NumericField, writeField } from "./layout.js";

/** On-disk size of one extension: 8 bytes of size and code, content padded to a multiple of 16. */
function extensionSize(ext: NiftiExtension): number {
  return Math.ceil((ext.data.length + 8) / 16) * 16;
}

/** Where the voxels start for a header of this version carrying these extensions. */
export function minimumDataOffset(version: 1 | 2, extensions: readonly NiftiExtension[]): number {
  const layout = version === 1 ? NIFTI1_LAYOUT : NIFTI2_LAYOUT;
  return layout.size + 4 + extensions.reduce((sum, e) => sum + extensionSize(e), 0);
}

function writeString(bytes: Uint8Array, offset: number, length: number, text: string): void {
  // Keep one byte for the terminating NUL.
  const encoded = Buffer.from(text, "latin1").subarray(0, length - 1);
  bytes.set(encoded, offset);
}

/** Bytes 0 .. header.voxOffset of the file. `voxOffset` must leave room for the extensions. */
export function encodeNiftiHeader(header: NiftiHeader): Uint8Array {
  const layout: HeaderLayout = header.version === 1 ? NIFTI1_LAYOUT : NIFTI2_LAYOUT;
  const minimum = minimumDataOffset(header.version, header.extensions);
  if (header.voxOffset < minimum) {
    throw new Error(`vox_offset ${header.voxOffset} leaves no room for the header (needs ${minimum})`);
  }
  const bytes = new Uint8Array(header.voxOffset);
  const view = new DataView(bytes.buffer);
  const little = header.byteOrder === "little";
  const put = (name: NumericField, value: number, index = 0) =>
    writeField(view, layout.numeric[name], index, value, little);
  const putAll = (name: NumericField, values: readonly number[]) => {
    for (let i = 0; i < values.length; i++) put(name, values[i], i);
  };

  put("sizeof_hdr", layout.size);
  bytes.set(layout.singleMagic, layout.strings.magic.offset);
  if (layout.version === 1) bytes[38] = 0x72; // "regular" = 'r', as the Analyze heritage expects
  put("dim_info", header.dimInfo);
  putAll("dim", header.dim);
  put("intent_p1", header.intentP1);
  put("intent_p2", header.intentP2);
  put("intent_p3", header.intentP3);
  put("intent_code", header.intentCode);
  put("datatype", header.datatype);
  put("bitpix", header.bitpix);
  put("slice_start", header.sliceStart);
  putAll("pixdim", header.pixdim);
  put("vox_offset", header.voxOffset);
  put("scl_slope", header.sclSlope);
  put("scl_inter", header.sclInter);
  put("slice_end", header.sliceEnd);
  put("slice_code", header.sliceCode);
  put("xyzt_units", header.xyztUnits);
  put("cal_max", header.calMax);
  put("cal_min", header.calMin);
  put("slice_duration", header.sliceDuration);
  put("toffset", header.toffset);
  put("qform_code", header.qformCode);
  put("sform_code", header.sformCode);
  put("quatern_b", header.quaternB);
  put("quatern_c", header.quaternC);
  put("quatern_d", header.quaternD);
  put("qoffset_x", header.qoffsetX);
  put("qoffset_y", header.qoffsetY);
  put("qoffset_z", header.qoffsetZ);
  putAll("srow_x", header.srow[0]);
  putAll("srow_y", header.srow[1]);
  putAll("srow_z", header.srow[2]);
  writeString(bytes, layout.strings.descrip.offset, layout.strings.descrip.length, header.descrip);
  writeString(bytes, layout.strings.aux_file.offset, layout.strings.aux_file.length, header.auxFile);
  writeString(bytes, layout.strings.intent_name.offset, layout.strings.intent_name.length, header.intentName);

  let at = layout.size;
  if (header.extensions.length > 0) bytes[at] = 1;
  at += 4;
  for (const ext of header.extensions) {
    const size = extensionSize(ext);
    view.setInt32(at, size, little);
    view.setInt32(at + 4, ext.code, little);
    bytes.set(ext.data, at + 8);
    at += size;
  }
  return bytes;
}
