// NIfTI datatype codes and how each supported one maps onto a VoxelDtype and a typed array.

import type { VoxelArray, VoxelDtype } from "../volume.js";

interface DatatypeInfo {
  code: number;
  dtype: VoxelDtype;
  bytes: number;
  make: (buffer: ArrayBuffer, byteOffset: number, length: number) => VoxelArray;
  /** The typed array class that holds this dtype, to check a Volume's data against its dtype. */
  arrayType: new (
    length: number,
  ) => VoxelArray;
}

const SUPPORTED: readonly DatatypeInfo[] = [
  { code: 2, dtype: "uint8", bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n), arrayType: Uint8Array },
  { code: 4, dtype: "int16", bytes: 2, make: (b, o, n) => new Int16Array(b, o, n), arrayType: Int16Array },
  { code: 8, dtype: "int32", bytes: 4, make: (b, o, n) => new Int32Array(b, o, n), arrayType: Int32Array },
  {
    code: 16,
    dtype: "float32",
    bytes: 4,
    make: (b, o, n) => new Float32Array(b, o, n),
    arrayType: Float32Array,
  },
  {
    code: 64,
    dtype: "float64",
    bytes: 8,
    make: (b, o, n) => new Float64Array(b, o, n),
    arrayType: Float64Array,
  },
  { code: 256, dtype: "int8", bytes: 1, make: (b, o, n) => new Int8Array(b, o, n), arrayType: Int8Array },
  {
    code: 512,
    dtype: "uint16",
    bytes: 2,
    make: (b, o, n) => new Uint16Array(b, o, n),
    arrayType: Uint16Array,
  },
  {
    code: 768,
    dtype: "uint32",
    bytes: 4,
    make: (b, o, n) => new Uint32Array(b, o, n),
    arrayType: Uint32Array,
  },
  {
    code: 1024,
    dtype: "int64",
    bytes: 8,
    make: (b, o, n) => new BigInt64Array(b, o, n),
    arrayType: BigInt64Array,
  },
];

/** Names of the codes the standard defines that we do not read, so an error can say what the file holds. */
const UNSUPPORTED_NAMES: Readonly<Record<number, string>> = {
  0: "unknown",
  1: "binary",
  32: "complex64",
  128: "rgb24",
  1280: "uint64",
  1536: "float128",
  1792: "complex128",
  2048: "complex256",
  2304: "rgba32",
};

const BY_CODE = new Map(SUPPORTED.map((d) => [d.code, d]));
const BY_DTYPE = new Map(SUPPORTED.map((d) => [d.dtype, d]));

export function datatypeByCode(code: number): DatatypeInfo | undefined {
  return BY_CODE.get(code);
}

export function datatypeByDtype(dtype: VoxelDtype): DatatypeInfo {
  const info = BY_DTYPE.get(dtype);
  if (!info) throw new Error(`no NIfTI datatype for dtype ${dtype}`);
  return info;
}

/** "datatype 32 (complex64)" for messages; unknown codes say so. */
export function describeDatatype(code: number): string {
  const name = BY_CODE.get(code)?.dtype ?? UNSUPPORTED_NAMES[code] ?? "not a NIfTI datatype code";
  return `datatype ${code} (${name})`;
}
