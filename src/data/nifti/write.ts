// Writing a Volume as NIfTI-1 or NIfTI-2 (.nii or .nii.gz, either byte order). The geometry always
// comes from the volume: its affine is written as the sform and, as closely as a rotation allows, as
// the qform, with pixdim from the affine. Other header fields carry over from the header the volume
// was read with, so a read-modify-write keeps intent, units, descriptions and extensions.

import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { swapBytesInPlace } from "../../util/byte-order.js";
import { writeFileAtomic } from "../../util/file-writes.js";
import { DataError } from "../errors.js";
import type { Affine, Volume } from "../volume.js";
import { type QformParameters, qformFromAffine, qformParametersAffine } from "./affine.js";
import { datatypeByDtype } from "./datatypes.js";
import { encodeNiftiHeader, minimumDataOffset } from "./encode-header.js";
import {
  type ByteOrder,
  type NiftiExtension,
  type NiftiHeader,
  type NiftiImage,
  type NiftiVersion,
  UNITS_MM_SEC,
  XFORM_SCANNER_ANAT,
} from "./header.js";
import { HOST_BYTE_ORDER } from "./voxel-data.js";

const gzipAsync = promisify(gzip);
const NIFTI1_MAX_DIM = 32767;

export interface WriteNiftiOptions {
  /** NIfTI-1 unless a dimension is too large for it (> 32767), then NIfTI-2. */
  version?: NiftiVersion;
  /** Host order (little on x86/arm) by default. */
  byteOrder?: ByteOrder;
  /** Compress; by default when the path ends in .gz. */
  gzip?: boolean;
  /** zlib level 0-9 (default 6). */
  compressionLevel?: number;
  /** Default: the source header's code, else NIFTI_XFORM_SCANNER_ANAT (1). */
  sformCode?: number;
  qformCode?: number;
  /** Default 1 and 0, or the source header's when the volume holds its unscaled stored values. */
  sclSlope?: number;
  sclInter?: number;
  /** Default: the source header's, else millimetres and seconds. */
  xyztUnits?: number;
  descrip?: string;
  extensions?: NiftiExtension[];
  /** Header whose non-geometry fields to carry over; by default the volume's own (a NiftiImage's). */
  header?: NiftiHeader;
}

function checkVolume(volume: Volume, path: string): void {
  const info = datatypeByDtype(volume.dtype);
  if (!(volume.data instanceof info.arrayType)) {
    throw new DataError(path, `dtype ${volume.dtype} but data is a ${volume.data.constructor.name}`);
  }
  const { shape } = volume;
  if (shape.length < 1 || shape.length > 7 || shape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new DataError(path, `cannot write shape [${shape.join(", ")}]: need 1 to 7 positive integer dims`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (volume.data.length !== count) {
    throw new DataError(
      path,
      `shape ${shape.join("x")} has ${count} voxels but data has ${volume.data.length}`,
    );
  }
  const a = volume.affine;
  if (a.length !== 4 || a.some((row) => row.length !== 4 || row.some((v) => !Number.isFinite(v)))) {
    throw new DataError(path, "affine must be a finite 4x4 matrix");
  }
}

function chooseVersion(shape: number[], requested: NiftiVersion | undefined, path: string): NiftiVersion {
  const tooBig = shape.some((n) => n > NIFTI1_MAX_DIM);
  if (requested === 1 && tooBig) {
    throw new DataError(path, `shape ${shape.join("x")} exceeds NIfTI-1's ${NIFTI1_MAX_DIM} per dimension`);
  }
  return requested ?? (tooBig ? 2 : 1);
}

/**
 * The qform and sform codes to write. A file's own codes are kept (a volume read with qform_code
 * 0 and sform_code 2 is written with 0 and 2); a new volume, or one read from a file with neither,
 * gets 1 (scanner) for both. A qform can only hold rotations and zooms: for an affine with shears
 * the quaternion would be an approximation, so the qform code is 0 then, as nibabel writes it,
 * and readers take the exact sform.
 */
function transformCodes(
  affine: Affine,
  q: QformParameters,
  source: NiftiHeader | undefined,
  opts: WriteNiftiOptions,
): { qformCode: number; sformCode: number } {
  const kept = source !== undefined && (source.qformCode !== 0 || source.sformCode !== 0);
  let sformCode = opts.sformCode ?? (kept ? source.sformCode : XFORM_SCANNER_ANAT);
  let qformCode = opts.qformCode ?? (kept ? source.qformCode : XFORM_SCANNER_ANAT);
  if (!qformRepresents(affine, q)) {
    if (opts.qformCode === undefined) qformCode = 0;
    // The geometry must stay coded somewhere: a qform-only file whose affine gained shears.
    if (sformCode === 0) sformCode = source?.qformCode || XFORM_SCANNER_ANAT;
  }
  return { qformCode, sformCode };
}

/** Whether the qform parameters rebuild the affine's 3x3 part (no shears), to float32 precision. */
function qformRepresents(affine: Affine, q: QformParameters): boolean {
  const rebuilt = qformParametersAffine(q);
  let scale = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) scale = Math.max(scale, Math.abs(affine[i][j]));
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) if (Math.abs(rebuilt[i][j] - affine[i][j]) > 1e-6 * scale) return false;
  return true;
}

