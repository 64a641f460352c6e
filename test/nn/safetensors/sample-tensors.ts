// Tensors of every dtype with awkward values, for round trips and interop tests.

import {
  type NamedTensorData,
  numberToBfloat16Bits,
  numberToFloat16Bits,
} from "../../../src/nn/safetensors/index.js";

export function sampleTensors(): Record<string, NamedTensorData> {
  const f16 = [0, -0, 1, -2, 0.5, 65504, 2 ** -24, 1 / 3, Number.POSITIVE_INFINITY, Number.NaN];
  const bf16 = [0, 1, -1.5, 3e38, 1e-38, 1 / 3, Number.NEGATIVE_INFINITY];
  return {
    "model.0.conv.unit0.conv.weight": {
      dtype: "float32",
      shape: [2, 1, 3],
      data: Float32Array.from([0.1, -0.2, 1e-40, 3.4e38, -0, Number.NaN]),
    },
    "f32.inf": { dtype: "float32", shape: [2], data: Float32Array.from([Infinity, -Infinity]) },
    "f64.values": { dtype: "float64", shape: [3], data: Float64Array.from([Math.PI, -1e300, 5e-324]) },
    "f16.values": {
      dtype: "float16",
      shape: [f16.length],
      data: Uint16Array.from(f16.map(numberToFloat16Bits)),
    },
    "bf16.values": {
      dtype: "bfloat16",
      shape: [bf16.length],
      data: Uint16Array.from(bf16.map(numberToBfloat16Bits)),
    },
    "i64.values": {
      dtype: "int64",
      shape: [2, 2],
      data: BigInt64Array.from([0n, -1n, 9223372036854775807n, -9223372036854775808n]),
    },
    "i32.values": { dtype: "int32", shape: [3], data: Int32Array.from([2147483647, -2147483648, 7]) },
    "i16.values": { dtype: "int16", shape: [3], data: Int16Array.from([32767, -32768, 0]) },
    "i8.values": { dtype: "int8", shape: [3], data: Int8Array.from([127, -128, 1]) },
    "u8.values": { dtype: "uint8", shape: [3], data: Uint8Array.from([0, 128, 255]) },
    "bool.mask": { dtype: "bool", shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
    "model.1.num_batches_tracked": { dtype: "int64", shape: [], data: BigInt64Array.from([42n]) },
    "empty.rows": { dtype: "float32", shape: [0, 4], data: new Float32Array(0) },
    // A computed key is an own property; a literal __proto__ key would set the prototype.
    ["__proto__"]: { dtype: "float32", shape: [1], data: Float32Array.from([9]) },
  } as unknown as Record<string, NamedTensorData>;
}
