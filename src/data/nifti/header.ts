// The parsed NIfTI header: the stored fields under readable names, plus what reading decided
// (byte order, where the voxels start, which nibabel-style repairs were applied).

import type { Volume, VoxelDtype } from "../volume.js";

export type NiftiVersion = 1 | 2;
export type ByteOrder = "little" | "big";

/** One header extension: its code (e.g. 6 = comment, 32 = CIFTI) and its content, padding included. */
export interface NiftiExtension {
  code: number;
  data: Uint8Array;
}

export interface NiftiHeader {
  version: NiftiVersion;
  byteOrder: ByteOrder;
  /** "n+1" or "n+2" (single file). */
  magic: string;
  dimInfo: number;
  /** dim[0..7] as stored: dim[0] is the number of dimensions. */
  dim: number[];
  /** dim[1..dim[0]]. */
  shape: number[];
  intentP1: number;
  intentP2: number;
  intentP3: number;
  intentCode: number;
  intentName: string;
  /** The datatype code as stored; `dtype` is set only when this reader supports it. */
  datatype: number;
  dtype: VoxelDtype | undefined;
  bitpix: number;
  sliceStart: number;
  sliceEnd: number;
  sliceCode: number;
  sliceDuration: number;
  /** pixdim[0..7] after nibabel's load-time repairs (qfac to +-1, spatial pixdims positive and non-zero). */
  pixdim: number[];
  /** vox_offset as stored. */
  voxOffset: number;
  /** Byte offset where the voxels actually start (vox_offset, or the minimum when it is too small). */
  dataOffset: number;
  sclSlope: number;
  sclInter: number;
  xyztUnits: number;
  calMax: number;
  calMin: number;
  toffset: number;
  descrip: string;
  auxFile: string;
  qformCode: number;
  sformCode: number;
  quaternB: number;
  quaternC: number;
  quaternD: number;
  qoffsetX: number;
  qoffsetY: number;
  qoffsetZ: number;
  /** srow_x, srow_y, srow_z. */
  srow: number[][];
  extensions: NiftiExtension[];
  /** Repairs made while reading (as nibabel makes them) and extensions that could not be parsed. */
  warnings: string[];
}

/** A volume read from a NIfTI file, with the header it came from. */
export interface NiftiImage extends Volume {
  path: string;
  header: NiftiHeader;
  /** True when `data` holds scl_slope/scl_inter-scaled floats rather than the stored values. */
  scaled: boolean;
}

export const XFORM_SCANNER_ANAT = 1;
/** Units code for millimetres and seconds (NIFTI_UNITS_MM | NIFTI_UNITS_SEC). */
export const UNITS_MM_SEC = 2 | 8;