/** The header to write for `volume`: geometry from the volume, the rest from options or `source`. */
function headerForVolume(volume: Volume, opts: WriteNiftiOptions = {}, path = "<volume>"): NiftiHeader {
  checkVolume(volume, path);
  const source = opts.header ?? (volume as Partial<NiftiImage>).header;
  const unscaledSource = source && !(volume as Partial<NiftiImage>).scaled && source.dtype === volume.dtype;
  const version = chooseVersion(volume.shape, opts.version, path);
  const info = datatypeByDtype(volume.dtype);
  const q = qformFromAffine(volume.affine);
  const ndim = volume.shape.length;
  const dim = [ndim, ...volume.shape, ...Array(7 - ndim).fill(1)];
  const pixdim = [q.qfac, ...q.zooms, ...(source ? source.pixdim.slice(4, 8) : [1, 1, 1, 1])];
  const extensions = opts.extensions ?? source?.extensions ?? [];
  const dataOffset = minimumDataOffset(version, extensions);
  const a = volume.affine;
  return {
    version,
    byteOrder: opts.byteOrder ?? HOST_BYTE_ORDER,
    magic: version === 1 ? "n+1" : "n+2",
    dimInfo: source?.dimInfo ?? 0,
    dim,
    shape: volume.shape.slice(),
    intentP1: source?.intentP1 ?? 0,
    intentP2: source?.intentP2 ?? 0,
    intentP3: source?.intentP3 ?? 0,
    intentCode: source?.intentCode ?? 0,
    intentName: source?.intentName ?? "",
    datatype: info.code,
    dtype: volume.dtype,
    bitpix: info.bytes * 8,
    sliceStart: source?.sliceStart ?? 0,
    sliceEnd: source?.sliceEnd ?? 0,
    sliceCode: source?.sliceCode ?? 0,
    sliceDuration: source?.sliceDuration ?? 0,
    pixdim,
    voxOffset: dataOffset,
    dataOffset,
    sclSlope: opts.sclSlope ?? (unscaledSource ? source.sclSlope : 1),
    sclInter: opts.sclInter ?? (unscaledSource ? source.sclInter : 0),
    xyztUnits: opts.xyztUnits ?? source?.xyztUnits ?? UNITS_MM_SEC,
    calMax: source?.calMax ?? 0,
    calMin: source?.calMin ?? 0,
    toffset: source?.toffset ?? 0,
    descrip: opts.descrip ?? source?.descrip ?? "",
    auxFile: source?.auxFile ?? "",
    ...transformCodes(volume.affine, q, source, opts),
    quaternB: q.quaternion[0],
    quaternC: q.quaternion[1],
    quaternD: q.quaternion[2],
    qoffsetX: q.offset[0],
    qoffsetY: q.offset[1],
    qoffsetZ: q.offset[2],
    srow: [a[0].slice(), a[1].slice(), a[2].slice()],
    extensions,
    warnings: [],
  };
}

/** The uncompressed file contents. */
export function encodeNifti(volume: Volume, opts: WriteNiftiOptions = {}, path = "<volume>"): Uint8Array {
  const header = headerForVolume(volume, opts, path);
  const head = encodeNiftiHeader(header);
  const { data } = volume;
  const out = new Uint8Array(head.length + data.byteLength);
  out.set(head, 0);
  const body = out.subarray(head.length);
  body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (header.byteOrder !== HOST_BYTE_ORDER) swapBytesInPlace(body, data.BYTES_PER_ELEMENT);
  return out;
}

/** Writes atomically (temporary file, then rename), so a crash never leaves half a file behind. */
export async function writeNifti(path: string, volume: Volume, opts: WriteNiftiOptions = {}): Promise<void> {
  const raw = encodeNifti(volume, opts, path);
  const compress = opts.gzip ?? path.toLowerCase().endsWith(".gz");
  const bytes = compress ? await gzipAsync(raw, { level: opts.compressionLevel ?? 6 }) : raw;
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
    // The data layer's errors name the file themselves: keep the system's own message.
    const cause = (err as Error).cause ?? err;
    throw new DataError(path, `cannot write file: ${(cause as Error).message}`, { cause });
  }
}
