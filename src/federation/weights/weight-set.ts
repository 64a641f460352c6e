// A weight set is the federation's unit of exchange: tensor name -> plain tensor data. The
// federation never needs to know what network the names belong to.

// engine/dtype.js, not the engine's index: the federation's core never loads libtorch.
import { FLOAT_DTYPES } from "../../engine/dtype.js";
import {
  bfloat16BitsToNumber,
  decodeSafetensors,
  encodeSafetensors,
  float16BitsToNumber,
  type NamedTensorData,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  type SafetensorsDtype,
} from "../../nn/safetensors/index.js";
import type { ByteAllocator } from "../../util/byte-allocator.js";

export type WeightSet = Map<string, NamedTensorData>;

/** `allocate`: where the payload's zeroed bytes come from (see encodeSafetensors). */
export function encodeWeightSet(
  weights: WeightSet,
  metadata?: Record<string, string>,
  allocate?: ByteAllocator,
): Uint8Array {
  const record: Record<string, NamedTensorData> = Object.create(null);
  for (const [name, t] of weights) record[name] = t;
  return encodeSafetensors(record, metadata, "encode", allocate);
}

/** With `views`, tensors share the payload's memory where aligned (the payload must not change). */
export function decodeWeightSet(bytes: Uint8Array, source: string, views = false): WeightSet {
  const { tensors } = decodeSafetensors(bytes, source, { views });
  return new Map(Object.keys(tensors).map((name) => [name, tensors[name]]));
}

export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return FLOAT_DTYPES.has(dtype);
}

/** The tensor's elements as float64 (exact for every dtype but int64 beyond 2^53). */
export function toFloat64(t: NamedTensorData): Float64Array {
  const out = new Float64Array(t.data.length);
  switch (t.dtype) {
    case "float16":
      for (let i = 0; i < out.length; i++) out[i] = float16BitsToNumber(t.data[i]);
      break;
    case "bfloat16":
      for (let i = 0; i < out.length; i++) out[i] = bfloat16BitsToNumber(t.data[i]);
      break;
    case "int64":
      for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
      break;
    default:
      out.set(t.data);
  }
  return out;
}

/**
 * The tensor's elements as numbers without a copy where the typed array already yields them
 * exactly (float32, float64 and the small integer types); otherwise toFloat64. Reading a
 * Float32Array element gives the same double toFloat64 would store, so arithmetic on the view
 * is bit-identical to arithmetic on the float64 copy, at none of its allocation and copying.
 */
export function numericView(t: NamedTensorData): ArrayLike<number> {
  switch (t.dtype) {
    case "float16":
    case "bfloat16":
    case "int64":
      return toFloat64(t);
    default:
      return t.data as ArrayLike<number>;
  }
}

/** Builds a tensor of this dtype from float64 values; integer dtypes round to nearest. */
export function fromFloat64(dtype: SafetensorsDtype, shape: number[], values: Float64Array): NamedTensorData {
  const n = values.length;
  switch (dtype) {
    case "float32":
      return { dtype, shape: [...shape], data: Float32Array.from(values) };
    case "float64":
      return { dtype, shape: [...shape], data: Float64Array.from(values) };
    case "float16":
      return { dtype, shape: [...shape], data: Uint16Array.from(values, numberToFloat16Bits) };
    case "bfloat16":
      return { dtype, shape: [...shape], data: Uint16Array.from(values, numberToBfloat16Bits) };
    case "int64": {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(Math.round(values[i]));
      return { dtype, shape: [...shape], data };
    }
    case "int32":
      return { dtype, shape: [...shape], data: Int32Array.from(values, Math.round) };
    case "int16":
      return { dtype, shape: [...shape], data: Int16Array.from(values, Math.round) };
    case "int8":
      return { dtype, shape: [...shape], data: Int8Array.from(values, Math.round) };
    case "uint8":
      return { dtype, shape: [...shape], data: Uint8Array.from(values, Math.round) };
    case "bool":
      return { dtype, shape: [...shape], data: Uint8Array.from(values, (v) => (v >= 0.5 ? 1 : 0)) };
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Bitwise equality of two tensors (dtype, shape and every byte). */
export function tensorsEqual(a: NamedTensorData, b: NamedTensorData): boolean {
  if (a.dtype !== b.dtype || !sameShape(a.shape, b.shape)) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
