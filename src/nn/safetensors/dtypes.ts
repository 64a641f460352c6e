// The dtypes SegViz moves as safetensors, with their header tags, sizes and TypedArray classes.

import type { Dtype, TypedArrayFor } from "../../engine/dtype.js";

/** The engine's dtypes: every one has a safetensors tag (TABLE below). */
export type SafetensorsDtype = Dtype;

/** A TypedArray holding one dtype's elements (float16/bfloat16 as raw bit patterns). */
export type TensorArray = TypedArrayFor<SafetensorsDtype>;

/** One tensor as plain data: dtype, shape and its elements in row-major order. */
export type NamedTensorData = {
  [D in SafetensorsDtype]: { dtype: D; shape: number[]; data: TypedArrayFor<D> };
}[SafetensorsDtype];

type ArrayClass = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TensorArray };

export interface DtypeInfo {
  dtype: SafetensorsDtype;
  tag: string;
  itemSize: number;
  arrayClass: ArrayClass;
}

const TABLE: DtypeInfo[] = [
  { dtype: "float32", tag: "F32", itemSize: 4, arrayClass: Float32Array },
  { dtype: "float64", tag: "F64", itemSize: 8, arrayClass: Float64Array },
  { dtype: "float16", tag: "F16", itemSize: 2, arrayClass: Uint16Array },
  { dtype: "bfloat16", tag: "BF16", itemSize: 2, arrayClass: Uint16Array },
  { dtype: "int64", tag: "I64", itemSize: 8, arrayClass: BigInt64Array },
  { dtype: "int32", tag: "I32", itemSize: 4, arrayClass: Int32Array },
  { dtype: "int16", tag: "I16", itemSize: 2, arrayClass: Int16Array },
  { dtype: "int8", tag: "I8", itemSize: 1, arrayClass: Int8Array },
  { dtype: "uint8", tag: "U8", itemSize: 1, arrayClass: Uint8Array },
  { dtype: "bool", tag: "BOOL", itemSize: 1, arrayClass: Uint8Array },
];

const BY_DTYPE = new Map(TABLE.map((d) => [d.dtype, d]));
const BY_TAG = new Map(TABLE.map((d) => [d.tag, d]));

export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = TABLE.map((d) => d.dtype);

export function dtypeInfo(dtype: string): DtypeInfo | undefined {
  return BY_DTYPE.get(dtype as SafetensorsDtype);
}

export function dtypeInfoForTag(tag: string): DtypeInfo | undefined {
  return BY_TAG.get(tag);
}

/** Elements in a tensor of this shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
