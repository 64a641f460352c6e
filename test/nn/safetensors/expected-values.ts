// The expected-values JSON that reference/safetensors_torch.py reads and writes (see its
// docstring), converted to and from NamedTensorData.

import type { NamedTensorData } from "../../../src/nn/safetensors/index.js";

export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

const TAG: Record<string, string> = {
  float32: "F32",
  float64: "F64",
  float16: "F16",
  bfloat16: "BF16",
  int64: "I64",
  int32: "I32",
  int16: "I16",
  int8: "I8",
  uint8: "U8",
  bool: "BOOL",
};

function floatJson(v: number): number | string {
  if (Number.isNaN(v)) return "nan";
  if (v === Number.POSITIVE_INFINITY) return "inf";
  if (v === Number.NEGATIVE_INFINITY) return "-inf";
  if (Object.is(v, -0)) return "-0"; // JSON.stringify(-0) would drop the sign
  return v;
}

export function toExpected(t: NamedTensorData): ExpectedTensor {
  const values: (number | string)[] = [];
  for (const v of t.data as Iterable<number | bigint>) {
    if (typeof v === "bigint") values.push(v.toString());
    else if (t.dtype === "float32" || t.dtype === "float64") values.push(floatJson(v));
    else values.push(v);
  }
  return { dtype: TAG[t.dtype], shape: t.shape, values };
}

/** Element-wise identity, bit for bit for floats (NaN equals NaN, -0 differs from 0). */
export function sameValues(t: NamedTensorData, e: ExpectedTensor): string | null {
  if (TAG[t.dtype] !== e.dtype) return `dtype ${TAG[t.dtype]} != ${e.dtype}`;
  if (JSON.stringify(t.shape) !== JSON.stringify(e.shape)) return `shape ${t.shape} != ${e.shape}`;
  const got = toExpected(t).values;
  if (got.length !== e.values.length) return `length ${got.length} != ${e.values.length}`;
  for (let i = 0; i < got.length; i++) {
    const a = got[i];
    const b = e.values[i];
    if (String(a) !== String(typeof b === "number" && e.dtype.startsWith("F") ? floatJson(b) : b)) {
      return `element ${i}: ${a} != ${b}`;
    }
  }
  return null;
}
